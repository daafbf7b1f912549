package teleportconfig

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestProxyConfigKeepsPeerAddressPerInstance(t *testing.T) {
	out, err := ProxyConfig(ProxyParams{Domain: "teleport.example.com", JoinToken: "x-proxy-iam"}).Marshal()
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
	proxy, err := ProxyUserData{Install: Install{"17.4.8", EditionOSS}, Config: ProxyConfig(ProxyParams{Domain: "a.example.com", JoinToken: "t"}),
		Cert: Certificate{Domain: "a.example.com", Bucket: "b", BucketRegion: "us-west-2"}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{PlaceholderPeerHost, PlaceholderAuthServer, PlaceholderNodeName} {
		if !strings.Contains(proxy, `sed -i "s|`+p+`|`) {
			t.Errorf("proxy boot script does not substitute %s", p)
		}
	}
	if !strings.Contains(proxy, "bash -s 17.4.8 oss") || !strings.Contains(proxy, "teleport-fetch-cert") {
		t.Error("proxy boot script must install the pinned release and fetch the certificate")
	}
}
