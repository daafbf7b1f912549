package report

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/example/teleport-multi-region/config"
)

// Review renders the review report of a synthesized output: a diagram of
// the regions, their load balancers, the connections between VPCs and where
// latency records send clients; the latency routes; per stack the ports open
// to whom, the IAM actions of each role and who may use each KMS key; the
// deploy order; and the tunnel arithmetic of proxy peering. Everything comes
// from the synthesized JSON, so it shows what will be deployed, except the
// config's warnings (config.Cluster.Warnings), listed first.
func Review(o *Output, warnings []string) string {
	var b strings.Builder
	b.WriteString("# Review report\n\nGenerated from the synthesized stacks in this directory: it shows what `cdktf deploy` would create.\n\n")
	if len(warnings) > 0 {
		b.WriteString("## Warnings\n\n")
		for _, w := range warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
		b.WriteString("\n")
	}
	routes := latencyRoutes(o)
	diagram(&b, o, routes)
	routeTable(&b, routes)
	deployOrder(&b, o)
	tunnels(&b, o)
	for _, name := range o.Names() {
		stackSection(&b, name, o.Stacks[name])
	}
	return b.String()
}

// mid makes a Mermaid node id.
func mid(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

type route struct {
	client, stack, region string
	km                    float64
	why                   string
}

// latencyRoutes reads every latency record of the domain (not the wildcard):
// the DNS stack holds them, each naming the proxy stack whose load balancer
// it points at (a cross-stack reference).
func latencyRoutes(o *Output) []route {
	var out []route
	type record struct {
		client, target string
	}
	var records []record
	proxyRegions := map[string]bool{}
	for _, name := range o.Names() {
		for _, rec := range o.Stacks[name].Resources("aws_route53_record") {
			if strings.HasPrefix(fmt.Sprint(rec["name"]), "*.") {
				continue
			}
			target := referencedStack(rec["records"])
			if target == "" {
				target = name // a record beside its load balancer
			}
			records = append(records, record{fmt.Sprint(path(rec, "latency_routing_policy", "region")), target})
			proxyRegions[o.Stacks[target].Region()] = true
		}
	}
	var candidates []string
	for r := range proxyRegions {
		candidates = append(candidates, r)
	}
	sort.Strings(candidates)
	for _, rec := range records {
		r := route{client: rec.client, stack: rec.target, region: o.Stacks[rec.target].Region()}
		a, _ := config.LookupRegion(rec.client)
		p, _ := config.LookupRegion(r.region)
		r.km = config.DistanceKm(a, p)
		nearest, _, _ := config.NearestRegion(rec.client, candidates)
		switch {
		case rec.client == r.region:
			r.why = "its own proxies"
		case nearest == r.region:
			r.why = "nearest proxy region"
		default:
			r.why = "chosen in the config (proxy_region)"
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].client < out[j].client })
	return out
}

func diagram(b *strings.Builder, o *Output, routes []route) {
	b.WriteString("## Diagram\n\n```mermaid\nflowchart LR\n")
	for _, name := range o.Names() {
		s := o.Stacks[name]
		fmt.Fprintf(b, "  subgraph %s[\"%s (%s)\"]\n", mid(name), name, s.Region())
		for id, lb := range s.Resources("aws_lb") {
			kind := "public NLB"
			if lb["internal"] == true {
				kind = "internal NLB"
			}
			ports := ""
			for _, l := range s.Resources("aws_lb_listener") {
				if strings.Contains(fmt.Sprint(l["load_balancer_arn"]), "aws_lb."+id+".") {
					ports += fmt.Sprintf(" :%v", l["port"])
				}
			}
			instances := 0.0
			for _, g := range s.Resources("aws_autoscaling_group") {
				instances += num(g["desired_capacity"])
			}
			fmt.Fprintf(b, "    %s_nlb[\"%s%s<br/>%v instances\"]\n", mid(name), kind, ports, instances)
		}
		if len(s.Resources("aws_ec2_transit_gateway")) > 0 {
			fmt.Fprintf(b, "    %s_tgw{{\"transit gateway\"}}\n", mid(name))
		}
		b.WriteString("  end\n")
	}
	var edges []string
	for _, name := range o.Names() {
		s := o.Stacks[name]
		for _, c := range s.Resources("aws_vpc_peering_connection") {
			if other := referencedStack(c["peer_vpc_id"]); other != "" {
				edges = append(edges, fmt.Sprintf("  %s ---|VPC peering| %s\n", mid(name), mid(other)))
			}
		}
		for _, a := range s.Resources("aws_ec2_transit_gateway_peering_attachment") {
			if other := referencedStack(a["peer_transit_gateway_id"]); other != "" {
				edges = append(edges, fmt.Sprintf("  %s_tgw ---|TGW peering| %s_tgw\n", mid(name), mid(other)))
			}
		}
	}
	sort.Strings(edges)
	for _, e := range edges {
		b.WriteString(e)
	}
	for _, r := range routes {
		fmt.Fprintf(b, "  clients_%s((\"clients in %s\")) -->|latency| %s_nlb\n", mid(r.client), r.client, mid(r.stack))
	}
	b.WriteString("```\n\n")
}

func routeTable(b *strings.Builder, routes []route) {
	b.WriteString("## Latency routes\n\n| Clients in | Sent to | Distance | Why |\n| --- | --- | --- | --- |\n")
	for _, r := range routes {
		fmt.Fprintf(b, "| %s | %s (%s) | %.0f km | %s |\n", r.client, r.region, r.stack, r.km, r.why)
	}
	b.WriteString("\n")
}

func deployOrder(b *strings.Builder, o *Output) {
	b.WriteString("## Deploy order\n\n`cdktf deploy '*'` applies the stacks in this order (each after the stacks it depends on):\n\n")
	for i, name := range o.DeployOrder() {
		deps := o.Dependencies[name]
		after := ""
		if len(deps) > 0 {
			sorted := append([]string(nil), deps...)
			sort.Strings(sorted)
			after = " (after " + strings.Join(sorted, ", ") + ")"
		}
		fmt.Fprintf(b, "%d. %s%s\n", i+1, name, after)
	}
	b.WriteString("\n")
}

var connectionCountRe = regexp.MustCompile(`agent_connection_count: (\d+)`)

func tunnels(b *strings.Builder, o *Output) {
	count, peering, proxies := 0, false, 0.0
	for _, name := range o.Names() {
		s := o.Stacks[name]
		for _, lt := range s.Resources("aws_launch_template") {
			script := UserData(lt)
			if strings.Contains(script, "type: proxy_peering") {
				peering = true
				if m := connectionCountRe.FindStringSubmatch(script); m != nil {
					count, _ = strconv.Atoi(m[1])
				}
			}
		}
		if publicLoadBalancer(s) {
			for _, g := range s.Resources("aws_autoscaling_group") {
				proxies += num(g["desired_capacity"])
			}
		}
	}
	b.WriteString("## Tunnels\n\n")
	if !peering {
		fmt.Fprintf(b, "This cluster runs the agent mesh (no proxy peering): every agent holds a tunnel to each of the %v proxies.\n\n", proxies)
		return
	}
	fmt.Fprintf(b, "With proxy peering each agent holds `agent_connection_count` = %d tunnels; without it, one to each of the %v proxies of the cluster.\n\n", count, proxies)
	b.WriteString("| Agents | Tunnels with proxy peering | Tunnels without |\n| --- | --- | --- |\n")
	for _, agents := range []int{100, 1000, 10000} {
		fmt.Fprintf(b, "| %d | %d | %.0f |\n", agents, agents*count, float64(agents)*proxies)
	}
	b.WriteString("\n")
}

// publicLoadBalancer reports whether s has an internet-facing load
// balancer: a proxy stack.
func publicLoadBalancer(s Stack) bool {
	for _, lb := range s.Resources("aws_lb") {
		if lb["internal"] == false {
			return true
		}
	}
	return false
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func stackSection(b *strings.Builder, name string, s Stack) {
	fmt.Fprintf(b, "## Stack %s (%s)\n\n", name, s.Region())
	groups := map[string]string{} // "${aws_security_group.X.id}" -> name
	for id, g := range s.Resources("aws_security_group") {
		groups["${aws_security_group."+id+".id}"] = fmt.Sprint(g["name"])
	}
	lists := map[string]string{}
	for id, pl := range s.Resources("aws_ec2_managed_prefix_list") {
		var cidrs []string
		entries, _ := pl["entry"].([]any)
		for _, e := range entries {
			cidrs = append(cidrs, fmt.Sprint(path(e, "cidr")))
		}
		sort.Strings(cidrs)
		lists["${aws_ec2_managed_prefix_list."+id+".id}"] = fmt.Sprintf("%v: %s", pl["name"], strings.Join(cidrs, ", "))
	}
	var rows []string
	for _, dir := range []struct{ typ, word string }{{"aws_vpc_security_group_ingress_rule", "in from"}, {"aws_vpc_security_group_egress_rule", "out to"}} {
		for _, r := range s.Resources(dir.typ) {
			peer := fmt.Sprint(r["cidr_ipv4"])
			if g := r["referenced_security_group_id"]; g != nil {
				peer = "group " + groupName(groups, g)
			}
			if p := r["prefix_list_id"]; p != nil {
				peer = "prefix list " + lists[fmt.Sprint(p)]
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %v | %s | %v |\n", groupName(groups, r["security_group_id"]), dir.word, r["from_port"], peer, r["description"]))
		}
	}
	if len(rows) > 0 {
		sort.Strings(rows)
		b.WriteString("### Ports\n\n| Security group | Direction | TCP port | Peer | Why |\n| --- | --- | --- | --- | --- |\n")
		for _, r := range rows {
			b.WriteString(r)
		}
		b.WriteString("\n")
	}

	roles := map[string]string{}
	for id, r := range s.Resources("aws_iam_role") {
		roles["${aws_iam_role."+id+".id}"] = fmt.Sprint(r["name"])
	}
	rows = nil
	for _, p := range s.Resources("aws_iam_role_policy") {
		role := roles[fmt.Sprint(p["role"])]
		for _, st := range s.Statements(p["policy"]) {
			rows = append(rows, fmt.Sprintf("| %s | %v | %s | %s |\n", role, path(st, "sid"), list(path(st, "actions")), list(path(st, "resources"))))
		}
	}
	if len(rows) > 0 {
		sort.Strings(rows)
		b.WriteString("### IAM actions\n\n| Role | Statement | Actions | Resources |\n| --- | --- | --- | --- |\n")
		for _, r := range rows {
			b.WriteString(r)
		}
		b.WriteString("\n")
	}

	aliases := map[string]string{}
	for _, a := range s.Resources("aws_kms_alias") {
		aliases[strings.TrimSuffix(fmt.Sprint(a["target_key_id"]), ".key_id}")] = fmt.Sprint(a["name"])
	}
	rows = nil
	for id, k := range s.Resources("aws_kms_key") {
		name := aliases["${aws_kms_key."+id] + " (" + fmt.Sprint(k["description"]) + ")"
		for _, st := range s.Statements(k["policy"]) {
			var conds []string
			cs, _ := path(st, "condition").([]any)
			for _, c := range cs {
				conds = append(conds, fmt.Sprintf("%v %v %s", path(c, "variable"), path(c, "test"), list(path(c, "values"))))
			}
			sort.Strings(conds)
			rows = append(rows, fmt.Sprintf("| %s | %v | %s | %s | %s |\n", name, path(st, "sid"),
				list(path(st, "principals", 0, "identifiers")), list(path(st, "actions")), strings.Join(conds, "; ")))
		}
	}
	if len(rows) > 0 {
		sort.Strings(rows)
		b.WriteString("### KMS keys\n\n| Key | Statement | Principal | Actions | Conditions |\n| --- | --- | --- | --- | --- |\n")
		for _, r := range rows {
			b.WriteString(r)
		}
		b.WriteString("\n")
	}
	if len(s.Resources("aws_launch_template")) == 0 && len(s.Resources("aws_vpc")) == 0 {
		b.WriteString("No resources: a retired region whose resources the next deploy destroys.\n\n")
	}
}

func groupName(groups map[string]string, ref any) string {
	if n, ok := groups[fmt.Sprint(ref)]; ok {
		return n
	}
	return short(ref)
}

// list renders a JSON list for a table cell.
func list(v any) string {
	items, _ := v.([]any)
	var out []string
	for _, i := range items {
		out = append(out, "`"+short(i)+"`")
	}
	return strings.Join(out, ", ")
}
