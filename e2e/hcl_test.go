package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/example/teleport-multi-region/deploy"
	tfjson "github.com/hashicorp/terraform-json"
)

// The HCL rendering (SYNTH_HCL_OUTPUT=true, what scanners read and what a
// team may keep instead of JSON) plans exactly like the JSON rendering:
// the example's auth stack, the largest and the one that reads no other
// stack, is planned from both against one emulator with the real provider,
// and the plans' planned values, resource changes and outputs must be
// equal. cdktf's HCL renderer has known escaping gaps (\ and " inside
// function arguments, docs/development.md); a plan compares what Terraform
// reads, not the text.
func TestHCLPlansLikeJSON(t *testing.T) {
	need(t)
	t.Parallel()
	cfg := load(t, "examples/cluster.yaml")
	stack := cfg.Names().AuthStack(cfg.Auth.Region)
	jsonOut := synth(t, cfg, "", "")
	hclOut := synth(t, cfg, "", "", "SYNTH_HCL_OUTPUT=true")
	hclFile := filepath.Join(hclOut, "stacks", stack, "cdk.tf")
	hcl, err := os.ReadFile(hclFile)
	if err != nil {
		t.Fatalf("the HCL synth wrote no %s: %v", hclFile, err)
	}

	c := newCluster(t, cfg)
	c.opts.Only = []string{stack}
	start := time.Now()
	m, err := deploy.ReadManifest(copyOutput(t, jsonOut))
	if err != nil {
		t.Fatal(err)
	}
	res, err := deploy.Run(context.Background(), m, deploy.Plan, c.opts)
	if err != nil {
		t.Fatalf("plan of the JSON rendering: %v", err)
	}
	var fromJSON *tfjson.Plan
	var dir string
	for _, s := range res.Stacks {
		if s.Stack.Name == stack {
			fromJSON, dir = s.Plan, s.Stack.Dir
		}
	}
	if fromJSON == nil {
		t.Fatalf("no plan of %s", stack)
	}
	t.Logf("JSON rendering planned in %s: %d resource changes", time.Since(start).Round(time.Second), len(fromJSON.ResourceChanges))

	// The same working directory (the runner's override file, the
	// initialized provider, the local state) with the HCL rendering in
	// place of the JSON one.
	if err := os.Remove(filepath.Join(dir, "cdk.tf.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf"), hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	tf := os.Getenv(deploy.BinaryEnv)
	if tf == "" {
		tf = "terraform"
	}
	env := os.Environ()
	for k, v := range c.opts.Env {
		env = append(env, k+"="+v)
	}
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(tf, args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
		}
		return out
	}
	start = time.Now()
	run("plan", "-input=false", "-lock=false", "-out=hcl.tfplan")
	var fromHCL tfjson.Plan
	if err := json.Unmarshal(run("show", "-json", "hcl.tfplan"), &fromHCL); err != nil {
		t.Fatal(err)
	}
	t.Logf("HCL rendering planned in %s: %d resource changes", time.Since(start).Round(time.Second), len(fromHCL.ResourceChanges))

	if len(fromJSON.ResourceChanges) == 0 {
		t.Fatal("the JSON plan changes nothing: nothing compared")
	}
	if !reflect.DeepEqual(fromJSON.PlannedValues, fromHCL.PlannedValues) {
		t.Error("planned values differ")
	}
	byAddr := map[string]*tfjson.ResourceChange{}
	for _, rc := range fromHCL.ResourceChanges {
		byAddr[rc.Address] = rc
	}
	for _, rc := range fromJSON.ResourceChanges {
		h := byAddr[rc.Address]
		switch {
		case h == nil:
			t.Errorf("%s: planned from JSON only", rc.Address)
		case !reflect.DeepEqual(rc.Change, h.Change):
			t.Errorf("%s: %s\n  from JSON: %s\n  from HCL:  %s", rc.Address, "changes differ", short(rc.Change.After), short(h.Change.After))
		}
		delete(byAddr, rc.Address)
	}
	for addr := range byAddr {
		t.Errorf("%s: planned from HCL only", addr)
	}
	if !reflect.DeepEqual(fromJSON.OutputChanges, fromHCL.OutputChanges) {
		t.Error("output changes differ")
	}
}
