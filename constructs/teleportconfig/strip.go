package teleportconfig

import "strings"

// What the instances receive changes only when what they run does: the
// scripts and units are shipped without their comments and blank lines, so
// that a comment edit leaves every launch template, and every group, as it
// is (a new user data is a new launch template version, which the instance
// refresh rolls). The repository's files keep their comments; a reviewer
// reads them there, and the decoded user data shows the code that runs.

// stripShell returns a bash script without its comments and blank lines.
// It keeps the shebang, `# shellcheck` directives (make shellcheck lints
// the shipped files), the indentation, and, verbatim, every line that
// starts inside a heredoc, a quoted string or an expansion, or continues a
// line that ends in a backslash. A comment is a # that
// starts a word where bash reads commands: not inside quotes, ${...},
// $((...)) or backquotes. When in doubt it keeps text: a # it does not
// recognise stays, which only means that editing it changes the user data.
// TestStrippedScriptsAreEquivalent checks, with bash's own parser, that
// every shipped script means what its source means.
func stripShell(src string) string {
	lines := strings.SplitAfter(src, "\n")
	var out strings.Builder
	lx := &shellLexer{stack: []shellContext{{kind: ctxCommand}}}
	continued := false
	for i, raw := range lines {
		if raw == "" {
			continue
		}
		line := strings.TrimSuffix(raw, "\n")
		newline := raw[len(line):]
		if len(lx.heredocs) > 0 {
			h := lx.heredocs[0]
			body := line
			if h.stripTabs {
				body = strings.TrimLeft(body, "\t")
			}
			if body == h.delimiter {
				lx.heredocs = lx.heredocs[1:]
			}
			out.WriteString(raw)
			continue
		}
		topLevel := lx.top().kind == ctxCommand && !continued
		trimmed := strings.TrimLeft(line, " \t")
		if (i == 0 && strings.HasPrefix(line, "#!")) || (topLevel && strings.HasPrefix(trimmed, "# shellcheck ")) {
			out.WriteString(raw)
			continue
		}
		code, cont := lx.line(line)
		continued = cont
		if topLevel && strings.TrimSpace(code) == "" {
			continue
		}
		out.WriteString(code + newline)
	}
	return out.String()
}

type contextKind int

const (
	ctxCommand   contextKind = iota // the script, or $( ... ): comments are possible
	ctxSingle                       // '...'
	ctxANSIC                        // $'...'
	ctxDouble                       // "..."
	ctxBackquote                    // `...`
	ctxParam                        // ${...}
	ctxArith                        // $(( ... ))
)

type shellContext struct {
	kind   contextKind
	parens int // unclosed ( in a command or arithmetic context
}

type heredoc struct {
	delimiter string
	stripTabs bool
}

// shellLexer follows quoting across lines, as far as comments need.
type shellLexer struct {
	stack    []shellContext
	heredocs []heredoc
}

func (l *shellLexer) top() *shellContext { return &l.stack[len(l.stack)-1] }
func (l *shellLexer) push(k contextKind) { l.stack = append(l.stack, shellContext{kind: k}) }
func (l *shellLexer) pop() {
	if len(l.stack) > 1 {
		l.stack = l.stack[:len(l.stack)-1]
	}
}

// line scans one line and returns it without its comment (and the blanks
// before it), and whether it ends in a line continuation.
func (l *shellLexer) line(line string) (string, bool) {
	wordStart := true
	for i := 0; i < len(line); i++ {
		c := line[i]
		next := byte(0)
		if i+1 < len(line) {
			next = line[i+1]
		}
		top := l.top()
		switch top.kind {
		case ctxSingle:
			if c == '\'' {
				l.pop()
			}
			continue
		case ctxANSIC:
			if c == '\\' {
				i++
			} else if c == '\'' {
				l.pop()
			}
			continue
		case ctxBackquote:
			switch c {
			case '\\':
				i++
			case '`':
				l.pop()
			case '\'':
				l.push(ctxSingle)
			case '"':
				l.push(ctxDouble)
			}
			continue
		}
		// Command, double-quoted, parameter and arithmetic contexts share
		// escapes and the expansions that open a context.
		if c == '\\' {
			if i+1 == len(line) {
				return line, top.kind == ctxCommand
			}
			i++
			wordStart = false
			continue
		}
		if c == '$' {
			switch {
			case next == '(' && i+2 < len(line) && line[i+2] == '(':
				l.push(ctxArith)
				i += 2
			case next == '(':
				l.push(ctxCommand)
				i++
			case next == '{':
				l.push(ctxParam)
				i++
			case next == '\'' && top.kind != ctxDouble:
				l.push(ctxANSIC)
				i++
			}
			wordStart = false
			continue
		}
		if c == '`' {
			l.push(ctxBackquote)
			wordStart = false
			continue
		}
		switch top.kind {
		case ctxDouble:
			if c == '"' {
				l.pop()
			}
			continue
		case ctxParam:
			switch c {
			case '}':
				l.pop()
			case '\'':
				l.push(ctxSingle)
			case '"':
				l.push(ctxDouble)
			}
			continue
		case ctxArith:
			switch {
			case c == '(':
				top.parens++
			case c == ')' && top.parens > 0:
				top.parens--
			case c == ')' && next == ')':
				l.pop()
				i++
			}
			continue
		}
		// A command context.
		switch c {
		case '\'':
			l.push(ctxSingle)
		case '"':
			l.push(ctxDouble)
		case '(':
			top.parens++
		case ')':
			if top.parens > 0 {
				top.parens--
			} else {
				l.pop() // the end of a command substitution
			}
		case '<':
			switch {
			case strings.HasPrefix(line[i:], "<<<"): // a here-string
				i += 2
			case next == '<':
				i = l.heredoc(line, i+2)
			}
		case '#':
			if wordStart {
				code := strings.TrimRight(line[:i], " \t")
				if strings.HasSuffix(code, `\`) { // an escaped blank stays
					code = line[:len(code)+1]
				}
				return code, false
			}
		}
		wordStart = strings.IndexByte(" \t;&|()", c) >= 0
	}
	return line, false
}

// heredoc reads the delimiter word of a << at line[i:] and queues its body;
// it returns the index of the word's last byte.
func (l *shellLexer) heredoc(line string, i int) int {
	h := heredoc{}
	if i < len(line) && line[i] == '-' {
		h.stripTabs = true
		i++
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	var word strings.Builder
	for ; i < len(line) && strings.IndexByte(" \t;&|()<>", line[i]) < 0; i++ {
		switch c := line[i]; c {
		case '\'', '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				word.WriteString(line[i+1:])
				i = len(line)
				continue
			}
			word.WriteString(line[i+1 : i+1+end])
			i += 1 + end
		case '\\':
			if i+1 < len(line) {
				i++
				word.WriteByte(line[i])
			}
		default:
			word.WriteByte(c)
		}
	}
	if word.Len() > 0 {
		l.heredocs = append(l.heredocs, h)
		l.heredocs[len(l.heredocs)-1].delimiter = word.String()
	}
	return i - 1
}

// stripUnit returns a systemd unit file without its comment lines and blank
// lines ("Empty lines and lines starting with "#" or ";" are ignored",
// systemd.syntax(7)).
func stripUnit(src string) string { return stripLines(src, "#;") }

// stripRequirements returns a pip requirements file without its comment
// lines and blank lines (pip's requirements file format: "a line that
// begins with # is treated as a comment and ignored").
func stripRequirements(src string) string { return stripLines(src, "#") }

// stripLines drops blank lines and lines whose first non-blank character is
// one of markers. A line after one that ends in a backslash (a continued
// line) is kept as it is.
func stripLines(src, markers string) string {
	var out strings.Builder
	continued := false
	for _, raw := range strings.SplitAfter(src, "\n") {
		line := strings.TrimSpace(raw)
		if !continued && (line == "" || strings.IndexByte(markers, line[0]) >= 0) {
			continue
		}
		continued = strings.HasSuffix(line, `\`)
		out.WriteString(raw)
	}
	return out.String()
}
