package cli

import (
	"fmt"
	"runtime/debug"
	"sort"

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

// versionText says which app this is and what it is built with: the
// app's module version and VCS revision (when the binary was built from a
// checkout), the pinned cdktf, provider and jsii modules, and the
// hashicorp/aws release the provider bindings generate for.
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "teleport-multi-region: no build information (built without module support)\n"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	app := info.Main.Version
	if app == "" {
		app = "(devel)"
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
	return out
}

func version(env Env) int {
	info, ok := debug.ReadBuildInfo()
	fmt.Fprint(env.Stdout, versionText(info, ok))
	return 0
}

// commands are the command names, for "did you mean".
func commands() []string {
	c := []string{"synth", "validate", "diff", "plan", "apply", "destroy", "emulator", "schema", "version", "help"}
	sort.Strings(c)
	return c
}
