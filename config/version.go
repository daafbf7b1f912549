package config

import (
	"fmt"
	"strconv"
)

// Version is an exact Teleport release.
type Version struct{ Major, Minor, Patch int }

// ParseVersion reads "MAJOR.MINOR.PATCH".
func ParseVersion(s string) (Version, error) {
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not MAJOR.MINOR.PATCH", s)
	}
	// versionRe admits no leading zeros and at most MaxVersionPart per
	// number, so these conversions cannot fail or overflow.
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	return v, nil
}

// Less reports whether v is an older release than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Patch < w.Patch
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// VersionSkew says why proxies at proxy cannot run with auth servers at
// auth, or returns "". Teleport's rules ("Upgrading a Teleport cluster" and
// the component compatibility guide): the Auth Service is upgraded first, a
// proxy never runs a newer release than the auth servers, and at most one
// major version behind them.
func VersionSkew(auth, proxy Version) string {
	switch {
	case auth.Less(proxy):
		return fmt.Sprintf("proxies would run %s, newer than the auth servers' %s: Teleport upgrades the Auth Service first; set auth.teleport_version: %q, deploy, then raise teleport_version", proxy, auth, proxy.String())
	case auth.Major-proxy.Major > 1:
		return fmt.Sprintf("proxies at %s would be %d major versions behind the auth servers' %s; Teleport supports one: upgrade the proxies to %d.x first, or keep auth.teleport_version at most one major ahead", proxy, auth.Major-proxy.Major, auth, auth.Major-1)
	}
	return ""
}
