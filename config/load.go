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
// document in error messages. Every problem is reported at once, each with
// the line and column of the value it is about (or of the mapping missing a
// required key): unknown keys, duplicate keys and wrong types are set aside
// so that the rest of the file is still validated.
func Parse(data []byte, source string) (*Cluster, error) {
	c, structural, pos, err := decode(data)
	if serr, ok := err.(*SyntaxError); ok {
		serr.Source = source
		return nil, serr
	}
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", source, err)
	}
	c.applyDefaults()
	problems := structural
	keyHints := foldKeyLists(problems)
	var hints []string
	setAsidePaths := map[string]bool{}
	for _, s := range structural {
		setAsidePaths[s.Path] = true
	}
	setAside := func(path string) bool { return under(path, setAsidePaths) }
	given := func(path string) bool { _, ok := pos[path]; return ok }
	if verr, ok := c.validate(setAside, given).(*ValidationError); ok {
		for _, p := range verr.Problems {
			if !setAside(p.Path) {
				p.Line, p.Column = pos.of(p.Path)
				problems = append(problems, p)
			}
		}
		hints = verr.Hints
	}
	hints = append(keyHints, hints...)
	if len(problems) == 0 {
		c.source, c.pos = source, pos
		return c, nil
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return nil, &ValidationError{Source: source, Problems: problems, Hints: hints}
}

// Refuse locates problems found outside the config, such as a change the
// output a synth replaces cannot take, in the config's file, as validation
// does: one line per problem at file:line:col of the field (or of the
// nearest mapping that holds it when the field is left out).
func (c *Cluster) Refuse(problems []FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	for i := range problems {
		if c.pos != nil {
			problems[i].Line, problems[i].Column = c.pos.of(problems[i].Path)
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &ValidationError{Source: c.source, Problems: problems}
}

// under reports whether path is, or is inside, a path with a structural
// problem (its value was set aside, so "is required" there is noise).
func under(path string, structural map[string]bool) bool {
	for {
		if structural[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

// positions maps field paths to the line and column of their values.
type positions map[string][2]int

// of returns the position of path, or of its nearest ancestor in the file
// (a missing key is reported at the mapping that lacks it).
func (p positions) of(path string) (int, int) {
	for {
		if lc, ok := p[path]; ok {
			return lc[0], lc[1]
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			lc := p[""]
			return lc[0], lc[1]
		}
		path = path[:i]
	}
}

// minimalConfig is shown for an empty file.
const minimalConfig = `cluster_name: example
domain: teleport.example.com
hosted_zone: example.com
teleport_version: "18.9.0"
license_ssm_parameter: /teleport/example/license
acme_email: admin@example.com
auth: {region: us-west-2, vpc_cidr: 10.0.0.0/16}
proxy_regions:
  - {region: us-west-1, vpc_cidr: 10.1.0.0/16}`

// decode turns YAML into a Cluster. It first walks the YAML tree against the
// Go types, reporting unknown keys, duplicate keys, wrong types and explicit
// zeros with their field path and position, and sets those values aside so
// that the rest decodes and validates.
func decode(data []byte) (*Cluster, []FieldError, positions, error) {
	empty := fmt.Errorf("the file is empty (or only comments); a minimal config is:\n\n%s\n\n(see examples/cluster.yaml and docs/configuration.md for every key)", minimalConfig)
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, nil, nil, empty
	}
	if err := checkValueCount(data); err != nil {
		return nil, nil, nil, err
	}
	if err := checkCharacters(data); err != nil {
		return nil, nil, nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, nil, nil, empty
	} else if err != nil {
		return nil, nil, nil, locateSyntaxError(data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, nil, nil, errors.New("holds more than one YAML document; keep one cluster per file")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.DocumentNode || isNull(root) {
		return nil, nil, nil, empty
	}
	if root.Kind != yaml.MappingNode {
		return nil, nil, nil, &SyntaxError{Line: root.Line, Column: root.Column, Msg: fmt.Sprintf("the top level must be a mapping of keys (cluster_name: ..., domain: ...), not a %s", kindName(root))}
	}
	if err := checkAliases(root, len(data)); err != nil {
		return nil, nil, nil, err
	}
	// checkNode sets aside what does not fit the type it expects: an
	// anchored mapping aliased under another key (auth: &a ..., backup: *a)
	// must be checked, and trimmed, as two values, or the keys backup does
	// not know would vanish from auth too. checkAliases bounds the copies.
	expandAliases(root)
	var problems []FieldError
	pos := positions{"": {root.Line, root.Column}}
	checkNode(root, reflect.TypeOf(Cluster{}), "", &problems, pos)
	var c Cluster
	if err := root.Decode(&c); err != nil {
		return nil, nil, nil, fmt.Errorf("cannot decode: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &c, problems, pos, nil
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// yaml11Bools are the plain scalars YAML 1.1 reads as booleans; YAML 1.2
// (and this loader) reads them as strings, so a name such as "yes" or "on"
// is ambiguous unless quoted.
var yaml11Bools = map[string]bool{"y": true, "yes": true, "n": true, "no": true, "on": true, "off": true}

// setAside replaces a value of the wrong type with null, so that decoding
// the rest of the file goes on (the value's problem is already reported).
func setAside(n *yaml.Node) {
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}

// checkNode reports keys that t does not know, keys set twice, values of
// the wrong kind and explicit zeros, records the position of every value in
// pos, and sets the offending entries aside.
func checkNode(n *yaml.Node, t reflect.Type, path string, problems *[]FieldError, pos positions) {
	givenVPC := t == reflect.TypeOf(&ExistingVPC{})
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if path != "" {
		pos[path] = [2]int{n.Line, n.Column}
	}
	if givenVPC && isNull(n) {
		// existing_vpc: with its body commented out would silently mean
		// "no existing VPC" (a new one is created), the opposite of what
		// the key says.
		*problems = append(*problems, FieldError{Path: path, Msg: "is empty (null), which would create a new VPC as if the key were absent; give the existing VPC's vpc_id and subnets under it, or remove existing_vpc to create a VPC", Line: n.Line, Column: n.Column})
		return
	}
	where := path
	if where == "" {
		where = "(top level)"
	}
	add := func(at *yaml.Node, path, msg string) {
		*problems = append(*problems, FieldError{Path: path, Msg: msg, Line: at.Line, Column: at.Column})
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		// !Ref, !Sub, !GetAtt...: CloudFormation's, which YAML would
		// otherwise decode as the plain value, silently.
		add(n, where, fmt.Sprintf("has the YAML tag %s, which this config does not use (it is not CloudFormation); write the value itself", shorten(n.Tag)))
		setAside(n)
		return
	}
	if isNull(n) {
		return // an empty value means "use the default"; Validate catches required ones
	}
	bad := func(want string) {
		msg := fmt.Sprintf("expected %s, found %s", want, describe(n))
		if n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			var probe yaml.Node
			if yaml.Unmarshal([]byte(n.Value), &probe) == nil && len(probe.Content) == 1 && probe.Content[0].Tag != "!!str" {
				msg += "; it is quoted, so YAML reads a string: remove the quotes"
			}
		}
		add(n, where, msg)
		setAside(n)
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
		var kept []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			child := joinPath(path, key.Value)
			if key.Tag == "!!merge" {
				add(key, where, "uses a YAML merge key (<<), which this config does not support: write the keys out (anchors and aliases of whole values work)")
				continue
			}
			if seen[key.Value] {
				add(key, child, "set twice; keep one (the first is used meanwhile)")
				continue
			}
			seen[key.Value] = true
			f, ok := fields[key.Value]
			if !ok {
				add(key, child, unknownKeyMsg(key, fields))
				continue
			}
			kept = append(kept, key, val)
			checkNode(val, f, child, problems, pos)
		}
		n.Content = kept
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("a list")
			return
		}
		if msg := tooMany(path, len(n.Content)); msg != "" {
			add(n, where, msg)
			setAside(n)
			return
		}
		for i, item := range n.Content {
			child := fmt.Sprintf("%s[%d]", path, i)
			if isNull(item) {
				// A bare "-" (an entry whose body was commented out) would
				// otherwise be an entry with every field empty. It stays in
				// the list so that the indexes of the others are the
				// file's; its "is required" problems are set aside.
				pos[child] = [2]int{item.Line, item.Column}
				add(item, child, "is an empty list item (a bare - or null); remove the line, or comment out the whole entry including its -")
				// The YAML library drops a null item from a list of
				// structs: give it an empty value of the item's kind.
				empty := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: item.Line, Column: item.Column}
				if e := t.Elem(); e.Kind() == reflect.Struct || (e.Kind() == reflect.Pointer && e.Elem().Kind() == reflect.Struct) {
					empty.Kind, empty.Tag = yaml.MappingNode, "!!map"
				}
				*item = empty
				continue
			}
			checkNode(item, t.Elem(), child, problems, pos)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("a mapping")
			return
		}
		seen := map[string]bool{}
		var kept []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Kind != yaml.ScalarNode {
				add(key, where, "keys must be plain strings")
				continue
			}
			child := joinPath(path, key.Value)
			if key.Tag == "!!merge" {
				add(key, where, "uses a YAML merge key (<<), which this config does not support: write the keys out (anchors and aliases of whole values work)")
				continue
			}
			if seen[key.Value] {
				add(key, child, "set twice; keep one (the first is used meanwhile)")
				continue
			}
			seen[key.Value] = true
			kept = append(kept, key, val)
			checkNode(val, t.Elem(), child, problems, pos)
		}
		n.Content = kept
	case reflect.String:
		switch {
		case n.Kind != yaml.ScalarNode:
			bad("a string")
		case n.Tag != "!!str" && (n.Tag == "!!float" || n.Tag == "!!int") && path[strings.LastIndex(path, ".")+1:] == "teleport_version":
			// teleport_version: 18.9 is a float; quoted as it is, "18.9"
			// is no exact release either: suggest one that is.
			add(n, where, fmt.Sprintf("is the YAML %s %s, not a string; write the exact release MAJOR.MINOR.PATCH, quoted: %q", strings.TrimPrefix(n.Tag, "!!"), shorten(n.Value), versionFromNumber(n.Value)))
			setAside(n)
		case n.Tag != "!!str":
			// cluster_name: yes, tags: {cost-center: 0123}: YAML reads a
			// boolean or a number, whose text another tool (or YAML 1.1)
			// reads differently.
			add(n, where, fmt.Sprintf("is the YAML %s %s, not a string; quote it (%q) if that is the value you mean", strings.TrimPrefix(n.Tag, "!!"), shorten(n.Value), shorten(n.Value)))
			setAside(n)
		case n.Tag == "!!str" && sexagesimalRe.MatchString(n.Value) && numberSpelling(n) != "":
			// tags: {window: 1:30}: a string here, 90 to YAML 1.1 tools.
			add(n, where, fmt.Sprintf("is %s, which YAML 1.1 tools read as a base-60 number; quote it (%q) if it is the value you mean", n.Value, n.Value))
			setAside(n)
		case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && yaml11Bools[strings.ToLower(n.Value)]:
			add(n, where, fmt.Sprintf("is %s, which YAML 1.1 tools (and many editors) read as a boolean; quote it (%q) if it is the value you mean", n.Value, n.Value))
			setAside(n)
		}
	case reflect.Int:
		if msg := numberSpelling(n); msg != "" {
			add(n, where, msg)
			setAside(n)
		} else if n.Kind == yaml.ScalarNode && n.Style == 0 && digitsRe.MatchString(n.Value) && n.Tag != "!!int" {
			// Whole, but past int64: YAML reads it as a float.
			add(n, where, outOfRange(path, n.Value))
			setAside(n)
		} else if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			bad("a whole number")
		} else if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil && v == 0 {
			// 0 would silently mean "the default": say so instead.
			add(n, where, "is 0, which is never valid here; leave the key out to use the default, or set the number you want")
			setAside(n)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			bad("true or false")
		}
	}
}

// expandAliases replaces every alias under n by a copy of its anchored
// node, copied before anything is set aside: each use of an anchor is then
// checked and decoded on its own (anchors stay as they are).
func expandAliases(n *yaml.Node) {
	for i, c := range n.Content {
		if c.Kind == yaml.AliasNode && c.Alias != nil {
			n.Content[i] = cloneNode(c.Alias)
			// The copy sits where the alias was written.
			n.Content[i].Line, n.Content[i].Column = c.Line, c.Column
		}
		expandAliases(n.Content[i])
	}
}

// cloneNode copies n and everything under it; aliases inside stay aliases
// (expandAliases replaces them as it reaches them).
func cloneNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Anchor = ""
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = cloneNode(k)
		}
	}
	return &c
}

var digitsRe = regexp.MustCompile(`^[-+]?[0-9]+$`)

// outOfRange says that the whole number at path is too large (or small)
// to read, with the field's range from the schema when it has one.
func outOfRange(path, value string) string {
	what := "too large"
	if strings.HasPrefix(value, "-") {
		what = "too small"
	}
	extras := schemaExtras()
	schemaPath := regexp.MustCompile(`\[[0-9]+\]`).ReplaceAllString(path, "[]")
	bounds, ok := extras[schemaPath]
	if !ok {
		if i := strings.LastIndexByte(schemaPath, '.'); i >= 0 {
			bounds, ok = extras[schemaPath[:i]+".*"]
		}
	}
	lo, hasLo := bounds["minimum"]
	hi, hasHi := bounds["maximum"]
	switch {
	case ok && hasLo && hasHi:
		return fmt.Sprintf("is %s a number; use %v to %v", what, lo, hi)
	case ok && hasLo:
		return fmt.Sprintf("is %s a number; use %v or more, as a plain whole number", what, lo)
	}
	return fmt.Sprintf("is %s a number for this field", what)
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
	if best := Suggest(key.Value, known); best != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", best)
	}
	return knownKeysMsg + strings.Join(known, ", ")
}

// knownKeysMsg starts the message of an unknown key without a suggestion.
const knownKeysMsg = "unknown key; known keys here: "

// foldKeyLists prints each list of known keys once: every unknown key
// without a suggestion points to the list of its mapping's keys, given once
// after all problems (a list per kind of mapping: the entries of one list
// share theirs).
func foldKeyLists(problems []FieldError) []string {
	var hints []string
	seen := map[string]bool{}
	for i, p := range problems {
		list, ok := strings.CutPrefix(p.Msg, knownKeysMsg)
		if !ok {
			continue
		}
		where := "at the top level"
		if j := strings.LastIndexAny(p.Path, ".["); j >= 0 && !strings.HasSuffix(p.Path, "]") {
			where = "in " + regexp.MustCompile(`\[[0-9]+\]`).ReplaceAllString(p.Path[:j], "[]")
			if list, ok := strings.CutSuffix(where, "[]"); ok {
				where = "in each " + strings.TrimPrefix(list, "in ") + " entry"
			}
		}
		problems[i].Msg = "unknown key; the keys allowed " + where + " are listed below"
		if !seen[where] {
			seen[where] = true
			hints = append(hints, "Keys allowed "+where+": "+list)
		}
	}
	return hints
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
	if len(key) > 40 {
		key = key[:40] + "..."
	}
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
