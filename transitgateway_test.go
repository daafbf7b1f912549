package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/regions"
)

// tgwPeerings returns, for a transit-gateway synth, the unordered stack pairs
// joined by a transit gateway peering attachment, with their counts.
func tgwPeerings(t *testing.T, synth string) map[string]int {
	pairs := map[string]int{}
	for _, name := range stackNames(t, synth) {
		for _, a := range stackOf(t, synth, name).resources("aws_ec2_transit_gateway_peering_attachment") {
			peer := fmt.Sprint(a["peer_transit_gateway_id"])
			other := "?"
			if i := strings.Index(peer, "cross-stack-reference-input-"); i >= 0 {
				other = strings.SplitN(peer[i+len("cross-stack-reference-input-"):], ".", 2)[0]
			}
			x, y := name, other
			if x > y {
				x, y = y, x
			}
			pairs[x+"<->"+y]++
		}
	}
	return pairs
}

func TestTransitGatewayTopology(t *testing.T) {
	for _, synth := range []string{"transit-gateway", "every-region-tgw"} {
		cfg := synthOf(t, synth).cfg
		n := len(cfg.ProxyRegions)
		pairs := tgwPeerings(t, synth)
		if want := n + n*(n-1)/2; len(pairs) != want {
			t.Errorf("%s: %d gateway peerings; want %d (auth with each proxy region, every pair of proxy regions)", synth, len(pairs), want)
		}
		for pair, count := range pairs {
			if count != 1 || strings.Contains(pair, "?") {
				t.Errorf("%s: peering %s x%d", synth, pair, count)
			}
		}
		asns := map[float64]string{}
		for _, name := range stackNames(t, synth) {
			s := stackOf(t, synth, name)
			if len(s.resources("aws_vpc_peering_connection")) != 0 {
				t.Errorf("%s/%s: VPC peering in transit gateway mode", synth, name)
			}
			if name == regions.DNSStackName || strings.HasPrefix(name, "mesh-") {
				// No VPC; a mesh stack peers the proxy stacks' gateways.
				if n := len(s.resources("aws_ec2_transit_gateway")); n != 0 {
					t.Errorf("%s/%s: %d transit gateways", synth, name, n)
				}
				continue
			}
			gw := s.one(t, "aws_ec2_transit_gateway")
			region := strings.SplitN(name, "-", 2)[1]
			want, _ := config.TransitGatewayASN(region, strings.HasPrefix(name, "auth-"))
			asn, _ := gw["amazon_side_asn"].(float64)
			if int64(asn) != want {
				t.Errorf("%s/%s: ASN %v; want %d", synth, name, gw["amazon_side_asn"], want)
			}
			if prev, dup := asns[asn]; dup {
				t.Errorf("%s: ASN %v of %s is also %s's", synth, asn, name, prev)
			}
			asns[asn] = name
			if gw["default_route_table_association"] != "disable" || gw["default_route_table_propagation"] != "disable" {
				t.Errorf("%s/%s: gateway routes by default: %v", synth, name, gw)
			}
			att := s.one(t, "aws_ec2_transit_gateway_vpc_attachment")
			if len(att["subnet_ids"].([]any)) < 2 || att["transit_gateway_default_route_table_association"] != false {
				t.Errorf("%s/%s: VPC attachment %v", synth, name, att)
			}
			// The VPC attachment is associated with and propagates into the
			// gateway's own route table.
			vpcAssoc, vpcProp := 0, 0
			for _, a := range s.resources("aws_ec2_transit_gateway_route_table_association") {
				if strings.Contains(fmt.Sprint(a["transit_gateway_attachment_id"]), "aws_ec2_transit_gateway_vpc_attachment.") {
					vpcAssoc++
				}
			}
			for _, p := range s.resources("aws_ec2_transit_gateway_route_table_propagation") {
				if strings.Contains(fmt.Sprint(p["transit_gateway_attachment_id"]), "aws_ec2_transit_gateway_vpc_attachment.") {
					vpcProp++
				}
			}
			if vpcAssoc != 1 || vpcProp != 1 {
				t.Errorf("%s/%s: VPC attachment associated %d and propagated %d times", synth, name, vpcAssoc, vpcProp)
			}
		}
	}
}

// Every peering routes both ways: a static route in each gateway's table to
// the other side's VPC, and routes in each side's instance route tables to
// the other side's VPC through the local gateway; the accepter's through its
// region's aliased provider.
func TestTransitGatewayRoutesBothWays(t *testing.T) {
	cfg := synthOf(t, "transit-gateway").cfg
	// The auth peering is in the proxy stack, the proxy peerings in its
	// mesh stack, which reads the local gateway from the proxy stack.
	both := func(typ string) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, stack := range []string{"proxy-eu-west-1", "mesh-eu-west-1"} {
			for k, v := range stackOf(t, "transit-gateway", stack).resources(typ) {
				out[stack+"/"+k] = v
			}
		}
		return out
	}
	static := map[string]string{} // provider -> destinations
	for _, r := range both("aws_ec2_transit_gateway_route") {
		p, _ := r["provider"].(string)
		static[p] += fmt.Sprint(r["destination_cidr_block"]) + " "
		if !strings.Contains(fmt.Sprint(r["transit_gateway_attachment_id"]), "aws_ec2_transit_gateway_peering_attachment.") {
			t.Errorf("static route %v does not point at a peering attachment", r)
		}
	}
	// eu-west-1 owns its peerings with the auth region and ap-southeast-1
	// (which sorts before it); us-east-1's proxy region owns the one with it.
	want := map[string]string{
		"":                   cfg.Auth.VPCCIDR + " 10.23.0.0/16 ",
		"aws.auth":           "10.22.0.0/16 ",
		"aws.ap-southeast-1": "10.22.0.0/16 ",
	}
	for p, w := range want {
		if !sameWords(static[p], w) {
			t.Errorf("static routes via provider %q: %q; want %q", p, static[p], w)
		}
	}
	vpc := map[string]int{}
	for _, r := range both("aws_route") {
		if r["transit_gateway_id"] == nil {
			continue
		}
		p, _ := r["provider"].(string)
		vpc[p+" "+fmt.Sprint(r["destination_cidr_block"])]++
		gw := fmt.Sprint(r["transit_gateway_id"])
		local := strings.Contains(gw, "aws_ec2_transit_gateway.") || strings.Contains(gw, "cross-stack-reference-input-proxy-eu-west-1.")
		if (p == "") != local {
			t.Errorf("VPC route %v: a side's routes go through its own gateway", r)
		}
	}
	// Two private route tables per VPC (2 zones), both directions.
	for _, k := range []string{" 10.20.0.0/16", " 10.23.0.0/16", "aws.auth 10.22.0.0/16", "aws.ap-southeast-1 10.22.0.0/16"} {
		if vpc[k] != 2 {
			t.Errorf("VPC routes %q: %d; want 2 (one per instance route table): %v", k, vpc[k], vpc)
		}
	}
	if n := len(both("aws_ec2_transit_gateway_peering_attachment_accepter")); n != 2 {
		t.Errorf("%d accepters; want 2", n)
	}
}

func sameWords(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) != len(y) {
		return false
	}
	count := map[string]int{}
	for _, w := range x {
		count[w]++
	}
	for _, w := range y {
		count[w]--
	}
	for _, c := range count {
		if c != 0 {
			return false
		}
	}
	return true
}
