package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/internal/words"
)

// interpolation is a Terraform interpolation inside a string.
var interpolation = regexp.MustCompile(`\$\{[^}]*\}`)

// dashboardSection renders where each CloudWatch dashboard of the output is and
// its layout: the headings of its text widgets and the titles of its
// graphs, in order.
func dashboardSection(b *strings.Builder, o *Output) {
	first := true
	for _, name := range o.Names() {
		s := o.Stacks[name]
		all := s.Resources("aws_cloudwatch_dashboard")
		ids := make([]string, 0, len(all))
		for id := range all {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			d := all[id]
			if first {
				b.WriteString("## Dashboard\n\n")
				first = false
			}
			region := providerRegion(s, d["provider"])
			dashName := fmt.Sprint(d["dashboard_name"])
			fmt.Fprintf(b, "`%s` in %s (stack %s): https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards/dashboard/%s\n\n",
				dashName, region, name, region, region, dashName)
			var body struct {
				Widgets []struct {
					Type       string `json:"type"`
					Properties struct {
						Markdown string `json:"markdown"`
						Title    string `json:"title"`
						Region   string `json:"region"`
					} `json:"properties"`
				} `json:"widgets"`
			}
			if err := json.Unmarshal([]byte(interpolation.ReplaceAllString(fmt.Sprint(d["dashboard_body"]), "x")), &body); err != nil {
				fmt.Fprintf(b, "Its body is not JSON: %v\n\n", err)
				continue
			}
			var lines []string
			for _, w := range body.Widgets {
				switch {
				case w.Type == "text" && strings.HasPrefix(w.Properties.Markdown, "## "):
					lines = append(lines, "- **"+strings.TrimPrefix(w.Properties.Markdown, "## ")+"**:")
				case w.Type == "metric" && len(lines) > 0:
					sep := ";"
					if strings.HasSuffix(lines[len(lines)-1], ":") {
						sep = ""
					}
					lines[len(lines)-1] += fmt.Sprintf("%s %s (%s)", sep, w.Properties.Title, w.Properties.Region)
				}
			}
			b.WriteString(strings.Join(lines, "\n") + "\n\n")
		}
	}
}

// providerRegion is the region of the stack's AWS provider ref ("aws.auth",
// or the default when empty).
func providerRegion(s Stack, ref any) string {
	alias := ""
	if r, ok := ref.(string); ok {
		alias = strings.TrimPrefix(r, "aws.")
	}
	providers, _ := s["provider"].(map[string]any)
	list, _ := providers["aws"].([]any)
	for _, p := range list {
		m, _ := p.(map[string]any)
		if a, _ := m["alias"].(string); a == alias {
			return fmt.Sprint(m["region"])
		}
	}
	return "?"
}

// dashboardWidget is one widget of a dashboard body, for the diff: the
// section it sits in (its "## " heading), its label (a graph's title and
// region, a text widget's first line), its content without its place on the
// grid, and its place.
type dashboardWidget struct {
	section, label, content, place string
	graph                          bool
}

// dashboardWidgets reads a dashboard body's widgets, in order.
func dashboardWidgets(body string) ([]dashboardWidget, bool) {
	var doc struct {
		Widgets []map[string]any `json:"widgets"`
	}
	if json.Unmarshal([]byte(body), &doc) != nil {
		// A reference could hold characters JSON refuses; compare the rest.
		if json.Unmarshal([]byte(interpolation.ReplaceAllString(body, "x")), &doc) != nil {
			return nil, false
		}
	}
	var out []dashboardWidget
	section := ""
	for _, w := range doc.Widgets {
		props, _ := w["properties"].(map[string]any)
		place := map[string]any{}
		content := map[string]any{}
		for k, v := range w {
			switch k {
			case "x", "y", "width", "height":
				place[k] = v
			default:
				content[k] = v
			}
		}
		d := dashboardWidget{section: section, content: jsonText(content), place: jsonText(place)}
		switch w["type"] {
		case "text":
			md, _ := props["markdown"].(string)
			first, _, _ := strings.Cut(md, "\n")
			if h, ok := strings.CutPrefix(first, "## "); ok {
				section, d.section = h, h
			}
			d.label = strings.TrimLeft(first, "# ")
		default:
			title, _ := props["title"].(string)
			region, _ := props["region"].(string)
			d.label, d.graph = fmt.Sprintf("%s (%s)", title, region), true
		}
		out = append(out, d)
	}
	return out, true
}

// dashboardBodyChange says what changes between two dashboard bodies, by
// section and graph title: a body is a JSON document of several KiB, whose
// first characters (all a before → after cell shows) are the same in both.
func dashboardBodyChange(before, after string) string {
	old, ok1 := dashboardWidgets(before)
	cur, ok2 := dashboardWidgets(after)
	if !ok1 || !ok2 {
		return fmt.Sprintf("the body changes (%d → %d characters; not JSON, so not compared by widget)", len(before), len(after))
	}
	key := func(w dashboardWidget) string { return w.section + "\x00" + w.label }
	index := func(ws []dashboardWidget) map[string]dashboardWidget {
		m := map[string]dashboardWidget{}
		for _, w := range ws {
			m[key(w)] = w
		}
		return m
	}
	was, is := index(old), index(cur)
	sections := func(ws []dashboardWidget, other map[string]dashboardWidget) (whole map[string]int, order []string) {
		// A section absent from the other body entirely counts as one.
		whole = map[string]int{}
		present := map[string]bool{}
		for _, w := range other {
			present[w.section] = true
		}
		for _, w := range ws {
			if w.section == "" || present[w.section] {
				continue
			}
			if _, seen := whole[w.section]; !seen {
				order = append(order, w.section)
				whole[w.section] = 0
			}
			if w.graph {
				whole[w.section]++
			}
		}
		return whole, order
	}
	addedSections, addedOrder := sections(cur, was)
	removedSections, removedOrder := sections(old, is)
	var parts []string
	for _, s := range addedOrder {
		parts = append(parts, fmt.Sprintf("section **%s** added (%s)", s, words.Plural(addedSections[s], "graph")))
	}
	for _, s := range removedOrder {
		parts = append(parts, fmt.Sprintf("section **%s** removed (%s)", s, words.Plural(removedSections[s], "graph")))
	}
	var added, removed, changed []string
	moved := false
	for _, w := range cur {
		if _, whole := addedSections[w.section]; whole && w.section != "" {
			continue
		}
		switch o, ok := was[key(w)]; {
		case !ok:
			added = append(added, w.label)
		case o.content != w.content:
			changed = append(changed, w.label)
		case o.place != w.place:
			moved = true
		}
	}
	for _, w := range old {
		if _, whole := removedSections[w.section]; whole && w.section != "" {
			continue
		}
		if _, ok := is[key(w)]; !ok {
			removed = append(removed, w.label)
		}
	}
	for _, l := range []struct {
		verb   string
		labels []string
	}{{"added", added}, {"removed", removed}, {"changed", changed}} {
		if len(l.labels) > 0 {
			parts = append(parts, fmt.Sprintf("%s %s: %s", words.Plural(len(l.labels), "widget"), l.verb, strings.Join(l.labels, "; ")))
		}
	}
	if moved {
		parts = append(parts, "widgets move on the grid")
	}
	if len(parts) == 0 {
		return "the body changes in its text only (same widgets, same places)"
	}
	return strings.Join(parts, "; ")
}
