package config

import (
	"fmt"
	"sort"
	"strings"
)

// IAMJoinRegion is a region from which proxies can join by the IAM method
// only with certain auth releases. A joining proxy signs an
// sts:GetCallerIdentity request for the STS endpoint of its own region
// (lib/auth/join/iam/iam.go: the region from the environment or IMDS, the
// SDK's default endpoint resolver), and the auth server accepts only the
// STS hosts of a static list (validateSTSHost, lib/join/iamjoin/iam.go:
// "IAM join request uses unknown STS host"): an auth release whose list
// lacks the region refuses every proxy there.
type IAMJoinRegion struct {
	Region string
	// Since is, per major line, the first release whose auth servers
	// accept the region; a line missing here has no such release.
	Since map[int]Version
	// Source is where the list and the releases are stated.
	Source string
}

// IAMJoinRegions are the regions of the region table that some auth
// releases refuse. Every other region of the table is in the STS list of
// every release this app accepts (lib/auth/join/iam/endpoints.go before
// #62593 lists af-south-1, ap-east-1, ap-northeast-1..3, ap-south-1..2,
// ap-southeast-1..4, ca-central-1, ca-west-1, eu-central-1..2,
// eu-north-1, eu-south-1..2, eu-west-1..3, il-central-1, me-central-1,
// me-south-1, sa-east-1, us-east-1..2 and us-west-1..2; ca-west-1 came
// with #36047 in December 2023, before 15.0.0, and was backported to v12
// to v14).
var IAMJoinRegions = []IAMJoinRegion{
	{
		Region: "ap-southeast-5",
		Since:  map[int]Version{17: mustVersion("17.7.13"), 18: mustVersion("18.6.4"), 19: mustVersion("19.0.0")},
		Source: iamJoinAsiaSource,
	},
	{
		Region: "ap-southeast-7",
		Since:  map[int]Version{17: mustVersion("17.7.13"), 18: mustVersion("18.6.4"), 19: mustVersion("19.0.0")},
		Source: iamJoinAsiaSource,
	},
	{
		Region: "mx-central-1",
		// Not in lib/auth/join/iam/endpoints.go, nor among the valid
		// endpoints of lib/join/iamjoin TestValidateSTSHost (2026, after
		// #62593 added the new Asia regions).
		Source: "sts.mx-central-1.amazonaws.com is in no Teleport STS allowlist checked, including after #62593",
	},
}

// iamJoinAsiaSource states the fix for the new Asia regions.
// (gravitational/teleport#62593, fixing #61904: "IAM join request uses
// unknown STS host sts.ap-southeast-5.amazonaws.com"; backported as #62628,
// CHANGELOG 17.7.13, and #62627, CHANGELOG 18.6.4: "Added IAM joining
// support from new AWS regions in asia"; 19.x branches from master after
// it, 19.0.0-prealpha.1 being of 2026-03-13).
const iamJoinAsiaSource = "gravitational/teleport#62593; CHANGELOG 17.7.13 and 18.6.4: \"Added IAM joining support from new AWS regions in asia\""

// iamJoinProblem says why auth servers at auth refuse IAM joins from
// region, or "".
func iamJoinProblem(region string, auth Version) string {
	for _, j := range IAMJoinRegions {
		if j.Region != region {
			continue
		}
		if first, ok := j.Since[auth.Major]; ok && !auth.Less(first) {
			return ""
		}
		var firsts []string
		for _, major := range sortedMajors(j.Since) {
			if l, _ := LineOf(major); major >= auth.Major && l.Verified {
				firsts = append(firsts, j.Since[major].String())
			}
		}
		if len(firsts) == 0 {
			return fmt.Sprintf("%q: proxies there could never join the cluster: they join the auth servers by IAM, and no Teleport release checked accepts IAM joins from %s (%s); choose another region for these proxies", region, region, j.Source)
		}
		return fmt.Sprintf("%q: proxies there could never join the cluster: they join the auth servers by IAM, and auth servers at Teleport %s refuse IAM joins from %s (%s); the first releases that accept them are %s: raise auth.teleport_version (or teleport_version, which it defaults to) to one of them, or choose another region",
			region, auth, region, j.Source, strings.Join(firsts, " or "))
	}
	return ""
}

// sortedMajors returns the majors of since in order.
func sortedMajors(since map[int]Version) []int {
	var out []int
	for m := range since {
		out = append(out, m)
	}
	sort.Ints(out)
	return out
}

// iamJoin refuses a proxy region the auth release cannot accept IAM joins
// from: the auth servers check the STS endpoint, so theirs is the release
// that counts.
func (v *validator) iamJoin(c *Cluster) {
	auth, err := ParseVersion(c.Auth.TeleportVersion)
	if _, known := LineOf(auth.Major); err != nil || !known {
		return // the release itself is reported
	}
	for i, p := range c.ProxyRegions {
		if p.Retired {
			continue
		}
		if msg := iamJoinProblem(p.Region, auth); msg != "" {
			v.add(fmt.Sprintf("proxy_regions[%d].region", i), "%s", msg)
		}
	}
}

// JoinableRegionNames returns the regions of the table that proxies can
// run in with some release this app accepts (RegionNames less the regions
// no Teleport release accepts IAM joins from), sorted.
func JoinableRegionNames() []string {
	var out []string
	for _, name := range RegionNames() {
		joinable := true
		for _, j := range IAMJoinRegions {
			if j.Region == name && len(j.Since) == 0 {
				joinable = false
			}
		}
		if joinable {
			out = append(out, name)
		}
	}
	return out
}
