package cli

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/regions"
	"github.com/example/teleport-multi-region/report"
)

// peeringModeSwitch refuses a synth that changes peering.mode (vpc <->
// public) of a deployed cluster: the output this synth replaces (read like
// removedRegions reads it) is this cluster's, deployed, with proxy peering
// in the other mode. In place, the switch strands or breaks what the old
// mode built (docs/operations.md: Changing peering.mode):
//
//   - vpc -> public drops the mesh stacks from the app while they hold the
//     proxy-to-proxy connections, their routes and the 3021 prefix-list
//     entries, which then stay in AWS with nothing managing them (the app
//     has no step that empties them first, as retiring does for a region);
//   - either way every proxy moves between private and public subnets and
//     advertises another peer address, while the 3021 rules admit only the
//     new mode's peers (the proxy VPCs' private ranges, or the internet):
//     for the whole roll, old and new proxies cannot reach each other, so
//     agents tunnelled to one are unreachable through the other.
//
// The diff flags the dropped mesh stacks as dangerous; this stops the synth
// before anything is written. An output never deployed here (local backend,
// no state with resources), another cluster's, or one without proxy peering
// (OSS) is no switch.
func peeringModeSwitch(previous *report.Output, cfg *config.Cluster, dir string) error {
	if previous == nil || otherCluster(previous, cfg) || !cfg.ProxyPeering() {
		return nil
	}
	was, proxies := outputPeeringMode(previous)
	if was == "" || was == cfg.Peering.Mode {
		return nil
	}
	if cfg.Backend.Type == config.BackendLocal {
		deployed := false
		for _, name := range proxies {
			deployed = deployed || localStateHolds(filepath.Join(dir, "stacks", name, regions.StateDir, "terraform."+name+".tfstate"))
		}
		if !deployed {
			return nil
		}
	}
	return fmt.Errorf("peering.mode: is %s, but the output this synth replaces (%s) is cluster %s deployed with peering.mode %s (%s). "+
		"Switching the mode of a deployed cluster is not supported: %s; keep peering.mode: %s "+
		"(docs/operations.md: Changing peering.mode says why and what to do instead). "+
		"If the cluster's proxy regions are already gone from AWS, remove %s and synthesize again",
		cfg.Peering.Mode, dir, cfg.ClusterName, was, strings.Join(proxies, ", "), switchHarm(was), was, dir)
}

// switchHarm says what switching away from mode breaks.
func switchHarm(mode string) string {
	if mode == config.PeeringVPC {
		return "the mesh stacks would leave the app with the proxy-to-proxy connections, routes and 3021 entries still in AWS, unmanaged, " +
			"and during the roll the proxies in public subnets and those still in private ones could not reach each other on 3021"
	}
	return "during the roll the proxies moving to private subnets and those still in public ones could not reach each other on 3021, " +
		"so agents tunnelled to one would be unreachable through the other"
}

// outputPeeringMode reads the peering mode an output's proxies were
// synthesized with, from their 3021 rule (the one place both modes
// differ in every release): admitted from anywhere is public
// (0.0.0.0/0: public addresses change with every instance), from a prefix
// list or ranges is vpc; no 3021 rule is no proxy peering (""). It also
// returns the proxy stacks that hold resources.
func outputPeeringMode(o *report.Output) (string, []string) {
	mode := ""
	var proxies []string
	for _, name := range slices.Sorted(maps.Keys(o.Stacks)) {
		if !strings.HasPrefix(name, "proxy-") {
			continue
		}
		s := o.Stacks[name]
		if len(asMap(s["resource"])) == 0 {
			continue // a retired region's emptied stack
		}
		proxies = append(proxies, name)
		for _, r := range s.Resources("aws_vpc_security_group_ingress_rule") {
			if fmt.Sprint(r["from_port"]) != "3021" {
				continue
			}
			if r["cidr_ipv4"] == "0.0.0.0/0" {
				mode = config.PeeringPublic
			} else if mode == "" {
				mode = config.PeeringVPC
			}
		}
	}
	return mode, proxies
}
