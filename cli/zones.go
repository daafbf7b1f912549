package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
)

// vpcChanges compares every VPC the config creates with the one the output
// this synth replaces created (report.Output.VPCs), gives each zone the slot
// it had there (config.Cluster.RememberZoneSlots: a zone keeps its subnets'
// blocks however the list changes), and refuses, at the field, a change that
// Terraform cannot apply without taking a running VPC apart:
//
//   - vpc_cidr changed: every subnet, and the VPC, is replaced; the apply
//     fails on the subnets the load balancer and the instances still use,
//     after the NAT gateways and the peering are gone.
//   - zones added and removed in one deploy: the load balancer's subnets
//     change in one update, which the AWS provider plans in place while the
//     new subnets' ids are unknown and then, once they are known during the
//     apply, wants to replace (elbv2/load_balancer.go,
//     customizeDiffLoadBalancerNLB: fewer or as many subnets replace a
//     network load balancer): Terraform stops that apply ("Provider produced
//     inconsistent final plan"). Naming a zone by name instead of AZ ID, or
//     the reverse, is such a change too.
//   - a zone removed while the output still numbers the zones' resources by
//     position (an earlier version of this app): their state has no
//     create_before_destroy yet, so Terraform would destroy the zone's
//     subnets before the load balancer and the group stop using them.
//
// It returns what the synth should say of the zone changes it accepts.
// Without a previous output there is nothing to compare: zone i takes slot
// i, the layout of an output that never changed its zones.
func vpcChanges(previous *report.Output, cfg *config.Cluster) ([]string, error) {
	if previous == nil {
		return nil, nil
	}
	vpcs := previous.VPCs()
	names := cfg.Names()
	type created struct {
		key, path, stack, region, cidr string
		zones                          []string
		count                          int
		auth                           bool
	}
	var all []created
	if cfg.Auth.ExistingVPC == nil {
		all = append(all, created{"auth", "auth", names.AuthStack(cfg.Auth.Region), cfg.Auth.Region, cfg.Auth.VPCCIDR, cfg.Auth.Zones, cfg.Auth.AZCount, true})
	}
	for i, p := range cfg.ProxyRegions {
		if p.Retired || p.ExistingVPC != nil {
			continue
		}
		all = append(all, created{p.Region, fmt.Sprintf("proxy_regions[%d]", i), names.ProxyStack(p.Region), p.Region, p.VPCCIDR, p.Zones, p.AZCount, false})
	}
	var notes []string
	var problems []config.FieldError
	refuse := func(path, format string, args ...any) {
		problems = append(problems, config.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for _, v := range all {
		prev, ok := vpcs[v.stack]
		if !ok {
			continue
		}
		if prev.CIDR != v.cidr {
			how := "keep " + prev.CIDR
			if !v.auth {
				how = fmt.Sprintf("keep %s, or move the region to the new range in three deploys: retire it (retired: true), delete its entry, then add it again with the new range", prev.CIDR)
			}
			refuse(v.path+".vpc_cidr", "is %s, but the deployed VPC (in the output this synth replaces, stack %s) has %s: a VPC's range cannot change in place. "+
				"Terraform would replace the VPC and everything in it, and the apply fails halfway, on subnets the load balancer and the instances still use, "+
				"after the NAT gateways and the peerings are gone; %s (docs/operations.md: Changing a VPC's zones or range)", v.cidr, v.stack, prev.CIDR, how)
			continue
		}
		var now []string
		for _, z := range config.ZonesOf(v.region, v.zones, v.count) {
			now = append(now, z.String())
		}
		var added, removed []string
		for _, z := range now {
			if _, ok := prev.Slots[z]; !ok {
				added = append(added, z)
			}
		}
		for z := range prev.Slots {
			if !slices.Contains(now, z) {
				removed = append(removed, z)
			}
		}
		slices.Sort(removed)
		field := v.path + ".az_count"
		if len(v.zones) > 0 {
			field = v.path + ".zones"
		}
		switch {
		case len(added) > 0 && len(removed) > 0:
			refuse(field, "adds %s and removes %s in one deploy: the load balancer's subnets would change in a single update, which the AWS provider plans in place "+
				"and then, once the new subnets exist, has to replace, and Terraform stops the apply halfway. Add the new zones first and deploy, then remove the old ones "+
				"and deploy again (a zone named by name instead of AZ ID, or the reverse, is such a change too: keep the naming the VPC was deployed with) "+
				"(docs/operations.md: Changing a VPC's zones or range)", strings.Join(added, ", "), strings.Join(removed, ", "))
			continue
		case len(removed) > 0 && prev.Legacy:
			refuse(field, "removes %s, but the deployed VPC (stack %s) still has the zone resources of an earlier version of this app, numbered by position: "+
				"their state does not yet tell Terraform to update the load balancer and the Auto Scaling group before it destroys the zone's subnets, so the apply "+
				"would fail on subnets still in use. Deploy this version with the zones unchanged first (its moved blocks give every zone's resources an id named by "+
				"the zone), then remove the zone (docs/operations.md: Changing a VPC's zones or range)", strings.Join(removed, ", "), v.stack)
			continue
		}
		cfg.RememberZoneSlots(v.key, prev.Slots)
		if len(added) > 0 {
			notes = append(notes, fmt.Sprintf("%s: adds %s: its subnets, NAT gateway and route table are created, and the load balancer, the Auto Scaling group "+
				"(which rebalances into it) and the gateway endpoints are updated in place", field, strings.Join(added, ", ")))
		}
		if len(removed) > 0 {
			lb := "this region's proxies are unreachable through it (Route 53 health checks move clients to other regions)"
			if v.auth {
				lb = "the proxies cannot reach the Auth Service (the private alias record follows the new one: no launch template changes)"
			}
			notes = append(notes, fmt.Sprintf("%s: removes %s: the Auto Scaling group leaves it (launching replacements in the other zones before it terminates "+
				"the zone's instances), then its subnets, NAT gateway and route table are destroyed; the network load balancer is replaced, since the AWS provider "+
				"cannot remove a subnet from one in place (hashicorp/terraform-provider-aws#41418): for the few minutes until the new one is active, %s",
				field, strings.Join(removed, ", "), lb))
		}
	}
	return notes, cfg.Refuse(problems)
}
