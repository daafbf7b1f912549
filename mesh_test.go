package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// longestChain is the number of stacks on the longest dependency path of a
// manifest: how many stack applies a first deploy waits for one after the
// other, however many run side by side.
func longestChain(deps map[string][]string) (int, []string) {
	memo := map[string][]string{}
	var walk func(string) []string
	walk = func(s string) []string {
		if p, ok := memo[s]; ok {
			return p
		}
		var best []string
		for _, d := range slices.Sorted(slices.Values(deps[s])) {
			if p := walk(d); len(p) > len(best) {
				best = p
			}
		}
		memo[s] = append(slices.Clone(best), s)
		return memo[s]
	}
	var longest []string
	for _, s := range slices.Sorted(func(y func(string) bool) {
		for k := range deps {
			if !y(k) {
				return
			}
		}
	}) {
		if p := walk(s); len(p) > len(longest) {
			longest = p
		}
	}
	return len(longest), longest
}

// A first deploy takes four stack-times at any size: auth, every proxy
// stack side by side (each reads only auth), every mesh stack, DNS. Every
// region of the table as a proxy region, in both connectivity modes, and the
// snapshot configs.
func TestChainLengthIndependentOfSize(t *testing.T) {
	for _, name := range []string{"every-region", "every-region-tgw", "many-regions", "example", "transit-gateway", "public-four-regions", "oss-single-region"} {
		t.Run(name, func(t *testing.T) {
			deps := manifest(t, name)
			n, path := longestChain(deps)
			proxies := 0
			for stack, ds := range deps {
				if !strings.HasPrefix(stack, "proxy-") {
					continue
				}
				proxies++
				if len(ds) != 1 || !strings.HasPrefix(ds[0], "auth-") {
					t.Errorf("%s depends on %v; want the auth stack only", stack, ds)
				}
			}
			if n > 4 {
				t.Errorf("longest chain %d stacks (%s); want at most 4", n, strings.Join(path, " -> "))
			}
			t.Logf("%d proxy stacks, %d stacks, longest chain %d: %s", proxies, len(deps), n, strings.Join(path, " -> "))
		})
	}
}

// Each mesh stack reads its own proxy stack and those of the regions it
// owns a connection with, and DNS deploys after every mesh stack (a region
// gets clients once it reaches every other proxy).
func TestMeshStackDependencies(t *testing.T) {
	for _, name := range []string{"example", "transit-gateway", "many-regions"} {
		t.Run(name, func(t *testing.T) {
			cfg := synthOf(t, name).cfg
			names := cfg.Names()
			deps := manifest(t, name)
			active := cfg.ActiveProxyRegions()
			for _, pr := range active {
				mesh := names.MeshStack(pr.Region)
				want := []string{names.ProxyStack(pr.Region)}
				for _, q := range active {
					if q.Region < pr.Region {
						want = append(want, names.ProxyStack(q.Region))
					}
				}
				slices.Sort(want)
				got := slices.Sorted(slices.Values(deps[mesh]))
				if !slices.Equal(got, want) {
					t.Errorf("%s depends on %v; want %v", mesh, got, want)
				}
				if !slices.Contains(deps["dns"], mesh) {
					t.Errorf("dns does not depend on %s", mesh)
				}
			}
		})
	}
}

// Adding or retiring a region touches its own stacks, the mesh stacks and
// DNS: every other proxy stack, and the auth stack, stay byte for byte.
func TestRegionChangeLeavesOtherProxyStacks(t *testing.T) {
	for _, c := range []struct{ before, after, region string }{
		{"example", "example-plus-region", "ap-southeast-2"},
		{"transit-gateway", "transit-gateway-plus-region", "eu-central-1"},
		{"example", "example-retired", "eu-central-1"},
		{"public-retired", "public-minus-region", "sa-east-1"},
	} {
		t.Run(c.after, func(t *testing.T) {
			before, after := synthOf(t, c.before), synthOf(t, c.after)
			names := after.cfg.Names()
			compared := 0
			for _, pr := range after.cfg.ProxyRegions {
				if pr.Region == c.region {
					continue
				}
				compared++
				rel := "stacks/" + names.ProxyStack(pr.Region) + "/cdk.tf.json"
				if string(before.files[rel]) != string(after.files[rel]) {
					t.Errorf("%s changed when %s was added or retired", rel, c.region)
				}
			}
			rel := "stacks/" + names.AuthStack(after.cfg.Auth.Region) + "/cdk.tf.json"
			if string(before.files[rel]) != string(after.files[rel]) {
				t.Errorf("%s changed when %s was added or retired", rel, c.region)
			}
			if compared == 0 {
				t.Fatal("no other proxy stack to compare")
			}
		})
	}
}

// Every peer prefix list is sized for every region of the table, so that
// entries come and go without changing the list.
func TestPeerPrefixListSize(t *testing.T) {
	for _, stack := range stackNames(t, "example") {
		if !strings.HasPrefix(stack, "proxy-") {
			continue
		}
		rel := stack
		for _, pl := range stackOf(t, "example", stack).resources("aws_ec2_managed_prefix_list") {
			if got := pl["max_entries"]; got != float64(len(config.RegionNames())) {
				t.Errorf("%s: max_entries %v; want %d", rel, got, len(config.RegionNames()))
			}
			if pl["entry"] != nil {
				t.Errorf("%s: inline entries (the provider refuses them beside entry resources)", rel)
			}
		}
	}
}
