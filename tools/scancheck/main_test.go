package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := write("accepted.yaml", `
- rule: AVD-AWS-0053
  resource: aws_lb.proxy
  reason: public entry point
- rule: AVD-AWS-0057
  resource: aws_iam_role_policy
  match: records/*
  reason: object ARNs
`)
	both := write("both.json", `{"results":[
 {"rule_id":"AVD-AWS-0053","resource":"aws_lb.proxy_nlb","description":"Load balancer is exposed publicly."},
 {"rule_id":"AVD-AWS-0057","resource":"aws_iam_role_policy.auth","description":"wildcard in records/*"}]}`)
	onlyLB := write("lb.json", `{"results":[{"rule_id":"AVD-AWS-0053","resource":"aws_lb.proxy_nlb","description":"x"}]}`)
	trivy := write("trivy.json", `{"SchemaVersion":2,"Results":[{"Target":"cdk.tf","Misconfigurations":[
 {"ID":"AWS-0053","Severity":"HIGH","Message":"Load balancer is exposed publicly.","Status":"FAIL","CauseMetadata":{"Resource":"aws_lb.proxy_nlb"}},
 {"ID":"AWS-0104","Severity":"CRITICAL","Message":"unrestricted egress","Status":"PASS","CauseMetadata":{"Resource":"x"}}]}]}`)
	trivyList := write("trivy-accepted.yaml", "- rule: AWS-0053\n  resource: aws_lb.proxy\n  reason: public entry point\n")
	extra := write("extra.json", `{"results":[{"rule_id":"AVD-AWS-0104","resource":"aws_security_group_rule.x","description":"egress to anywhere"}]}`)
	for _, c := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"every finding accepted, every acceptance used", []string{list, both}, 0, "0 not accepted, 0 stale"},
		{"an acceptance no longer needed", []string{list, onlyLB}, 1, "NO LONGER FOUND AVD-AWS-0057"},
		{"a new finding", []string{list, both, extra}, 1, "NOT ACCEPTED AVD-AWS-0104"},
		{"trivy: failed checks only", []string{trivyList, trivy}, 0, "1 finding(s), 1 accepted"},
		{"trivy ids are not tfsec ids", []string{list, trivy}, 1, "NOT ACCEPTED AWS-0053"},
		{"a report that is not JSON", []string{list, list}, 2, ""},
		{"no reports", []string{list}, 2, "usage"},
		{"an entry without a reason", []string{write("bad.yaml", "- rule: X\n  resource: y\n"), both}, 2, "needs rule, resource and reason"},
	} {
		var out, errOut bytes.Buffer
		if code := run(c.args, &out, &errOut); code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", c.name, code, c.code, out.String(), errOut.String())
		}
		if !strings.Contains(out.String()+errOut.String(), c.message) {
			t.Errorf("%s: output lacks %q:\n%s%s", c.name, c.message, out.String(), errOut.String())
		}
	}
}
