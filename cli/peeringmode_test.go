package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
	tfjson "github.com/hashicorp/terraform-json"
)

// proxyStackWith3021 is a proxy stack of cluster whose proxies admit 3021
// from cidr ("" for a prefix list, as in peering.mode vpc).
func proxyStackWith3021(t *testing.T, cluster, cidr string) report.Stack {
	t.Helper()
	rule := map[string]any{"from_port": 3021, "to_port": 3021, "ip_protocol": "tcp"}
	if cidr != "" {
		rule["cidr_ipv4"] = cidr
	} else {
		rule["prefix_list_id"] = "${aws_ec2_managed_prefix_list.proxy_peers_1.id}"
	}
	raw, err := json.Marshal(map[string]any{
		"provider": map[string]any{"aws": []any{map[string]any{"default_tags": []any{map[string]any{"tags": map[string]any{"teleport-cluster": cluster}}}}}},
		"resource": map[string]any{"aws_vpc_security_group_ingress_rule": map[string]any{"proxy_in-3021": rule}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var s report.Stack
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A deployed cluster's peering.mode cannot switch at synth; an output never
// deployed here, another cluster's, or one in the same mode is no switch.
func TestPeeringModeSwitch(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "cdktf.out")
	deploy := func(stack string) {
		state := `{"version":4,"resources":[{"mode":"managed","type":"aws_vpc","name":"x","instances":[]}]}`
		if err := os.WriteFile(filepath.Join(root, "terraform."+stack+".tfstate"), []byte(state), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	output := func(cluster, cidr string) *report.Output {
		return &report.Output{Stacks: map[string]report.Stack{
			"proxy-us-west-1":    proxyStackWith3021(t, cluster, cidr),
			"proxy-eu-central-1": proxyStackWith3021(t, cluster, cidr),
		}}
	}
	public := *cfg
	public.Peering.Mode = config.PeeringPublic

	// Never deployed here (no state): a new user's synths, no refusal.
	if err := peeringModeSwitch(output("example", ""), &public, dir); err != nil {
		t.Errorf("an output never deployed: %v", err)
	}
	deploy("proxy-us-west-1")
	err = peeringModeSwitch(output("example", ""), &public, dir)
	if err == nil || !strings.HasPrefix(err.Error(), "peering.mode: is public, but the output this synth replaces") ||
		!strings.Contains(err.Error(), "deployed with peering.mode vpc (proxy-eu-central-1, proxy-us-west-1)") ||
		!strings.Contains(err.Error(), "the mesh stacks would leave the app") || !strings.Contains(err.Error(), "keep peering.mode: vpc") ||
		!strings.Contains(err.Error(), "docs/operations.md: Changing peering.mode") {
		t.Errorf("vpc -> public on a deployed cluster: %v", err)
	}
	if err := peeringModeSwitch(output("example", "0.0.0.0/0"), cfg, dir); err == nil || !strings.Contains(err.Error(), "peering.mode: is vpc") ||
		!strings.Contains(err.Error(), "keep peering.mode: public") {
		t.Errorf("public -> vpc on a deployed cluster: %v", err)
	}
	for name, c := range map[string]struct {
		prev *report.Output
		cfg  *config.Cluster
	}{
		"same mode":        {output("example", ""), cfg},
		"same mode public": {output("example", "0.0.0.0/0"), &public},
		"another cluster":  {output("someone-else", ""), &public},
		"no peering":       {&report.Output{Stacks: map[string]report.Stack{"proxy-us-west-1": {"resource": map[string]any{"aws_vpc": map[string]any{"v": map[string]any{}}}}}}, &public},
		"no output":        {nil, &public},
	} {
		if err := peeringModeSwitch(c.prev, c.cfg, dir); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A remote backend cannot be read offline: its output counts as
	// deployed.
	s3 := public
	s3.Backend = config.Backend{Type: "s3"}
	if err := peeringModeSwitch(output("example", ""), &s3, filepath.Join(t.TempDir(), "cdktf.out")); err == nil {
		t.Error("an S3-backed output was not taken as deployed")
	}
}

// A proxy stack whose plan destroys what a mesh stack of the output
// declares is a move without its blocks (an output synthesized afresh for
// a cluster deployed before mesh stacks): refused. Forgetting it (the move)
// and destroying what no mesh stack declares (a retired peer's connection)
// pass.
func TestUnmovedCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.json", `{"stacks":{"proxy-us-west-1":{"dependencies":[]},"mesh-us-west-1":{"dependencies":["proxy-us-west-1"]},`+
		`"proxy-eu-west-1":{"dependencies":[]},"mesh-eu-west-1":{"dependencies":["proxy-eu-west-1"]}}}`)
	write("stacks/proxy-us-west-1/cdk.tf.json", `{"resource":{"aws_vpc":{"v":{}}}}`)
	write("stacks/mesh-us-west-1/cdk.tf.json", `{"resource":{"aws_vpc_peering_connection":{"peering-eu-central-1_connection_AB":{}},"aws_route":{"peering-eu-central-1_requester-route-0_CD":{}}}}`)
	write("stacks/proxy-eu-west-1/cdk.tf.json", `{}`) // retired
	write("stacks/mesh-eu-west-1/cdk.tf.json", `{}`)
	check, err := UnmovedCheck(dir)
	if err != nil {
		t.Fatal(err)
	}
	plan := func(action tfjson.Action, addrs ...string) *tfjson.Plan {
		p := &tfjson.Plan{}
		for _, a := range addrs {
			typ, name, _ := strings.Cut(a, ".")
			p.ResourceChanges = append(p.ResourceChanges, &tfjson.ResourceChange{Address: a, Mode: tfjson.ManagedResourceMode, Type: typ, Name: name,
				Change: &tfjson.Change{Actions: tfjson.Actions{action}}})
		}
		return p
	}
	moved := []string{"aws_vpc_peering_connection.peering-eu-central-1_connection_AB", "aws_route.peering-eu-central-1_requester-route-0_CD"}
	err = check("proxy-us-west-1", plan(tfjson.ActionDelete, moved...))
	if err == nil || !strings.HasPrefix(err.Error(), "it destroys 2 resources that mesh-us-west-1 now declares (aws_route.peering-eu-central-1_requester-route-0_CD, aws_vpc_peering_connection.peering-eu-central-1_connection_AB)") ||
		!strings.Contains(err.Error(), "docs/operations.md: Moving a cluster to mesh stacks") {
		t.Errorf("an unmoved move: %v", err)
	}
	for name, c := range map[string]struct {
		stack string
		plan  *tfjson.Plan
	}{
		"the move forgets":     {"proxy-us-west-1", plan(tfjson.ActionForget, moved...)},
		"a retired peer's":     {"proxy-us-west-1", plan(tfjson.ActionDelete, "aws_vpc_peering_connection.peering-ap-south-1_connection_EF")},
		"the mesh stack's own": {"mesh-us-west-1", plan(tfjson.ActionDelete, moved...)},
		// A region retired while the cluster moves destroys its own
		// connection with eu-central-1, whose address another region's
		// mesh stack also declares.
		"a retired region's own": {"proxy-eu-west-1", plan(tfjson.ActionDelete, moved...)},
		"a creation":             {"proxy-us-west-1", plan(tfjson.ActionCreate, moved...)},
	} {
		if err := check(c.stack, c.plan); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
