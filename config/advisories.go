package config

import "fmt"

// Advisory is a known problem of a range of Teleport releases that a
// cluster built here would hit.
type Advisory struct {
	// ID names the advisory: a GHSA or CVE id, or the fixing pull request.
	ID string
	// Introduced is the first affected release, Fixed the first release
	// without the problem: affected is Introduced <= v < Fixed.
	Introduced, Fixed Version
	// ProxyPeeringOnly limits the advisory to clusters that run Teleport
	// Proxy Peering (Enterprise).
	ProxyPeeringOnly bool
	// Breaks says what goes wrong.
	Breaks string
	// Source is where the range and the effect are stated.
	Source string
}

// Advisories are the known-bad 17.x releases for this deployment (Auth and
// Proxy Services, proxy peering), from Teleport's CHANGELOG (branch/v17)
// and security advisories. A config on an affected release is still
// synthesized, with a warning: an existing cluster must be able to
// synthesize its current release to upgrade from it.
var Advisories = []Advisory{
	{
		ID:         "CVE-2025-49825 (GHSA-8cqv-pj7f-pwpc)",
		Introduced: Version{17, 0, 0}, Fixed: Version{17, 5, 2},
		Breaks: "critical remote authentication bypass (CVSS 9.8): a forged SSH certificate is accepted",
		Source: "https://github.com/gravitational/teleport/security/advisories/GHSA-8cqv-pj7f-pwpc",
	},
	{
		// The 17.7.7 entry names no release that introduced the bug, and
		// the same fix went to 16.5.18 and 18.2.3: every 17.x before 17.7.7
		// is treated as affected.
		ID:         "gravitational/teleport#59557",
		Introduced: Version{17, 0, 0}, Fixed: Version{17, 7, 7}, ProxyPeeringOnly: true,
		Breaks: "with proxy peering, connections to agents over peered tunnels fail: an agent is reachable only through the proxies it is connected to",
		Source: "Teleport CHANGELOG 17.7.7 (#59557, changelog entry #59726)",
	},
	{
		ID:         "gravitational/teleport#50490",
		Introduced: Version{17, 1, 0}, Fixed: Version{17, 1, 1},
		Breaks: "SSH server heartbeats disappear after a few minutes; Teleport says to skip 17.1.0",
		Source: "Teleport 17.1.0 release notes (fixed in 17.1.1, #50490)",
	},
}

// Affects reports whether a applies to release v of a cluster that runs
// proxy peering or not.
func (a Advisory) Affects(v Version, proxyPeering bool) bool {
	if a.ProxyPeeringOnly && !proxyPeering {
		return false
	}
	return !v.Less(a.Introduced) && v.Less(a.Fixed)
}

// advisoryWarnings returns a warning for every advisory affecting the
// release at path.
func advisoryWarnings(path string, v Version, proxyPeering bool) []string {
	var out []string
	for _, a := range Advisories {
		if a.Affects(v, proxyPeering) {
			out = append(out, fmt.Sprintf("%s: Teleport %s is affected by %s (%s to before %s): %s; upgrade to %s or later (%s)",
				path, v, a.ID, a.Introduced, a.Fixed, a.Breaks, a.Fixed, a.Source))
		}
	}
	return out
}
