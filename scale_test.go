package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/internal/sample"
)

// regionsConfig is the sample config with n proxy regions in vpc peering
// mode (package sample).
func regionsConfig(n int) (*config.Cluster, error) { return sample.Cluster(n, sample.Options{}) }

// BenchmarkSynthRegions synthesizes 9, 21 and every (31) proxy regions in
// vpc peering mode. Synth time must grow linearly with the number of
// regions: compare ns/op across the sizes (make bench prints the ratio).
func BenchmarkSynthRegions(b *testing.B) {
	for _, n := range []int{9, 21, len(config.JoinableRegionNames())} {
		b.Run(fmt.Sprintf("regions=%d", n), func(b *testing.B) {
			benchSynth(b, func() (*config.Cluster, error) { return regionsConfig(n) })
		})
	}
}

// TestSynthEveryRegion synthesizes every region of the table as a proxy
// region proxies can join from (vpc peering mode, 31 proxy and 31 mesh stacks, 465
// proxy-to-proxy peerings)
// (once per test binary, see synthOf) and checks the result: every stack present, every pair of
// VPCs peered once. The time it took is logged, not asserted (see
// BenchmarkSynthRegions).
func TestSynthEveryRegion(t *testing.T) {
	out := synthOf(t, "every-region")
	n := len(config.JoinableRegionNames())
	stacks := stackNames(t, "every-region")
	if len(stacks) != 2*n+2 { // a proxy and a mesh stack per region, the auth and DNS stacks
		t.Fatalf("%d stacks; want %d", len(stacks), 2*n+2)
	}
	pairs := peeringPairs(t, "every-region")
	if want := n + n*(n-1)/2; len(pairs) != want {
		t.Errorf("%d peerings; want %d", len(pairs), want)
	}
	t.Logf("every region: %d stacks, %d files, synthesized in %s", len(stacks), len(out.files), synthTime("every-region").Round(time.Millisecond))
}
