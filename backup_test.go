package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/backup"
	"github.com/example/teleport-multi-region/regions"
)

// Every config backs up the state and events tables and the recordings
// daily into a vault encrypted with a key of its own, keeps each recovery
// point backup.retention_days, and with backup.copy_region copies each one
// to a vault there, created through a provider of that region.
func TestBackups(t *testing.T) {
	for _, synth := range []string{"example", "public-four-regions", "oss-single-region", "transit-gateway", "existing-vpc", "example-restored"} {
		cfg := synthOf(t, synth).cfg
		s := stackOf(t, synth, cfg.Names().AuthStack(cfg.Auth.Region))
		vaults := s.resources("aws_backup_vault")
		want := 1
		if cfg.Backup.CopyRegion != "" {
			want = 2
		}
		if len(vaults) != want {
			t.Fatalf("%s: %d vaults; want %d", synth, len(vaults), want)
		}
		vaultIDs := map[string]string{} // address -> provider
		for id, v := range vaults {
			if !strings.HasPrefix(fmt.Sprint(v["kms_key_arn"]), "${aws_kms_key.") {
				t.Errorf("%s: vault %s is not encrypted with a key of its own: %v", synth, id, v["kms_key_arn"])
			}
			vaultIDs[id] = fmt.Sprint(v["provider"])
			// The deployer creating the vault may use its key exactly as
			// AWS Backup needs, through AWS Backup in the vault's region.
			keyID := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(v["kms_key_arn"]), "${aws_kms_key."), ".arn}")
			key := s.resources("aws_kms_key")[keyID]
			statements, _ := statementsOf(s, key["policy"])
			region := cfg.Auth.Region
			if v["provider"] != nil {
				region = cfg.Backup.CopyRegion
			}
			found := false
			for _, st := range statements {
				if get(st, "sid") != "DeployerCreatesVault" {
					continue
				}
				found = true
				conds := map[string]string{}
				for _, c := range asList(get(st, "condition")) {
					conds[fmt.Sprint(get(c, "variable"))] = fmt.Sprint(get(c, "values"))
				}
				if fmt.Sprint(get(st, "actions")) != "[kms:Decrypt kms:GenerateDataKey]" || conds["kms:ViaService"] != "[backup."+region+".amazonaws.com]" ||
					conds["kms:CallerAccount"] == "" || len(conds) != 2 {
					t.Errorf("%s: vault %s key: deployer statement %v", synth, id, st)
				}
			}
			if !found {
				t.Errorf("%s: vault %s: the deployer may not use its key to create it (kms:Decrypt, kms:GenerateDataKey through backup)", synth, id)
			}
		}
		plan := s.one(t, "aws_backup_plan")
		rule := get(plan, "rule", 0)
		if get(rule, "schedule") != backup.Schedule || get(rule, "lifecycle", "delete_after") != float64(cfg.Backup.RetentionDays) ||
			!strings.HasPrefix(fmt.Sprint(get(rule, "target_vault_name")), "${aws_backup_vault.") {
			t.Errorf("%s: backup rule %v", synth, rule)
		}
		copyAction := get(rule, "copy_action", 0)
		if (copyAction != nil) != (cfg.Backup.CopyRegion != "") {
			t.Errorf("%s: copy action %v with copy_region %q", synth, copyAction, cfg.Backup.CopyRegion)
		}
		if copyAction != nil {
			dest := fmt.Sprint(get(copyAction, "destination_vault_arn"))
			addr := strings.TrimSuffix(strings.TrimPrefix(dest, "${aws_backup_vault."), ".arn}")
			if vaultIDs[addr] != "aws.backup-copy" || get(copyAction, "lifecycle", "delete_after") != float64(cfg.Backup.RetentionDays) {
				t.Errorf("%s: copies go to %s (provider %s), kept %v", synth, dest, vaultIDs[addr], get(copyAction, "lifecycle", "delete_after"))
			}
			var region string
			for _, p := range get(s, "provider", "aws").([]any) {
				if get(p, "alias") == "backup-copy" {
					region = fmt.Sprint(get(p, "region"))
				}
			}
			if region != cfg.Backup.CopyRegion {
				t.Errorf("%s: copy provider in %q; want %q", synth, region, cfg.Backup.CopyRegion)
			}
		}
		sel := s.one(t, "aws_backup_selection")
		res := fmt.Sprint(sel["resources"])
		for _, want := range []string{"aws_dynamodb_table.storage_state_", "aws_dynamodb_table.storage_events_", "aws_s3_bucket.storage_recordings_bucket_"} {
			if !strings.Contains(res, want) {
				t.Errorf("%s: selection lacks %s: %s", synth, want, res)
			}
		}
		var policies []string
		for _, a := range s.resources("aws_iam_role_policy_attachment") {
			policies = append(policies, fmt.Sprint(a["policy_arn"]))
		}
		slices.Sort(policies)
		if want := slices.Sorted(slices.Values(backup.ManagedPolicies)); !slices.Equal(policies, want) {
			t.Errorf("%s: backup role policies %v; want %v", synth, policies, want)
		}
		if !strings.Contains(string(synthOf(t, synth).files["stacks/"+cfg.Names().AuthStack(cfg.Auth.Region)+"/cdk.tf.json"]), `"sid": "AWSBackupUsesKey"`) {
			t.Errorf("%s: the cluster key does not let AWS Backup read what it backs up", synth)
		}
	}
}

// The restore block puts the cluster on restored copies without editing
// code: the tables, the bucket, Teleport's configuration, IAM and alarms
// all name them.
func TestRestoreOverrides(t *testing.T) {
	s := stackOf(t, "example-restored", "auth-us-west-2")
	var tables []string
	for _, tb := range s.resources("aws_dynamodb_table") {
		tables = append(tables, fmt.Sprint(tb["name"]))
	}
	slices.Sort(tables)
	if got := fmt.Sprint(tables); got != "[example-events-restored example-locks example-state-restored]" {
		t.Errorf("tables %s", got)
	}
	script, _ := userData(t, s.one(t, "aws_launch_template"))
	for _, want := range []string{"table_name: example-state-restored", "dynamodb://example-events-restored", "s3://example-recordings-restored/records"} {
		if !strings.Contains(script, want) {
			t.Errorf("teleport.yaml of the auth servers lacks %s", want)
		}
	}
	data := string(synthOf(t, "example-restored").files["stacks/auth-us-west-2/cdk.tf.json"])
	if !strings.Contains(data, `"bucket": "example-recordings-restored"`) || !strings.Contains(data, `"TableName": "example-state-restored"`) {
		t.Error("the restored bucket or the alarms' table name are missing")
	}
}

// A day without a completed backup alarms: for each resource type the
// selection backs up (tables: DynamoDB, buckets: S3), an alarm on AWS
// Backup's completed-job count of the plan's vault and that type, hourly,
// below 1 for more than a day, with missing data breaching (AWS Backup
// publishes nothing in an hour without a completed job), notifying the auth
// topic; the dashboard graphs the same metrics.
func TestNoBackupAlarms(t *testing.T) {
	for _, synth := range append(sortedKeys(goldenConfigs), "example-restored") {
		cfg := synthOf(t, synth).cfg
		s := stackOf(t, synth, cfg.Names().AuthStack(cfg.Auth.Region))
		vault := ""
		for _, v := range s.resources("aws_backup_vault") {
			if v["provider"] == nil {
				vault = fmt.Sprint(v["name"])
			}
		}
		want := map[string]bool{}
		for _, r := range asList(s.one(t, "aws_backup_selection")["resources"]) {
			switch ref := fmt.Sprint(r); {
			case strings.HasPrefix(ref, "${aws_dynamodb_table."):
				want["DynamoDB"] = true
			case strings.HasPrefix(ref, "${aws_s3_bucket."):
				want["S3"] = true
			default:
				t.Errorf("%s: selection names %s, neither a table nor a bucket", synth, ref)
			}
		}
		if len(want) != 2 {
			t.Errorf("%s: the selection backs up %v; want tables and buckets", synth, want)
		}
		got := map[string]bool{}
		for id, a := range s.resources("aws_cloudwatch_metric_alarm") {
			if a["namespace"] != "AWS/Backup" {
				continue
			}
			rt := fmt.Sprint(get(a, "dimensions", "ResourceType"))
			if got[rt] || !want[rt] {
				t.Errorf("%s: backup alarm %s on resource type %s (selection: %v)", synth, id, rt, want)
			}
			got[rt] = true
			period, periods := a["period"].(float64), a["evaluation_periods"].(float64)
			if a["metric_name"] != "NumberOfBackupJobsCompleted" || get(a, "dimensions", "BackupVaultName") != vault || len(a["dimensions"].(map[string]any)) != 2 ||
				a["statistic"] != "Sum" || a["comparison_operator"] != "LessThanThreshold" || a["threshold"] != 1.0 ||
				a["treat_missing_data"] != "breaching" || a["datapoints_to_alarm"] != periods ||
				period*periods <= 86400 || period*periods > 86400+3*3600 {
				t.Errorf("%s: backup alarm %s: %v", synth, id, a)
			}
			if a["alarm_name"] != cfg.Names().Alarm("backup-missing-"+strings.ToLower(rt)) || !strings.HasPrefix(fmt.Sprint(a["alarm_actions"]), "[${aws_sns_topic.alerts_") {
				t.Errorf("%s: backup alarm %s named %v notifies %v", synth, id, a["alarm_name"], a["alarm_actions"])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: backup alarms for %v; want one for each of %v", synth, got, want)
		}
		board := fmt.Sprint(stackOf(t, synth, regions.DNSStackName).one(t, "aws_cloudwatch_dashboard")["dashboard_body"])
		for rt := range want {
			if !strings.Contains(board, fmt.Sprintf(`["AWS/Backup","NumberOfBackupJobsCompleted","BackupVaultName","%s","ResourceType","%s"`, vault, rt)) {
				t.Errorf("%s: the dashboard does not graph the %s backups of %s", synth, rt, vault)
			}
		}
	}
}
