package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/regions"
)

// recordHolders maps every latency record of a synth, by what Route 53 keys
// it on (name, type, set identifier), to the stack and resource address that
// hold it; two addresses holding one record fail the test.
func recordHolders(t *testing.T, synth string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, stack := range stackNames(t, synth) {
		for addr, r := range stackOf(t, synth, stack).resources("aws_route53_record") {
			key := fmt.Sprintf("%v %v %v", r["name"], r["type"], r["set_identifier"])
			where := stack + ": aws_route53_record." + addr
			if prev, ok := out[key]; ok {
				t.Errorf("%s: record %s held twice: %s and %s", synth, key, prev, where)
			}
			out[key] = where
		}
	}
	return out
}

// Day-2 changes never create a record twice: a record that keeps its name,
// type and set identifier keeps its resource address (else the new address
// CREATEs it while the old one still holds it, and the deploy fails), a
// retired region's clients move at once, and retired stacks deploy after the
// DNS stack, so records point elsewhere before a load balancer goes.
func TestRecordsNeverCreatedTwice(t *testing.T) {
	pairs := []struct{ before, after, change string }{
		{"example", "example-takeover", "adding ap-southeast-1, which takes over ap-south-1"},
		{"example", "example-plus-region", "adding ap-southeast-2"},
		{"example", "example-retired", "retiring eu-central-1"},
		{"example-retired", "example-deleted", "deleting the retired eu-central-1"},
		{"public-four-regions", "public-retired", "retiring sa-east-1 (public peering)"},
		{"public-retired", "public-minus-region", "deleting the retired sa-east-1"},
		{"transit-gateway", "transit-gateway-plus-region", "adding eu-central-1 (transit gateways)"},
	}
	for _, p := range pairs {
		before, after := recordHolders(t, p.before), recordHolders(t, p.after)
		for key, addr := range after {
			if prev, ok := before[key]; ok && prev != addr {
				t.Errorf("%s: record %s moves from %s to %s: created while the old address still holds it", p.change, key, prev, addr)
			}
		}
		deps := manifest(t, p.after)
		for _, pr := range synthOf(t, p.after).cfg.ProxyRegions {
			if pr.Retired && !slices.Contains(deps["proxy-"+pr.Region], regions.DNSStackName) {
				t.Errorf("%s: retired stack proxy-%s deploys before the DNS stack (%v)", p.change, pr.Region, deps["proxy-"+pr.Region])
			}
		}
	}
	// The take-over is an in-place update: same address, new target.
	target := func(synth string) string {
		for _, r := range stackOf(t, synth, regions.DNSStackName).resources("aws_route53_record") {
			if get(r, "latency_routing_policy", "region") == "ap-south-1" && r["name"] == synthOf(t, synth).cfg.Domain {
				return fmt.Sprint(r["records"])
			}
		}
		return ""
	}
	if b, a := target("example"), target("example-takeover"); !strings.Contains(b, "input-proxy-eu-central-1.") || !strings.Contains(a, "input-proxy-ap-southeast-1.") {
		t.Errorf("ap-south-1 record: before %s, after %s; want eu-central-1's NLB, then ap-southeast-1's", b, a)
	}
	// Retiring eu-central-1 sends ap-south-1 to the next nearest running
	// region at once, and drops eu-central-1's own record.
	if got := fmt.Sprint(latencyRegions(t, "example-retired")); got != "[ap-south-1 us-east-1 us-west-1]" {
		t.Errorf("records while eu-central-1 retires: %s", got)
	}
}

// Every latency record and health check lives in the DNS stack (us-east-1,
// where health check metrics and their alarms are), pointing at the NLB of
// the proxy stack its route names, guarded by that region's health check;
// the DNS stack deploys after every active proxy stack, whose first apply
// waits until its proxies are healthy behind the NLB.
func TestDNSStack(t *testing.T) {
	for synth := range goldenConfigs {
		cfg := synthOf(t, synth).cfg
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			public := 0 // the auth stack's private zone record is not a latency record
			for _, r := range s.resources("aws_route53_record") {
				if r["name"] != cfg.Names().AuthAddress() {
					public++
				}
			}
			if stack != regions.DNSStackName && (public > 0 || len(s.resources("aws_route53_health_check")) > 0) {
				t.Errorf("%s: %s holds latency records or health checks", synth, stack)
			}
		}
		dnsStack := stackOf(t, synth, regions.DNSStackName)
		if got := fmt.Sprint(get(dnsStack, "provider", "aws", 0, "region")); got != regions.HealthCheckRegion {
			t.Errorf("%s: DNS stack's provider is in %s", synth, got)
		}
		records := dnsStack.resources("aws_route53_record")
		routes := cfg.LatencyRoutes()
		if len(records) != 2*len(routes) {
			t.Errorf("%s: %d records for %d routes", synth, len(records), len(routes))
		}
		// Per proxy region: HTTPS to its NLB, its readiness alarm, with the
		// peering canary its isolation alarm, and all of them combined,
		// which the records use.
		checks := map[string]string{}                      // combined health check address -> proxy region
		byRegion := map[string]map[string]map[string]any{} // region -> construct id -> check
		for addr, hc := range dnsStack.resources("aws_route53_health_check") {
			path := strings.Split(fmt.Sprint(get(hc, "//", "metadata", "path")), "/")
			region := strings.TrimPrefix(path[1], "health-check-")
			if byRegion[region] == nil {
				byRegion[region] = map[string]map[string]any{}
			}
			byRegion[region][path[2]] = hc
			if hc["type"] == "CALCULATED" {
				checks[addr] = region
			}
		}
		for _, p := range cfg.ActiveProxyRegions() {
			checksOf := byRegion[p.Region]
			https, ready, peering, all := checksOf["health-check"], checksOf["ready"], checksOf["peering"], checksOf["combined"]
			alarmsThere := map[string]map[string]any{}
			for _, a := range stackOf(t, synth, "proxy-"+p.Region).resources("aws_cloudwatch_metric_alarm") {
				alarmsThere[fmt.Sprint(a["alarm_name"])] = a
			}
			// The isolation alarm is this stack's, in the region.
			var isolated map[string]any
			for _, a := range dnsStack.resources("aws_cloudwatch_metric_alarm") {
				if a["alarm_name"] == cfg.Names().Alarm("proxy-peering-isolated") && a["provider"] == "aws."+p.Region {
					isolated = a
				}
			}
			if alarmsThere[cfg.Names().Alarm("proxy-peering-isolated")] != nil {
				t.Errorf("%s: proxy-%s has an isolation alarm: it depends on the other regions", synth, p.Region)
			}
			want := 3
			if isolated != nil {
				want = 4
			}
			if len(checksOf) != want || https == nil || https["type"] != "HTTPS" || ready == nil || ready["type"] != "CLOUDWATCH_METRIC" || all == nil || all["type"] != "CALCULATED" ||
				(isolated != nil) != (peering != nil) {
				t.Errorf("%s: health checks of %s: %v; want HTTPS, CLOUDWATCH_METRIC (and one more with the isolation alarm) and CALCULATED", synth, p.Region, checksOf)
				continue
			}
			if !strings.Contains(fmt.Sprint(https["fqdn"]), "cross-stack-reference-input-proxy-"+p.Region+".") || https["resource_path"] != "/webapi/ping" || https["port"] != 443.0 {
				t.Errorf("%s: health check of %s probes %v", synth, p.Region, https["fqdn"])
			}
			// The alarms it watches exist in the region: the readiness
			// of that region's NLB targets, and its proxies' ready
			// connections to peers.
			alarm := ""
			if a := alarmsThere[fmt.Sprint(ready["cloudwatch_alarm_name"])]; a != nil {
				alarm = fmt.Sprint(a["metric_name"], " ", a["comparison_operator"], " ", a["threshold"])
			}
			if ready["cloudwatch_alarm_region"] != p.Region || alarm != "HealthyHostCount LessThanThreshold 1" || ready["insufficient_data_health_status"] != "LastKnownStatus" {
				t.Errorf("%s: readiness check of %s watches %v in %v (%q)", synth, p.Region, ready["cloudwatch_alarm_name"], ready["cloudwatch_alarm_region"], alarm)
			}
			if peering != nil && (peering["cloudwatch_alarm_name"] != isolated["alarm_name"] || peering["cloudwatch_alarm_region"] != p.Region ||
				peering["insufficient_data_health_status"] != "Healthy" || peering["type"] != "CLOUDWATCH_METRIC") {
				t.Errorf("%s: peering check of %s: %v", synth, p.Region, peering)
			}
			children := fmt.Sprint(all["child_healthchecks"])
			if all["child_health_threshold"] != float64(want-1) || len(asList(all["child_healthchecks"])) != want-1 ||
				!strings.Contains(children, "health-check-"+p.Region+"_health-check_") || !strings.Contains(children, "health-check-"+p.Region+"_ready_") ||
				(peering != nil) != strings.Contains(children, "health-check-"+p.Region+"_peering_") {
				t.Errorf("%s: combined check of %s: %v needing %v", synth, p.Region, children, all["child_health_threshold"])
			}
		}
		for _, r := range routes {
			for _, rec := range records {
				if get(rec, "latency_routing_policy", "region") != r.Region {
					continue
				}
				if want := "records-" + r.Region + "/"; !strings.Contains(fmt.Sprint(get(rec, "//", "metadata", "path")), want) {
					t.Errorf("%s: record of %s at %v; want it addressed by client region", synth, r.Region, get(rec, "//", "metadata", "path"))
				}
				if !strings.Contains(fmt.Sprint(rec["records"]), "cross-stack-reference-input-proxy-"+r.ProxyRegion+".") {
					t.Errorf("%s: record of %s points at %v; want proxy-%s", synth, r.Region, rec["records"], r.ProxyRegion)
				}
				hc := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(rec["health_check_id"]), "${aws_route53_health_check."), ".id}")
				if checks[hc] != r.ProxyRegion {
					t.Errorf("%s: record of %s guarded by %s's health check; want %s's", synth, r.Region, checks[hc], r.ProxyRegion)
				}
			}
		}
		healthAlarms := 0
		for _, a := range dnsStack.resources("aws_cloudwatch_metric_alarm") {
			if strings.HasSuffix(fmt.Sprint(a["alarm_name"]), "-health-check") {
				healthAlarms++
			}
		}
		if healthAlarms != len(cfg.ActiveProxyRegions()) {
			t.Errorf("%s: %d health check alarms for %d proxy regions", synth, healthAlarms, len(cfg.ActiveProxyRegions()))
		}
		deps := manifest(t, synth)[regions.DNSStackName]
		for _, p := range cfg.ActiveProxyRegions() {
			if !slices.Contains(deps, "proxy-"+p.Region) {
				t.Errorf("%s: DNS stack does not deploy after proxy-%s: %v", synth, p.Region, deps)
			}
			g := stackOf(t, synth, "proxy-"+p.Region).one(t, "aws_autoscaling_group")
			if g["min_elb_capacity"] != g["desired_capacity"] || g["wait_for_capacity_timeout"] != "30m" {
				t.Errorf("%s: proxy-%s's first apply does not wait for healthy proxies: min_elb_capacity %v, timeout %v",
					synth, p.Region, g["min_elb_capacity"], g["wait_for_capacity_timeout"])
			}
		}
	}
}

// The cluster's dashboard is in the DNS stack (which reads every proxy
// stack: adding a region never changes the auth stack), created in the auth
// region, with Route 53's view of every proxy region, a section per proxy
// region on that region's own NLB, and the auth servers.
func TestDashboard(t *testing.T) {
	for synth := range goldenConfigs {
		cfg := synthOf(t, synth).cfg
		s := stackOf(t, synth, regions.DNSStackName)
		boards := s.resources("aws_cloudwatch_dashboard")
		if len(boards) != 1 {
			t.Errorf("%s: %d dashboards", synth, len(boards))
			continue
		}
		for _, d := range boards {
			authRegion := ""
			for _, p := range get(s, "provider", "aws").([]any) {
				if p := p.(map[string]any); p["alias"] == "auth" {
					authRegion = fmt.Sprint(p["region"])
				}
			}
			if d["dashboard_name"] != cfg.Names().Dashboard() || d["provider"] != "aws.auth" || authRegion != cfg.Auth.Region {
				t.Errorf("%s: dashboard %v through %v", synth, d["dashboard_name"], d["provider"])
			}
			body := fmt.Sprint(d["dashboard_body"])
			var doc struct {
				Widgets []struct {
					Type       string `json:"type"`
					Properties struct {
						Markdown string  `json:"markdown"`
						Region   string  `json:"region"`
						Metrics  [][]any `json:"metrics"`
					} `json:"properties"`
				} `json:"widgets"`
			}
			if err := json.Unmarshal([]byte(regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(body, "x")), &doc); err != nil {
				t.Fatalf("%s: dashboard body is not JSON: %v", synth, err)
			}
			sections := map[string]string{} // heading -> regions of its graphs
			heading := ""
			for _, w := range doc.Widgets {
				if w.Type == "text" {
					heading = w.Properties.Markdown
					continue
				}
				if _, ok := config.LookupRegion(w.Properties.Region); !ok || len(w.Properties.Metrics) == 0 {
					t.Errorf("%s: graph under %q in region %q with %d metrics", synth, heading, w.Properties.Region, len(w.Properties.Metrics))
				}
				sections[heading] += w.Properties.Region + " "
			}
			routing := 0
			for _, p := range cfg.ActiveProxyRegions() {
				// NLB, connections, boot and certificate; tunnels, peering,
				// the peering canary, sessions and telemetry (issue 30).
				if got := sections["## Proxies in "+p.Region]; got != strings.Repeat(p.Region+" ", 7) {
					t.Errorf("%s: section of %s has graphs in %q", synth, p.Region, got)
				}
				// Its NLB graph reads that region's own load balancer.
				if !strings.Contains(body, "cross-stack-reference-input-proxy-"+p.Region+".outputs.cross-stack-output-aws_lbproxy_load-balancer_nlb_") {
					t.Errorf("%s: no graph of the NLB of proxy-%s", synth, p.Region)
				}
				if strings.Contains(body, "aws_route53_health_check.health-check-"+p.Region+"_combined_") {
					routing++
				}
			}
			if routing != len(cfg.ActiveProxyRegions()) || sections["## Auth servers in "+cfg.Auth.Region] == "" {
				t.Errorf("%s: Route 53 graph covers %d of %d regions; sections %v", synth, routing, len(cfg.ActiveProxyRegions()), sections)
			}
		}
	}
}
