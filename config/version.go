package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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

// mustVersion parses a release of the tables below.
func mustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
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

// IsZero reports whether v is no release at all.
func (v Version) IsZero() bool { return v == Version{} }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// VersionSkew says why proxies at proxy cannot run with auth servers at
// auth, or returns "". Teleport's rules ("Upgrading a Teleport cluster" and
// the component compatibility guide; RFD 225: "Users may upgrade their
// cluster from any N-1 version to any N version"): the Auth Service is
// upgraded first, a proxy never runs a newer release than the auth
// servers, and at most one major version behind them. So an auth release
// more than one major ahead of the proxies is refused too: that is a jump
// of two majors, which Teleport does not support.
func VersionSkew(auth, proxy Version) string {
	switch {
	case auth.Less(proxy):
		return fmt.Sprintf("proxies would run %s, newer than the auth servers' %s: Teleport upgrades the Auth Service first; set auth.teleport_version: %q, deploy, then raise teleport_version", proxy, auth, proxy.String())
	case auth.Major-proxy.Major > 1:
		return fmt.Sprintf("proxies at %s would be %d major versions behind the auth servers' %s; Teleport supports one, and upgrades one major at a time: set auth.teleport_version to a release of %d, deploy, raise teleport_version to it, deploy, then go on to %d", proxy, auth.Major-proxy.Major, auth, proxy.Major+1, proxy.Major+2)
	}
	return ""
}

// Month is a calendar month, the precision of Teleport's support dates.
type Month struct {
	Year  int
	Month time.Month
}

func (m Month) String() string { return fmt.Sprintf("%s %d", m.Month, m.Year) }

// after is the first instant after the month.
func (m Month) after() time.Time {
	return time.Date(m.Year, m.Month+1, 1, 0, 0, 0, 0, time.UTC)
}

// Line is one Teleport major release line: when it came out, until when
// Teleport supports it, and the newest release of it verified for this app.
type Line struct {
	Major int
	// Released is the date of the line's first release (X.0.0), "" when no
	// release of the line was found in Teleport's own sources.
	Released string
	// SupportedThrough is the last month Teleport supports the line (its
	// "EOL" column); zero when Teleport has not published one.
	SupportedThrough Month
	// Newest is the newest release of the line found in Teleport's own
	// sources with its release notes, zero when none was looked up.
	Newest Version
	// Verified is false for a line no release of which was found in
	// Teleport's own sources: it is accepted with a warning that its
	// configuration, images and advisories are unchecked.
	Verified bool
	// Source is where the support window is stated, NewestSource where
	// the newest release is.
	Source, NewestSource string
}

// Lines are the Teleport major lines this app configures, oldest first.
// Teleport's support policy (RFD 225, "Teleport Extended Release Support",
// and docs PR #60885, backported to v18 as #61067): yearly majors from 18
// on, N and N-1 supported; v16 ended on October 31, 2025, v17 is supported
// until August 2026, v18 until August 2027, 19.0.0 is planned for August
// 2026. Majors older than the first line are refused (this app renders
// v3 configuration files, proxy peering and https_keypairs reloads as 15
// and later read them), and so are majors newer than the last.
var Lines = []Line{
	{
		Major: 15, Released: "2024-01-29", SupportedThrough: Month{2025, time.January}, Verified: true,
		Source: `Teleport docs/pages/faq.mdx "Supported versions": v15.0 released January 29, 2024, EOL January 2025`,
	},
	{
		Major: 16, Released: "2024-06-14", SupportedThrough: Month{2025, time.October}, Verified: true,
		Source: `RFD 225 "Proposed Rollout": v16.x released June 14, 2024, EOL October 31 2025`,
	},
	{
		Major: 17, Released: "2024-11-16", SupportedThrough: Month{2026, time.August}, Verified: true,
		Source:       `RFD 225 "Proposed Rollout": v17.x released November 16, 2024, EOL August 2026`,
		Newest:       mustVersion("17.7.16"),
		NewestSource: "CHANGELOG.md on branch/v17: 17.7.16 (02/02/26), its newest entry in the sources checked",
	},
	{
		Major: 18, Released: "2025-07-03", SupportedThrough: Month{2027, time.August}, Verified: true,
		Source:       `RFD 225 "Proposed Rollout": v18.x released July 3, 2025, EOL August 2027`,
		Newest:       mustVersion("18.9.0"),
		NewestSource: "CHANGELOG.md on branch/v18: release notes up to 18.9.0-rc.2 (06/08/26); gravitational/teleport#67876: 18.9.0 is published from the commit of 18.9.0-rc.2, #67909 (2026-06-17): \"18.9.0 was published\". 18.9.2 (#68195) and 18.10.x (#68472, #68967) are published too, but their notes were not in the sources checked",
	},
	{
		Major: 19, Verified: false,
		Source: `RFD 225: "19.0.0 would be released in August of 2026"; the newest 19.x found is 19.0.0-prealpha.1 (gravitational/teleport#64603, 2026-03-13)`,
	},
}

// DefaultTeleportVersion is the release the example and the test configs
// run: the newest release of the newest verified line (a test keeps them
// equal).
var DefaultTeleportVersion = newestVerified().String()

// newestVerified is the newest release of the newest verified line.
func newestVerified() Version {
	for i := len(Lines) - 1; i >= 0; i-- {
		if Lines[i].Verified && !Lines[i].Newest.IsZero() {
			return Lines[i].Newest
		}
	}
	panic("no verified Teleport line")
}

// LineOf returns the line of major and whether this app knows it.
func LineOf(major int) (Line, bool) {
	for _, l := range Lines {
		if l.Major == major {
			return l, true
		}
	}
	return Line{}, false
}

// Now is the clock that support windows are judged by (tests set it).
var Now = time.Now

// EndedSince is when Teleport stopped supporting the line, and whether it
// has at t.
func (l Line) EndedSince(t time.Time) (time.Time, bool) {
	if l.SupportedThrough == (Month{}) {
		return time.Time{}, false
	}
	end := l.SupportedThrough.after()
	return end, !t.Before(end)
}

// upgradePath lists the majors from the one after from up to the newest
// verified line: Teleport upgrades one major at a time.
func upgradePath(from int) []string {
	to := newestVerified().Major
	var path []string
	for m := from + 1; m <= to; m++ {
		path = append(path, strconv.Itoa(m))
	}
	return path
}

// supportProblem says why release s of major cannot be configured, or "":
// a major older than the oldest line, or newer than any line this app
// knows.
func supportProblem(s string, v Version) string {
	oldest, newest := Lines[0].Major, Lines[len(Lines)-1].Major
	target := newestVerified()
	switch {
	case v.Major < oldest:
		return fmt.Sprintf("%q is Teleport %d, older than Teleport %d, the oldest release this app configures: upgrade the running cluster to a %d.x release first with Teleport's upgrade procedure (auth first, one major at a time), set that release here, then go on one major per deploy: %s (%s is the newest release checked)",
			s, v.Major, oldest, oldest, strings.Join(upgradePath(oldest), ", then "), target)
	case v.Major > newest:
		return fmt.Sprintf("%q is Teleport %d, which this app does not know: its configuration, machine images, support window and advisories are unchecked (config/version.go Lines); use %s, the newest release checked", s, v.Major, target)
	}
	return ""
}

// supportWarnings warns about release v at path: a line past its end of
// support (since when, and the upgrade path), or a line no release of
// which was verified.
func supportWarnings(path string, v Version, now time.Time) []string {
	l, ok := LineOf(v.Major)
	if !ok {
		return nil
	}
	target := newestVerified()
	var out []string
	if !l.Verified {
		out = append(out, fmt.Sprintf("%s: Teleport %d (%s) is not verified: no %d.x release was found in the Teleport sources checked for this app, so its configuration keys, machine images, IAM join regions and advisories are unchecked (%s); %s is the newest release checked",
			path, v.Major, v, v.Major, l.Source, target))
	}
	if end, ended := l.EndedSince(now); ended {
		out = append(out, fmt.Sprintf("%s: Teleport %d (%s) is past its end of support: Teleport supported %d through %s, so it gets no fixes since %s (%s); upgrade one major at a time, auth first (docs/operations.md \"Upgrading Teleport\"): %s, where %s is the newest release checked",
			path, v.Major, v, v.Major, l.SupportedThrough, end.Format("2 January 2006"), l.Source, strings.Join(upgradePath(v.Major), ", then "), target))
	}
	return out
}

// SupportStatus says, for the review page, whether Teleport supports
// release v at t.
func SupportStatus(v Version, t time.Time) string {
	l, ok := LineOf(v.Major)
	switch {
	case !ok:
		return fmt.Sprintf("Teleport %d is unknown to this app", v.Major)
	case !l.Verified:
		return fmt.Sprintf("Teleport %d: no release verified in Teleport's sources; support window unknown", v.Major)
	}
	if _, ended := l.EndedSince(t); ended {
		return fmt.Sprintf("Teleport %d: **past its end of support** (supported through %s)", v.Major, l.SupportedThrough)
	}
	return fmt.Sprintf("Teleport %d: supported through %s", v.Major, l.SupportedThrough)
}

// versionFromNumber is the quoted release to suggest for a teleport_version
// that YAML read as a number (teleport_version: 18.9 is the float 18.9, the
// text "18.9"): the number's text padded to MAJOR.MINOR.PATCH ("18.9.0"),
// when validation accepts that release, else DefaultTeleportVersion. So the
// suggestion, pasted in, passes.
func versionFromNumber(text string) string {
	parts := strings.Split(text, ".")
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	s := strings.Join(parts, ".")
	if v, err := ParseVersion(s); err == nil && supportProblem(s, v) == "" {
		return s
	}
	return DefaultTeleportVersion
}
