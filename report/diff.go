package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// NoChanges is the whole diff of two identical outputs.
const NoChanges = "No changes: the two synthesized outputs deploy the same resources."

// Diff compares two synthesized output directories and renders, as
// Markdown, what the change does per stack: stacks added and removed, and
// resources and data sources added, removed and changed, with the changed
// attributes; boot scripts (user data) are decoded and diffed as text. It
// needs no credentials and no state, so CI can post it on a pull request.
func Diff(oldDir, newDir string) (string, error) {
	before, err := ReadOutput(oldDir)
	if err != nil {
		return "", err
	}
	after, err := ReadOutput(newDir)
	if err != nil {
		return "", err
	}
	return DiffOutputs(before, after), nil
}

// DiffOutputs is Diff on outputs already read.
func DiffOutputs(before, after *Output) string {
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
	changed := false
	for _, name := range sorted {
		old, inOld := before.Stacks[name]
		cur, inNew := after.Stacks[name]
		switch {
		case !inOld:
			changed = true
			fmt.Fprintf(&b, "### Stack %s: added (%d resources)\n\n", name, len(blocks(cur, "resource")))
		case !inNew:
			changed = true
			fmt.Fprintf(&b, "### Stack %s: removed (%d resources; `cdktf deploy` no longer manages them: destroy the stack first, or retire the region)\n\n", name, len(blocks(old, "resource")))
		default:
			if section := diffStack(old, cur); section != "" {
				changed = true
				fmt.Fprintf(&b, "### Stack %s\n\n%s", name, section)
			}
		}
	}
	if !changed {
		return NoChanges + "\n"
	}
	return "## Synth diff\n\n" + b.String()
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

func diffStack(old, cur Stack) string {
	var b strings.Builder
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
			switch {
			case !inOld:
				fmt.Fprintf(&b, "- **added** `%s%s`\n", kind.label, a)
			case !inNew:
				fmt.Fprintf(&b, "- **removed** `%s%s`\n", kind.label, a)
			default:
				if changes := diffBody(ob, nb); len(changes) > 0 {
					fmt.Fprintf(&b, "- **changed** `%s%s`\n", kind.label, a)
					for _, c := range changes {
						b.WriteString(c)
					}
				}
			}
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// diffBody lists the changed attributes of one resource; user data is
// decoded and diffed line by line.
func diffBody(old, cur map[string]any) []string {
	o, n := map[string]string{}, map[string]string{}
	flatten("", old, o)
	flatten("", cur, n)
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
	for _, k := range sorted {
		if o[k] == n[k] {
			continue
		}
		if k == "user_data" {
			out = append(out, "  - `user_data` (boot script, decoded):\n\n```diff\n"+lineDiff(UserData(old), UserData(cur))+"```\n")
			continue
		}
		out = append(out, fmt.Sprintf("  - `%s`: %s → %s\n", k, cell(o[k]), cell(n[k])))
	}
	return out
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

// flatten maps every leaf of v to its JSON rendering, by path.
func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	default:
		raw, _ := json.Marshal(x)
		out[prefix] = string(raw)
	}
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
