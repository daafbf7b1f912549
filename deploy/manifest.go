// Package deploy runs Terraform over a synthesized output directory: init,
// plan, apply and destroy of every stack in the dependency order of
// cdktf.out/manifest.json (reverse order for destroy), independent stacks side
// by side. It replaces `cdktf deploy`, whose CLI was archived upstream on
// 2025-12-10; it drives the terraform binary (or TERRAFORM_BINARY, e.g.
// OpenTofu) through HashiCorp's terraform-exec and reads plans with
// terraform-json, never Terraform's text output.
package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Stack is one stack of the manifest.
type Stack struct {
	// Name is the stack's name (its directory under stacks/).
	Name string
	// Dir is the stack's working directory: <outdir>/stacks/<name>.
	Dir string
	// Dependencies are the stacks whose outputs it reads (deployed first).
	Dependencies []string
	// Resources is the number of managed resources its JSON declares.
	Resources int
}

// Manifest is the stacks of an output directory.
type Manifest struct {
	Outdir string
	// Stacks in name order.
	Stacks []Stack
}

// ReadManifest reads <outdir>/manifest.json, as cdktf writes it, and checks
// that it names a deployable graph: every dependency exists and there is no
// cycle.
func ReadManifest(outdir string) (*Manifest, error) {
	path := filepath.Join(outdir, "manifest.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s (synthesize first: go run .): %w", path, err)
	}
	var raw struct {
		Stacks map[string]struct {
			Name                 string   `json:"name"`
			SynthesizedStackPath string   `json:"synthesizedStackPath"`
			WorkingDirectory     string   `json:"workingDirectory"`
			Dependencies         []string `json:"dependencies"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(raw.Stacks) == 0 {
		return nil, fmt.Errorf("%s lists no stacks", path)
	}
	m := &Manifest{Outdir: outdir}
	for name, s := range raw.Stacks {
		if s.SynthesizedStackPath == "" || strings.HasSuffix(s.SynthesizedStackPath, ".tf") {
			return nil, fmt.Errorf("%s: stack %s has no JSON rendering (%q); synthesize without SYNTH_HCL_OUTPUT", path, name, s.SynthesizedStackPath)
		}
		file := filepath.Join(outdir, filepath.FromSlash(s.SynthesizedStackPath))
		n, err := countResources(file)
		if err != nil {
			return nil, err
		}
		deps := slices.Clone(s.Dependencies)
		slices.Sort(deps)
		m.Stacks = append(m.Stacks, Stack{Name: name, Dir: filepath.Dir(file), Dependencies: deps, Resources: n})
	}
	slices.SortFunc(m.Stacks, func(a, b Stack) int { return strings.Compare(a.Name, b.Name) })
	for _, s := range m.Stacks {
		for _, d := range s.Dependencies {
			if m.Stack(d) == nil {
				return nil, fmt.Errorf("%s: stack %s depends on %s, which the manifest does not list", path, s.Name, d)
			}
		}
	}
	if _, err := m.Order(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Stack returns the stack named name, or nil.
func (m *Manifest) Stack(name string) *Stack {
	for i := range m.Stacks {
		if m.Stacks[i].Name == name {
			return &m.Stacks[i]
		}
	}
	return nil
}

// Order returns the stacks in waves: every stack of a wave depends only on
// stacks of earlier waves, and each stack is in the earliest wave it can be.
// The number of waves is the longest dependency chain.
func (m *Manifest) Order() ([][]string, error) {
	done := map[string]bool{}
	var waves [][]string
	for len(done) < len(m.Stacks) {
		var wave []string
		for _, s := range m.Stacks {
			if done[s.Name] {
				continue
			}
			ready := true
			for _, d := range s.Dependencies {
				ready = ready && done[d]
			}
			if ready {
				wave = append(wave, s.Name)
			}
		}
		if len(wave) == 0 {
			var left []string
			for _, s := range m.Stacks {
				if !done[s.Name] {
					left = append(left, s.Name)
				}
			}
			return nil, fmt.Errorf("stacks %s depend on each other in a cycle", strings.Join(left, ", "))
		}
		for _, n := range wave {
			done[n] = true
		}
		waves = append(waves, wave)
	}
	return waves, nil
}

// dependents returns the stacks that depend on name directly.
func (m *Manifest) dependents(name string) []string {
	var out []string
	for _, s := range m.Stacks {
		if slices.Contains(s.Dependencies, name) {
			out = append(out, s.Name)
		}
	}
	return out
}

// names returns the stack names in order.
func (m *Manifest) names() []string {
	var out []string
	for _, s := range m.Stacks {
		out = append(out, s.Name)
	}
	return out
}

// upstream returns every stack name depends on, directly or not, sorted.
func (m *Manifest) upstream(name string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		s := m.Stack(n)
		if s == nil {
			return
		}
		for _, d := range s.Dependencies {
			if !seen[d] {
				seen[d] = true
				walk(d)
			}
		}
	}
	walk(name)
	return slices.Sorted(maps.Keys(seen))
}

// countResources counts the managed resources a stack's JSON declares.
func countResources(file string) (int, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Resource map[string]map[string]json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	n := 0
	for _, byName := range doc.Resource {
		n += len(byName)
	}
	return n, nil
}
