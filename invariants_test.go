package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/backup"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// The reference design's invariants, checked on every stack of every config
// the tests synthesize (synthNames). Each invariant reads only the
// synthesized JSON.
// TestInvariantsCatchViolations breaks a copy of a stack once per invariant
// to prove that each check can fail.

// invariant is one rule. check returns how many items it examined (an
// invariant that examines nothing anywhere is a broken test) and the
// violations it found.
type invariant struct {
	name  string
	check func(cfg *config.Cluster, s stackJSON) (checked int, violations []string)
}

func invariants() []invariant {
	return []invariant{
		{"every NLB is layer 4 with cross-zone load balancing", nlbsAreLayer4},
		{"no NLB listener terminates TLS", noTLSListeners},
		{"3025 is reachable only from the peered VPCs", authPortStaysInside},
		{"security group rules open single TCP ports, the internet only where the design says", rulesAreNarrow},
		{"every bucket blocks public access, disables ACLs and denies non-TLS requests", bucketsArePrivate},
		{"every bucket, table, topic, queue and query result is encrypted with a customer managed key", dataIsEncrypted},
		{"every instance volume is encrypted with a customer managed key", volumesAreEncrypted},
		{"every launch template requires IMDSv2", launchTemplatesRequireIMDSv2},
		{"no instance role has a * action on *", rolesHaveNoWildcards},
		{"every key rotates and only named roles and services use it for data", keysAreLeastPrivilege},
		{"every NLB has a security group, and instances admit 443, 3000 and 3025 only from it, 3021 only from peers", instancesOnlyThroughTheirNLB},
		{"3021 is open between all proxies of the cluster and nowhere else", peerPortBetweenAllProxies},
		{"every VPC has a flow log into an encrypted log group with the configured retention", vpcsHaveFlowLogs},
		{"no subnet zone comes from a live zone list", zonesAreFixed},
		{"OSS never runs proxy peering", ossNeverPeers},
		{"no Auto Scaling group replaces on /readyz", noGroupReplacesOnReadyz},
		{"every instance reachable through Session Manager only", sessionManagerOnly},
		{"a given VPC gets no network resources, and every given id is checked at plan time", givenVPCsAreChecked},
		{"at most two auth servers on DynamoDB, never more during a refresh", atMostTwoAuthServers},
		{"every launch template's image has its instance type's architecture", imagesMatchArchitecture},
		{"every group's instance type is checked at plan time to be offered in each of its zones", instanceTypesOffered},
		{"a configured hosted_zone_id is checked at plan time to be the public hosted_zone", hostedZoneIDChecked},
		{"every group admits only ready instances, changes its hooks in place and rolls back a bad refresh", groupsRollOutSafely},
		{"only the registered proxy roles of the cluster's proxy regions can join as proxies", proxiesJoinByRegisteredRole},
	}
}

func TestInvariants(t *testing.T) {
	checked := map[string]int{}
	for _, synth := range synthNames() {
		cfg := synthOf(t, synth).cfg
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			for _, inv := range invariants() {
				n, violations := inv.check(cfg, s)
				checked[inv.name] += n
				for _, v := range violations {
					t.Errorf("%s/%s: %s: %s", synth, stack, inv.name, v)
				}
			}
		}
	}
	for _, inv := range invariants() {
		if checked[inv.name] == 0 {
			t.Errorf("%q examined nothing in any stack: the check is broken", inv.name)
		}
	}
}

// TestInvariantsCatchViolations applies, to a copy of one synthesized stack,
// a change that breaks exactly one invariant, and expects that invariant to
// report it.
func TestInvariantsCatchViolations(t *testing.T) {
	const auth, proxy = "auth-us-west-2", "proxy-us-west-1"
	first := func(s stackJSON, typ string) map[string]any {
		rs := s.resources(typ)
		return rs[sortedKeys(rs)[0]]
	}
	// doc returns the policy document whose id starts with name, else the
	// first (by id) that contains it.
	doc := func(s stackJSON, name string) map[string]any {
		docs := s.section("data", "aws_iam_policy_document")
		for _, id := range sortedKeys(docs) {
			if strings.HasPrefix(id, name+"_") {
				return docs[id]
			}
		}
		for _, id := range sortedKeys(docs) {
			if strings.Contains(id, name) {
				return docs[id]
			}
		}
		t.Fatalf("no policy document %s", name)
		return nil
	}
	cases := []struct {
		invariant string
		stack     string
		breakIt   func(s stackJSON)
	}{
		{"every NLB is layer 4 with cross-zone load balancing", proxy, func(s stackJSON) {
			first(s, "aws_lb")["enable_cross_zone_load_balancing"] = false
		}},
		{"every NLB is layer 4 with cross-zone load balancing", auth, func(s stackJSON) {
			first(s, "aws_lb")["load_balancer_type"] = "application"
		}},
		{"every group's instance type is checked at plan time to be offered in each of its zones", proxy, func(s stackJSON) {
			for _, sn := range s.resources("aws_subnet") {
				if sn["availability_zone_id"] != nil {
					sn["availability_zone_id"] = "usw1-az9"
				}
			}
		}},
		{"every group's instance type is checked at plan time to be offered in each of its zones", auth, func(s stackJSON) {
			delete(s["data"].(map[string]any), "aws_ec2_instance_type_offerings")
		}},
		{"no NLB listener terminates TLS", proxy, func(s stackJSON) {
			first(s, "aws_lb_listener")["protocol"] = "TLS"
		}},
		{"3025 is reachable only from the peered VPCs", proxy, func(s stackJSON) {
			for _, r := range s.resources("aws_vpc_security_group_ingress_rule") {
				if r["from_port"] == 3025.0 {
					r["cidr_ipv4"] = "172.16.0.0/12"
				}
			}
		}},
		{"3025 is reachable only from the peered VPCs", auth, func(s stackJSON) {
			first(s, "aws_lb")["internal"] = false
		}},
		{"security group rules open single TCP ports, the internet only where the design says", auth, func(s stackJSON) {
			first(s, "aws_vpc_security_group_ingress_rule")["cidr_ipv4"] = "0.0.0.0/0"
		}},
		{"every bucket blocks public access, disables ACLs and denies non-TLS requests", auth, func(s stackJSON) {
			first(s, "aws_s3_bucket_public_access_block")["restrict_public_buckets"] = false
		}},
		{"every bucket blocks public access, disables ACLs and denies non-TLS requests", auth, func(s stackJSON) {
			d := doc(s, "tls-only")
			d["statement"].([]any)[0].(map[string]any)["effect"] = "Allow"
		}},
		{"every bucket, table, topic, queue and query result is encrypted with a customer managed key", auth, func(s stackJSON) {
			delete(first(s, "aws_dynamodb_table")["server_side_encryption"].(map[string]any), "kms_key_arn")
		}},
		{"every bucket, table, topic, queue and query result is encrypted with a customer managed key", auth, func(s stackJSON) {
			e := first(s, "aws_s3_bucket_server_side_encryption_configuration")
			get(e, "rule", 0, "apply_server_side_encryption_by_default").(map[string]any)["sse_algorithm"] = "AES256"
		}},
		{"every instance volume is encrypted with a customer managed key", proxy, func(s stackJSON) {
			delete(get(first(s, "aws_launch_template"), "block_device_mappings", 0, "ebs").(map[string]any), "kms_key_id")
		}},
		{"every launch template requires IMDSv2", proxy, func(s stackJSON) {
			first(s, "aws_launch_template")["metadata_options"].(map[string]any)["http_tokens"] = "optional"
		}},
		{"no instance role has a * action on *", proxy, func(s stackJSON) {
			d := doc(s, "permissions")
			st := d["statement"].([]any)[0].(map[string]any)
			st["actions"], st["resources"] = []any{"s3:Get*"}, []any{"*"}
		}},
		{"every key rotates and only named roles and services use it for data", proxy, func(s stackJSON) {
			first(s, "aws_kms_key")["enable_key_rotation"] = false
		}},
		{"every key rotates and only named roles and services use it for data", auth, func(s stackJSON) {
			d := doc(s, "key_key-policy")
			for _, st := range d["statement"].([]any) {
				m := st.(map[string]any)
				if m["sid"] == "AccountAdministersKey" {
					m["actions"] = append(m["actions"].([]any), "kms:Decrypt")
				}
			}
		}},
		{"every key rotates and only named roles and services use it for data", auth, func(s stackJSON) {
			d := doc(s, "key_key-policy")
			for _, st := range d["statement"].([]any) {
				m := st.(map[string]any)
				if m["sid"] == "AuthServiceUsesKey" {
					delete(m, "condition")
				}
			}
		}},
		{"every NLB has a security group, and instances admit 443, 3000 and 3025 only from it, 3021 only from peers", proxy, func(s stackJSON) {
			delete(first(s, "aws_lb"), "security_groups")
		}},
		{"every NLB has a security group, and instances admit 443, 3000 and 3025 only from it, 3021 only from peers", proxy, func(s stackJSON) {
			for id, r := range s.resources("aws_vpc_security_group_ingress_rule") {
				if strings.Contains(id, "targets-in-443") {
					delete(r, "referenced_security_group_id")
					r["cidr_ipv4"] = "0.0.0.0/0"
				}
			}
		}},
		{"every NLB has a security group, and instances admit 443, 3000 and 3025 only from it, 3021 only from peers", auth, func(s stackJSON) {
			for id, r := range s.resources("aws_vpc_security_group_ingress_rule") {
				if strings.Contains(id, "targets-in-3025") {
					delete(r, "referenced_security_group_id")
					r["cidr_ipv4"] = "10.1.128.0/17"
				}
			}
		}},
		{"3021 is open between all proxies of the cluster and nowhere else", proxy, func(s stackJSON) {
			first(s, "aws_ec2_managed_prefix_list_entry")["cidr"] = "10.2.0.0/16" // not its own region's proxies
		}},
		{"3021 is open between all proxies of the cluster and nowhere else", proxy, func(s stackJSON) {
			first(s, "aws_ec2_managed_prefix_list")["max_entries"] = 2.0 // a list sized to the cluster
		}},
		{"3021 is open between all proxies of the cluster and nowhere else", "mesh-us-west-1", func(s stackJSON) {
			first(s, "aws_ec2_managed_prefix_list_entry")["cidr"] = "10.9.0.0/16" // not a proxy region's
		}},
		{"3021 is open between all proxies of the cluster and nowhere else", auth, func(s stackJSON) {
			first(s, "aws_vpc_security_group_egress_rule")["from_port"] = 3021.0
			first(s, "aws_vpc_security_group_egress_rule")["to_port"] = 3021.0
		}},
		{"every VPC has a flow log into an encrypted log group with the configured retention", auth, func(s stackJSON) {
			delete(s["resource"].(map[string]any), "aws_flow_log")
		}},
		{"every VPC has a flow log into an encrypted log group with the configured retention", proxy, func(s stackJSON) {
			first(s, "aws_cloudwatch_log_group")["retention_in_days"] = 0
		}},
		{"no subnet zone comes from a live zone list", proxy, func(s stackJSON) {
			sub := first(s, "aws_subnet")
			delete(sub, "availability_zone_id")
			sub["availability_zone"] = "${element(data.aws_availability_zones.network_zones.names, 0)}"
		}},
		{"OSS never runs proxy peering", proxy, func(s stackJSON) {
			lt := first(s, "aws_launch_template")
			script, _ := teleportconfig.DecodeUserData(lt["user_data"].(string))
			lt["user_data"] = teleportconfig.UserDataBase64(strings.Replace(script, "TELEPORT_EDITION='enterprise'", "TELEPORT_EDITION='oss'", 1))
		}},
		{"no Auto Scaling group replaces on /readyz", proxy, func(s stackJSON) {
			first(s, "aws_autoscaling_group")["health_check_type"] = "ELB"
		}},
		{"no Auto Scaling group replaces on /readyz", auth, func(s stackJSON) {
			for _, st := range doc(s, "auth_instances_permissions")["statement"].([]any) {
				if m := st.(map[string]any); m["sid"] == "ReportOwnHealth" {
					m["resources"] = []any{"*"}
				}
			}
		}},
		{"every instance reachable through Session Manager only", auth, func(s stackJSON) {
			first(s, "aws_launch_template")["key_name"] = "admin"
		}},
		{"every instance reachable through Session Manager only", proxy, func(s stackJSON) {
			for _, st := range doc(s, "proxy_instances_permissions")["statement"].([]any) {
				if m := st.(map[string]any); m["sid"] == "SessionManagerAgent" {
					m["actions"] = append(m["actions"].([]any), "ssm:GetParameters")
				}
			}
		}},
		{"every instance reachable through Session Manager only", auth, func(s stackJSON) {
			for id, r := range s.resources("aws_vpc_security_group_egress_rule") {
				if r["from_port"] == 443.0 && !strings.Contains(id, "targets") {
					r["cidr_ipv4"] = "10.0.0.0/16"
				}
			}
		}},
		{"at most two auth servers on DynamoDB, never more during a refresh", auth, func(s stackJSON) {
			first(s, "aws_autoscaling_group")["max_size"] = 4.0
		}},
		{"at most two auth servers on DynamoDB, never more during a refresh", auth, func(s stackJSON) {
			get(first(s, "aws_autoscaling_group"), "instance_refresh", "preferences").(map[string]any)["max_healthy_percentage"] = 200.0
		}},
		{"at most two auth servers on DynamoDB, never more during a refresh", auth, func(s stackJSON) {
			delete(first(s, "aws_autoscaling_group"), "instance_maintenance_policy")
		}},
		{"every group admits only ready instances, changes its hooks in place and rolls back a bad refresh", proxy, func(s stackJSON) {
			delete(first(s, "aws_autoscaling_group"), "lifecycle")
		}},
		{"every group admits only ready instances, changes its hooks in place and rolls back a bad refresh", proxy, func(s stackJSON) {
			for _, h := range s.resources("aws_autoscaling_lifecycle_hook") {
				h["heartbeat_timeout"] = 60.0
			}
		}},
		{"every group admits only ready instances, changes its hooks in place and rolls back a bad refresh", auth, func(s stackJSON) {
			delete(s["resource"].(map[string]any), "aws_autoscaling_lifecycle_hook")
		}},
		{"every group admits only ready instances, changes its hooks in place and rolls back a bad refresh", auth, func(s stackJSON) {
			get(first(s, "aws_autoscaling_group"), "instance_refresh", "preferences").(map[string]any)["auto_rollback"] = false
		}},
		{"every group admits only ready instances, changes its hooks in place and rolls back a bad refresh", proxy, func(s stackJSON) {
			get(first(s, "aws_autoscaling_group"), "instance_refresh", "preferences", "alarm_specification").(map[string]any)["alarms"] = []any{"some-alarm"}
		}},
		{"only the registered proxy roles of the cluster's proxy regions can join as proxies", proxy, func(s stackJSON) {
			delete(s["resource"].(map[string]any), "aws_ssm_parameter")
		}},
		{"only the registered proxy roles of the cluster's proxy regions can join as proxies", proxy, func(s stackJSON) {
			for _, p := range s.resources("aws_ssm_parameter") {
				p["value"] = "arn:aws:iam::123456789012:role/example-proxy-anything"
			}
		}},
		{"only the registered proxy roles of the cluster's proxy regions can join as proxies", auth, func(s stackJSON) {
			for _, d := range s.section("data", "aws_iam_policy_document") {
				for _, st := range d["statement"].([]any) {
					if get(st, "sid") == "ListProxyRoles" {
						st.(map[string]any)["resources"] = []any{"arn:aws:ssm:us-west-2:${data.aws_caller_identity.account.account_id}:parameter/teleport"}
					}
				}
			}
		}},
	}
	// Cases on the config with given VPCs.
	givenCases := []struct {
		invariant string
		stack     string
		breakIt   func(s stackJSON)
	}{
		{"every VPC has a flow log into an encrypted log group with the configured retention", "auth-us-east-1", func(s stackJSON) {
			delete(s["resource"].(map[string]any), "aws_flow_log")
		}},
		{"every bucket, table, topic, queue and query result is encrypted with a customer managed key", "auth-us-east-1", func(s stackJSON) {
			delete(first(s, "aws_sns_topic"), "kms_master_key_id")
		}},
		{"a given VPC gets no network resources, and every given id is checked at plan time", "auth-us-east-1", func(s stackJSON) {
			delete(s["data"].(map[string]any)["aws_subnet"].(map[string]any), sortedKeys(s.section("data", "aws_subnet"))[0])
		}},
		{"a given VPC gets no network resources, and every given id is checked at plan time", "proxy-eu-west-1", func(s stackJSON) {
			for _, v := range s.section("data", "aws_route_table") {
				v["lifecycle"] = map[string]any{}
			}
		}},
		{"every launch template's image has its instance type's architecture", "proxy-eu-west-1", func(s stackJSON) {
			first(s, "aws_launch_template")["instance_type"] = "m7g.large"
		}},
		{"every launch template's image has its instance type's architecture", "auth-us-east-1", func(s stackJSON) {
			first(s, "aws_launch_template")["image_id"] = "${data.aws_ssm_parameter.auth_instances_ami_F4EE99A3.value}"
		}},
		{"every group's instance type is checked at plan time to be offered in each of its zones", "proxy-eu-west-1", func(s stackJSON) {
			first(s, "aws_launch_template")["instance_type"] = "m7g.large"
		}},
		{"every group's instance type is checked at plan time to be offered in each of its zones", "auth-us-east-1", func(s stackJSON) {
			for _, o := range s.section("data", "aws_ec2_instance_type_offerings") {
				c := get(o, "lifecycle", "postcondition", 0).(map[string]any)
				c["condition"] = strings.Replace(c["condition"].(string), "private-2", "private-1", 1)
			}
		}},
		{"a given VPC gets no network resources, and every given id is checked at plan time", "proxy-eu-west-1", func(s stackJSON) {
			s["resource"].(map[string]any)["aws_nat_gateway"] = map[string]any{"nat": map[string]any{"subnet_id": "subnet-0b00000000000b101"}}
		}},
	}
	byName := map[string]invariant{}
	for _, inv := range invariants() {
		byName[inv.name] = inv
	}
	for i, c := range append(cases, givenCases...) {
		inv, ok := byName[c.invariant]
		if !ok {
			t.Fatalf("case %d names no invariant: %q", i, c.invariant)
		}
		synth := "example"
		if i >= len(cases) {
			synth = "existing-vpc"
		}
		s := copyStack(t, stackOf(t, synth, c.stack))
		if _, v := inv.check(synthOf(t, synth).cfg, s); len(v) != 0 {
			t.Fatalf("case %d: %s already fails before the change: %v", i, c.invariant, v)
		}
		c.breakIt(s)
		if _, v := inv.check(synthOf(t, synth).cfg, s); len(v) == 0 {
			t.Errorf("case %d: %q did not notice the change", i, c.invariant)
		}
	}
}

func copyStack(t *testing.T, s stackJSON) stackJSON {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out stackJSON
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func nlbsAreLayer4(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	lbs := s.resources("aws_lb")
	for _, id := range sortedKeys(lbs) {
		lb := lbs[id]
		if lb["load_balancer_type"] != "network" {
			bad = append(bad, fmt.Sprintf("%s is a %v load balancer", id, lb["load_balancer_type"]))
		}
		if lb["enable_cross_zone_load_balancing"] != true {
			bad = append(bad, id+" has cross-zone load balancing off")
		}
	}
	tgs := s.resources("aws_lb_target_group")
	for _, id := range sortedKeys(tgs) {
		if tgs[id]["protocol"] != "TCP" {
			bad = append(bad, fmt.Sprintf("target group %s speaks %v, not TCP", id, tgs[id]["protocol"]))
		}
	}
	return len(lbs), bad
}

func noTLSListeners(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	ls := s.resources("aws_lb_listener")
	for _, id := range sortedKeys(ls) {
		l := ls[id]
		// Teleport terminates TLS itself (TLS routing on one port): the
		// NLB passes the bytes through.
		if l["protocol"] != "TCP" || l["certificate_arn"] != nil || l["ssl_policy"] != nil || l["alpn_policy"] != nil {
			bad = append(bad, fmt.Sprintf("listener %s: protocol %v, certificate %v", id, l["protocol"], l["certificate_arn"]))
		}
	}
	return len(ls), bad
}

// peeredCIDRs are the VPC ranges allowed to reach the Auth Service.
func peeredCIDRs(cfg *config.Cluster) []netip.Prefix {
	out := []netip.Prefix{netip.MustParsePrefix(cfg.Auth.VPCCIDR)}
	for _, p := range cfg.ProxyRegions {
		out = append(out, netip.MustParsePrefix(p.VPCCIDR))
	}
	return out
}

func authPortStaysInside(cfg *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	n := 0
	allowed := peeredCIDRs(cfg)
	rules := s.resources("aws_vpc_security_group_ingress_rule")
	for _, id := range sortedKeys(rules) {
		r := rules[id]
		from, _ := r["from_port"].(float64)
		to, _ := r["to_port"].(float64)
		if from > 3025 || to < 3025 {
			continue
		}
		n++
		if r["referenced_security_group_id"] != nil && r["cidr_ipv4"] == nil {
			continue // from a load balancer: instancesOnlyThroughTheirNLB
		}
		cidr, err := netip.ParsePrefix(fmt.Sprint(r["cidr_ipv4"]))
		inside := false
		for _, a := range allowed {
			if err == nil && a.Bits() <= cidr.Bits() && a.Contains(cidr.Addr()) {
				inside = true
			}
		}
		if !inside {
			bad = append(bad, fmt.Sprintf("rule %s lets %v reach 3025", id, r["cidr_ipv4"]))
		}
	}
	ls := s.resources("aws_lb_listener")
	for _, id := range sortedKeys(ls) {
		if ls[id]["port"] != 3025.0 {
			continue
		}
		n++
		lbRef := fmt.Sprint(ls[id]["load_balancer_arn"])
		for lbID, lb := range s.resources("aws_lb") {
			if strings.Contains(lbRef, "aws_lb."+lbID+".") && lb["internal"] != true {
				bad = append(bad, fmt.Sprintf("3025 listener %s is on the internet-facing load balancer %s", id, lbID))
			}
		}
	}
	return n, bad
}

func rulesAreNarrow(cfg *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	n := 0
	public := cfg.PublicPeering()
	nlbGroups := loadBalancerGroups(s)
	for _, typ := range []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"} {
		rules := s.resources(typ)
		for _, id := range sortedKeys(rules) {
			n++
			r := rules[id]
			port, _ := r["from_port"].(float64)
			if r["to_port"] != port || r["ip_protocol"] != "tcp" {
				bad = append(bad, fmt.Sprintf("%s opens %v-%v/%v", id, r["from_port"], r["to_port"], r["ip_protocol"]))
			}
			// Exactly one source: an IPv4 range, a security group or a
			// prefix list of this stack.
			ref, _ := r["referenced_security_group_id"].(string)
			pl, _ := r["prefix_list_id"].(string)
			sources := 0
			for _, set := range []bool{r["cidr_ipv4"] != nil, ref != "", pl != ""} {
				if set {
					sources++
				}
			}
			if r["cidr_ipv6"] != nil || sources != 1 || (ref != "" && !strings.HasPrefix(ref, "${aws_security_group.")) ||
				(pl != "" && !strings.HasPrefix(pl, "${aws_ec2_managed_prefix_list.")) {
				bad = append(bad, id+" uses a source other than one IPv4 range, security group or prefix list of its stack")
			}
			if r["cidr_ipv4"] != "0.0.0.0/0" {
				continue
			}
			switch {
			// Clients reach the proxy NLB; instances reach HTTPS anywhere.
			case port == 443 && typ == "aws_vpc_security_group_ingress_rule" && nlbGroups[fmt.Sprint(r["security_group_id"])]:
			case port == 443 && typ == "aws_vpc_security_group_egress_rule":
			case port == 3021 && public: // peers' public addresses change with every instance
			default:
				bad = append(bad, fmt.Sprintf("%s opens port %v to the internet", id, port))
			}
		}
	}
	// Inline rules in aws_security_group are invisible to scanners reading
	// the JSON and fight with separate rule resources.
	for id, sg := range s.resources("aws_security_group") {
		if sg["ingress"] != nil || sg["egress"] != nil {
			bad = append(bad, id+" has inline rules")
		}
	}
	if len(s.resources("aws_security_group_rule")) != 0 {
		bad = append(bad, "legacy aws_security_group_rule resources")
	}
	return n, bad
}

func bucketsArePrivate(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	buckets := s.resources("aws_s3_bucket")
	byBucket := func(typ string) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, r := range s.resources(typ) {
			out[fmt.Sprint(r["bucket"])] = r
		}
		return out
	}
	blocks, owners, policies := byBucket("aws_s3_bucket_public_access_block"), byBucket("aws_s3_bucket_ownership_controls"), byBucket("aws_s3_bucket_policy")
	for _, id := range sortedKeys(buckets) {
		ref := "${aws_s3_bucket." + id + ".id}"
		b := blocks[ref]
		for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if b == nil || b[k] != true {
				bad = append(bad, fmt.Sprintf("bucket %s: %s is not on", id, k))
			}
		}
		if get(owners[ref], "rule", "object_ownership") != "BucketOwnerEnforced" {
			bad = append(bad, "bucket "+id+": ACLs are not disabled")
		}
		denies := false
		statements, _ := statementsOf(s, policies[ref]["policy"])
		for _, st := range statements {
			if get(st, "effect") == "Deny" && fmt.Sprint(get(st, "actions")) == "[s3:*]" &&
				get(st, "condition", 0, "variable") == "aws:SecureTransport" && fmt.Sprint(get(st, "condition", 0, "values")) == "[false]" {
				denies = true
			}
		}
		if !denies {
			bad = append(bad, "bucket "+id+": its policy does not deny requests without TLS")
		}
	}
	return len(buckets), bad
}

// cmk reports whether a value references a customer managed key created in
// the same stack (KMS keys are regional, and so is everything they encrypt).
func cmk(v any) bool {
	s, _ := v.(string)
	return strings.HasPrefix(s, "${aws_kms_key.") && strings.HasSuffix(s, ".arn}")
}

func dataIsEncrypted(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	tables := s.resources("aws_dynamodb_table")
	for _, id := range sortedKeys(tables) {
		if get(tables[id], "server_side_encryption", "enabled") != true || !cmk(get(tables[id], "server_side_encryption", "kms_key_arn")) {
			bad = append(bad, "table "+id+" is not encrypted with a customer managed key")
		}
	}
	enc := map[string]map[string]any{}
	for _, e := range s.resources("aws_s3_bucket_server_side_encryption_configuration") {
		enc[fmt.Sprint(e["bucket"])] = e
	}
	buckets := s.resources("aws_s3_bucket")
	for _, id := range sortedKeys(buckets) {
		def := get(enc["${aws_s3_bucket."+id+".id}"], "rule", 0, "apply_server_side_encryption_by_default")
		if get(def, "sse_algorithm") != "aws:kms" || !cmk(get(def, "kms_master_key_id")) {
			bad = append(bad, "bucket "+id+" is not encrypted with a customer managed key")
		}
	}
	// Topics and queues carry events and alarms: the same rule.
	n := len(tables) + len(buckets)
	for _, typ := range []string{"aws_sns_topic", "aws_sqs_queue"} {
		rs := s.resources(typ)
		for _, id := range sortedKeys(rs) {
			n++
			if !cmk(rs[id]["kms_master_key_id"]) {
				bad = append(bad, typ+" "+id+" is not encrypted with a customer managed key")
			}
		}
	}
	// A workgroup's query results too.
	for id, wg := range s.resources("aws_athena_workgroup") {
		n++
		enc := get(wg, "configuration", "result_configuration", "encryption_configuration")
		if get(enc, "encryption_option") != "SSE_KMS" || !cmk(get(enc, "kms_key_arn")) || get(wg, "configuration", "enforce_workgroup_configuration") != true {
			bad = append(bad, "workgroup "+id+" does not enforce results encrypted with a customer managed key")
		}
	}
	return n, bad
}

func volumesAreEncrypted(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	n := 0
	lts := s.resources("aws_launch_template")
	for _, id := range sortedKeys(lts) {
		mappings, _ := lts[id]["block_device_mappings"].([]any)
		if len(mappings) == 0 {
			bad = append(bad, id+" does not declare its root volume")
		}
		for i := range mappings {
			n++
			ebs := get(mappings[i], "ebs")
			if get(ebs, "encrypted") != "true" || !cmk(get(ebs, "kms_key_id")) {
				bad = append(bad, fmt.Sprintf("%s: volume %v is not encrypted with a customer managed key", id, get(mappings[i], "device_name")))
			}
		}
	}
	// Encrypted volumes launch only if the group's service-linked role may
	// use the key: every group names the role the key policies grant.
	for id, g := range s.resources("aws_autoscaling_group") {
		if !strings.Contains(fmt.Sprint(g["service_linked_role_arn"]), "aws_iam_service_linked_role") {
			bad = append(bad, id+" does not launch with the cluster's Auto Scaling role")
		}
	}
	return n, bad
}

func launchTemplatesRequireIMDSv2(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	lts := s.resources("aws_launch_template")
	for _, id := range sortedKeys(lts) {
		md := get(lts[id], "metadata_options")
		if get(md, "http_tokens") != "required" || get(md, "http_endpoint") != "enabled" || get(md, "http_put_response_hop_limit") != 1.0 {
			bad = append(bad, fmt.Sprintf("%s: metadata options %v", id, md))
		}
	}
	return len(lts), bad
}

func rolesHaveNoWildcards(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	rps := s.resources("aws_iam_role_policy")
	for _, id := range sortedKeys(rps) {
		statements, ok := statementsOf(s, rps[id]["policy"])
		if !ok {
			bad = append(bad, id+" does not use a reviewed policy document")
			continue
		}
		for _, st := range statements {
			if get(st, "effect") != "Allow" {
				continue
			}
			resources, _ := get(st, "resources").([]any)
			actions, _ := get(st, "actions").([]any)
			for _, a := range actions {
				action, _ := a.(string)
				if action == "*" || strings.HasSuffix(action, ":*") {
					bad = append(bad, fmt.Sprintf("%s: service-wide action %s", id, action))
				}
				if strings.Contains(action, "*") && slices.Contains(resources, any("*")) {
					bad = append(bad, fmt.Sprintf("%s: wildcard action %s on every resource", id, action))
				}
			}
		}
	}
	if len(s.resources("aws_iam_policy")) != 0 {
		bad = append(bad, "customer managed policies: every permission must be in the reviewed inline policy")
	}
	// The one exception: AWS Backup's role gets the AWS managed policies
	// AWS Backup documents for its service role (package backup), and
	// nothing else does.
	for id, a := range s.resources("aws_iam_role_policy_attachment") {
		if !slices.Contains(backup.ManagedPolicies, fmt.Sprint(a["policy_arn"])) || !strings.Contains(fmt.Sprint(a["role"]), "aws_iam_role.backup_role") {
			bad = append(bad, fmt.Sprintf("%s: managed policy %v attached to %v: every permission must be in the reviewed inline policy", id, a["policy_arn"], a["role"]))
		}
	}
	return len(rps), bad
}

func keysAreLeastPrivilege(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	keys := s.resources("aws_kms_key")
	crypto := []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:ReEncryptFrom", "kms:ReEncryptTo"}
	for _, id := range sortedKeys(keys) {
		k := keys[id]
		if k["enable_key_rotation"] != true {
			bad = append(bad, id+": key rotation is off")
		}
		statements, ok := statementsOf(s, k["policy"])
		if !ok {
			bad = append(bad, id+": no key policy (the default policy lets every IAM principal of the account use the key)")
			continue
		}
		for _, st := range statements {
			sid := fmt.Sprint(get(st, "sid"))
			if get(st, "effect") != "Allow" {
				continue
			}
			principal := fmt.Sprint(get(st, "principals", 0, "identifiers"))
			if principal == "[*]" {
				bad = append(bad, sid+": allows every principal")
			}
			var conditions []string
			conds, _ := get(st, "condition").([]any)
			for _, c := range conds {
				conditions = append(conditions, fmt.Sprint(get(c, "variable")))
			}
			actions, _ := get(st, "actions").([]any)
			for _, a := range actions {
				action, _ := a.(string)
				if action == "*" || action == "kms:*" {
					bad = append(bad, sid+": grants "+action)
				}
				if !slices.Contains(crypto, action) {
					continue
				}
				// Data use: the cluster's Auto Scaling role (volumes; in a
				// proxy stack through a cross-stack output named after the
				// role resource), a named role through named services, the
				// account's principals (the deployer) only through named
				// services from this account, or an AWS service for named
				// resources (encryption context).
				asg := strings.Contains(principal, "aws_iam_service_linked_role")
				via := slices.Contains(conditions, "kms:ViaService")
				named := slices.Contains(conditions, "aws:PrincipalArn") && via
				deployer := slices.Contains(conditions, "kms:CallerAccount") && via
				service := get(st, "principals", 0, "type") == "Service" && slices.ContainsFunc(conditions, func(c string) bool {
					return strings.HasPrefix(c, "kms:EncryptionContext:")
				})
				if !asg && !named && !deployer && !service {
					bad = append(bad, fmt.Sprintf("%s: grants %s to %s without naming the role and the service", sid, action, principal))
				}
			}
		}
	}
	return len(keys), bad
}

// statementsOf resolves a policy argument ("${data.aws_iam_policy_document.X.json}")
// to the statements of that document in the same stack.
func statementsOf(s stackJSON, policyRef any) ([]any, bool) {
	id := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(policyRef), "${data.aws_iam_policy_document."), ".json}")
	d, ok := s.section("data", "aws_iam_policy_document")[id]
	if !ok {
		return nil, false
	}
	statements, _ := d["statement"].([]any)
	return statements, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestSynthesizedNamesFitAWSLimits reads every name in the output (the
// many-regions config has the longest cluster name the validator accepts)
// and checks it against its service's rule, and that names AWS requires to
// be unique are: IAM names and buckets in the account (across all stacks),
// load balancer, target group, launch template, Auto Scaling group and KMS
// alias names within a region.
func TestSynthesizedNamesFitAWSLimits(t *testing.T) {
	rules := []struct {
		typ, field string
		max        int
		global     bool
	}{
		{"aws_lb", "name", 32, false},
		{"aws_lb_target_group", "name", 32, false},
		{"aws_iam_role", "name", 64, true},
		{"aws_iam_instance_profile", "name", 128, true},
		{"aws_iam_role_policy", "name", 128, false},
		{"aws_s3_bucket", "bucket", 63, true},
		{"aws_dynamodb_table", "name", 255, false},
		{"aws_kms_alias", "name", 256, false},
		{"aws_launch_template", "name", 128, false},
		{"aws_autoscaling_group", "name", 255, false},
		{"aws_security_group", "name", 255, false},
		{"aws_sns_topic", "name", 256, false},
		{"aws_cloudwatch_metric_alarm", "alarm_name", 255, false},
		{"aws_cloudwatch_log_group", "name", 512, false},
		{"aws_ssm_parameter", "name", 1011, false},
		{"aws_ec2_managed_prefix_list", "name", 255, false},
	}
	checked := 0
	for _, synth := range synthNames() {
		seen := map[string]string{} // scope/type/name -> stack
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			region := fmt.Sprint(get(s, "provider", "aws", 0, "region"))
			for _, r := range rules {
				for id, res := range s.resources(r.typ) {
					name, ok := res[r.field].(string)
					if !ok {
						continue
					}
					checked++
					if len(name) > r.max || strings.Contains(name, "${") {
						t.Errorf("%s/%s: %s %s name %q (%d characters, max %d)", synth, stack, r.typ, id, name, len(name), r.max)
					}
					if r.typ == "aws_s3_bucket" && name != strings.ToLower(name) {
						t.Errorf("%s/%s: bucket name %q is not lowercase", synth, stack, name)
					}
					if r.typ == "aws_iam_role_policy" || r.typ == "aws_dynamodb_table" || r.typ == "aws_security_group" {
						continue // unique per role, in the auth region only, or per VPC
					}
					// A resource managed through an aliased provider lives in
					// that provider's region.
					scope := region
					switch p, _ := res["provider"].(string); {
					case p == "aws.auth":
						scope = synthOf(t, synth).cfg.Auth.Region
					case strings.HasPrefix(p, "aws."):
						scope = strings.TrimPrefix(p, "aws.")
					}
					if r.global {
						scope = "account"
					}
					key := scope + "/" + r.typ + "/" + name
					if prev, dup := seen[key]; dup {
						t.Errorf("%s: %s %q is created by both %s and %s", synth, r.typ, name, prev, stack)
					}
					seen[key] = stack
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no names found: the rule table does not match the output")
	}
}

// loadBalancerGroups returns the security group references ("${aws_security_group.X.id}")
// attached to the stack's load balancers.
func loadBalancerGroups(s stackJSON) map[string]bool {
	out := map[string]bool{}
	for _, lb := range s.resources("aws_lb") {
		groups, _ := lb["security_groups"].([]any)
		for _, g := range groups {
			out[fmt.Sprint(g)] = true
		}
	}
	return out
}

// instanceGroups returns the security group references attached to the
// stack's launch templates.
func instanceGroups(s stackJSON) map[string]bool {
	out := map[string]bool{}
	for _, lt := range s.resources("aws_launch_template") {
		groups, _ := get(lt, "network_interfaces", 0, "security_groups").([]any)
		for _, g := range groups {
			out[fmt.Sprint(g)] = true
		}
	}
	return out
}

func instancesOnlyThroughTheirNLB(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	n := 0
	lbs := s.resources("aws_lb")
	for _, id := range sortedKeys(lbs) {
		n++
		if groups, _ := lbs[id]["security_groups"].([]any); len(groups) == 0 {
			bad = append(bad, id+" has no security group (one cannot be added later without replacing the load balancer)")
		}
	}
	nlbGroups, instances := loadBalancerGroups(s), instanceGroups(s)
	rules := s.resources("aws_vpc_security_group_ingress_rule")
	for _, id := range sortedKeys(rules) {
		r := rules[id]
		if !instances[fmt.Sprint(r["security_group_id"])] {
			continue
		}
		n++
		port, _ := r["from_port"].(float64)
		switch port {
		case 443, 3000, 3025:
			if !nlbGroups[fmt.Sprint(r["referenced_security_group_id"])] || r["cidr_ipv4"] != nil {
				bad = append(bad, fmt.Sprintf("%s admits %v to the instances from %v%v, not from their load balancer", id, port, r["cidr_ipv4"], r["referenced_security_group_id"]))
			}
		case 3021:
			if r["cidr_ipv4"] == nil && r["prefix_list_id"] == nil {
				bad = append(bad, id+" admits 3021 from something other than the peers' ranges")
			}
		default:
			bad = append(bad, fmt.Sprintf("%s admits port %v to the instances", id, port))
		}
	}
	return n, bad
}

// proxyRanges are the ranges 3021 must be open to and from in a proxy stack.
func proxyRanges(cfg *config.Cluster) []string {
	if !cfg.ProxyPeering() {
		return nil
	}
	if cfg.PublicPeering() {
		return []string{"0.0.0.0/0"}
	}
	var out []string
	for _, p := range cfg.ActiveProxyRegions() {
		out = append(out, network.InstanceRange(p.VPCCIDR, true, p.ExistingVPC != nil))
	}
	slices.Sort(out)
	return out
}

// peerPortBetweenAllProxies: in a proxy stack 3021 is open, both ways, only
// to its peer prefix list (sized for every region of the table, no inline
// entries), into which the stack adds its own region's range; the region's
// mesh stack adds every other active region's range, and nothing else. Or,
// with public peering, to 0.0.0.0/0; without peering, not at all.
func peerPortBetweenAllProxies(cfg *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	proxyStack := false
	for _, lb := range s.resources("aws_lb") {
		proxyStack = proxyStack || lb["internal"] == false
	}
	region := providerRegions(s)[""]
	var own string
	for _, p := range cfg.ActiveProxyRegions() {
		if p.Region == region {
			own = network.InstanceRange(p.VPCCIDR, true, p.ExistingVPC != nil)
		}
	}
	mesh := cfg.ProxyPeering() && !cfg.PublicPeering()
	n := 0
	// Entries by the list they go into.
	entries := map[string][]string{}
	for _, id := range sortedKeys(s.resources("aws_ec2_managed_prefix_list_entry")) {
		e := s.resources("aws_ec2_managed_prefix_list_entry")[id]
		entries[fmt.Sprint(e["prefix_list_id"])] = append(entries[fmt.Sprint(e["prefix_list_id"])], fmt.Sprint(e["cidr"]))
	}
	if !proxyStack {
		// No 3021 rule outside a proxy stack.
		for _, typ := range []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"} {
			for id, r := range s.resources(typ) {
				n++
				if r["from_port"] == 3021.0 || r["to_port"] == 3021.0 {
					bad = append(bad, fmt.Sprintf("%s opens 3021 outside a proxy stack", id))
				}
			}
		}
		// A mesh stack: every other active region's range into this
		// region's list (read from its proxy stack); no other stack adds
		// entries.
		var got []string
		for list, cidrs := range entries {
			if !strings.Contains(list, "cross-stack-reference-input-") || own == "" {
				bad = append(bad, fmt.Sprintf("entries %v into %s outside a mesh stack", cidrs, list))
			}
			got = append(got, cidrs...)
		}
		if len(got) == 0 {
			return n, bad
		}
		var want []string
		for _, r := range proxyRanges(cfg) {
			if r != own {
				want = append(want, r)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			bad = append(bad, fmt.Sprintf("mesh entries %v; want exactly %v", got, want))
		}
		return n + len(got), bad
	}
	for _, typ := range []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"} {
		var got []string
		rules := s.resources(typ)
		for _, id := range sortedKeys(rules) {
			r := rules[id]
			if r["from_port"] != 3021.0 && r["to_port"] != 3021.0 {
				continue
			}
			if r["prefix_list_id"] == nil {
				got = append(got, fmt.Sprint(r["cidr_ipv4"]))
				continue
			}
			ref := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(r["prefix_list_id"]), "${aws_ec2_managed_prefix_list."), ".id}")
			pl := s.resources("aws_ec2_managed_prefix_list")[ref]
			if pl == nil || pl["max_entries"] != float64(len(config.RegionNames())) || pl["entry"] != nil {
				bad = append(bad, fmt.Sprintf("%s: prefix list %s is missing, has inline entries or is not sized for every region of the table", id, ref))
			}
			got = append(got, entries[fmt.Sprint(r["prefix_list_id"])]...)
		}
		slices.Sort(got)
		var want []string
		switch {
		case !cfg.ProxyPeering():
		case !mesh:
			want = []string{"0.0.0.0/0"}
		default:
			want = []string{own}
		}
		n += len(got) + len(want)
		if !slices.Equal(got, want) {
			bad = append(bad, fmt.Sprintf("%s on 3021: %v; want exactly %v (this stack's; the mesh stack adds the others)", typ, got, want))
		}
	}
	if n == 0 {
		n = 1 // an OSS proxy stack was examined: no 3021 at all
	}
	return n, bad
}

func vpcsHaveFlowLogs(cfg *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	vpcs := s.resources("aws_vpc")
	logs := map[string]map[string]any{}
	for _, f := range s.resources("aws_flow_log") {
		logs[fmt.Sprint(f["vpc_id"])] = f
	}
	groups := s.resources("aws_cloudwatch_log_group")
	refs := map[string]string{}
	for _, id := range sortedKeys(vpcs) {
		refs[id] = "${aws_vpc." + id + ".id}"
	}
	// A given VPC has a flow log unless its existing_vpc turns it off.
	given := givenVPCs(cfg)
	for id, v := range s.section("data", "aws_vpc") {
		e := given[fmt.Sprint(v["id"])]
		switch {
		case e == nil:
			bad = append(bad, "data source "+id+" reads a VPC the config does not give")
		case e.FlowLogsOn():
			refs[id] = e.VPCID
		case logs[e.VPCID] != nil:
			bad = append(bad, e.VPCID+" has a flow log although its existing_vpc says flow_logs: false")
		}
	}
	for _, id := range sortedKeys(refs) {
		f := logs[refs[id]]
		if f == nil {
			bad = append(bad, "VPC "+id+" has no flow log")
			continue
		}
		if f["traffic_type"] != cfg.FlowLogs.TrafficType || f["log_destination_type"] != "cloud-watch-logs" {
			bad = append(bad, fmt.Sprintf("flow log of %s: traffic %v to %v", id, f["traffic_type"], f["log_destination_type"]))
		}
		dest := fmt.Sprint(f["log_destination"])
		group := groups[strings.TrimSuffix(strings.TrimPrefix(dest, "${aws_cloudwatch_log_group."), ".arn}")]
		if group == nil || !cmk(group["kms_key_id"]) || group["retention_in_days"] != float64(cfg.FlowLogs.RetentionDays) {
			bad = append(bad, fmt.Sprintf("flow log of %s goes to %s, not to an encrypted log group kept %d days", id, dest, cfg.FlowLogs.RetentionDays))
		}
	}
	return len(refs), bad
}

// givenVPCs are the config's existing VPCs by id.
func givenVPCs(cfg *config.Cluster) map[string]*config.ExistingVPC {
	out := map[string]*config.ExistingVPC{}
	if e := cfg.Auth.ExistingVPC; e != nil {
		out[e.VPCID] = e
	}
	for _, p := range cfg.ProxyRegions {
		if e := p.ExistingVPC; e != nil {
			out[e.VPCID] = e
		}
	}
	return out
}

// givenVPCsAreChecked: a stack whose VPC is given creates no VPC, subnet,
// gateway, NAT, address or route table, and each subnet and route table id
// it uses in its own region has a data source whose postcondition checks
// that it is in the VPC (and the VPC one checking its range and DNS).
func givenVPCsAreChecked(cfg *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	vpcs := s.section("data", "aws_vpc")
	if len(vpcs) == 0 {
		return 0, nil
	}
	for _, typ := range []string{"aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route_table", "aws_route_table_association"} {
		if len(s.resources(typ)) != 0 {
			bad = append(bad, "a stack with a given VPC creates "+typ)
		}
	}
	conditions := func(v map[string]any) string {
		var out []string
		for _, c := range asList(get(v, "lifecycle", "postcondition")) {
			out = append(out, fmt.Sprint(get(c, "condition")))
		}
		return strings.Join(out, "\n")
	}
	checked := map[string]bool{}
	n := 0
	for _, id := range sortedKeys(vpcs) {
		vpc := fmt.Sprint(vpcs[id]["id"])
		c := conditions(vpcs[id])
		if !strings.Contains(c, "self.cidr_block ==") || !strings.Contains(c, "self.enable_dns_support && self.enable_dns_hostnames") {
			bad = append(bad, "data source "+id+" does not check the VPC's range and DNS")
		}
		for _, typ := range []string{"aws_subnet", "aws_route_table"} {
			for sid, d := range s.section("data", typ) {
				n++
				if !strings.Contains(conditions(d), `self.vpc_id == "`+vpc+`"`) {
					bad = append(bad, fmt.Sprintf("data source %s does not check that it is in %s", sid, vpc))
					continue
				}
				for _, k := range []string{"id", "route_table_id"} {
					if id, ok := d[k].(string); ok {
						checked[id] = true
					}
				}
			}
		}
	}
	var used []string
	for _, asg := range s.resources("aws_autoscaling_group") {
		for _, sub := range asList(asg["vpc_zone_identifier"]) {
			used = append(used, fmt.Sprint(sub))
		}
	}
	for _, lb := range s.resources("aws_lb") {
		for _, sub := range asList(lb["subnets"]) {
			used = append(used, fmt.Sprint(sub))
		}
	}
	for _, a := range s.resources("aws_ec2_transit_gateway_vpc_attachment") {
		for _, sub := range asList(a["subnet_ids"]) {
			used = append(used, fmt.Sprint(sub))
		}
	}
	for _, r := range s.resources("aws_route") {
		if r["provider"] == nil {
			used = append(used, fmt.Sprint(r["route_table_id"]))
		}
	}
	slices.Sort(used)
	for _, id := range slices.Compact(used) {
		n++
		if !strings.Contains(id, "${") && !checked[id] {
			bad = append(bad, id+" is used but not checked by a data source")
		}
	}
	return n, bad
}

// imagesMatchArchitecture: every launch template takes its image from an
// aws_ami data source that either looks up Teleport's image of the
// instance type's architecture or checks the architecture of the image it
// reads back by id.
func imagesMatchArchitecture(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	amis := s.section("data", "aws_ami")
	lts := s.resources("aws_launch_template")
	for _, id := range sortedKeys(lts) {
		lt := lts[id]
		arch := config.Architecture(fmt.Sprint(lt["instance_type"]))
		ref := fmt.Sprint(lt["image_id"])
		ami := amis[strings.TrimSuffix(strings.TrimPrefix(ref, "${data.aws_ami."), ".id}")]
		if ami == nil {
			bad = append(bad, fmt.Sprintf("%s takes its image from %s, not from an aws_ami data source", id, ref))
			continue
		}
		filters := map[string]string{}
		for _, f := range asList(ami["filter"]) {
			filters[fmt.Sprint(get(f, "name"))] = fmt.Sprint(asList(get(f, "values"))...)
		}
		var conds []string
		for _, c := range asList(get(ami, "lifecycle", "postcondition")) {
			conds = append(conds, fmt.Sprint(get(c, "condition")))
		}
		teleport := slices.Equal(asList(ami["owners"]), []any{config.TeleportAMIOwner}) && filters["architecture"] == arch
		checked := slices.Contains(conds, `${self.architecture == "`+arch+`"}`)
		if !teleport && !checked {
			bad = append(bad, fmt.Sprintf("%s (%v, %s) boots an image whose architecture is neither looked up nor checked", id, lt["instance_type"], arch))
		}
	}
	return len(lts), bad
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func zonesAreFixed(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	if len(s.section("data", "aws_availability_zones")) != 0 {
		bad = append(bad, "reads the live list of availability zones")
	}
	subnets := s.resources("aws_subnet")
	for _, id := range sortedKeys(subnets) {
		zone := fmt.Sprint(subnets[id]["availability_zone_id"], subnets[id]["availability_zone"])
		if strings.Contains(zone, "${") || zone == "<nil><nil>" {
			bad = append(bad, fmt.Sprintf("subnet %s is placed by %s, not by a zone fixed at synth time", id, zone))
		}
	}
	return len(subnets), bad
}

func ossNeverPeers(cfg *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	lts := s.resources("aws_launch_template")
	for _, id := range sortedKeys(lts) {
		script, err := teleportconfig.DecodeUserData(fmt.Sprint(lts[id]["user_data"]))
		if err != nil {
			bad = append(bad, id+": "+err.Error())
			continue
		}
		env, err := teleportconfig.BootEnv(script)
		if err != nil {
			bad = append(bad, id+": "+err.Error())
			continue
		}
		edition := env["TELEPORT_EDITION"]
		peering := strings.Contains(script, "proxy_peering") || strings.Contains(script, "peer_listen_addr") || strings.Contains(script, "peer_public_addr")
		if edition != cfg.Edition {
			bad = append(bad, fmt.Sprintf("%s installs Teleport %s; the config says %s", id, edition, cfg.Edition))
		}
		if edition == "oss" && peering {
			bad = append(bad, id+" runs Teleport OSS with proxy peering, which refuses to start")
		}
		if edition == "enterprise" && !peering && len(cfg.ProxyRegions) > 1 {
			bad = append(bad, id+" has several proxy regions but no proxy peering")
		}
	}
	return len(lts), bad
}

// groupRoleStatements returns the statements of the inline policy of the
// role the Auto Scaling group's instances run with (group -> launch template
// -> instance profile -> role -> role policy), and the launch template.
func groupRoleStatements(s stackJSON, group map[string]any) (statements []any, lt map[string]any) {
	ref := func(v any, typ, attr string) string {
		return strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(v), "${"+typ+"."), "."+attr+"}")
	}
	lt = s.resources("aws_launch_template")[ref(get(group, "launch_template", "id"), "aws_launch_template", "id")]
	profile := s.resources("aws_iam_instance_profile")[ref(get(lt, "iam_instance_profile", "arn"), "aws_iam_instance_profile", "arn")]
	role := ref(get(profile, "role"), "aws_iam_role", "name")
	for _, rp := range s.resources("aws_iam_role_policy") {
		if ref(rp["role"], "aws_iam_role", "id") == role {
			statements, _ = statementsOf(s, rp["policy"])
		}
	}
	return statements, lt
}

// noGroupReplacesOnReadyz: every group uses EC2 health checks (Teleport's
// /readyz fails on any auth hiccup: the NLBs use it to route, never the
// groups to replace), and every group's instances may mark themselves
// unhealthy (their /healthz watchdog) in their own group only.
func noGroupReplacesOnReadyz(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	groups := s.resources("aws_autoscaling_group")
	for _, id := range sortedKeys(groups) {
		g := groups[id]
		if g["health_check_type"] != "EC2" {
			bad = append(bad, fmt.Sprintf("%s: health_check_type %v replaces instances when a load balancer health check (/readyz) fails", id, g["health_check_type"]))
		}
		own := fmt.Sprintf(":autoScalingGroup:*:autoScalingGroupName/%v", g["name"])
		statements, _ := groupRoleStatements(s, g)
		watchdog := false
		for _, st := range statements {
			actions := fmt.Sprint(get(st, "actions"))
			if !strings.Contains(actions, "autoscaling:SetInstanceHealth") {
				continue
			}
			resources, _ := get(st, "resources").([]any)
			if len(resources) != 1 || !strings.HasSuffix(fmt.Sprint(resources[0]), own) {
				bad = append(bad, fmt.Sprintf("%s: SetInstanceHealth on %v, not on the group itself", id, resources))
				continue
			}
			watchdog = true
		}
		if !watchdog {
			bad = append(bad, id+": its instances cannot report their own health (the /healthz watchdog)")
		}
	}
	return len(groups), bad
}

// sessionManagerOnly: no key pair, exactly the Session Manager agent's
// Systems Manager actions on every instance role (never the managed policy,
// which reads every parameter), HTTPS out to the regional endpoints, and no
// inbound rule beyond those of the load balancers and peers (checked by
// instancesOnlyThroughTheirNLB).
func sessionManagerOnly(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	want := "[ssm:UpdateInstanceInformation ssmmessages:CreateControlChannel ssmmessages:CreateDataChannel ssmmessages:OpenControlChannel ssmmessages:OpenDataChannel]"
	groups := s.resources("aws_autoscaling_group")
	egress := s.resources("aws_vpc_security_group_egress_rule")
	for _, id := range sortedKeys(groups) {
		statements, lt := groupRoleStatements(s, groups[id])
		if lt == nil {
			bad = append(bad, id+": launch template not found")
			continue
		}
		if lt["key_name"] != nil {
			bad = append(bad, fmt.Sprintf("%s: key pair %v", id, lt["key_name"]))
		}
		agent := 0
		for _, st := range statements {
			for _, a := range get(st, "actions").([]any) {
				action := fmt.Sprint(a)
				if (strings.HasPrefix(action, "ssmmessages:") || strings.HasPrefix(action, "ec2messages:") || action == "ssm:UpdateInstanceInformation") &&
					(get(st, "sid") != "SessionManagerAgent" || fmt.Sprint(get(st, "actions")) != want) {
					bad = append(bad, fmt.Sprintf("%s: %s granted by %v beside the Session Manager agent's statement", id, action, get(st, "sid")))
				}
			}
			if get(st, "sid") == "SessionManagerAgent" {
				agent++
				if fmt.Sprint(get(st, "actions")) != want {
					bad = append(bad, fmt.Sprintf("%s: Session Manager actions %v; want exactly %s", id, get(st, "actions"), want))
				}
			}
		}
		if agent != 1 {
			bad = append(bad, fmt.Sprintf("%s: %d Session Manager statements; want 1", id, agent))
		}
		out := false
		for _, g := range get(lt, "network_interfaces", 0, "security_groups").([]any) {
			for _, r := range egress {
				if r["security_group_id"] == g && r["from_port"] == 443.0 && r["cidr_ipv4"] == "0.0.0.0/0" {
					out = true
				}
			}
		}
		if !out {
			bad = append(bad, id+": its instances cannot reach the Systems Manager endpoints on 443")
		}
	}
	for id, r := range s.resources("aws_vpc_security_group_ingress_rule") {
		if p, _ := r["from_port"].(float64); p == 22 || p == 3389 {
			bad = append(bad, fmt.Sprintf("%s admits port %v", id, p))
		}
	}
	return len(groups), bad
}

// atMostTwoAuthServers: in a stack with the cluster state table (a DynamoDB
// table with a stream, which every auth server reads; DynamoDB Streams
// serves two readers per shard), the group never holds more than two
// instances, not even while replacing them (maximum size, and the instance
// refresh and maintenance policy's maximum healthy percentage).
func atMostTwoAuthServers(_ *config.Cluster, s stackJSON) (int, []string) {
	streams := 0
	for _, t := range s.resources("aws_dynamodb_table") {
		if t["stream_enabled"] == true {
			streams++
		}
	}
	if streams == 0 {
		return 0, nil
	}
	var bad []string
	groups := s.resources("aws_autoscaling_group")
	for _, id := range sortedKeys(groups) {
		g := groups[id]
		most := func(what string, pct any) {
			p, ok := pct.(float64)
			desired, _ := g["desired_capacity"].(float64)
			// Auto Scaling rounds the maximum down.
			if !ok || float64(int(desired*p/100)) > 2 {
				bad = append(bad, fmt.Sprintf("%s: %s lets %v instances run at once", id, what, pct))
			}
		}
		if max, _ := g["max_size"].(float64); max > 2 {
			bad = append(bad, fmt.Sprintf("%s: max_size %v", id, g["max_size"]))
		}
		most("instance refresh max_healthy_percentage", get(g, "instance_refresh", "preferences", "max_healthy_percentage"))
		most("instance maintenance policy max_healthy_percentage", get(g, "instance_maintenance_policy", "max_healthy_percentage"))
	}
	return len(groups), bad
}

// instanceTypesOffered: every Auto Scaling group's launch template type is
// the instance-type filter of an aws_ec2_instance_type_offerings data
// source whose postcondition requires every zone of the group's subnets in
// self.locations: the config's zone of a created subnet, or the zone a
// given subnet's data source reads.
func instanceTypesOffered(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	lts := s.resources("aws_launch_template")
	subnets := s.resources("aws_subnet")
	given := s.section("data", "aws_subnet")
	offerings := s.section("data", "aws_ec2_instance_type_offerings")
	groups := s.resources("aws_autoscaling_group")
	ref := func(v any, typ string) string {
		r := fmt.Sprint(v)
		return strings.TrimSuffix(strings.TrimPrefix(r, "${"+typ+"."), ".id}")
	}
	for _, id := range sortedKeys(groups) {
		g := groups[id]
		typ := fmt.Sprint(lts[ref(get(g, "launch_template", "id"), "aws_launch_template")]["instance_type"])
		var want []string
		for _, sn := range asList(g["vpc_zone_identifier"]) {
			if created, ok := subnets[ref(sn, "aws_subnet")]; ok {
				z := created["availability_zone_id"]
				if z == nil {
					z = created["availability_zone"]
				}
				want = append(want, fmt.Sprintf("%q", z))
				continue
			}
			for key, d := range given {
				if d["id"] == sn {
					want = append(want, "data.aws_subnet."+key+".availability_zone_id")
				}
			}
		}
		var conds []string
		for _, o := range offerings {
			f := get(o, "filter", 0)
			if get(f, "name") == "instance-type" && fmt.Sprint(asList(get(f, "values"))...) == typ {
				conds = append(conds, fmt.Sprint(get(o, "lifecycle", "postcondition", 0, "condition")))
			}
		}
		covered := func(expr string) bool {
			for _, c := range conds {
				if strings.Contains(c, "self.locations") && strings.Contains(c, expr) {
					return true
				}
			}
			return false
		}
		if len(want) != len(asList(g["vpc_zone_identifier"])) {
			bad = append(bad, fmt.Sprintf("%s: the zones of its subnets are not all known at plan time", id))
		}
		for _, z := range want {
			if !covered(z) {
				bad = append(bad, fmt.Sprintf("%s (%s): zone %s is not checked to offer the type", id, typ, z))
			}
		}
	}
	return len(groups), bad
}

// hostedZoneIDChecked: a configured hosted_zone_id is read back by an
// aws_route53_zone data source whose postcondition names the public
// hosted_zone, in every stack that uses the id.
func hostedZoneIDChecked(cfg *config.Cluster, s stackJSON) (int, []string) {
	if cfg.HostedZoneID == "" {
		return 0, nil
	}
	data, _ := json.Marshal(s)
	if !strings.Contains(string(data), cfg.HostedZoneID) {
		return 0, nil
	}
	want := fmt.Sprintf(`${self.name == "%s" && !self.private_zone}`, strings.TrimSuffix(cfg.HostedZone, "."))
	for _, z := range s.section("data", "aws_route53_zone") {
		if z["zone_id"] == cfg.HostedZoneID && get(z, "lifecycle", "postcondition", 0, "condition") == want {
			return 1, nil
		}
	}
	return 1, []string{"uses hosted_zone_id " + cfg.HostedZoneID + " without checking it is the public zone " + cfg.HostedZone}
}

// The hosted_zone_id invariant notices a stack that uses the id unchecked.
func TestHostedZoneIDInvariantBreaks(t *testing.T) {
	cfg := synthOf(t, "public-four-regions").cfg
	for _, stack := range []string{"dns", "auth-us-east-1"} {
		s := copyStack(t, stackOf(t, "public-four-regions", stack))
		if n, v := hostedZoneIDChecked(cfg, s); n != 1 || len(v) != 0 {
			t.Fatalf("%s: checked %d, %v before the change", stack, n, v)
		}
		for _, z := range s.section("data", "aws_route53_zone") {
			delete(z, "lifecycle")
		}
		if _, v := hostedZoneIDChecked(cfg, s); len(v) == 0 {
			t.Errorf("%s: an unchecked hosted_zone_id went unnoticed", stack)
		}
	}
}

// groupsRollOutSafely: every Auto Scaling group has a launch hook that its
// boot completes once Teleport's /readyz answers (the user data names the
// same hook and the readiness URL); its hooks are aws_autoscaling_lifecycle_hook
// resources of the group, identical to the initial_lifecycle_hook the group
// is created with, which it ignores afterwards (a change to that block
// replaces the whole group); and its instance refreshes roll back on their
// own, watching alarms of the same stack, among them the group's failed
// boots.
func groupsRollOutSafely(_ *config.Cluster, s stackJSON) (int, []string) {
	var bad []string
	groups := s.resources("aws_autoscaling_group")
	hooks := s.resources("aws_autoscaling_lifecycle_hook")
	alarms := s.resources("aws_cloudwatch_metric_alarm")
	for _, id := range sortedKeys(groups) {
		g := groups[id]
		ref := "${aws_autoscaling_group." + id + ".name}"
		if fmt.Sprint(get(g, "lifecycle", "ignore_changes")) != "[initial_lifecycle_hook]" {
			bad = append(bad, id+": initial_lifecycle_hook is not ignored after creation, so a hook change replaces the group")
		}
		initial := map[string]any{}
		for _, h := range asList(g["initial_lifecycle_hook"]) {
			initial[fmt.Sprint(get(h, "name"))] = h
		}
		managed := map[string]map[string]any{}
		for _, hid := range sortedKeys(hooks) {
			if hooks[hid]["autoscaling_group_name"] == ref {
				managed[fmt.Sprint(hooks[hid]["name"])] = hooks[hid]
			}
		}
		if len(initial) != len(managed) {
			bad = append(bad, fmt.Sprintf("%s: %d initial hooks, %d hook resources", id, len(initial), len(managed)))
		}
		launch := ""
		for name, h := range initial {
			m := managed[name]
			for _, k := range []string{"lifecycle_transition", "heartbeat_timeout", "default_result"} {
				if m == nil || fmt.Sprint(get(h, k)) != fmt.Sprint(m[k]) {
					bad = append(bad, fmt.Sprintf("%s: hook %s: %s %v at creation, %v afterwards", id, name, k, get(h, k), m[k]))
				}
			}
			if get(h, "lifecycle_transition") == "autoscaling:EC2_INSTANCE_LAUNCHING" && get(h, "default_result") == "ABANDON" {
				launch = name
			}
		}
		var lt map[string]any
		for ltID, l := range s.resources("aws_launch_template") {
			if get(g, "launch_template", "id") == "${aws_launch_template."+ltID+".id}" {
				lt = l
			}
		}
		if lt == nil {
			bad = append(bad, id+": no launch template of this stack")
			continue
		}
		var env map[string]string
		if script, err := teleportconfig.DecodeUserData(fmt.Sprint(lt["user_data"])); err == nil {
			env, _ = teleportconfig.BootEnv(script)
		}
		if launch == "" || env["LAUNCH_HOOK"] != launch || !strings.HasSuffix(env["READYZ_URL"], "/readyz") || env["GROUP_NAME"] != fmt.Sprint(g["name"]) {
			bad = append(bad, fmt.Sprintf("%s: launch hook %q (ABANDON by default), the boot completes %q of %q once %q answers", id, launch, env["LAUNCH_HOOK"], env["GROUP_NAME"], env["READYZ_URL"]))
		}
		prefs := get(g, "instance_refresh", "preferences")
		if get(prefs, "auto_rollback") != true {
			bad = append(bad, id+": a failed instance refresh does not roll back")
		}
		bootFailures := false
		watched := asList(get(prefs, "alarm_specification", "alarms"))
		for _, a := range watched {
			aid, ok := strings.CutSuffix(strings.TrimPrefix(fmt.Sprint(a), "${aws_cloudwatch_metric_alarm."), ".alarm_name}")
			alarm := alarms[aid]
			if !ok || alarm == nil {
				bad = append(bad, fmt.Sprintf("%s: the refresh watches %v, not an alarm of this stack", id, a))
				continue
			}
			if alarm["metric_name"] == teleportconfig.BootFailuresMetric && get(alarm, "dimensions", "AutoScalingGroupName") == g["name"] {
				bootFailures = true
			}
		}
		if !bootFailures || len(watched) > 10 {
			bad = append(bad, fmt.Sprintf("%s: the refresh watches %d alarms (at most 10), the group's boot failures among them: %v", id, len(watched), bootFailures))
		}
	}
	return len(groups), bad
}

// proxiesJoinByRegisteredRole: every proxy stack registers exactly its
// proxies' role under the cluster's proxy roles path, in the auth region;
// the auth servers may list that path and no other (they write one join
// rule per registered role: teleport-join-token).
func proxiesJoinByRegisteredRole(cfg *config.Cluster, s stackJSON) (int, []string) {
	names := cfg.Names()
	var bad []string
	n := 0
	groups := s.resources("aws_autoscaling_group")
	for _, id := range sortedKeys(groups) {
		g := groups[id]
		statements, lt := groupRoleStatements(s, g)
		switch g["name"] {
		case names.Prefix("proxy"):
			n++
			profile := s.resources("aws_iam_instance_profile")[strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(get(lt, "iam_instance_profile", "arn")), "${aws_iam_instance_profile."), ".arn}")]
			role := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(get(profile, "role")), "${aws_iam_role."), ".name}")
			registered := 0
			for pid, p := range s.resources("aws_ssm_parameter") {
				name := fmt.Sprint(p["name"])
				if !strings.HasPrefix(name, names.ProxyRolesPath()+"/") {
					continue
				}
				registered++
				region := strings.TrimPrefix(name, names.ProxyRolesPath()+"/")
				if _, ok := cfg.ProxyRegion(region); !ok || name != names.ProxyRoleParameter(region) {
					bad = append(bad, fmt.Sprintf("%s: registers %s, not a proxy region of the config", pid, name))
				}
				if p["value"] != "${aws_iam_role."+role+".arn}" || p["provider"] != "aws.auth" || p["type"] != "String" {
					bad = append(bad, fmt.Sprintf("%s: registers %v through %v, not the role %s of group %s in the auth region", pid, p["value"], p["provider"], role, id))
				}
			}
			if registered != 1 {
				bad = append(bad, fmt.Sprintf("%s: %d role registrations under %s; want exactly one", id, registered, names.ProxyRolesPath()))
			}
		case names.Prefix("auth"):
			n++
			lists := 0
			for _, st := range statements {
				if !strings.Contains(fmt.Sprint(get(st, "actions")), "ssm:GetParametersByPath") {
					continue
				}
				lists++
				resources, _ := get(st, "resources").([]any)
				if len(resources) != 1 || !strings.HasSuffix(fmt.Sprint(resources[0]), ":parameter"+names.ProxyRolesPath()) {
					bad = append(bad, fmt.Sprintf("%s: GetParametersByPath on %v; want the proxy roles path %s only (the call returns every parameter below the path)", id, resources, names.ProxyRolesPath()))
				}
			}
			if lists != 1 {
				bad = append(bad, fmt.Sprintf("%s: %d statements may list parameters by path; want one, on %s", id, lists, names.ProxyRolesPath()))
			}
		}
	}
	return n, bad
}
