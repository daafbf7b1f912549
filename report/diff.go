package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
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
)

// Counts are how many resources each action touches.
type Counts map[Action]int

func (c Counts) String() string {
	return fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy", c[Add], c[Change], c[Replace], c[Destroy])
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
	for _, name := range sorted {
		old, inOld := before.Stacks[name]
		cur, inNew := after.Stacks[name]
		if !inOld {
			old = Stack{}
		}
		if !inNew {
			cur = Stack{}
		}
		section, counts, dangers, actions := diffStack(name, old, cur)
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
			fmt.Fprintf(&b, "### Stack %s: removed from the app (`cdktf deploy` no longer runs it; %d resources it held stay, unmanaged)\n\n", name, n)
			if n > 0 {
				res.Dangers = append(res.Dangers, fmt.Sprintf("stack %s is removed while it still holds %d resources: it was not retired first, so nothing destroys them, "+
					"and the stacks that share its region's resources lose the provider their state still needs (set retired: true and deploy before deleting the entry)", name, n))
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
		{"auth.region", authRegion, "the auth stack, with the tables, buckets and keys, would be replaced by one in another region"},
	} {
		if b, a := f.get(before), f.get(after); b != "" && a != "" && b != a {
			out = append(out, fmt.Sprintf("`%s` changes from %s to %s: %s", f.field, b, a, f.what))
		}
	}
	return out
}

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

func diffStack(stack string, old, cur Stack) (string, Counts, []string, map[string]Action) {
	var b strings.Builder
	counts := Counts{}
	actions := map[string]Action{}
	var dangers []string
	// A stack that leaves the app is no longer deployed at all: its
	// resources stay, unmanaged (see DiffOutputs).
	removedStack := len(cur) == 0 && len(old) > 0
	if removedStack {
		return "", counts, nil, nil
	}
	rolls := launchTemplateUsers(cur)
	if line := providerChanges(old, cur); line != "" {
		b.WriteString(line)
	}
	for _, kind := range []struct{ key, label string }{{"resource", ""}, {"data", "data."}} {
		o, n := blocks(old, kind.key), blocks(cur, kind.key)
		var addrs []string
		for a := range o {
			addrs = append(addrs, a)
		}
		for a := range n {
			if _, ok := o[a]; !ok {
				addrs = append(addrs, a)
			}
		}
		sort.Strings(addrs)
		for _, a := range addrs {
			ob, inOld := o[a]
			nb, inNew := n[a]
			typ := resourceType(a)
			var action Action
			var changes []string
			switch {
			case !inOld:
				action = Add
			case !inNew:
				action = Destroy
			default:
				var replace bool
				changes, replace = diffBody(typ, ob, nb)
				if len(changes) == 0 {
					continue
				}
				action = Change
				if replace {
					action = Replace
				}
			}
			if kind.key == "data" {
				fmt.Fprintf(&b, "- **%s** `data.%s`\n", map[Action]string{Add: "added", Destroy: "removed", Change: "changed", Replace: "changed"}[action], a)
			} else {
				counts[action]++
				actions[a] = action
				fmt.Fprintf(&b, "- **%s** `%s`\n", action, a)
				if st, ok := statefulTypes[typ]; ok && !removedStack {
					switch {
					case action == Replace:
						dangers = append(dangers, fmt.Sprintf("%s: replaces %s %s: %s", stack, st.noun, resourceName(ob, a), st.loss))
					case action == Destroy && protected(ob):
						dangers = append(dangers, fmt.Sprintf("%s: removes the protected %s %s from the configuration, so Terraform destroys it (prevent_destroy guards only configured resources): %s", stack, st.noun, resourceName(ob, a), st.loss))
					case action == Destroy:
						dangers = append(dangers, fmt.Sprintf("%s: destroys %s %s: %s", stack, st.noun, resourceName(ob, a), st.loss))
					}
				}
			}
			for _, c := range changes {
				b.WriteString(c)
			}
			if typ == "aws_launch_template" && (action == Change || action == Replace) {
				for _, g := range rolls[strings.TrimPrefix(a, typ+".")] {
					fmt.Fprintf(&b, "  - the group `%s` rolls (instance refresh)\n", g)
				}
			}
		}
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

// diffBody lists the changed attributes of one resource of type typ and
// says whether one of them forces replacement. Set attributes are compared
// as sets; user data is decoded and diffed line by line.
func diffBody(typ string, old, cur map[string]any) ([]string, bool) {
	o, n := map[string]string{}, map[string]string{}
	flatten(typ, "", old, o)
	flatten(typ, "", cur, n)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []string
	replace := false
	for _, k := range sorted {
		if o[k] == n[k] {
			continue
		}
		attr := attrPath(k)
		forces := forcesReplacement(typ, attr, o[k] != "" && n[k] == "")
		replace = replace || forces
		note := ""
		if forces {
			note = " (forces replacement)"
		}
		switch {
		case k == "user_data":
			out = append(out, "  - `user_data` (boot script, decoded)"+note+":\n\n```diff\n"+lineDiff(UserData(old), UserData(cur))+"```\n")
		case strings.Contains(k, "{"):
			verb := "added"
			if n[k] == "" {
				verb = "removed"
			}
			out = append(out, fmt.Sprintf("  - `%s`: %s %s%s\n", attr, verb, cell(setElement(k)), note))
		default:
			out = append(out, fmt.Sprintf("  - `%s`: %s → %s%s\n", k, cell(o[k]), cell(n[k]), note))
		}
	}
	return out, replace
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
// resource; removed tells that an element or value went away.
func forcesReplacement(typ, attr string, removed bool) bool {
	match := func(list []string) bool {
		for _, f := range list {
			if attr == f || strings.HasPrefix(attr, f+".") {
				return true
			}
		}
		return false
	}
	return match(forceNew[typ]) || (removed && match(replaceOnRemoval[typ]))
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
