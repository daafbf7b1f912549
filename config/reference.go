package config

import (
	"bytes"
	_ "embed"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// referenceTemplate is the prose of docs/configuration.md around what is
// generated: {{.Overview}}, {{.Fields}} and {{.Regions}}.
//
//go:embed reference.md.tmpl
var referenceTemplate string

// ReferencePath is where make schema writes the configuration reference,
// relative to the repository root; TestReferenceUpToDate compares it.
const ReferencePath = "docs/configuration.md"

// refField is one key of the reference: a row of the index and a section.
type refField struct {
	Path     string // proxy_regions[].instances.count
	Depth    int    // 0 for top-level keys
	Node     map[string]any
	Required bool
}

// ReferenceFor renders the configuration reference (docs/configuration.md)
// from the same tree as the JSON Schema: every key's type, whether it is
// required, its default, its bounds, its description and an example. One
// place states each of these facts (the Go types, their doc comments and
// schemaExtras); the schema and the reference only print them.
func ReferenceFor(docs map[string]string) ([]byte, error) {
	root, err := schemaTree(docs, schemaExtras())
	if err != nil {
		return nil, err
	}
	var fields []refField
	var walk func(t reflect.Type, node map[string]any, path string, depth int)
	walk = func(t reflect.Type, node map[string]any, path string, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice:
			walk(t.Elem(), asMap(node["items"]), path+"[]", depth)
			return
		case reflect.Map:
			walk(t.Elem(), asMap(node["additionalProperties"]), path+".*", depth)
			return
		case reflect.Struct:
		default:
			return
		}
		obj := objectBranch(node)
		props := asMap(obj["properties"])
		required := map[string]bool{}
		if req, ok := obj["required"].([]string); ok {
			for _, r := range req {
				required[r] = true
			}
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			child := name
			if path != "" {
				child = path + "." + name
			}
			n := asMap(props[name])
			fields = append(fields, refField{Path: child, Depth: depth, Node: n, Required: required[name]})
			walk(f.Type, n, child, depth+1)
		}
	}
	walk(reflect.TypeOf(Cluster{}), root, "", 0)

	var index, sections, overview bytes.Buffer
	index.WriteString("| Key | Type | Required | Default |\n| --- | --- | --- | --- |\n")
	for _, f := range fields {
		def := "none"
		if d, ok := f.Node["default"]; ok {
			def = "`" + yamlScalar(d) + "`"
		} else if isObject(f.Node) {
			def = ""
		}
		req := ""
		if f.Required {
			req = "yes"
		}
		fmt.Fprintf(&index, "| [`%s`](#%s) | %s | %s | %s |\n", f.Path, anchor(f.Path), typeName(f.Node), req, def)

		fmt.Fprintf(&sections, "### `%s`\n\n", f.Path)
		if d, _ := f.Node["description"].(string); d != "" {
			sections.WriteString(d + "\n\n")
		}
		fmt.Fprintf(&sections, "- Type: %s\n", typeName(f.Node))
		if f.Required {
			sections.WriteString("- Required\n")
		}
		if d, ok := f.Node["default"]; ok {
			fmt.Fprintf(&sections, "- Default: `%s`\n", yamlScalar(d))
		}
		for _, b := range bounds(f.Node) {
			fmt.Fprintf(&sections, "- %s\n", b)
		}
		if ex, ok := example(f.Node); ok {
			key := f.Path[strings.LastIndex(f.Path, ".")+1:]
			fmt.Fprintf(&sections, "- Example: `%s: %s`\n", key, yamlFlow(ex))
		}
		sections.WriteString("\n")
	}
	writeOverview(&overview, fields)

	regions := RegionNames()
	var regionText bytes.Buffer
	fmt.Fprintf(&regionText, "%d regions (`config/regions.go`):", len(regions))
	for i, r := range regions {
		if i > 0 {
			regionText.WriteString(",")
		}
		fmt.Fprintf(&regionText, " `%s`", r)
	}
	regionText.WriteString(".")

	tmpl, err := template.New("reference").Parse(referenceTemplate)
	if err != nil {
		return nil, fmt.Errorf("reference template: %w", err)
	}
	var out bytes.Buffer
	err = tmpl.Execute(&out, map[string]string{
		"Overview": strings.TrimRight(overview.String(), "\n"),
		"Index":    strings.TrimRight(index.String(), "\n"),
		"Fields":   strings.TrimRight(sections.String(), "\n"),
		"Regions":  regionText.String(),
	})
	if err != nil {
		return nil, fmt.Errorf("reference template: %w", err)
	}
	return out.Bytes(), nil
}

// writeOverview writes every key once as YAML, with its example or default
// and a comment: required, default, or nothing.
func writeOverview(b *bytes.Buffer, fields []refField) {
	var inline []string
	for _, f := range fields {
		if strings.Contains(f.Path, ".*") {
			continue
		}
		skip := false
		for _, p := range inline {
			skip = skip || strings.HasPrefix(f.Path, p+"[]") || strings.HasPrefix(f.Path, p+".")
		}
		if skip {
			continue
		}
		indent := strings.Repeat("  ", f.Depth)
		// A key directly under a list of objects starts the list item.
		parent := f.Path[:max(strings.LastIndex(f.Path, "."), 0)]
		if strings.HasSuffix(parent, "[]") {
			indent = strings.Repeat("  ", f.Depth-1) + "  "
			if first := firstChild(fields, parent); first == f.Path {
				indent = strings.Repeat("  ", f.Depth-1) + "- "
			}
		}
		key := f.Path[strings.LastIndex(f.Path, ".")+1:]
		key = strings.TrimSuffix(key, "[]")
		var comment []string
		if f.Required {
			comment = append(comment, "required")
		}
		line := indent + key + ":"
		if isObject(f.Node) {
			if d, _ := f.Node["description"].(string); d != "" {
				comment = append(comment, firstSentence(d))
			}
		} else if arrayOfObjects(f.Node) && !hasExample(f.Node) {
			// its items follow
		} else if ex, ok := example(f.Node); ok {
			line += " " + yamlFlow(ex)
			inline = append(inline, f.Path)
			if _, hasDefault := f.Node["default"]; hasDefault {
				comment = append(comment, "default")
			}
		}
		if len(comment) > 0 {
			line = fmt.Sprintf("%-44s # %s", line, strings.Join(comment, "; "))
		}
		b.WriteString(line + "\n")
	}
}

func firstChild(fields []refField, parent string) string {
	for _, f := range fields {
		if strings.HasPrefix(f.Path, parent+".") {
			return f.Path
		}
	}
	return ""
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// objectBranch is the object form of a node: a resource region is a region
// name or an object (oneOf).
func objectBranch(node map[string]any) map[string]any {
	if one, ok := node["oneOf"].([]any); ok {
		for _, o := range one {
			if m := asMap(o); m["type"] == "object" {
				return m
			}
		}
	}
	return node
}

func isObject(node map[string]any) bool {
	_, props := node["properties"]
	return node["type"] == "object" && props
}

func arrayOfObjects(node map[string]any) bool {
	if node["type"] != "array" {
		return false
	}
	_, props := objectBranch(asMap(node["items"]))["properties"]
	return props
}

func hasExample(node map[string]any) bool {
	ex, _ := node["examples"].([]any)
	return len(ex) > 0
}

// typeName says a node's type in words: "list of string", "map of region
// to integer", "region name, or object".
func typeName(node map[string]any) string {
	if one, ok := node["oneOf"].([]any); ok {
		var alts []string
		for _, o := range one {
			alts = append(alts, typeName(asMap(o)))
		}
		return "(" + strings.Join(alts, " or ") + ")"
	}
	switch node["type"] {
	case "array":
		return "list of " + typeName(asMap(node["items"]))
	case "object":
		if _, ok := node["properties"]; ok {
			return "object"
		}
		return "map of string to " + typeName(asMap(node["additionalProperties"]))
	case nil:
		return "any"
	}
	return node["type"].(string)
}

// isRegionEnum reports whether an enumeration is the region table
// (RegionNames), which the reference lists once, under Regions; any other
// enumeration (flow_logs.retention_days' 22 numbers) is listed in full.
func isRegionEnum(values reflect.Value) bool {
	regions := RegionNames()
	if values.Len() != len(regions) {
		return false
	}
	for i, r := range regions {
		if s, ok := values.Index(i).Interface().(string); !ok || s != r {
			return false
		}
	}
	return true
}

// bounds says what the schema allows beyond the type, one phrase each.
func bounds(node map[string]any) []string {
	var out []string
	if enum, ok := node["enum"]; ok {
		values := reflect.ValueOf(enum)
		if isRegionEnum(values) {
			out = append(out, fmt.Sprintf("One of the %d [regions](#regions)", values.Len()))
		} else {
			var s []string
			for i := 0; i < values.Len(); i++ {
				s = append(s, "`"+yamlScalar(values.Index(i).Interface())+"`")
			}
			out = append(out, "One of "+strings.Join(s, ", "))
		}
	}
	min, hasMin := node["minimum"]
	max, hasMax := node["maximum"]
	switch {
	case hasMin && hasMax:
		out = append(out, fmt.Sprintf("From %v to %v", min, max))
	case hasMin:
		out = append(out, fmt.Sprintf("At least %v", min))
	case hasMax:
		out = append(out, fmt.Sprintf("At most %v", max))
	}
	if n, ok := node["maxLength"]; ok {
		out = append(out, fmt.Sprintf("At most %v characters", n))
	}
	if p, ok := node["pattern"].(string); ok {
		out = append(out, "Matches `"+p+"`")
	}
	if node["format"] == "email" {
		out = append(out, "An e-mail address")
	}
	switch node["type"] {
	case "array":
		for _, b := range bounds(asMap(node["items"])) {
			out = append(out, "Each item: "+lowerFirst(b))
		}
	case "object":
		if _, ok := node["properties"]; !ok {
			for _, b := range bounds(asMap(node["additionalProperties"])) {
				out = append(out, "Each value: "+lowerFirst(b))
			}
		}
	}
	return out
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// example is the value the reference shows for a node: its example, else
// its default, else the first of its values.
func example(node map[string]any) (any, bool) {
	if ex, ok := node["examples"].([]any); ok && len(ex) > 0 {
		return ex[0], true
	}
	if d, ok := node["default"]; ok {
		return d, true
	}
	if enum, ok := node["enum"]; ok {
		if v := reflect.ValueOf(enum); v.Len() > 0 {
			return v.Index(0).Interface(), true
		}
	}
	return nil, false
}

// anchor is GitHub's heading anchor of "### `path`".
func anchor(path string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(path) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainYAMLRe matches strings YAML reads back as the same string unquoted.
var plainYAMLRe = regexp.MustCompile(`^[A-Za-z0-9/][A-Za-z0-9_./@:+-]*$`)

// versionLikeRe matches digits and dots, which readers (and YAML 1.1 tools
// for two parts) take for a number.
var versionLikeRe = regexp.MustCompile(`^[0-9.]+$`)

// yamlBooleans are the words YAML 1.1 tools read as booleans or null.
var yamlBooleans = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

func yamlScalar(v any) string {
	switch x := v.(type) {
	case string:
		if _, err := strconv.ParseFloat(x, 64); err == nil || versionLikeRe.MatchString(x) {
			return strconv.Quote(x) // write "18.9.0" as the validator wants it: a string
		}
		if plainYAMLRe.MatchString(x) && !yamlBooleans[strings.ToLower(x)] {
			return x
		}
		return strconv.Quote(x)
	default:
		return fmt.Sprint(x)
	}
}

// yamlFlow writes a value in YAML flow style, keys sorted.
func yamlFlow(v any) string {
	switch x := v.(type) {
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, yamlFlow(e))
		}
		return "[" + strings.Join(s, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var s []string
		for _, k := range keys {
			s = append(s, yamlScalar(k)+": "+yamlFlow(x[k]))
		}
		return "{" + strings.Join(s, ", ") + "}"
	}
	return yamlScalar(v)
}
