package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/example/teleport-multi-region/config"
)

// Support windows are judged by a fixed day (after 17's end of support,
// before 18's), so that the tests do not change with the calendar.
func init() {
	config.Now = func() time.Time { return time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC) }
}

func env(vars map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	example, _ := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	return Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }, Example: example}, &out, &errOut
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("cluster_name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The example at a release past its end of support, and at one older
	// than the oldest line.
	example, err := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	release := `teleport_version: "` + config.DefaultTeleportVersion + `"`
	old, older := filepath.Join(dir, "old.yaml"), filepath.Join(dir, "older.yaml")
	for file, v := range map[string]string{old: "17.7.16", older: "14.3.0"} {
		if err := os.WriteFile(file, []byte(strings.Replace(string(example), release, `teleport_version: "`+v+`"`, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		args   []string
		vars   map[string]string
		code   int
		stdout string
		stderr string
	}{
		{"example file", []string{"../examples/cluster.yaml"}, nil, 0, "ok: ../examples/cluster.yaml: cluster \"example\"", ""},
		{"from CLUSTER_CONFIG", nil, map[string]string{"CLUSTER_CONFIG": "../testdata/configs/transit-gateway.yaml"}, 0, "connectivity: transit_gateway", ""},
		{"bad file", []string{bad}, nil, 1, "", "bad.yaml"},
		{"end of support", []string{old}, nil, 0, "warning: teleport_version: Teleport 17 (17.7.16) is past its end of support: Teleport supported 17 through August 2026", ""},
		{"too old", []string{older}, nil, 1, "", `older.yaml:7:19: teleport_version: "14.3.0" is Teleport 14, older than Teleport 15`},
		{"missing file", []string{filepath.Join(dir, "nope.yaml")}, nil, 1, "", "not found"},
		{"two files", []string{bad, bad}, nil, 2, "", "at most one file"},
	}
	for _, c := range cases {
		e, out, errOut := env(c.vars)
		start := time.Now()
		code := Main(append([]string{"validate"}, c.args...), e)
		if took := time.Since(start); took > time.Second {
			t.Logf("%s: validate took %s", c.name, took) // a figure, not an assertion
		}
		if code != c.code || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errOut.String(), c.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", c.name, code, out, errOut)
		}
	}
}

func TestBadLazySwitch(t *testing.T) {
	e, out, errOut := env(map[string]string{"SYNTH_LAZY_PROVIDERS": "off", "CLUSTER_CONFIG": "../examples/cluster.yaml"})
	if code := Main(nil, e); code != 1 || out.Len() != 0 || !strings.Contains(errOut.String(), `SYNTH_LAZY_PROVIDERS="off": want true or false`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestHelpAndUsage(t *testing.T) {
	e, out, _ := env(nil)
	if Main([]string{"--help"}, e) != 0 {
		t.Fatal("--help failed")
	}
	for _, want := range []string{"validate [FILE]", "diff OLD NEW", "schema", "CLUSTER_CONFIG", "CDKTF_CONTEXT_JSON", "SYNTH_HCL_OUTPUT", "JSII_NODE", "SYNTH_LAZY_PROVIDERS", "NODE_OPTIONS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	e, _, errOut := env(nil)
	if Main([]string{"deploy"}, e) != 2 || !strings.Contains(errOut.String(), `unknown command "deploy"`) {
		t.Errorf("unknown command: %s", errOut)
	}
}

// Every flag of plan, apply, destroy and emulator is in the help text.
func TestUsageListsEveryFlag(t *testing.T) {
	deployFS, _ := deployFlags("apply")
	emulatorFS, _ := emulatorFlags()
	for _, fs := range []*flag.FlagSet{deployFS, emulatorFS} {
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			if !strings.Contains(usage, "--"+f.Name+" ") {
				t.Errorf("go run . help does not list --%s of %s (%s)", f.Name, fs.Name(), f.Usage)
			}
		})
		if n == 0 {
			t.Errorf("%s: no flags read", fs.Name())
		}
	}
}

// Under the cdktf CLI (CDKTF_CONTEXT_JSON set) progress goes to stdout:
// the CLI shows the app's stderr as [ERROR] lines.
func TestProgressWriter(t *testing.T) {
	e, out, _ := env(map[string]string{"CDKTF_CONTEXT_JSON": "{}"})
	if progressWriter(e) != out {
		t.Error("progress does not go to stdout under the cdktf CLI")
	}
	e, _, errOut := env(nil)
	if progressWriter(e) != errOut {
		t.Error("progress does not go to stderr")
	}
}

// version prints the app's version and the pinned modules, from the
// binary's build information. A test binary carries no dependency list,
// so the test builds one from go.mod: every module version prints names a
// module go.mod requires.
func TestVersion(t *testing.T) {
	e, out, _ := env(nil)
	if Main([]string{"version"}, e) != 0 || !strings.HasPrefix(out.String(), "teleport-multi-region ") {
		t.Fatalf("version failed: %s", out)
	}
	mod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26", Main: debug.Module{Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.Contains(f[0], ".") && strings.HasPrefix(f[1], "v") {
			info.Deps = append(info.Deps, &debug.Module{Path: f[0], Version: f[1]})
		}
	}
	got := versionText(info, true, []byte("# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2026-12-07\n\n- first\n"))
	for _, want := range []string{"teleport-multi-region 1.2.3 revision 0123456789ab (modified) (go1.26)\n",
		"cdktf                  v0.20.11", "cdktf-provider-aws-go  v19.54.0", "constructs             v10.4.2", "jsii-runtime-go        v1.", "hashicorp/aws          5.88.0"} {
		if !strings.Contains(got, want) {
			t.Errorf("version lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "(not linked)") {
		t.Errorf("a pinned module is not in go.mod:\n%s", got)
	}
}

// The version is the changelog's newest release, marked when changes
// wait in its Unreleased section.
func TestChangelogVersion(t *testing.T) {
	for doc, want := range map[string]string{
		"## [Unreleased]\n\n## [0.3.0] - 2026-12-07\n- a\n## [0.2.0] - 2026-12-01\n": "0.3.0",
		"## [Unreleased]\n\n### Added\n- b\n\n## [0.3.0] - 2026-12-07\n- a\n":        "0.3.0+unreleased",
		"## [0.1.0] - 2026-11-27\r\n- a\r\n":                                         "0.1.0",
	} {
		if got, err := ChangelogVersion([]byte(doc)); got != want || err != nil {
			t.Errorf("%q: %q, %v; want %q", doc, got, err, want)
		}
	}
	if _, err := ChangelogVersion([]byte("## 0.3.0\n")); err == nil {
		t.Error("a changelog without a release heading is accepted")
	}
}

// A mistyped command gets "did you mean".
func TestCommandSuggestion(t *testing.T) {
	for typo, want := range map[string]string{"valdiate": "validate", "sytnh": "synth", "verison": "version", "shcema": "schema"} {
		e, _, errOut := env(nil)
		if Main([]string{typo}, e) != 2 || !strings.Contains(errOut.String(), `did you mean "`+want+`"?`) {
			t.Errorf("%s: %s", typo, errOut)
		}
	}
}

// The config is found under cluster.yml too; a config under another name
// is named in an error, never silently replaced by the embedded example.
func TestConfigLookup(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		files  []string
		code   int
		stdout string
		stderr string
	}{
		{"none: the example", nil, 0, "ok: examples/cluster.yaml (embedded", ""},
		{"cluster.yaml", []string{"cluster.yaml"}, 0, "ok: cluster.yaml:", ""},
		{"cluster.yml", []string{"cluster.yml"}, 0, "ok: cluster.yml:", ""},
		{"both", []string{"cluster.yaml", "cluster.yml"}, 1, "", "both cluster.yaml and cluster.yml exist"},
		{"another name", []string{"Cluster-prod.yaml"}, 1, "", "no cluster.yaml here, but Cluster-prod.yaml looks like a cluster config; rename it to cluster.yaml or set CLUSTER_CONFIG=Cluster-prod.yaml"},
		{"any YAML with cluster_name", []string{"prod.yml"}, 1, "", "but prod.yml looks like a cluster config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range c.files {
				if err := os.WriteFile(filepath.Join(dir, f), example, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("unrelated: true\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			e, out, errOut := env(nil)
			e.Example = example
			code := Main([]string{"validate"}, e)
			if code != c.code || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errOut.String(), c.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
}

func TestDeployCommandsRefuseBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--local", "--endpoint", "http://127.0.0.1:1"}, "--local and --endpoint exclude each other"},
		{[]string{"destroy", "--local"}, "destroy --local would destroy nothing"},
		{[]string{"plan", "extra"}, `plan takes flags only, not "extra"`},
		{[]string{"aply"}, `did you mean "apply"`},
	} {
		var stdout, stderr strings.Builder
		code := Main(tc.args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
	// No synthesized output: an error that says to synthesize, before
	// Terraform or an emulator starts.
	var stdout, stderr strings.Builder
	code := Main([]string{"plan", "--outdir", t.TempDir()}, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != 1 || !strings.Contains(stderr.String(), "synthesize first") {
		t.Errorf("plan without output: exit %d, stderr %q", code, stderr.String())
	}
}

// synth's progress names each route's reason in the review report's words
// (config.RouteReason): a proxy_region chosen in the config reads the same
// in both.
func TestRouteLinesUseReviewWords(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// ap-south-1's nearest is eu-central-1; pin it to us-west-1.
	for i, r := range cfg.ResourceRegions {
		if r.Region == "ap-south-1" {
			cfg.ResourceRegions[i].ProxyRegion = "us-west-1"
		}
	}
	got := strings.Join(routeLines(cfg), "\n")
	for _, want := range []string{
		"clients in us-west-1       -> proxies in us-west-1 (" + config.RouteOwnProxies + ")",
		"clients in us-east-1       -> proxies in us-west-1 (" + config.RouteNearest + ", 3863 km)",
		"clients in ap-south-1      -> proxies in us-west-1 (" + config.RouteChosen + ", ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("route lines lack %q:\n%s", want, got)
		}
	}
}
