package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
)

// vpcOutput is a previous output's stack with a created VPC of cidr whose
// public subnets are in the given zones, each in its slot; legacy numbers
// them by position, as outputs did before zones named them.
func vpcOutput(cidr string, legacy bool, zones ...string) report.Stack {
	subnets := map[string]any{}
	for slot, z := range zones {
		if z == "" {
			continue
		}
		id := "network_public-" + z + "_00000000"
		if legacy {
			id = fmt.Sprintf("network_public-%d_00000000", slot)
		}
		third := strings.Split(cidr, ".")[1]
		subnets[id] = map[string]any{"availability_zone_id": z, "cidr_block": fmt.Sprintf("10.%s.%d.0/19", third, 32*slot)}
	}
	return report.Stack{"resource": map[string]any{
		"aws_vpc":    map[string]any{"network_vpc_4E8F0223": map[string]any{"cidr_block": cidr}},
		"aws_subnet": subnets,
	}}
}

// exampleWith writes the example config with its text edited (old -> new
// pairs) and loads it, so that problems have file positions.
func exampleWith(t *testing.T, edits ...string) *config.Cluster {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i < len(edits); i += 2 {
		if !strings.Contains(text, edits[i]) {
			t.Fatalf("the example has no %q", edits[i])
		}
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

// Each change of a VPC's zones or range against the previous output: kept
// zones keep their slots, a zone added or removed alone is accepted with a
// note, and what Terraform cannot apply is refused at the field's line and
// column with the runbook.
func TestVPCChanges(t *testing.T) {
	const euc = "    vpc_cidr: 10.2.0.0/16\n"
	previous := func(auth, euc1 report.Stack) *report.Output {
		return &report.Output{Stacks: map[string]report.Stack{
			"auth-us-west-2":     auth,
			"proxy-us-west-1":    vpcOutput("10.1.0.0/16", true, "usw1-az1", "usw1-az3"),
			"proxy-eu-central-1": euc1,
			"dns":                {},
		}}
	}
	auth := vpcOutput("10.0.0.0/16", false, "usw2-az1", "usw2-az2")
	cases := []struct {
		name  string
		prev  *report.Output
		edits []string
		// want: the error's text, or the notes' with "zones: " for a note.
		want  []string
		slots string
	}{
		{"nothing changes", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), nil, nil, "euc1-az1:0 euc1-az2:1"},
		{"positional output, zones unchanged", previous(auth, vpcOutput("10.2.0.0/16", true, "euc1-az1", "euc1-az2")), nil, nil, "euc1-az1:0 euc1-az2:1"},
		{"zone added", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), []string{euc, euc + "    az_count: 3\n"},
			[]string{"zones: proxy_regions[1].az_count: adds euc1-az3: its subnets, NAT gateway and route table are created"}, "euc1-az1:0 euc1-az2:1 euc1-az3:2"},
		{"middle zone removed", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2", "euc1-az3")), []string{euc, euc + "    zones: [euc1-az1, euc1-az3]\n"},
			[]string{"zones: proxy_regions[1].zones: removes euc1-az2: the Auto Scaling group leaves it", "the network load balancer is replaced",
				"hashicorp/terraform-provider-aws#41418", "Route 53 health checks"}, "euc1-az1:0 euc1-az3:2"},
		{"zone added after a removal", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "", "euc1-az3")), []string{euc, euc + "    zones: [euc1-az1, euc1-az3, euc1-az2]\n"},
			[]string{"zones: proxy_regions[1].zones: adds euc1-az2"}, "euc1-az1:0 euc1-az3:2 euc1-az2:1"},
		{"auth zone removed", previous(vpcOutput("10.0.0.0/16", false, "usw2-az1", "usw2-az2", "usw2-az3"), vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), nil,
			[]string{"zones: auth.az_count: removes usw2-az3", "the proxies cannot reach the Auth Service (the private alias record follows the new one"}, ""},
		{"zones swapped", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), []string{euc, euc + "    zones: [euc1-az1, euc1-az3]\n"},
			[]string{"cluster.yaml:21:12: proxy_regions[1].zones: adds euc1-az3 and removes euc1-az2 in one deploy", "Add the new zones first and deploy, then remove the old ones",
				"docs/operations.md: Changing a VPC's zones or range"}, ""},
		{"zone named by name instead of AZ ID", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), []string{euc, euc + "    zones: [eu-central-1a, eu-central-1b]\n"},
			[]string{"proxy_regions[1].zones: adds eu-central-1a, eu-central-1b and removes euc1-az1, euc1-az2", "keep the naming the VPC was deployed with"}, ""},
		{"zone removed from a positional output", previous(auth, vpcOutput("10.2.0.0/16", true, "euc1-az1", "euc1-az2", "euc1-az3")), []string{euc, euc + "    zones: [euc1-az1, euc1-az3]\n"},
			[]string{"cluster.yaml:21:12: proxy_regions[1].zones: removes euc1-az2, but the deployed VPC (stack proxy-eu-central-1) still has the zone resources of an earlier version",
				"Deploy this version with the zones unchanged first"}, ""},
		{"auth range changed", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), []string{"10.0.0.0/16", "10.9.0.0/16"},
			[]string{"cluster.yaml:15:13: auth.vpc_cidr: is 10.9.0.0/16, but the deployed VPC (in the output this synth replaces, stack auth-us-west-2) has 10.0.0.0/16",
				"keep 10.0.0.0/16 (docs/operations.md"}, ""},
		{"proxy range changed", previous(auth, vpcOutput("10.2.0.0/16", false, "euc1-az1", "euc1-az2")), []string{"10.2.0.0/16", "10.7.0.0/16"},
			[]string{"cluster.yaml:20:15: proxy_regions[1].vpc_cidr: is 10.7.0.0/16", "retire it (retired: true), delete its entry, then add it again with the new range"}, ""},
	}
	for _, c := range cases {
		cfg := exampleWith(t, c.edits...)
		notes, err := vpcChanges(c.prev, cfg)
		got := "zones: " + strings.Join(notes, "\nzones: ")
		if err != nil {
			got = err.Error()
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", c.name, w, got)
			}
		}
		if len(c.want) == 0 && (err != nil || len(notes) > 0) {
			t.Errorf("%s: %v %v; want nothing said", c.name, notes, err)
		}
		if c.slots != "" {
			var parts []string
			for _, z := range cfg.ProxyRegions[1].ZoneList() {
				parts = append(parts, fmt.Sprintf("%s:%d", z, z.Slot))
			}
			if s := strings.Join(parts, " "); s != c.slots {
				t.Errorf("%s: slots %s; want %s", c.name, s, c.slots)
			}
		}
	}
	// No previous output: nothing to compare, zone i in slot i.
	if notes, err := vpcChanges(nil, exampleWith(t)); err != nil || notes != nil {
		t.Errorf("first synth: %v %v", notes, err)
	}
}
