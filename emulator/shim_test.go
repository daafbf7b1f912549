package emulator

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestShims runs shim_test.py against the installed moto: each entry of
// moto_shim.py's SHIMS must still be needed (its gap exists in unpatched moto)
// and must close that gap. Skipped only where Python or moto is missing.
func TestShims(t *testing.T) {
	python := os.Getenv(PythonEnv)
	if python == "" {
		python = "python3"
	}
	if _, err := exec.LookPath(python); err != nil {
		t.Skipf("no %s: %v", python, err)
	}
	if out, err := exec.Command(python, "-c", "import moto, boto3").CombinedOutput(); err != nil {
		t.Skipf("moto or boto3 is not importable by %s: %v\n%s", python, err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "shim_test.py")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 emulator/shim_test.py: %v\n%s", err, out)
	}
}
