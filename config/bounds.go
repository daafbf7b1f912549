package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The loader's work is bounded by the size of the file: a document of n
// bytes holds at most about n/2 values, and its aliases may repeat values
// up to aliasBudget(n) in all. Every walk of the document (checkNode, the
// YAML library's decoding) visits each value once per alias that reaches
// it, so a few lines of nested aliases (a "billion laughs") would otherwise
// make it walk billions; they are refused at the alias, before any walk.

// MaxValues bounds the values (keys, scalars, lists, mappings, aliases) a
// config file may hold, counted before the YAML library reads it: the
// library takes a few hundred bytes per value, and the largest cluster (32
// proxy regions on existing VPCs, every tag) holds under 3,000.
const MaxValues = 20_000

// aliasBudget is how many values a document of size bytes may expand to,
// aliases followed: in proportion to its size, with room for a small file
// that aliases a few blocks many times.
func aliasBudget(size int) int { return size/8 + 10_000 }

// checkValueCount refuses a document that holds more than MaxValues
// values, at the line where the count passes it, before the YAML library
// parses it (and spends memory on each). The count is an upper estimate:
// a value starts each line that is not blank or a comment, and after each
// separator ", [ { * & !" and each ": - ?" followed by a space or line end;
// so a document of fewer values than MaxValues is never refused, and one
// that passes holds at most about MaxValues.
func checkValueCount(data []byte) *SyntaxError {
	count, line, start := 0, 1, 0
	lineCounted := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line, start, lineCounted = line+1, i+1, false
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			if !lineCounted {
				// A comment line: skip to its end.
				for i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
				continue
			}
		}
		if !lineCounted {
			lineCounted = true
			count++
		}
		switch c {
		case ',', '[', '{', '*', '&', '!':
			count++
		case ':', '-', '?':
			if i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\n' || data[i+1] == '\r' {
				count++
			}
		}
		if count > MaxValues {
			return &SyntaxError{Line: line, Column: i - start + 1, Msg: fmt.Sprintf(
				"the file holds more than %d values by here; a cluster config holds a few hundred (the largest possible under 3,000): check that this is the right file", MaxValues)}
		}
	}
	return nil
}

// checkAliases refuses a document whose aliases expand to more than
// aliasBudget values, at the alias that repeats the most. It visits each
// distinct node once.
func checkAliases(root *yaml.Node, size int) *SyntaxError {
	budget := aliasBudget(size)
	sizes := map[*yaml.Node]int{}
	var expanded func(n *yaml.Node) int
	expanded = func(n *yaml.Node) int {
		if s, ok := sizes[n]; ok {
			return s
		}
		sizes[n] = budget + 1 // a node that contains itself is over any budget
		s := 1
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			s = expanded(n.Alias)
		}
		for _, c := range n.Content {
			s += expanded(c)
			if s > budget {
				s = budget + 1
				break
			}
		}
		sizes[n] = min(s, budget+1)
		return sizes[n]
	}
	if expanded(root) <= budget {
		return nil
	}
	// The alias repeating the most, first in the file.
	var worst *yaml.Node
	seen := map[*yaml.Node]bool{}
	var find func(n *yaml.Node)
	find = func(n *yaml.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if worst == nil || expanded(n) > expanded(worst) || (expanded(n) == expanded(worst) && before(n, worst)) {
				worst = n
			}
			return
		}
		for _, c := range n.Content {
			find(c)
		}
	}
	find(root)
	if worst == nil {
		worst = root
	}
	what := "a value"
	if worst.Value != "" {
		what = "*" + shorten(worst.Value)
	}
	return &SyntaxError{Line: worst.Line, Column: worst.Column, Msg: fmt.Sprintf(
		"the file's aliases repeat values more than %d times in all (for a file of %d bytes); this alias, %s, repeats %s; write the values out, or alias small values only",
		budget, size, what, valuesOf(expanded(worst), budget))}
}

func valuesOf(n, budget int) string {
	if n > budget {
		return fmt.Sprintf("more than %d values", budget)
	}
	return fmt.Sprintf("%d values", n)
}

func before(a, b *yaml.Node) bool {
	return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
}

// maxItems is the most entries the list under key can hold, and why; 0
// when the list has no cap of its own. A longer list is refused whole, before
// any check compares its entries pairwise (and before it floods the
// output with one problem per entry).
func maxItems(key string) (int, string) {
	switch key {
	case "proxy_regions", "resource_regions":
		return len(regionTable), fmt.Sprintf("there are %d regions this app deploys to and each is listed once", len(regionTable))
	case "zones":
		return MaxAZCount, fmt.Sprintf("a VPC spans at most %d availability zones", MaxAZCount)
	}
	return 0, ""
}

// tooMany says why a list of n entries at path is too long, or "".
func tooMany(path string, n int) string {
	key := path[strings.LastIndexAny(path, ".]")+1:]
	if max, why := maxItems(key); max > 0 && n > max {
		return fmt.Sprintf("lists %d entries; %s, so list at most %d", n, why, max)
	}
	return ""
}
