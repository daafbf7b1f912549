package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/regions"
)

func TestAuthStack(t *testing.T) {
	s := stackOf(t, "example", "auth-us-west-2")

	lb := s.one(t, "aws_lb")
	if lb["load_balancer_type"] != "network" || lb["internal"] != true || lb["enable_cross_zone_load_balancing"] != true {
		t.Errorf("auth NLB must be internal, network, cross-zone: %v", lb)
	}
	l := s.one(t, "aws_lb_listener")
	if l["port"] != 3025.0 || l["protocol"] != "TCP" {
		t.Errorf("auth listener must be TCP 3025: %v", l)
	}
	tg := s.one(t, "aws_lb_target_group")
	if tg["port"] != 3025.0 || tg["protocol"] != "TCP" || get(tg, "health_check", "enabled") != true || get(tg, "health_check", "port") != "3000" {
		t.Errorf("auth target group: %v", tg)
	}
	asg := s.one(t, "aws_autoscaling_group")
	if asg["min_size"].(float64) < 2 || len(asg["vpc_zone_identifier"].([]any)) < 2 || len(asg["target_group_arns"].([]any)) != 1 {
		t.Errorf("auth group must keep 2+ instances over 2+ zones behind the NLB: %v", asg)
	}

	tables := map[string]map[string]any{}
	for _, tb := range s.resources("aws_dynamodb_table") {
		tables[tb["name"].(string)] = tb
		if get(tb, "server_side_encryption", "enabled") != true || get(tb, "server_side_encryption", "kms_key_arn") == nil {
			t.Errorf("table %s not encrypted with the cluster key", tb["name"])
		}
		if get(tb, "point_in_time_recovery", "enabled") != true {
			t.Errorf("table %s without point-in-time recovery", tb["name"])
		}
		if get(tb, "ttl", "attribute_name") != "Expires" {
			t.Errorf("table %s without TTL on Expires", tb["name"])
		}
	}
	state := tables["example-state"]
	if state["hash_key"] != "HashKey" || state["range_key"] != "FullPath" || state["stream_enabled"] != true || state["stream_view_type"] != "NEW_IMAGE" {
		t.Errorf("state table: %v", state)
	}
	events := tables["example-events"]
	if events["hash_key"] != "SessionID" || events["range_key"] != "EventIndex" ||
		get(events, "global_secondary_index", 0, "name") != "timesearchV2" ||
		get(events, "global_secondary_index", 0, "hash_key") != "CreatedAtDate" ||
		get(events, "global_secondary_index", 0, "range_key") != "CreatedAt" {
		t.Errorf("events table: %v", events)
	}
	if n := len(s.resources("aws_s3_bucket")); n != 3 {
		t.Errorf("want the recordings, certs and backups buckets, found %d", n)
	}

	lt := s.one(t, "aws_launch_template")
	script, cfg := userData(t, lt)
	// Recordings are uploaded with the cluster key, whose ARN reaches the
	// boot script as an instance tag.
	key := get(lt, "tag_specifications", 0, "tags", "TeleportSessionsKey")
	if !strings.HasSuffix(get(cfg, "teleport", "storage", "audit_sessions_uri").(string), "&sse_kms_key=__SESSIONS_KMS_KEY__") ||
		bootEnv(t, script)["SESSIONS_KEY_TAG"] != "TeleportSessionsKey" ||
		key != get(lt, "block_device_mappings", 0, "ebs", "kms_key_id") || !strings.HasPrefix(fmt.Sprint(key), "${aws_kms_key.") {
		t.Errorf("audit_sessions_uri must name the cluster key: %v, tag %v", get(cfg, "teleport", "storage", "audit_sessions_uri"), key)
	}
	ts := get(cfg, "auth_service", "tunnel_strategy")
	if get(ts, "type") != "proxy_peering" || get(ts, "agent_connection_count") != 2 {
		t.Errorf("tunnel_strategy: %v", ts)
	}
	if get(cfg, "auth_service", "proxy_listener_mode") != "multiplex" {
		t.Error("TLS routing (multiplex) not set")
	}
	storage := get(cfg, "teleport", "storage")
	if get(storage, "type") != "dynamodb" || get(storage, "table_name") != "example-state" ||
		get(storage, "audit_events_uri", 0) != "dynamodb://example-events" ||
		!strings.HasPrefix(get(storage, "audit_sessions_uri").(string), "s3://example-recordings-") {
		t.Errorf("storage: %v", storage)
	}
	if get(cfg, "teleport", "diag_addr") != "0.0.0.0:3000" {
		t.Error("diag_addr must serve the health check port")
	}
}

func TestProxyStacks(t *testing.T) {
	for synth, regions := range map[string][]string{
		"example":             {"eu-central-1", "us-west-1"},
		"public-four-regions": {"ap-northeast-1", "eu-west-1", "sa-east-1", "us-east-1"},
	} {
		for _, region := range regions {
			s := stackOf(t, synth, "proxy-"+region)
			lb := s.one(t, "aws_lb")
			if lb["internal"] != false || lb["load_balancer_type"] != "network" || lb["enable_cross_zone_load_balancing"] != true {
				t.Errorf("%s: proxy NLB must be internet-facing, network, cross-zone: %v", region, lb)
			}
			l := s.one(t, "aws_lb_listener")
			if l["port"] != 443.0 || l["protocol"] != "TCP" || l["certificate_arn"] != nil {
				t.Errorf("%s: proxy listener must be TCP 443 without TLS termination: %v", region, l)
			}
			if tg := s.one(t, "aws_lb_target_group"); tg["proxy_protocol_v2"] != true || tg["protocol"] != "TCP" {
				t.Errorf("%s: target group must be TCP with PROXY v2: %v", region, tg)
			}
			asg := s.one(t, "aws_autoscaling_group")
			if asg["min_size"].(float64) < 2 || len(asg["vpc_zone_identifier"].([]any)) < 2 {
				t.Errorf("%s: proxies must be 2+ over 2+ zones", region)
			}
			if s.section("data", "terraform_remote_state")["cross-stack-reference-input-auth-"+synthOf(t, synth).cfg.Auth.Region] == nil {
				t.Errorf("%s: does not read the auth stack's outputs", region)
			}

			script, cfg := userData(t, s.one(t, "aws_launch_template"))
			peer := get(cfg, "proxy_service", "peer_public_addr").(string)
			if peer != "__PEER_HOST__:3021" || strings.Contains(script, "elb.amazonaws.com") {
				t.Errorf("%s: peer_public_addr must be the instance's own address, got %q", region, peer)
			}
			wantIMDS := "local-ipv4"
			if synthOf(t, synth).cfg.Peering.Mode == "public" {
				wantIMDS = "public-ipv4"
			}
			if bootEnv(t, script)["PEER_ADDRESS_PATH"] != wantIMDS {
				t.Errorf("%s: peer host not read from %s", region, wantIMDS)
			}
			if get(cfg, "proxy_service", "peer_listen_addr") != "0.0.0.0:3021" || get(cfg, "proxy_service", "proxy_protocol") != "on" ||
				get(cfg, "proxy_service", "public_addr", 0) != synthOf(t, synth).cfg.Domain+":443" {
				t.Errorf("%s: proxy_service: %v", region, get(cfg, "proxy_service"))
			}
			if get(cfg, "proxy_service", "https_keypairs", 0, "cert_file") == nil || get(cfg, "proxy_service", "https_keypairs_reload_interval") == nil {
				t.Errorf("%s: certificate not loaded through https_keypairs with a reload interval", region)
			}
			if get(cfg, "teleport", "join_params", "method") != "iam" || get(cfg, "teleport", "auth_server") != synthOf(t, synth).cfg.Names().AuthAddress()+":3025" {
				t.Errorf("%s: proxies must join through the auth's private name with the IAM method", region)
			}
		}
	}
}

// peerings returns "requesterVPC|accepterVPC" pairs, in every stack of a synth,
// as the set of unordered stack pairs they connect.
func peeringPairs(t *testing.T, synth string) map[string]int {
	// The stack whose VPC a reference names: another stack's (a
	// cross-stack reference, as from a mesh stack) or the reader's own.
	owner := func(ref, self string) string {
		if i := strings.Index(ref, "cross-stack-reference-input-"); i >= 0 {
			return strings.SplitN(ref[i+len("cross-stack-reference-input-"):], ".", 2)[0]
		}
		if strings.HasPrefix(ref, "${aws_vpc.") || strings.HasPrefix(ref, "vpc-") {
			return self
		}
		return "?"
	}
	pairs := map[string]int{}
	for _, name := range stackNames(t, synth) {
		s := stackOf(t, synth, name)
		for _, c := range s.resources("aws_vpc_peering_connection") {
			a, b := owner(fmt.Sprint(c["vpc_id"]), name), owner(c["peer_vpc_id"].(string), "?")
			if a > b {
				a, b = b, a
			}
			pairs[a+"<->"+b]++
		}
	}
	return pairs
}

func TestPeeringTopology(t *testing.T) {
	vpc := peeringPairs(t, "example")
	want := map[string]int{
		"auth-us-west-2<->proxy-eu-central-1":  1,
		"auth-us-west-2<->proxy-us-west-1":     1,
		"proxy-eu-central-1<->proxy-us-west-1": 1,
	}
	if !reflect.DeepEqual(vpc, want) {
		t.Errorf("vpc mode peerings = %v; want each pair exactly once: %v", vpc, want)
	}
	// Thirteen proxy regions, one in the auth region: each with the auth VPC, and every pair of
	// proxy VPCs, exactly once.
	many := peeringPairs(t, "many-regions")
	n := len(synthOf(t, "many-regions").cfg.ProxyRegions)
	if len(many) != n+n*(n-1)/2 {
		t.Errorf("many-regions: %d peerings, want %d", len(many), n+n*(n-1)/2)
	}
	for pair, count := range many {
		if count != 1 || strings.Contains(pair, "?") {
			t.Errorf("many-regions: peering %s x%d", pair, count)
		}
	}
	public := peeringPairs(t, "public-four-regions")
	if len(public) != 4 {
		t.Errorf("public mode peers only with the auth VPC: %v", public)
	}
	for pair, n := range public {
		if n != 1 || !strings.HasPrefix(pair, "auth-") {
			t.Errorf("public mode: unexpected peering %s x%d", pair, n)
		}
	}

	// Routes in both directions: for every peering, routes in the requester's
	// tables (default provider) and in the accepter's (aliased provider):
	// the auth peering's in the proxy stack, the proxy peering's in the
	// owner's mesh stack.
	routes := map[string]map[string]any{}
	for _, stack := range []string{"proxy-us-west-1", "mesh-us-west-1"} {
		for k, v := range stackOf(t, "example", stack).resources("aws_route") {
			routes[stack+"/"+k] = v
		}
	}
	byProvider := map[string]int{}
	for _, r := range routes {
		if r["vpc_peering_connection_id"] == nil {
			continue
		}
		p, _ := r["provider"].(string)
		byProvider[p]++
	}
	// The 2 private route tables (the instances' subnets) of each VPC on
	// each side; the public route table has no route to another VPC.
	if byProvider[""] != 4 || byProvider["aws.auth"] != 2 || byProvider["aws.eu-central-1"] != 2 {
		t.Errorf("peering routes by provider = %v", byProvider)
	}
	for id, r := range routes {
		if r["vpc_peering_connection_id"] != nil && strings.Contains(fmt.Sprint(r["route_table_id"]), "public-rt") {
			t.Errorf("vpc mode: peering route %s in a public route table", id)
		}
	}
	// Public mode: the proxies live in the public subnets, so the proxy
	// side's route goes into the public route table.
	pub := stackOf(t, "public-four-regions", "proxy-eu-west-1")
	sides := map[string]string{}
	for _, r := range pub.resources("aws_route") {
		if r["vpc_peering_connection_id"] != nil {
			p, _ := r["provider"].(string)
			sides[p] += fmt.Sprint(r["route_table_id"]) + " "
		}
	}
	if !strings.Contains(sides[""], "network_public-rt") || strings.Count(sides[""], "${") != 1 || strings.Count(sides["aws.auth"], "private-") != 3 {
		t.Errorf("public mode peering routes: %v", sides)
	}
}

func TestDeployOrder(t *testing.T) {
	for _, synth := range synthNames() {
		deps := manifest(t, synth)
		auth := "auth-" + synthOf(t, synth).cfg.Auth.Region
		if len(deps[auth]) != 0 {
			t.Errorf("%s: the auth stack must depend on nothing: %v", synth, deps[auth])
		}
		// Depth-first search for cycles; every proxy stack depends on auth.
		state := map[string]int{}
		var visit func(string) bool
		visit = func(n string) bool {
			switch state[n] {
			case 1:
				return false
			case 2:
				return true
			}
			state[n] = 1
			for _, d := range deps[n] {
				if !visit(d) {
					return false
				}
			}
			state[n] = 2
			return true
		}
		// Every active stack deploys after auth (mesh stacks through
		// their proxy stacks).
		var reaches func(string, map[string]bool) bool
		reaches = func(n string, seen map[string]bool) bool {
			if seen[n] {
				return false
			}
			seen[n] = true
			for _, d := range deps[n] {
				if d == auth || reaches(d, seen) {
					return true
				}
			}
			return false
		}
		for name := range deps {
			if !visit(name) {
				t.Errorf("%s: dependency cycle through %s", synth, name)
			}
			region := strings.TrimPrefix(strings.TrimPrefix(name, "proxy-"), "mesh-")
			if name != auth && !reaches(name, map[string]bool{}) && !synthOf(t, synth).cfg.IsRetired(region) {
				t.Errorf("%s: %s does not deploy after %s", synth, name, auth)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestLatencyRecords(t *testing.T) {
	for synth := range goldenConfigs {
		cfg := synthOf(t, synth).cfg
		s := stackOf(t, synth, regions.DNSStackName)
		seen := map[string]bool{} // name|set id
		for _, route := range cfg.LatencyRoutes() {
			found := 0
			for _, r := range s.resources("aws_route53_record") {
				if get(r, "latency_routing_policy", "region") != route.Region {
					continue
				}
				found++
				if r["type"] != "CNAME" || r["ttl"] != 60.0 || r["health_check_id"] == nil || !strings.Contains(fmt.Sprint(r["records"]), "cross-stack-reference-input-proxy-"+route.ProxyRegion+".") {
					t.Errorf("%s: record for %s must be a health-checked CNAME to the NLB of proxy-%s: %v", synth, route.Region, route.ProxyRegion, r)
				}
				key := r["name"].(string) + "|" + r["set_identifier"].(string)
				if seen[key] {
					t.Errorf("%s: set identifier %s reused", synth, key)
				}
				seen[key] = true
			}
			if found != 2 {
				t.Errorf("%s: %d records for latency region %s; want root and wildcard", synth, found, route.Region)
			}
		}
		// Each region's checks are tested in TestDNSStack: three, and one
		// more per isolation alarm.
		isolation := 0
		for _, a := range s.resources("aws_cloudwatch_metric_alarm") {
			if a["alarm_name"] == cfg.Names().Alarm("proxy-peering-isolated") {
				isolation++
			}
		}
		if checks := s.resources("aws_route53_health_check"); len(checks) != 3*len(cfg.ActiveProxyRegions())+isolation {
			t.Errorf("%s: %d health checks for %d proxy regions and %d isolation alarms; want 3 each and 1 per alarm", synth, len(checks), len(cfg.ActiveProxyRegions()), isolation)
		}
	}
}

func TestCertificateRenewalIsScoped(t *testing.T) {
	s := stackOf(t, "example", "auth-us-west-2")
	script, _ := userData(t, s.one(t, "aws_launch_template"))
	if env := bootEnv(t, script); env["CERT_DOMAIN"] != synthOf(t, "example").cfg.Domain || env["ACME_STAGING"] != "false" ||
		!strings.Contains(script, "--dns-route53") || !strings.Contains(script, `-d "*.${CERT_DOMAIN}"`) {
		t.Error("auth boot script must renew a production DNS-01 certificate for the domain and its wildcard")
	}
	for _, d := range s.section("data", "aws_iam_policy_document") {
		for _, st := range d["statement"].([]any) {
			if fmt.Sprint(get(st, "actions")) == "[route53:ChangeResourceRecordSets]" {
				res := fmt.Sprint(get(st, "resources"))
				if !strings.Contains(res, "hostedzone/${data.aws_route53_zone.") {
					t.Errorf("record changes not scoped to the looked-up zone: %s", res)
				}
			}
		}
	}
	public := stackOf(t, "public-four-regions", "auth-us-east-1")
	script, _ = userData(t, public.one(t, "aws_launch_template"))
	if env := bootEnv(t, script); env["ACME_STAGING"] != "true" || env["LICENSE_PARAMETER"] == "" {
		t.Error("acme_staging and the enterprise license must reach the auth boot script")
	}
	if !strings.Contains(string(synthOf(t, "public-four-regions").files["stacks/auth-us-east-1/cdk.tf.json"]), "hostedzone/Z0123456789ABCDEFGHIJ") {
		t.Error("hosted_zone_id not used for the record-change permission")
	}
}

func TestAgentConfig(t *testing.T) {
	agent := string(synthOf(t, "example").files["teleport/agent-teleport.yaml"])
	if !strings.Contains(agent, "proxy_server: teleport.example.com:443") || !strings.Contains(agent, "version: v3") {
		t.Errorf("agent config:\n%s", agent)
	}
}

// TestAddingRegionTouchesOnlyItsPeers: a new proxy region leaves the auth
// stack and every existing proxy stack byte-identical, and changes existing
// mesh stacks only by adding the peering with it (VPC or transit gateway
// peering, with its routes, in the stacks of regions sorting after it) and
// its range to their 3021 prefix list; in public mode nothing at all (the
// DNS stack gains its records: TestRecordsNeverCreatedTwice).
func TestAddingRegionTouchesOnlyItsPeers(t *testing.T) {
	vpcPeering := map[string]bool{"aws_vpc_peering_connection": true, "aws_vpc_peering_connection_accepter": true, "aws_route": true,
		"aws_ec2_managed_prefix_list_entry": true}
	checkAddedRegion(t, "example", "example-plus-region", "auth-us-west-2", "ap-southeast-2", "10.3.128.0/17",
		[]string{"eu-central-1", "us-west-1"}, vpcPeering)
	tgwPeering := map[string]bool{"aws_ec2_transit_gateway_peering_attachment": true, "aws_ec2_transit_gateway_peering_attachment_accepter": true,
		"aws_ec2_transit_gateway_route_table_association": true, "aws_ec2_transit_gateway_route": true, "aws_route": true,
		"aws_ec2_managed_prefix_list_entry": true}
	checkAddedRegion(t, "transit-gateway", "transit-gateway-plus-region", "auth-us-east-1", "eu-central-1", "10.24.128.0/17",
		[]string{"ap-southeast-1", "eu-west-1", "us-east-1"}, tgwPeering)

	pub, fewer := synthOf(t, "public-four-regions").files, synthOf(t, "public-minus-region").files
	for rel, data := range fewer {
		if strings.HasPrefix(rel, "stacks/") && rel != "stacks/dns/cdk.tf.json" && string(pub[rel]) != string(data) {
			t.Errorf("public mode: removing sa-east-1 changed %s", rel)
		}
	}
	if fewer["stacks/proxy-sa-east-1/cdk.tf.json"] != nil {
		t.Error("removed region still synthesized")
	}
}

// checkAddedRegion compares synth more (base plus proxy region added, whose
// instances live in addedRange) with base.
func checkAddedRegion(t *testing.T, base, more, authStack, added, addedRange string, existing []string, allowed map[string]bool) {
	t.Helper()
	auth := "stacks/" + authStack + "/cdk.tf.json"
	if a, b := string(synthOf(t, base).files[auth]), string(synthOf(t, more).files[auth]); a != b {
		t.Errorf("%s: adding a proxy region changed the auth stack:\n%s", more, lineDiff(a, b))
	}
	if synthOf(t, more).files["stacks/proxy-"+added+"/cdk.tf.json"] == nil {
		t.Fatalf("%s: the new region has no stack", more)
	}
	gained := 0
	for _, region := range existing {
		proxy := "stacks/proxy-" + region + "/cdk.tf.json"
		if a, b := string(synthOf(t, base).files[proxy]), string(synthOf(t, more).files[proxy]); a != b {
			t.Errorf("%s: adding a proxy region changed %s:\n%s", more, proxy, lineDiff(a, b))
		}
		before, after := stackOf(t, base, "mesh-"+region), stackOf(t, more, "mesh-"+region)
		for typ, rs := range before["resource"].(map[string]any) {
			for id, r := range rs.(map[string]any) {
				if !reflect.DeepEqual(r, get(after, "resource", typ, id)) {
					t.Errorf("%s/mesh-%s: existing %s.%s changed", more, region, typ, id)
				}
			}
		}
		for typ, rs := range after["resource"].(map[string]any) {
			for id, r := range rs.(map[string]any) {
				if get(before, "resource", typ, id) == nil {
					gained++
					if !allowed[typ] {
						t.Errorf("%s/mesh-%s: adding a region added %s.%s", more, region, typ, id)
					}
					if typ == "aws_ec2_managed_prefix_list_entry" && get(r, "cidr") != addedRange {
						t.Errorf("%s/mesh-%s: a prefix list entry for %v; want only the new region's %s", more, region, get(r, "cidr"), addedRange)
					}
				}
			}
		}
	}
	// Stacks whose region sorts after the new one own the new peering.
	if gained == 0 {
		t.Errorf("%s: no existing stack gained the peering with %s", more, added)
	}
}
