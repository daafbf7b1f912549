package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/example/teleport-multi-region/config"
)

// regionsConfig returns a valid cluster with the auth region us-west-2 and
// the first n regions of the region table (sorted by name) as proxy
// regions, in vpc peering mode: the worst case of cross-stack references.
// n = len(config.RegionNames()) is every region AWS offers here.
func regionsConfig(n int) (*config.Cluster, error) {
	names := config.RegionNames()
	if n > len(names) {
		return nil, fmt.Errorf("only %d regions in the table", len(names))
	}
	doc := fmt.Sprintf(`cluster_name: scale
domain: teleport.scale.example
hosted_zone: scale.example
teleport_version: "17.4.8"
license_ssm_parameter: /teleport/scale/license
acme_email: ops@scale.example
auth: {region: us-west-2, vpc_cidr: 10.0.0.0/16}
peering: {mode: vpc}
proxy_regions:
`)
	for i, r := range names[:n] {
		doc += fmt.Sprintf("  - {region: %s, vpc_cidr: 10.%d.0.0/16}\n", r, i+1)
	}
	return config.Parse([]byte(doc), fmt.Sprintf("%d regions", n))
}

// BenchmarkSynthRegions synthesizes 9, 21 and every (33) proxy regions in
// vpc peering mode. Synth time must grow linearly with the number of
// regions: compare ns/op across the sizes (make bench prints the ratio).
func BenchmarkSynthRegions(b *testing.B) {
	for _, n := range []int{9, 21, len(config.RegionNames())} {
		b.Run(fmt.Sprintf("regions=%d", n), func(b *testing.B) {
			cfg, err := regionsConfig(n)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				if _, _, _, err := synthesize(cfg, dir); err != nil {
					b.Fatal(err)
				}
				os.RemoveAll(dir)
			}
		})
	}
}

// TestSynthEveryRegion synthesizes every region of the table as a proxy
// region (vpc peering mode, 33 proxy stacks, 528 proxy-to-proxy peerings)
// in TestMain and checks the result: every stack present, every pair of
// VPCs peered once. The time it took is logged, not asserted (see
// BenchmarkSynthRegions).
func TestSynthEveryRegion(t *testing.T) {
	out := synths["every-region"]
	n := len(config.RegionNames())
	stacks := stackNames(t, "every-region")
	if len(stacks) != n+1 {
		t.Fatalf("%d stacks; want %d", len(stacks), n+1)
	}
	pairs := peeringPairs(t, "every-region")
	if want := n + n*(n-1)/2; len(pairs) != want {
		t.Errorf("%d peerings; want %d", len(pairs), want)
	}
	t.Logf("every region: %d stacks, %d files, synthesized in %s", len(stacks), len(out.files), synthTimes["every-region"].Round(time.Millisecond))
}
