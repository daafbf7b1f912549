package teleportconfig

import (
	"os/exec"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestProxyConfigKeepsPeerAddressPerInstance(t *testing.T) {
	out, err := ProxyConfig(ProxyParams{Domain: "teleport.example.com", JoinToken: "x-proxy-iam", ProxyPeering: true}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Proxy struct {
			PublicAddr     []string `yaml:"public_addr"`
			PeerPublicAddr string   `yaml:"peer_public_addr"`
			ProxyProtocol  string   `yaml:"proxy_protocol"`
			KeyPairs       []struct {
				Cert string `yaml:"cert_file"`
			} `yaml:"https_keypairs"`
			ACME struct {
				Enabled bool `yaml:"enabled"`
			} `yaml:"acme"`
		} `yaml:"proxy_service"`
		Auth struct {
			Enabled bool `yaml:"enabled"`
		} `yaml:"auth_service"`
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Proxy.PeerPublicAddr != PlaceholderPeerHost+":3021" {
		t.Errorf("peer_public_addr = %q", doc.Proxy.PeerPublicAddr)
	}
	if doc.Proxy.ProxyProtocol != "on" || doc.Proxy.ACME.Enabled || doc.Auth.Enabled {
		t.Errorf("proxy_protocol must be on, ACME and auth off: %s", out)
	}
	if len(doc.Proxy.PublicAddr) != 1 || doc.Proxy.PublicAddr[0] != "teleport.example.com:443" || len(doc.Proxy.KeyPairs) != 1 {
		t.Errorf("public_addr / https_keypairs: %s", out)
	}
}

func TestJoinTokenQuotesAccount(t *testing.T) {
	out, err := JoinTokenYAML("example-proxy-iam", "example-proxy-*")
	if err != nil {
		t.Fatal(err)
	}
	// After the boot script substitutes the account id, it must stay a string.
	filled := strings.ReplaceAll(out, accountPlaceholder, "012345678901")
	var tok struct {
		Spec struct {
			Allow []map[string]any `yaml:"allow"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(filled), &tok); err != nil {
		t.Fatal(err)
	}
	if acct, ok := tok.Spec.Allow[0]["aws_account"].(string); !ok || acct != "012345678901" {
		t.Errorf("aws_account = %#v; want the string 012345678901", tok.Spec.Allow[0]["aws_account"])
	}
	if tok.Spec.Allow[0]["aws_arn"] != "arn:aws:sts::012345678901:assumed-role/example-proxy-*/i-*" {
		t.Errorf("aws_arn = %v", tok.Spec.Allow[0]["aws_arn"])
	}
}

func TestBootScriptsSubstituteEveryPlaceholder(t *testing.T) {
	proxy, err := ProxyUserData{Install: Install{"17.4.8", EditionEnterprise}, Config: ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t", ProxyPeering: true}),
		ProxyPeering: true, Cert: Certificate{Domain: "a.example.com", Bucket: "b", BucketRegion: "us-west-2"}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{PlaceholderPeerHost, PlaceholderAuthServer, PlaceholderNodeName, PlaceholderCAPin} {
		if !strings.Contains(proxy, `sed -i "s|`+p+`|`) {
			t.Errorf("proxy boot script does not substitute %s", p)
		}
	}
	if !strings.Contains(proxy, "bash -s 17.4.8 enterprise") || !strings.Contains(proxy, "teleport-fetch-cert") {
		t.Error("proxy boot script must install the pinned release and fetch the certificate")
	}
}

// Without proxy peering (OSS, one proxy region) nothing peering-related is
// rendered: Teleport's agent mesh, no peer_* keys, no peer address look-up.
func TestNoPeeringRendersAgentMesh(t *testing.T) {
	auth, err := AuthConfig(AuthParams{ClusterName: "a.example.com", AgentConnectionCount: 2}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(auth, "type: agent_mesh") || strings.Contains(auth, "proxy_peering") || strings.Contains(auth, "agent_connection_count") {
		t.Errorf("auth tunnel strategy without peering:\n%s", auth)
	}
	peered, _ := AuthConfig(AuthParams{ClusterName: "a.example.com", AgentConnectionCount: 3, ProxyPeering: true}).Marshal()
	if !strings.Contains(peered, "type: proxy_peering") || !strings.Contains(peered, "agent_connection_count: 3") {
		t.Errorf("auth tunnel strategy with peering:\n%s", peered)
	}
	script, err := ProxyUserData{Install: Install{"17.4.8", EditionOSS}, Config: ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t"}),
		Cert: Certificate{Domain: "a.example.com", Bucket: "b", BucketRegion: "us-west-2"}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"peer_", "3021", "PEER_HOST"} {
		if strings.Contains(script, bad) {
			t.Errorf("proxy boot script without peering mentions %q", bad)
		}
	}
}

// The CA pins published by the auth instances (comma separated, as
// teleport-publish-ca-pin writes them) make a valid ca_pin list once the
// proxy boot script substitutes them.
func TestCAPinSubstitutionIsValidYAML(t *testing.T) {
	out, err := ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t"}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	filled := strings.ReplaceAll(out, PlaceholderCAPin, "sha256:aaaa,sha256:bbbb")
	var doc struct {
		Teleport struct {
			CAPin []string `yaml:"ca_pin"`
		} `yaml:"teleport"`
	}
	if err := yaml.Unmarshal([]byte(filled), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Teleport.CAPin) != 2 || doc.Teleport.CAPin[0] != "sha256:aaaa" || doc.Teleport.CAPin[1] != "sha256:bbbb" {
		t.Errorf("ca_pin = %q from:\n%s", doc.Teleport.CAPin, filled)
	}
}

// The certificate bootstrap cannot stall: certbot is pinned and installed
// with retries from a 15-minute timer, not once at boot; proxies start with
// a placeholder certificate and poll for the real one every 5 minutes.
func TestCertificateBootstrapRetries(t *testing.T) {
	cert := Certificate{Domain: "a.example.com", Bucket: "b", BucketRegion: "us-west-2", LocksTable: "l", Email: "e@example.com"}
	auth, err := AuthUserData{Install: Install{"17.4.8", EditionEnterprise}, Config: AuthConfig(AuthParams{ClusterName: "a.example.com"}),
		JoinToken: "t", ProxyRoleNamePattern: "x-proxy-*", CAPinParameter: "/teleport/x/ca-pin", Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"certbot==${CERTBOT_VERSION}" "certbot-dns-route53==${CERTBOT_VERSION}" "acme==${CERTBOT_VERSION}"`,
		"CERTBOT_VERSION=" + CertbotVersion,
		"sleep $((attempt * attempt * 10))",
		"OnUnitActiveSec=15min",
		"systemctl enable --now teleport-renew-cert.timer",
		"systemctl enable --now teleport-publish-ca-pin.timer",
		"put-parameter --name /teleport/x/ca-pin --overwrite",
	} {
		if !strings.Contains(auth, want) {
			t.Errorf("auth boot script lacks %q", want)
		}
	}
	if strings.Contains(auth, "pip install --quiet certbot ") || strings.Contains(auth, "--upgrade pip") {
		t.Error("auth boot script installs unpinned packages")
	}
	proxy, err := ProxyUserData{Install: Install{"17.4.8", EditionEnterprise}, Config: ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t"}),
		AuthRegion: "us-west-2", CAPinParameter: "/teleport/x/ca-pin", Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"openssl req -x509", "OnUnitActiveSec=5min", "--region us-west-2 --name /teleport/x/ca-pin"} {
		if !strings.Contains(proxy, want) {
			t.Errorf("proxy boot script lacks %q", want)
		}
	}
	if strings.Contains(proxy, "until /usr/local/bin/teleport-fetch-cert") {
		t.Error("proxy boot waits for the certificate before starting Teleport: the group would replace it")
	}
}

// Every rendered boot script parses as bash (make shellcheck lints them
// further when shellcheck is installed).
func TestBootScriptsParse(t *testing.T) {
	cert := Certificate{Domain: "a.example.com", Bucket: "b", BucketRegion: "us-west-2", LocksTable: "l", Email: "e@example.com"}
	auth, err := AuthUserData{Install: Install{"17.4.8", EditionEnterprise}, Config: AuthConfig(AuthParams{ClusterName: "a.example.com", ProxyPeering: true}),
		LicenseParameter: "/l", JoinToken: "t", ProxyRoleNamePattern: "x-proxy-*", CAPinParameter: "/p", RolloutParameter: "/r", AMIGeneration: "g", Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := ProxyUserData{Install: Install{"17.4.8", EditionEnterprise}, Config: ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t", ProxyPeering: true}),
		ProxyPeering: true, AuthRegion: "us-west-2", CAPinParameter: "/p", RolloutParameter: "/r", AMIGeneration: "g", LaunchHook: "h", GroupName: "g", Cert: cert}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{"auth": auth, "proxy": proxy} {
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s boot script does not parse: %v\n%s", name, err, out)
		}
	}
}
