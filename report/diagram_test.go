package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// syntheticTopology is the diagram input of a cluster with n proxy
// regions, the way the stacks are wired: every proxy VPC (or transit
// gateway) peered with the auth one and, in vpc mode, with every other
// proxy; a DNS stack; each proxy region its own client region, and every
// other region of the table a resource region of the nearest one.
func syntheticTopology(n int, tgw bool) topology {
	regions := config.RegionNames()
	// Beyond the table, made-up regions: the diagram must scale past the
	// regions AWS has today.
	for i := len(regions); i < n; i++ {
		regions = append(regions, fmt.Sprintf("xx-future-%d", i))
	}
	t := topology{stacks: []topoStack{{name: "auth-us-west-2", region: "us-west-2", lb: "internal NLB :3025<br/>2 instances", tgw: tgw}, {name: "dns", region: "us-east-1"}}}
	var proxies []string
	for _, r := range regions[:n] {
		name := "proxy-" + r
		proxies = append(proxies, name)
		t.stacks = append(t.stacks, topoStack{name: name, region: r, lb: "public NLB :443<br/>2 instances", proxy: true, tgw: tgw})
		t.links = append(t.links, link{a: name, b: "auth-us-west-2", tgw: tgw})
		t.routes = append(t.routes, route{client: r, stack: name, region: r})
	}
	for i := range proxies {
		for j := 0; j < i; j++ {
			t.links = append(t.links, link{a: proxies[i], b: proxies[j], tgw: tgw})
		}
	}
	for _, r := range regions[n:] {
		near, _, ok := config.NearestRegion(r, regions[:n])
		if !ok {
			near = regions[0]
		}
		t.routes = append(t.routes, route{client: r, stack: "proxy-" + near, region: near})
	}
	return t
}

// Every diagram the report can draw stays readable and under Mermaid's
// edge limit: at most MaxDiagramEdges edges at 1 to every region of the
// table, in both connectivity modes; small clusters are drawn edge by
// edge, larger ones with the proxy regions grouped. It goes past the
// table (32 regions today) to 40.
func TestDiagramEdges(t *testing.T) {
	most := 0
	for n := 1; n <= 40; n++ {
		for _, tgw := range []bool{false, true} {
			topo := syntheticTopology(n, tgw)
			chart := topo.mermaid()
			edges := edgeCount(chart)
			if edges > MaxDiagramEdges {
				t.Errorf("%d proxy regions (tgw %v): %d edges, more than %d", n, tgw, edges, MaxDiagramEdges)
			}
			most = max(most, edges)
			grouped := strings.Contains(chart, "subgraph proxy_regions[")
			if grouped != (n > meshThreshold) {
				t.Errorf("%d proxy regions: grouped %v", n, grouped)
			}
			// Every client region appears, whether drawn one by one or
			// grouped.
			for _, r := range topo.routes {
				if !strings.Contains(chart, r.client) {
					t.Errorf("%d proxy regions: client region %s missing", n, r.client)
				}
			}
			if n > meshThreshold && !tgw && !strings.Contains(chart, fmt.Sprintf("%d VPC peerings among them (every pair)", n*(n-1)/2)) {
				t.Errorf("%d proxy regions: the mesh label is missing:\n%s", n, chart)
			}
		}
	}
	// Without grouping, every region of the table would draw 528 + 32
	// peerings and 32 client edges: the limit must bite.
	full := len(config.RegionNames())
	if ungrouped := full*(full-1)/2 + full + full; ungrouped <= MaxDiagramEdges {
		t.Fatalf("the test does not exercise grouping: %d edges ungrouped", ungrouped)
	}
	t.Logf("at most %d edges over 1..40 proxy regions", most)
}

// Placeholders replace references only Terraform can resolve.
func TestPlaceholders(t *testing.T) {
	cases := map[string]string{
		"arn:aws:iam::${data.aws_caller_identity.account_0A1B2C3D.account_id}:role/example-auth": "arn:aws:iam::<account-id>:role/example-auth",
		"arn:aws:route53:::hostedzone/${data.aws_route53_zone.zone.zone_id}":                     "arn:aws:route53:::hostedzone/<zone-id>",
		"${aws_lb.proxy_load-balancer_nlb_24FAB927.dns_name}":                                    "<aws_lb.proxy_load-balancer_nlb.dns_name>",
		"${data.terraform_remote_state.cross-stack-reference-input-auth-us-west-2.outputs.x}":    "(from auth-us-west-2)",
		"arn:aws:s3:::bucket/*": "arn:aws:s3:::bucket/*",
	}
	for in, want := range cases {
		if got := short(in); got != want {
			t.Errorf("short(%q) = %q; want %q", in, got, want)
		}
	}
}

// A long ARN is split after its account field, so that the table wraps.
func TestWrapARN(t *testing.T) {
	long := "arn:aws:autoscaling:us-west-2:<account-id>:autoScalingGroup:*:autoScalingGroupName/example-auth"
	if got := items([]any{long}); got != "`arn:aws:autoscaling:us-west-2:<account-id>:`<br>`autoScalingGroup:*:autoScalingGroupName/example-auth`" {
		t.Errorf("items(%q) = %q", long, got)
	}
	if got := items([]any{"arn:aws:route53:::change/*"}); got != "`arn:aws:route53:::change/*`" {
		t.Errorf("short ARN split: %q", got)
	}
}
