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
	for _, synth := range sortedKeys(synths) {
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
	for _, synth := range sortedKeys(synths) {
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
			region := synths[synth].cfg.Auth.Region
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
