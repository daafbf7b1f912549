package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
)

// networkTypeRe matches the addresses of a VPC's zone resources and its
// connections' resources: what a move to zone names and mesh stacks must
// never create.
var networkTypeRe = regexp.MustCompile(`^aws_(subnet|route|route_table|route_table_association|nat_gateway|eip|vpc_peering_connection|vpc_peering_connection_accepter|ec2_managed_prefix_list_entry|ec2_transit_gateway[a-z_]*)\.`)

// positionalRe matches an id numbered by position: what zones' resources and
// peering routes had before zones named them.
var positionalRe = regexp.MustCompile(`^(network_(public|private|nat)-[0-9]+[-_]|.*-route-[0-9]+_)`)

// Every zone's resources are named by the zone and every peering or transit
// gateway route by its route table; the subnets and private route tables of a
// zone are destroyed only after their users are updated; each moved block
// leads from a positional id to a resource of the stack.
func TestZoneResourcesNamedByZone(t *testing.T) {
	for name := range goldenConfigs {
		for _, stack := range stackNames(t, name) {
			s := stackOf(t, name, stack)
			resources, _ := s["resource"].(map[string]any)
			for typ, byID := range resources {
				for id := range byID.(map[string]any) {
					if positionalRe.MatchString(id) {
						t.Errorf("%s %s: %s.%s is numbered by position", name, stack, typ, id)
					}
				}
			}
			for id, body := range s.resources("aws_subnet") {
				if get(body, "lifecycle", "create_before_destroy") != true || get(body, "timeouts", "delete") != "60m" {
					t.Errorf("%s %s: subnet %s lifecycle %v timeouts %v", name, stack, id, body["lifecycle"], body["timeouts"])
				}
			}
			for id, body := range s.resources("aws_route_table") {
				if strings.HasPrefix(id, "network_private-") && get(body, "lifecycle", "create_before_destroy") != true {
					t.Errorf("%s %s: private route table %s without create_before_destroy", name, stack, id)
				}
			}
			moved, _ := s["moved"].([]any)
			for _, m := range moved {
				from, to := fmt.Sprint(get(m, "from")), fmt.Sprint(get(m, "to"))
				typ, id, _ := strings.Cut(to, ".")
				if s.resources(typ)[id] == nil || !positionalRe.MatchString(strings.SplitN(from, ".", 2)[1]) {
					t.Errorf("%s %s: moved %s -> %s", name, stack, from, to)
				}
			}
		}
	}
	// A created VPC's zone resources: 8 per zone with private subnets.
	if n := len(stackOf(t, "example", "auth-us-west-2")["moved"].([]any)); n != 16 {
		t.Errorf("example auth stack: %d moved blocks; want 16 (8 per zone)", n)
	}
}

// outdirFrom writes a synth's files (or a directory's) into a new output
// directory, as an operator's cdktf.out before the next synth.
func outdirFrom(t *testing.T, synth, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cdktf.out")
	if dir != "" {
		if b, err := exec.Command("cp", "-r", dir, out).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v %s", dir, err, b)
		}
		return out
	}
	for rel, data := range synthOf(t, synth).files {
		path := filepath.Join(out, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// exampleEdited loads the example with its text edited (old, new pairs).
func exampleEdited(t *testing.T, edits ...string) *config.Cluster {
	t.Helper()
	data, err := os.ReadFile("examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i < len(edits); i += 2 {
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// synthOver synthesizes cfg over the output in dir, as an operator does, and
// returns the diff from that output to the new one.
func synthOver(t *testing.T, cfg *config.Cluster, dir string) (*cli.Result, *report.DiffResult) {
	t.Helper()
	before := outdirFrom(t, "", dir)
	res, err := cli.Synthesize(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := report.Diff(before, dir)
	if err != nil {
		t.Fatal(err)
	}
	return res, d
}

// onlyZone checks that every resource the diff adds or destroys is named by
// zone (its id holds it), and returns them.
func onlyZone(t *testing.T, step string, d *report.DiffResult, act report.Action, zone string) []string {
	t.Helper()
	var got []string
	for stack, actions := range d.Actions {
		for addr, a := range actions {
			if a != act {
				continue
			}
			got = append(got, stack+" "+addr)
			if !strings.Contains(addr, zone) {
				t.Errorf("%s: %s %s %s, which is not the zone %s's", step, a, stack, addr, zone)
			}
		}
	}
	slices.Sort(got)
	return got
}

// An output of the version before zones named their resources (the
// example's golden snapshot then) moves to the zone names with no resource
// added, replaced or destroyed; then a zone added changes only that zone's
// resources and, in place, what uses the zones; removing the middle zone
// destroys only its resources, replaces the load balancer (the provider
// cannot take a subnet off a network load balancer in place) and leaves the
// last zone's subnets in their blocks.
func TestZoneChangesAgainstPreviousOutput(t *testing.T) {
	dir := outdirFrom(t, "", "e2e/testdata/pre-mesh-example")
	res, d := synthOver(t, exampleEdited(t), dir)
	if len(res.Zones) != 0 || d.Total[report.Replace]+d.Total[report.Destroy] != 0 || d.ExitStatus() != report.ExitChanges {
		t.Errorf("positional output to zone names: zones %v, diff %s (exit %d)\n%s", res.Zones, d.Total, d.ExitStatus(), d.Markdown)
	}
	// What the releases since the fixture added (alarms, log groups) is
	// created; nothing of the network or the connections is.
	for stack, actions := range d.Actions {
		for addr, a := range actions {
			if a == report.Add && networkTypeRe.MatchString(addr) {
				t.Errorf("positional output to zone names: adds %s %s", stack, addr)
			}
		}
	}
	// The proxy stacks also hand their connections to the mesh stacks and
	// import their own prefix list entry (the move to mesh stacks, in the
	// same synth).
	for stack, moved := range map[string]int{"auth-us-west-2": 16, "proxy-eu-central-1": 20, "proxy-us-west-1": 20} {
		re := regexp.MustCompile(`### Stack ` + stack + `: \d+ to add, \d+ to change, 0 to replace, 0 to destroy[^\n]*\n\n- \*\*moved\*\* ` + fmt.Sprint(moved) + ` resources`)
		if !re.MatchString(d.Markdown) {
			t.Errorf("migration diff lacks %s\n%s", re, d.Markdown)
		}
	}
	// The same resources as a first synth (the move adds its blocks only).
	if got, want := stackOf(t, "example", "proxy-eu-central-1"), readStack(t, dir, "proxy-eu-central-1"); fmt.Sprint(got["resource"]) != fmt.Sprint(want["resource"]) {
		t.Error("the positional output's zones moved to other blocks than a first synth gives them")
	}

	const euc = "    vpc_cidr: 10.2.0.0/16\n"
	res, d = synthOver(t, exampleEdited(t, euc, euc+"    az_count: 3\n"), dir)
	if len(res.Zones) != 1 || !strings.Contains(res.Zones[0], "proxy_regions[1].az_count: adds euc1-az3") {
		t.Errorf("zone added: zones %v", res.Zones)
	}
	added := onlyZone(t, "zone added", d, report.Add, "euc1-az3")
	if len(added) != 11 || d.Total[report.Replace]+d.Total[report.Destroy] != 0 || d.ExitStatus() != report.ExitChanges {
		t.Errorf("zone added: %s, adds %v\n%s", d.Total, added, d.Markdown)
	}
	for _, want := range []string{"- **change** `aws_lb.proxy_load-balancer_nlb_", "- **change** `aws_autoscaling_group.proxy_instances_group_", "- **change** `aws_vpc_endpoint.network_s3-endpoint_",
		"- **add** `aws_route.peering-eu-central-1_accepter-route-euc1-az3_"} {
		if !strings.Contains(d.Markdown, want) {
			t.Errorf("zone added: diff lacks %q", want)
		}
	}

	before := readStack(t, dir, "proxy-eu-central-1").resources("aws_subnet")
	res, d = synthOver(t, exampleEdited(t, euc, euc+"    zones: [euc1-az1, euc1-az3]\n"), dir)
	if len(res.Zones) != 1 || !strings.Contains(res.Zones[0], "proxy_regions[1].zones: removes euc1-az2") {
		t.Errorf("zone removed: zones %v", res.Zones)
	}
	destroyed := onlyZone(t, "zone removed", d, report.Destroy, "euc1-az2")
	var replaced []string
	for addr, a := range d.Actions["proxy-eu-central-1"] {
		if a == report.Replace {
			replaced = append(replaced, strings.SplitN(addr, ".", 2)[0])
		}
	}
	slices.Sort(replaced)
	// 8 in the VPC, its NAT gateway alarm and its route in the peering with
	// auth; us-west-1's
	// route to its table goes with the table.
	if len(destroyed) != 10 || d.Total[report.Add] != 0 || fmt.Sprint(replaced) != "[aws_lb aws_lb_listener]" ||
		!strings.Contains(d.Markdown, "- **goes with its route table** `aws_route.peering-eu-central-1_accepter-route-euc1-az2_") {
		t.Errorf("zone removed: %s, destroys %v, replaces %v\n%s", d.Total, destroyed, replaced, d.Markdown)
	}
	after := readStack(t, dir, "proxy-eu-central-1").resources("aws_subnet")
	for id, body := range after {
		if before[id]["cidr_block"] != body["cidr_block"] {
			t.Errorf("zone removed: %s moved from %v to %v", id, before[id]["cidr_block"], body["cidr_block"])
		}
	}
	if len(after) != 4 {
		t.Errorf("zone removed: %d subnets left; want 4", len(after))
	}

	// Swapping the last zone for another in one deploy is refused, and the
	// output is left as it was.
	manifest, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if _, err := cli.Synthesize(exampleEdited(t, euc, euc+"    zones: [euc1-az1, euc1-az2]\n"), dir); err == nil ||
		!strings.Contains(err.Error(), "proxy_regions[1].zones: adds euc1-az2 and removes euc1-az3 in one deploy") {
		t.Errorf("zones swapped: %v", err)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "manifest.json")); string(now) != string(manifest) {
		t.Error("the refused synth rewrote the output")
	}
}

// readStack reads a stack of an output directory.
func readStack(t *testing.T, dir, stack string) stackJSON {
	t.Helper()
	out, err := report.ReadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	return stackJSON(out.Stacks[stack])
}
