package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// supportOnly keeps the support-window warnings.
func supportOnly(ws []string) []string {
	var out []string
	for _, w := range ws {
		if strings.Contains(w, "end of support") || strings.Contains(w, "not verified") {
			out = append(out, w)
		}
	}
	return out
}

// Support windows: a line past its end of support is still synthesized,
// with a warning that says since when and what to upgrade to, one major
// at a time; an unverified line is accepted with a warning; a major older
// than the oldest line, or newer than the newest, is refused with the way
// forward.
func TestSupportWindows(t *testing.T) {
	cases := []struct {
		name, proxy, auth string
		now               time.Time
		err               string   // "" = accepted
		want              []string // substrings, one support warning each
	}{
		{"18 supported", "18.9.0", "", testNow, "", nil},
		{"18 on its last supported day", "18.9.0", "", time.Date(2027, time.August, 31, 23, 0, 0, 0, time.UTC), "", nil},
		{"18 after its end", "18.9.0", "", time.Date(2027, time.September, 1, 0, 0, 0, 0, time.UTC), "",
			[]string{"teleport_version: Teleport 18 (18.9.0) is past its end of support: Teleport supported 18 through August 2027, so it gets no fixes since 1 September 2027"}},
		{"17 before its end", "17.7.16", "", time.Date(2026, time.August, 15, 0, 0, 0, 0, time.UTC), "", nil},
		{"17 after its end", "17.7.16", "", testNow, "",
			[]string{"teleport_version: Teleport 17 (17.7.16) is past its end of support: Teleport supported 17 through August 2026, so it gets no fixes since 1 September 2026 (RFD 225", "upgrade one major at a time, auth first (docs/operations.md \"Upgrading Teleport\"): 18, where 18.9.0 is the newest release checked"}},
		{"16 ended October 31, 2025", "16.5.18", "", testNow, "",
			[]string{"Teleport 16 (16.5.18) is past its end of support: Teleport supported 16 through October 2025, so it gets no fixes since 1 November 2025", "17, then 18"}},
		{"15", "15.5.3", "", testNow, "",
			[]string{"Teleport 15 (15.5.3) is past its end of support: Teleport supported 15 through January 2025", "16, then 17, then 18"}},
		{"19 unverified", "18.9.0", "19.0.0", testNow, "",
			[]string{"auth.teleport_version: Teleport 19 (19.0.0) is not verified: no 19.x release was found", "18.9.0 is the newest release checked"}},
		{"auth one major ahead warns for both lines", "17.7.16", "18.9.0", testNow, "",
			[]string{"teleport_version: Teleport 17 (17.7.16) is past its end of support"}},
		{"same line on both: one warning", "17.7.15", "17.7.16", testNow, "",
			[]string{"teleport_version: Teleport 17 (17.7.15) is past its end of support"}},
		{"14 refused", "14.3.0", "", testNow, `t:5:19: teleport_version: "14.3.0" is Teleport 14, older than Teleport 15, the oldest release this app configures: upgrade the running cluster to a 15.x release first with Teleport's upgrade procedure (auth first, one major at a time), set that release here, then go on one major per deploy: 16, then 17, then 18 (18.9.0 is the newest release checked)`, nil},
		{"auth 14 refused", "15.5.3", "14.3.0", testNow, `auth.teleport_version: "14.3.0" is Teleport 14, older than Teleport 15`, nil},
		{"20 refused", "18.9.0", "20.0.0", testNow, `auth.teleport_version: "20.0.0" is Teleport 20, which this app does not know: its configuration, machine images, support window and advisories are unchecked (config/version.go Lines); use 18.9.0, the newest release checked`, nil},
		{"17 to 19 refused", "17.7.16", "19.0.0", testNow, "teleport_version: proxies at 17.7.16 would be 2 major versions behind the auth servers' 19.0.0; Teleport supports one, and upgrades one major at a time: set auth.teleport_version to a release of 18, deploy, raise teleport_version to it, deploy, then go on to 19", nil},
	}
	defer func() { Now = func() time.Time { return testNow } }()
	for _, c := range cases {
		now := c.now
		Now = func() time.Time { return now }
		cfg, err := Parse([]byte(withVersions("enterprise", c.proxy, c.auth)), "t")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Count(err.Error(), "\n  t:") != 1 {
				t.Errorf("%s: got %v; want one problem containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: must be accepted: %v", c.name, err)
			continue
		}
		got := supportOnly(cfg.Warnings())
		if len(got) != len(c.want) && !(len(c.want) == 2 && len(got) == 1) {
			t.Errorf("%s: support warnings %q; want %q", c.name, got, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(strings.Join(got, "\n"), w) {
				t.Errorf("%s: support warnings %q; want one containing %q", c.name, got, w)
			}
		}
	}
}

// The table of lines: oldest first, one per major with no gap, every
// verified line with its first release, end of support and source, and
// the end of each line after the one before; the default release is the
// newest of the newest verified line.
func TestLinesTable(t *testing.T) {
	for i, l := range Lines {
		if l.Source == "" {
			t.Errorf("line %d has no source", l.Major)
		}
		if i > 0 && l.Major != Lines[i-1].Major+1 {
			t.Errorf("line %d follows %d", l.Major, Lines[i-1].Major)
		}
		if !l.Verified {
			if l.Released != "" || !l.Newest.IsZero() {
				t.Errorf("line %d: unverified, yet with a release", l.Major)
			}
			continue
		}
		if _, err := time.Parse("2006-01-02", l.Released); err != nil || l.SupportedThrough == (Month{}) {
			t.Errorf("line %d: first release %q, supported through %v", l.Major, l.Released, l.SupportedThrough)
		}
		if i > 0 && Lines[i-1].Verified && !Lines[i-1].SupportedThrough.after().Before(l.SupportedThrough.after()) {
			t.Errorf("line %d ends before %d", l.Major, Lines[i-1].Major)
		}
		if !l.Newest.IsZero() && l.Newest.Major != l.Major {
			t.Errorf("line %d: newest %s", l.Major, l.Newest)
		}
	}
	if DefaultTeleportVersion != "18.9.0" {
		t.Errorf("default release %s", DefaultTeleportVersion)
	}
}

// The example, every test config, the sample config and the docs' examples
// (the configuration reference among them) run DefaultTeleportVersion, on
// both keys.
func TestConfigsRunTheDefaultRelease(t *testing.T) {
	for f, cfg := range shippedConfigs(t) {
		if cfg.TeleportVersion != DefaultTeleportVersion || cfg.Auth.TeleportVersion != DefaultTeleportVersion {
			t.Errorf("%s runs %s (auth %s); want %s", f, cfg.TeleportVersion, cfg.Auth.TeleportVersion, DefaultTeleportVersion)
		}
	}
	// The configuration reference marks the key "# required".
	release := regexp.MustCompile(`(?m)^teleport_version: "([0-9.]+)"(?: +# required|$)`)
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs pages (%v)", err)
	}
	found := 0
	for _, f := range append(docs, filepath.Join("..", "README.md"), filepath.Join("..", "internal", "sample", "sample.go"), "load.go") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range release.FindAllStringSubmatch(string(data), -1) {
			found++
			if m[1] != DefaultTeleportVersion {
				t.Errorf("%s: teleport_version %q; want %q", f, m[1], DefaultTeleportVersion)
			}
		}
	}
	if found < 3 { // the reference, the sample, the minimal config
		t.Errorf("found %d teleport_version examples; the reference, the sample config and load.go each have one", found)
	}
}

// shippedConfigs loads the example and every test config, by file.
func shippedConfigs(t *testing.T) map[string]*Cluster {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "configs", "*.yaml"))
	files = append(files, filepath.Join("..", "examples", "cluster.yaml"))
	out := map[string]*Cluster{}
	for _, f := range files {
		cfg, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = cfg
	}
	return out
}

// teleport_version written as a YAML number (18.9 is a float) is refused
// with a quoted release that validation then accepts: pasting the
// suggestion in fixes the file.
func TestVersionNumberSuggestion(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const line = `teleport_version: "18.9.0"`
	if !strings.Contains(string(example), line) {
		t.Fatalf("the example has no %s line", line)
	}
	quoted := regexp.MustCompile(`quoted: "([^"]*)"`)
	for _, c := range []struct{ written, want, auth string }{
		{"18.9", "18.9.0", ""},
		{"18", "18.0.0", ""},
		{"18.10", "18.10.0", ""},
		{"1e3", DefaultTeleportVersion, ""},
		{"14.3", DefaultTeleportVersion, ""}, // no longer supported: the default instead
		{"18.9", "18.9.0", "auth"},
	} {
		doc := strings.Replace(string(example), line, "teleport_version: "+c.written, 1)
		path := "teleport_version"
		if c.auth != "" {
			doc = strings.Replace(string(example), "auth:\n", "auth:\n  teleport_version: "+c.written+"\n", 1)
			path = "auth.teleport_version"
		}
		_, err := Parse([]byte(doc), "c.yaml")
		if err == nil {
			t.Errorf("%s: %s accepted", path, c.written)
			continue
		}
		msg := err.Error()
		m := quoted.FindStringSubmatch(msg)
		if !strings.HasPrefix(msg, "c.yaml: 1 problem:") || !strings.Contains(msg, path+": is the YAML") || m == nil || m[1] != c.want {
			t.Errorf("%s: %s: got\n%s\nwant one problem suggesting %q", path, c.written, msg, c.want)
			continue
		}
		fixed := strings.Replace(doc, ": "+c.written+"\n", `: "`+m[1]+`"`+"\n", 1)
		if _, err := Parse([]byte(fixed), "c.yaml"); err != nil {
			t.Errorf("%s: the suggestion %q is refused:\n%v", path, m[1], err)
		}
	}
}
