package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Output is a synthesized output directory: the manifest's stacks and
// their dependencies, and every stack's Terraform JSON.
type Output struct {
	// Dependencies lists, per stack, the stacks it depends on.
	Dependencies map[string][]string
	// Stacks holds each stack's parsed cdk.tf.json.
	Stacks map[string]Stack
}

// Stack is one stack's Terraform JSON.
type Stack map[string]any

// ReadOutput reads dir (a cdktf.out).
func ReadOutput(dir string) (*Output, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("%s is not a synthesized output directory: %w", dir, err)
	}
	var m struct {
		Stacks map[string]struct {
			Dependencies []string `json:"dependencies"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	out := &Output{Dependencies: map[string][]string{}, Stacks: map[string]Stack{}}
	for name, st := range m.Stacks {
		out.Dependencies[name] = st.Dependencies
		raw, err := os.ReadFile(filepath.Join(dir, "stacks", name, "cdk.tf.json"))
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w (review and diff read the JSON rendering, not SYNTH_HCL_OUTPUT)", name, err)
		}
		var s Stack
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("stack %s: %w", name, err)
		}
		out.Stacks[name] = s
	}
	return out, nil
}

// Names returns the stack names, sorted.
func (o *Output) Names() []string {
	names := make([]string, 0, len(o.Stacks))
	for n := range o.Stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DeployOrder returns the stacks in an order that respects their
// dependencies, ties broken by name.
func (o *Output) DeployOrder() []string {
	done := map[string]bool{}
	var order []string
	for len(order) < len(o.Stacks) {
		progressed := false
		for _, n := range o.Names() {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range o.Dependencies[n] {
				if !done[d] {
					ready = false
				}
			}
			if ready {
				done[n], order, progressed = true, append(order, n), true
			}
		}
		if !progressed { // a cycle: cdktf would have refused it
			for _, n := range o.Names() {
				if !done[n] {
					order = append(order, n)
					done[n] = true
				}
			}
		}
	}
	return order
}

// Resources returns the stack's resources of type typ by id.
func (s Stack) Resources(typ string) map[string]map[string]any { return s.section("resource", typ) }

// Data returns the stack's data sources of type typ by id.
func (s Stack) Data(typ string) map[string]map[string]any { return s.section("data", typ) }

func (s Stack) section(kind, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	block, _ := s[kind].(map[string]any)
	byType, _ := block[typ].(map[string]any)
	for id, v := range byType {
		out[id], _ = v.(map[string]any)
	}
	return out
}

// Region is the region of the stack's default provider.
func (s Stack) Region() string {
	providers, _ := path(s, "provider", "aws").([]any)
	for _, p := range providers {
		if path(p, "alias") == nil {
			r, _ := path(p, "region").(string)
			return r
		}
	}
	return ""
}

// Statements resolves a policy reference ("${data.aws_iam_policy_document.X.json}")
// to that document's statements.
func (s Stack) Statements(ref any) []any {
	id := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(ref), "${data.aws_iam_policy_document."), ".json}")
	doc := s.Data("aws_iam_policy_document")[id]
	statements, _ := doc["statement"].([]any)
	return statements
}

// UserData decodes the user data of a launch template (gzip-compressed
// since the boot scripts became files, plain before).
func UserData(lt map[string]any) string {
	script, err := teleportconfig.DecodeUserData(fmt.Sprint(lt["user_data"]))
	if err != nil {
		return ""
	}
	return script
}

// path walks maps and lists: string keys index maps, ints index lists.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if s, isStack := v.(Stack); isStack {
				m, ok = s, true
			}
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

var crossStackRe = regexp.MustCompile(`cross-stack-reference-input-([A-Za-z0-9-]+)`)

// referencedStack returns the stack a cross-stack reference reads, or "".
func referencedStack(v any) string {
	if m := crossStackRe.FindStringSubmatch(fmt.Sprint(v)); m != nil {
		return m[1]
	}
	return ""
}

// short renders a value with Terraform references readably: a reference
// that only Terraform can resolve becomes a placeholder, so that an ARN
// reads arn:aws:iam::<account-id>:role/x rather than a half-resolved
// token; the account id and zone ids get their usual names; other
// references keep their resource address without cdktf's hash suffix
// ("<aws_lb.proxy_load-balancer_nlb.dns_name>"); cross-stack reads name
// their stack.
func short(v any) string {
	s := fmt.Sprint(v)
	if st := referencedStack(s); st != "" && strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") && strings.Count(s, "${") == 1 {
		return "(from " + st + ")"
	}
	return refRe.ReplaceAllStringFunc(s, func(ref string) string {
		expr := strings.TrimSuffix(strings.TrimPrefix(ref, "${"), "}")
		if st := referencedStack(expr); st != "" {
			return "<from " + st + ">"
		}
		switch {
		case strings.HasSuffix(expr, ".account_id"):
			return "<account-id>"
		case strings.HasSuffix(expr, ".zone_id"):
			return "<zone-id>"
		case strings.HasSuffix(expr, ".partition"):
			return "<partition>"
		}
		return "<" + hashSuffixRe.ReplaceAllString(expr, "$1") + ">"
	})
}

// refRe matches a Terraform interpolation without nested braces.
var refRe = regexp.MustCompile(`\$\{[^{}]*\}`)

var hashSuffixRe = regexp.MustCompile(`_[0-9A-F]{8}(\.|$)`)
