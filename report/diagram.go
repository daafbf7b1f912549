package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/internal/words"
)

// MaxDiagramEdges is the most edges a review diagram may draw. Mermaid
// refuses a diagram of more than 500 (its maxEdges default; GitHub renders
// with it), and well before that a diagram stops being readable: the
// diagram stays under this bound at every cluster size (TestDiagramEdges).
const MaxDiagramEdges = 150

// meshThreshold is the most proxy regions drawn one by one, each VPC or
// transit gateway peering and each client region an edge of its own (at
// 4 regions: 10 peerings). Beyond it the proxy regions are drawn as one
// group, the peerings among them as the group's label, and the client
// regions of each proxy region as one node.
const meshThreshold = 4

// topology is what the diagram draws, read from the synthesized JSON.
type topology struct {
	// stacks are sorted by name.
	stacks []topoStack
	// links are the peerings between stacks.
	links []link
	// routes are the latency records.
	routes []route
}

type topoStack struct {
	name, region string
	// lb labels the stack's load balancer ("" for none); proxy is true
	// for an internet-facing one.
	lb    string
	proxy bool
	tgw   bool
	// dns labels what a stack holds of Route 53 ("" for nothing): the
	// dns stack would otherwise be drawn as an empty box.
	dns string
}

// link is a VPC peering (or, with tgw, a transit gateway peering) between
// stacks a and b.
type link struct {
	a, b string
	tgw  bool
}

func topologyOf(o *Output, routes []route) topology {
	t := topology{routes: routes}
	for _, name := range o.Names() {
		s := o.Stacks[name]
		ts := topoStack{name: name, region: s.Region(), tgw: len(s.Resources("aws_ec2_transit_gateway")) > 0}
		for _, id := range sortedIDs(s.Resources("aws_lb")) {
			lb := s.Resources("aws_lb")[id]
			kind := "public NLB"
			if lb["internal"] == true {
				kind = "internal NLB"
			} else {
				ts.proxy = true
			}
			ports := ""
			for _, lid := range sortedIDs(s.Resources("aws_lb_listener")) {
				if l := s.Resources("aws_lb_listener")[lid]; strings.Contains(fmt.Sprint(l["load_balancer_arn"]), "aws_lb."+id+".") {
					ports += fmt.Sprintf(" :%v", l["port"])
				}
			}
			instances := 0.0
			for _, g := range s.Resources("aws_autoscaling_group") {
				instances += num(g["desired_capacity"])
			}
			ts.lb = fmt.Sprintf("%s%s<br/>%s", kind, ports, words.Plural(int(instances), "instance"))
		}
		if records, checks := len(s.Resources("aws_route53_record")), len(s.Resources("aws_route53_health_check")); checks > 0 {
			ts.dns = fmt.Sprintf("%s<br/>%s", words.Plural(records, "latency record"), words.Plural(checks, "health check"))
		}
		// A connection joins the stacks whose VPCs (or gateways) it names:
		// a mesh stack's joins two proxy stacks, and the mesh stack
		// itself, holding nothing else, is not drawn.
		side := func(ref any) string {
			if other := referencedStack(ref); other != "" {
				return other
			}
			return name
		}
		for _, c := range s.Resources("aws_vpc_peering_connection") {
			if other := referencedStack(c["peer_vpc_id"]); other != "" {
				t.links = append(t.links, link{a: side(c["vpc_id"]), b: other})
			}
		}
		for _, a := range s.Resources("aws_ec2_transit_gateway_peering_attachment") {
			if other := referencedStack(a["peer_transit_gateway_id"]); other != "" {
				t.links = append(t.links, link{a: side(a["transit_gateway_id"]), b: other, tgw: true})
			}
		}
		if ts.lb == "" && !ts.tgw && ts.dns == "" && len(s.Resources("aws_ec2_managed_prefix_list_entry")) > 0 {
			continue
		}
		t.stacks = append(t.stacks, ts)
	}
	return t
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// mermaid renders the topology as a Mermaid flowchart.
func (t topology) mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	proxies := 0
	isProxy := map[string]bool{}
	for _, s := range t.stacks {
		if s.proxy {
			proxies++
			isProxy[s.name] = true
		}
	}
	grouped := proxies > meshThreshold
	node := func(s topoStack, indent string) {
		fmt.Fprintf(&b, "%ssubgraph %s[\"%s (%s)\"]\n", indent, mid(s.name), s.name, s.region)
		if s.lb != "" {
			fmt.Fprintf(&b, "%s  %s_nlb[\"%s\"]\n", indent, mid(s.name), s.lb)
		}
		if s.tgw {
			fmt.Fprintf(&b, "%s  %s_tgw{{\"transit gateway\"}}\n", indent, mid(s.name))
		}
		if s.dns != "" {
			fmt.Fprintf(&b, "%s  %s_records[\"%s\"]\n", indent, mid(s.name), s.dns)
		}
		b.WriteString(indent + "end\n")
	}
	end := func(s string, tgw bool) string {
		if tgw {
			return mid(s) + "_tgw"
		}
		return mid(s)
	}
	kind := func(tgw bool) string {
		if tgw {
			return "TGW peering"
		}
		return "VPC peering"
	}
	if !grouped {
		for _, s := range t.stacks {
			node(s, "  ")
		}
		var edges []string
		for _, l := range t.links {
			edges = append(edges, fmt.Sprintf("  %s ---|%s| %s\n", end(l.a, l.tgw), kind(l.tgw), end(l.b, l.tgw)))
		}
		sort.Strings(edges)
		for _, e := range edges {
			b.WriteString(e)
		}
		for _, r := range t.routes {
			if r.stack != "" {
				fmt.Fprintf(&b, "  clients_%s((\"clients in %s\")) -->|latency| %s_nlb\n", mid(r.client), r.client, mid(r.stack))
			}
		}
		return b.String()
	}

	// Grouped: the proxy regions in one subgraph labelled with the
	// peerings among them; the other stacks' peerings with them as one
	// edge per stack and kind; each proxy region's client regions in one
	// node.
	among := map[bool]int{}
	outside := map[string]map[bool]int{} // other stack -> tgw -> peerings with proxies
	var edges []string
	for _, l := range t.links {
		switch {
		case isProxy[l.a] && isProxy[l.b]:
			among[l.tgw]++
		case isProxy[l.a] || isProxy[l.b]:
			other := l.a
			if isProxy[l.a] {
				other = l.b
			}
			if outside[other] == nil {
				outside[other] = map[bool]int{}
			}
			outside[other][l.tgw]++
		default:
			edges = append(edges, fmt.Sprintf("  %s ---|%s| %s\n", end(l.a, l.tgw), kind(l.tgw), end(l.b, l.tgw)))
		}
	}
	label := words.Plural(proxies, "proxy region")
	for _, tgw := range []bool{false, true} {
		if n := among[tgw]; n > 0 {
			label += fmt.Sprintf(": %d %ss among them", n, kind(tgw))
			if n == proxies*(proxies-1)/2 {
				label += " (every pair)"
			}
		}
	}
	for _, s := range t.stacks {
		if !isProxy[s.name] {
			node(s, "  ")
		}
	}
	b.WriteString("  subgraph proxy_regions[\"" + label + "\"]\n")
	for _, s := range t.stacks {
		if isProxy[s.name] {
			node(s, "    ")
		}
	}
	b.WriteString("  end\n")
	for _, other := range sortedIDs(outside) {
		for _, tgw := range []bool{false, true} {
			if n := outside[other][tgw]; n > 0 {
				edges = append(edges, fmt.Sprintf("  proxy_regions ---|\"%d %ss\"| %s\n", n, kind(tgw), end(other, tgw && hasTGW(t, other))))
			}
		}
	}
	sort.Strings(edges)
	for _, e := range edges {
		b.WriteString(e)
	}
	clients := map[string][]string{}
	for _, r := range t.routes {
		if r.stack != "" {
			clients[r.stack] = append(clients[r.stack], r.client)
		}
	}
	for _, stack := range sortedIDs(clients) {
		fmt.Fprintf(&b, "  clients_of_%s((\"clients in %s\")) -->|latency| %s_nlb\n", mid(stack), strings.Join(clients[stack], ", "), mid(stack))
	}
	return b.String()
}

func hasTGW(t topology, stack string) bool {
	for _, s := range t.stacks {
		if s.name == stack {
			return s.tgw
		}
	}
	return false
}

// edgeCount counts the edges of a Mermaid flowchart written by mermaid.
func edgeCount(flowchart string) int {
	n := 0
	for _, line := range strings.Split(flowchart, "\n") {
		if strings.Contains(line, " --- ") || strings.Contains(line, " ---|") || strings.Contains(line, " -->") {
			n++
		}
	}
	return n
}
