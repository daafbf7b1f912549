package teleportconfig

// AuthParams describes one Auth Service instance group.
type AuthParams struct {
	// ClusterName is the Teleport cluster name (the public domain).
	ClusterName string
	// Region is the auth region, where the tables and bucket live.
	Region string
	// StateTable and EventsTable are the DynamoDB table names.
	StateTable, EventsTable string
	// AuditEventsURI, when set, replaces the events table as
	// audit_events_uri (the Athena backend); it may hold the account id
	// placeholder, which the boot fills in.
	AuditEventsURI string
	// RecordingsBucket holds session recordings under records/.
	RecordingsBucket string
	// ProxyPeering selects the proxy_peering tunnel strategy (Enterprise);
	// otherwise agent_mesh, where every agent connects to every proxy.
	ProxyPeering bool
	// AgentConnectionCount is the proxy peering tunnel count per agent.
	AgentConnectionCount int
	// Enterprise adds the license file.
	Enterprise bool
}

// AuthConfig renders the Auth Service teleport.yaml. Its placeholders are the
// node name and the sessions key.
func AuthConfig(p AuthParams) *File {
	// Teleport asks S3 to encrypt every recording with the cluster key (the
	// bucket's default key too, so nothing depends on Teleport doing it).
	events := "dynamodb://" + p.EventsTable
	if p.AuditEventsURI != "" {
		events = p.AuditEventsURI
	}
	sessions := "s3://" + p.RecordingsBucket + "/records?region=" + p.Region + "&sse_kms_key=" + PlaceholderSessionsKey
	f := &File{
		Version: "v3",
		Teleport: Process{
			NodeName: PlaceholderNodeName,
			DataDir:  DataDir,
			DiagAddr: hostPort("0.0.0.0", DiagPort),
			Log:      fileLog(),
			Storage: &Storage{
				Type:             "dynamodb",
				Region:           p.Region,
				TableName:        p.StateTable,
				AuditEventsURI:   []string{events},
				AuditSessionsURI: sessions,
			},
		},
		Auth: AuthService{
			Enabled:     true,
			ClusterName: p.ClusterName,
			ListenAddr:  hostPort("0.0.0.0", AuthPort),
			// The auth NLB sends no PROXY header. lib/config/fileconf.go
			// (Auth.ProxyProtocol): "if you have L4 load balancer with
			// enabled PROXY protocol in front of Teleport you should set it
			// to 'on', if you don't have it, set it to 'off'".
			ProxyProtocol:     "off",
			ProxyListenerMode: "multiplex",
			// agent_mesh is Teleport's default: spelled out so that the
			// file says which strategy runs.
			TunnelStrategy: &TunnelStrategy{Type: "agent_mesh"},
		},
	}
	if p.ProxyPeering {
		f.Auth.TunnelStrategy = &TunnelStrategy{Type: "proxy_peering", AgentConnectionCount: p.AgentConnectionCount}
	}
	if p.Enterprise {
		f.Auth.LicenseFile = LicensePath
	}
	return f
}
