package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
)

// providerAliases lists the aliases of a stack's AWS providers ("" is the
// default provider).
func providerAliases(s stackJSON) []string {
	var out []string
	list, _ := get(s, "provider", "aws").([]any)
	for _, p := range list {
		alias, _ := get(p, "alias").(string)
		out = append(out, alias)
	}
	slices.Sort(out)
	return out
}

// Retiring a proxy region empties its stack and its mesh stack (keeping
// every provider their resources were managed with), removes it from the
// other mesh stacks' peerings and 3021 entries while they keep the provider
// of its region, and orders the deploy so that the mesh stacks go first.
// Deleting the entry afterwards drops the stacks and the provider.
func TestRetireThenDeleteRegion(t *testing.T) {
	// Example (vpc peering): retire eu-central-1, whose peering with
	// us-west-1 the us-west-1 stack owns.
	retired := stackOf(t, "example-retired", "proxy-eu-central-1")
	if res, _ := get(retired, "resource").(map[string]any); len(res) != 0 {
		t.Errorf("retired stack still holds resources: %v", res)
	}
	if got := fmt.Sprint(providerAliases(retired)); got != "[ auth us-east-1]" {
		t.Errorf("retired stack providers %s; want the default, auth and us-east-1 (its health check alarm)", got)
	}
	if deps := manifest(t, "example-retired")["proxy-eu-central-1"]; fmt.Sprint(deps) != "[dns mesh-eu-central-1 mesh-us-west-1]" {
		t.Errorf("retired stack depends on %v; want the DNS stack, its own mesh stack and the owner of its peering, mesh-us-west-1", deps)
	}
	retiredMesh := stackOf(t, "example-retired", "mesh-eu-central-1")
	if res, _ := get(retiredMesh, "resource").(map[string]any); len(res) != 0 {
		t.Errorf("retired mesh stack still holds resources: %v", res)
	}
	if deps := manifest(t, "example-retired")["mesh-eu-central-1"]; fmt.Sprint(deps) != "[dns]" {
		t.Errorf("retired mesh stack depends on %v; want the DNS stack", deps)
	}
	owner := stackOf(t, "example-retired", "mesh-us-west-1")
	if n := len(owner.resources("aws_vpc_peering_connection")); n != 0 {
		t.Errorf("owner keeps %d proxy VPC peerings; want none", n)
	}
	if !slices.Contains(providerAliases(owner), "eu-central-1") {
		t.Error("owner dropped the eu-central-1 provider while its peering's resources are still in state")
	}
	for _, e := range owner.resources("aws_ec2_managed_prefix_list_entry") {
		if e["cidr"] == "10.2.128.0/17" {
			t.Error("owner still admits the retired region on 3021")
		}
	}
	if a, b := synthOf(t, "example").files["stacks/auth-us-west-2/cdk.tf.json"], synthOf(t, "example-retired").files["stacks/auth-us-west-2/cdk.tf.json"]; string(a) != string(b) {
		t.Error("retiring a region changed the auth stack")
	}
	// Then the entry is deleted.
	if synthOf(t, "example-deleted").files["stacks/proxy-eu-central-1/cdk.tf.json"] != nil {
		t.Error("deleted region still has a stack")
	}
	if synthOf(t, "example-deleted").files["stacks/mesh-eu-central-1/cdk.tf.json"] != nil {
		t.Error("deleted region still has a mesh stack")
	}
	after := stackOf(t, "example-deleted", "mesh-us-west-1")
	if slices.Contains(providerAliases(after), "eu-central-1") {
		t.Error("the eu-central-1 provider outlived the entry")
	}
	if records := latencyRegions(t, "example-deleted"); !slices.Contains(records, "ap-south-1") {
		t.Errorf("ap-south-1 did not move to the next nearest region: %v", records)
	}

	// Four regions peering over the internet: retiring sa-east-1 changes
	// no other proxy stack and the auth stack (the DNS stack drops its
	// records: TestRecordsNeverCreatedTwice, and its isolation alarm there);
	// deleting it afterwards changes no stack but for the DNS stack's
	// provider of sa-east-1, which destroyed that alarm and has nothing left
	// to manage.
	if got := fmt.Sprint(providerAliases(stackOf(t, "public-retired", "proxy-sa-east-1"))); got != "[ auth us-east-1]" {
		t.Errorf("public mode retired stack providers %s", got)
	}
	for rel, data := range synthOf(t, "public-retired").files {
		if strings.HasPrefix(rel, "stacks/") && !strings.Contains(rel, "sa-east-1") && !strings.Contains(rel, "stacks/dns/") && string(synthOf(t, "public-four-regions").files[rel]) != string(data) {
			t.Errorf("public mode: retiring sa-east-1 changed %s", rel)
		}
		deleted := synthOf(t, "public-minus-region").files[rel]
		if rel == "stacks/dns/cdk.tf.json" {
			data = withoutProvider(t, data, "sa-east-1")
			if strings.Contains(string(data), `"aws.sa-east-1"`) {
				t.Error("public mode: the retired stack's DNS stack still manages something with the sa-east-1 provider")
			}
			deleted = withoutProvider(t, deleted, "sa-east-1")
		}
		if strings.HasPrefix(rel, "stacks/") && !strings.Contains(rel, "sa-east-1") && string(deleted) != string(data) {
			t.Errorf("public mode: deleting the retired sa-east-1 changed %s", rel)
		}
	}
}

// latencyRegions lists the latency regions with records in a synth.
func latencyRegions(t *testing.T, synth string) []string {
	var out []string
	for _, name := range stackNames(t, synth) {
		for _, r := range stackOf(t, synth, name).resources("aws_route53_record") {
			if r["name"] == synthOf(t, synth).cfg.Domain {
				out = append(out, fmt.Sprint(get(r, "latency_routing_policy", "region")))
			}
		}
	}
	slices.Sort(out)
	return out
}

// A proxy region deleted from the config while the output a synth replaces
// still deploys it is refused before anything is written; after its
// retirement (its stack emptied in that output) the same deletion synthesizes.
func TestRemovingALiveRegionIsRefused(t *testing.T) {
	deleted := synthOf(t, "example-deleted").cfg

	live := outdirOf(t, "example", true)
	manifest, _ := os.ReadFile(filepath.Join(live, "manifest.json"))
	_, err := cli.Synthesize(deleted, live)
	if err == nil || !strings.Contains(err.Error(), "proxy_regions: eu-central-1 is no longer in the config") ||
		!strings.Contains(err.Error(), "retired: true") || strings.Contains(err.Error(), "us-west-1") {
		t.Fatalf("deleting a live region: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(live, "manifest.json")); string(after) != string(manifest) {
		t.Error("the refused synth rewrote the output")
	}

	if _, err := cli.Synthesize(deleted, outdirOf(t, "example-retired", true)); err != nil {
		t.Errorf("deleting the retired region: %v", err)
	}
	// A synth that was never applied here (no local state: a new user's
	// first synth of the example, then their own regions) deletes nothing
	// deployed; neither does the output of another cluster.
	if _, err := cli.Synthesize(deleted, outdirOf(t, "example", false)); err != nil {
		t.Errorf("deleting a region of an output never deployed: %v", err)
	}
	other := *deleted
	other.ClusterName = "another"
	if _, err := cli.Synthesize(&other, outdirOf(t, "example", true)); err != nil {
		t.Errorf("replacing another cluster's output: %v", err)
	}
}

// Moving the auth region away from a deployed auth stack without raising
// auth.generation is refused before anything is written (the new stack's
// global names would collide with the old one's); raised, it synthesizes.
func TestMovingTheAuthRegionNeedsANewGeneration(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cdktf.out")
	for rel, data := range synthOf(t, "example").files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	moved := *synthOf(t, "example-recovered").cfg
	moved.Auth.Generation = 0
	// Never applied here: nothing to collide with.
	if _, err := cli.Synthesize(&moved, dir); err != nil {
		t.Fatalf("moving the auth region of an output never deployed: %v", err)
	}
	for rel, data := range synthOf(t, "example").files {
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	state := `{"version":4,"resources":[{"mode":"managed","type":"aws_vpc","name":"x","instances":[]}]}`
	if err := os.WriteFile(filepath.Join(root, "terraform.auth-us-west-2.tfstate"), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	_, err := cli.Synthesize(&moved, dir)
	if err == nil || !strings.Contains(err.Error(), "auth.region: moving the auth region from us-west-2 to us-east-2") || !strings.Contains(err.Error(), "auth.generation: 1") {
		t.Fatalf("moving a deployed auth region at the same generation: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "manifest.json")); string(after) != string(manifest) {
		t.Error("the refused synth rewrote the output")
	}
	moved.Auth.Generation = 1
	if _, err := cli.Synthesize(&moved, dir); err != nil {
		t.Errorf("moving the auth region with auth.generation raised: %v", err)
	}
}

// outdirOf writes synth's output into a new cdktf.out and, when deployed,
// the local state files of its stacks beside it (where the local backend
// keeps them), each holding a resource.
func outdirOf(t *testing.T, synth string, deployed bool) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "cdktf.out")
	for rel, data := range synthOf(t, synth).files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if stack, ok := strings.CutSuffix(strings.TrimPrefix(rel, "stacks/"), "/cdk.tf.json"); ok && deployed {
			state := `{"version":4,"resources":[{"mode":"managed","type":"aws_vpc","name":"x","instances":[]}]}`
			if err := os.WriteFile(filepath.Join(root, "terraform."+stack+".tfstate"), []byte(state), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// withoutProvider is a stack's JSON without the aws provider aliased alias
// (re-encoded, so compare two results of it).
func withoutProvider(t *testing.T, data []byte, alias string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if providers, ok := doc["provider"].(map[string]any); ok {
		var kept []any
		for _, p := range providers["aws"].([]any) {
			if p.(map[string]any)["alias"] != alias {
				kept = append(kept, p)
			}
		}
		providers["aws"] = kept
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
