// Command scancheck fails when a tfsec or Trivy JSON report holds a finding
// that security/accepted-findings.yaml does not accept, or when an accepted
// finding no longer occurs (the list must shrink when a finding is fixed).
// tfsec rule ids carry the AVD- prefix (AVD-AWS-0104), Trivy's do not
// (AWS-0104), so an entry says which scanner it accepts a finding of.
// tfsec's own ignore mechanisms are comments in the Terraform source, which
// this project generates, or whole-rule exclusions, which would hide new
// findings of the same rule; this keeps every accepted finding narrow and
// explained.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

type accepted struct {
	Rule     string `yaml:"rule"`
	Resource string `yaml:"resource"` // substring of the resource address
	Match    string `yaml:"match"`    // substring of the description
	Reason   string `yaml:"reason"`
}

type finding struct {
	RuleID      string `json:"rule_id"`
	Severity    string `json:"severity"`
	Resource    string `json:"resource"`
	Description string `json:"description"`
}

type report struct {
	Results []finding `json:"results"`
}

// trivyReport is `trivy config --format json`: misconfigurations per file;
// only those with status FAIL are findings.
type trivyReport struct {
	SchemaVersion int `json:"SchemaVersion"`
	Results       []struct {
		Misconfigurations []struct {
			ID            string `json:"ID"`
			Severity      string `json:"Severity"`
			Message       string `json:"Message"`
			Status        string `json:"Status"`
			CauseMetadata struct {
				Resource string `json:"Resource"`
			} `json:"CauseMetadata"`
		} `json:"Misconfigurations"`
	} `json:"Results"`
}

// parseReport reads a tfsec or a Trivy report (Trivy's has SchemaVersion).
func parseReport(raw []byte) ([]finding, error) {
	var t trivyReport
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if t.SchemaVersion != 0 {
		var out []finding
		for _, r := range t.Results {
			for _, m := range r.Misconfigurations {
				if m.Status == "FAIL" {
					out = append(out, finding{RuleID: m.ID, Severity: m.Severity, Resource: m.CauseMetadata.Resource, Description: m.Message})
				}
			}
		}
		return out, nil
	}
	var r report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return r.Results, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns 0 when every finding is accepted and every acceptance is used,
// 1 when not, and 2 on unreadable input.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(stderr, "usage: scancheck ACCEPTED.yaml REPORT.json...")
		return 2
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var list []accepted
	if err := yaml.Unmarshal(data, &list); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		return 2
	}
	for i, a := range list {
		if a.Rule == "" || a.Resource == "" || strings.TrimSpace(a.Reason) == "" {
			fmt.Fprintf(stderr, "%s: entry %d needs rule, resource and reason\n", args[0], i)
			return 2
		}
	}
	var findings []finding
	for _, path := range args[1:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		found, err := parseReport(raw)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			return 2
		}
		findings = append(findings, found...)
	}
	rejected, unused := check(list, findings)
	for _, f := range rejected {
		fmt.Fprintf(stdout, "NOT ACCEPTED %s %s %s: %s\n", f.RuleID, f.Severity, f.Resource, f.Description)
	}
	for _, a := range unused {
		fmt.Fprintf(stdout, "NO LONGER FOUND %s on %s (%q): remove it from %s\n", a.Rule, a.Resource, a.Match, args[0])
	}
	fmt.Fprintf(stdout, "scan: %d finding(s), %d accepted, %d not accepted, %d stale acceptance(s)\n",
		len(findings), len(findings)-len(rejected), len(rejected), len(unused))
	if len(rejected) > 0 || len(unused) > 0 {
		return 1
	}
	return 0
}

// check returns the findings no entry accepts and the entries that accept
// no finding.
func check(list []accepted, findings []finding) (rejected []finding, unused []accepted) {
	used := make([]bool, len(list))
	for _, f := range findings {
		ok := false
		for i, a := range list {
			if a.Rule == f.RuleID && strings.Contains(f.Resource, a.Resource) && strings.Contains(f.Description, a.Match) {
				used[i], ok = true, true
			}
		}
		if !ok {
			rejected = append(rejected, f)
		}
	}
	for i, a := range list {
		if !used[i] {
			unused = append(unused, a)
		}
	}
	return rejected, unused
}
