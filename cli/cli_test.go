package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	example, _ := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	return Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }, Example: example}, &out, &errOut
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("cluster_name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		vars   map[string]string
		code   int
		stdout string
		stderr string
	}{
		{"example file", []string{"../examples/cluster.yaml"}, nil, 0, "ok: ../examples/cluster.yaml: cluster \"example\"", ""},
		{"from CLUSTER_CONFIG", nil, map[string]string{"CLUSTER_CONFIG": "../testdata/configs/transit-gateway.yaml"}, 0, "connectivity: transit_gateway", ""},
		{"bad file", []string{bad}, nil, 1, "", "bad.yaml"},
		{"missing file", []string{filepath.Join(dir, "nope.yaml")}, nil, 1, "", "not found"},
		{"two files", []string{bad, bad}, nil, 2, "", "at most one file"},
	}
	for _, c := range cases {
		e, out, errOut := env(c.vars)
		start := time.Now()
		code := Main(append([]string{"validate"}, c.args...), e)
		if took := time.Since(start); took > time.Second {
			t.Logf("%s: validate took %s", c.name, took) // a figure, not an assertion
		}
		if code != c.code || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errOut.String(), c.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", c.name, code, out, errOut)
		}
	}
}

func TestBadLazySwitch(t *testing.T) {
	e, out, errOut := env(map[string]string{"SYNTH_LAZY_PROVIDERS": "off", "CLUSTER_CONFIG": "../examples/cluster.yaml"})
	if code := Main(nil, e); code != 1 || out.Len() != 0 || !strings.Contains(errOut.String(), `SYNTH_LAZY_PROVIDERS="off": want true or false`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestHelpAndUsage(t *testing.T) {
	e, out, _ := env(nil)
	if Main([]string{"--help"}, e) != 0 {
		t.Fatal("--help failed")
	}
	for _, want := range []string{"validate [FILE]", "diff OLD NEW", "schema", "CLUSTER_CONFIG", "CDKTF_CONTEXT_JSON", "SYNTH_HCL_OUTPUT", "JSII_NODE", "SYNTH_LAZY_PROVIDERS", "NODE_OPTIONS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	e, _, errOut := env(nil)
	if Main([]string{"deploy"}, e) != 2 || !strings.Contains(errOut.String(), `unknown command "deploy"`) {
		t.Errorf("unknown command: %s", errOut)
	}
}

// Under the cdktf CLI (CDKTF_CONTEXT_JSON set) progress goes to stdout:
// the CLI shows the app's stderr as [ERROR] lines.
func TestProgressWriter(t *testing.T) {
	e, out, _ := env(map[string]string{"CDKTF_CONTEXT_JSON": "{}"})
	if progressWriter(e) != out {
		t.Error("progress does not go to stdout under the cdktf CLI")
	}
	e, _, errOut := env(nil)
	if progressWriter(e) != errOut {
		t.Error("progress does not go to stderr")
	}
}
