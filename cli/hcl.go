package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/regions"
)

// cdktf 0.20.11's HCL renderer (SYNTH_HCL_OUTPUT=true) writes three things
// Terraform refuses, all rendered correctly in the JSON: a string that
// holds both JSON and a reference (a dashboard body naming other
// resources) with its quotes unescaped (`= "{"widgets":...}"`); a lifecycle
// postcondition as an argument holding a list of objects
// ("postcondition = [ {...}, ]") where Terraform needs one block per
// condition, and the stack override of terraform.required_version as
// `0 = "required_version"`, its value lost. cdktf is archived (no fix will
// come), so synth repairs its HCL after rendering; TestHCLPlansLikeJSON
// (package e2e) plans both renderings of a stack with the real provider
// and requires the same plan.
var (
	brokenRequiredVersion = regexp.MustCompile(`(?m)^[ \t]*0 = "required_version"$`)
	postconditionList     = regexp.MustCompile(`(?m)^([ \t]*)postcondition = \[\n((?:.*\n)*?)[ \t]*\]\n`)
	listedObject          = regexp.MustCompile(`(?m)^\{\n((?:.*\n)*?)\},\n`)
	// A quoted argument whose value starts with an unescaped JSON object
	// (an escaped one starts with {\").
	unescapedJSON = regexp.MustCompile(`(?m)^([ \t]*[A-Za-z0-9_-]+ = )"(\{".*)"$`)
)

// escapeQuotes escapes the double quotes of s outside its ${...}
// interpolations, whose references hold none.
func escapeQuotes(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case depth == 0 && strings.HasPrefix(s[i:], "${"):
			depth = 1
			b.WriteString("${")
			i++
			continue
		case depth > 0 && s[i] == '{':
			depth++
		case depth > 0 && s[i] == '}':
			depth--
		case depth == 0 && s[i] == '"':
			b.WriteString(`\"`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// repairHCL rewrites the three constructs in text, as cdktf renders them.
func repairHCL(src string) string {
	src = unescapedJSON.ReplaceAllStringFunc(src, func(line string) string {
		m := unescapedJSON.FindStringSubmatch(line)
		return m[1] + `"` + escapeQuotes(m[2]) + `"`
	})
	src = brokenRequiredVersion.ReplaceAllString(src, `required_version = ">= `+config.MinTerraform+`"`)
	return postconditionList.ReplaceAllStringFunc(src, func(list string) string {
		m := postconditionList.FindStringSubmatch(list)
		indent, body := m[1], m[2]
		return listedObject.ReplaceAllString(body, indent+"postcondition {\n$1"+indent+"}\n")
	})
}

// repairHCLOutput repairs every stack's cdk.tf under outdir.
func repairHCLOutput(outdir string) error {
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf"))
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if fixed := repairHCL(string(data)); fixed != string(data) {
			if err := os.WriteFile(f, []byte(fixed), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// addRemovedHCL writes the removed blocks of moves (regions.Moves) into the
// HCL rendering, which drops them: they are a stack override there, and
// cdktf 0.20.11 renders only the terraform block and locals of a stack's
// overrides. Without them a proxy stack would destroy what its mesh stack
// imports.
func addRemovedHCL(outdir string, cfg *config.Cluster, moves *regions.Moves) error {
	if moves == nil {
		return nil
	}
	for region, addrs := range moves.Forget {
		f := filepath.Join(outdir, "stacks", cfg.Names().ProxyStack(region), "cdk.tf")
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var b strings.Builder
		b.Write(data)
		for _, a := range addrs {
			fmt.Fprintf(&b, "\nremoved {\n  from = %s\n  lifecycle {\n    destroy = false\n  }\n}\n", a)
		}
		if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
