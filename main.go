// Command teleport-multi-region synthesizes the Terraform configuration of a
// Teleport multi-region proxy deployment on AWS: one stack for the auth region
// and one per proxy region. It reads the cluster config named by
// CLUSTER_CONFIG (default cluster.yaml, else the embedded example), validates
// it before starting jsii, and writes the stacks to cdktf's output directory.
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/regions"
	"github.com/example/teleport-multi-region/report"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

//go:embed examples/cluster.yaml
var exampleConfig []byte

// defaultConfigFile is read when CLUSTER_CONFIG is unset.
const defaultConfigFile = "cluster.yaml"

func main() {
	os.Exit(run(os.Stderr))
}

func run(log io.Writer) int {
	start := time.Now()
	step := func(format string, args ...any) {
		fmt.Fprintf(log, "[%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}

	cfg, source, err := loadConfig()
	if err != nil {
		fmt.Fprintf(log, "error: %v\n", err)
		return 1
	}
	step("config %s: %s", source, cfg)

	for _, r := range cfg.LatencyRoutes() {
		how := "its own proxies"
		switch {
		case r.Retiring:
			step("latency route: clients in %-15s -> no record while %s is retired: Route 53 answers with the lowest-latency remaining region; the record returns in the next nearest region's stack once the entry is deleted", r.Region, r.ProxyRegion)
			continue
		case r.Override:
			how = fmt.Sprintf("set in config, %.0f km", r.DistanceKm)
		case r.Region != r.ProxyRegion:
			how = fmt.Sprintf("nearest proxy region, %.0f km", r.DistanceKm)
		}
		step("latency route: clients in %-15s -> proxies in %s (%s)", r.Region, r.ProxyRegion, how)
	}

	step("starting jsii (Node.js loads the AWS provider schema; this takes several seconds)")
	defer jsii.Close()
	stacks, outdir, written, plan, err := synthesize(cfg, "")
	if err != nil {
		fmt.Fprintf(log, "error: %v\n", err)
		return 1
	}
	for _, line := range plan {
		step("rollout: %s", line)
	}
	for _, name := range stacks.Names() {
		step("wrote %s", regions.StackFile(outdir, name))
	}
	for _, path := range written {
		step("wrote %s", path)
	}
	step("done: %d stack(s) in %s; deploy with: cdktf deploy '*'", len(stacks.Names()), outdir)
	return 0
}

// loadConfig finds, reads and validates the cluster config.
func loadConfig() (*config.Cluster, string, error) {
	if path := os.Getenv("CLUSTER_CONFIG"); path != "" {
		cfg, err := config.Load(path)
		return cfg, path, err
	}
	if _, err := os.Stat(defaultConfigFile); err == nil {
		cfg, err := config.Load(defaultConfigFile)
		return cfg, defaultConfigFile, err
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("config file %s: %w", defaultConfigFile, err)
	}
	const source = "examples/cluster.yaml (embedded; set CLUSTER_CONFIG or create cluster.yaml to use your own)"
	cfg, err := config.Parse(exampleConfig, "embedded example")
	return cfg, source, err
}

// synthesize builds every stack of cfg into a cdktf app writing to outdir
// ("" for cdktf's default), synthesizes it and writes the review files. It
// also returns the rollout plan: what the new synth rolls out compared with
// the one it replaces in the output directory. main and the tests share it,
// so the tests check exactly what users get.
func synthesize(cfg *config.Cluster, outdir string) (*regions.Stacks, string, []string, []string, error) {
	var appConfig *cdktf.AppConfig
	if outdir != "" {
		appConfig = &cdktf.AppConfig{Outdir: jsii.String(outdir)}
	}
	app := cdktf.NewApp(appConfig)
	dir := *app.Outdir()
	before, err := report.ReadRollouts(dir)
	if err != nil {
		return nil, "", nil, nil, fmt.Errorf("read the previous synth in %s: %w", dir, err)
	}
	stacks, err := regions.Build(app, cfg)
	if err != nil {
		return nil, "", nil, nil, err
	}
	app.Synth()
	written, err := writeReviewFiles(dir, stacks, cfg)
	if err != nil {
		return nil, "", nil, nil, err
	}
	after := map[string]report.Rollout{}
	for name, script := range stacks.BootScripts() {
		if v, g, ok := teleportconfig.ParseRolloutMarker(script); ok {
			after[name] = report.Rollout{Teleport: v, AMIGeneration: g}
		}
	}
	return stacks, dir, written, report.RolloutPlan(before, after, *stacks.Auth.Stack.Node().Id()), nil
}

// writeReviewFiles writes the boot scripts and agent config under outdir.
func writeReviewFiles(outdir string, stacks *regions.Stacks, cfg *config.Cluster) ([]string, error) {
	files, err := stacks.ReviewFiles(cfg)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(outdir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(files[rel]), 0o644); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	return written, nil
}
