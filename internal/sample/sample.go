// Package sample generates valid cluster configs of any size, for the scale
// test, the benchmarks and tools/synthbench: the auth region us-west-2 and
// the first n regions of the region table (by name) that proxies can join
// from (config.JoinableRegionNames) as proxy regions, in vpc peering mode,
// the mode with the most cross-stack references.
package sample

import (
	"fmt"
	"strings"

	"github.com/example/teleport-multi-region/config"
)

// Options vary the generated config.
type Options struct {
	// Connectivity is the connectivity.mode; "" leaves the default.
	Connectivity string
}

// Regions returns the YAML of a config with n proxy regions. n may be at
// most len(config.JoinableRegionNames()): every region AWS offers here that a
// Teleport release accepts IAM joins from.
func Regions(n int, opts Options) (string, error) {
	names := config.JoinableRegionNames()
	if n < 1 || n > len(names) {
		return "", fmt.Errorf("sample: %d proxy regions; the region table has 1 to %d", n, len(names))
	}
	var b strings.Builder
	b.WriteString(`cluster_name: scale
domain: teleport.scale.example.com
hosted_zone: scale.example.com
teleport_version: "18.9.0"
license_ssm_parameter: /teleport/scale/license
acme_email: ops@scale.example.com
auth: {region: us-west-2, vpc_cidr: 10.0.0.0/16}
peering: {mode: vpc}
`)
	if opts.Connectivity != "" {
		fmt.Fprintf(&b, "connectivity: {mode: %s}\n", opts.Connectivity)
	}
	b.WriteString("proxy_regions:\n")
	for i, r := range names[:n] {
		fmt.Fprintf(&b, "  - {region: %s, vpc_cidr: 10.%d.0.0/16}\n", r, i+1)
	}
	return b.String(), nil
}

// Cluster parses Regions(n, opts).
func Cluster(n int, opts Options) (*config.Cluster, error) {
	doc, err := Regions(n, opts)
	if err != nil {
		return nil, err
	}
	return config.Parse([]byte(doc), fmt.Sprintf("sample with %d proxy regions", n))
}
