package deploy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
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

// Drift counts only managed resources found deleted: changed or read ones
// are Terraform's to plan.
func TestGoneOnRefresh(t *testing.T) {
	rc := func(mode tfjson.ResourceMode, actions ...tfjson.Action) *tfjson.ResourceChange {
		return &tfjson.ResourceChange{Mode: mode, Change: &tfjson.Change{Actions: actions}}
	}
	plan := &tfjson.Plan{ResourceDrift: []*tfjson.ResourceChange{
		rc(tfjson.ManagedResourceMode, tfjson.ActionDelete),
		rc(tfjson.ManagedResourceMode, tfjson.ActionDelete),
		rc(tfjson.ManagedResourceMode, tfjson.ActionUpdate),
		rc(tfjson.DataResourceMode, tfjson.ActionDelete),
	}}
	if n := GoneOnRefresh(plan); n != 2 {
		t.Errorf("GoneOnRefresh = %d; want 2", n)
	}
	if n := GoneOnRefresh(&tfjson.Plan{}); n != 0 {
		t.Errorf("no drift: %d", n)
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

// fakeTerraform writes a stand-in for terraform that records every command
// (stack directory and subcommand) in log, plans changes for every stack
// (a create), and fails "plan" in the stacks named in failIn.
func fakeTerraform(t *testing.T, log string, failIn ...string) string {
	t.Helper()
	script := `#!/bin/sh
cmd="$1"
dir=$(basename "$PWD")
case "$cmd" in
version) echo '{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}'; exit 0;;
esac
echo "$dir $cmd" >> ` + log + `
for a in "$@"; do [ "$a" = "-refresh=false" ] && echo "$dir norefresh" >> ` + log + `; done
case " ` + strings.Join(failIn, " ") + ` " in *" $dir "*) if [ "$cmd" = plan ]; then echo "Error: boom in $dir" >&2; exit 1; fi;; esac
case "$cmd" in
plan) for a in "$@"; do case "$a" in -out=*) : > "${a#-out=}";; esac; done; exit 2;;
show) echo '{"format_version":"1.2","terraform_version":"1.11.4","resource_changes":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","change":{"actions":["create"]}}]}';;
esac
exit 0
`
	path := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func readLog(t *testing.T, log string) []string {
	t.Helper()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(string(data), " ", "/"))
}

// position returns the index of the first "stack/cmd" entry, or -1.
func position(lines []string, entry string) int {
	for i, l := range lines {
		if l == entry {
			return i
		}
	}
	return -1
}

func TestRunOrderAndFailure(t *testing.T) {
	deps := map[string][]string{
		"auth":    nil,
		"proxy-a": {"auth"},
		"proxy-b": {"auth", "proxy-a"},
		"dns":     {"auth", "proxy-a", "proxy-b"},
	}
	getenv := func(string) string { return "" }

	t.Run("apply in dependency order", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, err := ReadManifest(writeOutdir(t, deps, nil))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(t.Context(), m, Apply, Options{Binary: fakeTerraform(t, log), Stacks: 4, Getenv: getenv})
		if err != nil {
			t.Fatal(err)
		}
		lines := readLog(t, log)
		for stack, before := range deps {
			for _, d := range before {
				if position(lines, d+"/apply") > position(lines, stack+"/init") {
					t.Errorf("%s started before %s was applied: %v", stack, d, lines)
				}
			}
		}
		if got := res.Changes(); got != (Changes{Add: 4}) {
			t.Errorf("changes = %+v", got)
		}
		if !strings.Contains(res.Summary(), "| proxy-a | applied | 1 | 0 | 0 | 0 |") {
			t.Errorf("summary:\n%s", res.Summary())
		}
	})
	t.Run("destroy in reverse order", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		if _, err := Run(t.Context(), m, Destroy, Options{Binary: fakeTerraform(t, log), Getenv: getenv}); err != nil {
			t.Fatal(err)
		}
		lines := readLog(t, log)
		for stack, before := range deps {
			for _, d := range before {
				if position(lines, stack+"/apply") > position(lines, d+"/apply") {
					t.Errorf("%s destroyed after %s: %v", stack, d, lines)
				}
			}
		}
	})
	t.Run("destroy applies nothing unless every destroy plans", func(t *testing.T) {
		// auth, destroyed last, refuses (prevent_destroy): dns, destroyed
		// first, must not lose its records.
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		_, err := Run(t.Context(), m, Destroy, Options{Binary: fakeTerraform(t, log, "auth"), Getenv: getenv})
		if err == nil || !strings.Contains(err.Error(), "nothing was destroyed") {
			t.Fatalf("err = %v, want nothing destroyed", err)
		}
		for _, l := range readLog(t, log) {
			if strings.HasSuffix(l, "/apply") {
				t.Errorf("%s ran although auth's destroy plan failed", l)
			}
		}
	})
	t.Run("stops at the first failure", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		res, err := Run(t.Context(), m, Apply, Options{Binary: fakeTerraform(t, log, "proxy-a"), Getenv: getenv})
		if err == nil || !strings.Contains(err.Error(), "stack proxy-a") || !strings.Contains(err.Error(), "boom in proxy-a") {
			t.Fatalf("err = %v, want proxy-a's error with Terraform's message", err)
		}
		lines := readLog(t, log)
		for _, never := range []string{"proxy-b/init", "dns/init"} {
			if position(lines, never) >= 0 {
				t.Errorf("%s ran after proxy-a failed: %v", never, lines)
			}
		}
		if got := res.Names(StatusSkipped); !reflect.DeepEqual(got, []string{"dns", "proxy-b"}) {
			t.Errorf("not started = %v", got)
		}
	})
	t.Run("a plan waits for a producer with changes", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		res, err := Run(t.Context(), m, Plan, Options{Binary: fakeTerraform(t, log, "dns"), Getenv: getenv})
		if err != nil {
			t.Fatalf("a stack whose producers have changes failed the plan: %v", err)
		}
		if got := res.Names(StatusWaiting); !reflect.DeepEqual(got, []string{"dns"}) {
			t.Errorf("waiting = %v", got)
		}
		if position(readLog(t, log), "auth/apply") >= 0 {
			t.Error("a plan applied something")
		}
	})
	t.Run("a refused plan applies nothing of its stack", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		var checked []string
		check := func(stack string, plan *tfjson.Plan) error {
			checked = append(checked, stack)
			if stack == "proxy-a" && len(plan.ResourceChanges) == 1 {
				return errors.New("it destroys what another stack declares")
			}
			return nil
		}
		res, err := Run(t.Context(), m, Apply, Options{Binary: fakeTerraform(t, log), Stacks: 1, CheckPlan: check, Getenv: getenv})
		if err == nil || !strings.Contains(err.Error(), "stack proxy-a: apply failed") || !strings.Contains(err.Error(), "its plan is refused, nothing of it applied: it destroys what another stack declares") {
			t.Fatalf("err = %v", err)
		}
		lines := readLog(t, log)
		if position(lines, "proxy-a/apply") >= 0 || position(lines, "auth/apply") < 0 {
			t.Errorf("proxy-a's refused plan was applied, or auth's was not: %v", lines)
		}
		if !slices.Contains(checked, "auth") {
			t.Errorf("checked %v", checked)
		}
		// In a plan, a refusal is its own failure, not a wait for auth's
		// changes.
		res, err = Run(t.Context(), m, Plan, Options{Binary: fakeTerraform(t, filepath.Join(t.TempDir(), "log")), CheckPlan: check, Getenv: getenv})
		if err == nil || !reflect.DeepEqual(res.Names(StatusFailed), []string{"proxy-a"}) {
			t.Errorf("plan: err %v, failed %v", err, res.Names(StatusFailed))
		}
		// A destroy is never checked.
		checked = nil
		if _, err := Run(t.Context(), m, Destroy, Options{Binary: fakeTerraform(t, filepath.Join(t.TempDir(), "log")), CheckPlan: check, Getenv: getenv}); err != nil || len(checked) > 0 {
			t.Errorf("destroy: %v, checked %v", err, checked)
		}
	})
	t.Run("no refresh only where asked, never for plan", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		if _, err := Run(t.Context(), m, Apply, Options{Binary: fakeTerraform(t, log), NoRefresh: true, Getenv: getenv}); err != nil {
			t.Fatal(err)
		}
		if position(readLog(t, log), "auth/norefresh") < 0 {
			t.Error("apply with NoRefresh planned with a refresh")
		}
		log2 := filepath.Join(t.TempDir(), "log")
		if _, err := Run(t.Context(), m, Plan, Options{Binary: fakeTerraform(t, log2), NoRefresh: true, Getenv: getenv}); err != nil {
			t.Fatal(err)
		}
		if position(readLog(t, log2), "auth/norefresh") >= 0 {
			t.Error("a plan skipped the refresh")
		}
	})
	t.Run("only the named stacks", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		m, _ := ReadManifest(writeOutdir(t, deps, nil))
		res, err := Run(t.Context(), m, Apply, Options{Binary: fakeTerraform(t, log), Only: []string{"dns"}, Getenv: getenv})
		if err != nil {
			t.Fatal(err)
		}
		if lines := readLog(t, log); position(lines, "auth/init") >= 0 || position(lines, "dns/apply") < 0 {
			t.Errorf("ran %v, want dns only", lines)
		}
		if got := res.Names(StatusNotSelected); len(got) != 3 {
			t.Errorf("not selected = %v", got)
		}
		if _, err := Run(t.Context(), m, Apply, Options{Binary: fakeTerraform(t, log), Only: []string{"nope"}, Getenv: getenv}); err == nil || !strings.Contains(err.Error(), "no stack nope") {
			t.Errorf("unknown stack: %v", err)
		}
	})
}
