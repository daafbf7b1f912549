package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/instances"
	"github.com/example/teleport-multi-region/constructs/storage"
)

// Upgrades run in Teleport's order: the auth group first, proxies held in
// their launch hook until every auth server runs their release and AMI
// settings. Checked on the synthesized stacks and on the plan a synth prints.
func TestUpgradeOrder(t *testing.T) {
	for _, region := range []string{"eu-central-1", "us-west-1"} {
		s := stackOf(t, "example", "proxy-"+region)
		asg := s.one(t, "aws_autoscaling_group")
		hook := get(asg, "initial_lifecycle_hook", 0)
		if get(hook, "lifecycle_transition") != "autoscaling:EC2_INSTANCE_LAUNCHING" || get(hook, "default_result") != "ABANDON" ||
			get(hook, "name") != "example-proxy-wait-for-auth" || asg["wait_for_capacity_timeout"] != instances.CreateWaitTimeout {
			t.Errorf("%s: launch hook %v, wait_for_capacity_timeout %v", region, hook, asg["wait_for_capacity_timeout"])
		}
		script, _ := userData(t, s.one(t, "aws_launch_template"))
		// The order (gate, start, complete) is tested on the script
		// (constructs/teleportconfig TestProxyBootWaitsForAuthRelease).
		if env := bootEnv(t, script); env["LAUNCH_HOOK"] != "example-proxy-wait-for-auth" || env["GROUP_NAME"] != "example-proxy" ||
			env["ROLLOUT_PARAMETER"] != "/teleport/example/auth-rollout" {
			t.Errorf("%s: the proxy must wait for the auth servers, then start Teleport, then complete its launch", region)
		}
		if c := conditions(statement(t, s, "CompleteOwnLifecycleActions")); len(c) != 0 ||
			!strings.HasSuffix(statementResources(t, s, "CompleteOwnLifecycleActions"), ":autoScalingGroup:*:autoScalingGroupName/example-proxy]") {
			t.Errorf("%s: lifecycle rights %v", region, statementResources(t, s, "CompleteOwnLifecycleActions"))
		}
	}
	// Auth servers wait in their launch hook only for their own Teleport
	// to be ready (the invariant groupsRollOutSafely), never for anything
	// else of the cluster.
	auth := stackOf(t, "example", "auth-us-west-2")
	if hooks := asList(auth.one(t, "aws_autoscaling_group")["initial_lifecycle_hook"]); len(hooks) != 1 || get(hooks[0], "name") != "example-auth-wait-for-ready" {
		t.Errorf("the auth group's hooks: %v; want its readiness hook only", hooks)
	}
	// The auth stack's plan reads the release the cluster runs (the
	// published rollout state, refreshed, never written by Terraform) and
	// admits only the configured major or the one before; applied in the
	// emulator by e2e TestChangeScenarios.
	release, _ := config.ParseVersion(config.DefaultTeleportVersion)
	gates := 0
	for id, p := range auth.resources("aws_ssm_parameter") {
		if p["name"] != "/teleport/example/auth-rollout" {
			continue
		}
		gates++
		var conds []string
		for _, c := range asList(get(p, "lifecycle", "postcondition")) {
			conds = append(conds, fmt.Sprint(get(c, "condition")))
		}
		running := `try(tonumber(split(".", jsondecode(self.value).teleport)[0]), %d)`
		want := []string{fmt.Sprintf("${"+running+" >= %d}", release.Major, release.Major-1), fmt.Sprintf("${"+running+" <= %d}", release.Major, release.Major)}
		if fmt.Sprint(conds) != fmt.Sprint(want) || fmt.Sprint(get(p, "lifecycle", "ignore_changes")) != "[value]" {
			t.Errorf("%s: upgrade gate %v; want %v with value ignored", id, conds, want)
		}
	}
	if gates != 1 {
		t.Errorf("%d rollout parameters in the auth stack; want 1", gates)
	}
	script, _ := userData(t, auth.one(t, "aws_launch_template"))
	if !strings.Contains(script, "teleport-publish-rollout.timer") || bootEnv(t, script)["TELEPORT_VERSION"] != config.DefaultTeleportVersion {
		t.Error("auth servers do not publish their release")
	}

	// A major upgrade, 17 to 18: the auth region runs ahead,
	// auth.teleport_version installs there, teleport_version on the
	// proxies, and a synth over the previous one says what rolls in which
	// order. Two majors at once (17 to 19) are refused.
	dir := t.TempDir()
	base, err := config.Load("examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base.TeleportVersion, base.Auth.TeleportVersion = "17.7.16", "17.7.16"
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Synthesize(base, dir); err != nil {
		t.Fatal(err)
	}
	jump := *base
	jump.Auth.TeleportVersion = "19.0.0"
	if err := jump.Validate(); err == nil || !strings.Contains(err.Error(), "teleport_version: proxies at 17.7.16 would be 2 major versions behind the auth servers' 19.0.0") {
		t.Errorf("a 17 -> 19 jump: %v", err)
	}
	ahead := *base
	ahead.Auth.TeleportVersion = "18.9.0"
	if err := ahead.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := cli.Synthesize(&ahead, dir)
	if err != nil {
		t.Fatal(err)
	}
	// A new auth release exports the state under a new resource, before
	// the launch template changes.
	raw, err := os.ReadFile(filepath.Join(dir, "stacks", "auth-us-west-2", "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var aheadAuth stackJSON
	if err := json.Unmarshal(raw, &aheadAuth); err != nil {
		t.Fatal(err)
	}
	checkStateExport(t, aheadAuth, "18.9.0")
	checkStateExport(t, stackOf(t, "example", "auth-us-west-2"), config.DefaultTeleportVersion)
	stacks, plan := res.Stacks, res.Plan
	if bootEnv(t, stacks.Auth.BootScript)["TELEPORT_VERSION"] != "18.9.0" || bootEnv(t, stacks.Proxies[0].BootScript)["TELEPORT_VERSION"] != "17.7.16" {
		t.Error("auth.teleport_version must install on the auth servers only")
	}
	if len(plan) != 1 || !strings.HasPrefix(plan[0], "1. auth-us-west-2: Teleport 17.7.16 -> 18.9.0; the auth group rolls first") {
		t.Errorf("plan for the auth step: %q", plan)
	}
	both := ahead
	both.TeleportVersion = "18.9.0"
	both.AMI.IDs = map[string]string{"eu-central-1": "ami-0123456789abcdef0"}
	if res, err = cli.Synthesize(&both, dir); err != nil {
		t.Fatal(err)
	}
	plan = res.Plan
	if len(plan) != 3 || !strings.Contains(plan[0], "AMI settings") || !strings.HasPrefix(plan[1], "2. proxy-eu-central-1: Teleport 17.7.16 -> 18.9.0, AMI settings") ||
		!strings.Contains(plan[2], "wait in their launch hook until every auth server runs Teleport >= 18.9.0") {
		t.Errorf("plan for the proxy step: %q", plan)
	}
}

// checkStateExport: the auth stack exports the state table once, for
// release, KMS-encrypted into the backups bucket, and the auth launch
// template waits for it.
func checkStateExport(t *testing.T, s stackJSON, release string) {
	t.Helper()
	exports := s.resources("aws_dynamodb_table_export")
	if len(exports) != 1 {
		t.Fatalf("%d state exports; want 1", len(exports))
	}
	id := sortedKeys(exports)[0]
	e := exports[id]
	if !strings.Contains(id, strings.ReplaceAll(release, ".", "-")) || e["s3_prefix"] != "state/"+release+"/" ||
		!strings.HasPrefix(fmt.Sprint(e["table_arn"]), "${aws_dynamodb_table.storage_state_") ||
		e["s3_sse_algorithm"] != "KMS" || !cmk(e["s3_sse_kms_key_id"]) {
		t.Errorf("state export %s: %v", id, e)
	}
	// After its bucket (a reference, not the name), and a FAILED export
	// fails the apply.
	bucketRef, _ := e["s3_bucket"].(string)
	bucketID, ok := strings.CutSuffix(strings.TrimPrefix(bucketRef, "${aws_s3_bucket."), ".bucket}")
	if b := s.resources("aws_s3_bucket")[bucketID]; !ok || b == nil || !strings.HasPrefix(fmt.Sprint(b["bucket"]), "example-backups-") {
		t.Errorf("state export %s writes to %v, not a reference to the backups bucket", id, e["s3_bucket"])
	} else {
		expiry := false
		for _, lc := range s.resources("aws_s3_bucket_lifecycle_configuration") {
			if lc["bucket"] != "${aws_s3_bucket."+bucketID+".id}" {
				continue
			}
			for _, r := range asList(lc["rule"]) {
				if get(r, "id") == "expire-objects" && get(r, "expiration", 0, "days") == float64(storage.StateExportDays) {
					expiry = true
				}
			}
		}
		if !expiry {
			t.Errorf("the backups bucket keeps the state exports (CA keys) forever; want them expired after %d days", storage.StateExportDays)
		}
	}
	if cond := get(e, "lifecycle", "postcondition", 0, "condition"); cond != `${self.export_status == "COMPLETED"}` {
		t.Errorf("state export %s: postcondition %v; a FAILED export must fail the apply", id, cond)
	}
	lt := s.one(t, "aws_launch_template")
	if fmt.Sprint(lt["depends_on"]) != "[aws_dynamodb_table_export."+id+"]" {
		t.Errorf("the auth launch template depends on %v; want the export %s", lt["depends_on"], id)
	}
}

func statementResources(t *testing.T, s stackJSON, sid string) string {
	t.Helper()
	return fmt.Sprint(statement(t, s, sid)["resources"])
}
