package report

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

func TestRolloutPlan(t *testing.T) {
	old := map[string]Rollout{"auth-x": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}}
	cases := []struct {
		name  string
		after map[string]Rollout
		want  []string
	}{
		{"nothing", old, []string{"no launch template changes: no instance rolls"}},
		{"volume size", map[string]Rollout{"auth-x": {Teleport: "17.4.8", AMIGeneration: "g1", Template: `{"block_device_mappings":[{"ebs":{"volume_size":80}}]}`},
			"proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"1. auth-x: launch template changed (block_device_mappings.ebs.volume_size): the group rolls (instance refresh)"}},
		{"auth ahead", map[string]Rollout{"auth-x": {Teleport: "17.5.0", AMIGeneration: "g1"}, "proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"1. auth-x: Teleport 17.4.8 -> 17.5.0; the auth group rolls first"}},
		{"everything", map[string]Rollout{"auth-x": {Teleport: "17.5.0", AMIGeneration: "g2"}, "proxy-a": {Teleport: "17.5.0", AMIGeneration: "g2"}, "proxy-b": {Teleport: "17.5.0", AMIGeneration: "g2"}},
			[]string{"1. auth-x: Teleport 17.4.8 -> 17.5.0, AMI settings g1 -> g2", "2. proxy-a: Teleport 17.4.8 -> 17.5.0, AMI settings g1 -> g2; its new proxies wait", "2. proxy-b:"}},
		{"new region", map[string]Rollout{"auth-x": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-c": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"2. proxy-c: new stack at Teleport 17.4.8"}},
	}
	for _, c := range cases {
		got := RolloutPlan(old, c.after, "auth-x")
		if len(got) != len(c.want) {
			t.Errorf("%s: %q", c.name, got)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], c.want[i]) {
				t.Errorf("%s: line %d = %q; want prefix %q", c.name, i, got[i], c.want[i])
			}
		}
	}
	if got := RolloutPlan(nil, old, "auth-x"); !strings.Contains(got[0], "no previous synth") {
		t.Errorf("first synth: %q", got)
	}
}

func TestReadRollouts(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/bash\n# " + teleportconfig.RolloutMarker("17.4.8", "abc") + "\n"
	stack := `{"resource":{"aws_launch_template":{"x":{"user_data":"` + base64.StdEncoding.EncodeToString([]byte(script)) + `"}}}}`
	if err := os.MkdirAll(filepath.Join(dir, "stacks", "proxy-a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stacks", "proxy-a", "cdk.tf.json"), []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRollouts(dir)
	if err != nil || got["proxy-a"].Teleport != "17.4.8" || got["proxy-a"].AMIGeneration != "abc" || !strings.Contains(got["proxy-a"].Template, "user_data") {
		t.Errorf("ReadRollouts = %v, %v", got, err)
	}
	if got, err := ReadRollouts(filepath.Join(dir, "absent")); err != nil || len(got) != 0 {
		t.Errorf("missing dir: %v, %v", got, err)
	}
}
