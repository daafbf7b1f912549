package teleportconfig

// ProxyParams describes one Proxy Service instance group.
type ProxyParams struct {
	// Domain is the cluster's public name; the proxy serves Domain:443 and,
	// through the wildcard certificate, *.Domain for applications.
	Domain string
	// JoinToken is the name of the IAM join token created by the auth side.
	JoinToken string
}

// ProxyConfig renders the Proxy Service teleport.yaml. The auth address, the
// node name and the peer host are placeholders filled in at boot.
func ProxyConfig(p ProxyParams) *File {
	return &File{
		Version: "v3",
		Teleport: Process{
			NodeName:   PlaceholderNodeName,
			DataDir:    DataDir,
			AuthServer: hostPort(PlaceholderAuthServer, AuthPort),
			JoinParams: &JoinParams{TokenName: p.JoinToken, Method: "iam"},
			DiagAddr:   hostPort("0.0.0.0", DiagPort),
			Log:        journalLog(),
		},
		Proxy: ProxyService{
			Enabled:        true,
			PublicAddr:     []string{hostPort(p.Domain, WebPort)},
			WebListenAddr:  hostPort("0.0.0.0", WebPort),
			PeerListenAddr: hostPort("0.0.0.0", PeerPort),
			// Unique per instance and never a load balancer: a peer must
			// reach the very proxy that holds an agent's tunnel.
			PeerPublicAddr: hostPort(PlaceholderPeerHost, PeerPort),
			// The public NLB prepends a PROXY v2 header so that Teleport sees
			// client addresses; "on" also rejects connections without one.
			ProxyProtocol:               "on",
			HTTPSKeyPairs:               []KeyPair{{KeyFile: KeyPath, CertFile: CertPath}},
			HTTPSKeyPairsReloadInterval: "1h",
			ACME:                        &ACME{Enabled: false},
		},
	}
}
