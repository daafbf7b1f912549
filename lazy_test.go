package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/internal/nodeopts"
)

// goldenOnlyVar marks the second test process of
// TestLazyProvidersSameOutput: it runs TestGolden alone, so it synthesizes
// the golden configs only (each on first use, like every synth), and
// TestMain prints how it loads the provider.
const goldenOnlyVar = "SYNTH_TEST_GOLDEN_ONLY"

// otherWayRun is that second process: this test binary again, with the
// provider's namespaces loaded the other way, running TestGolden.
type otherWayRun struct {
	cmd   *exec.Cmd
	out   bytes.Buffer
	lazy  bool // how the second process loads the provider
	start error
}

// otherWay is started by TestMain before any test runs, so that its
// Node.js start-up (the costly part, eager by default) and its synths
// overlap this process's tests and their synths until
// TestLazyProvidersSameOutput waits for it; nil when that test will not run.
var otherWay *otherWayRun

// startOtherWay starts the second process unless it is not needed: in the
// second process itself, while rewriting snapshots, or when -run excludes
// the test.
func startOtherWay(lazyHere bool) {
	if *update || os.Getenv(goldenOnlyVar) != "" || !willRun("TestLazyProvidersSameOutput") {
		return
	}
	r := &otherWayRun{lazy: !lazyHere}
	r.cmd = exec.Command(os.Args[0], "-test.run=^TestGolden$", "-test.count=1", "-test.v")
	r.cmd.Env = append(os.Environ(), nodeopts.SwitchVar+"="+strconv.FormatBool(r.lazy), goldenOnlyVar+"=1")
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	r.start = r.cmd.Start()
	otherWay = r
}

// stopOtherWay reaps the second process if no test waited for it.
func stopOtherWay() {
	if otherWay != nil && otherWay.start == nil && otherWay.cmd.ProcessState == nil {
		otherWay.cmd.Process.Kill()
		otherWay.cmd.Wait()
	}
}

// willRun reports whether -test.run selects the top-level test name.
func willRun(name string) bool {
	f := flag.Lookup("test.run")
	if f == nil || f.Value.String() == "" {
		return true
	}
	ok, err := regexp.MatchString(strings.Split(f.Value.String(), "/")[0], name)
	return ok || err != nil
}

// TestLazyProvidersSameOutput checks that the provider's namespaces loaded
// lazily (the default) and eagerly give the same output: the second
// process (one Node.js process serves a test binary, so the other way
// needs another) loads them the other way and runs TestGolden, which must
// pass there too, so both ways give the snapshots byte for byte.
func TestLazyProvidersSameOutput(t *testing.T) {
	if *update {
		t.Skip("the snapshots are being rewritten")
	}
	if os.Getenv(goldenOnlyVar) != "" {
		t.Skip("already the second process")
	}
	r := otherWay
	if r == nil {
		t.Fatal("TestMain did not start the second process")
	}
	if r.start != nil {
		t.Fatalf("start the second process: %v", r.start)
	}
	err := r.cmd.Wait()
	out := r.out.String()
	how := nodeopts.SwitchVar + "=" + strconv.FormatBool(r.lazy)
	if err != nil {
		t.Fatalf("with %s: %v\n%s", how, err, out)
	}
	if want := nodeopts.SwitchVar + ": " + strconv.FormatBool(r.lazy) + "\n"; !strings.Contains(out, want) {
		t.Fatalf("the second process did not run with %s; its output:\n%s", how, out)
	}
	if !strings.Contains(out, "--- PASS: TestGolden (") {
		t.Fatalf("TestGolden did not run in the second process:\n%s", out)
	}
}
