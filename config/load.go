package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxFileBytes bounds the size of a config file. A cluster description is a
// few kilobytes; anything near this is a mistake (or an attack on the parser).
const MaxFileBytes = 1 << 20

// Load reads, parses, defaults and validates the config file at path.
func Load(path string) (*Cluster, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config file %s: not found; set CLUSTER_CONFIG to an existing file or create %s (see examples/cluster.yaml)", path, path)
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("config file %s: larger than %d bytes; a cluster config is a few KiB, check that this is the right file", path, MaxFileBytes)
	}
	return Parse(data, path)
}

// Parse parses, defaults and validates a config document. source names the
// document in error messages.
func Parse(data []byte, source string) (*Cluster, error) {
	c, err := decode(data)
	if err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			verr.Source = source
			return nil, verr
		}
		return nil, fmt.Errorf("config file %s: %w", source, err)
	}
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			verr.Source = source
		}
		return nil, err
	}
	return c, nil
}

// decode turns YAML into a Cluster. It first walks the YAML tree against the
// Go types so that unknown keys and wrong types are reported with their field
// path (proxy_regions[1].vpc_cidr) rather than a line number alone.
func decode(data []byte) (*Cluster, error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, errors.New("the file is empty; start from examples/cluster.yaml")
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, errors.New("holds more than one YAML document; keep one cluster per file")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the top level must be a mapping of keys (cluster_name: ..., domain: ...), not a %s", root.Line, kindName(root))
	}
	var problems []FieldError
	checkNode(root, reflect.TypeOf(Cluster{}), "", &problems)
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	var c Cluster
	if err := root.Decode(&c); err != nil {
		return nil, fmt.Errorf("cannot decode: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &c, nil
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkNode reports keys that t does not know and values of the wrong kind.
func checkNode(n *yaml.Node, t reflect.Type, path string, problems *[]FieldError) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isNull(n) {
		return // an empty value means "use the default"; Validate catches required ones
	}
	where := path
	if where == "" {
		where = "(top level)"
	}
	bad := func(want string) {
		*problems = append(*problems, FieldError{Path: where,
			Msg: fmt.Sprintf("line %d: expected %s, found %s", n.Line, want, describe(n))})
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) && t == reflect.TypeOf(ResourceRegion{}) {
		if n.Kind == yaml.ScalarNode {
			if n.Tag != "!!str" {
				bad("a region name or {region: ..., proxy_region: ...}")
			}
			return
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("a mapping")
			return
		}
		fields := yamlFields(t)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			child := joinPath(path, key.Value)
			if seen[key.Value] {
				*problems = append(*problems, FieldError{Path: child, Msg: fmt.Sprintf("line %d: set twice; keep one", key.Line)})
				continue
			}
			seen[key.Value] = true
			f, ok := fields[key.Value]
			if !ok {
				*problems = append(*problems, FieldError{Path: child, Msg: unknownKeyMsg(key, fields)})
				continue
			}
			checkNode(val, f, child, problems)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("a list")
			return
		}
		for i, item := range n.Content {
			checkNode(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("a mapping")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Kind != yaml.ScalarNode {
				*problems = append(*problems, FieldError{Path: where, Msg: fmt.Sprintf("line %d: keys must be plain strings", key.Line)})
				continue
			}
			checkNode(val, t.Elem(), joinPath(path, key.Value), problems)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad("a string")
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			bad("a whole number")
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			bad("true or false")
		}
	}
}

// yamlFields maps each YAML key of struct type t to its field type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		out[name] = f.Type
	}
	return out
}

func unknownKeyMsg(key *yaml.Node, fields map[string]reflect.Type) string {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	best, bestDist := "", 1<<30
	for _, k := range known {
		if d := editDistance(key.Value, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist <= 2 || (bestDist <= 3 && len(key.Value) > 8) {
		return fmt.Sprintf("line %d: unknown key; did you mean %q?", key.Line, best)
	}
	return fmt.Sprintf("line %d: unknown key; known keys here: %s", key.Line, strings.Join(known, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// joinPath appends key to a field path, quoting keys that are not plain
// identifiers so that a message never carries a stray newline or colon.
func joinPath(path, key string) string {
	if !plainKey.MatchString(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	default:
		return "single value"
	}
}

func describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return "a " + kindName(n)
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return fmt.Sprintf("%q", v)
}

// UnmarshalYAML accepts a plain region code or a {region, proxy_region} map.
func (r *ResourceRegion) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Region = n.Value
		return nil
	}
	type plain ResourceRegion
	return n.Decode((*plain)(r))
}
