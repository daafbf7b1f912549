package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/regions"
	"github.com/example/teleport-multi-region/report"
)

// preMeshStack builds a proxy stack's JSON of the layout before mesh stacks:
// the connections it owns with peers, and its prefix list with entries.
func preMeshStack(t *testing.T, stack string, peers ...string) report.Stack {
	t.Helper()
	conns := map[string]any{}
	routes := map[string]any{}
	for _, p := range peers {
		conns["peering-"+p+"_connection_ABCD"] = map[string]any{"//": map[string]any{"metadata": map[string]any{"path": stack + "/peering-" + p + "/connection"}}}
		routes["peering-"+p+"_requester-route-0_ABCD"] = map[string]any{"//": map[string]any{"metadata": map[string]any{"path": stack + "/peering-" + p + "/requester-route-0"}}}
	}
	// The auth connection stays.
	conns["auth-peering_connection_ABCD"] = map[string]any{"//": map[string]any{"metadata": map[string]any{"path": stack + "/auth-peering/connection"}}}
	raw, err := json.Marshal(map[string]any{"resource": map[string]any{
		"aws_vpc_peering_connection": conns,
		"aws_route":                  routes,
		"aws_ec2_managed_prefix_list": map[string]any{"proxy_peers_1": map[string]any{
			"entry": []any{map[string]any{"cidr": "10.1.128.0/17"}},
			"//":    map[string]any{"metadata": map[string]any{"path": stack + "/proxy/peers"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var s report.Stack
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// What an earlier output says must move: connections between regions still
// active; one with a region retired in the same synth stays to be destroyed
// (its provider kept); a region added in the same synth has nothing to
// adopt; without a previous output, nothing.
func TestMovesFrom(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if m := movesFrom(nil, cfg); m != nil {
		t.Errorf("no previous output: %+v", m)
	}
	// The example's regions: eu-central-1, us-west-1; ap-southeast-1 was
	// active before and is retired now; ap-southeast-2 is added now.
	cfg.ProxyRegions = append(cfg.ProxyRegions, config.ProxyRegion{Region: "ap-southeast-1", Retired: true}, config.ProxyRegion{Region: "ap-southeast-2"})
	prev := &report.Output{Stacks: map[string]report.Stack{
		"proxy-us-west-1":      preMeshStack(t, "proxy-us-west-1", "eu-central-1", "ap-southeast-1"),
		"proxy-eu-central-1":   preMeshStack(t, "proxy-eu-central-1", "ap-southeast-1"),
		"proxy-ap-southeast-1": preMeshStack(t, "proxy-ap-southeast-1"),
	}}
	m := movesFrom(prev, cfg)
	got := fmt.Sprintf("forget %v peers %v adopt %v entries %v", m.Forget, m.Peers, m.Adopt, m.AdoptEntries)
	want := "forget map[us-west-1:[aws_route.peering-eu-central-1_requester-route-0_ABCD aws_vpc_peering_connection.peering-eu-central-1_connection_ABCD]] " +
		"peers map[eu-central-1:[ap-southeast-1] us-west-1:[ap-southeast-1 eu-central-1]] " +
		"adopt map[us-west-1:[eu-central-1]] entries [eu-central-1 us-west-1]"
	if got != want {
		t.Errorf("moves:\n got %s\nwant %s", got, want)
	}
	// The same output synthesized for another cluster moves nothing of
	// this one.
	other := preMeshStack(t, "proxy-us-west-1", "eu-central-1")
	other["provider"] = map[string]any{"aws": []any{map[string]any{"default_tags": []any{map[string]any{"tags": map[string]any{"teleport-cluster": "someone-else"}}}}}}
	if m := movesFrom(&report.Output{Stacks: map[string]report.Stack{"proxy-us-west-1": other}}, cfg); m != nil {
		t.Errorf("an output of another cluster: %+v", m)
	}
}

// The HCL rendering drops a stack's removed blocks (an override): synth
// writes them into the proxy stack's cdk.tf.
func TestAddRemovedHCL(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "examples", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stack := filepath.Join(dir, "stacks", "proxy-us-west-1")
	if err := os.MkdirAll(stack, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stack, "cdk.tf"), []byte("terraform {\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	moves := &regions.Moves{Forget: map[string][]string{"us-west-1": {"aws_route.a", "aws_vpc_peering_connection.b"}}}
	if err := addRemovedHCL(dir, cfg, moves); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(stack, "cdk.tf"))
	want := "terraform {\n}\n\nremoved {\n  from = aws_route.a\n  lifecycle {\n    destroy = false\n  }\n}\n\nremoved {\n  from = aws_vpc_peering_connection.b\n  lifecycle {\n    destroy = false\n  }\n}\n"
	if string(got) != want {
		t.Errorf("cdk.tf:\n%s\nwant:\n%s", got, want)
	}
}
