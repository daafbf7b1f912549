package teleportconfig

import (
	"fmt"
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

// The token template is a Teleport token resource with no rules yet: the
// job adds them from the registered roles (scripts_test.go).
func TestJoinTokenTemplate(t *testing.T) {
	out, err := JoinTokenTemplate("example-proxy-iam")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Kind     string `yaml:"kind"`
		Version  string `yaml:"version"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Roles      []string         `yaml:"roles"`
			JoinMethod string           `yaml:"join_method"`
			Allow      []map[string]any `yaml:"allow"`
		} `yaml:"spec"`
	}
	// tctl reads resources as YAML; JSON is YAML.
	if err := yaml.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.Kind != "token" || tok.Version != "v2" || tok.Metadata.Name != "example-proxy-iam" ||
		fmt.Sprint(tok.Spec.Roles) != "[Proxy]" || tok.Spec.JoinMethod != "iam" || len(tok.Spec.Allow) != 0 || !strings.Contains(out, `"allow": []`) {
		t.Errorf("token template:\n%s", out)
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
	script, err := ProxyUserData{Telemetry: testTelemetry(), Install: Install{Version: "17.4.8", Edition: EditionOSS}, Config: ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t"}),
		Cert: Certificate{Domain: "a.example.com", Bucket: "b", BucketRegion: "us-west-2"}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	files, err := BootFiles(script)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(files[bootEtc+"/env"], "PEER_ADDRESS_PATH=''") || strings.Contains(files[bootEtc+"/teleport.yaml"], "peer_") ||
		strings.Contains(files[bootEtc+"/teleport.yaml"], "3021") {
		t.Errorf("proxy user data without peering configures peering:\n%s", script)
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

// Every file the user data installs as a script parses as bash (make
// shellcheck lints them further).
func TestBootScriptsParse(t *testing.T) {
	for role, ud := range map[string]string{"auth": testAuthUserData(t, "/l"), "proxy": testProxyUserData(t, true)} {
		files, err := BootFiles(ud)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range append(scriptsOf(files), bootEtc+"/env") {
			cmd := exec.Command("bash", "-n")
			cmd.Stdin = strings.NewReader(files[p])
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s %s does not parse: %v\n%s", role, p, err, out)
			}
		}
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(ud)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s user data does not parse: %v\n%s", role, err, out)
		}
	}
}

// The auth NLB sends no PROXY header: auth_service.proxy_protocol is off.
func TestAuthProxyProtocolOff(t *testing.T) {
	out, err := AuthConfig(AuthParams{ClusterName: "a.example.com"}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Auth struct {
			ProxyProtocol string `yaml:"proxy_protocol"`
		} `yaml:"auth_service"`
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil || doc.Auth.ProxyProtocol != "off" {
		t.Errorf("auth_service.proxy_protocol = %q, %v", doc.Auth.ProxyProtocol, err)
	}
}
