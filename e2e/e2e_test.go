// Package e2e applies what the app synthesizes with real Terraform and the
// real AWS provider against the local emulator (moto with emulator's shim):
// terraform validate of every stack of every config, first deploys that must
// re-plan to no changes, day-2 change scenarios checked against the app's own
// diff, and deletion protection executed. It needs terraform, the AWS
// provider (mirror or registry) and Python with moto; it runs only with
// E2E_EMULATOR=1 (make e2e), since a run takes many minutes.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/deploy"
	"github.com/example/teleport-multi-region/emulator"
	"github.com/example/teleport-multi-region/report"
	tfjson "github.com/hashicorp/terraform-json"
	"go.yaml.in/yaml/v3"
)

// EnableEnv turns the package on.
const EnableEnv = "E2E_EMULATOR"

// ScenariosEnv limits TestChangeScenarios to its first N day-2 scenarios
// (default: all).
const ScenariosEnv = "E2E_SCENARIOS"

// ConfigsEnv lists the golden configs to deploy (comma-separated, "all" for
// every one); default: the example and transit-gateway.
const ConfigsEnv = "E2E_CONFIGS"

var (
	enabled = os.Getenv(EnableEnv) == "1"
	// appBin is the app, built once.
	appBin string
	mirror *deploy.Mirror
	root   string
)

// goldenConfigs maps each golden output under testdata/golden/<name> to its
// config: testdata/configs/<name>.yaml, or the example (TestGolden keeps the
// snapshots equal to what the app writes, so they are deployed as they are).
func goldenConfigs() (map[string]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "testdata", "golden"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		rel := filepath.Join("testdata", "configs", e.Name()+".yaml")
		if e.Name() == "example" {
			rel = filepath.Join("examples", "cluster.yaml")
		}
		if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
			return nil, fmt.Errorf("golden output %s has no config: %w", e.Name(), err)
		}
		out[e.Name()] = rel
	}
	return out, nil
}

// TestGoldenConfigsResolve runs without the emulator: every golden output
// has the config the emulator run deploys it with, and the default
// selection exists.
func TestGoldenConfigsResolve(t *testing.T) {
	g := goldens(t)
	if len(g) < 8 {
		t.Errorf("%d golden configs, want the 8 of synth_test.go at least: %v", len(g), g)
	}
	for _, n := range []string{"example", "transit-gateway"} {
		if _, ok := g[n]; !ok {
			t.Errorf("the default deploy selection names %s, which has no golden output", n)
		}
	}
}

func goldens(t *testing.T) map[string]string {
	t.Helper()
	g, err := goldenConfigs()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestMain(m *testing.M) {
	var err error
	root, err = filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if enabled {
		tmp, err := os.MkdirTemp("", "e2e-app-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		appBin = filepath.Join(tmp, "app")
		build := exec.Command("go", "build", "-o", appBin, ".")
		build.Dir = root
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build the app:", err)
			os.Exit(1)
		}
		mirror, err = deploy.FindMirror(os.Getenv)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(tmp)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func need(t *testing.T) {
	t.Helper()
	if !enabled {
		t.Skipf("set %s=1 to apply against the local emulator (make e2e)", EnableEnv)
	}
}

// progress is where a run's progress lines go: the test log.
type progress struct{ t *testing.T }

func (p progress) Write(b []byte) (int, error) {
	p.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// copyOutput copies a synthesized output into a new directory of the test.
func copyOutput(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "cdktf.out")
	cmd := exec.Command("cp", "-r", src, dst)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v: %s", src, err, out)
	}
	return dst
}

// synth runs the app on cfg (written as YAML) in a new directory under
// parent ("" for one of the test's own), with env added to its
// environment, and returns its output dir. When previous is set, the output
// dir starts as a copy of it, as an operator's cdktf.out holds the deployed
// output: the app reads it (zone slots, regions removed without being
// retired).
func synth(t *testing.T, cfg *config.Cluster, parent, previous string, env ...string) string {
	t.Helper()
	if parent == "" {
		parent = t.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "synth-")
	if err != nil {
		t.Fatal(err)
	}
	if previous != "" {
		if out, err := exec.Command("cp", "-r", previous, filepath.Join(dir, "cdktf.out")).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v: %s", previous, err, out)
		}
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Edition == config.EditionOSS {
		// cfg holds every default, and the validator refuses a file that
		// gives a setting its edition does not use (config/unused.go),
		// even at its default: write what an OSS file would say.
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "agent_connection_count")
		delete(doc, "peering")
		if data, err = yaml.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(appBin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CLUSTER_CONFIG="+file, "CDKTF_OUTDIR="+filepath.Join(dir, "cdktf.out"),
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("synth: %v\n%s\nconfig:\n%s", err, out, data)
	}
	return filepath.Join(dir, "cdktf.out")
}

func load(t *testing.T, rel string) *config.Cluster {
	t.Helper()
	cfg, err := config.Load(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestValidateEveryConfig runs terraform validate, with the real provider's
// schema, on every stack of every golden config and of the largest test
// config.
func TestValidateEveryConfig(t *testing.T) {
	need(t)
	// Beside the deploys: it needs no emulator.
	t.Parallel()
	dirs := map[string]string{}
	for name := range goldens(t) {
		dirs[name] = filepath.Join(root, "testdata", "golden", name)
	}
	dirs["many-regions"] = synth(t, load(t, "testdata/configs/many-regions.yaml"), "", "")
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range dirs {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m, err := deploy.ReadManifest(copyOutput(t, dirs[name]))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for _, err := range deploy.Validate(context.Background(), m, deploy.Options{Mirror: mirror, Stacks: 4}) {
				t.Error(err)
			}
			t.Logf("%d stacks valid in %s", len(m.Stacks), time.Since(start).Round(time.Second))
		})
	}
}

// cluster is a cluster deployed into an emulator of its own.
type cluster struct {
	t    *testing.T
	emu  *emulator.Emulator
	opts deploy.Options
	// refresh makes the next apply refresh (see scenario.refresh).
	refresh bool
}

// newCluster starts an emulator seeded for cfg; the state lives in a
// directory of the test.
func newCluster(t *testing.T, cfg *config.Cluster) *cluster {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "emulator.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	emu, err := emulator.Start(context.Background(), emulator.SeedFor(cfg), emulator.Options{Log: logFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Stop() })
	return &cluster{t: t, emu: emu, opts: deploy.Options{
		Mirror:           mirror,
		Env:              emulator.EnvFor(emu.Endpoint),
		ProviderSettings: emulator.ProviderSettings(),
		LocalState:       t.TempDir(),
		Stacks:           4,
		Parallelism:      30,
		Progress:         progress{t},
	}}
}

// run does action on the output in outdir (a copy: Terraform writes into
// it) and returns the result; it fails the test on an error unless
// wantErr.
func (c *cluster) run(outdir string, action deploy.Action, wantErr bool) (*deploy.Result, error) {
	c.t.Helper()
	dir := copyOutput(c.t, outdir)
	m, err := deploy.ReadManifest(dir)
	if err != nil {
		c.t.Fatal(err)
	}
	// The plan check go run . plan and apply make (a move to mesh stacks
	// without its blocks): it must never refuse a plan of these runs.
	opts := c.opts
	if opts.CheckPlan, err = cli.UnmovedCheck(dir); err != nil {
		c.t.Fatal(err)
	}
	res, err := deploy.Run(context.Background(), m, action, opts)
	if err != nil && !wantErr {
		c.t.Fatalf("%s: %v", action, err)
	}
	if res != nil {
		c.t.Logf("%s:\n%s", action, res.Summary())
	}
	return res, err
}

// apply applies outdir, then plans again every stack it applied: the second
// plan must show no change at all (a perpetual diff is a product bug, or an
// emulator gap for the shim). A stack that had nothing to apply needs no
// second plan: it was planned after every stack it reads was applied.
func (c *cluster) apply(outdir string) *deploy.Result {
	c.t.Helper()
	// Only Terraform changes the emulator's resources, so the apply plans
	// without a refresh (unless told: see scenario.refresh); the second
	// plan refreshes.
	c.opts.NoRefresh = !c.refresh
	res, _ := c.run(outdir, deploy.Apply, false)
	c.opts.NoRefresh = false
	applied := res.Names(deploy.StatusApplied)
	if len(applied) == 0 {
		return res
	}
	c.opts.Only = applied
	again, _ := c.run(outdir, deploy.Plan, false)
	c.opts.Only = nil
	for _, s := range again.Stacks {
		if s.Status != deploy.StatusNoChanges && s.Status != deploy.StatusNotSelected {
			c.t.Errorf("second plan of %s: %s\n%s", s.Stack.Name, s.Status, describe(s.Plan))
		}
	}
	return res
}

// describe lists a plan's changes: address, actions, and the attributes that
// differ.
func describe(p *tfjson.Plan) string {
	if p == nil {
		return "  (no plan)"
	}
	var b strings.Builder
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil || rc.Change.Actions.NoOp() || rc.Change.Actions.Read() {
			continue
		}
		fmt.Fprintf(&b, "  %s: %v %s\n", rc.Address, rc.Change.Actions, changedAttributes(rc.Change))
	}
	for name, oc := range p.OutputChanges {
		if !oc.Actions.NoOp() {
			fmt.Fprintf(&b, "  output %s: %v\n", name, oc.Actions)
		}
	}
	return b.String()
}

func changedAttributes(c *tfjson.Change) string {
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	unknown, _ := c.AfterUnknown.(map[string]any)
	var keys []string
	for k := range after {
		if fmt.Sprint(before[k]) != fmt.Sprint(after[k]) || unknown[k] == true {
			keys = append(keys, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if unknown[k] == true {
			parts = append(parts, fmt.Sprintf("%s: %v -> (known after apply)", k, short(before[k])))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %v -> %v", k, short(before[k]), short(after[k])))
	}
	return strings.Join(parts, "; ")
}

func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

// configsToDeploy are the golden configs of $E2E_CONFIGS.
func configsToDeploy(t *testing.T) []string {
	golden := goldens(t)
	v := os.Getenv(ConfigsEnv)
	if v == "" {
		return []string{"example", "transit-gateway"}
	}
	if v == "all" {
		return slices.Sorted(func(yield func(string) bool) {
			for n := range golden {
				if !yield(n) {
					return
				}
			}
		})
	}
	var out []string
	for _, n := range strings.Split(v, ",") {
		if _, ok := golden[n]; !ok {
			t.Fatalf("%s: no golden config %q", ConfigsEnv, n)
		}
		out = append(out, n)
	}
	return out
}

// TestDeployGolden applies each golden config's stacks in dependency order
// into a fresh emulator and plans again: no changes.
func TestDeployGolden(t *testing.T) {
	need(t)
	// Beside TestChangeScenarios: each cluster has an emulator of its own.
	t.Parallel()
	golden := goldens(t)
	for _, name := range configsToDeploy(t) {
		t.Run(name, func(t *testing.T) {
			// Each cluster has an emulator of its own: side by side.
			t.Parallel()
			c := newCluster(t, load(t, golden[name]))
			c.apply(filepath.Join(root, "testdata", "golden", name))
		})
	}
}

// compareWithDiff is the oracle of the app's diff: for every resource,
// the action the diff names against the action of Terraform's plan. It
// returns the resources where they differ.
func compareWithDiff(t *testing.T, diff *report.DiffResult, plan *deploy.Result) []string {
	t.Helper()
	planned := map[string]string{}
	for _, s := range plan.Stacks {
		if s.Plan == nil {
			continue
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
				continue
			}
			a := rc.Change.Actions
			var act report.Action
			switch {
			case rc.Change.Importing != nil:
				act = report.Import
			case a.Forget():
				act = report.Forget
			case a.Replace():
				act = report.Replace
			case a.Create():
				act = report.Add
			case a.Update():
				act = report.Change
			case a.Delete():
				act = report.Destroy
			default:
				continue
			}
			planned[s.Stack.Name+" "+rc.Address] = string(act)
		}
	}
	said := map[string]string{}
	for stack, actions := range diff.Actions {
		for addr, act := range actions {
			said[stack+" "+addr] = string(act)
		}
	}
	var differ []string
	for k, p := range planned {
		if said[k] != p {
			differ = append(differ, fmt.Sprintf("%s: terraform %s, diff %s", k, p, orNone(said[k])))
		}
	}
	for k, d := range said {
		if _, ok := planned[k]; !ok {
			differ = append(differ, fmt.Sprintf("%s: terraform none, diff %s", k, d))
		}
	}
	sort.Strings(differ)
	return differ
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// scenario is a day-2 change of the deployed example; check, when set,
// looks at what Terraform applied.
type scenario struct {
	name   string
	change func(c *config.Cluster)
	// check, when set, reads the plans and logs of the stacks applied.
	check func(t *testing.T, applied *deploy.Result)
	// refresh: the apply refreshes, as go run . apply does, because a
	// stack applied first deletes what a later one's state holds (a
	// removed auth zone's route table takes the proxy stacks' routes to
	// auth with it; their refresh finds them gone).
	refresh bool
}

// PreMeshOutput is the example as the release before mesh stacks
// synthesized it (its golden snapshot at that commit, kept here so that a
// clean clone can run the move): each proxy stack held its connections with
// the proxy regions sorting before it, and its peer prefix list its
// entries inline.
const PreMeshOutput = "e2e/testdata/pre-mesh-example"

// MoveEnv turns on TestMoveToMeshStacks (not in CI: a transit-gateway
// deploy of its own; the scenario test moves the example every run).
const MoveEnv = "E2E_MOVE"

// TestMoveToMeshStacks moves the transit-gateway config, deployed as the
// release before mesh stacks synthesized it, to mesh stacks: nothing
// created, destroyed or replaced, then no changes at all, also after a
// second synth over the moved output (the blocks stay, as no-ops).
func TestMoveToMeshStacks(t *testing.T) {
	need(t)
	if os.Getenv(MoveEnv) != "1" {
		t.Skipf("set %s=1 to move a transit gateway cluster (make e2e E2E_RUN=TestMoveToMeshStacks E2E_MOVE=1)", MoveEnv)
	}
	t.Parallel()
	cfg := load(t, goldens(t)["transit-gateway"])
	c := newCluster(t, cfg)
	old := filepath.Join(root, "e2e", "testdata", "pre-mesh-transit-gateway")
	c.apply(old)
	moved := synth(t, cfg, "", old)
	nothingReplaced(t, c.apply(moved))
	again := synth(t, cfg, "", moved)
	res, _ := c.run(again, deploy.Plan, false)
	for _, s := range res.Stacks {
		if s.Status != deploy.StatusNoChanges {
			t.Errorf("plan of %s after a second synth: %s\n%s", s.Stack.Name, s.Status, describe(s.Plan))
		}
	}
}

// nothingReplaced fails t on any resource Terraform destroyed or replaced,
// and on any resource it created of a type the move imports: a move between
// stacks only imports, forgets and updates in place. Resources of other
// types that the current release adds to every cluster (e.g. the log groups
// and alarms of issue 30, newer than the pre-mesh fixtures) are created by
// the same apply; they are logged.
func nothingReplaced(t *testing.T, applied *deploy.Result) {
	t.Helper()
	var moved deploy.Changes
	imported := map[string]bool{}
	for _, s := range applied.Stacks {
		if s.Plan == nil {
			continue
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Change != nil && rc.Change.Importing != nil {
				imported[rc.Type] = true
			}
		}
	}
	var added []string
	for _, s := range applied.Stacks {
		if s.Plan == nil {
			continue
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
				continue
			}
			a := rc.Change.Actions
			switch {
			case a.Delete() || a.Replace() || a.Create() && imported[rc.Type]:
				t.Errorf("%s %s: %v (a move must not create, destroy or replace)", s.Stack.Name, rc.Address, a)
			case a.Create():
				added = append(added, s.Stack.Name+" "+rc.Address)
			}
		}
		moved.Import += s.Changes.Import
		moved.Forget += s.Changes.Forget
	}
	if moved.Import == 0 || moved.Forget == 0 {
		t.Errorf("nothing moved: %d imported, %d forgotten", moved.Import, moved.Forget)
	}
	t.Logf("moved: %d imported, %d forgotten; %d resources new in this release created: %s", moved.Import, moved.Forget, len(added), strings.Join(added, ", "))
}

// TestChangeScenarios deploys the example, then applies each change in turn
// (each from the previous state): every one applies in dependency order and
// re-plans to no changes. The plan each stack applied is compared with the
// app's diff of the two synthesized outputs; where they differ the test
// names the resources (the diff's fidelity is issue 27's; this is its
// oracle). Then deletion protection: a destroy is refused before anything
// stateful or any record is deleted; unprotected, a destroy empties the
// emulator of the cluster.
func TestChangeScenarios(t *testing.T) {
	need(t)
	// Beside the golden deploys, in an emulator of its own.
	t.Parallel()
	cfg := load(t, "examples/cluster.yaml")
	c := newCluster(t, cfg)
	// The cluster as the release before mesh stacks and zone names
	// deployed it; the first scenario moves it (the golden deploys apply
	// the current layout from scratch).
	prev := filepath.Join(root, PreMeshOutput)
	c.apply(prev)
	// The outputs outlive each scenario: the next one starts from them.
	outputs := t.TempDir()

	scenarios := []scenario{
		{name: "moved to mesh stacks and zone names (no config change)", change: func(c *config.Cluster) {}, check: checkMigration},
		// Its 8 network resources and NAT gateway alarm, and the route to its table in each proxy
		// region's peering with auth.
		{name: "auth zone added", change: func(c *config.Cluster) { c.Auth.AZCount = 3 }, check: zoneOnly("usw2-az3", "create", 11)},
		{name: "auth middle zone removed", change: func(c *config.Cluster) { c.Auth.AZCount, c.Auth.Zones = 2, []string{"usw2-az1", "usw2-az3"} }, check: checkAuthZoneRemoved, refresh: true},
		// A proxy zone of a connection the mesh stack adopted: its route
		// there is created, not imported (an import of a route that does
		// not exist fails the plan), beside the zone's 8, its NAT gateway alarm and its route to
		// auth.
		{name: "proxy zone added after the move", change: func(c *config.Cluster) { c.ProxyRegions[1].AZCount = 3 }, check: zoneOnly("euc1-az3", "create", 11)},
		{name: "proxy region that takes over a resource region", change: func(c *config.Cluster) {
			// ap-southeast-1 is nearer to ap-south-1 than eu-central-1.
			c.ProxyRegions = append(c.ProxyRegions, config.ProxyRegion{Region: "ap-southeast-1", VPCCIDR: "10.3.0.0/16"})
		}},
		{name: "resource region added", change: func(c *config.Cluster) {
			c.ResourceRegions = append(c.ResourceRegions, config.ResourceRegion{Region: "sa-east-1"})
		}},
		// A patch of the example's line, published after it (gravitational/
		// teleport#68195: "18.9.2 is already published").
		{name: "new Teleport release", change: func(c *config.Cluster) { c.TeleportVersion, c.Auth.TeleportVersion = "18.9.2", "18.9.2" }},
		{name: "different instance type", change: func(c *config.Cluster) { c.ProxyRegions[0].Instances.Type = "c6i.large" }},
		{name: "proxy count up", change: func(c *config.Cluster) { c.ProxyRegions[0].Instances.Count = 3 }},
		{name: "proxy count down", change: func(c *config.Cluster) { c.ProxyRegions[0].Instances.Count = 2 }},
		{name: "proxy region retired", change: func(c *config.Cluster) { c.ProxyRegions[2].Retired = true }},
		{name: "retired entry deleted", change: func(c *config.Cluster) { c.ProxyRegions = c.ProxyRegions[:2] }},
		{name: "alerts.email set", change: func(c *config.Cluster) { c.Alerts.Email = "oncall@example.com" }},
		{name: "backups with a copy region", change: func(c *config.Cluster) { c.Backup.CopyRegion = "us-east-2" }},
	}
	// E2E_SCENARIOS=N runs the first N (each starts from the one before).
	if v := os.Getenv(ScenariosEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > len(scenarios) {
			t.Fatalf("%s=%q: want a number from 0 to %d", ScenariosEnv, v, len(scenarios))
		}
		scenarios = scenarios[:n]
	}
	var report strings.Builder
	for _, sc := range scenarios {
		ok := t.Run(sc.name, func(t *testing.T) {
			sc.change(cfg)
			next := synth(t, cfg, outputs, prev)
			d, err := reportDiff(prev, next)
			if err != nil {
				t.Fatal(err)
			}
			c.t = t
			c.opts.Progress = progress{t}
			// Each stack's plan is made just before its apply, once the
			// stacks it reads are applied: what Terraform does, stack by
			// stack.
			c.refresh = sc.refresh
			applied := c.apply(next)
			c.refresh = false
			if sc.check != nil {
				sc.check(t, applied)
			}
			if differ := compareWithDiff(t, d, applied); len(differ) > 0 {
				fmt.Fprintf(&report, "## %s\n\n%s\n\n", sc.name, strings.Join(differ, "\n"))
				t.Logf("the app's diff and Terraform's plan differ on %d resources:\n%s", len(differ), strings.Join(differ, "\n"))
			}
			prev = next
		})
		if !ok {
			break
		}
	}
	if path := os.Getenv("E2E_DIFF_REPORT"); path != "" {
		_ = os.WriteFile(path, []byte(report.String()), 0o644)
	}

	t.Run("auth plan refuses a release two majors from the running one", func(t *testing.T) {
		c.t = t
		c.opts.Progress = progress{t}
		c.upgradeGate(t, cfg, prev)
	})
	t.Run("destroy refused by deletion protection", func(t *testing.T) {
		c.t = t
		c.opts.Progress = progress{t}
		before := stateResources(t, c.opts.LocalState)
		_, err := c.run(prev, deploy.Destroy, true)
		if err == nil || !strings.Contains(err.Error(), "prevent_destroy") {
			t.Fatalf("destroy of a protected cluster: err = %v, want prevent_destroy", err)
		}
		after := stateResources(t, c.opts.LocalState)
		for addr := range before {
			if !after[addr] && protectedType(addr) {
				t.Errorf("%s was destroyed before prevent_destroy stopped the destroy", addr)
			}
		}
	})
	t.Run("unprotected destroy leaves nothing", func(t *testing.T) {
		c.t = t
		c.opts.Progress = progress{t}
		off := false
		cfg.DeletionProtection = &off
		next := synth(t, cfg, outputs, prev)
		c.apply(next)
		c.emptyBuckets(t)
		c.run(next, deploy.Destroy, false)
		if left := stateResources(t, c.opts.LocalState); len(left) > 0 {
			t.Errorf("state still holds %d resources after destroy: %v", len(left), slices.Sorted(func(y func(string) bool) {
				for k := range left {
					if !y(k) {
						return
					}
				}
			}))
		}
	})
}

// emptyBuckets is step 2 of the teardown runbook (docs/operations.md): Terraform never
// deletes objects (force_destroy is off), and the cluster writes some on its
// own (the state table's export into the backups bucket), so every version
// and delete marker of every bucket goes first. Python with boto3 is what
// the emulator runs on.
func (c *cluster) emptyBuckets(t *testing.T) {
	t.Helper()
	script := `
import boto3, sys
kw = dict(endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test")
for b in boto3.client("s3", region_name="us-east-1", **kw).list_buckets()["Buckets"]:
    region = boto3.client("s3", region_name="us-east-1", **kw).get_bucket_location(Bucket=b["Name"]).get("LocationConstraint") or "us-east-1"
    s3 = boto3.client("s3", region_name=region, **kw)
    for _ in range(10):
        page = s3.list_object_versions(Bucket=b["Name"])
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if not doomed:
            break
        for v in doomed:
            s3.delete_object(Bucket=b["Name"], Key=v["Key"], VersionId=v["VersionId"])
        print(b["Name"], "emptied", len(doomed))
    left = s3.list_object_versions(Bucket=b["Name"])
    if left.get("Versions") or left.get("DeleteMarkers"):
        sys.exit("%s still holds %s" % (b["Name"], [v["Key"] for v in left.get("Versions", []) + left.get("DeleteMarkers", [])]))
`
	python := os.Getenv(emulator.PythonEnv)
	if python == "" {
		python = "python3"
	}
	out, err := exec.Command(python, "-c", script, c.emu.Endpoint).CombinedOutput()
	if err != nil {
		t.Fatalf("empty the buckets: %v\n%s", err, out)
	}
	t.Logf("buckets emptied:\n%s", out)
}

// upgradeGate publishes rollout states as the auth servers would and plans
// the auth stack of outdir (configured at cfg's auth release) against each:
// the plan must read the running release from the cluster and refuse a jump
// of two majors and a downgrade across one.
func (c *cluster) upgradeGate(t *testing.T, cfg *config.Cluster, outdir string) {
	t.Helper()
	release, err := config.ParseVersion(cfg.Auth.TeleportVersion)
	if err != nil {
		t.Fatal(err)
	}
	name, auth := cfg.Names().RolloutParameter(), cfg.Names().AuthStack(cfg.Auth.Region)
	publish := func(value string) {
		t.Helper()
		script := `
import boto3, sys
boto3.client("ssm", region_name=sys.argv[2], endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test").put_parameter(
    Name=sys.argv[3], Value=sys.argv[4], Type="String", Overwrite=True)
`
		python := os.Getenv(emulator.PythonEnv)
		if python == "" {
			python = "python3"
		}
		if out, err := exec.Command(python, "-c", script, c.emu.Endpoint, cfg.Auth.Region, name, value).CombinedOutput(); err != nil {
			t.Fatalf("publish %s: %v\n%s", value, err, out)
		}
	}
	c.opts.Only = []string{auth}
	defer func() { c.opts.Only = nil }()
	for _, tc := range []struct {
		running string
		refused string
	}{
		{fmt.Sprintf("%d.5.13", release.Major-2), "Teleport upgrades one major at a time"},
		{fmt.Sprintf("%d.0.1", release.Major+1), "Teleport does not downgrade across majors"},
		{fmt.Sprintf("%d.7.16", release.Major-1), ""},
		{release.String(), ""},
	} {
		publish(fmt.Sprintf(`{"generations":["x"],"servers":2,"teleport":%q,"updated":1}`, tc.running))
		res, err := c.run(outdir, deploy.Plan, tc.refused != "")
		if tc.refused == "" {
			continue
		}
		log := logs(res)
		if err == nil || !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(log+err.Error(), "│", " ")), " "), tc.refused) {
			t.Errorf("auth at %s, cluster running %s: plan err = %v; want it refused (%q)\n%s", release, tc.running, err, tc.refused, log)
		}
	}
}

// logs is the Terraform log of every stack of res, one after the other.
func logs(res *deploy.Result) string {
	var b strings.Builder
	if res != nil {
		for _, s := range res.Stacks {
			if s.Log != "" {
				data, _ := os.ReadFile(s.Log)
				b.Write(data)
			}
		}
	}
	return b.String()
}

// reportDiff is the app's diff of two outputs.
func reportDiff(old, new string) (*report.DiffResult, error) { return report.Diff(old, new) }

// protectedType says whether the deletion-protection test must find the
// resource still there: state, keys and DNS records.
func protectedType(addr string) bool {
	for _, p := range []string{"aws_dynamodb_table.", "aws_s3_bucket.", "aws_kms_key.", "aws_route53_record.", "aws_backup_vault.", "aws_route53_zone."} {
		if strings.Contains(addr, p) {
			return true
		}
	}
	return false
}

// stateResources lists the managed resources of every state file in dir,
// as "<stack> <address>".
func stateResources(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "terraform.*.tfstate"))
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rawResources(t, data) {
			out[filepath.Base(f)+" "+r] = true
		}
	}
	return out
}

// rawResources lists the managed resources of a state file (Terraform's
// state format, version 4) that still have instances.
func rawResources(t *testing.T, data []byte) []string {
	t.Helper()
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Module           string
			Instances        []json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range st.Resources {
		if r.Mode == "managed" && len(r.Instances) > 0 {
			out = append(out, r.Type+"."+r.Name)
		}
	}
	return out
}

// TestUnprotectedDestroy deploys the smallest golden config with
// deletion_protection: false and destroys it after the teardown runbook's
// steps: every stack goes, dependents first, and no state holds a resource.
// (moto's own inventory, /moto-api/data.json, answers 500 after such
// deletions, so the emulator itself cannot be listed.)
func TestUnprotectedDestroy(t *testing.T) {
	need(t)
	t.Parallel()
	cfg := load(t, goldens(t)["oss-single-region"])
	off := false
	cfg.DeletionProtection = &off
	c := newCluster(t, cfg)
	out := synth(t, cfg, "", "")
	c.apply(out)
	c.emptyBuckets(t)
	if _, err := c.run(out, deploy.Destroy, false); err != nil {
		t.Fatal(err)
	}
	if left := stateResources(t, c.opts.LocalState); len(left) > 0 {
		t.Errorf("state still holds %d resources after destroy", len(left))
	}
}
