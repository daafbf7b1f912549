package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// Releases with a known advisory synthesize with a warning naming it;
// releases past every fix get none.
func TestAdvisoryWarnings(t *testing.T) {
	cases := []struct {
		edition, proxy, auth string
		want                 []string // substrings, one warning each
	}{
		{"enterprise", "17.7.16", "", nil},
		{"enterprise", "17.4.8", "", []string{"teleport_version: Teleport 17.4.8 is affected by CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc) (17.0.0 to before 17.5.2)", "teleport_version: Teleport 17.4.8 is affected by gravitational/teleport#59557"}},
		{"enterprise", "17.5.2", "", []string{"#59557 (17.0.0 to before 17.7.7)"}},
		{"enterprise", "17.7.6", "", []string{"#59557"}},
		{"enterprise", "17.7.7", "", nil},
		{"enterprise", "17.1.0", "", []string{"CVE-2025-49825", "#59557", "#50490"}},
		// The proxy-peering advisory does not apply without proxy peering.
		{"oss", "17.5.2", "", nil},
		{"enterprise", "17.7.16", "18.2.3", nil},
		// Each version is checked under its own key.
		{"enterprise", "17.7.6", "17.7.16", []string{"teleport_version: Teleport 17.7.6 is affected by gravitational/teleport#59557"}},
		{"enterprise", "17.5.2", "17.5.3", []string{"teleport_version: Teleport 17.5.2", "auth.teleport_version: Teleport 17.5.3 is affected by gravitational/teleport#59557"}},
	}
	for _, c := range cases {
		doc := strings.Replace(valid, `teleport_version: "17.7.16"`, `teleport_version: "`+c.proxy+`"`, 1) + "alerts: {email: ops@example.com}\n"
		if c.auth != "" {
			doc = strings.Replace(doc, "  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  teleport_version: \""+c.auth+"\"\n", 1)
		}
		if c.edition == "oss" {
			doc = strings.Replace(doc, "license_ssm_parameter: /teleport/license\n", "edition: oss\n", 1)
			doc = strings.Replace(doc, "  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "", 1)
		}
		cfg, err := Parse([]byte(doc), "t")
		if err != nil {
			t.Errorf("%s %s/%s must still be accepted: %v", c.edition, c.proxy, c.auth, err)
			continue
		}
		got := cfg.Warnings()
		if len(got) != len(c.want) {
			t.Errorf("%s %s/%s: %d warnings %q; want %d", c.edition, c.proxy, c.auth, len(got), got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s %s/%s: warning %q; want it to contain %q", c.edition, c.proxy, c.auth, got[i], w)
			}
		}
	}
}

// Every advisory names its source and a non-empty range; the example and
// every test config run a release no advisory affects.
func TestAdvisoriesTable(t *testing.T) {
	for _, a := range Advisories {
		if a.ID == "" || a.Breaks == "" || a.Source == "" || !a.Introduced.Less(a.Fixed) {
			t.Errorf("advisory %+v: needs an id, what breaks, a source and Introduced < Fixed", a)
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "configs", "*.yaml"))
	files = append(files, filepath.Join("..", "examples", "cluster.yaml"))
	for _, f := range files {
		cfg, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range cfg.Warnings() {
			if strings.Contains(w, "is affected by") {
				t.Errorf("%s: %s", f, w)
			}
		}
	}
}

func TestNoAlertsEmailWarns(t *testing.T) {
	cfg, err := Parse([]byte(valid), "t")
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(); len(w) != 1 || !strings.Contains(w[0], "alerts.email: not set") || !strings.Contains(w[0], "notifies nobody") {
		t.Errorf("warnings %q", w)
	}
}
