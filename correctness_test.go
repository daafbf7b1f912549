package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// Properties of how the deployment behaves in AWS and Teleport that the
// invariants do not cover: DNS-01 rights, the CA pin, certificate versions,
// the key policies the deployer needs, OSS, zones.

// statement returns the statement with sid among the stack's policy documents.
func statement(t *testing.T, s stackJSON, sid string) map[string]any {
	t.Helper()
	for _, id := range sortedKeys(s.section("data", "aws_iam_policy_document")) {
		for _, st := range s.section("data", "aws_iam_policy_document")[id]["statement"].([]any) {
			if get(st, "sid") == sid {
				return st.(map[string]any)
			}
		}
	}
	t.Fatalf("no statement %s", sid)
	return nil
}

// conditions maps "test variable" to the values of a statement's conditions.
func conditions(st map[string]any) map[string]string {
	out := map[string]string{}
	conds, _ := st["condition"].([]any)
	for _, c := range conds {
		out[fmt.Sprint(get(c, "test"), " ", get(c, "variable"))] = fmt.Sprint(get(c, "values"))
	}
	return out
}

// The auth role may change only the TXT record _acme-challenge.<domain>, by
// UPSERT or DELETE (Route 53 condition keys).
func TestDNSChallengeRightsAreOneRecord(t *testing.T) {
	for synth, stack := range map[string]string{"example": "auth-us-west-2", "public-four-regions": "auth-us-east-1"} {
		cfg := synthOf(t, synth).cfg
		st := statement(t, stackOf(t, synth, stack), "AcmeChallengeRecords")
		want := map[string]string{
			"ForAllValues:StringEquals route53:ChangeResourceRecordSetsNormalizedRecordNames": "[_acme-challenge." + cfg.Domain + "]",
			"ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes":           "[TXT]",
			"ForAllValues:StringEquals route53:ChangeResourceRecordSetsActions":               "[DELETE UPSERT]",
		}
		if got := conditions(st); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: conditions %v; want %v", synth, got, want)
		}
	}
}

// Proxies pin the cluster CA: the auth instances publish it to one SSM
// parameter, which only they may write and the proxies read.
func TestProxiesPinTheClusterCA(t *testing.T) {
	auth := stackOf(t, "example", "auth-us-west-2")
	const name = "/teleport/example/ca-pin"
	var param map[string]any
	for _, p := range auth.resources("aws_ssm_parameter") {
		if p["name"] == name {
			param = p
		}
	}
	if param["name"] != name || param["type"] != "SecureString" || !cmk(param["key_id"]) ||
		fmt.Sprint(get(param, "lifecycle", "ignore_changes")) != "[value]" {
		t.Errorf("CA pin parameter: %v", param)
	}
	arn := "arn:aws:ssm:us-west-2:${data.aws_caller_identity.account.account_id}:parameter" + name
	if st := statement(t, auth, "PublishCAPin"); fmt.Sprint(st["resources"]) != "["+arn+"]" {
		t.Errorf("auth role writes %v", st["resources"])
	}
	script, _ := userData(t, auth.one(t, "aws_launch_template"))
	// What the job does with it is tested on the script
	// (constructs/teleportconfig TestPublishCAPin).
	if env := bootEnv(t, script); env["CA_PIN_PARAMETER"] != name || !strings.Contains(script, "/usr/local/bin/teleport-publish-ca-pin") {
		t.Error("auth boot script does not publish the CA pin from tctl status")
	}
	for _, region := range []string{"eu-central-1", "us-west-1"} {
		s := stackOf(t, "example", "proxy-"+region)
		proxyARN := arn // each stack's own caller identity data source has the same address
		if st := statement(t, s, "ReadCAPin"); fmt.Sprint(st["actions"]) != "[ssm:GetParameter]" || fmt.Sprint(st["resources"]) != "["+proxyARN+"]" {
			t.Errorf("%s: proxy role reads %v %v", region, st["actions"], st["resources"])
		}
		if c := conditions(statement(t, s, "ProxiesReadCAPin")); c["StringEquals kms:EncryptionContext:PARAMETER_ARN"] != "["+proxyARN+"]" ||
			c["StringEquals kms:ViaService"] != "[ssm.us-west-2.amazonaws.com]" {
			t.Errorf("%s: CA pin decryption: %v", region, c)
		}
		script, cfg := userData(t, s.one(t, "aws_launch_template"))
		env := bootEnv(t, script)
		if fmt.Sprint(get(cfg, "teleport", "ca_pin")) != "[__CA_PIN__]" || env["CA_PIN_PARAMETER"] != name || env["AUTH_REGION"] != "us-west-2" {
			t.Errorf("%s: teleport.ca_pin is not set from the published pin", region)
		}
	}
}

// The deployer can create what the keys encrypt: DynamoDB tables and the SSM
// parameter, through those services only, from this account only.
func TestKeyPoliciesLetTheDeployerCreate(t *testing.T) {
	auth := stackOf(t, "example", "auth-us-west-2")
	tables := statement(t, auth, "DeployerCreatesTables")
	c := conditions(tables)
	if c["StringEquals kms:ViaService"] != "[dynamodb.us-west-2.amazonaws.com]" || c["StringEquals kms:CallerAccount"] != "[${data.aws_caller_identity.account.account_id}]" ||
		!slices.Contains(tables["actions"].([]any), any("kms:GenerateDataKey*")) {
		t.Errorf("DeployerCreatesTables: %v %v", tables["actions"], c)
	}
	pin := conditions(statement(t, auth, "DeployerManagesCAPinParameter"))
	if pin["StringEquals kms:ViaService"] != "[ssm.us-west-2.amazonaws.com]" || !strings.HasSuffix(pin["StringEquals kms:EncryptionContext:PARAMETER_ARN"], ":parameter/teleport/example/ca-pin]") {
		t.Errorf("DeployerManagesCAPinParameter: %v", pin)
	}
	for _, stack := range []string{"auth-us-west-2", "proxy-us-west-1"} {
		logs := statement(t, stackOf(t, "example", stack), "CloudWatchLogsEncryptsLogGroups")
		region := strings.SplitN(stack, "-", 2)[1]
		if fmt.Sprint(get(logs, "principals", 0, "identifiers")) != "[logs."+region+".amazonaws.com]" ||
			!strings.Contains(conditions(logs)["ArnEquals kms:EncryptionContext:aws:logs:arn"], ":log-group:/teleport/example/vpc-flow-logs/") {
			t.Errorf("%s: CloudWatch Logs key statement: %v", stack, logs)
		}
	}
}

// Replaced certificate and key versions expire after a week.
func TestCertsBucketExpiresOldKeys(t *testing.T) {
	auth := stackOf(t, "example", "auth-us-west-2")
	found := 0
	for _, lc := range auth.resources("aws_s3_bucket_lifecycle_configuration") {
		rules, _ := lc["rule"].([]any)
		for _, r := range rules {
			if get(r, "abort_incomplete_multipart_upload", 0, "days_after_initiation") == nil && get(r, "noncurrent_version_expiration", 0, "noncurrent_days") == nil {
				t.Errorf("lifecycle rule without an action: %v", r)
			}
			if get(r, "noncurrent_version_expiration", 0, "noncurrent_days") == 7.0 {
				found++
				if !strings.Contains(fmt.Sprint(lc["bucket"]), "storage_certs_bucket") {
					t.Errorf("noncurrent versions expire in %v", lc["bucket"])
				}
			}
		}
	}
	if found != 1 {
		t.Errorf("%d rules expire noncurrent certificate versions; want 1", found)
	}
}

// OSS with one proxy region: the agent mesh, no peering of any kind.
func TestOSSSingleRegion(t *testing.T) {
	auth := stackOf(t, "oss-single-region", "auth-eu-west-1")
	_, cfg := userData(t, auth.one(t, "aws_launch_template"))
	if fmt.Sprint(get(cfg, "auth_service", "tunnel_strategy")) != "map[type:agent_mesh]" || get(cfg, "auth_service", "license_file") != nil {
		t.Errorf("OSS auth: tunnel_strategy %v, license %v", get(cfg, "auth_service", "tunnel_strategy"), get(cfg, "auth_service", "license_file"))
	}
	proxy := stackOf(t, "oss-single-region", "proxy-eu-west-2")
	script, pcfg := userData(t, proxy.one(t, "aws_launch_template"))
	if get(pcfg, "proxy_service", "peer_listen_addr") != nil || get(pcfg, "proxy_service", "peer_public_addr") != nil ||
		bootEnv(t, script)["PEER_ADDRESS_PATH"] != "" || bootEnv(t, script)["TELEPORT_EDITION"] != "oss" || bootEnv(t, script)["TELEPORT_VERSION"] != config.DefaultTeleportVersion {
		t.Error("OSS proxy has peering settings or the wrong edition")
	}
	if n := len(proxy.resources("aws_vpc_peering_connection")); n != 1 {
		t.Errorf("OSS proxy stack has %d VPC peerings; want only the one with the auth VPC", n)
	}
}

// Subnets sit in zones fixed at synth time: the region table by AZ ID, or
// the config's zones by name or ID, in order.
func TestSubnetZones(t *testing.T) {
	cases := []struct{ synth, stack, field, want string }{
		{"example", "proxy-us-west-1", "availability_zone_id", "[usw1-az1 usw1-az1 usw1-az3 usw1-az3]"},
		{"oss-single-region", "auth-eu-west-1", "availability_zone", "[eu-west-1a eu-west-1a eu-west-1b eu-west-1b eu-west-1c eu-west-1c]"},
		{"oss-single-region", "proxy-eu-west-2", "availability_zone_id", "[euw2-az2 euw2-az2 euw2-az3 euw2-az3]"},
	}
	for _, c := range cases {
		var got []string
		for _, sub := range stackOf(t, c.synth, c.stack).resources("aws_subnet") {
			got = append(got, fmt.Sprint(sub[c.field]))
		}
		slices.Sort(got)
		if fmt.Sprint(got) != c.want {
			t.Errorf("%s/%s: %s = %v; want %s", c.synth, c.stack, c.field, got, c.want)
		}
	}
}
