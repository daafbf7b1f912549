package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// MirrorEnv names a Terraform provider filesystem mirror (a directory that
// holds registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/) for
// terraform init; "registry" forces the public registry.
const MirrorEnv = "TERRAFORM_PROVIDER_MIRROR"

// awsProviderPath is the AWS provider's place in a mirror (Terraform's
// "unpacked" filesystem mirror layout).
const awsProviderPath = "registry.terraform.io/hashicorp/aws"

// OverrideFile is the Terraform override file the runner writes into every
// stack directory when a stack needs settings the synthesized JSON does not
// carry (a mirror's provider version, an emulator's endpoint settings).
// Terraform merges *_override.tf.json files over the configuration
// (Terraform docs: "Override Files"), so the synthesized file stays as
// reviewed.
const OverrideFile = "zz_deploy_override.tf.json"

// Mirror is a provider filesystem mirror.
type Mirror struct {
	// Dir is the mirror's root, passed to terraform init -plugin-dir.
	Dir string
	// Versions are the AWS provider versions it holds for this platform.
	Versions []string
}

// FindMirror returns the provider mirror to use: $TERRAFORM_PROVIDER_MIRROR,
// else Terraform's implicit local mirror directories, else a search of the
// file system's top levels; nil when there is none (terraform init then uses
// the registry, as on any machine with internet).
func FindMirror(getenv func(string) string) (*Mirror, error) {
	if dir := getenv(MirrorEnv); dir != "" {
		if dir == "registry" {
			return nil, nil
		}
		m := readMirror(dir)
		if m == nil {
			return nil, fmt.Errorf("%s=%s holds no %s/<version>/%s_%s/terraform-provider-aws_*", MirrorEnv, dir, awsProviderPath, runtime.GOOS, runtime.GOARCH)
		}
		return m, nil
	}
	// Terraform's implicit local mirrors (CLI configuration docs,
	// "Implied Local Mirror Directories").
	var implicit []string
	if home := getenv("HOME"); home != "" {
		implicit = append(implicit, filepath.Join(home, ".terraform.d", "plugins"))
	}
	implicit = append(implicit, "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
	for _, dir := range implicit {
		if m := readMirror(dir); m != nil {
			return m, nil
		}
	}
	return searchMirror("/", 4), nil
}

// searchMirror walks root to depth for a directory named
// registry.terraform.io that holds the AWS provider, skipping virtual file
// systems and Terraform's own per-directory copies.
func searchMirror(root string, depth int) *Mirror {
	var found *Mirror
	skip := map[string]bool{"/proc": true, "/sys": true, "/dev": true, "/run": true}
	base := strings.Count(filepath.Clean(root), string(filepath.Separator))
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if skip[path] || d.Name() == ".terraform" || d.Name() == ".git" || d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if d.Name() == "registry.terraform.io" {
			if m := readMirror(filepath.Dir(path)); m != nil {
				found = m
				return filepath.SkipAll
			}
			return filepath.SkipDir
		}
		if strings.Count(path, string(filepath.Separator))-base >= depth {
			return filepath.SkipDir
		}
		return nil
	})
	return found
}

// readMirror returns the mirror at dir, or nil if it holds no AWS provider
// for this platform.
func readMirror(dir string) *Mirror {
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(awsProviderPath)))
	if err != nil {
		return nil
	}
	m := &Mirror{Dir: dir}
	for _, e := range entries {
		bins, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(awsProviderPath), e.Name(), runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-aws*"))
		if len(bins) > 0 {
			m.Versions = append(m.Versions, e.Name())
		}
	}
	if len(m.Versions) == 0 {
		return nil
	}
	slices.Sort(m.Versions)
	return m
}

// stackOverride is what writeOverride needs to know of a stack's JSON.
type stackOverride struct {
	// Pin is the AWS provider version constraint the stack requires.
	Pin string
	// Aliases are the aliases of its AWS provider blocks ("" is the default).
	Aliases []string
	// RemoteStates maps its terraform_remote_state data sources to the
	// stack each reads (the state file's or key's base name).
	RemoteStates map[string]string
}

func readStackOverride(dir string) (stackOverride, error) {
	file := filepath.Join(dir, "cdk.tf.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return stackOverride{}, err
	}
	var doc struct {
		Terraform struct {
			RequiredProviders map[string]struct {
				Version string `json:"version"`
			} `json:"required_providers"`
		} `json:"terraform"`
		Provider map[string][]struct {
			Alias string `json:"alias"`
		} `json:"provider"`
		Data struct {
			RemoteState map[string]struct {
				Config struct {
					Path string `json:"path"`
					Key  string `json:"key"`
				} `json:"config"`
			} `json:"terraform_remote_state"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return stackOverride{}, fmt.Errorf("%s: %w", file, err)
	}
	o := stackOverride{Pin: doc.Terraform.RequiredProviders["aws"].Version}
	for _, p := range doc.Provider["aws"] {
		o.Aliases = append(o.Aliases, p.Alias)
	}
	o.RemoteStates = map[string]string{}
	for name, rs := range doc.Data.RemoteState {
		file := rs.Config.Path
		if file == "" {
			file = rs.Config.Key
		}
		producer := strings.TrimPrefix(strings.TrimSuffix(path.Base(file), ".tfstate"), "terraform.")
		o.RemoteStates[name] = producer
	}
	return o, nil
}

// writeOverride writes (or removes) the stack's override file: the AWS
// provider's version constraint widened to ">= pin" when the mirror does not
// hold the pinned version, and settings for every AWS provider block.
func writeOverride(dir string, mirror *Mirror, settings map[string]any, localState string) error {
	path := filepath.Join(dir, OverrideFile)
	o, err := readStackOverride(dir)
	if err != nil {
		return err
	}
	doc := map[string]any{}
	if mirror != nil && o.Pin != "" && !slices.Contains(mirror.Versions, strings.TrimPrefix(o.Pin, "= ")) {
		doc["terraform"] = map[string]any{"required_providers": map[string]any{
			"aws": map[string]any{"version": ">= " + strings.TrimLeft(o.Pin, "=~>< ")},
		}}
	}
	if len(settings) > 0 && len(o.Aliases) > 0 {
		var blocks []map[string]any
		for _, alias := range o.Aliases {
			b := map[string]any{}
			for k, v := range settings {
				b[k] = v
			}
			if alias != "" {
				b["alias"] = alias
			}
			blocks = append(blocks, b)
		}
		doc["provider"] = map[string]any{"aws": blocks}
	}
	if localState != "" {
		tf, _ := doc["terraform"].(map[string]any)
		if tf == nil {
			tf = map[string]any{}
			doc["terraform"] = tf
		}
		tf["backend"] = map[string]any{"local": map[string]any{"path": filepath.Join(localState, "terraform."+filepath.Base(dir)+".tfstate")}}
		reads := map[string]any{}
		for name, producer := range o.RemoteStates {
			reads[name] = map[string]any{
				"backend": "local",
				"config":  map[string]any{"path": filepath.Join(localState, "terraform."+producer+".tfstate")},
			}
		}
		if len(reads) > 0 {
			doc["data"] = map[string]any{"terraform_remote_state": reads}
		}
	}
	if len(doc) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
