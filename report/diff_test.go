package report

import (
	"encoding/base64"
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
	if out, err := Diff(old, old); err != nil || out != NoChanges+"\n" {
		t.Errorf("identical outputs: %q, %v", out, err)
	}
	changed := lt(strings.Replace(script, "17.4.8", "17.5.0", 1))
	changed = strings.Replace(changed, `"name":"a","internal":false`, `"name":"a","internal":true`, 1)
	cur := writeOutput(t, map[string]string{"auth-x": changed, "proxy-b": `{"resource":{"aws_vpc":{"v":{}},"aws_route":{"r":{}}}}`})
	out, err := Diff(old, cur)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Synth diff",
		"### Stack auth-x\n",
		"- **changed** `aws_lb.nlb`\n  - `internal`: `false` → `true`\n",
		"- **changed** `aws_launch_template.lt`\n  - `user_data` (boot script, decoded):\n\n```diff\n",
		"- install 17.4.8\n+ install 17.5.0\n",
		"### Stack proxy-a: removed (1 resources",
		"### Stack proxy-b: added (2 resources)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "metadata") {
		t.Error("cdktf metadata is not a change")
	}
	if _, err := Diff(old, filepath.Join(old, "absent")); err == nil || !strings.Contains(err.Error(), "not a synthesized output directory") {
		t.Errorf("missing dir: %v", err)
	}
}
