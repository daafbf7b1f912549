package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/report"
)

// review.md is written by every synth and agrees with the config it came
// from (although it is built from the JSON alone): every stack, every
// latency route, the deploy order, the tunnel arithmetic.
func TestReviewReport(t *testing.T) {
	for _, synth := range []string{"example", "public-four-regions", "oss-single-region", "transit-gateway", "example-retired"} {
		review := string(synths[synth].files["review.md"])
		cfg := synths[synth].cfg
		if !strings.HasPrefix(review, "# Review report") || !strings.Contains(review, "```mermaid\nflowchart LR\n") {
			t.Fatalf("%s: no review report", synth)
		}
		for _, stack := range stackNames(t, synth) {
			if !strings.Contains(review, "## Stack "+stack+" (") {
				t.Errorf("%s: review lacks stack %s", synth, stack)
			}
		}
		for _, r := range cfg.LatencyRoutes() {
			row := fmt.Sprintf("| %s | %s (proxy-%s) |", r.Region, r.ProxyRegion, r.ProxyRegion)
			if !strings.Contains(review, row) {
				t.Errorf("%s: review lacks the route %q", synth, row)
			}
		}
		if cfg.ProxyPeering() != strings.Contains(review, "With proxy peering each agent holds `agent_connection_count` = "+fmt.Sprint(cfg.AgentConnectionCount)) {
			t.Errorf("%s: tunnel arithmetic does not match the config", synth)
		}
	}
	review := string(synths["example"].files["review.md"])
	for _, want := range []string{
		"  proxy_us_west_1 ---|VPC peering| proxy_eu_central_1\n",
		"| ap-south-1 | eu-central-1 (proxy-eu-central-1) | 6564 km | nearest proxy region |",
		"1. auth-us-west-2\n2. proxy-eu-central-1 (after auth-us-west-2)\n3. proxy-us-west-1 (after auth-us-west-2, proxy-eu-central-1)\n",
		"| 1000 | 2000 | 4000 |",
		"| example-proxy | in from | 443 | group example-proxy-nlb | only through the load balancer example-proxy |",
	} {
		if !strings.Contains(review, want) {
			t.Errorf("example review lacks %q", want)
		}
	}
	if !strings.Contains(string(synths["transit-gateway"].files["review.md"]), "---|TGW peering|") {
		t.Error("transit gateway review has no gateway peerings")
	}
	// The override us-west-2 -> us-east-1 happens to be the nearest too:
	// the report, reading only the JSON, says so.
	if !strings.Contains(string(synths["public-four-regions"].files["review.md"]), "| us-west-2 | us-east-1 (proxy-us-east-1) | 3516 km | nearest proxy region |") {
		t.Error("the us-west-2 route is missing")
	}
}

// writeSynth writes a synth's files to a new directory.
func writeSynth(t *testing.T, synth string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range synths[synth].files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// go run . diff OLD NEW on real outputs: adding a region, and nothing.
func TestDiffCommand(t *testing.T) {
	base, more := writeSynth(t, "example"), writeSynth(t, "example-plus-region")
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	if code := cli.Main([]string{"diff", base, more}, env); code != report.ExitChanges {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	d := out.String()
	for _, want := range []string{
		"### Stack proxy-ap-southeast-2: added (",
		"### Stack proxy-eu-central-1: ",
		"- **add** `aws_vpc_peering_connection.peering-ap-southeast-2_",
		"- **change** `aws_ec2_managed_prefix_list.proxy_peers_",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
	if strings.Contains(d, "### Stack auth-us-west-2") {
		t.Error("adding a region must not change the auth stack")
	}
	out.Reset()
	if code := cli.Main([]string{"diff", base, writeSynth(t, "example-again")}, env); code != 0 || out.String() != report.NoChanges+"\n" {
		t.Errorf("identical synths: exit %d, %q", code, out.String())
	}
}
