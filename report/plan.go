package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// valueState is what Terraform's plan knows of a value.
type valueState int

const (
	// same: the value in the state.
	same valueState = iota
	// known: a new value, known when the plan is made.
	known
	// unknown: "(known after apply)".
	unknown
)

// attrChange is one changed attribute of a resource.
type attrChange struct {
	// key is the flattened key ("subnets{...}", "launch_template.version").
	key string
	// before and after are the texts; equal when only a referenced value
	// changes.
	before, after string
	state         valueState
	// cause names the reference whose value changes, when the text does not.
	cause  string
	forces bool
}

// planned is what Terraform's plan does with one resource or data source.
type planned struct {
	stack, addr, typ string
	data             bool
	old, cur         map[string]any
	// action is "" when nothing changes.
	action Action
	attrs  []attrChange
	// meta lists changed meta-arguments (lifecycle, depends_on): no
	// action of their own.
	meta []string
	// goneWith is the route table, destroyed in the stack that produces
	// it (applied first), that takes this removed route along: Terraform's
	// refresh finds the route gone and plans nothing for it.
	goneWith string
}

// metaArguments are Terraform's, not the provider's: changing one plans
// no change to the resource.
var metaArguments = map[string]bool{"lifecycle": true, "depends_on": true, "provider": true, "count": true, "for_each": true, "provisioner": true, "connection": true}

// planner computes every stack's plan the way Terraform does: an attribute
// changes when its text changes or when a value it references changes; a
// replaced resource's computed attributes become unknown, and an unknown or
// new value in an attribute that forces replacement replaces its resource
// too, within the stack and across stacks (remote-state outputs: cdktf
// applies the producer before it plans the consumer, so there the new
// value is known).
type planner struct {
	before, after *Output
	res           map[string]map[string]*planned
}

func newPlanner(before, after *Output) *planner {
	p := &planner{before: before, after: after, res: map[string]map[string]*planned{}}
	for _, o := range []*Output{before, after} {
		for name := range o.Stacks {
			p.res[name] = map[string]*planned{}
		}
	}
	for name, m := range p.res {
		old, cur := before.Stacks[name], after.Stacks[name]
		for _, kind := range []string{"resource", "data"} {
			ob, nb := blocks(old, kind), blocks(cur, kind)
			for _, bs := range []map[string]map[string]any{ob, nb} {
				for a := range bs {
					key := a
					if kind == "data" {
						key = "data." + a
					}
					if m[key] == nil {
						m[key] = &planned{stack: name, addr: key, typ: resourceType(a), data: kind == "data", old: ob[a], cur: nb[a]}
					}
				}
			}
		}
	}
	return p
}

// moves returns the resources the new output moves between stacks, as
// "<stack> <address>": those a stack declares removed without destroying
// them, and those a stack imports (regions.Moves writes both).
func (p *planner) moves() (forgotten, imported map[string]bool) {
	forgotten, imported = map[string]bool{}, map[string]bool{}
	for name, st := range p.after.Stacks {
		for _, b := range asBlocks(st["removed"]) {
			from, _ := b["from"].(string)
			if path(b, "lifecycle", "destroy") == false {
				forgotten[name+" "+from] = true
			}
		}
		for _, b := range asBlocks(st["import"]) {
			to, _ := b["to"].(string)
			imported[name+" "+to] = true
		}
	}
	return forgotten, imported
}

func asBlocks(v any) []map[string]any {
	var out []map[string]any
	l, _ := v.([]any)
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// run evaluates every resource until no action changes (actions only grow:
// none, change, replace).
func (p *planner) run() {
	var all []*planned
	for _, s := range sortedIDs(p.res) {
		for _, a := range sortedIDs(p.res[s]) {
			all = append(all, p.res[s][a])
		}
	}
	forgotten, imported := p.moves()
	for _, r := range all {
		switch {
		case r.data:
			if r.old == nil {
				r.action = Add
			} else if r.cur == nil {
				r.action = Destroy
			}
		case r.old == nil && imported[r.stack+" "+r.addr]:
			r.action = Import
		case r.old == nil:
			r.action = Add
		case r.cur == nil && forgotten[r.stack+" "+r.addr]:
			r.action = Forget
		case r.cur == nil:
			r.action = Destroy
		}
	}
	for _, r := range all {
		if r.action == Destroy && r.typ == "aws_route" {
			if table := p.destroyedProducer(r.stack, fmt.Sprint(r.old["route_table_id"]), "aws_route_table."); table != "" {
				r.action, r.goneWith = "", table
			}
		}
	}
	for i := 0; i < 100; i++ {
		moved := false
		for _, r := range all {
			if r.old == nil || r.cur == nil {
				continue
			}
			before := r.action
			p.evaluate(r)
			if r.action != before {
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// destroyedProducer returns the resource of type prefix ("aws_route_table.")
// that the cross-stack reference text of stack consumer reads in another
// stack, when that stack destroys it and is applied first (consumer still
// depends on it: not so for a retired stack, which its peers' stacks
// precede); "" otherwise.
func (p *planner) destroyedProducer(consumer, text, prefix string) string {
	m := remoteRefRe.FindStringSubmatch(text)
	if m == nil || !dependsOn(p.after, consumer, m[1]) {
		return ""
	}
	value := fmt.Sprint(path(p.before.Stacks[m[1]], "output", m[2], "value"))
	for _, ref := range attrRefRe.FindAllStringSubmatch(value, -1) {
		addr := ref[2] + "." + ref[3]
		if r := p.res[m[1]][addr]; r != nil && strings.HasPrefix(addr, prefix) && r.action == Destroy {
			return m[1] + " " + addr
		}
	}
	return ""
}

// dependsOn says whether stack a of o is deployed after stack b (depends on
// it, directly or not).
func dependsOn(o *Output, a, b string) bool {
	seen := map[string]bool{}
	var walk func(s string) bool
	walk = func(s string) bool {
		for _, d := range o.Dependencies[s] {
			if d == b || (!seen[d] && func() bool { seen[d] = true; return walk(d) }()) {
				return true
			}
		}
		return false
	}
	return walk(a)
}

// evaluate computes r's changed attributes and action from the states of
// the values it references.
func (p *planner) evaluate(r *planned) {
	o, n := map[string]string{}, map[string]string{}
	r.meta = nil
	for k, v := range r.old {
		if !metaArguments[k] && !(keptWhenUnset(r.typ, k) && r.cur[k] == nil) {
			flatten(r.typ, k, v, o)
		}
	}
	for k, v := range r.cur {
		if !metaArguments[k] {
			flatten(r.typ, k, v, n)
		} else if a, b := jsonText(r.old[k]), jsonText(v); a != b {
			r.meta = append(r.meta, k)
		}
	}
	for k := range r.old {
		if metaArguments[k] && r.cur[k] == nil {
			r.meta = append(r.meta, k)
		}
	}
	sort.Strings(r.meta)
	ignored := ignoreChanges(r.cur)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var changes []attrChange
	for _, k := range sortedIDs(keys) {
		attr := attrPath(k)
		if ignored(attr) {
			continue
		}
		expr := n[k]
		if strings.Contains(k, "{") {
			expr = setElement(k) // a set element's text is in its key
		}
		st, cause := p.exprState(r.stack, expr)
		c := attrChange{key: k, before: o[k], after: n[k], state: st, cause: cause}
		if o[k] != n[k] {
			if c.state == same {
				c.state = known
			}
			c.cause = ""
		} else if st == same {
			continue
		}
		c.forces = forcesReplacement(r.typ, attr)
		changes = append(changes, c)
	}
	if !r.data && !untagged[r.typ] && !ignored("tags_all") && !ignored("tags") {
		if a, b := defaultTags(p.before.Stacks[r.stack], r.old), defaultTags(p.after.Stacks[r.stack], r.cur); a != b {
			changes = append(changes, attrChange{key: "tags_all", before: a, after: b, state: known})
		}
	}
	for _, attr := range customReplace(r.typ, r.old, r.cur, o, n, changes) {
		for i := range changes {
			if attrPath(changes[i].key) == attr {
				changes[i].forces = true
			}
		}
	}
	r.attrs = changes
	r.action = ""
	if len(changes) > 0 {
		r.action = Change
	}
	for _, c := range changes {
		if c.forces && !r.data {
			r.action = Replace
		}
	}
}

// defaultTags is the JSON of the default_tags of the provider body uses in s.
func defaultTags(s Stack, body map[string]any) string {
	alias := strings.TrimPrefix(fmt.Sprint(body["provider"]), "aws.")
	list, _ := path(s, "provider", "aws").([]any)
	for _, p := range list {
		a, ok := path(p, "alias").(string)
		if (ok && a == alias) || (!ok && body["provider"] == nil) {
			return jsonText(path(p, "default_tags"))
		}
	}
	return ""
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// ignoreChanges reports whether lifecycle.ignore_changes of body lists an
// attribute ("all" lists every one): Terraform keeps the state's value.
func ignoreChanges(body map[string]any) func(attr string) bool {
	var list []string
	switch v := path(body, "lifecycle", "ignore_changes").(type) {
	case string:
		list = []string{v}
	case []any:
		for _, e := range v {
			list = append(list, fmt.Sprint(e))
		}
	}
	return func(attr string) bool {
		for _, ig := range list {
			// A path may index a map or list ("tags[\"Name\"]", "rule[0]"):
			// the attribute is what comes before.
			if i := strings.IndexAny(ig, "[\""); i >= 0 {
				ig = ig[:i]
			}
			ig = strings.TrimSuffix(ig, ".")
			if ig == "all" || attr == ig || strings.HasPrefix(attr, ig+".") {
				return true
			}
		}
		return false
	}
}

var (
	// remoteRefRe is a value of another stack (cdktf's cross-stack
	// reference): an output of the producing stack.
	remoteRefRe = regexp.MustCompile(`data\.terraform_remote_state\.cross-stack-reference-input-([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	// attrRefRe is a reference to a resource's (or data source's) attribute.
	attrRefRe = regexp.MustCompile(`(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z_][A-Za-z0-9_]*)`)
)

// exprState is the state of a text's value: the most changed of the values
// it references.
func (p *planner) exprState(stack, text string) (valueState, string) {
	if !strings.Contains(text, "${") {
		return same, ""
	}
	st, cause := same, ""
	for _, m := range remoteRefRe.FindAllStringSubmatch(text, -1) {
		if s, c := p.outputState(m[1], m[2]); s > st {
			st, cause = s, c
		}
	}
	for _, m := range attrRefRe.FindAllStringSubmatch(remoteRefRe.ReplaceAllString(text, ""), -1) {
		if m[2] == "var" || m[2] == "local" || m[2] == "terraform" {
			continue
		}
		addr := m[2] + "." + m[3]
		if m[1] != "" {
			addr = "data." + addr
		}
		if s, c := p.refState(stack, addr, m[4]); s > st {
			st, cause = s, c
		}
	}
	return st, cause
}

// outputState is the state, in a consuming stack's plan, of an output of
// stack producer: the producer is applied first, so a changed value is
// known there.
func (p *planner) outputState(producer, name string) (valueState, string) {
	value := func(o *Output) (string, bool) {
		s, ok := o.Stacks[producer]
		if !ok {
			return "", false
		}
		v := path(s, "output", name, "value")
		return jsonText(v), v != nil
	}
	a, inOld := value(p.before)
	b, inNew := value(p.after)
	if !inOld || !inNew {
		return same, "" // the consumer's text changes with it
	}
	if a != b {
		return known, "output " + name + " of " + producer
	}
	if st, cause := p.exprState(producer, b); st != same {
		return known, cause + " (in " + producer + ")"
	}
	return same, ""
}

// refState is the state of attribute attr of the resource (or data source)
// at addr in stack.
func (p *planner) refState(stack, addr, attr string) (valueState, string) {
	r := p.res[stack][addr]
	if r == nil {
		return same, ""
	}
	if r.data {
		// A data source with changed arguments is read again; one that
		// depends on a pending change is read during apply.
		for _, c := range r.attrs {
			if c.state == unknown {
				return unknown, "`" + addr + "` is read during apply"
			}
		}
		if r.action != "" {
			return known, "`" + addr + "` reads anew"
		}
		return same, ""
	}
	_, configured := r.cur[attr]
	switch r.action {
	case Add:
		return unknown, "`" + addr + "` is created"
	case Replace:
		if !configured {
			return unknown, "`" + addr + "` is replaced"
		}
	case Change:
		if !configured {
			if computedOnUpdate(r, attr) {
				return unknown, "`" + addr + "." + attr + "` is recomputed"
			}
			return same, ""
		}
	default:
		return same, ""
	}
	st := same
	for _, c := range r.attrs {
		if a := attrPath(c.key); (a == attr || strings.HasPrefix(a, attr+".")) && c.state > st {
			st = c.state
		}
	}
	if st == same {
		return same, ""
	}
	return st, "`" + addr + "." + attr + "` changes"
}

// computedOnUpdate reports whether an in-place update of r makes its
// computed attribute attr unknown (the provider's CustomizeDiff).
func computedOnUpdate(r *planned, attr string) bool {
	changedExcept := func(except ...string) bool {
		for _, c := range r.attrs {
			top := strings.SplitN(attrPath(c.key), ".", 2)[0]
			skip := false
			for _, e := range except {
				skip = skip || top == e
			}
			if !skip {
				return true
			}
		}
		return false
	}
	switch r.typ + "." + attr {
	// ec2/ec2_launch_template.go: ComputedIf("latest_version") on any
	// change but name, name_prefix, description, default_version and
	// update_default_version; default_version likewise when
	// update_default_version is set.
	case "aws_launch_template.latest_version":
		return changedExcept("name", "name_prefix", "description", "default_version", "update_default_version")
	case "aws_launch_template.default_version":
		return r.cur["update_default_version"] == true && changedExcept("name", "name_prefix", "description")
	// ssm/parameter.go: ComputedIf("version") when the value or the
	// description changes.
	case "aws_ssm_parameter.version":
		for _, c := range r.attrs {
			if a := attrPath(c.key); a == "value" || a == "insecure_value" || a == "description" {
				return true
			}
		}
	}
	return false
}

// customReplace lists the attributes that replace a resource under the
// conditions of its provider's CustomizeDiff or ModifyPlan, given the
// flattened bodies o and n and the changes found.
func customReplace(typ string, old, cur map[string]any, o, n map[string]string, changes []attrChange) []string {
	var out []string
	count := func(m map[string]string, attr string) int {
		c := 0
		for k := range m {
			if attrPath(k) == attr {
				c++
			}
		}
		return c
	}
	changed := func(attr string) (bool, bool) {
		has, whollyKnown := false, true
		for _, c := range changes {
			if attrPath(c.key) == attr {
				has = true
				if c.state == unknown {
					whollyKnown = false
				}
			}
		}
		return has, whollyKnown
	}
	switch typ {
	case "aws_lb":
		// elbv2/load_balancer.go, customizeDiffLoadBalancerNLB: a network
		// load balancer with a change to subnets whose new value is wholly
		// known is replaced unless subnets are only added; security groups
		// replace it when they go from none to some or from some to none.
		if cur["load_balancer_type"] != "network" {
			return nil
		}
		for _, attr := range []string{"subnets", "subnet_mapping"} {
			if has, whole := changed(attr); has && whole && count(n, attr) <= count(o, attr) {
				out = append(out, attr)
			}
		}
		if has, whole := changed("security_groups"); has && whole {
			if a, b := count(o, "security_groups"), count(n, "security_groups"); (a == 0) != (b == 0) {
				out = append(out, "security_groups")
			}
		}
	case "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
		source := func(body map[string]any) string {
			for _, s := range ruleSources {
				if body[s] != nil {
					return s
				}
			}
			return ""
		}
		if a, b := source(old), source(cur); a != b {
			out = append(out, a, b)
		}
	}
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
