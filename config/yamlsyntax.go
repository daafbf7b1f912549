package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError is a YAML syntax error, at the line and column of the
// offending character, formatted like a validation problem
// (FILE:LINE:COL: message) so that editors and CI annotate the right line.
type SyntaxError struct {
	// Source names the file.
	Source string
	// Line and Column locate the offending character (1-based).
	Line, Column int
	// Msg says what is wrong and how to fix it.
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Source, e.Line, e.Column, e.Msg)
}

// glued is a key and its value with no space after the colon.
var glued = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):([^\s/].*)$`)

// yamlLineRe reads the line out of the YAML library's messages
// ("yaml: line 3: did not find expected key").
var yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// locateSyntaxError turns the YAML library's error into a SyntaxError at
// the offending character. The library reports the line where the
// enclosing block starts (its context mark), not the line at fault, and no
// column; so the document is scanned for the two mistakes people make by
// hand, a tab in the indentation and an indentation that matches no
// enclosing block, and those are reported where they are. Anything else
// keeps the library's line, at its first non-blank character.
func locateSyntaxError(data []byte, err error) *SyntaxError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	// The fault is at or after the start of the block the library names.
	if p := scanIndentation(lines); p != nil && p.Line >= line {
		return p
	}
	if strings.Contains(msg, "unexpected end of stream") {
		// An unclosed quote runs to the end of the file: point at it.
		for i := 0; i < len(lines); i++ {
			if _, value, ok := splitKey(stripComment(strings.TrimSpace(lines[i]))); ok && value != "" && (value[0] == '"' || value[0] == '\'') && unclosed(value) {
				q := strings.IndexAny(lines[i], `"'`)
				return &SyntaxError{Line: i + 1, Column: q + 1, Msg: "not valid YAML: this quote is not closed (the file ends inside it)"}
			}
		}
	}
	if strings.Contains(msg, "could not find expected ':'") || strings.Contains(msg, "did not find expected key") || strings.Contains(msg, "mapping values are not allowed") {
		// "key:value" is one plain scalar to YAML, not a key: the library
		// notices on this line or the next.
		for i := max(line-2, 0); i < min(line+1, len(lines)); i++ {
			text := strings.TrimLeft(lines[i], " ")
			text = strings.TrimLeft(strings.TrimPrefix(text, "- "), " ")
			if m := glued.FindStringSubmatch(stripComment(text)); m != nil {
				c := strings.Index(lines[i], m[1]+":") + len(m[1]) + 1
				return &SyntaxError{Line: i + 1, Column: c + 1, Msg: fmt.Sprintf("not valid YAML: no space after the colon, so YAML reads %q as one value; write %q", m[0], m[1]+": "+m[2])}
			}
		}
	}
	if strings.Contains(msg, "did not find expected ',' or") {
		// The library names the enclosing block; the bracket left open is
		// on the first line from there that opens more than it closes.
		for i := max(line-1, 0); i < len(lines); i++ {
			if _, value, ok := splitKey(stripComment(strings.TrimSpace(lines[i]))); ok && unclosed(value) {
				b := strings.IndexAny(lines[i], "[{")
				return &SyntaxError{Line: i + 1, Column: b + 1, Msg: "not valid YAML: " + msg + " (this bracket is not closed)"}
			}
		}
	}
	col := 1
	if line >= 1 && line <= len(lines) {
		col += len(lines[line-1]) - len(strings.TrimLeft(lines[line-1], " \t"))
	}
	hint := ""
	switch {
	case strings.Contains(msg, "did not find expected ',' or"), strings.Contains(msg, "unexpected end of stream"):
		hint = " (a bracket or quote opened here is not closed)"
	case strings.Contains(msg, "mapping values are not allowed"):
		hint = " (a value holds \": \": quote it, or a key is indented under a key that has a value)"
	}
	return &SyntaxError{Line: line, Column: col, Msg: "not valid YAML: " + msg + hint}
}

// scanIndentation finds the first line of a block-style document whose
// indentation is wrong: a tab in it, or a width that matches no enclosing
// block. It understands what cluster configs use (mappings, lists, flow
// collections on one line, comments, block scalars); on anything it does
// not follow (a quoted scalar or flow collection over several lines, an
// explicit "? " key) it gives up and returns nil rather than guess.
func scanIndentation(lines []string) *SyntaxError {
	var levels []int // indentation of the open blocks, innermost last
	// dashes maps the indentation of a block opened by a list's dashes to
	// its latest entry: a key at that indentation belongs to no entry.
	type entry struct {
		key string
		col int
	}
	dashes := map[int]entry{}
	opens := false // the previous line ends with "key:" or "-": a nested block may follow
	hasValue := "" // the previous line's "key: value", for the hint
	blockScalar := -1
	for i, raw := range lines {
		n := i + 1
		text := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimLeft(text, " \t")
		indent := len(text) - len(trimmed)
		if blockScalar >= 0 {
			if trimmed == "" || indent > blockScalar {
				continue
			}
			blockScalar = -1
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if t := strings.IndexByte(text[:indent], '\t'); t >= 0 {
			return &SyntaxError{Line: n, Column: t + 1, Msg: "not valid YAML: tabs cannot indent YAML; indent this line with spaces"}
		}
		if indent == 0 && (trimmed == "---" || trimmed == "...") {
			levels, opens, hasValue = nil, false, ""
			continue
		}
		if strings.HasPrefix(trimmed, "? ") || strings.HasPrefix(trimmed, "%") {
			return nil
		}
		top := -1
		if len(levels) > 0 {
			top = levels[len(levels)-1]
		}
		switch {
		case indent > top:
			if !opens && top >= 0 {
				if hasValue != "" && !isKeyLine(trimmed) && !strings.HasPrefix(trimmed, "- ") && trimmed != "-" {
					continue // a plain scalar continued on the next line
				}
				return &SyntaxError{Line: n, Column: indent + 1, Msg: fmt.Sprintf(
					"not valid YAML: this line is indented under %q, which already has a value; align it with that key (%d spaces), or remove the value to nest it", hasValue, top)}
			}
			levels = append(levels, indent)
			if trimmed == "-" || strings.HasPrefix(trimmed, "- ") {
				dashes[indent] = entry{}
			}
		default:
			var at []string
			for _, l := range levels {
				at = append(at, strconv.Itoa(l))
			}
			for len(levels) > 0 && levels[len(levels)-1] > indent {
				delete(dashes, levels[len(levels)-1])
				levels = levels[:len(levels)-1]
			}
			if len(levels) == 0 || levels[len(levels)-1] != indent {
				return &SyntaxError{Line: n, Column: indent + 1, Msg: fmt.Sprintf(
					"not valid YAML: an indentation of %s matches no enclosing block (the blocks above are indented %s spaces); align this line with the key it belongs to", spaces(indent), strings.Join(dedupe(at), " or "))}
			}
			if e, ok := dashes[indent]; ok && trimmed != "-" && !strings.HasPrefix(trimmed, "- ") && isKeyLine(trimmed) {
				// The YAML library reports this at the start of the
				// enclosing block, in its own words.
				fix := "indent it under the entry above, or start an entry with -"
				if e.key != "" {
					fix = fmt.Sprintf("indent it like %s: (%s) to put it in the entry above", e.key, spaces(e.col))
				}
				return &SyntaxError{Line: n, Column: indent + 1, Msg: "not valid YAML: this key is at the column of the list's dashes, so it belongs to no entry of the list; " + fix}
			}
		}
		// List items open a block for their content ("- key: v" puts key
		// two columns right of the dash).
		content, col := trimmed, indent
		for content == "-" || strings.HasPrefix(content, "- ") {
			if content == "-" {
				content = ""
				break
			}
			rest := strings.TrimLeft(content[1:], " ")
			col += len(content) - len(rest)
			content = rest
			if content != "" && !strings.HasPrefix(content, "#") {
				levels = append(levels, col)
			}
		}
		if _, ok := dashes[indent]; ok && (trimmed == "-" || strings.HasPrefix(trimmed, "- ")) {
			key, _, _ := splitKey(stripComment(content))
			dashes[indent] = entry{key: key, col: col}
		}
		content = stripComment(content)
		opens, hasValue = false, ""
		switch key, value, isKey := splitKey(content); {
		case content == "":
			opens = true
		case !isKey:
			if unclosed(content) {
				return nil
			}
		case value == "":
			opens = true
		case strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">"):
			blockScalar = col
		case strings.HasPrefix(value, "&") && !strings.Contains(value, " "):
			opens = true // an anchored block: "key: &name" then the block
		default:
			if unclosed(value) {
				return nil
			}
			hasValue = key + ": " + value
		}
	}
	return nil
}

func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return fmt.Sprintf("%d spaces", n)
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}

// isKeyLine reports whether a line's content is "key:" or "key: value".
func isKeyLine(s string) bool {
	_, _, ok := splitKey(stripComment(s))
	return ok
}

// splitKey splits "key: value" (or "key:") outside quotes and brackets.
func splitKey(s string) (key, value string, ok bool) {
	depth, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 {
				quote = c
			}
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ':' && depth == 0 && (i+1 == len(s) || s[i+1] == ' '):
			return s[:i], strings.TrimSpace(s[i+1:]), true
		}
	}
	return "", "", false
}

// stripComment removes a trailing " # comment" outside quotes.
func stripComment(s string) string {
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && (i == 0 || s[i-1] == ' '):
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return strings.TrimRight(s[:i], " ")
		}
	}
	return s
}

// unclosed reports whether a value opens a quote or flow collection that
// continues on the next line.
func unclosed(v string) bool {
	if v == "" {
		return false
	}
	if q := v[0]; q == '"' || q == '\'' {
		return len(v) < 2 || v[len(v)-1] != q
	}
	if v[0] != '[' && v[0] != '{' {
		return false
	}
	depth := 0
	for _, c := range v {
		switch c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
	}
	return depth > 0
}

// checkCharacters refuses, at their line and column, bytes a YAML file of
// text cannot hold, before the YAML library reports them at 1:1: invalid
// UTF-8, control characters other than tab and line breaks, and a Unicode
// space (a no-break space pasted from a web page) in the indentation, which
// YAML does not count as indentation, so the key would silently become part
// of the one above. Columns count characters, as the YAML library's do.
func checkCharacters(data []byte) *SyntaxError {
	line, col, indent := 1, 1, true
	for i := 0; i < len(data); {
		r, size := rune(data[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(data[i:])
		}
		switch {
		case r == utf8.RuneError && size == 1:
			return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf("not valid UTF-8 (the byte 0x%02X); save the file as UTF-8 text", data[i])}
		case r == '\n':
			line, col, indent = line+1, 0, true
		case r == '\r' || r == '\t' || (r == '\uFEFF' && i == 0):
		case r < 0x20 || (r >= 0x7f && r < 0xa0 && r != 0x85):
			return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf("holds the control character %U, which YAML text cannot; remove it and save the file as UTF-8 text", r)}
		case indent && r != ' ' && unicode.IsSpace(r):
			return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf("not valid YAML: the indentation holds %U (a no-break or other Unicode space), which YAML does not count as indentation; replace it with plain spaces", r)}
		case r != ' ':
			indent = false
		}
		i += size
		col++
	}
	return nil
}
