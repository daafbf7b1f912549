// Package cli is the command line of the app: synthesize (the default, what
// cdktf.json runs), validate a config without starting jsii, diff two
// synthesized output directories, and print the config's JSON schema.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/deploy"
	"github.com/example/teleport-multi-region/internal/nodeopts"
	"github.com/example/teleport-multi-region/internal/words"
	"github.com/example/teleport-multi-region/regions"
)

// DefaultConfigFile is read when CLUSTER_CONFIG is unset and no file is
// named.
const DefaultConfigFile = "cluster.yaml"

// Env is what a command may use of its process.
type Env struct {
	Stdout, Stderr io.Writer
	// Getenv reads the environment (os.Getenv in main).
	Getenv func(string) string
	// Example is the embedded example config, used when no config file
	// exists.
	Example []byte
	// Changelog is the embedded CHANGELOG.md, which states the version.
	Changelog []byte
}

const usage = `teleport-multi-region synthesizes the Terraform of a Teleport multi-region
proxy deployment on AWS (cdktf).

Usage:
  go run .                     synthesize the cluster config into cdktf.out/ (what cdktf.json runs)
  go run . synth               the same
  go run . validate [FILE]     check a config without synthesizing (exit 0 or 1; well under a second)
  go run . diff OLD NEW        what Terraform would do between two synthesized outputs, as Markdown; exit 0 none, 2 changes, 3 dangerous
  go run . plan [--local]      terraform init and plan of every stack in dependency order; a summary per stack
  go run . apply [--local]     the same, then apply each stack's saved plan; stops at the first failure
  go run . destroy [--local]   destroy every stack, dependents first (prevent_destroy refuses protected state)
                               --local rehearses against a local AWS emulator (moto) it starts and seeds;
                               --endpoint URL against a running one; --concurrency N stacks side by side
                               (default 4); --parallelism N is terraform's -parallelism in each stack
                               (default 10); --only a,b runs those stacks only; --outdir DIR reads another
                               synthesized output (default $CDKTF_OUTDIR, else cdktf.out)
  go run . emulator [--port N] start a seeded local emulator until Ctrl-C (for rehearsals of several steps);
                               --port N listens on that loopback port (default: a free one)
  go run . schema              print the JSON schema of the config (config/cluster.schema.json)
  go run . version             the app's version and the pinned cdktf, provider and jsii versions
  go run . help                this text

The config is FILE, else $CLUSTER_CONFIG, else ./cluster.yaml (or ./cluster.yml), else the embedded
example; a config under another name here (cluster-prod.yaml, or any YAML file with cluster_name:)
is an error naming it, never silently replaced by the example.

Environment:
  CLUSTER_CONFIG      the config file to synthesize or validate
  CDKTF_OUTDIR        output directory (set by the cdktf CLI; default cdktf.out)
  CDKTF_CONTEXT_JSON  set by the cdktf CLI; progress then goes to stdout, which it shows as-is
  SYNTH_HCL_OUTPUT    true writes HCL (cdk.tf) instead of JSON (cdk.tf.json)
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION
                      silences jsii's end-of-life banner for that Node.js major version (the Makefile sets 20)
  JSII_NODE           the Node.js binary jsii runs (default: node on PATH)
  SYNTH_LAZY_PROVIDERS
                      false loads every namespace of the AWS provider when Node.js starts, as jsii does by
                      itself (slower, more memory); by default they load on first use, output identical
  TERRAFORM_BINARY    the terraform executable for plan, apply and destroy (e.g. tofu; default terraform)
  TERRAFORM_PROVIDER_MIRROR
                      a provider filesystem mirror for terraform init (default: Terraform's implicit mirror
                      directories, else one found on this machine, else the registry; "registry" forces it)
  EMULATOR_PYTHON     the Python with moto 5 for --local and emulator (default python3)
  NODE_OPTIONS        kept; the app adds a Node.js preload (--import=data:...) for the lazy loading
`

// Main runs the command in args and returns the process exit status.
func Main(args []string, env Env) int {
	cmd := "synth"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "synth":
		if len(args) != 0 {
			return usageError(env, "synth takes no arguments; name the config with CLUSTER_CONFIG")
		}
		return synth(env)
	case "validate":
		if len(args) > 1 {
			return usageError(env, "validate takes at most one file")
		}
		return validate(env, args)
	case "diff":
		if len(args) != 2 {
			usageError(env, "diff takes two output directories: OLD NEW")
			return 1 // 2 would read as "changes" in CI
		}
		return diff(env, args[0], args[1])
	case "plan":
		return deployCommand(env, deploy.Plan, args)
	case "apply":
		return deployCommand(env, deploy.Apply, args)
	case "destroy":
		return deployCommand(env, deploy.Destroy, args)
	case "emulator":
		return emulatorCommand(env, args)
	case "schema":
		return schema(env)
	case "version", "-version", "--version":
		return version(env)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	if best := config.Suggest(cmd, commands()); best != "" {
		return usageError(env, fmt.Sprintf("unknown command %q; did you mean %q?", cmd, best))
	}
	return usageError(env, fmt.Sprintf("unknown command %q", cmd))
}

func usageError(env Env, msg string) int {
	fmt.Fprintf(env.Stderr, "error: %s\n\n%s", msg, usage)
	return 2
}

// AltConfigFile is read when DefaultConfigFile does not exist.
const AltConfigFile = "cluster.yml"

// loadConfig finds, reads and validates the cluster config: file, else
// $CLUSTER_CONFIG, else ./cluster.yaml or ./cluster.yml, else the embedded
// example. A config under another name in the working directory
// (Cluster.yaml, cluster-prod.yaml) is named in an error, never silently
// replaced by the example.
func loadConfig(env Env, file string) (*config.Cluster, string, error) {
	if file == "" {
		file = env.Getenv("CLUSTER_CONFIG")
	}
	if file != "" {
		cfg, err := config.Load(file)
		return cfg, file, err
	}
	var found []string
	for _, name := range []string{DefaultConfigFile, AltConfigFile} {
		if _, err := os.Stat(name); err == nil {
			found = append(found, name)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("config file %s: %w", name, err)
		}
	}
	switch len(found) {
	case 1:
		cfg, err := config.Load(found[0])
		return cfg, found[0], err
	case 2:
		return nil, "", fmt.Errorf("both %s and %s exist; keep one, or name it with CLUSTER_CONFIG", DefaultConfigFile, AltConfigFile)
	}
	if others := lookalikeConfigs("."); len(others) > 0 {
		return nil, "", fmt.Errorf("no %s here, but %s looks like a cluster config; rename it to %s or set CLUSTER_CONFIG=%s (the embedded example is used only where no config is found)",
			DefaultConfigFile, strings.Join(others, ", "), DefaultConfigFile, others[0])
	}
	const source = "examples/cluster.yaml (embedded; set CLUSTER_CONFIG or create cluster.yaml to use your own)"
	cfg, err := config.Parse(env.Example, "embedded example")
	return cfg, source, err
}

// lookalikeConfigs lists the files of dir that are probably a cluster
// config under another name: cluster*.yaml / .yml in any case, or any
// YAML file holding a cluster_name key.
func lookalikeConfigs(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		lower := strings.ToLower(name)
		if e.IsDir() || !(strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml")) {
			continue
		}
		if strings.HasPrefix(lower, "cluster") {
			out = append(out, name)
			continue
		}
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(data) <= config.MaxFileBytes && clusterKeyRe.Match(data) {
			out = append(out, name)
		}
	}
	return out
}

var clusterKeyRe = regexp.MustCompile(`(?m)^cluster_name:`)

func validate(env Env, args []string) int {
	file := ""
	if len(args) == 1 {
		file = args[0]
	}
	cfg, source, err := loadConfig(env, file)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "ok: %s: %s\n", source, cfg)
	for _, note := range cfg.Notes() {
		fmt.Fprintf(env.Stdout, "note: %s\n", note)
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(env.Stdout, "warning: %s\n", w)
	}
	return 0
}

// progressWriter is where synth progress goes: stderr, unless the cdktf CLI
// runs the app (it sets CDKTF_CONTEXT_JSON and shows everything on stderr
// as [ERROR] lines), then stdout.
func progressWriter(env Env) io.Writer {
	if env.Getenv("CDKTF_CONTEXT_JSON") != "" {
		return env.Stdout
	}
	return env.Stderr
}

func synth(env Env) int {
	// A bad switch is an error before anything is read or written.
	if _, err := nodeopts.Enabled(env.Getenv(nodeopts.SwitchVar)); err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	log := progressWriter(env)
	start := time.Now()
	step := func(format string, args ...any) {
		fmt.Fprintf(log, "[%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	cfg, source, err := loadConfig(env, "")
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	step("config %s: %s", source, cfg)
	for _, note := range cfg.Notes() {
		step("note: %s", note)
	}
	for _, w := range cfg.Warnings() {
		step("warning: %s", w)
	}
	for _, line := range routeLines(cfg) {
		step("%s", line)
	}

	lazy, err := nodeopts.Setup(os.LookupEnv, os.Setenv)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	how := "lazily"
	if !lazy {
		how = "eagerly, " + nodeopts.SwitchVar + "=false"
	}
	step("starting jsii (Node.js loads the AWS provider, %s; this takes a few seconds)", how)
	defer jsii.Close()
	res, err := Synthesize(cfg, "")
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	for _, line := range res.Zones {
		step("zones: %s", line)
	}
	for _, line := range res.Plan {
		step("rollout: %s", line)
	}
	for _, name := range res.Stacks.Names() {
		step("wrote %s", regions.StackFile(res.Outdir, name))
	}
	for _, path := range res.Written {
		step("wrote %s", path)
	}
	step("done: %s in %s; review %s; deploy with: go run . apply (rehearse first: go run . apply --local)", words.Plural(len(res.Stacks.Names()), "stack"), res.Outdir,
		strings.TrimPrefix(res.Outdir+"/"+ReviewFile, "./"))
	return 0
}

// routeLines are synth's progress lines of the latency routes, in the
// review report's words (config.RouteReason).
func routeLines(cfg *config.Cluster) []string {
	var running []string
	for _, p := range cfg.ActiveProxyRegions() {
		running = append(running, p.Region)
	}
	var out []string
	for _, r := range cfg.LatencyRoutes() {
		nearest, _, _ := config.NearestRegion(r.Region, running)
		how := config.RouteReason(r.Region, r.ProxyRegion, nearest)
		if how != config.RouteOwnProxies {
			how += fmt.Sprintf(", %.0f km", r.DistanceKm)
		}
		out = append(out, fmt.Sprintf("latency route: clients in %-15s -> proxies in %s (%s)", r.Region, r.ProxyRegion, how))
	}
	return out
}
