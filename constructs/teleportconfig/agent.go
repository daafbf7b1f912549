package teleportconfig

// Agent is the teleport.yaml of a resource agent (an SSH node here).
type Agent struct {
	Version  string        `yaml:"version"`
	Teleport AgentProcess  `yaml:"teleport"`
	SSH      ServiceToggle `yaml:"ssh_service"`
	Auth     ServiceToggle `yaml:"auth_service"`
	Proxy    ServiceToggle `yaml:"proxy_service"`
}

// AgentProcess is the teleport: section of an agent.
type AgentProcess struct {
	NodeName    string `yaml:"nodename"`
	DataDir     string `yaml:"data_dir"`
	ProxyServer string `yaml:"proxy_server"`
	JoinParams  struct {
		TokenName string `yaml:"token_name"`
		Method    string `yaml:"method"`
	} `yaml:"join_params"`
}

// AgentConfig renders an example agent configuration. proxy_server is the
// latency-routed cluster domain, never a regional load balancer: Route 53
// then sends each agent to the closest healthy proxy region, and proxy
// peering makes the agent reachable through every other proxy.
func AgentConfig(domain string) (string, error) {
	a := Agent{Version: "v3"}
	a.Teleport = AgentProcess{
		NodeName:    "ssh-node",
		DataDir:     DataDir,
		ProxyServer: hostPort(domain, WebPort),
	}
	a.Teleport.JoinParams.TokenName = "<join token: tctl tokens add --type=node>"
	a.Teleport.JoinParams.Method = "token"
	a.SSH.Enabled = true
	out, err := marshal(&a)
	if err != nil {
		return "", err
	}
	header := "# Example Teleport agent configuration, written by teleport-multi-region.\n" +
		"# proxy_server is the latency-routed cluster address: never a regional NLB.\n"
	return header + out, nil
}
