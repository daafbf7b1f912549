package config

import (
	"errors"
	"strings"
	"testing"
)

// YAML syntax errors are reported at the line and column of the offending
// character, not at the start of the enclosing block (where the YAML
// library puts them).
func TestSyntaxErrorPositions(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"tab indents a key", "cluster_name: x\nauth:\n\tregion: us-west-2\n", "c.yaml:3:1: not valid YAML: tabs cannot indent YAML"},
		{"tab after spaces", "auth:\n  region: us-west-2\n  \tvpc_cidr: 10.0.0.0/16\n", "c.yaml:3:3: not valid YAML: tabs cannot indent YAML"},
		{"tab deep in a list", "proxy_regions:\n  - region: us-west-1\n    vpc_cidr: 10.1.0.0/16\n  - region: eu-central-1\n\t  vpc_cidr: 10.2.0.0/16\n", "c.yaml:5:1: not valid YAML: tabs cannot indent YAML"},
		{"dedent to no block", "cluster_name: x\nauth:\n  region: us-west-2\n vpc_cidr: 10.0.0.0/16\n", "c.yaml:4:2: not valid YAML: an indentation of 1 space matches no enclosing block (the blocks above are indented 0 or 2 spaces)"},
		{"list item key misaligned", "proxy_regions:\n  - region: us-west-1\n    vpc_cidr: 10.1.0.0/16\n   az_count: 3\n", "c.yaml:4:4: not valid YAML: an indentation of 3 spaces matches no enclosing block"},
		{"nested under a value", "cluster_name: x\ndomain: a.example.com\n  hosted_zone: example.com\n", "c.yaml:3:3: not valid YAML: this line is indented under \"domain: a.example.com\", which already has a value"},
		{"deeper block dedent", "auth:\n    region: us-west-2\n  vpc_cidr: 10.0.0.0/16\n", "c.yaml:3:3: not valid YAML: an indentation of 2 spaces matches no enclosing block"},
		{"unclosed flow", "cluster_name: x\nauth: {region: us-west-2\ndomain: a.example.com\n", "c.yaml:2:7: not valid YAML: did not find expected ',' or '}' (this bracket is not closed)"},
		{"list then dedent", "proxy_regions:\n  - us-west-1\n  - eu-west-1\n auth: {}\n", "c.yaml:4:2: not valid YAML: an indentation of 1 space matches no enclosing block (the blocks above are indented 0 or 2 or 4 spaces)"},
		{"unclosed quote", "cluster_name: \"unterminated\ndomain: x\n", "c.yaml:1:15: not valid YAML: this quote is not closed"},
		{"colon in a value", "cluster_name: a: b\n", "c.yaml:1:1: not valid YAML: mapping values are not allowed in this context"},
		{"top level list", "- a\n- b\n", "c.yaml:1:1: the top level must be a mapping"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc), "c.yaml")
			var serr *SyntaxError
			if !errors.As(err, &serr) || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s...", err, c.want)
			}
		})
	}
	// The scan never rejects what the YAML library accepts: it only runs
	// on documents that failed to parse, and every shipped config parses.
	for _, doc := range []string{valid, minimalConfig, "a: |\n  x\n\tliteral tab after the indentation\nb: 1\n", "a: plain\n  continued\nb: 1\n"} {
		lines := strings.Split(doc, "\n")
		if p := scanIndentation(lines); p != nil && !strings.Contains(doc, "\t") {
			t.Errorf("scan flags a valid document at %d:%d: %s", p.Line, p.Column, p.Msg)
		}
	}
}
