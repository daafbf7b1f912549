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
		review := string(synthOf(t, synth).files["review.md"])
		cfg := synthOf(t, synth).cfg
		if !strings.HasPrefix(review, "# Review report") || !strings.Contains(review, "```mermaid\nflowchart LR\n") {
			t.Fatalf("%s: no review report", synth)
		}
		for _, stack := range stackNames(t, synth) {
			if !strings.Contains(review, "## Stack "+stack+" (") {
				t.Errorf("%s: review lacks stack %s", synth, stack)
			}
		}
		// The dns stack is drawn with what it holds, not as an empty box.
		dns := stackOf(t, synth, "dns")
		if node := fmt.Sprintf(`dns_records["%d latency records<br/>%d health checks"]`,
			len(dns.resources("aws_route53_record")), len(dns.resources("aws_route53_health_check"))); !strings.Contains(review, node) {
			t.Errorf("%s: diagram lacks %s", synth, node)
		}
		// One row per latency record: no record routes "clients in <nil>"
		// (the auth servers' private record is no latency record).
		routes := section(review, "## Latency routes")
		if rows := strings.Count(routes, "\n| ") - 2 - strings.Count(routes, "| no record |"); rows != len(cfg.LatencyRoutes()) || strings.Contains(review, "<nil>") {
			t.Errorf("%s: %d route rows for %d latency routes:\n%s", synth, rows, len(cfg.LatencyRoutes()), routes)
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
	review := string(synthOf(t, "example").files["review.md"])
	for _, want := range []string{
		"  proxy_us_west_1 ---|VPC peering| proxy_eu_central_1\n",
		"| ap-south-1 | eu-central-1 (proxy-eu-central-1) | 6564 km | nearest proxy region |",
		"1. auth-us-west-2\n2. proxy-eu-central-1 (after auth-us-west-2)\n3. proxy-us-west-1 (after auth-us-west-2)\n4. mesh-eu-central-1 (after proxy-eu-central-1)\n5. mesh-us-west-1 (after proxy-eu-central-1, proxy-us-west-1)\n",
		"| 1000 | 2000 | 4000 |",
		"| example-proxy | in from | 443 | group example-proxy-nlb | only through the load balancer example-proxy |",
	} {
		if !strings.Contains(review, want) {
			t.Errorf("example review lacks %q", want)
		}
	}
	if !strings.Contains(string(synthOf(t, "transit-gateway").files["review.md"]), "---|TGW peering|") {
		t.Error("transit gateway review has no gateway peerings")
	}
	// The override us-west-2 -> us-east-1 happens to be the nearest too:
	// the report, reading only the JSON, says so.
	if !strings.Contains(string(synthOf(t, "public-four-regions").files["review.md"]), "| us-west-2 | us-east-1 (proxy-us-east-1) | 3516 km | nearest proxy region |") {
		t.Error("the us-west-2 route is missing")
	}
}

// writeSynth writes a synth's files to a new directory.
func writeSynth(t *testing.T, synth string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range synthOf(t, synth).files {
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
		"### Stack mesh-ap-southeast-2: added (",
		"### Stack mesh-eu-central-1: ",
		"- **add** `aws_vpc_peering_connection.peering-ap-southeast-2_",
		"- **add** `aws_ec2_managed_prefix_list_entry.peers-ap-southeast-2`",
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

// Every review report opens with the summary, shows references only
// Terraform resolves as placeholders, and draws a diagram of at most
// report.MaxDiagramEdges edges, up to every region of the table in both
// connectivity modes.
func TestReviewSummaryAndScale(t *testing.T) {
	for name, out := range allSynths(t) {
		review := string(out.files["review.md"])
		if review == "" {
			continue
		}
		if !strings.HasPrefix(review, "# Review report\n\nGenerated from the synthesized stacks in this directory: it shows what `go run . apply` would create.\n\n## Summary\n") {
			t.Errorf("%s: the review does not open with the summary", name)
		}
		for _, want := range []string{"| Cluster | `" + out.cfg.ClusterName + "` at " + out.cfg.Domain, "| Teleport | " + out.cfg.TeleportVersion + " " + out.cfg.Edition, "| Advisories | ", "| State backend | ", "| **all** | | | **"} {
			if !strings.Contains(review, want) {
				t.Errorf("%s: summary lacks %q", name, want)
			}
		}
		for _, stack := range stackNames(t, name) {
			if !strings.Contains(review, "\n| "+stack+" | ") {
				t.Errorf("%s: summary lacks the resource count of %s", name, stack)
			}
		}
		if strings.Contains(review, "data.aws_caller_identity") || strings.Contains(review, "${") {
			t.Errorf("%s: a half-resolved reference in the review", name)
		}
		start := strings.Index(review, "```mermaid\n")
		chart := review[start : start+strings.Index(review[start:], "\n```\n")]
		edges := strings.Count(chart, " ---|") + strings.Count(chart, " -->|")
		if edges > report.MaxDiagramEdges {
			t.Errorf("%s: the diagram has %d edges, more than %d", name, edges, report.MaxDiagramEdges)
		}
		if name == "every-region" || name == "every-region-tgw" {
			t.Logf("%s (%d proxy regions): %d diagram edges", name, len(out.cfg.ProxyRegions), edges)
		}
	}
	review := string(synthOf(t, "example").files["review.md"])
	for _, want := range []string{
		"| Cluster | `example` at teleport.example.com (Route 53 zone example.com) |",
		"| Image | SSM parameter `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`, resolved at every apply",
		"| State backend | local: `terraform.<stack>.tfstate` in the project root |",
		"| proxy-us-west-1 | us-west-1 | 2 × m6i.large, 50 GiB | ",
		"#### Role `example-auth`\n\n| Statement | Actions | Resources |",
		"arn:aws:iam::<account-id>:root",
	} {
		if !strings.Contains(review, want) {
			t.Errorf("example review lacks %q", want)
		}
	}
	// An affected release names its advisory in the summary.
	cfg := *synthOf(t, "example").cfg
	cfg.TeleportVersion, cfg.Auth.TeleportVersion = "17.4.8", "17.4.8"
	out, err := report.ReadOutput(writeSynth(t, "example"))
	if err != nil {
		t.Fatal(err)
	}
	r := report.Review(out, report.Context{Cluster: &cfg})
	if !strings.Contains(r, "| Advisories | **CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc)** affects 17.4.8 (fixed in 17.5.2)") {
		t.Errorf("no advisory in the summary:\n%.2000s", r)
	}
	// A line past its end of support says so (TestMain's day is after
	// 17's end).
	if !strings.Contains(r, "| Support | Teleport 17: **past its end of support** (supported through August 2026) |") {
		t.Errorf("no end of support in the summary:\n%.2000s", r)
	}
}

// Nothing hidden: against the output a synth replaces, a client region
// whose record moves, a new record and a removed one appear in the latency
// route table with the reason; a retired proxy region's own clients, who
// have no record, too.
func TestReviewRouteChanges(t *testing.T) {
	read := func(synth string) *report.Output {
		out, err := report.ReadOutput(writeSynth(t, synth))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	base, plus := read("example"), read("example-plus-region")
	added := report.Review(plus, report.Context{Cluster: synthOf(t, "example-plus-region").cfg, Previous: base})
	if !strings.Contains(added, "| ap-southeast-2 | ap-southeast-2 (proxy-ap-southeast-2) | 0 km | its own proxies; **new record**: created when the dns stack applies, after proxy-ap-southeast-2's proxies are healthy") {
		t.Errorf("new record not shown:\n%s", section(added, "## Latency routes"))
	}
	if strings.Contains(added, "**moves**") {
		t.Errorf("a route moves, but no client region is nearer Sydney than before:\n%s", section(added, "## Latency routes"))
	}
	removed := report.Review(base, report.Context{Cluster: synthOf(t, "example").cfg, Previous: plus})
	if !strings.Contains(removed, "| ap-southeast-2 | no record | | **record removed** (it sent these clients to ap-southeast-2); Route 53 answers these clients with the lowest-latency record that remains |") {
		t.Errorf("removed record not shown:\n%s", section(removed, "## Latency routes"))
	}
	retired := string(synthOf(t, "example-retired").files["review.md"])
	if !strings.Contains(retired, "| eu-central-1 | no record | | its proxy region is retired (proxy-eu-central-1 is emptied by this deploy)") {
		t.Errorf("retired region's clients not shown:\n%s", section(retired, "## Latency routes"))
	}
	// Another cluster's output left in the directory is not compared.
	other := report.Review(read("public-four-regions"), report.Context{Cluster: synthOf(t, "public-four-regions").cfg, Previous: base})
	if strings.Contains(other, "**moves**") || strings.Contains(other, "**record removed**") || strings.Contains(other, "**new record**") ||
		!strings.Contains(other, "The output this synth replaced is of another cluster (`example`): the routes are not compared with it.") {
		t.Errorf("another cluster's output compared:\n%s", section(other, "## Latency routes"))
	}
	moved := report.Review(read("example-retired"), report.Context{Cluster: synthOf(t, "example-retired").cfg, Previous: base})
	if !strings.Contains(moved, "| ap-south-1 | us-west-1 (proxy-us-west-1) | ") || !strings.Contains(moved, "**moves** from eu-central-1 (proxy-eu-central-1): an in-place update of the record when the dns stack applies |") {
		t.Errorf("moved route not shown:\n%s", section(moved, "## Latency routes"))
	}
}

// section returns the part of a report from heading to the next "## ".
func section(report, heading string) string {
	i := strings.Index(report, heading)
	if i < 0 {
		return ""
	}
	rest := report[i+len(heading):]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return heading + rest
}

// TestGettingStartedExcerpt: the review report excerpt in
// docs/getting-started.md is a contiguous, line-for-line part of the
// example's golden review (which TestGolden holds to what synth writes), so
// the page cannot drift from the product again. make snapshot rewrites it
// from the new golden (the same number of lines).
func TestGettingStartedExcerpt(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "getting-started.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "golden", "example", "review.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "\n````markdown\n")
	if !ok {
		t.Fatal("docs/getting-started.md has no ````markdown excerpt of the review report")
	}
	excerpt, _, ok := strings.Cut(rest, "\n````\n")
	if !ok {
		t.Fatal("the excerpt in docs/getting-started.md is not closed")
	}
	if len(strings.Split(excerpt, "\n")) < 20 || !strings.HasPrefix(excerpt, "## Summary\n") {
		t.Fatalf("the excerpt should start at the summary and show at least the summary table:\n%s", excerpt)
	}
	if *update {
		// TestGolden may not have rewritten the golden yet: what synth
		// writes now.
		golden = synthOf(t, "example").files["review.md"]
	}
	want := string(golden)[strings.Index(string(golden), "## Summary\n"):]
	if *update {
		// make snapshot: the same number of lines from the new golden.
		n := len(strings.Split(excerpt, "\n"))
		fresh := strings.Join(strings.SplitN(want, "\n", n+1)[:n], "\n")
		if err := os.WriteFile(filepath.Join("docs", "getting-started.md"), []byte(strings.Replace(string(doc), "\n````markdown\n"+excerpt+"\n````\n", "\n````markdown\n"+fresh+"\n````\n", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !strings.Contains(string(golden), "\n"+excerpt+"\n") {
		// Say where it first differs.
		t.Errorf("docs/getting-started.md's excerpt is not what synth writes (testdata/golden/example/review.md); first difference:\n%s", lineDiff(want[:min(len(want), len(excerpt))], excerpt))
	}
}
