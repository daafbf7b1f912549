// Package report reads a synthesized output directory (cdktf.out) for
// reviewers and operators: what a change rolls out, and in which order.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Rollout is what one stack's instances run: the Teleport release and the
// AMI generation of its launch template, and the template itself.
type Rollout struct {
	Teleport, AMIGeneration string
	// Template is the launch template's Terraform JSON: any change to it
	// makes a new version, and the group launching from it rolls
	// (instance refresh).
	Template string
}

// ReadRollouts reads the rollout of every stack synthesized in outdir, by
// stack name. A missing outdir gives an empty map.
func ReadRollouts(outdir string) (map[string]Rollout, error) {
	out := map[string]Rollout{}
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf.json"))
	if err != nil {
		return nil, err
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		var stack struct {
			Resource struct {
				LaunchTemplates map[string]map[string]any `json:"aws_launch_template"`
			} `json:"resource"`
		}
		if err := json.Unmarshal(data, &stack); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, lt := range stack.Resource.LaunchTemplates {
			data, _ := lt["user_data"].(string)
			script, err := teleportconfig.DecodeUserData(data)
			if err != nil {
				continue
			}
			if v, g, ok := teleportconfig.ParseRolloutMarker(script); ok {
				delete(lt, "//")
				template, _ := json.Marshal(lt)
				out[filepath.Base(filepath.Dir(path))] = Rollout{Teleport: v, AMIGeneration: g, Template: string(template)}
			}
		}
	}
	return out, nil
}

// RolloutPlan says, one line per stack whose instances change, what a new
// synth (after) rolls out compared with the previous one (before), and in
// which order: the auth group first, the proxy groups after it, their new
// instances held in their launch hook until every auth server runs their
// release and AMI generation.
func RolloutPlan(before, after map[string]Rollout, authStack string) []string {
	if len(before) == 0 {
		return []string{"no previous synth to compare with: nothing rolls that was running"}
	}
	var lines []string
	describe := func(b, a Rollout) string {
		var parts []string
		if b.Teleport != a.Teleport {
			parts = append(parts, fmt.Sprintf("Teleport %s -> %s", b.Teleport, a.Teleport))
		}
		if b.AMIGeneration != a.AMIGeneration {
			parts = append(parts, fmt.Sprintf("AMI settings %s -> %s", b.AMIGeneration, a.AMIGeneration))
		}
		if len(parts) == 0 && b.Template != a.Template {
			parts = append(parts, "launch template changed ("+strings.Join(templateChanges(b.Template, a.Template), ", ")+"): the group rolls (instance refresh)")
		}
		return strings.Join(parts, ", ")
	}
	if b, ok := before[authStack]; ok {
		if change := describe(b, after[authStack]); change != "" {
			lines = append(lines, fmt.Sprintf("1. %s: %s; the auth group rolls first, one instance at a time, never more than its count (instance refresh: terminate one, then launch its replacement)", authStack, change))
		}
	}
	var proxies []string
	for name := range after {
		if name != authStack {
			proxies = append(proxies, name)
		}
	}
	sort.Strings(proxies)
	for _, name := range proxies {
		b, ok := before[name]
		if !ok {
			lines = append(lines, fmt.Sprintf("2. %s: new stack at Teleport %s", name, after[name].Teleport))
			continue
		}
		if change := describe(b, after[name]); change != "" {
			lines = append(lines, fmt.Sprintf("2. %s: %s; its new proxies wait in their launch hook until every auth server runs Teleport >= %s and AMI settings %s",
				name, change, after[name].Teleport, after[name].AMIGeneration))
		}
	}
	if len(lines) == 0 {
		return []string{"no launch template changes: no instance rolls"}
	}
	return lines
}

// templateChanges lists the attributes that differ between two launch
// templates' JSON (user data as one attribute).
func templateChanges(before, after string) []string {
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	o, n := map[string]string{}, map[string]string{}
	flatten("aws_launch_template", "", b, o)
	flatten("aws_launch_template", "", a, n)
	seen := map[string]bool{}
	for k := range o {
		if o[k] != n[k] {
			seen[attrPath(k)] = true
		}
	}
	for k := range n {
		if o[k] != n[k] {
			seen[attrPath(k)] = true
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
