package report

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeOutput(t *testing.T, stacks map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	manifest := `{"stacks":{`
	first := true
	for name, body := range stacks {
		if !first {
			manifest += ","
		}
		first = false
		manifest += `"` + name + `":{"dependencies":[]}`
		if err := os.MkdirAll(filepath.Join(dir, "stacks", name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "stacks", name, "cdk.tf.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest+"}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func lt(script string) string {
	return `{"resource":{"aws_launch_template":{"lt":{"//":{"metadata":{"path":"x"}},"name":"p","user_data":"` +
		base64.StdEncoding.EncodeToString([]byte(script)) + `"}},"aws_lb":{"nlb":{"name":"a","internal":false}}}}`
}

func TestDiff(t *testing.T) {
	script := "#!/bin/bash\nset -e\ninstall 17.4.8\nconfigure\nstart\n"
	old := writeOutput(t, map[string]string{"auth-x": lt(script), "proxy-a": `{"resource":{"aws_vpc":{"v":{"cidr_block":"10.1.0.0/16"}}}}`})
	if res, err := Diff(old, old); err != nil || res.Markdown != NoChanges+"\n" || res.ExitStatus() != ExitNoChanges {
		t.Errorf("identical outputs: %+v, %v", res, err)
	}
	changed := lt(strings.Replace(script, "17.4.8", "17.5.0", 1))
	changed = strings.Replace(changed, `"name":"a","internal":false`, `"name":"a","internal":true`, 1)
	cur := writeOutput(t, map[string]string{"auth-x": changed, "proxy-b": `{"resource":{"aws_vpc":{"v":{}},"aws_route":{"r":{}}}}`})
	res, err := Diff(old, cur)
	if err != nil {
		t.Fatal(err)
	}
	out := res.Markdown
	for _, want := range []string{
		"## Synth diff\n\n**Total: 2 to add, 1 to change, 1 to replace, 0 to destroy.**",
		"### Stack auth-x: 0 to add, 1 to change, 1 to replace, 0 to destroy\n",
		"- **replace** `aws_lb.nlb`\n  - `internal`: `false` → `true` (forces replacement)\n",
		"- **change** `aws_launch_template.lt`\n  - `user_data` (boot script, decoded):\n\n```diff\n",
		"- install 17.4.8\n+ install 17.5.0\n",
		"### Stack proxy-a: removed from the app (`go run . apply` no longer plans it; the 1 resource it held stays, unmanaged)",
		"### Stack proxy-b: added (2 to add, 0 to change, 0 to replace, 0 to destroy)",
		"stack proxy-a is removed from the app while it still holds 1 resource (it was not retired first)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "metadata") {
		t.Error("cdktf metadata is not a change")
	}
	if res.ExitStatus() != ExitDangerous {
		t.Errorf("exit status %d; want %d (a stack removed before it was retired)", res.ExitStatus(), ExitDangerous)
	}
	if _, err := Diff(old, filepath.Join(old, "absent")); err == nil || !strings.Contains(err.Error(), "not a synthesized output directory") {
		t.Errorf("missing dir: %v", err)
	}
}

func nlb(attrs string) string {
	return `{"resource":{"aws_lb":{"n":{"load_balancer_type":"network",` + attrs + `}}}}`
}

// Sets compare as sets: the same prefix-list entries in another order are
// no change; a VPC's new cidr_block replaces it; a table destroyed is
// dangerous; an NLB leaving a subnet is replaced, one gaining a subnet is not.
func TestDiffClassifies(t *testing.T) {
	stack := func(body string) *Output {
		var s Stack
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatal(err)
		}
		return &Output{Stacks: map[string]Stack{"proxy-a": s}, Dependencies: map[string][]string{}}
	}
	cases := []struct {
		name, before, after string
		status              int
		want                string
	}{
		{"set order", `{"resource":{"aws_ec2_managed_prefix_list":{"p":{"entry":[{"cidr":"10.1.0.0/17"},{"cidr":"10.2.0.0/17"}]}}}}`,
			`{"resource":{"aws_ec2_managed_prefix_list":{"p":{"entry":[{"cidr":"10.2.0.0/17"},{"cidr":"10.1.0.0/17"}]}}}}`, ExitNoChanges, NoChanges},
		{"set element", `{"resource":{"aws_ec2_managed_prefix_list":{"p":{"entry":[{"cidr":"10.1.0.0/17"}]}}}}`,
			`{"resource":{"aws_ec2_managed_prefix_list":{"p":{"entry":[{"cidr":"10.1.0.0/17"},{"cidr":"10.2.0.0/17"}]}}}}`, ExitChanges,
			"- **change** `aws_ec2_managed_prefix_list.p`\n  - `entry`: added `{\"cidr\":\"10.2.0.0/17\"}`\n"},
		{"vpc cidr", `{"resource":{"aws_vpc":{"v":{"cidr_block":"10.1.0.0/16"}}}}`, `{"resource":{"aws_vpc":{"v":{"cidr_block":"10.9.0.0/16"}}}}`, ExitChanges,
			"- **replace** `aws_vpc.v`\n  - `cidr_block`: `\"10.1.0.0/16\"` → `\"10.9.0.0/16\"` (forces replacement)"},
		{"table destroyed", `{"resource":{"aws_dynamodb_table":{"t":{"name":"c-state"}},"aws_vpc":{"v":{}}}}`, `{"resource":{"aws_vpc":{"v":{}}}}`, ExitDangerous,
			"proxy-a: destroys table `c-state`: its items are lost"},
		{"table renamed", `{"resource":{"aws_dynamodb_table":{"t":{"name":"c-state"}}}}`, `{"resource":{"aws_dynamodb_table":{"t":{"name":"d-state"}}}}`, ExitDangerous,
			"proxy-a: replaces table `c-state`: its items are lost"},
		{"nlb leaves a subnet", nlb(`"subnets":["a","b"]`), nlb(`"subnets":["a"]`), ExitChanges,
			"- **replace** `aws_lb.n`\n  - `subnets`: removed `\"b\"` (forces replacement)"},
		{"nlb swaps a subnet", nlb(`"subnets":["a","b"]`), nlb(`"subnets":["a","c"]`), ExitChanges, "- **replace** `aws_lb.n`"},
		{"nlb gains a subnet", nlb(`"subnets":["a"]`), nlb(`"subnets":["a","b"]`), ExitChanges,
			"- **change** `aws_lb.n`\n  - `subnets`: added `\"b\"`\n"},
		{"alb leaves a subnet", `{"resource":{"aws_lb":{"n":{"subnets":["a","b"]}}}}`, `{"resource":{"aws_lb":{"n":{"subnets":["a"]}}}}`, ExitChanges,
			"- **change** `aws_lb.n`\n  - `subnets`: removed `\"b\"`\n"},
		// Only none <-> some replaces a network load balancer: one group
		// for another is ModifyLoadBalancerAttributes... SetSecurityGroups.
		{"nlb swaps its security group", nlb(`"security_groups":["a"]`), nlb(`"security_groups":["b"]`), ExitChanges, "- **change** `aws_lb.n`"},
		{"nlb drops its security groups", nlb(`"security_groups":["a"]`), nlb(`"security_groups":[]`), ExitChanges, "- **replace** `aws_lb.n`"},
		{"nlb gains security groups", nlb(`"subnets":["a"]`), nlb(`"subnets":["a"],"security_groups":["a"]`), ExitChanges, "- **replace** `aws_lb.n`"},
		{"backup plan renamed", `{"resource":{"aws_backup_plan":{"p":{"name":"a"}}}}`, `{"resource":{"aws_backup_plan":{"p":{"name":"b"}}}}`, ExitChanges,
			"- **replace** `aws_backup_plan.p`\n  - `name`: `\"a\"` → `\"b\"` (forces replacement)"},
		{"group hook changed", `{"resource":{"aws_autoscaling_group":{"g":{"name":"g","initial_lifecycle_hook":[{"name":"h","heartbeat_timeout":600}]}}}}`,
			`{"resource":{"aws_autoscaling_group":{"g":{"name":"g","initial_lifecycle_hook":[{"name":"h","heartbeat_timeout":900}]}}}}`, ExitChanges,
			"  - `initial_lifecycle_hook`: added `{\"heartbeat_timeout\":900,\"name\":\"h\"}` (forces replacement)\n  - replaced: every instance at once"},
		{"group hook ignored", `{"resource":{"aws_autoscaling_group":{"g":{"name":"g","lifecycle":{"ignore_changes":["initial_lifecycle_hook"]},"initial_lifecycle_hook":[{"name":"h","heartbeat_timeout":600}]}}}}`,
			`{"resource":{"aws_autoscaling_group":{"g":{"name":"g","lifecycle":{"ignore_changes":["initial_lifecycle_hook"]},"initial_lifecycle_hook":[{"name":"h","heartbeat_timeout":900}]}}}}`, ExitNoChanges, NoChanges},
		{"ignore all", `{"resource":{"aws_vpc":{"v":{"lifecycle":{"ignore_changes":"all"},"cidr_block":"10.1.0.0/16"}}}}`,
			`{"resource":{"aws_vpc":{"v":{"lifecycle":{"ignore_changes":"all"},"cidr_block":"10.2.0.0/16"}}}}`, ExitNoChanges, NoChanges},
		{"hook renamed", `{"resource":{"aws_autoscaling_lifecycle_hook":{"h":{"name":"a","autoscaling_group_name":"g","heartbeat_timeout":600}}}}`,
			`{"resource":{"aws_autoscaling_lifecycle_hook":{"h":{"name":"b","autoscaling_group_name":"g","heartbeat_timeout":600}}}}`, ExitChanges, "- **replace** `aws_autoscaling_lifecycle_hook.h`"},
		{"hook timeout and group", `{"resource":{"aws_autoscaling_lifecycle_hook":{"h":{"name":"a","autoscaling_group_name":"g","heartbeat_timeout":600}}}}`,
			`{"resource":{"aws_autoscaling_lifecycle_hook":{"h":{"name":"a","autoscaling_group_name":"g2","heartbeat_timeout":900}}}}`, ExitChanges, "- **change** `aws_autoscaling_lifecycle_hook.h`"},
		{"versioning mfa", `{"resource":{"aws_s3_bucket_versioning":{"v":{"bucket":"b","mfa":"x 1"}}}}`, `{"resource":{"aws_s3_bucket_versioning":{"v":{"bucket":"b","mfa":"x 2"}}}}`, ExitChanges,
			"- **change** `aws_s3_bucket_versioning.v`"},
		{"rule from cidr to group", `{"resource":{"aws_vpc_security_group_ingress_rule":{"r":{"security_group_id":"sg-1","cidr_ipv4":"10.0.0.0/8"}}}}`,
			`{"resource":{"aws_vpc_security_group_ingress_rule":{"r":{"security_group_id":"sg-1","referenced_security_group_id":"sg-2"}}}}`, ExitChanges,
			"- **replace** `aws_vpc_security_group_ingress_rule.r`\n  - `cidr_ipv4`: `\"10.0.0.0/8\"` → (unset) (forces replacement)\n  - `referenced_security_group_id`: (unset) → `\"sg-2\"` (forces replacement)"},
		{"rule to a prefix list", `{"resource":{"aws_vpc_security_group_egress_rule":{"r":{"security_group_id":"sg-1","referenced_security_group_id":"sg-2"}}}}`,
			`{"resource":{"aws_vpc_security_group_egress_rule":{"r":{"security_group_id":"sg-1","prefix_list_id":"pl-1"}}}}`, ExitChanges, "- **replace** `aws_vpc_security_group_egress_rule.r`"},
		{"rule's cidr", `{"resource":{"aws_vpc_security_group_ingress_rule":{"r":{"security_group_id":"sg-1","cidr_ipv4":"10.0.0.0/8"}}}}`,
			`{"resource":{"aws_vpc_security_group_ingress_rule":{"r":{"security_group_id":"sg-1","cidr_ipv4":"10.0.0.0/16"}}}}`, ExitChanges, "- **change** `aws_vpc_security_group_ingress_rule.r`"},
		{"template rolls", `{"resource":{"aws_launch_template":{"lt":{"instance_type":"m6i.large"}},"aws_autoscaling_group":{"g":{"name":"c-proxy","launch_template":{"id":"${aws_launch_template.lt.id}"}}}}}`,
			`{"resource":{"aws_launch_template":{"lt":{"instance_type":"m6i.xlarge"}},"aws_autoscaling_group":{"g":{"name":"c-proxy","launch_template":{"id":"${aws_launch_template.lt.id}"}}}}}`, ExitChanges,
			"  - the group `c-proxy` rolls (instance refresh)\n"},
	}
	for _, c := range cases {
		res := DiffOutputs(stack(c.before), stack(c.after))
		if len(res.Total) == 0 && c.status != ExitNoChanges {
			t.Errorf("%s: no counts", c.name)
		}
		if res.ExitStatus() != c.status || !strings.Contains(res.Markdown, c.want) {
			t.Errorf("%s: exit %d (want %d):\n%s\nwant %q", c.name, res.ExitStatus(), c.status, res.Markdown, c.want)
		}
	}
}

// outputOf builds an Output from stacks given as JSON.
func outputOf(t *testing.T, stacks map[string]string) *Output {
	t.Helper()
	o := &Output{Stacks: map[string]Stack{}, Dependencies: map[string][]string{}}
	for name, body := range stacks {
		var s Stack
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		o.Stacks[name] = s
	}
	return o
}

// A replaced resource's computed attributes are unknown until apply: what
// references them changes, and is replaced when the attribute forces
// replacement, transitively and across stacks (through remote-state
// outputs); configured values stay known; an unknown subnet list does not
// replace a network load balancer (the provider's check needs known
// values); a launch template changed in place recomputes latest_version.
func TestDiffPropagates(t *testing.T) {
	proxy := func(cidr, instanceType string) string {
		return `{"resource":{
"aws_vpc":{"v":{"cidr_block":"` + cidr + `"}},
"aws_subnet":{"s":{"vpc_id":"${aws_vpc.v.id}","cidr_block":"` + strings.Replace(cidr, "/16", "/20", 1) + `"}},
"aws_security_group":{"g":{"name":"g","vpc_id":"${aws_vpc.v.id}"}},
"aws_vpc_security_group_ingress_rule":{"r":{"security_group_id":"${aws_security_group.g.id}","cidr_ipv4":"${aws_vpc.v.cidr_block}"}},
"aws_lb":{"n":{"load_balancer_type":"network","subnets":["${aws_subnet.s.id}"]}},
"aws_lb_target_group":{"t":{"name":"t","port":443,"vpc_id":"${aws_vpc.v.id}"}},
"aws_launch_template":{"lt":{"name":"lt","instance_type":"` + instanceType + `","description":"d"}},
"aws_autoscaling_group":{"a":{"name":"a","vpc_zone_identifier":["${aws_subnet.s.id}"],"target_group_arns":["${aws_lb_target_group.t.arn}"],
  "launch_template":{"id":"${aws_launch_template.lt.id}","version":"${aws_launch_template.lt.latest_version}"}}},
"aws_autoscaling_lifecycle_hook":{"h":{"name":"h","autoscaling_group_name":"${aws_autoscaling_group.a.name}"}},
"aws_kms_key":{"k":{"description":"k"}},
"aws_iam_role":{"role":{"name":"r"}},
"aws_iam_role_policy":{"pol":{"name":"p","role":"r","policy":"${data.aws_iam_policy_document.d.json}"}}},
"data":{"aws_iam_policy_document":{"d":{"statement":[{"resources":["${aws_lb_target_group.t.arn}"]}]}}},
"output":{"cross-stack-output-aws_vpcvid":{"value":"${aws_vpc.v.id}"}}}`
	}
	peer := `{"resource":{
"aws_route53_zone_association":{"z":{"zone_id":"Z1","vpc_id":"${data.terraform_remote_state.cross-stack-reference-input-proxy-a.outputs.cross-stack-output-aws_vpcvid}"}},
"aws_vpc_peering_connection":{"p":{"vpc_id":"vpc-1","peer_vpc_id":"${data.terraform_remote_state.cross-stack-reference-input-proxy-a.outputs.cross-stack-output-aws_vpcvid}"}},
"aws_vpc_peering_connection_accepter":{"acc":{"vpc_peering_connection_id":"${aws_vpc_peering_connection.p.id}"}},
"aws_route":{"rt":{"route_table_id":"rtb-1","destination_cidr_block":"10.9.0.0/16","vpc_peering_connection_id":"${aws_vpc_peering_connection.p.id}"}},
"aws_iam_role_policy":{"pol":{"name":"p","role":"r","policy":"${data.aws_iam_policy_document.d.json}"}}},
"data":{"aws_iam_policy_document":{"d":{"statement":[{"resources":["arn:x"]}]}}}}`
	before := outputOf(t, map[string]string{"proxy-a": proxy("10.1.0.0/16", "m6i.large"), "proxy-b": peer})

	res := DiffOutputs(before, outputOf(t, map[string]string{"proxy-a": proxy("10.9.0.0/16", "m6i.large"), "proxy-b": peer}))
	want := map[string]map[string]Action{
		"proxy-a": {"aws_vpc.v": Replace, "aws_subnet.s": Replace, "aws_security_group.g": Replace, "aws_vpc_security_group_ingress_rule.r": Replace,
			"aws_lb.n": Change, "aws_lb_target_group.t": Replace, "aws_autoscaling_group.a": Change, "aws_iam_role_policy.pol": Change},
		"proxy-b": {"aws_route53_zone_association.z": Replace, "aws_vpc_peering_connection.p": Replace, "aws_vpc_peering_connection_accepter.acc": Replace,
			"aws_route.rt": Change},
	}
	checkActions(t, "vpc cidr", res, want)
	for _, w := range []string{
		"- **change** `aws_lb.n`\n  - `subnets`: element `\"${aws_subnet.s.id}\"`: known after apply, as `aws_subnet.s` is replaced\n",
		"  - `vpc_id`: known after apply, as `aws_vpc.v` is replaced (forces replacement)\n",
		"Total: 0 to add, 4 to change, 8 to replace, 0 to destroy.",
		"proxy-a: replaces VPC `aws_vpc.v`, used by",
		"proxy-a: replaces target group `t`, used by 1 resource (1 aws_autoscaling_group)",
	} {
		if !strings.Contains(res.Markdown, w) {
			t.Errorf("vpc cidr: diff lacks %q:\n%s", w, res.Markdown)
		}
	}
	if res.ExitStatus() != ExitDangerous {
		t.Errorf("vpc cidr: exit %d", res.ExitStatus())
	}

	res = DiffOutputs(before, outputOf(t, map[string]string{"proxy-a": proxy("10.1.0.0/16", "m6i.xlarge"), "proxy-b": peer}))
	checkActions(t, "instance type", res, map[string]map[string]Action{"proxy-a": {"aws_launch_template.lt": Change, "aws_autoscaling_group.a": Change}})
	if !strings.Contains(res.Markdown, "  - `launch_template.version`: known after apply, as `aws_launch_template.lt.latest_version` is recomputed\n") {
		t.Errorf("instance type:\n%s", res.Markdown)
	}
	res = DiffOutputs(before, outputOf(t, map[string]string{"proxy-a": strings.Replace(proxy("10.1.0.0/16", "m6i.large"), `"description":"d"`, `"description":"e"`, 1), "proxy-b": peer}))
	checkActions(t, "template description", res, map[string]map[string]Action{"proxy-a": {"aws_launch_template.lt": Change}})

	// A replaced group keeps its configured name: the hook naming it
	// does not change (Terraform plans none).
	renamed := strings.Replace(proxy("10.1.0.0/16", "m6i.large"), `"name":"t","port":443`, `"name":"t","port":8443`, 1)
	res = DiffOutputs(before, outputOf(t, map[string]string{"proxy-a": renamed, "proxy-b": peer}))
	checkActions(t, "target group port", res, map[string]map[string]Action{
		"proxy-a": {"aws_lb_target_group.t": Replace, "aws_autoscaling_group.a": Change, "aws_iam_role_policy.pol": Change}})
}

func checkActions(t *testing.T, name string, res *DiffResult, want map[string]map[string]Action) {
	t.Helper()
	for stack, actions := range want {
		for addr, a := range actions {
			if got := res.Actions[stack][addr]; got != a {
				t.Errorf("%s: %s %s: %q, want %q", name, stack, addr, got, a)
			}
		}
	}
	for stack, actions := range res.Actions {
		for addr, a := range actions {
			if _, ok := want[stack][addr]; !ok {
				t.Errorf("%s: %s %s: %q, want no change", name, stack, addr, a)
			}
		}
	}
	if t.Failed() {
		t.Log(res.Markdown)
	}
}

// A change of the provider's default_tags updates tags_all of every
// resource that has it (an in-place update in Terraform's plan), through
// the provider each resource uses.
func TestDiffDefaultTags(t *testing.T) {
	stack := func(cluster string) string {
		return `{"provider":{"aws":[{"region":"us-west-2","default_tags":[{"tags":{"teleport-cluster":"` + cluster + `"}}]},
{"alias":"peer","region":"eu-central-1","default_tags":[{"tags":{"teleport-cluster":"` + cluster + `"}}]}]},
"resource":{"aws_vpc":{"v":{"cidr_block":"10.1.0.0/16"}},"aws_route":{"r":{"route_table_id":"rtb-1","destination_cidr_block":"10.2.0.0/16"}},
"aws_vpc_peering_connection_accepter":{"a":{"provider":"aws.peer","vpc_peering_connection_id":"pcx-1"}},
"aws_security_group":{"g":{"name":"g","lifecycle":{"ignore_changes":["tags"]}}}}}`
	}
	res := DiffOutputs(outputOf(t, map[string]string{"proxy-a": stack("example")}), outputOf(t, map[string]string{"proxy-a": stack("renamed")}))
	checkActions(t, "default tags", res, map[string]map[string]Action{"proxy-a": {"aws_vpc.v": Change, "aws_vpc_peering_connection_accepter.a": Change}})
	if !strings.Contains(res.Markdown, "- **change** `aws_vpc.v`\n  - `tags_all`: the provider's default_tags change\n") {
		t.Error(res.Markdown)
	}
}

// A dashboard body is several KiB of JSON in one string: the diff says
// which sections and graphs change, not two cut-off copies of its start.
func TestDiffDashboardBody(t *testing.T) {
	graph := func(title, region string, y int, stat string) map[string]any {
		return map[string]any{"type": "metric", "x": 0, "y": y, "width": 8, "height": 6,
			"properties": map[string]any{"title": title, "region": region, "stat": stat}}
	}
	text := func(md string, y int) map[string]any {
		return map[string]any{"type": "text", "x": 0, "y": y, "width": 24, "height": 1, "properties": map[string]any{"markdown": md}}
	}
	body := func(widgets ...map[string]any) string {
		raw, err := json.Marshal(map[string]any{"widgets": widgets})
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	stack := func(b string) string {
		raw, _ := json.Marshal(map[string]any{"resource": map[string]any{"aws_cloudwatch_dashboard": map[string]any{
			"dashboard": map[string]any{"dashboard_name": "c-teleport", "dashboard_body": b}}}})
		return string(raw)
	}
	header := text("# Teleport t.example.com (c)\nEach graph shows what an alarm watches.", 0)
	before := body(header,
		text("## Routing", 2), graph("Route 53 health check per proxy region", "us-east-1", 3, "Minimum"),
		text("## Proxies in us-west-1", 9), graph("Ready proxies", "us-west-1", 10, "Minimum"), graph("Client connections", "us-west-1", 10, "Sum"),
		text("## Proxies in ap-south-1", 16), graph("Ready proxies", "ap-south-1", 17, "Minimum"))
	after := body(header,
		text("## Routing", 2), graph("Route 53 health check per proxy region", "us-east-1", 3, "Maximum"),
		text("## Proxies in eu-west-1", 9), graph("Ready proxies", "eu-west-1", 10, "Minimum"), graph("Client connections", "eu-west-1", 10, "Sum"),
		text("## Proxies in us-west-1", 16), graph("Ready proxies", "us-west-1", 17, "Minimum"), graph("Client connections", "us-west-1", 17, "Sum"))
	res, err := Diff(writeOutput(t, map[string]string{"dns": stack(before)}), writeOutput(t, map[string]string{"dns": stack(after)}))
	if err != nil {
		t.Fatal(err)
	}
	want := "  - `dashboard_body` (the dashboard, by section and graph): section **Proxies in eu-west-1** added (2 graphs); " +
		"section **Proxies in ap-south-1** removed (1 graph); 1 widget changed: Route 53 health check per proxy region (us-east-1); widgets move on the grid\n"
	if !strings.Contains(res.Markdown, want) {
		t.Errorf("diff lacks\n%s\nin:\n%s", want, res.Markdown)
	}
	if strings.Contains(res.Markdown, `{\"widgets`) {
		t.Errorf("the diff prints the body's JSON:\n%s", res.Markdown)
	}
	if got := dashboardBodyChange(before, before+" "); got != "the body changes in its text only (same widgets, same places)" {
		t.Errorf("same widgets: %q", got)
	}
	if got := dashboardBodyChange("{", after); !strings.Contains(got, "not JSON") {
		t.Errorf("a body that is not JSON: %q", got)
	}
}
