package teleportconfig

// ProxyParams describes one Proxy Service instance group.
type ProxyParams struct {
	// Domain is the cluster's public name; the proxy serves Domain:443 and,
	// through the wildcard certificate, *.Domain for applications.
	Domain string
	// JoinToken is the name of the IAM join token created by the auth side.
	JoinToken string
	// AuthServer is the stable name of the Auth Service (its record in the
	// cluster's private hosted zone), known at synth: nothing that replaces
	// the auth NLB changes it, so it is written into teleport.yaml as is.
	AuthServer string
	// ProxyPeering adds the peer listener and the instance's own peer
	// address; without it no peer_* key is written (an OSS proxy refuses
	// to start with them configured for proxy peering).
	ProxyPeering bool
}

// ProxyConfig renders the Proxy Service teleport.yaml. The node name, the CA
// pin and the peer host are placeholders filled in at boot.
func ProxyConfig(p ProxyParams) *File {
	f := &File{
		Version: "v3",
		Teleport: Process{
			NodeName:   PlaceholderNodeName,
			DataDir:    DataDir,
			AuthServer: hostPort(p.AuthServer, AuthPort),
			JoinParams: &JoinParams{TokenName: p.JoinToken, Method: "iam"},
			// The first join trusts only the cluster CA whose pin the auth
			// instances published, not whichever server answers first.
			CAPin:    []string{PlaceholderCAPin},
			DiagAddr: hostPort("0.0.0.0", DiagPort),
			Log:      fileLog(),
		},
		Proxy: ProxyService{
			Enabled:       true,
			PublicAddr:    []string{hostPort(p.Domain, WebPort)},
			WebListenAddr: hostPort("0.0.0.0", WebPort),
			// The public NLB prepends a PROXY v2 header so that Teleport sees
			// client addresses; "on" also rejects connections without one.
			ProxyProtocol: "on",
			HTTPSKeyPairs: []KeyPair{{KeyFile: KeyPath, CertFile: CertPath}},
			// Short, so that the Let's Encrypt certificate replaces the
			// boot-time placeholder within minutes of being published (see
			// the proxy boot script); a reload only re-reads two files.
			HTTPSKeyPairsReloadInterval: CertReloadInterval,
			ACME:                        &ACME{Enabled: false},
		},
	}
	if p.ProxyPeering {
		f.Proxy.PeerListenAddr = hostPort("0.0.0.0", PeerPort)
		// Unique per instance and never a load balancer: a peer must
		// reach the very proxy that holds an agent's tunnel.
		f.Proxy.PeerPublicAddr = hostPort(PlaceholderPeerHost, PeerPort)
	}
	return f
}

// CertReloadInterval is how often proxies re-read the certificate files.
const CertReloadInterval = "5m"
