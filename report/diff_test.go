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
		"### Stack proxy-a: removed from the app (`cdktf deploy` no longer runs it; 1 resources it held stay, unmanaged)",
		"### Stack proxy-b: added (2 to add, 0 to change, 0 to replace, 0 to destroy)",
		"stack proxy-a is removed while it still holds 1 resources: it was not retired first",
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
		{"nlb leaves a subnet", `{"resource":{"aws_lb":{"n":{"subnets":["a","b"]}}}}`, `{"resource":{"aws_lb":{"n":{"subnets":["a"]}}}}`, ExitChanges,
			"- **replace** `aws_lb.n`\n  - `subnets`: removed `\"b\"` (forces replacement)"},
		{"nlb gains a subnet", `{"resource":{"aws_lb":{"n":{"subnets":["a"]}}}}`, `{"resource":{"aws_lb":{"n":{"subnets":["a","b"]}}}}`, ExitChanges,
			"- **change** `aws_lb.n`\n  - `subnets`: added `\"b\"`\n"},
		{"template rolls", `{"resource":{"aws_launch_template":{"lt":{"instance_type":"m6i.large"}},"aws_autoscaling_group":{"g":{"name":"c-proxy","launch_template":{"id":"${aws_launch_template.lt.id}"}}}}}`,
			`{"resource":{"aws_launch_template":{"lt":{"instance_type":"m6i.xlarge"}},"aws_autoscaling_group":{"g":{"name":"c-proxy","launch_template":{"id":"${aws_launch_template.lt.id}"}}}}}`, ExitChanges,
			"  - the group `c-proxy` rolls (instance refresh)\n"},
	}
	for _, c := range cases {
		res := DiffOutputs(stack(c.before), stack(c.after))
		if res.ExitStatus() != c.status || !strings.Contains(res.Markdown, c.want) {
			t.Errorf("%s: exit %d (want %d):\n%s\nwant %q", c.name, res.ExitStatus(), c.status, res.Markdown, c.want)
		}
	}
}
