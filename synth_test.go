package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

// synths holds every app synthesized by TestMain. jsii serves one test binary
// with one Node.js process, and t.Parallel is unsafe with it, so each config
// is synthesized once, up front, and the tests only read the results.
var synths = map[string]*synthOut{}

// synthTimes records how long each synth of TestMain took, for logs.
var synthTimes = map[string]time.Duration{}

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

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(func() int {
		// The tests load the provider as the app does (lazily, unless
		// SYNTH_LAZY_PROVIDERS=false); TestLazyProvidersSameOutput
		// compares both ways.
		lazy, err := nodeopts.Setup(os.LookupEnv, os.Setenv)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer jsii.Close()
		startOtherWay(lazy)
		defer stopOtherWay()
		if os.Getenv(goldenOnlyVar) != "" {
			fmt.Printf("%s: %v\n", nodeopts.SwitchVar, lazy)
			for name, path := range goldenConfigs {
				cfg, err := config.Load(path)
				if err == nil {
					synths[name], err = synthOnce(cfg)
				}
				if err != nil {
					fmt.Fprintf(os.Stderr, "synth %s: %v\n", name, err)
					return 1
				}
			}
			return m.Run()
		}
		variants := map[string]func() (*config.Cluster, error){
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
			"every-region": func() (*config.Cluster, error) { return regionsConfig(len(config.RegionNames())) },
			"every-region-tgw": func() (*config.Cluster, error) {
				return sample.Cluster(len(config.RegionNames()), sample.Options{Connectivity: config.ConnectivityTransitGateway})
			},
		}
		for name, path := range goldenConfigs {
			variants[name] = func() (*config.Cluster, error) { return config.Load(path) }
		}
		names := make([]string, 0, len(variants))
		for n := range variants {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			cfg, err := variants[name]()
			if err != nil {
				fmt.Fprintf(os.Stderr, "config %s: %v\n", name, err)
				return 1
			}
			start := time.Now()
			out, err := synthOnce(cfg)
			synthTimes[name] = time.Since(start)
			if err != nil {
				fmt.Fprintf(os.Stderr, "synth %s: %v\n", name, err)
				return 1
			}
			synths[name] = out
		}
		// The same config synthesized with another working directory, as
		// from another checkout: nothing may depend on where it runs.
		elsewhere, err := synthFrom(os.TempDir(), "examples/cluster.yaml")
		if err != nil {
			fmt.Fprintf(os.Stderr, "synth example elsewhere: %v\n", err)
			return 1
		}
		synths["example-elsewhere"] = elsewhere
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
			got := synths[name].files
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
	a := synths["example"].files
	for _, other := range []string{"example-again", "example-elsewhere"} {
		b := synths[other].files
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
	data, ok := synths[synth].files["stacks/"+stack+"/cdk.tf.json"]
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
	if err := json.Unmarshal(synths[synth].files["manifest.json"], &m); err != nil {
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
