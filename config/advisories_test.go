package config

import (
	"strings"
	"testing"
)

// withVersions returns the valid config with the proxies at proxy, the
// auth servers at auth (when set), and, for oss, one proxy region and no
// license.
func withVersions(edition, proxy, auth string) string {
	doc := strings.Replace(valid, `teleport_version: "18.9.0"`, `teleport_version: "`+proxy+`"`, 1) + "alerts: {email: ops@example.com}\n"
	if auth != "" {
		doc = strings.Replace(doc, "  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  teleport_version: \""+auth+"\"\n", 1)
	}
	if edition == "oss" {
		doc = strings.Replace(doc, "license_ssm_parameter: /teleport/license\n", "edition: oss\n", 1)
		doc = strings.Replace(doc, "  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "", 1)
	}
	return doc
}

// advisoryOnly keeps the advisory warnings.
func advisoryOnly(ws []string) []string {
	var out []string
	for _, w := range ws {
		if strings.Contains(w, "is affected by") {
			out = append(out, w)
		}
	}
	return out
}

// Releases with a known advisory synthesize with a warning naming it, its
// range on that release's line and the fix; releases past every fix get
// none. Every line the app accepts has its entries.
func TestAdvisoryWarnings(t *testing.T) {
	cases := []struct {
		edition, proxy, auth string
		want                 []string // substrings, one advisory warning each
	}{
		{"enterprise", "18.9.0", "", nil},
		{"enterprise", "17.7.16", "", nil},
		// CVE-2025-49825 on each line, with that line's fix.
		{"enterprise", "15.5.2", "", []string{"Teleport 15.5.2 is affected by CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc) (15.0.0 to before 15.5.3)"}},
		{"enterprise", "15.5.3", "", nil},
		{"enterprise", "16.5.11", "", []string{"CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc) (16.0.0 to before 16.5.12)", "#59555 (16.0.0 to before 16.5.18)"}},
		{"enterprise", "16.5.12", "", []string{"#59555"}},
		{"enterprise", "16.5.18", "", nil},
		{"enterprise", "17.4.8", "", []string{"teleport_version: Teleport 17.4.8 is affected by CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc) (17.0.0 to before 17.5.2)", "teleport_version: Teleport 17.4.8 is affected by gravitational/teleport#59555"}},
		{"enterprise", "17.5.2", "", []string{"#59555 (17.0.0 to before 17.7.7)"}},
		{"enterprise", "17.7.6", "", []string{"#59555"}},
		{"enterprise", "17.7.7", "", nil},
		{"enterprise", "17.1.0", "", []string{"CVE-2025-49825", "#59555", "#50490"}},
		// 18.x: the proxy-peering dial failure, the auth readiness bug,
		// the security releases, the CA pin join failure, the DynamoDB
		// race, the JIT access regression.
		{"enterprise", "18.0.1", "", []string{"#59555 (18.0.0 to before 18.2.3)", "18.7.4 security release (18.0.0 to before 18.7.4)", "#66044 (18.0.0 to before 18.7.5)", "#65821 (18.0.0 to before 18.7.6)"}},
		{"enterprise", "18.2.3", "", []string{"18.7.4 security release", "#66044", "#65821"}},
		{"enterprise", "18.4.2", "", []string{"#62194 (18.4.2 to before 18.5.1)", "18.7.4 security release", "#66044", "#65821"}},
		{"enterprise", "18.5.1", "", []string{"18.7.4 security release", "#66044", "#65821"}},
		{"enterprise", "18.7.4", "", []string{"#66044", "#65821"}},
		{"enterprise", "18.7.5", "", []string{"#65821 (18.0.0 to before 18.7.6)"}},
		{"enterprise", "18.7.6", "", []string{"#66933 (18.7.6 to before 18.8.2)"}},
		{"enterprise", "18.8.1", "", []string{"#66933"}},
		{"enterprise", "18.8.2", "", nil},
		{"enterprise", "18.8.3", "", nil},
		// The proxy-peering advisory does not apply without proxy peering.
		{"oss", "17.5.2", "", nil},
		{"oss", "18.2.2", "", []string{"18.7.4 security release", "#66044", "#65821"}},
		{"enterprise", "17.7.16", "18.9.0", nil},
		// Each release is checked under its own key.
		{"enterprise", "17.7.6", "17.7.16", []string{"teleport_version: Teleport 17.7.6 is affected by gravitational/teleport#59555"}},
		{"enterprise", "17.5.2", "17.5.3", []string{"teleport_version: Teleport 17.5.2", "auth.teleport_version: Teleport 17.5.3 is affected by gravitational/teleport#59555"}},
	}
	for _, c := range cases {
		cfg, err := Parse([]byte(withVersions(c.edition, c.proxy, c.auth)), "t")
		if err != nil {
			t.Errorf("%s %s/%s must still be accepted: %v", c.edition, c.proxy, c.auth, err)
			continue
		}
		got := advisoryOnly(cfg.Warnings())
		if len(got) != len(c.want) {
			t.Errorf("%s %s/%s: %d advisory warnings %q; want %d", c.edition, c.proxy, c.auth, len(got), got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s %s/%s: warning %q; want it to contain %q", c.edition, c.proxy, c.auth, got[i], w)
			}
			if !strings.Contains(got[i], "upgrade to ") {
				t.Errorf("%s %s/%s: warning %q names no fix", c.edition, c.proxy, c.auth, got[i])
			}
		}
	}
}

// Every advisory names its source and non-empty ranges, at most one per
// line, on lines the app accepts; the example and every test config run a
// release no advisory affects.
func TestAdvisoriesTable(t *testing.T) {
	for _, a := range Advisories {
		if a.ID == "" || a.Breaks == "" || a.Source == "" || len(a.Ranges) == 0 {
			t.Errorf("advisory %+v: needs an id, what breaks, a source and ranges", a)
		}
		lines := map[int]bool{}
		for _, rg := range a.Ranges {
			if !rg.Introduced.Less(rg.Fixed) || rg.Introduced.Major != rg.Fixed.Major || lines[rg.Introduced.Major] {
				t.Errorf("advisory %s: range %v: needs Introduced < Fixed on one line, one range per line", a.ID, rg)
			}
			lines[rg.Introduced.Major] = true
			if _, ok := LineOf(rg.Introduced.Major); !ok {
				t.Errorf("advisory %s: line %d is not one the app accepts", a.ID, rg.Introduced.Major)
			}
		}
	}
	for f, cfg := range shippedConfigs(t) {
		for _, w := range cfg.Warnings() {
			if strings.Contains(w, "is affected by") || strings.Contains(w, "end of support") || strings.Contains(w, "not verified") {
				t.Errorf("%s: %s", f, w)
			}
		}
	}
}

func TestNoAlertsEmailWarns(t *testing.T) {
	cfg, err := Parse([]byte(strings.Replace(valid, "admin@example.com", "admin@corp.example.com", 1)), "t")
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(); len(w) != 1 || !strings.Contains(w[0], "alerts.email: not set") || !strings.Contains(w[0], "notifies nobody") {
		t.Errorf("warnings %q", w)
	}
}

// Let's Encrypt refuses a contact at a documentation domain itself (Boulder
// forbiddenMailDomains), not at its subdomains.
func TestDocumentationContactWarns(t *testing.T) {
	for email, warns := range map[string]bool{
		"admin@example.com": true, "ops@Example.NET": true, "a@example.org": true,
		"admin@corp.example.com": false, "admin@example-corp.com": false,
	} {
		cfg, err := Parse([]byte(strings.Replace(valid, "admin@example.com", email, 1)+"alerts: {email: ops@corp.example.com}\n"), "t")
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		w := cfg.Warnings()
		got := len(w) == 1 && strings.HasPrefix(w[0], "acme_email: ") && strings.Contains(w[0], "forbiddenMailDomains")
		if got != warns || (!warns && len(w) != 0) {
			t.Errorf("%s: warnings %q; want a documentation-domain warning: %v", email, w, warns)
		}
	}
}
