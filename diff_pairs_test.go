package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/report"
)

// outputOf is a synth's output as report reads it.
func outputOf(t *testing.T, synth string) *report.Output {
	t.Helper()
	out := &report.Output{Dependencies: manifest(t, synth), Stacks: map[string]report.Stack{}}
	for rel, data := range synthOf(t, synth).files {
		if strings.HasPrefix(rel, "stacks/") && strings.HasSuffix(rel, "/cdk.tf.json") {
			var s report.Stack
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			out.Stacks[strings.Split(rel, "/")[1]] = s
		}
	}
	return out
}

// The diff of synthesized pairs says what Terraform will do and exits as CI
// needs it: 0 without changes, 2 with changes, 3 with dangerous ones.
func TestDiffOfSynthesizedPairs(t *testing.T) {
	cases := []struct {
		before, after string
		status        int
		want, not     []string
	}{
		{"example", "example-again", report.ExitNoChanges, []string{report.NoChanges}, nil},
		{"example", "example-plus-region", report.ExitChanges,
			[]string{"### Stack proxy-ap-southeast-2: added (", "- **add** `aws_route53_record.records-ap-southeast-2_root_"},
			[]string{"to replace, 1 to destroy", "**replace**"}},
		{"example", "example-takeover", report.ExitChanges,
			[]string{"- **change** `aws_route53_record.records-ap-south-1_root_", "  - `records`: added `\"${data.terraform_remote_state.cross-stack-reference-input-proxy-ap-southeast-1."},
			[]string{"**replace** `aws_route53_record"}},
		// Terraform replaces 44 resources (the VPC, everything in it and what
		// references it, the peerings and accepters of the other regions
		// included: counted on the emulator's plan, issue 27), and the
		// region's two peer prefix list entries (in its proxy stack and in
		// the mesh stack of us-west-1; inline in the list before issue 31):
		// 46.
		{"example", "example-cidr", report.ExitDangerous,
			[]string{"- **replace** `aws_vpc.network_vpc_", "  - `cidr_block`: `\"10.2.0.0/16\"` → `\"10.9.0.0/16\"` (forces replacement)", "- **replace** `aws_subnet.",
				" 46 to replace, 0 to destroy.**", "proxy-eu-central-1: replaces VPC `aws_vpc.network_vpc_4E8F0223`, used by 16 resources",
				"- **replace** `aws_vpc_peering_connection_accepter.", "- **replace** `aws_route53_zone_association."},
			nil},
		// Two zones swapped for two others in one step, synthesized without
		// the previous output (which would refuse it, TestZoneChanges): a
		// zone that stays moves to the first block, and the load balancer's
		// update turns into a replacement during the apply.
		{"example", "example-zone", report.ExitDangerous, []string{"**Total: 11 to add, 5 to change, 5 to replace, 10 to destroy.**",
			"- **change** `aws_lb.proxy_load-balancer_nlb_", "Terraform stops the apply (\"Provider produced inconsistent final plan\")",
			"replaces subnet `aws_subnet.network_public-euc1-az2_"}, nil},
		{"example", "example-auth-volume", report.ExitChanges,
			[]string{"- **change** `aws_launch_template.auth_instances_launch-template_", "the group `example-auth` rolls (instance refresh)"}, nil},
		{"example", "example-retired", report.ExitDangerous,
			[]string{"proxy-eu-central-1: removes the protected KMS key", "### Stack proxy-eu-central-1: 0 to add, 0 to change, 0 to replace, "}, nil},
		{"example-retired", "example-deleted", report.ExitChanges,
			[]string{"### Stack proxy-eu-central-1: removed from the app (`go run . apply` no longer plans it; it held no resource)", "- **providers**: removed eu-central-1"},
			[]string{"### Danger"}},
		{"example", "example-deleted", report.ExitDangerous,
			[]string{fmt.Sprintf("stack proxy-eu-central-1 is removed from the app while it still holds %d resources (it was not retired first)", resourceCount(t, "example", "proxy-eu-central-1")),
				"mesh-us-west-1: the plan fails (Provider configuration not present): it must destroy "}, nil},
		{"example", "example-identity", report.ExitDangerous,
			[]string{"`cluster_name` changes from example to renamed", "`domain` changes from teleport.example.com to tp.example.com", "`auth.region` changes from us-west-2 to us-east-2: the auth stack auth-us-east-2 is new and creates empty tables",
				fmt.Sprintf("stack auth-us-west-2 is removed from the app while it still holds %d resources", resourceCount(t, "example", "auth-us-west-2")), "an auth region cannot be retired"}, nil},
		{"example", "example-unprotected", report.ExitChanges, []string{"  - `lifecycle.prevent_destroy`: `true` → (unset)"}, nil},
	}
	for _, c := range cases {
		res := report.DiffOutputs(outputOf(t, c.before), outputOf(t, c.after))
		if got := res.ExitStatus(); got != c.status {
			t.Errorf("%s -> %s: exit status %d; want %d", c.before, c.after, got, c.status)
		}
		for _, w := range c.want {
			if !strings.Contains(res.Markdown, w) {
				t.Errorf("%s -> %s: diff lacks %q", c.before, c.after, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(res.Markdown, w) {
				t.Errorf("%s -> %s: diff has %q", c.before, c.after, w)
			}
		}
		if os.Getenv("DIFF_DEBUG") == "all" {
			t.Logf("%s -> %s: %v", c.before, c.after, res.Total)
		}
		if (t.Failed() || os.Getenv("DIFF_DEBUG") == "all") && os.Getenv("DIFF_DEBUG") != "" {
			t.Logf("%s -> %s:\n%s", c.before, c.after, res.Markdown)
		}
	}
}

// The synth's rollout plan says that an auth volume change rolls the auth
// group, read from two synthesized outputs.
func TestRolloutPlanOnTemplateChange(t *testing.T) {
	rollouts := func(synth string) map[string]report.Rollout {
		dir := t.TempDir()
		for rel, data := range synthOf(t, synth).files {
			if strings.HasPrefix(rel, "stacks/") {
				p := filepath.Join(dir, rel)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		r, err := report.ReadRollouts(dir)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	plan := report.RolloutPlan(rollouts("example"), rollouts("example-auth-volume"), "auth-us-west-2")
	if len(plan) != 1 || !strings.HasPrefix(plan[0], "1. auth-us-west-2: launch template changed (block_device_mappings.ebs.volume_size): the group rolls (instance refresh)") {
		t.Errorf("rollout plan after an auth volume change: %q", plan)
	}
}

// resourceCount is how many resources a synthesized stack declares.
func resourceCount(t *testing.T, synth, stack string) int {
	n := 0
	for _, byName := range get(stackOf(t, synth, stack), "resource").(map[string]any) {
		n += len(byName.(map[string]any))
	}
	return n
}
