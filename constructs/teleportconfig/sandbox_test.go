package teleportconfig

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// sandbox runs the boot scripts of one rendered user data under bash in a
// temporary root (TELEPORT_BOOT_ROOT), with stand-in commands first on PATH
// that record their calls (one line each: the command and its arguments)
// and answer as the scenario says.
type sandbox struct {
	t     *testing.T
	root  string
	stubs string
	files map[string]string
}

// stubPrelude starts every stand-in: it records the call and offers
// `count PATTERN` (how many calls so far, this one included, contain
// PATTERN) for answers that change over time. A fake clock (date +%s) moves
// only when the scripts sleep, so "each minute" logic runs in milliseconds.
const stubPrelude = `#!/bin/bash
name=$(basename "$0")
printf '%s %s\n' "${name}" "$*" >>"${STUB_STATE}/calls"
count() { grep -cF -- "$1" "${STUB_STATE}/calls" || true; }
clock() { cat "${STUB_STATE}/clock"; }
`

// defaultStubs answer like a healthy instance of a healthy cluster.
func defaultStubs() map[string]string {
	return map[string]string{
		"curl": `case "$*" in
*api/token*) echo token ;;
*meta-data/instance-id) echo i-0123456789abcdef0 ;;
*placement/region) echo us-west-2 ;;
*tags/instance/TeleportSessionsKey) echo arn:aws:kms:us-west-2:123456789012:key/k ;;
*meta-data/local-ipv4) echo 10.1.2.3 ;;
*meta-data/public-ipv4) echo 203.0.113.7 ;;
*instance-identity/document) echo '{"accountId": "123456789012"}' ;;
*autoscaling/target-lifecycle-state) echo InService ;;
*install.sh) printf 'printf "%%s %%s\\n" install.sh "$*" >>"%s/calls"\n' "${STUB_STATE}" ;;
*healthz) echo '{"status":"ok"}' ;;
*readyz) echo '{"status":"ok"}' ;;
*) echo "curl stand-in: unexpected $*" >&2; exit 22 ;;
esac`,
		"aws":       `exit 0`,
		"systemctl": `exit 0`,
		"dnf":       `exit 0`,
		"tctl": `case "$1" in
status) printf 'Cluster  a.example.com\nCA pin   sha256:1111\n' ;;
esac`,
		"teleport": `echo "Teleport v17.4.8"`,
		// Bounded: a script that would wait forever fails the scenario
		// instead of hanging it.
		"sleep": `echo $(( $(clock) + ${1%s} )) >"${STUB_STATE}/clock"
[ "$(count 'sleep ')" -le 200 ] || { echo "sleep stand-in: waited too often" >&2; exit 99; }`,
		"date": `if [ "$*" = "+%s" ]; then clock; else exec /usr/bin/date "$@"; fi`,
	}
}

// newSandbox installs the files of userData under a fresh root, and the
// stand-ins: defaults overridden by stubs ("" removes one).
func newSandbox(t *testing.T, userData string, stubs map[string]string) *sandbox {
	t.Helper()
	files, err := BootFiles(userData)
	if err != nil {
		t.Fatal(err)
	}
	s := &sandbox{t: t, root: t.TempDir(), stubs: t.TempDir(), files: files}
	for p, body := range files {
		mode := os.FileMode(0o644)
		if strings.HasPrefix(p, bootBin+"/") {
			mode = 0o755
		}
		s.write(p, body, mode)
	}
	all := defaultStubs()
	for name, body := range stubs {
		all[name] = body
	}
	for name, body := range all {
		if body == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(s.stubs, name), []byte(stubPrelude+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.write("/stub-state/calls", "", 0o644)
	s.write("/stub-state/clock", fmt.Sprint(time.Now().Unix()), 0o644)
	return s
}

// write puts a file under the root.
func (s *sandbox) write(p, body string, mode os.FileMode) {
	s.t.Helper()
	full := filepath.Join(s.root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(body), mode); err != nil {
		s.t.Fatal(err)
	}
}

// run runs the script at path p (on the instance) with args, and returns
// its combined output and exit status.
func (s *sandbox) run(p string, args ...string) (string, int) {
	s.t.Helper()
	// A bound against a script that hangs, not a performance check: the
	// longest scenario (a drain that times out: 60 stubbed waits, each a
	// few stand-in processes) took over 60 s on a loaded 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(s.root, p)}, args...)...)
	cmd.Env = []string{
		"PATH=" + s.stubs + ":/usr/bin:/bin",
		"HOME=" + s.root,
		"TELEPORT_BOOT_ROOT=" + s.root,
		"STUB_STATE=" + filepath.Join(s.root, "stub-state"),
		"TMPDIR=" + s.t.TempDir(),
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		s.t.Fatalf("%s did not finish: %s", p, out)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	return string(out), code
}

// calls returns the recorded calls, in order.
func (s *sandbox) calls() []string {
	s.t.Helper()
	return strings.Split(strings.TrimSuffix(s.read("/stub-state/calls"), "\n"), "\n")
}

// called returns the index of the first call containing every part, -1 if
// none.
func (s *sandbox) called(parts ...string) int {
	for i, c := range s.calls() {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(c, p)
		}
		if all {
			return i
		}
	}
	return -1
}

// count is how many calls contain every part.
func (s *sandbox) count(parts ...string) int {
	n := 0
	for _, c := range s.calls() {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(c, p)
		}
		if all {
			n++
		}
	}
	return n
}

// read returns a file under the root ("" if absent).
func (s *sandbox) read(p string) string {
	b, err := os.ReadFile(filepath.Join(s.root, p))
	if err != nil {
		return ""
	}
	return string(b)
}

// remove deletes a file under the root.
func (s *sandbox) remove(p string) {
	s.t.Helper()
	if err := os.Remove(filepath.Join(s.root, p)); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sandbox) exists(p string) bool {
	_, err := os.Stat(filepath.Join(s.root, p))
	return err == nil
}

// mustCall fails unless a call contains every part.
func (s *sandbox) mustCall(parts ...string) int {
	s.t.Helper()
	i := s.called(parts...)
	if i < 0 {
		s.t.Errorf("no call with %q; calls:\n%s", parts, strings.Join(s.calls(), "\n"))
	}
	return i
}

// mustNotCall fails if a call contains every part.
func (s *sandbox) mustNotCall(parts ...string) {
	s.t.Helper()
	if i := s.called(parts...); i >= 0 {
		s.t.Errorf("unexpected call %q", s.calls()[i])
	}
}

// before fails unless the first call with a happens before the first with b.
func (s *sandbox) before(a, b []string) {
	s.t.Helper()
	i, j := s.called(a...), s.called(b...)
	if i < 0 || j < 0 || i > j {
		s.t.Errorf("want %q (call %d) before %q (call %d); calls:\n%s", a, i, b, j, strings.Join(s.calls(), "\n"))
	}
}

// scripts lists the scripts a user data installs, sorted.
func scriptsOf(files map[string]string) []string {
	var out []string
	for p := range files {
		if strings.HasPrefix(p, bootBin+"/") || strings.HasSuffix(p, ".sh") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
