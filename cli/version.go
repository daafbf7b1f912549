package cli

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/config"
)

// pinnedModules are the modules whose versions decide the synthesized
// output, as go.mod pins them (read from the binary's build information).
var pinnedModules = []struct{ path, name string }{
	{"github.com/hashicorp/terraform-cdk-go/cdktf", "cdktf"},
	{"github.com/cdktf/cdktf-provider-aws-go/aws/v19", "cdktf-provider-aws-go"},
	{"github.com/aws/constructs-go/constructs/v10", "constructs"},
	{"github.com/aws/jsii-runtime-go", "jsii-runtime-go"},
	{"go.yaml.in/yaml/v3", "yaml"},
}

// changelogRelease is a release heading of CHANGELOG.md ("## [0.3.0] -
// 2026-12-07"); changelogUnreleased the heading of changes not released yet.
var (
	changelogRelease    = regexp.MustCompile(`^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$`)
	changelogUnreleased = regexp.MustCompile(`^## \[Unreleased\]$`)
)

// ChangelogVersion is the app's version as CHANGELOG.md states it: the
// newest release, with "+unreleased" when the Unreleased section above it
// lists changes. The changelog is the one place the version is written.
func ChangelogVersion(changelog []byte) (string, error) {
	unreleased, inUnreleased := false, false
	for _, line := range strings.Split(string(changelog), "\n") {
		line = strings.TrimRight(line, "\r")
		if m := changelogRelease.FindStringSubmatch(line); m != nil {
			if unreleased {
				return m[1] + "+unreleased", nil
			}
			return m[1], nil
		}
		if changelogUnreleased.MatchString(line) {
			inUnreleased = true
			continue
		}
		if inUnreleased && strings.HasPrefix(line, "- ") {
			unreleased = true
		}
	}
	return "", fmt.Errorf("CHANGELOG.md has no release heading (## [X.Y.Z] - YYYY-MM-DD)")
}

// versionText says which app this is and what it is built with: the
// app's version (from CHANGELOG.md) and VCS revision (when the binary was
// built from a checkout), the pinned cdktf, provider and jsii modules, and
// the hashicorp/aws release the provider bindings generate for.
func versionText(info *debug.BuildInfo, ok bool, changelog []byte) string {
	app, err := ChangelogVersion(changelog)
	if err != nil {
		app = "(unknown: " + err.Error() + ")"
	}
	if !ok {
		return "teleport-multi-region " + app + ": no build information (built without module support)\n"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		app += " revision " + rev[:min(12, len(rev))]
		if settings["vcs.modified"] == "true" {
			app += " (modified)"
		}
	}
	out := fmt.Sprintf("teleport-multi-region %s (%s)\n", app, info.GoVersion)
	deps := map[string]string{}
	for _, d := range info.Deps {
		v := d.Version
		if d.Replace != nil {
			v = d.Replace.Version + " (replaced)"
		}
		deps[d.Path] = v
	}
	for _, m := range pinnedModules {
		v := deps[m.path]
		if v == "" {
			v = "(not linked)"
		}
		out += fmt.Sprintf("  %-22s %s\n", m.name, v)
	}
	out += fmt.Sprintf("  %-22s %s (the Terraform provider the bindings are generated for)\n", "hashicorp/aws", config.PinnedAWSProvider)
	out += fmt.Sprintf("  %-22s >= %s, or OpenTofu >= %s (required_version of every stack)\n", "terraform", config.MinTerraform, config.MinOpenTofu)
	return out
}

func version(env Env) int {
	info, ok := debug.ReadBuildInfo()
	fmt.Fprint(env.Stdout, versionText(info, ok, env.Changelog))
	return 0
}

// commands are the command names, for "did you mean".
func commands() []string {
	c := []string{"synth", "validate", "diff", "plan", "apply", "destroy", "emulator", "schema", "version", "help"}
	sort.Strings(c)
	return c
}
