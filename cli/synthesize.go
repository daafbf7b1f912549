package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/regions"
	"github.com/example/teleport-multi-region/report"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// ReviewFile is the review report written next to manifest.json.
const ReviewFile = "review.md"

// Result is what Synthesize did.
type Result struct {
	// Stacks are the stacks built.
	Stacks *regions.Stacks
	// Outdir is the output directory.
	Outdir string
	// Written are the files written besides the stacks.
	Written []string
	// Plan says what the synth rolls out compared with the output it
	// replaced (report.RolloutPlan).
	Plan []string
	// Zones says what the zone changes against the output it replaced do
	// (vpcChanges).
	Zones []string
}

// Synthesize builds every stack of cfg into a cdktf app writing to outdir
// ("" for cdktf's default), synthesizes it, and writes the review files
// and the review report. main and the tests share it, so the tests check
// exactly what users get.
func Synthesize(cfg *config.Cluster, outdir string) (*Result, error) {
	var appConfig *cdktf.AppConfig
	if outdir != "" {
		appConfig = &cdktf.AppConfig{Outdir: jsii.String(outdir)}
	}
	app := cdktf.NewApp(appConfig)
	dir := *app.Outdir()
	before, err := report.ReadRollouts(dir)
	if err != nil {
		return nil, fmt.Errorf("read the previous synth in %s: %w", dir, err)
	}
	// The review shows latency routes that move against the output this
	// synth replaces (none on a first synth, or after an HCL synth).
	previous, _ := report.ReadOutput(dir)
	if previous != nil && otherCluster(previous, cfg) {
		before = nil // nothing of this cluster runs from that output
	}
	if err := removedRegions(previous, cfg, dir); err != nil {
		return nil, err
	}
	if err := peeringModeSwitch(previous, cfg, dir); err != nil {
		return nil, err
	}
	if err := movedAuthRegion(previous, cfg, dir); err != nil {
		return nil, err
	}
	zones, err := vpcChanges(previous, cfg)
	if err != nil {
		return nil, err
	}
	// Resources an existing cluster's stacks hand over to other stacks
	// (regions.Moves): read from the output this synth replaces.
	moves := movesFrom(previous, cfg)
	stacks, err := regions.Build(app, cfg, moves)
	if err != nil {
		return nil, err
	}
	app.Synth()
	if os.Getenv("SYNTH_HCL_OUTPUT") == "true" {
		if err := repairHCLOutput(dir); err != nil {
			return nil, err
		}
		if err := addRemovedHCL(dir, cfg, moves); err != nil {
			return nil, err
		}
	}
	written, err := writeReviewFiles(dir, stacks, cfg)
	if err != nil {
		return nil, err
	}
	// The report reads the JSON rendering; HCL (SYNTH_HCL_OUTPUT) is for
	// scanners, which have their own reports.
	if os.Getenv("SYNTH_HCL_OUTPUT") != "true" {
		out, err := report.ReadOutput(dir)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, ReviewFile)
		if err := os.WriteFile(path, []byte(report.Review(out, report.Context{Cluster: cfg, Previous: previous})), 0o644); err != nil {
			return nil, err
		}
		written = append(written, path)
		files, err := writeDeployerPolicy(dir, out, cfg)
		if err != nil {
			return nil, err
		}
		written = append(written, files...)
	}
	// The new output's launch templates, as the next synth will read
	// them; the HCL rendering has no JSON to read, so only the releases.
	after, err := report.ReadRollouts(dir)
	if err != nil {
		return nil, err
	}
	if len(after) == 0 {
		for name, script := range stacks.BootScripts() {
			if v, g, ok := teleportconfig.ParseRolloutMarker(script); ok {
				after[name] = report.Rollout{Teleport: v, AMIGeneration: g}
			}
		}
	}
	return &Result{Stacks: stacks, Outdir: dir, Written: written, Zones: zones,
		Plan: report.RolloutPlan(before, after, *stacks.Auth.Stack.Node().Id())}, nil
}

// removedRegions refuses a proxy region that left the config while the
// output this synth replaces still deploys it. Synthesizing without it would
// drop its stack from the manifest: its proxies, load balancer and peerings
// would stay in AWS with nothing managing them, and the stacks that own a
// peering with it would fail to plan. A region leaves in two deploys:
// retired (its stack emptied, so the deploy moves its clients, then destroys
// it), then deleted; an emptied stack in the previous output is what says
// the first one happened.
func removedRegions(previous *report.Output, cfg *config.Cluster, dir string) error {
	// An output of another cluster (the example a new user synthesized
	// first) deploys nothing of this one.
	if previous == nil || report.ClusterName(previous) != cfg.ClusterName {
		return nil
	}
	configured := map[string]bool{}
	for _, r := range cfg.ProxyRegionNames() {
		configured[r] = true
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(previous.Stacks)) {
		region, ok := strings.CutPrefix(name, "proxy-")
		if !ok || configured[region] {
			continue
		}
		if resources, _ := previous.Stacks[name]["resource"].(map[string]any); len(resources) == 0 {
			continue
		}
		// With the local backend the state says whether the stack was
		// ever applied here: none, or none with resources, is a synth
		// that was never deployed. A remote backend cannot be read
		// offline, so its stacks count as deployed.
		if cfg.Backend.Type == config.BackendLocal && !localStateHolds(filepath.Join(dir, "stacks", name, regions.StateDir, "terraform."+name+".tfstate")) {
			continue
		}
		problems = append(problems, fmt.Sprintf("proxy_regions: %s is no longer in the config, but the output this synth replaces still deploys it (%s). "+
			"Retire it first: put its entry back with retired: true, synthesize and apply (its clients move to the nearest region, then its resources are destroyed), "+
			"then delete the entry (docs/operations.md: Retiring a proxy region). If its resources are already gone from AWS, remove %s and synthesize again",
			region, filepath.Join(dir, "stacks", name), filepath.Join(dir, "stacks", name)))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// movedAuthRegion refuses an auth region moved away from a deployed auth
// stack without raising auth.generation: the new auth stack would create
// IAM roles and buckets named like the old one's, which still exist (IAM and
// S3 names are global), and its apply would fail half-way. Losing the auth
// region is the reason to move it (docs/operations.md: Recover from losing
// the auth region); the old stack's resources stay where they are.
func movedAuthRegion(previous *report.Output, cfg *config.Cluster, dir string) error {
	if previous == nil || report.ClusterName(previous) != cfg.ClusterName {
		return nil
	}
	names := cfg.Names()
	for _, name := range slices.Sorted(maps.Keys(previous.Stacks)) {
		region, ok := strings.CutPrefix(name, "auth-")
		if !ok || region == cfg.Auth.Region {
			continue
		}
		if cfg.Backend.Type == config.BackendLocal && !localStateHolds(filepath.Join(dir, "stacks", name, regions.StateDir, "terraform."+name+".tfstate")) {
			continue
		}
		resources, _ := previous.Stacks[name]["resource"].(map[string]any)
		roles, _ := resources["aws_iam_role"].(map[string]any)
		for _, r := range roles {
			if role, _ := r.(map[string]any)["name"].(string); role == names.AuthRole() {
				return fmt.Errorf("auth.region: moving the auth region from %s to %s keeps auth.generation at %d, so the new auth stack would create the IAM roles, "+
					"instance profile, Auto Scaling role and buckets of %s again (global names, still held by its resources). "+
					"Set auth.generation: %d to name them apart, and follow docs/operations.md: Recover from losing the auth region",
					region, cfg.Auth.Region, cfg.Auth.Generation, name, cfg.Auth.Generation+1)
			}
		}
	}
	return nil
}

// localStateHolds reports whether the Terraform state file at path exists
// and records a resource (an unreadable file counts as holding one).
func localStateHolds(path string) bool {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	var state struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err != nil || json.Unmarshal(data, &state) != nil {
		return true
	}
	return len(state.Resources) > 0
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

// DeployerPolicyGlob matches the deployer policy documents synth writes
// next to manifest.json (report.DeployerPolicy).
const DeployerPolicyGlob = "deployer-policy-*.json"

// writeDeployerPolicy writes the deployer policy's documents, replacing
// those of the output this synth replaces (there may have been more).
func writeDeployerPolicy(dir string, out *report.Output, cfg *config.Cluster) ([]string, error) {
	docs, err := report.DeployerPolicy(out, cfg)
	if err != nil {
		return nil, err
	}
	old, _ := filepath.Glob(filepath.Join(dir, DeployerPolicyGlob))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	files := report.DeployerPolicyFiles(docs)
	var written []string
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	return written, nil
}
