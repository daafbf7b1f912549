package report

import (
	"encoding/base64"
	"fmt"
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
		{"nothing", old, []string{"no launch template, group or subnet of a group changes: no instance rolls"}},
		{"volume size", map[string]Rollout{"auth-x": {Teleport: "17.4.8", AMIGeneration: "g1", Template: `{"block_device_mappings":[{"ebs":{"volume_size":80}}]}`},
			"proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"1. auth-x: launch template changed (block_device_mappings.ebs.volume_size): the group rolls (instance refresh)"}},
		{"auth ahead", map[string]Rollout{"auth-x": {Teleport: "17.5.0", AMIGeneration: "g1"}, "proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"1. auth-x: Teleport 17.4.8 -> 17.5.0; the auth group rolls first"}},
		{"everything", map[string]Rollout{"auth-x": {Teleport: "17.5.0", AMIGeneration: "g2"}, "proxy-a": {Teleport: "17.5.0", AMIGeneration: "g2"}, "proxy-b": {Teleport: "17.5.0", AMIGeneration: "g2"}},
			[]string{"1. auth-x: Teleport 17.4.8 -> 17.5.0, AMI settings g1 -> g2", "2. proxy-a: Teleport 17.4.8 -> 17.5.0, AMI settings g1 -> g2; its new proxies wait", "2. proxy-b:"}},
		{"new region", map[string]Rollout{"auth-x": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-c": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"2. proxy-c: new stack: its proxies start at Teleport 17.4.8, each held in its launch hook until every auth server runs it; nothing of it runs yet, so nothing rolls"}},
		{"new auth region", map[string]Rollout{"auth-y": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-a": {Teleport: "17.4.8", AMIGeneration: "g1"}, "proxy-b": {Teleport: "17.4.8", AMIGeneration: "g1"}},
			[]string{"1. auth-y: new stack: its auth servers start at Teleport 17.4.8; nothing of it runs yet, so nothing rolls"}},
	}
	for _, c := range cases {
		auth := "auth-x"
		if _, ok := c.after[auth]; !ok {
			auth = "auth-y"
		}
		got := RolloutPlan(old, c.after, auth)
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
	// A replaced group or subnet replaces instances at once: never "no
	// instance rolls".
	group := func(hook int, zone string) Rollout {
		return Rollout{Teleport: "17.4.8", AMIGeneration: "g1",
			Group:   fmt.Sprintf(`{"name":"p","vpc_zone_identifier":["${aws_subnet.s.id}"],"initial_lifecycle_hook":[{"name":"h","heartbeat_timeout":%d}]}`, hook),
			Subnets: map[string]string{"s": `{"availability_zone":"` + zone + `"}`}}
	}
	for _, c := range []struct {
		name        string
		before, now Rollout
		want        string
	}{
		{"group replaced", group(600, "a"), group(900, "a"), "1. auth-x: Auto Scaling group replaced (initial_lifecycle_hook): every instance at once, not a roll"},
		{"subnet replaced", group(600, "a"), group(600, "b"), "1. auth-x: subnets replaced: s (availability_zone): the instances in them are terminated with them, not rolled"},
		{"template replaced", Rollout{Teleport: "1", Template: `{"name":"a"}`}, Rollout{Teleport: "1", Template: `{"name":"b"}`}, "1. auth-x: launch template replaced (name): every instance of the group is replaced at once, not rolled"},
	} {
		got := RolloutPlan(map[string]Rollout{"auth-x": c.before}, map[string]Rollout{"auth-x": c.now}, "auth-x")
		if len(got) != 1 || !strings.HasPrefix(got[0], c.want) {
			t.Errorf("%s: %q; want %q", c.name, got, c.want)
		}
		// Replaced at once is no roll: the line must not also say the
		// group rolls one instance at a time.
		if len(got) == 1 && strings.Contains(got[0], "rolls first") {
			t.Errorf("%s: a replacement also described as a roll: %q", c.name, got[0])
		}
	}
	ignored := group(600, "a")
	ignored.Group = strings.Replace(ignored.Group, `{"name":"p",`, `{"name":"p","lifecycle":{"ignore_changes":["initial_lifecycle_hook"]},`, 1)
	later := ignored
	later.Group = strings.Replace(later.Group, "600", "900", 1)
	if got := RolloutPlan(map[string]Rollout{"auth-x": ignored}, map[string]Rollout{"auth-x": later}, "auth-x"); len(got) != 1 || !strings.Contains(got[0], "no instance rolls") {
		t.Errorf("ignored hook change: %q", got)
	}
	if got := RolloutPlan(nil, old, "auth-x"); len(got) != 1 || got[0] != FirstRollout {
		t.Errorf("first synth: %q", got)
	}
}

func TestReadRollouts(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/bash\n# " + teleportconfig.RolloutMarker("17.4.8", "abc") + "\n"
	stack := `{"resource":{"aws_launch_template":{"x":{"user_data":"` + base64.StdEncoding.EncodeToString([]byte(script)) + `"}},
"aws_autoscaling_group":{"g":{"name":"p","launch_template":{"id":"${aws_launch_template.x.id}"},"vpc_zone_identifier":["${aws_subnet.s.id}"]}},
"aws_subnet":{"s":{"availability_zone":"a"},"other":{"availability_zone":"b"}}}}`
	if err := os.MkdirAll(filepath.Join(dir, "stacks", "proxy-a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stacks", "proxy-a", "cdk.tf.json"), []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRollouts(dir)
	if err != nil || got["proxy-a"].Teleport != "17.4.8" || got["proxy-a"].AMIGeneration != "abc" || !strings.Contains(got["proxy-a"].Template, "user_data") ||
		!strings.Contains(got["proxy-a"].Group, `"name":"p"`) || len(got["proxy-a"].Subnets) != 1 || got["proxy-a"].Subnets["s"] != `{"availability_zone":"a"}` {
		t.Errorf("ReadRollouts = %v, %v", got, err)
	}
	if got, err := ReadRollouts(filepath.Join(dir, "absent")); err != nil || len(got) != 0 {
		t.Errorf("missing dir: %v, %v", got, err)
	}
}
