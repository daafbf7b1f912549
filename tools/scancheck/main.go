// Command scancheck fails when a tfsec JSON report holds a finding that
// security/accepted-findings.yaml does not accept. tfsec's own ignore
// mechanisms are comments in the Terraform source, which this project
// generates, or whole-rule exclusions, which would hide new findings of the
// same rule; this keeps every accepted finding narrow and explained.
package main

import (
	"encoding/json"
	"fmt"
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

type report struct {
	Results []struct {
		RuleID      string `json:"rule_id"`
		Severity    string `json:"severity"`
		Resource    string `json:"resource"`
		Description string `json:"description"`
	} `json:"results"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: scancheck ACCEPTED.yaml REPORT.json...")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var list []accepted
	if err := yaml.Unmarshal(data, &list); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(2)
	}
	for i, a := range list {
		if a.Rule == "" || a.Resource == "" || strings.TrimSpace(a.Reason) == "" {
			fmt.Fprintf(os.Stderr, "%s: entry %d needs rule, resource and reason\n", os.Args[1], i)
			os.Exit(2)
		}
	}
	failed, total := 0, 0
	for _, path := range os.Args[2:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var r report
		if err := json.Unmarshal(raw, &r); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(2)
		}
		for _, res := range r.Results {
			total++
			ok := false
			for _, a := range list {
				if a.Rule == res.RuleID && strings.Contains(res.Resource, a.Resource) && strings.Contains(res.Description, a.Match) {
					ok = true
					break
				}
			}
			if !ok {
				failed++
				fmt.Printf("NOT ACCEPTED %s %s %s: %s (%s)\n", res.RuleID, res.Severity, res.Resource, res.Description, path)
			}
		}
	}
	fmt.Printf("scan: %d finding(s), %d accepted, %d not accepted\n", total, total-failed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
