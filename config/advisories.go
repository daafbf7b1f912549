package config

import "fmt"

// Range is the affected releases of one line: Introduced <= v < Fixed.
type Range struct{ Introduced, Fixed Version }

// r builds a Range from two releases.
func r(introduced, fixed string) Range {
	return Range{mustVersion(introduced), mustVersion(fixed)}
}

// Advisory is a known problem of Teleport releases that a cluster built
// here would hit.
type Advisory struct {
	// ID names the advisory: a GHSA or CVE id, or the fixing pull request.
	ID string
	// Ranges are the affected releases, at most one per major line.
	Ranges []Range
	// ProxyPeeringOnly limits the advisory to clusters that run Teleport
	// Proxy Peering (Enterprise).
	ProxyPeeringOnly bool
	// Breaks says what goes wrong.
	Breaks string
	// Source is where the ranges and the effect are stated.
	Source string
}

// Advisories are the known-bad releases of every line this app accepts
// (Lines) for this deployment: Auth and Proxy Services in several regions,
// proxy peering, the DynamoDB backend, proxies joining the auth servers
// directly by IAM with a CA pin. From Teleport's CHANGELOG (branch/v17,
// branch/v18), release pull requests and security advisories. A config on
// an affected release is still synthesized, with a warning: an existing
// cluster must be able to synthesize its current release to upgrade from
// it. Where a fix names no release that introduced the problem, every
// release of the line before the fix counts as affected.
var Advisories = []Advisory{
	{
		ID:     "CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc)",
		Ranges: []Range{r("15.0.0", "15.5.3"), r("16.0.0", "16.5.12"), r("17.0.0", "17.5.2")},
		Breaks: "critical remote authentication bypass (CVSS 9.8): a forged SSH certificate is accepted",
		Source: "https://github.com/gravitational/teleport/security/advisories/GHSA-8cqv-pj7f-pwpc (Patches: \"Fixed in versions: 17.5.2, 16.5.12, 15.5.3\"; affected >=15.0.0 <15.5.3, >=16.0.0 <16.5.12, >=17.0.0 <17.5.2)",
	},
	{
		// The fix (#59555 on master, 2025-09-25) names no release that
		// introduced the bug.
		ID:     "gravitational/teleport#59555",
		Ranges: []Range{r("16.0.0", "16.5.18"), r("17.0.0", "17.7.7"), r("18.0.0", "18.2.3")}, ProxyPeeringOnly: true,
		Breaks: "with proxy peering, connections to agents over peered tunnels fail: an agent is reachable only through the proxies it is connected to",
		Source: "Teleport CHANGELOG 18.2.3 (#59556) and 17.7.7 (#59557): \"Fixed an issue that prevented connecting to agents over peered tunnels when proxy peering was enabled\"; 16.x: backport #59558 to branch/v16 (merged 2025-09-24), released in 16.5.18 by the project's platform notes (no branch/v16 CHANGELOG was in the sources checked)",
	},
	{
		ID:     "gravitational/teleport#50490",
		Ranges: []Range{r("17.1.0", "17.1.1")},
		Breaks: "SSH server heartbeats disappear after a few minutes; Teleport says to skip 17.1.0",
		Source: "Teleport 17.1.0 release notes (fixed in 17.1.1, #50490)",
	},
	{
		// "Auth readiness tuned to wait for cache initialization" (#61620)
		// came in 18.4.2; the 18.5.1 fix names no introducing release.
		ID:     "gravitational/teleport#62194",
		Ranges: []Range{r("18.4.2", "18.5.1")},
		Breaks: "an Auth Service instance sometimes never becomes ready at start: the auth load balancer routes on /readyz, so a replaced auth server may take no traffic",
		Source: "Teleport CHANGELOG 18.5.1: \"Fixed Teleport instances running the Auth Service sometimes not becoming ready during initialization\" (#62194); 18.4.2: \"Auth readiness tuned to wait for cache initialization\" (#61620)",
	},
	{
		ID:     "Teleport 18.7.4 security release",
		Ranges: []Range{r("18.0.0", "18.7.4")},
		Breaks: "[High] authorization bypass in encrypted session recording APIs (v18 only), [High] a compromised SSH node can read other nodes' audit events and session recordings, [Medium] SSRF via AWS database access endpoints; the earlier private security releases 18.2.5, 18.6.2 and 18.7.3 are contained too",
		Source: "Teleport CHANGELOG 18.7.6 \"Security fixes\": \"We recommend that users on versions prior to v18.7.4 upgrade their Auth and Database Services\"; 18.7.3 and 18.7.4 are listed as private security releases",
	},
	{
		// The v18 backport's test plan joins an 18.7.4 proxy to a fixed
		// auth server: the fix is on the auth side. No introducing release
		// is named.
		ID:     "gravitational/teleport#66044",
		Ranges: []Range{r("18.0.0", "18.7.5")},
		Breaks: "while any lock is in force, proxies that join the Auth Service directly with a CA pin (as every proxy here does) fail to join: new proxies never come up",
		Source: "Teleport CHANGELOG 18.7.5 and 18.7.6 (#66044, backport of #65992): \"Fixed joining for agents and proxies connecting directly to an Auth service when they specify a CA pin and any lock in the cluster is in force\"",
	},
	{
		ID:     "gravitational/teleport#65821",
		Ranges: []Range{r("18.0.0", "18.7.6")},
		Breaks: "a race in the DynamoDB backend can miss events, leaving the auth and proxy caches inconsistent with the cluster state",
		Source: "Teleport CHANGELOG 18.7.6: \"Fixes race condition in dynamoDB backend which can lead to missed events, resulting in a inconsistent cache state\" (#65821)",
	},
	{
		ID:     "gravitational/teleport#66933",
		Ranges: []Range{r("18.7.6", "18.8.2")},
		Breaks: "resources behind agents older than the auth and proxy release are unreachable through approved just-in-time access requests; Teleport says to skip 18.8.0 and 18.8.1",
		Source: "Teleport CHANGELOG 18.8.2: \"Fixed a regression introduced in v18.7.6 affecting connectivity to resources via approved just-in-time resource access requests when the cluster is running agents older than v18.7.6\" (#66933); warnings on 18.7.6, 18.8.0 and 18.8.1",
	},
}

// RangeOf returns the range of a affecting release v of a cluster that
// runs proxy peering or not.
func (a Advisory) RangeOf(v Version, proxyPeering bool) (Range, bool) {
	if a.ProxyPeeringOnly && !proxyPeering {
		return Range{}, false
	}
	for _, rg := range a.Ranges {
		if !v.Less(rg.Introduced) && v.Less(rg.Fixed) {
			return rg, true
		}
	}
	return Range{}, false
}

// Affects reports whether a applies to release v of a cluster that runs
// proxy peering or not.
func (a Advisory) Affects(v Version, proxyPeering bool) bool {
	_, ok := a.RangeOf(v, proxyPeering)
	return ok
}

// advisoryWarnings returns a warning for every advisory affecting the
// release at path.
func advisoryWarnings(path string, v Version, proxyPeering bool) []string {
	var out []string
	for _, a := range Advisories {
		if rg, ok := a.RangeOf(v, proxyPeering); ok {
			out = append(out, fmt.Sprintf("%s: Teleport %s is affected by %s (%s to before %s): %s; upgrade to %s or later (%s)",
				path, v, a.ID, rg.Introduced, rg.Fixed, a.Breaks, rg.Fixed, a.Source))
		}
	}
	return out
}
