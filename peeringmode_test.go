package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
)

// TestPeeringModeSwitchIsRefused: synthesizing the example with
// peering.mode public over its deployed output (vpc) stops before anything
// is written, naming the field and the runbook; over an output never
// deployed here it synthesizes.
func TestPeeringModeSwitchIsRefused(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	public, err := config.Parse(append(example, []byte("peering:\n  mode: public\n")...), "cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	live := outdirOf(t, "example", true)
	manifest, _ := os.ReadFile(filepath.Join(live, "manifest.json"))
	_, err = cli.Synthesize(public, live)
	if err == nil || !strings.HasPrefix(err.Error(), "peering.mode: is public") || !strings.Contains(err.Error(), "docs/operations.md: Changing peering.mode") {
		t.Fatalf("switching a deployed cluster's peering.mode: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(live, "manifest.json")); string(after) != string(manifest) {
		t.Error("the refused synth rewrote the output")
	}
	if _, err := cli.Synthesize(public, outdirOf(t, "example", false)); err != nil {
		t.Errorf("switching an output never deployed: %v", err)
	}
}
