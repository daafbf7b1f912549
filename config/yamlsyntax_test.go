package config

import (
	"errors"
	"fmt"
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

// Item 5 of issue 28: mistakes of the file's text reported at their own
// line and column, in words that say the fix.
func TestTextMistakesAtTheirPlace(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"key at the dashes' column", "  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "  - region: eu-central-1\n  vpc_cidr: 10.2.0.0/16\n",
			"test.yaml:15:3: not valid YAML: this key is at the column of the list's dashes, so it belongs to no entry of the list; indent it like region: (4 spaces) to put it in the entry above"},
		{"NUL byte", "acme_email: admin@example.com", "acme_email: admin\x00@example.com", "test.yaml:7:18: holds the control character U+0000"},
		{"invalid UTF-8", "acme_email: admin@example.com", "acme_email: admin\xff@example.com", "test.yaml:7:18: not valid UTF-8 (the byte 0xFF); save the file as UTF-8 text"},
		{"no-break space indenting", "  vpc_cidr: 10.0.0.0/16", "\u00a0 vpc_cidr: 10.0.0.0/16", "test.yaml:10:1: not valid YAML: the indentation holds U+00A0"},
		{"no space after a colon", "hosted_zone: example.com", "hosted_zone:example.com", `test.yaml:4:13: not valid YAML: no space after the colon, so YAML reads "hosted_zone:example.com" as one value; write "hosted_zone: example.com"`},
		{"no space after a nested colon", "  region: us-west-2", "  region:us-west-2", `test.yaml:9:10: not valid YAML: no space after the colon`},
		{"no space after a colon in an entry", "  - region: eu-central-1", "  - region:eu-central-1", `test.yaml:14:12: not valid YAML: no space after the colon`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(valid, tc.from) {
				t.Fatalf("test setup: %q not in the valid config", tc.from)
			}
			_, err := Parse([]byte(strings.Replace(valid, tc.from, tc.to, 1)), "test.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
	// A dash list at its parent's column is valid YAML: a key after it at
	// that column is the parent's sibling, not a mistake.
	flush := strings.Replace(strings.Replace(valid, "  - region: us-west-1\n    vpc_cidr: 10.1.0.0/16\n", "- region: us-west-1\n  vpc_cidr: 10.1.0.0/16\n", 1),
		"  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "- region: eu-central-1\n  vpc_cidr: 10.2.0.0/16\nresource_regions: [us-east-1]\n", 1)
	if _, err := Parse([]byte(flush), "test.yaml"); err != nil {
		t.Errorf("flush list: %v", err)
	}
}

// Item 5 of issue 28: values read right however they are written.
func TestValuesNotMisread(t *testing.T) {
	parse := func(doc string) error { _, err := Parse([]byte(doc), "test.yaml"); return err }
	// An anchored mapping aliased under another key is checked as two
	// values: auth keeps its keys, backup is told about them.
	aliased := strings.Replace(valid, "auth:\n", "auth: &a\n", 1) + "backup: *a\n"
	err := parse(aliased)
	if err == nil || strings.Contains(err.Error(), "auth.") || !strings.Contains(err.Error(), "backup.region: unknown key") {
		t.Errorf("aliased mapping: %v", err)
	}
	// A wrong-typed quota is one problem, not also a "quota of 0".
	if err := parse(valid + "quotas:\n  elastic_ips: {us-west-2: many}\n"); err == nil || !strings.HasPrefix(err.Error(), "test.yaml: 1 problem:") {
		t.Errorf("quota: %v", err)
	}
	// A number past any integer is too large, with the field's range.
	for doc, want := range map[string]string{
		valid + "agent_connection_count: 99999999999999999999\n":                                                                               "agent_connection_count: is too large a number; use 2 to 1600",
		valid + "quotas: {elastic_ips: {us-west-2: 99999999999999999999}}\n":                                                                   "quotas.elastic_ips.us-west-2: is too large a number; use 5 or more",
		strings.Replace(valid, "    vpc_cidr: 10.2.0.0/16\n", "    vpc_cidr: 10.2.0.0/16\n    instances: {count: -99999999999999999999}\n", 1): "proxy_regions[1].instances.count: is too small a number; use 1 to 50",
	} {
		if err := parse(doc); err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "test.yaml: 1 problem:") {
			t.Errorf("got %v\nwant %s", err, want)
		}
	}
	// The list of known keys is printed once per kind of mapping.
	err = parse(strings.Replace(valid, "    vpc_cidr: 10.2.0.0/16\n", "    vpc_cidr: 10.2.0.0/16\n    colour: x\n    shade: y\n", 1) + "colr: x\nshde: y\n")
	if e := fmt.Sprint(err); strings.Count(e, "acme_email") != 1 || strings.Count(e, "az_count") != 1 ||
		!strings.Contains(e, "proxy_regions[1].colour: unknown key; the keys allowed in each proxy_regions entry are listed below") ||
		!strings.Contains(e, "\nKeys allowed in each proxy_regions entry: az_count, existing_vpc") || !strings.Contains(e, "\nKeys allowed at the top level: acme_email") {
		t.Errorf("key lists:\n%s", e)
	}
}
