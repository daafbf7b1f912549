package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
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
