package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// writeOutdir writes a manifest and minimal stack files: deps maps a stack
// to the stacks it depends on.
func writeOutdir(t *testing.T, deps map[string][]string, stackJSON map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	stacks := map[string]any{}
	for name, d := range deps {
		if d == nil {
			d = []string{}
		}
		stacks[name] = map[string]any{
			"name":                 name,
			"synthesizedStackPath": "stacks/" + name + "/cdk.tf.json",
			"workingDirectory":     "stacks/" + name,
			"dependencies":         d,
		}
		body := stackJSON[name]
		if body == "" {
			body = `{"resource":{"aws_vpc":{"a":{},"b":{}},"aws_subnet":{"c":{}}}}`
		}
		if err := os.MkdirAll(filepath.Join(dir, "stacks", name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "stacks", name, "cdk.tf.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := json.Marshal(map[string]any{"version": "0.20.11", "stacks": stacks})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOrderWaves(t *testing.T) {
	dir := writeOutdir(t, map[string][]string{
		"auth":    nil,
		"proxy-a": {"auth"},
		"proxy-b": {"auth", "proxy-a"},
		"proxy-c": {"auth"},
		"dns":     {"auth", "proxy-a", "proxy-b", "proxy-c"},
	}, nil)
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	waves, err := m.Order()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"auth"}, {"proxy-a", "proxy-c"}, {"proxy-b"}, {"dns"}}
	if !reflect.DeepEqual(waves, want) {
		t.Errorf("waves = %v, want %v", waves, want)
	}
	if got := m.Stack("auth").Resources; got != 3 {
		t.Errorf("auth resources = %d, want 3", got)
	}
	if got := m.dependents("proxy-a"); !reflect.DeepEqual(got, []string{"dns", "proxy-b"}) {
		t.Errorf("dependents(proxy-a) = %v", got)
	}
}

func TestManifestRefusesBrokenGraphs(t *testing.T) {
	for name, tc := range map[string]struct {
		deps map[string][]string
		want string
	}{
		"cycle":   {map[string][]string{"a": {"b"}, "b": {"a"}, "c": nil}, "stacks a, b depend on each other in a cycle"},
		"missing": {map[string][]string{"a": {"gone"}}, "stack a depends on gone, which the manifest does not list"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadManifest(writeOutdir(t, tc.deps, nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
	if _, err := ReadManifest(t.TempDir()); err == nil || !strings.Contains(err.Error(), "synthesize first") {
		t.Errorf("no manifest: err = %v", err)
	}
}

func TestCountChanges(t *testing.T) {
	rc := func(mode tfjson.ResourceMode, actions ...tfjson.Action) *tfjson.ResourceChange {
		return &tfjson.ResourceChange{Mode: mode, Change: &tfjson.Change{Actions: actions}}
	}
	plan := &tfjson.Plan{ResourceChanges: []*tfjson.ResourceChange{
		rc(tfjson.ManagedResourceMode, tfjson.ActionCreate),
		rc(tfjson.ManagedResourceMode, tfjson.ActionCreate),
		rc(tfjson.ManagedResourceMode, tfjson.ActionUpdate),
		rc(tfjson.ManagedResourceMode, tfjson.ActionDelete, tfjson.ActionCreate),
		rc(tfjson.ManagedResourceMode, tfjson.ActionCreate, tfjson.ActionDelete),
		rc(tfjson.ManagedResourceMode, tfjson.ActionDelete),
		rc(tfjson.ManagedResourceMode, tfjson.ActionNoop),
		rc(tfjson.DataResourceMode, tfjson.ActionRead),
	}}
	got := CountChanges(plan)
	want := Changes{Add: 2, Change: 1, Replace: 2, Destroy: 1}
	if got != want {
		t.Errorf("CountChanges = %+v, want %+v", got, want)
	}
	if got.String() != "2 to add, 1 to change, 2 to replace, 1 to destroy" {
		t.Errorf("String = %q", got.String())
	}
}

func TestOverrideFile(t *testing.T) {
	stack := `{
	  "terraform": {"required_providers": {"aws": {"source": "aws", "version": "5.88.0"}}},
	  "provider": {"aws": [{"region": "us-west-2"}, {"alias": "us-east-1", "region": "us-east-1"}]},
	  "data": {"terraform_remote_state": {"cross-stack-reference-input-auth": {"backend": "s3", "config": {"bucket": "b", "key": "prefix/auth.tfstate"}}}}
	}`
	dir := writeOutdir(t, map[string][]string{"proxy": nil}, map[string]string{"proxy": stack})
	stackDir := filepath.Join(dir, "stacks", "proxy")
	read := func() map[string]any {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(stackDir, OverrideFile))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}

	// A mirror without the pinned version widens the constraint.
	if err := writeOverride(stackDir, &Mirror{Dir: "/m", Versions: []string{"5.100.0"}}, nil, ""); err != nil {
		t.Fatal(err)
	}
	doc := read()
	if v := doc["terraform"].(map[string]any)["required_providers"].(map[string]any)["aws"].(map[string]any)["version"]; v != ">= 5.88.0" {
		t.Errorf("version = %v, want >= 5.88.0", v)
	}
	if _, ok := doc["provider"]; ok {
		t.Errorf("provider settings written without any: %v", doc)
	}

	// The emulator's settings reach every provider block, aliases kept;
	// the state and the remote-state reads go to the local directory.
	if err := writeOverride(stackDir, nil, map[string]any{"s3_use_path_style": true}, "/work/.emulator"); err != nil {
		t.Fatal(err)
	}
	doc = read()
	blocks := doc["provider"].(map[string]any)["aws"].([]any)
	if len(blocks) != 2 || blocks[1].(map[string]any)["alias"] != "us-east-1" || blocks[0].(map[string]any)["s3_use_path_style"] != true {
		t.Errorf("provider blocks = %v", blocks)
	}
	backend := doc["terraform"].(map[string]any)["backend"].(map[string]any)["local"].(map[string]any)["path"]
	if backend != "/work/.emulator/terraform.proxy.tfstate" {
		t.Errorf("backend path = %v", backend)
	}
	read1 := doc["data"].(map[string]any)["terraform_remote_state"].(map[string]any)["cross-stack-reference-input-auth"].(map[string]any)
	if read1["backend"] != "local" || read1["config"].(map[string]any)["path"] != "/work/.emulator/terraform.auth.tfstate" {
		t.Errorf("remote state read = %v", read1)
	}

	// Nothing to override: no file.
	if err := writeOverride(stackDir, &Mirror{Dir: "/m", Versions: []string{"5.88.0"}}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(stackDir, OverrideFile)); !os.IsNotExist(err) {
		t.Errorf("override file left behind: %v", err)
	}
}

func TestFindMirror(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "registry.terraform.io", "hashicorp", "aws", "5.100.0", runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-aws_v5.100.0_x5")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

	m, err := FindMirror(env(map[string]string{MirrorEnv: root}))
	if err != nil || m == nil || m.Dir != root || !reflect.DeepEqual(m.Versions, []string{"5.100.0"}) {
		t.Errorf("from the variable: %+v, %v", m, err)
	}
	if m, err := FindMirror(env(map[string]string{MirrorEnv: "registry"})); m != nil || err != nil {
		t.Errorf("registry: %+v, %v", m, err)
	}
	if _, err := FindMirror(env(map[string]string{MirrorEnv: t.TempDir()})); err == nil {
		t.Error("an empty mirror named by the variable is accepted")
	}
	// Found by the search, below the search root.
	if m := searchMirror(filepath.Dir(root), 3); m == nil || m.Dir != root {
		t.Errorf("search found %+v, want %s", m, root)
	}
}
