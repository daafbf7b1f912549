package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Every proxy group holds a terminating proxy in its drain hook (created
// with the group, so its first instances have it too) for longer than the
// drain takes, and continues the termination if nobody completes it; the
// proxies may complete it in their own group only. Every instance role may
// publish metrics to the instances' namespace and nowhere else.
func TestProxiesDrainAndPublishMetrics(t *testing.T) {
	proxies := 0
	for _, synth := range synthNames() {
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			for id, g := range s.resources("aws_autoscaling_group") {
				statements, _ := groupRoleStatements(s, g)
				metrics := 0
				for _, st := range statements {
					if !strings.Contains(fmt.Sprint(get(st, "actions")), "cloudwatch:PutMetricData") {
						continue
					}
					metrics++
					if fmt.Sprint(get(st, "actions")) != "[cloudwatch:PutMetricData]" || get(st, "condition", 0, "variable") != "cloudwatch:namespace" ||
						fmt.Sprint(get(st, "condition", 0, "values")) != "["+teleportconfig.MetricNamespace+"]" || get(st, "condition", 0, "test") != "StringEquals" {
						t.Errorf("%s/%s %s: metrics statement %v", synth, stack, id, st)
					}
				}
				if metrics != 1 {
					t.Errorf("%s/%s %s: %d PutMetricData statements; want 1", synth, stack, id, metrics)
				}
				if !strings.HasPrefix(stack, "proxy-") {
					continue
				}
				proxies++
				var drain map[string]any
				hooks, _ := g["initial_lifecycle_hook"].([]any)
				for _, h := range hooks {
					if get(h, "lifecycle_transition") == "autoscaling:EC2_INSTANCE_TERMINATING" {
						drain = h.(map[string]any)
					}
				}
				timeout, _ := drain["heartbeat_timeout"].(float64)
				if drain["name"] != teleportconfig.DrainHookName || drain["default_result"] != "CONTINUE" || timeout <= teleportconfig.DrainTimeoutSeconds {
					t.Errorf("%s/%s %s: drain hook %v; want %s, CONTINUE, heartbeat timeout above %ds", synth, stack, id, drain, teleportconfig.DrainHookName, teleportconfig.DrainTimeoutSeconds)
				}
				// The instances' drain handler completes this very hook of
				// this very group (their env file, package teleportconfig).
				script, _ := userData(t, s.one(t, "aws_launch_template"))
				if !strings.Contains(script, fmt.Sprintf("DRAIN_HOOK='%v'", drain["name"])) || !strings.Contains(script, fmt.Sprintf("GROUP_NAME='%v'", g["name"])) {
					t.Errorf("%s/%s %s: the boot script's DRAIN_HOOK or GROUP_NAME do not name the group's drain hook", synth, stack, id)
				}
				complete := false
				for _, st := range statements {
					if strings.Contains(fmt.Sprint(get(st, "actions")), "autoscaling:CompleteLifecycleAction") {
						complete = strings.HasSuffix(fmt.Sprint(get(st, "resources")), fmt.Sprintf(":autoScalingGroupName/%v]", g["name"]))
					}
				}
				if !complete {
					t.Errorf("%s/%s %s: the proxies cannot complete their own drain hook", synth, stack, id)
				}
			}
		}
	}
	if proxies == 0 {
		t.Fatal("no proxy group examined")
	}
}

// Every VPC the app creates has an S3 gateway endpoint on the route tables
// of its instances' subnets, and the auth VPC a DynamoDB one limited to the
// cluster's tables; given VPCs get none (their owner's route tables).
func TestGatewayEndpoints(t *testing.T) {
	vpcs := 0
	for _, synth := range synthNames() {
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			endpoints := s.resources("aws_vpc_endpoint")
			if len(s.resources("aws_vpc")) == 0 {
				if len(endpoints) != 0 {
					t.Errorf("%s/%s: endpoints in a VPC the stack does not own", synth, stack)
				}
				continue
			}
			vpcs++
			// The instances' route tables: those the peering and transit
			// routes go to, i.e. those of the private subnets, else the
			// public one.
			var want []string
			for id, rt := range s.resources("aws_route_table") {
				private := strings.Contains(fmt.Sprint(get(rt, "tags", "Name")), "-private-")
				if private || len(s.resources("aws_nat_gateway")) == 0 {
					want = append(want, "${aws_route_table."+id+".id}")
				}
			}
			byService := map[string]map[string]any{}
			for _, e := range endpoints {
				byService[fmt.Sprint(e["service_name"])] = e
				var got []string
				for _, r := range e["route_table_ids"].([]any) {
					got = append(got, fmt.Sprint(r))
				}
				if e["vpc_endpoint_type"] != "Gateway" || !sameSet(got, want) {
					t.Errorf("%s/%s: endpoint %v on %v; want a gateway endpoint on %v", synth, stack, e["service_name"], got, want)
				}
			}
			region := synthOf(t, synth).cfg.Auth.Region
			if strings.HasPrefix(stack, "proxy-") {
				region = strings.TrimPrefix(stack, "proxy-")
			}
			if byService["com.amazonaws."+region+".s3"] == nil {
				t.Errorf("%s/%s: no S3 gateway endpoint", synth, stack)
			}
			ddb := byService["com.amazonaws."+region+".dynamodb"]
			auth := strings.HasPrefix(stack, "auth-")
			if (ddb != nil) != auth || len(endpoints) != map[bool]int{true: 2, false: 1}[auth] {
				t.Errorf("%s/%s: endpoints %v; a DynamoDB endpoint belongs in the auth VPC only", synth, stack, sortedKeys(byService))
			}
			if ddb == nil {
				continue
			}
			statements, _ := statementsOf(s, ddb["policy"])
			resources := fmt.Sprint(get(statements[0], "resources"))
			if len(statements) != 1 || get(statements[0], "effect") != "Allow" || strings.Contains(resources, "*}") ||
				!strings.Contains(resources, "aws_dynamodb_table.storage_state_") || get(statements[0], "condition", 0, "variable") != "aws:PrincipalAccount" {
				t.Errorf("%s/%s: DynamoDB endpoint policy %v", synth, stack, statements)
			}
		}
	}
	if vpcs == 0 {
		t.Fatal("no VPC examined")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// A license under a customer managed key: the auth role may decrypt it
// through SSM, for that parameter only; without license_kms_key_arn the
// role has no such right (aws/ssm serves the account's principals).
func TestLicenseKey(t *testing.T) {
	s := stackOf(t, "transit-gateway", "auth-us-east-1")
	st := statement(t, s, "EnterpriseLicenseKey")
	c := conditions(st)
	if fmt.Sprint(st["actions"]) != "[kms:Decrypt]" || fmt.Sprint(st["resources"]) != "[arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab]" ||
		c["StringEquals kms:ViaService"] != "[ssm.us-east-1.amazonaws.com]" ||
		!strings.HasSuffix(c["StringEquals kms:EncryptionContext:PARAMETER_ARN"], ":parameter/teleport/umbrella/license]") {
		t.Errorf("license key statement %v", st)
	}
	for _, id := range sortedKeys(stackOf(t, "example", "auth-us-west-2").section("data", "aws_iam_policy_document")) {
		if strings.Contains(fmt.Sprint(stackOf(t, "example", "auth-us-west-2").section("data", "aws_iam_policy_document")[id]), "EnterpriseLicenseKey") {
			t.Error("the example's license uses aws/ssm: no key statement expected")
		}
	}
}

// The Auth Service has a stable private name: a private hosted zone created
// with the auth VPC (Terraform ignoring its vpc block, since the proxy
// stacks associate theirs separately), an alias record for the auth NLB,
// an association from every active proxy VPC, and the proxies join through
// that name.
func TestAuthPrivateZone(t *testing.T) {
	for _, synth := range synthNames() {
		cfg := synthOf(t, synth).cfg
		addr := cfg.Names().AuthAddress()
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			switch {
			case strings.HasPrefix(stack, "auth-"):
				z := s.one(t, "aws_route53_zone")
				if z["name"] != cfg.Names().AuthZone() || len(z["vpc"].([]any)) != 1 || get(z, "vpc", 0, "vpc_region") != cfg.Auth.Region ||
					fmt.Sprint(get(z, "lifecycle", "ignore_changes")) != "[vpc]" {
					t.Errorf("%s/%s: private zone %v", synth, stack, z)
				}
				var rec map[string]any
				for _, r := range s.resources("aws_route53_record") {
					if r["name"] == addr {
						rec = r
					}
				}
				if rec == nil || rec["type"] != "A" || !strings.HasPrefix(fmt.Sprint(get(rec, "alias", "name")), "${aws_lb.auth_load-balancer") ||
					!strings.HasPrefix(fmt.Sprint(rec["zone_id"]), "${aws_route53_zone.") {
					t.Errorf("%s/%s: auth record %v", synth, stack, rec)
				}
			case strings.HasPrefix(stack, "proxy-"):
				if cfg.IsRetired(strings.TrimPrefix(stack, "proxy-")) {
					if len(s.resources("aws_route53_zone_association")) != 0 {
						t.Errorf("%s/%s: a retired region keeps its association", synth, stack)
					}
					continue
				}
				a := s.one(t, "aws_route53_zone_association")
				if a["vpc_region"] != strings.TrimPrefix(stack, "proxy-") || !strings.Contains(fmt.Sprint(a["zone_id"]), "cross-stack-reference-input-auth-") {
					t.Errorf("%s/%s: zone association %v", synth, stack, a)
				}
				lt := s.one(t, "aws_launch_template")
				_, yaml := userData(t, lt)
				if get(yaml, "teleport", "auth_server") != addr+":3025" {
					t.Errorf("%s/%s: proxies join %v; want %s:3025", synth, stack, get(yaml, "teleport", "auth_server"), addr)
				}
				// The name is static: nothing about auth reaches the proxies
				// through instance tags, which would tie their launch
				// template to the auth NLB.
				if tags := fmt.Sprint(lt["tag_specifications"]); strings.Contains(tags, "Auth") {
					t.Errorf("%s/%s: launch template tags mention auth: %s", synth, stack, tags)
				}
			}
		}
	}
}
