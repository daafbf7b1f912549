package cli

import (
	"maps"
	"slices"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/moved"
	"github.com/example/teleport-multi-region/regions"
	"github.com/example/teleport-multi-region/report"
)

// movesFrom reads, in the output this synth replaces, what the cluster's
// proxy stacks still hold of the layout before mesh stacks (regions.Moves):
// a connection with another proxy region (its construct "peering-<peer>" or
// "tgw-peering-<peer>") or a peer prefix list with inline entries. It also
// reads the blocks an earlier synth of the move wrote (removed blocks, the
// import of the proxy's own entry), so that a synth repeated before the
// deploy moves the same resources, and later synths keep the blocks, which
// are no-ops once applied.
//
// A connection moves to its mesh stack only when both regions are still
// active; one with a region retired in the same synth is destroyed by the
// proxy stack holding it, as before.
func movesFrom(previous *report.Output, cfg *config.Cluster) *regions.Moves {
	// An output of another cluster (the example a new user synthesized
	// first) holds nothing of this one: its blocks would import resources
	// this cluster does not have.
	if previous == nil || otherCluster(previous, cfg) {
		return nil
	}
	names := cfg.Names()
	m := &regions.Moves{Forget: map[string][]string{}, Peers: map[string][]string{}, Adopt: map[string][]string{},
		AdoptRoutes: map[string]map[string]moved.Existing{}}
	for _, pr := range cfg.ActiveProxyRegions() {
		region := pr.Region
		stack := previous.Stacks[names.ProxyStack(region)]
		if stack == nil {
			continue
		}
		forget, peers := map[string]bool{}, map[string]bool{}
		note := func(addr, peer string) {
			peers[peer] = true
			if p, ok := cfg.ProxyRegion(peer); ok && !p.Retired && regions.OwnsPeering(region, peer) {
				forget[addr] = true
			}
		}
		for typ, rs := range asMap(stack["resource"]) {
			for name, r := range asMap(rs) {
				path := resourcePath(r)
				if peer, ok := connectionPeer(strings.TrimPrefix(path, names.ProxyStack(region)+"/")); ok {
					note(typ+"."+name, peer)
				}
				if strings.HasSuffix(path, "/proxy/peers") && asMap(r)["entry"] != nil {
					m.AdoptEntries = append(m.AdoptEntries, region)
				}
			}
		}
		for _, b := range asList(stack["removed"]) {
			from, _ := asMap(b)["from"].(string)
			if _, name, ok := strings.Cut(from, "."); ok {
				if peer, ok := connectionPeer(name); ok {
					note(from, peer)
				}
			}
		}
		for _, b := range asList(stack["import"]) {
			to, _ := asMap(b)["to"].(string)
			if strings.HasPrefix(to, "aws_ec2_managed_prefix_list_entry.") && !slices.Contains(m.AdoptEntries, region) {
				m.AdoptEntries = append(m.AdoptEntries, region)
			}
		}
		if len(forget) > 0 {
			m.Forget[region] = slices.Sorted(maps.Keys(forget))
		}
		if len(peers) > 0 {
			m.Peers[region] = slices.Sorted(maps.Keys(peers))
		}
		for peer := range peers {
			if p, ok := cfg.ProxyRegion(peer); ok && !p.Retired && regions.OwnsPeering(region, peer) {
				m.Adopt[region] = append(m.Adopt[region], peer)
			}
		}
		slices.Sort(m.Adopt[region])
		if len(m.Adopt[region]) > 0 {
			m.AdoptRoutes[region] = existingRoutes(previous, names.ProxyStack(region), names.MeshStack(region), m.Adopt[region])
		}
	}
	slices.Sort(m.AdoptEntries)
	if !m.Active() && len(m.Peers) == 0 {
		return nil
	}
	return m
}

// existingRoutes returns, by peer region, the construct ids of the routes of
// the owner's connections with peers that exist in AWS: those the old proxy
// stack still holds (the synth of the move) and those the mesh stack
// imported in the previous output (later synths, which keep the import
// blocks). A route of a zone added since is in neither: it is created.
func existingRoutes(previous *report.Output, proxyStack, meshStack string, peers []string) map[string]moved.Existing {
	routes := map[string]moved.Existing{}
	add := func(path string) {
		parts := strings.Split(path, "/")
		for i, p := range parts[:len(parts)-1] {
			if peer, ok := connectionPeer(p + "/"); ok && i > 0 && slices.Contains(peers, peer) {
				if routes[peer] == nil {
					routes[peer] = moved.Existing{}
				}
				routes[peer][parts[len(parts)-1]] = true
			}
		}
	}
	if stack := previous.Stacks[proxyStack]; stack != nil {
		for _, r := range asMap(asMap(stack["resource"])["aws_route"]) {
			add(resourcePath(r))
		}
	}
	if stack := previous.Stacks[meshStack]; stack != nil {
		held := asMap(asMap(stack["resource"])["aws_route"])
		for _, b := range asList(stack["import"]) {
			to, _ := asMap(b)["to"].(string)
			if name, ok := strings.CutPrefix(to, "aws_route."); ok && held[name] != nil {
				add(resourcePath(held[name]))
			}
		}
	}
	return routes
}

// otherCluster reports whether an output was synthesized for another
// cluster than cfg (its providers' teleport-cluster tag; an output without
// providers names none and counts as this cluster's).
func otherCluster(o *report.Output, cfg *config.Cluster) bool {
	name := report.ClusterName(o)
	return name != "" && name != cfg.ClusterName
}

// connectionPeer returns the peer region of a proxy-to-proxy connection's
// construct path or logical id ("peering-<peer>/..." or
// "peering-<peer>_..."; "tgw-peering-" likewise). The auth connection's
// ids ("auth-peering", "auth-tgw-peering") do not match.
func connectionPeer(s string) (string, bool) {
	for _, prefix := range []string{"peering-", "tgw-peering-"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			end := strings.IndexAny(rest, "/_")
			if end <= 0 {
				return "", false
			}
			return rest[:end], true
		}
	}
	return "", false
}

func resourcePath(r any) string {
	meta := asMap(asMap(asMap(r)["//"])["metadata"])
	p, _ := meta["path"].(string)
	return p
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
