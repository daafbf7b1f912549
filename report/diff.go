package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/internal/words"
)

// NoChanges is the whole diff of two identical outputs.
const NoChanges = "No changes: the two synthesized outputs deploy the same resources."

// Exit statuses of go run . diff.
const (
	ExitNoChanges = 0
	ExitError     = 1
	ExitChanges   = 2
	ExitDangerous = 3
)

// Action is what Terraform does with one resource.
type Action string

// Actions, in the order counts are printed.
const (
	Add     Action = "add"
	Change  Action = "change"
	Replace Action = "replace"
	Destroy Action = "destroy"
	// Forget: the stack lets go of the resource without destroying it (a
	// removed block with destroy = false); Import: a stack takes over an
	// existing resource (an import block). Together they move a resource
	// between stacks: nothing is created, destroyed or replaced.
	Forget Action = "forget"
	Import Action = "import"
)

// Counts are how many resources each action touches.
type Counts map[Action]int

func (c Counts) String() string {
	s := fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy", c[Add], c[Change], c[Replace], c[Destroy])
	if c[Forget]+c[Import] > 0 {
		s += fmt.Sprintf(", %d to import, %d to forget (moved between stacks, nothing replaced)", c[Import], c[Forget])
	}
	return s
}

// DiffResult is a classified diff of two synthesized outputs.
type DiffResult struct {
	// Markdown is the report.
	Markdown string
	// Total counts every stack's actions.
	Total Counts
	// Dangers explain, in words, each change that loses state or strands
	// other stacks.
	Dangers []string
	// Changed is true when anything differs, providers and stacks
	// without resources included.
	Changed bool
	// Actions is the action on each managed resource that changes, by
	// stack and resource address (type.name): what Terraform's plan should
	// say (the emulator run compares them).
	Actions map[string]map[string]Action
}

// ExitStatus is 0 without changes, 2 with changes, 3 with dangerous ones.
func (r *DiffResult) ExitStatus() int {
	switch {
	case len(r.Dangers) > 0:
		return ExitDangerous
	case r.Changed:
		return ExitChanges
	}
	return ExitNoChanges
}

// Diff compares two synthesized output directories and renders, as
// Markdown, what Terraform will do per stack: every resource added,
// changed in place, replaced (an attribute that forces replacement changed;
// see forceNew) or destroyed, with the changed attributes (sets compared as
// sets, boot scripts decoded and diffed as text), counts per stack and in
// total, the groups a launch template change rolls, and the dangerous
// changes explained. It needs no credentials and no state, so CI can post
// it on a pull request.
func Diff(oldDir, newDir string) (*DiffResult, error) {
	before, err := ReadOutput(oldDir)
	if err != nil {
		return nil, err
	}
	after, err := ReadOutput(newDir)
	if err != nil {
		return nil, err
	}
	return DiffOutputs(before, after), nil
}

// DiffOutputs is Diff on outputs already read.
func DiffOutputs(before, after *Output) *DiffResult {
	res := &DiffResult{Total: Counts{}, Actions: map[string]map[string]Action{}}
	before, moves := applyMoves(before, after)
	var b strings.Builder
	names := map[string]bool{}
	for n := range before.Stacks {
		names[n] = true
	}
	for n := range after.Stacks {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	plan := newPlanner(before, after)
	plan.run()
	for _, name := range sorted {
		old, inOld := before.Stacks[name]
		cur, inNew := after.Stacks[name]
		if !inOld {
			old = Stack{}
		}
		if !inNew {
			cur = Stack{}
		}
		section, counts, dangers, actions := diffStack(plan, name, old, cur)
		if n := len(moves[name]); n > 0 {
			if section == "" {
				section = "\n"
			}
			section = fmt.Sprintf("- **moved** %d resources to new addresses (moved blocks: Terraform moves their state, nothing is destroyed for it)\n", n) + section
		}
		if len(actions) > 0 {
			res.Actions[name] = actions
		}
		for a, n := range counts {
			res.Total[a] += n
		}
		res.Dangers = append(res.Dangers, dangers...)
		switch {
		case !inOld:
			fmt.Fprintf(&b, "### Stack %s: added (%s)\n\n%s", name, counts, section)
		case !inNew:
			n := len(blocks(old, "resource"))
			held := fmt.Sprintf("the %s it held %s, unmanaged", words.Plural(n, "resource"), stayVerb(n))
			if n == 0 {
				held = "it held no resource"
			}
			fmt.Fprintf(&b, "### Stack %s: removed from the app (`go run . apply` no longer plans it; %s)\n\n", name, held)
			if n > 0 {
				advice := "set retired: true and deploy before deleting the entry"
				if strings.HasPrefix(name, "auth-") {
					// Only proxy regions retire (config: retired).
					advice = "an auth region cannot be retired: keep auth.region, or build the new cluster beside this one and move its data before removing it"
				}
				res.Dangers = append(res.Dangers, fmt.Sprintf("stack %s is removed from the app while it still holds %s (it was not retired first): "+
					"`go run . apply` no longer plans it and nothing destroys them: they keep running, and costing, unmanaged, listed only in its old state file; %s", name, words.Plural(n, "resource"), advice))
			}
		case section != "":
			fmt.Fprintf(&b, "### Stack %s: %s\n\n%s", name, counts, section)
		}
	}
	res.Dangers = append(res.Dangers, identityDangers(before, after)...)
	res.Changed = b.Len() > 0 || len(res.Dangers) > 0
	if !res.Changed {
		res.Markdown = NoChanges + "\n"
		return res
	}
	var out strings.Builder
	fmt.Fprintf(&out, "## Synth diff\n\n**Total: %s.**\n\n", res.Total)
	if len(res.Dangers) > 0 {
		out.WriteString("### Danger\n\n")
		for _, d := range res.Dangers {
			fmt.Fprintf(&out, "- %s\n", d)
		}
		out.WriteString("\n")
	}
	out.WriteString(b.String())
	res.Markdown = out.String()
	return res
}

// stayVerb agrees "stay" with a count of resources.
func stayVerb(n int) string {
	if n == 1 {
		return "stays"
	}
	return "stay"
}

// identityDangers: cluster_name, domain and auth.region name (or place)
// every stateful resource; changing one replaces the cluster's state.
func identityDangers(before, after *Output) []string {
	var out []string
	for _, f := range []struct {
		field string
		get   func(*Output) string
		what  string
	}{
		{"cluster_name", clusterName, "every AWS name derives from it: tables, buckets and keys would be replaced"},
		{"domain", domainName, "agents, users and the certificate know the cluster by it; the cluster name (Teleport's, in its state) is the domain"},
	} {
		if b, a := f.get(before), f.get(after); b != "" && a != "" && b != a {
			out = append(out, fmt.Sprintf("`%s` changes from %s to %s: %s", f.field, b, a, f.what))
		}
	}
	if b, a := authRegion(before), authRegion(after); b != "" && a != "" && b != a {
		out = append(out, fmt.Sprintf("`auth.region` changes from %s to %s: the auth stack auth-%s is new and creates empty tables, buckets and keys in %s; "+
			"auth-%s leaves the app with the cluster's state, recordings and keys, which nothing moves: the cluster starts empty unless its data is migrated first", b, a, a, a, b))
	}
	return out
}

// ClusterName is the cluster an output was synthesized for (its providers'
// teleport-cluster tag), or "".
func ClusterName(o *Output) string { return clusterName(o) }

func clusterName(o *Output) string {
	for _, name := range o.Names() {
		if v, ok := path(o.Stacks[name], "provider", "aws", 0, "default_tags", 0, "tags", "teleport-cluster").(string); ok {
			return v
		}
	}
	return ""
}

func domainName(o *Output) string {
	for _, name := range o.Names() {
		for _, r := range o.Stacks[name].Resources("aws_route53_record") {
			if n, ok := r["name"].(string); ok && !strings.HasPrefix(n, "*.") && path(r, "latency_routing_policy") != nil {
				return n
			}
		}
	}
	return ""
}

func authRegion(o *Output) string {
	for _, name := range o.Names() {
		if strings.HasPrefix(name, "auth-") {
			return strings.TrimPrefix(name, "auth-")
		}
	}
	return ""
}

// blocks flattens a stack's resources (or data sources) to "type.id" ->
// body, without cdktf's "//" metadata.
func blocks(s Stack, kind string) map[string]map[string]any {
	out := map[string]map[string]any{}
	byType, _ := s[kind].(map[string]any)
	for typ, ids := range byType {
		m, _ := ids.(map[string]any)
		for id, body := range m {
			b, _ := body.(map[string]any)
			clean := map[string]any{}
			for k, v := range b {
				if k != "//" {
					clean[k] = v
				}
			}
			out[typ+"."+id] = clean
		}
	}
	return out
}

// resourceType is the type of a "type.id" address.
func resourceType(addr string) string { return strings.SplitN(addr, ".", 2)[0] }

func diffStack(plan *planner, stack string, old, cur Stack) (string, Counts, []string, map[string]Action) {
	var b strings.Builder
	counts := Counts{}
	actions := map[string]Action{}
	var dangers []string
	// A stack that leaves the app is no longer deployed at all: its
	// resources stay, unmanaged (see DiffOutputs).
	if len(cur) == 0 && len(old) > 0 {
		return "", counts, nil, nil
	}
	rolls := launchTemplateUsers(cur)
	if line := providerChanges(old, cur); line != "" {
		b.WriteString(line)
	}
	dangers = append(dangers, orphanedProviders(plan, stack, old, cur)...)
	res := plan.res[stack]
	addrs := sortedIDs(res)
	// Resources first, then data sources.
	sort.SliceStable(addrs, func(i, j int) bool { return !res[addrs[i]].data && res[addrs[j]].data })
	for _, a := range addrs {
		r := res[a]
		if r.goneWith != "" {
			stack, table, _ := strings.Cut(r.goneWith, " ")
			fmt.Fprintf(&b, "- **goes with its route table** `%s`: stack %s, applied first, destroys `%s` and AWS deletes its routes with it; the refresh finds this one gone\n", a, stack, table)
			continue
		}
		if r.action == "" && len(r.meta) == 0 {
			continue
		}
		if r.data {
			fmt.Fprintf(&b, "- **%s** `%s`\n", map[Action]string{Add: "added", Destroy: "removed", Change: "read anew", Replace: "read anew"}[r.action], a)
			for _, c := range renderChanges(r) {
				b.WriteString(c)
			}
			continue
		}
		if r.action == "" {
			fmt.Fprintf(&b, "- **no change** `%s`\n", a)
		} else {
			counts[r.action]++
			actions[a] = r.action
			fmt.Fprintf(&b, "- **%s** `%s`\n", r.action, a)
		}
		dangers = append(dangers, resourceDangers(plan, r)...)
		for _, c := range renderChanges(r) {
			b.WriteString(c)
		}
		b.WriteString(consequences(r, rolls))
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String(), counts, dangers, actions
}

// providerChanges says which AWS providers (by alias, "default" for the
// default one) a stack gains or loses; a provider leaves only once no
// resource in the stack's state needs it.
func providerChanges(old, cur Stack) string {
	aliases := func(s Stack) map[string]bool {
		out := map[string]bool{}
		list, _ := path(s, "provider", "aws").([]any)
		for _, p := range list {
			a, _ := path(p, "alias").(string)
			if a == "" {
				a = "default"
			}
			out[a] = true
		}
		return out
	}
	o, n := aliases(old), aliases(cur)
	var added, removed []string
	for a := range n {
		if !o[a] {
			added = append(added, a)
		}
	}
	for a := range o {
		if !n[a] {
			removed = append(removed, a)
		}
	}
	if len(added)+len(removed) == 0 || len(n) == 0 {
		return ""
	}
	sort.Strings(added)
	sort.Strings(removed)
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	return "- **providers**: " + strings.Join(parts, "; ") + "\n"
}

// orphanedProviders: Terraform needs a resource's provider configuration to
// destroy it; a stack that destroys resources of a provider it no longer
// configures fails to plan ("Provider configuration not present").
func orphanedProviders(plan *planner, stack string, old, cur Stack) []string {
	configured := func(s Stack) map[string]bool {
		out := map[string]bool{}
		list, _ := path(s, "provider", "aws").([]any)
		for _, p := range list {
			if a, ok := path(p, "alias").(string); ok {
				out["aws."+a] = true
			}
		}
		return out
	}
	was, is := configured(old), configured(cur)
	n := map[string]int{}
	for _, r := range plan.res[stack] {
		if p, ok := r.old["provider"].(string); ok && r.action == Destroy && was[p] && !is[p] {
			n[p]++
		}
	}
	var out []string
	for _, p := range sortedIDs(n) {
		out = append(out, fmt.Sprintf("%s: the plan fails (Provider configuration not present): it must destroy %s through the provider %s, which this synth no longer configures; "+
			"retire the region (retired: true) and deploy before deleting it", stack, words.Plural(n[p], "resource"), p))
	}
	return out
}

// protected reports whether a resource body carries prevent_destroy.
func protected(body map[string]any) bool { return path(body, "lifecycle", "prevent_destroy") == true }

// resourceName is a resource's AWS name for humans, else its address.
func resourceName(body map[string]any, addr string) string {
	for _, k := range []string{"name", "bucket"} {
		if v, ok := body[k].(string); ok && v != "" && !strings.Contains(v, "${") {
			return "`" + v + "`"
		}
	}
	return "`" + addr + "`"
}

// launchTemplateUsers maps a launch template's id in s to the names of the
// Auto Scaling groups launching from it: any new version of the template
// rolls those groups (their instance refresh starts on a launch template
// change).
func launchTemplateUsers(s Stack) map[string][]string {
	out := map[string][]string{}
	for _, g := range s.Resources("aws_autoscaling_group") {
		ref := fmt.Sprint(path(g, "launch_template", "id"))
		if m := ltRefRe.FindStringSubmatch(ref); m != nil {
			out[m[1]] = append(out[m[1]], fmt.Sprint(g["name"]))
		}
	}
	return out
}

var ltRefRe = regexp.MustCompile(`aws_launch_template\.([^.]+)\.id`)

// renderChanges renders the changed attributes of r: set elements
// added or removed, values before and after (user data decoded and diffed
// line by line), values that change with something they reference.
func renderChanges(r *planned) []string {
	var out []string
	for _, c := range r.attrs {
		attr := attrPath(c.key)
		note := ""
		if c.forces {
			note = " (forces replacement)"
		}
		switch {
		case c.key == "tags_all":
			out = append(out, "  - `tags_all`: the provider's default_tags change\n")
		case c.before == c.after:
			what := "known after apply"
			if c.state == known {
				what = "changes"
			}
			subject := "`" + c.key + "`"
			if strings.Contains(c.key, "{") {
				subject = "`" + attr + "`: element " + cell(setElement(c.key))
			}
			out = append(out, fmt.Sprintf("  - %s: %s, as %s%s\n", subject, what, c.cause, note))
		case c.key == "dashboard_body" && r.typ == "aws_cloudwatch_dashboard":
			// Several KiB of JSON in one string: say what changes in it.
			before, _ := r.old["dashboard_body"].(string)
			after, _ := r.cur["dashboard_body"].(string)
			out = append(out, "  - `dashboard_body` (the dashboard, by section and graph): "+dashboardBodyChange(before, after)+note+"\n")
		case c.key == "user_data":
			out = append(out, "  - `user_data` (boot script, decoded)"+note+":\n\n```diff\n"+lineDiff(UserData(r.old), UserData(r.cur))+"```\n")
		case strings.Contains(c.key, "{"):
			verb := "added"
			if c.after == "" {
				verb = "removed"
			}
			out = append(out, fmt.Sprintf("  - `%s`: %s %s%s\n", attr, verb, cell(setElement(c.key)), note))
		default:
			out = append(out, fmt.Sprintf("  - `%s`: %s → %s%s\n", c.key, cell(c.before), cell(c.after), note))
		}
	}
	for _, k := range r.meta {
		o, n := map[string]string{}, map[string]string{}
		if r.old[k] != nil {
			flatten("", k, r.old[k], o)
		}
		if r.cur[k] != nil {
			flatten("", k, r.cur[k], n)
		}
		keys := map[string]bool{}
		for x := range o {
			keys[x] = true
		}
		for x := range n {
			keys[x] = true
		}
		for _, x := range sortedIDs(keys) {
			if o[x] != n[x] {
				out = append(out, fmt.Sprintf("  - `%s`: %s → %s (a meta-argument: no change to the resource)\n", x, cell(o[x]), cell(n[x])))
			}
		}
	}
	return out
}

// attrPath is a flattened key without list indexes and set elements:
// "network_interfaces[0].security_groups{...}" -> "network_interfaces.security_groups".
func attrPath(k string) string {
	k = setElemRe.ReplaceAllString(k, "")
	return indexRe.ReplaceAllString(k, "")
}

var (
	indexRe   = regexp.MustCompile(`\[\d+\]`)
	setElemRe = regexp.MustCompile(`\{.*\}$`)
)

// setElement is the element part of a set key.
func setElement(k string) string {
	i := strings.Index(k, "{")
	return k[i+1 : len(k)-1]
}

// forcesReplacement reports whether changing attr of typ replaces the
// resource (schemas; the conditional cases are customReplace's).
func forcesReplacement(typ, attr string) bool {
	for _, f := range schemas[typ].forceNew {
		if attr == f || strings.HasPrefix(attr, f+".") {
			return true
		}
	}
	return false
}

func cell(s string) string {
	if s == "" {
		return "(unset)"
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// flatten maps every leaf of v to its JSON rendering, by path. Attributes
// the provider's schema declares as sets (setAttributes) become one key per
// element, "attr{<element JSON>}", so that their order does not matter.
func flatten(typ, prefix string, v any, out map[string]string) {
	if list, ok := v.([]any); ok && isSet(typ, attrPath(prefix)) {
		for _, e := range list {
			raw, _ := json.Marshal(e)
			out[prefix+"{"+string(raw)+"}"] = "present"
		}
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(typ, p, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(typ, fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	default:
		raw, _ := json.Marshal(x)
		out[prefix] = string(raw)
	}
}

func isSet(typ, attr string) bool {
	for _, s := range setAttributes[typ] {
		if s == attr {
			return true
		}
	}
	return false
}

// lineDiff renders a minimal line diff (longest common subsequence) with
// two lines of context around each change.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			lines = append(lines, line{' ', x[i]})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', x[i]})
			i++
		default:
			lines = append(lines, line{'+', y[j]})
			j++
		}
	}
	const context = 2
	var out strings.Builder
	last := -1
	for k, l := range lines {
		near := false
		for d := -context; d <= context; d++ {
			if k+d >= 0 && k+d < len(lines) && lines[k+d].op != ' ' {
				near = true
			}
		}
		if !near {
			continue
		}
		if last >= 0 && k > last+1 {
			out.WriteString("@@\n")
		}
		fmt.Fprintf(&out, "%c %s\n", l.op, l.text)
		last = k
	}
	return out.String()
}

// outages say what replacing a resource others use takes down.
var outages = map[string]struct{ noun, outage string }{
	"aws_vpc": {"VPC", "everything in it is destroyed and created again with it (subnets, security groups, load balancer, instances, peerings): " +
		"the region serves no clients from the destroy until the new load balancer has healthy targets"},
	"aws_subnet": {"subnet", "what runs in it (instances, NAT gateway, load balancer nodes) goes with it: " +
		"the region loses that capacity, or all of it, until its replacements are up"},
	"aws_security_group": {"security group", "the instances and the load balancer that use it are moved to the new group during the apply: " +
		"until then the old one cannot be deleted (AWS refuses while network interfaces use it) and connections it admitted are refused once it is gone"},
	"aws_lb_target_group": {"target group", "the listener forwards to it: the region serves no traffic from the destroy until the new group has healthy targets"},
}

// resourceDangers are the dangers of r's action: state lost, a plan that
// fails on prevent_destroy, an outage of what uses r.
func resourceDangers(plan *planner, r *planned) []string {
	st, stateful := statefulTypes[r.typ]
	name := resourceName(r.old, r.addr)
	switch {
	case r.action == Replace && protected(r.cur):
		noun := r.typ
		if stateful {
			noun = st.noun
		}
		return []string{fmt.Sprintf("%s: replaces the %s %s, which has prevent_destroy: the plan will fail (prevent_destroy), and nothing of the stack applies until the change is undone", r.stack, noun, name)}
	case r.action == Replace && stateful:
		return []string{fmt.Sprintf("%s: replaces %s %s: %s", r.stack, st.noun, name, st.loss)}
	case r.action == Destroy && stateful && protected(r.old):
		return []string{fmt.Sprintf("%s: removes the protected %s %s from the configuration, so Terraform destroys it (prevent_destroy guards only configured resources): %s", r.stack, st.noun, name, st.loss)}
	case r.action == Destroy && stateful:
		return []string{fmt.Sprintf("%s: destroys %s %s: %s", r.stack, st.noun, name, st.loss)}
	}
	if nlbReplacedDuringApply(r) {
		return []string{fmt.Sprintf("%s: changes the subnets of the network load balancer %s in place while some of the new ones are not known yet: "+
			"during the apply, once they are, the AWS provider replaces a network load balancer whose subnets are not only added "+
			"(elbv2/load_balancer.go, customizeDiffLoadBalancerNLB) and Terraform stops the apply (\"Provider produced inconsistent final plan\"), "+
			"after the resources planned before it changed. Add zones and remove zones in separate deploys", r.stack, name)}
	}
	if o, ok := outages[r.typ]; ok && r.action == Replace {
		if users := plan.users(r); len(users) > 0 {
			return []string{fmt.Sprintf("%s: replaces %s %s, used by %s (%s): %s", r.stack, o.noun, name, words.Plural(len(users), "resource"), summarize(users), o.outage)}
		}
	}
	return nil
}

// nlbReplacedDuringApply says whether r is a network load balancer planned
// to change in place whose subnets are partly unknown (new subnets) and not
// more than before: the provider forces replacement only on a wholly known
// value, so the plan says update, and the final plan during the apply says
// replace.
func nlbReplacedDuringApply(r *planned) bool {
	if r.typ != "aws_lb" || r.action != Change || r.cur["load_balancer_type"] != "network" {
		return false
	}
	unknownSubnet := false
	for _, c := range r.attrs {
		if attrPath(c.key) == "subnets" && c.state == unknown {
			unknownSubnet = true
		}
	}
	before, _ := r.old["subnets"].([]any)
	after, _ := r.cur["subnets"].([]any)
	return unknownSubnet && len(after) <= len(before)
}

// users lists the resources that stay (in any stack) and reference r,
// directly or through a remote-state output of r's stack.
func (p *planner) users(r *planned) []string {
	var outputs []string
	if outs, ok := path(p.after.Stacks[r.stack], "output").(map[string]any); ok {
		for name, o := range outs {
			if strings.Contains(jsonText(o), r.addr+".") {
				outputs = append(outputs, "cross-stack-reference-input-"+r.stack+".outputs."+name)
			}
		}
	}
	var out []string
	for _, s := range sortedIDs(p.res) {
		for _, a := range sortedIDs(p.res[s]) {
			u := p.res[s][a]
			if u.cur == nil || u.old == nil || u.data || u == r {
				continue
			}
			text := jsonText(u.cur)
			uses := s == r.stack && strings.Contains(text, "${"+r.addr+".")
			for _, o := range outputs {
				uses = uses || strings.Contains(text, o+"}")
			}
			if uses {
				out = append(out, u.typ)
			}
		}
	}
	return out
}

// summarize counts types: "2 aws_subnet, 1 aws_lb".
func summarize(types []string) string {
	n := map[string]int{}
	for _, t := range types {
		n[t]++
	}
	var parts []string
	for _, t := range sortedIDs(n) {
		parts = append(parts, fmt.Sprintf("%d %s", n[t], t))
	}
	return strings.Join(parts, ", ")
}

// consequences say what a change does to instances: a launch template
// changed in place rolls its groups (instance refresh); a replaced
// template or group replaces every instance at once.
func consequences(r *planned, rolls map[string][]string) string {
	var b strings.Builder
	switch {
	case r.typ == "aws_launch_template" && r.action == Change:
		for _, g := range rolls[strings.TrimPrefix(r.addr, r.typ+".")] {
			fmt.Fprintf(&b, "  - the group `%s` rolls (instance refresh)\n", g)
		}
	case r.typ == "aws_launch_template" && r.action == Replace:
		for _, g := range rolls[strings.TrimPrefix(r.addr, r.typ+".")] {
			fmt.Fprintf(&b, "  - replaced: every instance of the group `%s` at once (the template is destroyed and created again, not versioned)\n", g)
		}
	case r.typ == "aws_autoscaling_group" && r.action == Replace:
		b.WriteString("  - replaced: every instance at once (Terraform destroys the group with its instances, then creates it; no instance refresh)\n")
	}
	return b.String()
}
