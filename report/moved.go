package report

import (
	"encoding/json"
	"sort"
	"strings"
)

// move is a moved block of a stack that applies: its source is in the old
// output and its target is not.
type move struct{ from, to string }

// applyMoves returns before as Terraform sees it once after's moved blocks
// have moved its state: each moved resource under its new address, and the
// references to it (within its stack, and through cdktf's cross-stack
// outputs, named after the address) rewritten to match, so that the plan
// compares each resource with itself. It also returns the moves by stack.
func applyMoves(before, after *Output) (*Output, map[string][]move) {
	moves := map[string][]move{}
	for name, cur := range after.Stacks {
		old, ok := before.Stacks[name]
		if !ok {
			continue
		}
		list, _ := cur["moved"].([]any)
		for _, m := range list {
			from, _ := path(m, "from").(string)
			to, _ := path(m, "to").(string)
			if inStack(old, from) && !inStack(old, to) {
				moves[name] = append(moves[name], move{from, to})
			}
		}
		sort.Slice(moves[name], func(i, j int) bool { return moves[name][i].from < moves[name][j].from })
	}
	if len(moves) == 0 {
		return before, nil
	}
	// cdktf names a cross-stack output "cross-stack-output-" + type +
	// name + attribute, and a consumer reads it from
	// "cross-stack-reference-input-<producer>": the same construct path,
	// hence the same address, exists in several stacks.
	output := func(addr string) string { return "cross-stack-output-" + strings.Replace(addr, ".", "", 1) }
	var remote []string
	for producer, list := range moves {
		for _, m := range list {
			in := "cross-stack-reference-input-" + producer + ".outputs."
			remote = append(remote, in+output(m.from), in+output(m.to))
		}
	}
	consumers := strings.NewReplacer(remote...)
	out := &Output{Dependencies: before.Dependencies, Stacks: map[string]Stack{}}
	for name, s := range before.Stacks {
		raw, _ := json.Marshal(s)
		text := consumers.Replace(string(raw))
		if list := moves[name]; len(list) > 0 {
			var own []string
			for _, m := range list {
				own = append(own, output(m.from), output(m.to), m.from, m.to)
			}
			text = strings.NewReplacer(own...).Replace(text)
		}
		var moved Stack
		_ = json.Unmarshal([]byte(text), &moved)
		for _, m := range moves[name] {
			// The replacer renamed references, not the resource's own key.
			typ, from, _ := strings.Cut(m.from, ".")
			_, to, _ := strings.Cut(m.to, ".")
			if byType, ok := path(moved, "resource", typ).(map[string]any); ok {
				byType[to] = byType[from]
				delete(byType, from)
			}
		}
		out.Stacks[name] = moved
	}
	return out, moves
}

// inStack says whether the resource at address "type.name" is in s.
func inStack(s Stack, addr string) bool {
	typ, name, ok := strings.Cut(addr, ".")
	return ok && path(s, "resource", typ, name) != nil
}
