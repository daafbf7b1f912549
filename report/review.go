package report

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/internal/words"
)

// Context is what the review report shows besides the synthesized JSON.
type Context struct {
	// Cluster is the config synthesized: its identity (name, domain,
	// release, edition) for the summary, and its warnings.
	Cluster *config.Cluster
	// Previous is the output this synth replaced, or nil: latency routes
	// that move or disappear are shown against it.
	Previous *Output
}

// Review renders the review report of a synthesized output: a summary of
// the cluster (release and its advisories, regions, instances, image,
// state backend, resources per stack); the config's warnings; a diagram of
// the regions, their load balancers, the connections between VPCs and where
// latency records send clients; the latency routes, with the client
// regions whose record moves or that have none; the deploy order; where the
// dashboard is and its layout; the tunnel arithmetic of proxy peering; and per stack the ports open to whom,
// the IAM actions of each role and who may use each KMS key. Everything
// but the cluster's identity and warnings comes from the synthesized JSON,
// so it shows what will be deployed. References only Terraform can resolve
// appear as placeholders (<account-id>, <zone-id>).
func Review(o *Output, ctx Context) string {
	var b strings.Builder
	b.WriteString("# Review report\n\nGenerated from the synthesized stacks in this directory: it shows what `go run . apply` would create.\n\n")
	summary(&b, o, ctx.Cluster)
	if ctx.Cluster != nil && len(ctx.Cluster.Warnings()) > 0 {
		b.WriteString("## Warnings\n\n")
		for _, w := range ctx.Cluster.Warnings() {
			fmt.Fprintf(&b, "- %s\n", w)
		}
		b.WriteString("\n")
	}
	routes := latencyRoutes(o)
	b.WriteString("## Diagram\n\n```mermaid\n")
	b.WriteString(topologyOf(o, routes).mermaid())
	b.WriteString("```\n\n")
	// Routes move only against an earlier synth of the same cluster: a
	// first synth into a directory another cluster left is no change.
	prev, compared := ctx.Previous, ""
	switch {
	case prev == nil || len(prev.Stacks) == 0:
		prev, compared = nil, "No earlier synth in this directory: there is nothing to compare the routes with.\n\n"
	case clusterName(prev) != clusterName(o):
		compared = fmt.Sprintf("The output this synth replaced is of another cluster (`%s`): the routes are not compared with it.\n\n", clusterName(prev))
		prev = nil
	}
	routeTable(&b, withChanges(o, prev, routes))
	b.WriteString(compared)
	deployOrder(&b, o)
	moves(&b, o, ctx.Previous)
	dashboardSection(&b, o)
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
			// Only the domain's latency records route clients: the wildcard
			// follows them, and the auth servers' private record (an alias
			// in the auth stack's private zone) routes nobody.
			if strings.HasPrefix(fmt.Sprint(rec["name"]), "*.") || path(rec, "latency_routing_policy") == nil {
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
		r.why = config.RouteReason(rec.client, r.region, nearest)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].client < out[j].client })
	return out
}

func routeTable(b *strings.Builder, routes []route) {
	b.WriteString("## Latency routes\n\n| Clients in | Sent to | Distance | Why |\n| --- | --- | --- | --- |\n")
	for _, r := range routes {
		if r.stack == "" {
			fmt.Fprintf(b, "| %s | no record | | %s |\n", r.client, r.why)
			continue
		}
		fmt.Fprintf(b, "| %s | %s (%s) | %.0f km | %s |\n", r.client, r.region, r.stack, r.km, r.why)
	}
	b.WriteString("\n")
}

// noRecordWhy is what Route 53 does for a client region without a record.
const noRecordWhy = "Route 53 answers these clients with the lowest-latency record that remains"

// withChanges adds to routes what a reviewer must not miss: client regions
// whose record moves to another proxy region (against prev, the output
// this synth replaced), records that are new or removed, and retired proxy
// regions whose own clients have no record.
func withChanges(o, prev *Output, routes []route) []route {
	out := append([]route(nil), routes...)
	has := map[string]bool{}
	for _, r := range routes {
		has[r.client] = true
	}
	if prev != nil {
		before := map[string]route{}
		for _, r := range latencyRoutes(prev) {
			before[r.client] = r
		}
		for i, r := range out {
			switch old, ok := before[r.client]; {
			case !ok && len(before) > 0:
				out[i].why += "; **new record**: created when the dns stack applies, after " + r.stack + "'s proxies are healthy; until then " + noRecordWhy
			case ok && old.stack != r.stack:
				out[i].why += fmt.Sprintf("; **moves** from %s (%s): an in-place update of the record when the dns stack applies", old.region, old.stack)
			}
		}
		for _, client := range sortedIDs(before) {
			if !has[client] {
				has[client] = true
				out = append(out, route{client: client, why: fmt.Sprintf("**record removed** (it sent these clients to %s); %s", before[client].region, noRecordWhy)})
			}
		}
	}
	for _, name := range o.Names() {
		s := o.Stacks[name]
		if strings.HasPrefix(name, "proxy-") && count(s, "resource") == 0 && !has[s.Region()] {
			has[s.Region()] = true
			out = append(out, route{client: s.Region(), why: fmt.Sprintf("its proxy region is retired (%s is emptied by this deploy); %s", name, noRecordWhy)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].client < out[j].client })
	return out
}

func deployOrder(b *strings.Builder, o *Output) {
	b.WriteString("## Deploy order\n\n`go run . apply` applies the stacks in this order (each after the stacks it depends on; stacks that do not depend on each other side by side):\n\n")
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

// moves says which resources this output moves between stacks against the
// output it replaced: declared removed (destroy = false) by a stack that
// held them, imported by the stack that holds them now. Blocks kept from an
// earlier move, whose resources already moved, are not counted.
func moves(b *strings.Builder, o, prev *Output) {
	if prev == nil {
		return
	}
	type move struct{ from, to string }
	held := map[string]bool{} // "<stack> <address>" of the previous output
	for _, name := range prev.Names() {
		for typ, rs := range asMap(prev.Stacks[name]["resource"]) {
			for id := range asMap(rs) {
				held[name+" "+typ+"."+id] = true
			}
		}
	}
	forgot := map[string]string{} // address -> stack forgetting it
	for _, name := range o.Names() {
		for _, bl := range asBlocks(o.Stacks[name]["removed"]) {
			if from, _ := bl["from"].(string); held[name+" "+from] && path(bl, "lifecycle", "destroy") == false {
				forgot[from] = name
			}
		}
	}
	counts := map[move]int{}
	for _, name := range o.Names() {
		for _, bl := range asBlocks(o.Stacks[name]["import"]) {
			to, _ := bl["to"].(string)
			if held[name+" "+to] {
				continue // moved already
			}
			counts[move{forgot[to], name}]++
		}
	}
	if len(counts) == 0 {
		return
	}
	b.WriteString("## Moved between stacks\n\nThis synth moves resources between stacks, nothing replaced: the stack that held each one declares it `removed` without destroying it, and the stack that holds it now imports it (Terraform 1.7 or later; the deploy order applies the first before the second).\n\n| From | To | Resources |\n| --- | --- | --: |\n")
	keys := make([]move, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].to != keys[j].to {
			return keys[i].to < keys[j].to
		}
		return keys[i].from < keys[j].from
	})
	for _, k := range keys {
		from := k.from
		if from == "" {
			from = "an inline block of a resource that stays"
		}
		fmt.Fprintf(b, "| %s | %s | %d |\n", from, k.to, counts[k])
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
		fmt.Fprintf(b, "This cluster runs the agent mesh (no proxy peering): every agent holds a tunnel to each of the %s.\n\n", words.Count(int(proxies), "proxy", "proxies"))
		return
	}
	fmt.Fprintf(b, "With proxy peering each agent holds `agent_connection_count` = %s; without it, one to each of the %s of the cluster.\n\n", words.Plural(count, "tunnel"), words.Count(int(proxies), "proxy", "proxies"))
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
		ref := "${aws_ec2_managed_prefix_list." + id + ".id}"
		var cidrs []string
		entries, _ := pl["entry"].([]any)
		for _, e := range entries {
			cidrs = append(cidrs, fmt.Sprint(path(e, "cidr")))
		}
		// Entries of their own (the stack's own range); the mesh stacks
		// add the other regions' ranges to the same list.
		own := 0
		for _, e := range s.Resources("aws_ec2_managed_prefix_list_entry") {
			if e["prefix_list_id"] == ref {
				cidrs = append(cidrs, fmt.Sprint(e["cidr"]))
				own++
			}
		}
		sort.Strings(cidrs)
		more := ""
		if own > 0 {
			more = " and the other proxy regions' ranges, which the mesh stacks add"
		}
		lists[ref] = fmt.Sprintf("%v: %s%s", pl["name"], strings.Join(cidrs, ", "), more)
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
	byRole := map[string][]string{}
	for _, p := range s.Resources("aws_iam_role_policy") {
		role := roles[fmt.Sprint(p["role"])]
		for _, st := range s.Statements(p["policy"]) {
			byRole["Role `"+role+"`"] = append(byRole["Role `"+role+"`"], fmt.Sprintf("| %v | %s | %s |\n", path(st, "sid"), items(path(st, "actions")), items(path(st, "resources"))))
		}
	}
	grouped(b, "IAM actions", "| Statement | Actions | Resources |\n| --- | --- | --- |\n", byRole)

	aliases := map[string]string{}
	for _, a := range s.Resources("aws_kms_alias") {
		aliases[strings.TrimSuffix(fmt.Sprint(a["target_key_id"]), ".key_id}")] = fmt.Sprint(a["name"])
	}
	byKey := map[string][]string{}
	for id, k := range s.Resources("aws_kms_key") {
		name := "Key `" + aliases["${aws_kms_key."+id] + "` (" + fmt.Sprint(k["description"]) + ")"
		for _, st := range s.Statements(k["policy"]) {
			var conds []string
			cs, _ := path(st, "condition").([]any)
			for _, c := range cs {
				conds = append(conds, fmt.Sprintf("%v %v %s", path(c, "variable"), path(c, "test"), list(path(c, "values"))))
			}
			sort.Strings(conds)
			byKey[name] = append(byKey[name], fmt.Sprintf("| %v | %s | %s | %s |\n", path(st, "sid"),
				items(path(st, "principals", 0, "identifiers")), items(path(st, "actions")), strings.Join(conds, "<br>")))
		}
	}
	grouped(b, "KMS keys", "| Statement | Principal | Actions | Conditions |\n| --- | --- | --- | --- |\n", byKey)
	if count(s, "resource") == 0 {
		b.WriteString("No resources: a retired region whose resources the next deploy destroys.\n\n")
	}
}

// grouped writes one table per owner (role, key) under a heading, so that
// no column repeats the owner on every row and the tables fit a page.
func grouped(b *strings.Builder, title, header string, rows map[string][]string) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s\n\n", title)
	for _, o := range sortedIDs(rows) {
		fmt.Fprintf(b, "#### %s\n\n%s", o, header)
		sort.Strings(rows[o])
		for _, r := range rows[o] {
			b.WriteString(r)
		}
		b.WriteString("\n")
	}
}

// items renders a JSON list for a table cell, one item per line; actions
// of one service are written once with their prefix ("`kms:` Decrypt,
// Encrypt"), so that a long list wraps instead of widening the table.
func items(v any) string {
	list, _ := v.([]any)
	var out []string
	byService := map[string][]string{}
	var services []string
	for _, i := range list {
		s := short(i)
		if svc, action, ok := strings.Cut(s, ":"); ok && actionRe.MatchString(s) {
			if byService[svc] == nil {
				services = append(services, svc)
			}
			byService[svc] = append(byService[svc], action)
			continue
		}
		out = append(out, wrapARN(s))
	}
	for _, svc := range services {
		if len(byService[svc]) == 1 {
			out = append(out, "`"+svc+":"+byService[svc][0]+"`")
			continue
		}
		out = append(out, "`"+svc+":` "+strings.Join(byService[svc], ", "))
	}
	return strings.Join(out, "<br>")
}

// wrapARN renders an ARN as code, split after its account field when it
// is long: a code span does not wrap, so a long ARN would widen the table.
func wrapARN(s string) string {
	parts := strings.SplitN(s, ":", 6)
	if len(s) <= 60 || len(parts) < 6 || parts[0] != "arn" {
		return "`" + s + "`"
	}
	return "`" + strings.Join(parts[:5], ":") + ":`<br>`" + parts[5] + "`"
}

// actionRe matches an IAM action ("kms:Decrypt", "kms:GenerateDataKey*").
var actionRe = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z*]+$`)

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
