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
	// Group is the Terraform JSON of the Auto Scaling group launching from
	// the template, and Subnets that of the subnets it launches into (by
	// address): a change that replaces either replaces instances at once.
	Group   string
	Subnets map[string]string
}

// ReadRollouts reads the rollout of every stack synthesized in outdir, by
// stack name. A missing outdir gives an empty map.
func ReadRollouts(outdir string) (map[string]Rollout, error) {
	out := map[string]Rollout{}
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf.json"))
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		var stack struct {
			Resource struct {
				LaunchTemplates map[string]map[string]any `json:"aws_launch_template"`
				Groups          map[string]map[string]any `json:"aws_autoscaling_group"`
				Subnets         map[string]map[string]any `json:"aws_subnet"`
			} `json:"resource"`
		}
		if err := json.Unmarshal(data, &stack); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for id, lt := range stack.Resource.LaunchTemplates {
			data, _ := lt["user_data"].(string)
			script, err := teleportconfig.DecodeUserData(data)
			if err != nil {
				continue
			}
			if v, g, ok := teleportconfig.ParseRolloutMarker(script); ok {
				r := Rollout{Teleport: v, AMIGeneration: g, Template: withoutMetadata(lt), Subnets: map[string]string{}}
				for _, grp := range stack.Resource.Groups {
					if !strings.Contains(fmt.Sprint(path(grp, "launch_template", "id")), "aws_launch_template."+id+".") {
						continue
					}
					r.Group = withoutMetadata(grp)
					for sid, s := range stack.Resource.Subnets {
						if strings.Contains(r.Group, "${aws_subnet."+sid+".id}") {
							r.Subnets[sid] = withoutMetadata(s)
						}
					}
				}
				out[filepath.Base(filepath.Dir(file))] = r
			}
		}
	}
	return out, nil
}

// FirstRollout is the whole rollout plan of a synth with nothing of the
// cluster to compare with: no earlier output in the directory, or one of
// another cluster.
const FirstRollout = "nothing to roll out yet: no earlier synth of this cluster in this directory, so every group starts new when it is first deployed"

// RolloutPlan says, one line per stack whose instances change, what a new
// synth (after) rolls out compared with the previous one (before), and in
// which order: the auth group first, the proxy groups after it, their new
// instances held in their launch hook until every auth server runs their
// release and AMI generation. A stack new in after starts its instances
// (nothing of it runs yet, so nothing rolls there). before must be of the
// same cluster (or empty).
func RolloutPlan(before, after map[string]Rollout, authStack string) []string {
	if len(before) == 0 {
		return []string{FirstRollout}
	}
	var lines []string
	// describe says what changes for a group and whether it rolls (an
	// instance refresh, one step at a time) rather than being replaced.
	describe := func(b, a Rollout) (string, bool) {
		var parts []string
		if b.Teleport != a.Teleport {
			parts = append(parts, fmt.Sprintf("Teleport %s -> %s", b.Teleport, a.Teleport))
		}
		if b.AMIGeneration != a.AMIGeneration {
			parts = append(parts, fmt.Sprintf("AMI settings %s -> %s", b.AMIGeneration, a.AMIGeneration))
		}
		if len(parts) == 0 && b.Template != a.Template {
			changed, replaced := bodyChanges("aws_launch_template", b.Template, a.Template)
			if replaced {
				return "launch template replaced (" + strings.Join(changed, ", ") + "): every instance of the group is replaced at once, not rolled", false
			}
			parts = append(parts, "launch template changed ("+strings.Join(changed, ", ")+"): the group rolls (instance refresh)")
		}
		if b.Group != "" && a.Group != "" && b.Group != a.Group {
			if changed, replaced := bodyChanges("aws_autoscaling_group", b.Group, a.Group); replaced {
				return "Auto Scaling group replaced (" + strings.Join(changed, ", ") + "): every instance at once, not a roll", false
			}
		}
		var moved []string
		for id, s := range a.Subnets {
			if old, ok := b.Subnets[id]; ok && old != s {
				if changed, replaced := bodyChanges("aws_subnet", old, s); replaced {
					moved = append(moved, fmt.Sprintf("%s (%s)", id, strings.Join(changed, ", ")))
				}
			}
		}
		if len(moved) > 0 {
			sort.Strings(moved)
			return "subnets replaced: " + strings.Join(moved, "; ") + ": the instances in them are terminated with them, not rolled", false
		}
		return strings.Join(parts, ", "), true
	}
	if b, ok := before[authStack]; !ok {
		lines = append(lines, fmt.Sprintf("1. %s: new stack: its auth servers start at Teleport %s; nothing of it runs yet, so nothing rolls", authStack, after[authStack].Teleport))
	} else if change, rolls := describe(b, after[authStack]); change != "" {
		how := ""
		if rolls {
			how = "; the auth group rolls first, one instance at a time, never more than its count (instance refresh: terminate one, then launch its replacement)"
		}
		lines = append(lines, fmt.Sprintf("1. %s: %s%s", authStack, change, how))
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
			lines = append(lines, fmt.Sprintf("2. %s: new stack: its proxies start at Teleport %s, each held in its launch hook until every auth server runs it; nothing of it runs yet, so nothing rolls", name, after[name].Teleport))
			continue
		}
		if change, _ := describe(b, after[name]); change != "" {
			lines = append(lines, fmt.Sprintf("2. %s: %s; its new proxies wait in their launch hook until every auth server runs Teleport >= %s and AMI settings %s",
				name, change, after[name].Teleport, after[name].AMIGeneration))
		}
	}
	if len(lines) == 0 {
		return []string{"no launch template, group or subnet of a group changes: no instance rolls"}
	}
	return lines
}

// bodyChanges lists the attributes that differ between two resource
// bodies of type typ (Terraform JSON; user data as one attribute, those in
// lifecycle.ignore_changes left out) and says whether one forces
// replacement.
func bodyChanges(typ, before, after string) ([]string, bool) {
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	ignored := ignoreChanges(a)
	o, n := map[string]string{}, map[string]string{}
	for k, v := range b {
		if !metaArguments[k] {
			flatten(typ, k, v, o)
		}
	}
	for k, v := range a {
		if !metaArguments[k] {
			flatten(typ, k, v, n)
		}
	}
	seen := map[string]bool{}
	for _, m := range []map[string]string{o, n} {
		for k := range m {
			if o[k] != n[k] && !ignored(attrPath(k)) {
				seen[attrPath(k)] = true
			}
		}
	}
	replaced := false
	var out []string
	for k := range seen {
		out = append(out, k)
		replaced = replaced || forcesReplacement(typ, k)
	}
	sort.Strings(out)
	return out, replaced
}

func withoutMetadata(body map[string]any) string {
	clean := map[string]any{}
	for k, v := range body {
		if k != "//" {
			clean[k] = v
		}
	}
	raw, _ := json.Marshal(clean)
	return string(raw)
}
