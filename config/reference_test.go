package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func reference(t *testing.T) []byte {
	t.Helper()
	docs, err := FieldDocs(".")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ReferenceFor(docs)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// The committed docs/configuration.md is what make schema writes from the
// code.
func TestReferenceUpToDate(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join("..", ReferencePath))
	if err != nil {
		t.Fatal(err)
	}
	if want := reference(t); !bytes.Equal(want, committed) {
		t.Errorf("%s is out of date with the config's Go types, doc comments or config/reference.md.tmpl: run make schema", ReferencePath)
	}
}

// Every key of the reference is there with its type, and every key with a
// default says it; no key is missing and none is invented.
func TestReferenceListsEveryKey(t *testing.T) {
	ref := string(reference(t))
	var schema map[string]any
	if err := json.Unmarshal(SchemaFile, &schema); err != nil {
		t.Fatal(err)
	}
	want := 0
	walkSchemaKeys(schema, func(child string, p map[string]any) {
		want++
		section := "### `" + child + "`\n"
		if !strings.Contains(ref, section) {
			t.Errorf("no section %q", strings.TrimSpace(section))
			return
		}
		body := ref[strings.Index(ref, section):]
		if end := strings.Index(body[len(section):], "\n#"); end >= 0 {
			body = body[:end+len(section)]
		}
		if d, ok := p["default"]; ok && !strings.Contains(body, fmt.Sprintf("- Default: `%s`", yamlScalar(d))) {
			t.Errorf("%s: default %v not stated", child, d)
		}
		if !strings.Contains(body, "- Type: ") {
			t.Errorf("%s: no type", child)
		}
	})
	if got := strings.Count(ref, "\n### `"); got != want {
		t.Errorf("%d key sections; the schema has %d keys", got, want)
	}
}

// Every key a user sets (not objects, whose keys are listed) has a default,
// an enumeration or an example, and every example fits the schema's own
// bounds: a field added without one, or an example the validator's bounds
// would refuse, fails here.
func TestReferenceExamples(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(SchemaFile, &schema); err != nil {
		t.Fatal(err)
	}
	checked := 0
	walkSchemaKeys(schema, func(child string, n map[string]any) {
		if isObject(n) || arrayOfObjects(n) {
			return
		}
		if _, ok := example(n); !ok {
			t.Errorf("%s has no default, enumeration or example: add one to schemaExtras", child)
		}
		for _, e := range asSlice(n["examples"]) {
			if err := fits(e, n); err != nil {
				t.Errorf("%s: example %v: %v", child, e, err)
			}
			checked++
		}
	})
	if checked < 30 {
		t.Errorf("checked %d examples; expected every field without a default to have one", checked)
	}
	// fits itself refuses what it should.
	for _, c := range []struct {
		v    any
		node map[string]any
	}{
		{"vpc-xyz", map[string]any{"type": "string", "pattern": vpcIDRe.String()}},
		{3, map[string]any{"type": "integer", "minimum": 1.0, "maximum": 2.0}},
		{"nowhere-1", map[string]any{"type": "string", "enum": []any{"us-east-1"}}},
		{[]any{"a", 1.0}, map[string]any{"type": "array", "items": map[string]any{"type": "string"}}},
		{map[string]any{"x": "y"}, map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}}},
		{"toolong", map[string]any{"type": "string", "maxLength": 3.0}},
	} {
		if fits(c.v, c.node) == nil {
			t.Errorf("fits accepted %v for %v", c.v, c.node)
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// fits checks a value against the part of JSON Schema this schema uses.
func fits(v any, node map[string]any) error {
	if one := asSlice(node["oneOf"]); one != nil {
		var errs []string
		for _, o := range one {
			err := fits(v, asMap(o))
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("fits no alternative: %s", strings.Join(errs, "; "))
	}
	if enum := asSlice(node["enum"]); enum != nil {
		found := false
		for _, e := range enum {
			found = found || reflect.DeepEqual(e, normalise(v))
		}
		if !found {
			return fmt.Errorf("not one of %v", enum)
		}
	}
	switch node["type"] {
	case "string":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("not a string")
		}
		if p, ok := node["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(s) {
			return fmt.Errorf("does not match %s", p)
		}
		if n, ok := node["maxLength"].(float64); ok && float64(len(s)) > n {
			return fmt.Errorf("longer than %v", n)
		}
		if node["format"] == "email" && !strings.Contains(s, "@") {
			return fmt.Errorf("not an e-mail address")
		}
	case "integer":
		f, ok := normalise(v).(float64)
		if !ok || f != float64(int(f)) {
			return fmt.Errorf("not an integer")
		}
		if m, ok := node["minimum"].(float64); ok && f < m {
			return fmt.Errorf("below %v", m)
		}
		if m, ok := node["maximum"].(float64); ok && f > m {
			return fmt.Errorf("above %v", m)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("not a boolean")
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("not a list")
		}
		for _, it := range items {
			if err := fits(it, asMap(node["items"])); err != nil {
				return fmt.Errorf("item %v: %w", it, err)
			}
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("not a mapping")
		}
		props := asMap(node["properties"])
		for k, val := range m {
			child := asMap(props[k])
			if child == nil {
				child = asMap(node["additionalProperties"])
			}
			if child == nil {
				return fmt.Errorf("unknown key %s", k)
			}
			if err := fits(val, child); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		for _, r := range asSlice(node["required"]) {
			if _, ok := m[r.(string)]; !ok {
				return fmt.Errorf("missing %s", r)
			}
		}
	}
	return nil
}

func normalise(v any) any {
	if i, ok := v.(int); ok {
		return float64(i)
	}
	return v
}

// The overview block names only keys of the config: decoded strictly into
// the Go types, it has no unknown key, and every value has the key's type.
func TestReferenceOverviewDecodes(t *testing.T) {
	ref := string(reference(t))
	start := strings.Index(ref, "```yaml\n")
	end := strings.Index(ref[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no overview block")
	}
	block := ref[start+8 : start+8+end]
	dec := yaml.NewDecoder(strings.NewReader(block))
	dec.KnownFields(true)
	var c Cluster
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("overview does not decode into Cluster: %v\n%s", err, block)
	}
	if c.ClusterName == "" || len(c.ProxyRegions) != 1 || c.Auth.Instances.Count != DefaultInstanceCount || len(c.ResourceRegions) != 2 || c.Backend.S3 == nil {
		t.Errorf("overview decoded to %+v", c)
	}
}

// walkSchemaKeys calls visit with the dotted path ("auth.instances.type",
// "proxy_regions[].region") and schema node of every key below node, parents
// before their children.
func walkSchemaKeys(node map[string]any, visit func(path string, node map[string]any)) {
	var walk func(node map[string]any, path string)
	walk = func(node map[string]any, path string) {
		node = objectBranch(node)
		switch node["type"] {
		case "array":
			walk(asMap(node["items"]), path+"[]")
		case "object":
			for name, p := range asMap(node["properties"]) {
				child := strings.TrimPrefix(path+"."+name, ".")
				visit(child, asMap(p))
				walk(asMap(p), child)
			}
		}
	}
	walk(node, "")
}

// An enumeration is listed in full unless it is the region table, which the
// reference lists once (flow_logs.retention_days' numbers once rendered as
// "One of the 22 regions").
func TestReferenceEnumerations(t *testing.T) {
	var regions []any
	for _, r := range RegionNames() {
		regions = append(regions, r)
	}
	for _, c := range []struct {
		node map[string]any
		want string
	}{
		{map[string]any{"type": "string", "enum": regions}, fmt.Sprintf("One of the %d [regions](#regions)", len(regions))},
		{map[string]any{"type": "string", "enum": regions[:len(regions)-1]}, "One of `" + RegionNames()[0] + "`, "},
		{map[string]any{"type": "integer", "enum": []any{1.0, 3.0, 5.0, 7.0, 14.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 365.0}}, "One of `1`, `3`, `5`, `7`, `14`, `30`, `60`, `90`, `120`, `150`, `180`, `365`"},
	} {
		got := strings.Join(bounds(c.node), "\n")
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("bounds of %v:\n got %q\nwant prefix %q", c.node["enum"], got, c.want)
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "### `flow_logs.retention_days`")
	section, _, _ = strings.Cut(section, "\n### ")
	if strings.Contains(section, "regions") || !strings.Contains(section, "- One of `1`, `3`, `5`") {
		t.Errorf("docs/configuration.md, flow_logs.retention_days:%s", section)
	}
}
