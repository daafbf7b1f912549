package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
)

// longestChain is the number of stacks on the longest dependency path of a
// manifest: how many stack applies a first deploy waits for one after the
// other, however many run side by side.
func longestChain(deps map[string][]string) (int, []string) {
	memo := map[string][]string{}
	var walk func(string) []string
	walk = func(s string) []string {
		if p, ok := memo[s]; ok {
			return p
		}
		var best []string
		for _, d := range slices.Sorted(slices.Values(deps[s])) {
			if p := walk(d); len(p) > len(best) {
				best = p
			}
		}
		memo[s] = append(slices.Clone(best), s)
		return memo[s]
	}
	var longest []string
	for _, s := range slices.Sorted(func(y func(string) bool) {
		for k := range deps {
			if !y(k) {
				return
			}
		}
	}) {
		if p := walk(s); len(p) > len(longest) {
			longest = p
		}
	}
	return len(longest), longest
}

// A first deploy takes four stack-times at any size: auth, every proxy
// stack side by side (each reads only auth), every mesh stack, DNS. Every
// region of the table as a proxy region, in both connectivity modes, and the
// snapshot configs.
func TestChainLengthIndependentOfSize(t *testing.T) {
	for _, name := range []string{"every-region", "every-region-tgw", "many-regions", "example", "transit-gateway", "public-four-regions", "oss-single-region"} {
		t.Run(name, func(t *testing.T) {
			deps := manifest(t, name)
			n, path := longestChain(deps)
			proxies := 0
			for stack, ds := range deps {
				if !strings.HasPrefix(stack, "proxy-") {
					continue
				}
				proxies++
				if len(ds) != 1 || !strings.HasPrefix(ds[0], "auth-") {
					t.Errorf("%s depends on %v; want the auth stack only", stack, ds)
				}
			}
			if n > 4 {
				t.Errorf("longest chain %d stacks (%s); want at most 4", n, strings.Join(path, " -> "))
			}
			t.Logf("%d proxy stacks, %d stacks, longest chain %d: %s", proxies, len(deps), n, strings.Join(path, " -> "))
		})
	}
}

// Each mesh stack reads its own proxy stack and those of the regions it
// owns a connection with, and DNS deploys after every mesh stack (a region
// gets clients once it reaches every other proxy).
func TestMeshStackDependencies(t *testing.T) {
	for _, name := range []string{"example", "transit-gateway", "many-regions"} {
		t.Run(name, func(t *testing.T) {
			cfg := synthOf(t, name).cfg
			names := cfg.Names()
			deps := manifest(t, name)
			active := cfg.ActiveProxyRegions()
			for _, pr := range active {
				mesh := names.MeshStack(pr.Region)
				want := []string{names.ProxyStack(pr.Region)}
				for _, q := range active {
					if q.Region < pr.Region {
						want = append(want, names.ProxyStack(q.Region))
					}
				}
				slices.Sort(want)
				got := slices.Sorted(slices.Values(deps[mesh]))
				if !slices.Equal(got, want) {
					t.Errorf("%s depends on %v; want %v", mesh, got, want)
				}
				if !slices.Contains(deps["dns"], mesh) {
					t.Errorf("dns does not depend on %s", mesh)
				}
			}
		})
	}
}

// Adding or retiring a region touches its own stacks, the mesh stacks and
// DNS: every other proxy stack, and the auth stack, stay byte for byte.
func TestRegionChangeLeavesOtherProxyStacks(t *testing.T) {
	for _, c := range []struct{ before, after, region string }{
		{"example", "example-plus-region", "ap-southeast-2"},
		{"transit-gateway", "transit-gateway-plus-region", "eu-central-1"},
		{"example", "example-retired", "eu-central-1"},
		{"public-retired", "public-minus-region", "sa-east-1"},
	} {
		t.Run(c.after, func(t *testing.T) {
			before, after := synthOf(t, c.before), synthOf(t, c.after)
			names := after.cfg.Names()
			compared := 0
			for _, pr := range after.cfg.ProxyRegions {
				if pr.Region == c.region {
					continue
				}
				compared++
				rel := "stacks/" + names.ProxyStack(pr.Region) + "/cdk.tf.json"
				if string(before.files[rel]) != string(after.files[rel]) {
					t.Errorf("%s changed when %s was added or retired", rel, c.region)
				}
			}
			rel := "stacks/" + names.AuthStack(after.cfg.Auth.Region) + "/cdk.tf.json"
			if string(before.files[rel]) != string(after.files[rel]) {
				t.Errorf("%s changed when %s was added or retired", rel, c.region)
			}
			if compared == 0 {
				t.Fatal("no other proxy stack to compare")
			}
		})
	}
}

// Every peer prefix list is sized for every region of the table, so that
// entries come and go without changing the list.
func TestPeerPrefixListSize(t *testing.T) {
	for _, stack := range stackNames(t, "example") {
		if !strings.HasPrefix(stack, "proxy-") {
			continue
		}
		rel := stack
		for _, pl := range stackOf(t, "example", stack).resources("aws_ec2_managed_prefix_list") {
			if got := pl["max_entries"]; got != float64(len(config.RegionNames())) {
				t.Errorf("%s: max_entries %v; want %d", rel, got, len(config.RegionNames()))
			}
			if pl["entry"] != nil {
				t.Errorf("%s: inline entries (the provider refuses them beside entry resources)", rel)
			}
		}
	}
}

// A synth over the output of the release before mesh stacks (the example's
// snapshot then) moves exactly the connection the us-west-1 proxy stack
// held: removed blocks there for each of its resources, import blocks for
// the same addresses in mesh-us-west-1, and every prefix list entry
// imported. A second synth over that output keeps the blocks, byte for
// byte, and says nothing moves any more.
func TestMoveFromPreMeshOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cdktf.out")
	if out, err := exec.Command("cp", "-r", "e2e/testdata/pre-mesh-example", dir).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	old, err := report.ReadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	var held []string // the old proxy stack's connection resources
	for typ, rs := range old.Stacks["proxy-us-west-1"]["resource"].(map[string]any) {
		for id := range rs.(map[string]any) {
			if strings.HasPrefix(id, "peering-eu-central-1_") {
				held = append(held, typ+"."+id)
			}
		}
	}
	slices.Sort(held)
	if len(held) != 6 {
		t.Fatalf("the pre-mesh snapshot holds %d resources of the connection: %v", len(held), held)
	}
	cfg, err := config.Load("examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	blocks := func(stack, kind, key string) []string {
		data, err := os.ReadFile(filepath.Join(dir, "stacks", stack, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range asList(s[kind]) {
			out = append(out, fmt.Sprint(get(b, key)))
			if kind == "removed" && get(b, "lifecycle", "destroy") != false {
				t.Errorf("%s: removed block %v destroys", stack, b)
			}
		}
		slices.Sort(out)
		return out
	}
	var first map[string][]string
	for round := 1; round <= 2; round++ {
		if _, err := cli.Synthesize(cfg, dir); err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{
			"proxy-us-west-1 removed":    blocks("proxy-us-west-1", "removed", "from"),
			"proxy-eu-central-1 removed": blocks("proxy-eu-central-1", "removed", "from"),
			"proxy-us-west-1 import":     blocks("proxy-us-west-1", "import", "to"),
			"proxy-eu-central-1 import":  blocks("proxy-eu-central-1", "import", "to"),
			"mesh-us-west-1 import":      blocks("mesh-us-west-1", "import", "to"),
			"mesh-eu-central-1 import":   blocks("mesh-eu-central-1", "import", "to"),
		}
		if !slices.Equal(got["proxy-us-west-1 removed"], held) {
			t.Errorf("round %d: proxy-us-west-1 forgets %v; want %v", round, got["proxy-us-west-1 removed"], held)
		}
		if len(got["proxy-eu-central-1 removed"]) != 0 {
			t.Errorf("round %d: proxy-eu-central-1 forgets %v; it held no connection", round, got["proxy-eu-central-1 removed"])
		}
		// The routes are imported at their names by route table (the mesh
		// stack's moved blocks say which positional id each had).
		wantMesh := []string{"aws_ec2_managed_prefix_list_entry.peers-eu-central-1"}
		for _, addr := range held {
			if strings.HasPrefix(addr, "aws_route.") {
				addr = movedTo(t, dir, "mesh-us-west-1", addr)
			}
			wantMesh = append(wantMesh, addr)
		}
		slices.Sort(wantMesh)
		if !slices.Equal(got["mesh-us-west-1 import"], wantMesh) {
			t.Errorf("round %d: mesh-us-west-1 imports %v; want %v", round, got["mesh-us-west-1 import"], wantMesh)
		}
		for _, k := range []string{"proxy-us-west-1 import", "proxy-eu-central-1 import", "mesh-eu-central-1 import"} {
			if len(got[k]) != 1 || !strings.HasPrefix(got[k][0], "aws_ec2_managed_prefix_list_entry.") {
				t.Errorf("round %d: %s %v; want its prefix list entry", round, k, got[k])
			}
		}
		review, _ := os.ReadFile(filepath.Join(dir, "review.md"))
		if moved := strings.Contains(string(review), "## Moved between stacks"); moved != (round == 1) {
			t.Errorf("round %d: review says moved between stacks: %v", round, moved)
		}
		if round == 1 {
			first = got
			d := report.DiffOutputs(old, mustRead(t, dir))
			for _, a := range []report.Action{report.Replace, report.Destroy} {
				if d.Total[a] != 0 {
					t.Errorf("the move's diff: %s", d.Total)
				}
			}
			// Added: only what this release adds to every cluster (the
			// pre-mesh snapshot is older), never a resource of a type the
			// move imports.
			importedTypes := map[string]bool{}
			for _, byAddr := range d.Actions {
				for addr, a := range byAddr {
					if a == report.Import {
						importedTypes[strings.SplitN(addr, ".", 2)[0]] = true
					}
				}
			}
			for stack, byAddr := range d.Actions {
				for addr, a := range byAddr {
					if typ := strings.SplitN(addr, ".", 2)[0]; a == report.Add && (importedTypes[typ] || !newSincePreMesh[typ]) {
						t.Errorf("the move adds %s %s", stack, addr)
					}
				}
			}
			if d.Total[report.Import] != 10 || d.Total[report.Forget] != 6 {
				t.Errorf("the move's diff: %s; want 10 imported (6 of the connection, 4 entries), 6 forgotten", d.Total)
			}
		} else if fmt.Sprint(got) != fmt.Sprint(first) {
			t.Errorf("the second synth changed the blocks: %v; first %v", got, first)
		}
	}
}

// newSincePreMesh are the resource types the releases after the pre-mesh
// snapshot add to every cluster: the move's diff adds them too.
var newSincePreMesh = map[string]bool{
	// Issue 30: the instances' log groups and the alarms on their metrics.
	"aws_cloudwatch_log_group": true, "aws_cloudwatch_metric_alarm": true,
	// Issue 26: the auth log group's clock drift filter.
	"aws_cloudwatch_log_metric_filter": true,
	// Issue 30: each region's check of its isolation alarm (a replaced or
	// destroyed check fails the test above).
	"aws_route53_health_check": true,
}

func mustRead(t *testing.T, dir string) *report.Output {
	t.Helper()
	o, err := report.ReadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// movedTo is the address a moved block of stack in dir moves from to, or
// from itself when there is none.
func movedTo(t *testing.T, dir, stack, from string) string {
	t.Helper()
	for _, b := range asList(readStack(t, dir, stack)["moved"]) {
		if get(b, "from") == from {
			return fmt.Sprint(get(b, "to"))
		}
	}
	return from
}
