package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/internal/nodeopts"
)

// goldenOnlyVar makes TestMain synthesize only the golden configs: set by
// TestLazyProvidersSameOutput for the test binary it runs.
const goldenOnlyVar = "SYNTH_TEST_GOLDEN_ONLY"

// TestLazyProvidersSameOutput runs this test binary again with the
// provider's namespaces loaded the other way (eagerly when this process
// loads them lazily, the default, and the reverse); there TestGolden must
// pass too, so both ways give the snapshots byte for byte. One Node.js
// process serves a test binary, hence the second process; it synthesizes
// only the golden configs.
func TestLazyProvidersSameOutput(t *testing.T) {
	if *update {
		t.Skip("the snapshots are being rewritten")
	}
	if os.Getenv(goldenOnlyVar) != "" {
		t.Skip("already the second process")
	}
	lazy, err := nodeopts.Enabled(os.Getenv(nodeopts.SwitchVar))
	if err != nil {
		t.Fatal(err)
	}
	other := map[bool]string{true: "false", false: "true"}[lazy]
	cmd := exec.Command(os.Args[0], "-test.run=^TestGolden$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), nodeopts.SwitchVar+"="+other, goldenOnlyVar+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("with %s=%s: %v\n%s", nodeopts.SwitchVar, other, err, out)
	}
	if want := nodeopts.SwitchVar + ": " + other + "\n"; !strings.Contains(string(out), want) {
		t.Fatalf("the second process did not run with %s; its output:\n%s", strings.TrimSpace(want), out)
	}
	if !strings.Contains(string(out), "--- PASS: TestGolden (") {
		t.Fatalf("TestGolden did not run in the second process:\n%s", out)
	}
}
