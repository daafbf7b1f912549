package teleportconfig

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// canonical returns bash's own rendering of each script, wrapped in a
// function (declare -f prints what the parser kept: no comments, its own
// layout, heredoc bodies and quoted text as they are), "" for a script that
// does not parse. Nothing runs: eval only defines the function (and runs
// without PATH, in a directory of its own, so that nothing else could).
// Forks are slow, so one bash renders a batch; bash 5.2.15 corrupts its
// heap after some dozens of evals of broken heredocs in a command
// substitution, so batches are small and a batch that fails is rendered
// one script per bash.
func canonical(t *testing.T, scripts []string) []string {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, len(scripts))
	for i, s := range scripts {
		paths[i] = filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(paths[i], []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	render := func(paths []string) ([]string, bool) {
		cmd := exec.Command("bash", append([]string{"-c", `for f in "$@"; do
  unset -f __f
  IFS= read -r -d '' body <"$f"
  eval "__f() {
${body}
}" 2>/dev/null && declare -f __f
  echo "@@END@@"
done
exit 0`, "canonical"}, paths...)...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/nonexistent", "HOME=" + dir}
		out, err := cmd.Output()
		parts := strings.Split(string(out), "@@END@@\n")
		if err != nil || len(parts) != len(paths)+1 {
			return nil, false
		}
		return parts[:len(paths)], true
	}
	var out []string
	for start := 0; start < len(paths); start += 25 {
		batch := paths[start:min(start+25, len(paths))]
		parts, ok := render(batch)
		for i := 0; !ok && i < len(batch); i++ {
			one, ok1 := render(batch[i : i+1])
			if !ok1 {
				t.Fatalf("bash cannot render %s", scripts[start+i])
			}
			parts = append(parts, one[0])
		}
		out = append(out, parts...)
	}
	return out
}

// shippedShell returns the embedded shell scripts by name.
func shippedShell(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	paths, err := fs.Glob(embedded, "scripts/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		name := filepath.Base(p)
		if name != "lib.sh" && !strings.HasPrefix(name, "teleport-") {
			continue
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(body)
	}
	if len(out) < 10 {
		t.Fatalf("found %d scripts", len(out))
	}
	return out
}

// Every shipped script means, to bash's parser, what its source means, and
// parses on its own.
func TestStrippedScriptsAreEquivalent(t *testing.T) {
	for name, src := range shippedShell(t) {
		stripped := stripShell(src)
		c := canonical(t, []string{src, stripped})
		if c[0] == "" {
			t.Errorf("%s: bash cannot parse the source", name)
			continue
		}
		if c[0] != c[1] {
			t.Errorf("%s: stripping changed the script:\n%s", name, lineDiffText(c[0], c[1]))
		}
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(stripped)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: the stripped script does not parse: %v\n%s", name, err, out)
		}
		if !strings.HasPrefix(stripped, "#!/bin/bash\n") && name != "lib.sh" {
			t.Errorf("%s: lost its shebang", name)
		}
		if len(stripped) >= len(src) {
			t.Errorf("%s: nothing stripped", name)
		}
	}
}

// Every edit of every shipped script that bash does not see (a comment
// changed or added, a blank line added) leaves the shipped script as it
// is, and every edit that bash sees changes it. The edits: each line with
// text appended, and a comment line and a blank line inserted after each
// line. The shebang and `# shellcheck` directives are shipped on purpose.
func TestCommentEditsAreInvisible(t *testing.T) {
	invisible := 0
	for name, src := range shippedShell(t) {
		lines := strings.SplitAfter(src, "\n")
		var variants []string
		for i, line := range lines {
			if line == "" {
				continue
			}
			trimmed := strings.TrimSpace(line)
			with := func(l string) string {
				return strings.Join(lines[:i], "") + l + strings.Join(lines[i+1:], "")
			}
			if i > 0 && !strings.HasPrefix(trimmed, "# shellcheck ") {
				variants = append(variants, with(strings.TrimSuffix(line, "\n")+" edited\n"))
			}
			variants = append(variants, with(line+"# an added comment\n"), with(line+"\n"))
		}
		want := stripShell(src)
		c := canonical(t, append([]string{src}, variants...))
		for i, v := range variants {
			same := stripShell(v) == want
			switch {
			case c[i+1] == c[0] && !same:
				t.Errorf("%s: an edit bash does not see changes the shipped script:\n%s", name, lineDiffText(src, v))
			case c[i+1] != c[0] && same:
				t.Errorf("%s: an edit bash sees is lost in the shipped script:\n%s", name, lineDiffText(src, v))
			case c[i+1] == c[0]:
				invisible++
			}
		}
	}
	if invisible < 500 {
		t.Errorf("only %d invisible edits tried", invisible)
	}
}

// lineDiffText shows the lines of b that a lacks, and the reverse.
func lineDiffText(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !ib[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ia[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// The cases that make stripping shell hard, each checked against bash.
func TestStripShell(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"shebang, comments and blank lines", "#!/bin/bash\n# about\n\nset -e # strict\n  # indented\necho a\n",
			"#!/bin/bash\nset -e\necho a\n"},
		{"shellcheck directives stay", "#!/bin/bash\n# shellcheck source=lib.sh\n. lib.sh\n",
			"#!/bin/bash\n# shellcheck source=lib.sh\n. lib.sh\n"},
		{"# inside words, quotes and expansions", "echo a#b '#x' \"#y\" ${#v} $# ${v#p} $((16#ff)) \\#z `echo #q`\n",
			"echo a#b '#x' \"#y\" ${#v} $# ${v#p} $((16#ff)) \\#z `echo #q`\n"},
		{"heredocs keep their lines", "cat <<'E'\n# kept\n\nE\ncat <<-X\n\t# kept\n\tX\n# gone\n",
			"cat <<'E'\n# kept\n\nE\ncat <<-X\n\t# kept\n\tX\n"},
		{"a here-string is no heredoc", "grep x <<<\"${c}\"\n# gone\n", "grep x <<<\"${c}\"\n"},
		{"multi-line strings keep their lines", "awk '\n# kept\n\n{print}'\necho \"a\n# kept\"\n# gone\n",
			"awk '\n# kept\n\n{print}'\necho \"a\n# kept\"\n"},
		{"a continued line stays one command", "aws x \\\n  --y # flag\n\n", "aws x \\\n  --y\n"},
		{"an escaped blank before a comment stays", "echo a\\  # c\n", "echo a\\ \n"},
		{"a heredoc inside a command substitution", "s=$(python3 - <<'PY'\nx = 'it''s' # kept\nPY\n)\n# gone\n",
			"s=$(python3 - <<'PY'\nx = 'it''s' # kept\nPY\n)\n"},
		{"comments in a multi-line command substitution", "x=$(echo a # c\n  # c\n\n  echo b)\n",
			"x=$(echo a\n  echo b)\n"},
		{"ANSI-C quotes", "echo $'\\'#' # c\n", "echo $'\\'#'\n"},
		{"arithmetic", "for ((i = 0; i < 2; i++)); do :; done # c\n((x > 1)) || y=$((x + 1)) # c\n",
			"for ((i = 0; i < 2; i++)); do :; done\n((x > 1)) || y=$((x + 1))\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := stripShell(c.src)
			if got != c.want {
				t.Errorf("stripShell:\n%s\nwant:\n%s", got, c.want)
			}
			can := canonical(t, []string{c.src, got})
			if can[0] == "" || can[0] != can[1] {
				t.Errorf("bash reads them differently:\n%s\n---\n%s", can[0], can[1])
			}
		})
	}
}

// Unit files and the certbot lock are shipped without comment and blank
// lines, their settings as they are.
func TestStripLines(t *testing.T) {
	unit := "[Service]\n# why\n; also\n\nExecStart=/x \\\n  # kept: inside a continued line\n  --y\nTimeoutStartSec=15min # not a comment in systemd\n"
	if got, want := stripUnit(unit), "[Service]\nExecStart=/x \\\n  # kept: inside a continued line\n  --y\nTimeoutStartSec=15min # not a comment in systemd\n"; got != want {
		t.Errorf("stripUnit:\n%s\nwant:\n%s", got, want)
	}
	lock, err := embedded.ReadFile("scripts/certbot-requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(lock), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	if got := stripRequirements(string(lock)); got != strings.Join(want, "\n")+"\n" {
		t.Errorf("stripRequirements kept or dropped a requirement:\n%s", got)
	}
}

// editedScripts copies the embedded files, edit applied to every shell
// script, unit and lock.
func editedScripts(t *testing.T, edit func(name, body string) string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(embedded, "scripts", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		if p != "scripts/bootstrap.sh.tmpl" {
			body = []byte(edit(filepath.Base(p), string(body)))
		}
		m[p] = &fstest.MapFile{Data: body, Mode: 0o644}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// renderWith renders the auth and proxy user data from files.
func renderWith(t *testing.T, files fs.ReadFileFS) string {
	t.Helper()
	saved := scriptFS
	scriptFS = files
	defer func() { scriptFS = saved }()
	return testAuthUserData(t, "/l") + testProxyUserData(t, true)
}

// A comment is not a rollout: comments edited and added, and blank lines
// added, in every script, unit and the certbot lock, leave the user data of
// both roles byte for byte as it was; a code edit of any one script
// changes it.
func TestCommentEditsDoNotChangeUserData(t *testing.T) {
	before := renderWith(t, embedded)
	comments := editedScripts(t, func(name, body string) string {
		lines := strings.Split(body, "\n")
		for i, l := range lines {
			if t := strings.TrimSpace(l); i > 0 && strings.HasPrefix(t, "# ") && !strings.HasPrefix(t, "# shellcheck") && !strings.HasPrefix(t, "# missing:") {
				lines[i] = l + " (reworded)"
			}
		}
		return lines[0] + "\n\n# A new comment.\n\n" + strings.Join(lines[1:], "\n")
	})
	if after := renderWith(t, comments); after != before {
		t.Errorf("comment edits changed the user data:\n%s", lineDiffText(before, after))
	}
	for name := range shippedShell(t) {
		code := editedScripts(t, func(n, body string) string {
			if n != name {
				return body
			}
			first, rest, _ := strings.Cut(body, "\n")
			return first + "\nexport TELEPORT_BOOT_EDITED=1\n" + rest
		})
		if renderWith(t, code) == before {
			t.Errorf("a code edit of %s does not change the user data", name)
		}
	}
}
