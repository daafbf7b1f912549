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
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/regions"
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
		case r.Override:
			how = fmt.Sprintf("set in config, %.0f km", r.DistanceKm)
		case r.Region != r.ProxyRegion:
			how = fmt.Sprintf("nearest proxy region, %.0f km", r.DistanceKm)
		}
		step("latency route: clients in %-15s -> proxies in %s (%s)", r.Region, r.ProxyRegion, how)
	}

	step("starting jsii (Node.js loads the AWS provider schema; this takes several seconds)")
	defer jsii.Close()
	app := cdktf.NewApp(nil)
	stacks, err := regions.Build(app, cfg)
	if err != nil {
		fmt.Fprintf(log, "error: %v\n", err)
		return 1
	}
	step("built %d stack(s); synthesizing", len(stacks.Names()))
	app.Synth()

	outdir := *app.Outdir()
	for _, name := range stacks.Names() {
		step("wrote %s", regions.StackFile(outdir, name))
	}
	files, err := stacks.ReviewFiles(cfg)
	if err != nil {
		fmt.Fprintf(log, "error: %v\n", err)
		return 1
	}
	for _, rel := range sortedKeys(files) {
		path := filepath.Join(outdir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(log, "error: %v\n", err)
			return 1
		}
		if err := os.WriteFile(path, []byte(files[rel]), 0o644); err != nil {
			fmt.Fprintf(log, "error: %v\n", err)
			return 1
		}
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
