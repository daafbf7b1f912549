package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
)

// TestBadConfigFilesEndToEnd runs the app's entry point on broken files: each
// gives one clear message, exit status 1, and an existing output directory
// is left exactly as it was (validation happens before jsii starts).
func TestBadConfigFilesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	example, err := os.ReadFile("examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path, want string }{
		{"missing file", filepath.Join(dir, "absent.yaml"), "not found"},
		{"directory", dir, "config file"},
		{"empty file", write("empty.yaml", ""), "is empty"},
		{"bad yaml", write("bad.yaml", "cluster_name: \"unterminated\n"), "not valid YAML"},
		{"wrong types", write("types.yaml", strings.Replace(string(example), "agent_connection_count: 2", "agent_connection_count: [2]", 1)), "types.yaml:10:25: agent_connection_count: expected a whole number"},
		{"unknown key", write("unknown.yaml", string(example)+"proxy_peering: true\n"), ": proxy_peering: unknown key"},
		{"huge file", write("huge.yaml", string(example)+"# "+strings.Repeat("x", 1<<20)), "larger than"},
		{"invalid values", write("invalid.yaml", strings.Replace(string(example), "10.2.0.0/16", "10.1.0.0/16", 1)), "proxy_regions[1].vpc_cidr"},
	}
	work := t.TempDir()
	t.Chdir(work)
	sentinel := filepath.Join("cdktf.out", "stacks", "keep", "cdk.tf.json")
	if err := os.MkdirAll(filepath.Dir(sentinel), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sentinel, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			env := cli.Env{Stdout: &log, Stderr: &log, Example: example,
				Getenv: func(k string) string { return map[string]string{"CLUSTER_CONFIG": tc.path}[k] }}
			if code := cli.Main(nil, env); code != 1 {
				t.Fatalf("exit status %d; want 1\n%s", code, log.String())
			}
			out := log.String()
			if !strings.HasPrefix(out, "error: ") || strings.Count(out, "error: ") != 1 || !strings.Contains(out, tc.want) {
				t.Errorf("want one error mentioning %q, got:\n%s", tc.want, out)
			}
			entries, _ := os.ReadDir("cdktf.out")
			data, _ := os.ReadFile(sentinel)
			if len(entries) != 1 || string(data) != "{}" {
				t.Errorf("the output directory was touched: %v", entries)
			}
		})
	}
}
