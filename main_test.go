package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// Every file the docs' commands write into the working directory (a
// redirect such as `> diff.md`, a binary built with -o) is git-ignored, so
// following a runbook leaves nothing for `git status` to offer to commit.
func TestDocumentedOutputsAreIgnored(t *testing.T) {
	ignore, err := os.ReadFile(".gitignore")
	if err != nil {
		t.Fatal(err)
	}
	ignored := map[string]bool{}
	for _, l := range strings.Split(string(ignore), "\n") {
		ignored[strings.TrimSuffix(strings.TrimPrefix(l, "/"), "/")] = true
	}
	// A shell redirect into a file with an extension, or go build -o: the
	// first path element is what lands in the checkout.
	written := regexp.MustCompile(`(?:(?:^|[\s(])> ?|go build -o )([A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z]+)?)(/[A-Za-z0-9._/-]+)?(?:[\s;)` + "`" + `]|$)`)
	docs, _ := filepath.Glob("docs/*.md")
	checked := 0
	for _, doc := range append(docs, "README.md") {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			for _, m := range written.FindAllStringSubmatch(line, -1) {
				if m[2] == "" && !strings.Contains(m[1], ".") && !strings.Contains(m[0], "go build") {
					continue // "> 0", prose
				}
				checked++
				if !ignored[m[1]] {
					t.Errorf("%s writes %s into the checkout, which .gitignore does not list: %s", doc, m[1], strings.TrimSpace(line))
				}
			}
		}
	}
	if checked == 0 {
		t.Error("found no documented output file: the pattern no longer matches the docs")
	}
}

// TestDiffExitStatusFromBinary runs `diff` the way the documented CI job
// does (docs/operations.md: Reviewing a change): from a built binary, its
// status read by the shell. `go run` would turn 2 and 3 into 1.
func TestDiffExitStatusFromBinary(t *testing.T) {
	doc, err := os.ReadFile("docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.Contains(line, "go run . diff") && strings.Contains(line, "$?") {
			t.Errorf("docs/operations.md reads diff's status under go run, which turns 2 and 3 into 1: %s", line)
		}
	}
	if !strings.Contains(string(doc), "../app diff ../old ../new") {
		t.Fatal("the documented CI job must run diff from a built binary")
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	if out, err := exec.Command("go", "build", "-o", app, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Outputs: the golden example as synthesized, and copies changed three
	// ways.
	golden := filepath.Join("testdata", "golden", "example")
	copyOut := func(name string, change func(root string)) string {
		root := filepath.Join(dir, name)
		if out, err := exec.Command("cp", "-r", golden, root).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		change(root)
		return root
	}
	edit := func(path, old, new string) {
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s lacks %q (%v)", path, old, err)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	same := copyOut("same", func(string) {})
	resized := copyOut("resized", func(root string) {
		edit(filepath.Join(root, "stacks", "proxy-us-west-1", "cdk.tf.json"), `"volume_size": 50`, `"volume_size": 60`)
	})
	unretired := copyOut("unretired", func(root string) {
		if err := os.RemoveAll(filepath.Join(root, "stacks", "proxy-eu-central-1")); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		data, _ := os.ReadFile(filepath.Join(root, "manifest.json"))
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		delete(m["stacks"].(map[string]any), "proxy-eu-central-1")
		data, _ = json.Marshal(m)
		if err := os.WriteFile(filepath.Join(root, "manifest.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{"no change", golden, same, "0"},
		{"changes", golden, resized, "2"},
		{"dangerous", golden, unretired, "3"},
		{"error", golden, filepath.Join(dir, "absent"), "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command("bash", "-c", `set +e; "$0" diff "$1" "$2" > /dev/null 2>&1; echo "status=$?"`, app, tc.old, tc.new).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "status="+tc.want {
				t.Errorf("%s: %q (%v); want status=%s", tc.name, out, err, tc.want)
			}
		})
	}
}

// Every "docs/<page>.md: <Section>" that the code tells a user to read (in
// errors, warnings, comments) names a heading of that page.
func TestDocReferencesResolve(t *testing.T) {
	ref := regexp.MustCompile(`docs/([a-z-]+)\.md: ([A-Z][^\n]*)`)
	headings := map[string][]string{}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range ref.FindAllStringSubmatch(string(src), -1) {
			page := m[1]
			if _, ok := headings[page]; !ok {
				doc, err := os.ReadFile(filepath.Join("docs", page+".md"))
				if err != nil {
					t.Errorf("%s names docs/%s.md, which does not exist", path, page)
					headings[page] = nil
					continue
				}
				for _, l := range strings.Split(string(doc), "\n") {
					if h, ok := strings.CutPrefix(l, "#"); ok {
						headings[page] = append(headings[page], strings.TrimLeft(h, "# "))
					}
				}
			}
			checked++
			// The section name ends the sentence, the parenthesis or the
			// line (a comment may wrap it): either it starts with a
			// heading, or a heading starts with it.
			name := strings.TrimSpace(m[2])
			if i := strings.IndexAny(name, ")\";`"); i >= 0 {
				name = name[:i]
			}
			name = strings.TrimSuffix(name, ".")
			found := false
			for _, h := range headings[page] {
				found = found || (h != "" && (strings.HasPrefix(name, h) || strings.HasPrefix(h, name)))
			}
			if !found && headings[page] != nil {
				t.Errorf("%s: %q names no heading of docs/%s.md", path, strings.TrimSpace(m[0]), page)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Errorf("checked %d references; the pattern no longer matches the code", checked)
	}
}
