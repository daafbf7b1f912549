package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/internal/nodeopts"
	"github.com/example/teleport-multi-region/internal/sample"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden (use make snapshot)")

// synthOut is one synthesized app: every file of its output directory.
type synthOut struct {
	cfg   *config.Cluster
	files map[string][]byte
}

// goldenConfigs have snapshots under testdata/golden/<name>.
var goldenConfigs = map[string]string{
	"example":             "examples/cluster.yaml",
	"public-four-regions": "testdata/configs/public-four-regions.yaml",
	"oss-single-region":   "testdata/configs/oss-single-region.yaml",
	"transit-gateway":     "testdata/configs/transit-gateway.yaml",
	"existing-vpc":        "testdata/configs/existing-vpc.yaml",
	"existing-vpc-tgw":    "testdata/configs/existing-vpc-tgw.yaml",
	"teleport-images":     "testdata/configs/teleport-images.yaml",
	"athena-audit":        "testdata/configs/athena-audit.yaml",
}

// variantConfigs are the other configs the tests read, beside the golden
// ones: day-2 changes of a golden config (the pairs of the diff, DNS,
// retirement and rollout tests) and the largest configs.
var variantConfigs = map[string]func() (*config.Cluster, error){
	"example-again": func() (*config.Cluster, error) { return config.Load("examples/cluster.yaml") },
	"example-plus-region": func() (*config.Cluster, error) {
		return withRegion("examples/cluster.yaml", config.ProxyRegion{Region: "ap-southeast-2", VPCCIDR: "10.3.0.0/16"})
	},
	// ap-southeast-1 is nearer to ap-south-1 than eu-central-1.
	"example-takeover": func() (*config.Cluster, error) {
		return withRegion("examples/cluster.yaml", config.ProxyRegion{Region: "ap-southeast-1", VPCCIDR: "10.3.0.0/16"})
	},
	"transit-gateway-plus-region": func() (*config.Cluster, error) {
		return withRegion("testdata/configs/transit-gateway.yaml", config.ProxyRegion{Region: "eu-central-1", VPCCIDR: "10.24.0.0/16"})
	},
	"example-unprotected": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			off := false
			cfg.DeletionProtection = &off
		}
		return cfg, err
	},
	"example-auth-volume": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.Auth.Instances.VolumeSizeGiB = 80
		}
		return cfg, err
	},
	"example-cidr": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.ProxyRegions[1].VPCCIDR = "10.9.0.0/16"
			err = cfg.Validate()
		}
		return cfg, err
	},
	// eu-central-1 moved to two other zones (issue 27: Terraform replaces 10
	// resources and changes 4).
	"example-zone": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.ProxyRegions[1].Zones = []string{"euc1-az2", "euc1-az3"}
			err = cfg.Validate()
		}
		return cfg, err
	},
	// cluster_name, domain and auth.region changed at once.
	"example-identity": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.ClusterName, cfg.Domain, cfg.Auth.Region = "renamed", "tp.example.com", "us-east-2"
			cfg.LicenseSSMParameter = "/teleport/renamed/license"
			err = cfg.Validate()
		}
		return cfg, err
	},
	// After a restore: the cluster runs on restored copies.
	"example-restored": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.Restore = config.Restore{StateTable: "example-state-restored", EventsTable: "example-events-restored", RecordingsBucket: "example-recordings-restored"}
			err = cfg.Validate()
		}
		return cfg, err
	},
	// Backups copied to us-east-2, and the cluster recovered there after
	// losing us-west-2: the auth stack of the next generation.
	"example-copy": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.Backup.CopyRegion = "us-east-2"
			err = cfg.Validate()
		}
		return cfg, err
	},
	"example-recovered": func() (*config.Cluster, error) {
		cfg, err := config.Load("examples/cluster.yaml")
		if err == nil {
			cfg.Auth.Region, cfg.Auth.Generation, cfg.Backup.CopyRegion = "us-east-2", 1, "us-east-1"
			cfg.Restore = config.Restore{StateTable: "example-state-restored", EventsTable: "example-events-restored", RecordingsBucket: "example-recordings-restored"}
			err = cfg.Validate()
		}
		return cfg, err
	},
	"example-retired": func() (*config.Cluster, error) {
		return withRetired("examples/cluster.yaml", "eu-central-1")
	},
	"example-deleted": func() (*config.Cluster, error) {
		return withoutRegion("examples/cluster.yaml", "eu-central-1")
	},
	"public-retired": func() (*config.Cluster, error) {
		return withRetired("testdata/configs/public-four-regions.yaml", "sa-east-1")
	},
	"public-minus-region": func() (*config.Cluster, error) {
		return withoutRegion("testdata/configs/public-four-regions.yaml", "sa-east-1")
	},
	"many-regions": func() (*config.Cluster, error) { return config.Load("testdata/configs/many-regions.yaml") },
	"every-region": func() (*config.Cluster, error) { return regionsConfig(len(config.JoinableRegionNames())) },
	"every-region-tgw": func() (*config.Cluster, error) {
		return sample.Cluster(len(config.JoinableRegionNames()), sample.Options{Connectivity: config.ConnectivityTransitGateway})
	},
}

// elsewhereSynth is the example synthesized with another working directory,
// as from another checkout: nothing may depend on where it runs.
const elsewhereSynth = "example-elsewhere"

// synthNames lists every synth the tests can ask for, sorted: the golden
// configs, the variants and the example synthesized elsewhere.
func synthNames() []string {
	names := append(sortedKeys(goldenConfigs), sortedKeys(variantConfigs)...)
	names = append(names, elsewhereSynth)
	slices.Sort(names)
	return names
}

// synthesizeNamed synthesizes the app named name (see synthNames).
func synthesizeNamed(name string) (*synthOut, error) {
	if name == elsewhereSynth {
		return synthFrom(os.TempDir(), "examples/cluster.yaml")
	}
	load := variantConfigs[name]
	if path, ok := goldenConfigs[name]; ok {
		load = func() (*config.Cluster, error) { return config.Load(path) }
	}
	if load == nil {
		return nil, fmt.Errorf("no config is named %q", name)
	}
	cfg, err := load()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return synthOnce(cfg)
}

// synthMemo is one synth of the test binary, made on first use.
type synthMemo struct {
	once sync.Once
	out  *synthOut
	err  error
	took time.Duration
}

// synthMemos holds every synth made so far, by name. jsii serves one test
// binary with one Node.js process and t.Parallel is unsafe with it, so the
// tests run serially; each config is synthesized at most once, by the
// first test that needs it, and a run of a few tests (go test -run) pays
// only for the synths those tests read.
var (
	synthMemosMu sync.Mutex
	synthMemos   = map[string]*synthMemo{}
	// repoDir is the working directory of the test binary: the configs'
	// paths are relative to it.
	repoDir string
)

func memoOf(name string) *synthMemo {
	synthMemosMu.Lock()
	defer synthMemosMu.Unlock()
	m := synthMemos[name]
	if m == nil {
		m = &synthMemo{}
		synthMemos[name] = m
	}
	return m
}

// synthOf returns the synth named name (see synthNames), synthesizing it on
// first use; a config that fails to load or synthesize fails every test
// that reads it.
func synthOf(t testing.TB, name string) *synthOut {
	t.Helper()
	m := memoOf(name)
	m.once.Do(func() {
		if wd, err := os.Getwd(); err != nil || wd != repoDir {
			m.err = fmt.Errorf("synthesized from %q, not the repository %q (a test changed directory)", wd, repoDir)
			return
		}
		start := time.Now()
		m.out, m.err = synthesizeNamed(name)
		m.took = time.Since(start)
	})
	if m.err != nil {
		t.Fatalf("synth %s: %v", name, m.err)
	}
	return m.out
}

// synthTime is how long the synth named name took (with the Node.js
// start-up for the first synth of the binary); zero if not made yet.
func synthTime(name string) time.Duration { return memoOf(name).took }

// allSynths synthesizes every app of synthNames (those not made yet) and
// returns them by name, for the tests that check every config.
func allSynths(t testing.TB) map[string]*synthOut {
	t.Helper()
	all := map[string]*synthOut{}
	for _, name := range synthNames() {
		all[name] = synthOf(t, name)
	}
	return all
}

// Every synth has one name, and a name without a config is refused (not
// synthesized as something else); jsii-free.
func TestSynthNames(t *testing.T) {
	names := synthNames()
	if want := len(goldenConfigs) + len(variantConfigs) + 1; len(names) != want || len(slices.Compact(slices.Clone(names))) != want {
		t.Errorf("%d synth names, %d distinct; want %d: a variant shadows a golden config?", len(names), len(slices.Compact(slices.Clone(names))), want)
	}
	if _, err := synthesizeNamed("no-such-config"); err == nil || !strings.Contains(err.Error(), "no config is named") {
		t.Errorf("an unknown synth name: %v", err)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(func() int {
		var err error
		if repoDir, err = os.Getwd(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// The tests load the provider as the app does (lazily, unless
		// SYNTH_LAZY_PROVIDERS=false); TestLazyProvidersSameOutput
		// compares both ways.
		lazy, err := nodeopts.Setup(os.LookupEnv, os.Setenv)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer jsii.Close()
		// Support windows are judged by a fixed day, so that the goldens
		// (the review page's Support row, warnings) do not change with
		// the calendar: after 17's end of support, before 18's.
		config.Now = func() time.Time { return time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC) }
		// Started before any test, so that its Node.js start-up overlaps
		// this process's tests and synths.
		startOtherWay(lazy)
		defer stopOtherWay()
		if os.Getenv(goldenOnlyVar) != "" {
			fmt.Printf("%s: %v\n", nodeopts.SwitchVar, lazy)
		}
		return m.Run()
	}())
}

// synthFrom loads the config at path (relative to the repository) and
// synthesizes it with dir as the working directory.
func synthFrom(dir, path string) (*synthOut, error) {
	repo, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(filepath.Join(repo, path))
	if err != nil {
		return nil, err
	}
	if err := os.Chdir(dir); err != nil {
		return nil, err
	}
	defer os.Chdir(repo)
	return synthOnce(cfg)
}

func synthOnce(cfg *config.Cluster) (*synthOut, error) {
	dir, err := os.MkdirTemp("", "synth-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := cli.Synthesize(cfg, dir); err != nil {
		return nil, err
	}
	out := &synthOut{cfg: cfg, files: map[string][]byte{}}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out.files[filepath.ToSlash(rel)] = data
		return err
	})
	return out, err
}

func withRegion(path string, pr config.ProxyRegion) (*config.Cluster, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	pr.AZCount, pr.Instances = config.DefaultAZCount, cfg.ProxyRegions[0].Instances
	cfg.ProxyRegions = append(cfg.ProxyRegions, pr)
	return cfg, cfg.Validate()
}

func withRetired(path, region string) (*config.Cluster, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	for i := range cfg.ProxyRegions {
		if cfg.ProxyRegions[i].Region == region {
			cfg.ProxyRegions[i].Retired = true
		}
	}
	return cfg, cfg.Validate()
}

func withoutRegion(path, region string) (*config.Cluster, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	var kept []config.ProxyRegion
	for _, p := range cfg.ProxyRegions {
		if p.Region != region {
			kept = append(kept, p)
		}
	}
	cfg.ProxyRegions = kept
	return cfg, cfg.Validate()
}

// TestGolden compares every synthesized file with its snapshot, byte for byte.
func TestGolden(t *testing.T) {
	for name := range goldenConfigs {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "golden", name)
			got := synthOf(t, name).files
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for rel, data := range got {
					p := filepath.Join(dir, filepath.FromSlash(rel))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			want := map[string][]byte{}
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				want[filepath.ToSlash(rel)], err = os.ReadFile(path)
				return err
			})
			if err != nil {
				t.Fatalf("read snapshots: %v (run make snapshot to create them)", err)
			}
			for rel := range want {
				if _, ok := got[rel]; !ok {
					t.Errorf("%s: in the snapshot but no longer synthesized", rel)
				}
			}
			for rel, data := range got {
				w, ok := want[rel]
				switch {
				case !ok:
					t.Errorf("%s: synthesized but has no snapshot", rel)
				case !bytes.Equal(w, data):
					t.Errorf("%s differs from its snapshot (run make snapshot if intended):\n%s", rel, lineDiff(string(w), string(data)))
				}
			}
		})
	}
}

// lineDiff shows the first differing lines with some context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	for j := max(0, i-3); j < i; j++ {
		fmt.Fprintf(&b, "    %5d   %s\n", j+1, w[j])
	}
	for j := i; j < min(len(w), i+8); j++ {
		fmt.Fprintf(&b, "  - %5d   %s\n", j+1, w[j])
	}
	for j := i; j < min(len(g), i+8); j++ {
		fmt.Fprintf(&b, "  + %5d   %s\n", j+1, g[j])
	}
	return b.String()
}

// TestDeterministic compares three synths of the example: two in a row and
// one from another working directory (make determinism does the same from
// two fresh clones). Each went to its own temporary output directory.
func TestDeterministic(t *testing.T) {
	repo, _ := os.Getwd()
	a := synthOf(t, "example").files
	for _, other := range []string{"example-again", "example-elsewhere"} {
		b := synthOf(t, other).files
		if len(a) != len(b) {
			t.Fatalf("%s: %d files, then %d", other, len(a), len(b))
		}
		for _, rel := range sortedKeys(a) {
			if !bytes.Equal(a[rel], b[rel]) {
				t.Errorf("%s differs between example and %s", rel, other)
			}
		}
	}
	// No path of this machine, time stamp or random value. Times and UUIDs
	// would already differ between the synths above; paths would not.
	for _, rel := range sortedKeys(a) {
		for _, p := range []string{repo, os.TempDir() + "/", "/root/", "/home/"} {
			if bytes.Contains(a[rel], []byte(p)) {
				t.Errorf("%s holds the machine path %s", rel, p)
			}
		}
	}
}

// --- helpers over the synthesized JSON ---------------------------------------

type stackJSON map[string]any

func stackOf(t *testing.T, synth, stack string) stackJSON {
	t.Helper()
	data, ok := synthOf(t, synth).files["stacks/"+stack+"/cdk.tf.json"]
	if !ok {
		t.Fatalf("no stack %s in %s", stack, synth)
	}
	var s stackJSON
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s stackJSON) section(kind, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	block, _ := s[kind].(map[string]any)
	byType, _ := block[typ].(map[string]any)
	for name, v := range byType {
		out[name], _ = v.(map[string]any)
	}
	return out
}

func (s stackJSON) resources(typ string) map[string]map[string]any { return s.section("resource", typ) }

func (s stackJSON) one(t *testing.T, typ string) map[string]any {
	t.Helper()
	rs := s.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, found %d", typ, len(rs))
	}
	for _, r := range rs {
		return r
	}
	return nil
}

// manifest is cdktf's manifest.json of a synth: stacks and their dependencies.
func manifest(t *testing.T, synth string) map[string][]string {
	t.Helper()
	var m struct {
		Stacks map[string]struct {
			Dependencies []string `json:"dependencies"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(synthOf(t, synth).files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	deps := map[string][]string{}
	for name, st := range m.Stacks {
		deps[name] = st.Dependencies
	}
	return deps
}

// stackNames lists the stacks of a synth, sorted.
func stackNames(t *testing.T, synth string) []string {
	var names []string
	for n := range manifest(t, synth) {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if sj, isStack := v.(stackJSON); isStack {
				m, ok = sj, true
			}
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// userData decodes a launch template's user data and the teleport.yaml template in it.
func userData(t *testing.T, lt map[string]any) (string, map[string]any) {
	t.Helper()
	script, err := teleportconfig.DecodeUserData(lt["user_data"].(string))
	if err != nil {
		t.Fatal(err)
	}
	files, err := teleportconfig.BootFiles(script)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(files[teleportconfig.ConfigTemplatePath]), &cfg); err != nil {
		t.Fatal(err)
	}
	return script, cfg
}

// bootEnv returns the role settings a rendered user data writes.
func bootEnv(t *testing.T, script string) map[string]string {
	t.Helper()
	env, err := teleportconfig.BootEnv(script)
	if err != nil {
		t.Fatal(err)
	}
	return env
}
