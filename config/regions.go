package config

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Region describes one commercial AWS region: where it is (for choosing the
// nearest proxy region of a resource region) and how many availability zones
// an account can count on there.
type Region struct {
	// Name is the AWS region code, e.g. "eu-central-1".
	Name string
	// Location is the city the region is named after, for humans.
	Location string
	// Lat and Lon are the approximate coordinates of that city, in degrees.
	Lat, Lon float64
	// ZoneIDs are the region's default availability zones, by AZ ID (the
	// same physical zone in every account, unlike zone names), in the
	// order subnets use them. They are chosen at synth time and never read
	// from a live list of available zones: a zone that becomes impaired, or
	// a new zone, must never shift subnets (and with them load balancers and
	// groups) from one zone to another in the middle of an outage.
	ZoneIDs []string
}

// AZs is the number of default zones, the most a VPC spans unless the
// config names its zones.
func (r Region) AZs() int { return len(r.ZoneIDs) }

// regionTable lists the commercial AWS regions this app can deploy to.
// Zone IDs follow AWS's "AWS Availability Zones" page (global-infrastructure
// guide); where a region has a zone closed to new accounts or new instance
// types (use1-az3, usw1-az2, apne1-az3, cac1-az3 does not exist), the table
// skips it: us-east-1 and us-west-1 as in the EFS One Zone list of supported
// AZ IDs. Override with zones: in the config where an account differs. GovCloud
// and China are left out on purpose: the reference design does not cover them.
// Coordinates are those of the metro area; that is precise enough to rank
// regions by great-circle distance.
var regionTable = []Region{
	{"af-south-1", "Cape Town", -33.92, 18.42, []string{"afs1-az1", "afs1-az2", "afs1-az3"}},
	{"ap-east-1", "Hong Kong", 22.32, 114.17, []string{"ape1-az1", "ape1-az2", "ape1-az3"}},
	{"ap-northeast-1", "Tokyo", 35.68, 139.69, []string{"apne1-az1", "apne1-az2", "apne1-az4"}},
	{"ap-northeast-2", "Seoul", 37.57, 126.98, []string{"apne2-az1", "apne2-az2", "apne2-az3"}},
	{"ap-northeast-3", "Osaka", 34.69, 135.50, []string{"apne3-az1", "apne3-az2", "apne3-az3"}},
	{"ap-south-1", "Mumbai", 19.08, 72.88, []string{"aps1-az1", "aps1-az2", "aps1-az3"}},
	{"ap-south-2", "Hyderabad", 17.39, 78.49, []string{"aps2-az1", "aps2-az2", "aps2-az3"}},
	{"ap-southeast-1", "Singapore", 1.35, 103.82, []string{"apse1-az1", "apse1-az2", "apse1-az3"}},
	{"ap-southeast-2", "Sydney", -33.87, 151.21, []string{"apse2-az1", "apse2-az2", "apse2-az3"}},
	{"ap-southeast-3", "Jakarta", -6.21, 106.85, []string{"apse3-az1", "apse3-az2", "apse3-az3"}},
	{"ap-southeast-4", "Melbourne", -37.81, 144.96, []string{"apse4-az1", "apse4-az2", "apse4-az3"}},
	{"ap-southeast-5", "Kuala Lumpur", 3.14, 101.69, []string{"apse5-az1", "apse5-az2", "apse5-az3"}},
	{"ap-southeast-7", "Bangkok", 13.76, 100.50, []string{"apse7-az1", "apse7-az2", "apse7-az3"}},
	{"ca-central-1", "Montreal", 45.50, -73.57, []string{"cac1-az1", "cac1-az2", "cac1-az4"}},
	{"ca-west-1", "Calgary", 51.05, -114.07, []string{"caw1-az1", "caw1-az2", "caw1-az3"}},
	{"eu-central-1", "Frankfurt", 50.11, 8.68, []string{"euc1-az1", "euc1-az2", "euc1-az3"}},
	{"eu-central-2", "Zurich", 47.37, 8.54, []string{"euc2-az1", "euc2-az2", "euc2-az3"}},
	{"eu-north-1", "Stockholm", 59.33, 18.07, []string{"eun1-az1", "eun1-az2", "eun1-az3"}},
	{"eu-south-1", "Milan", 45.46, 9.19, []string{"eus1-az1", "eus1-az2", "eus1-az3"}},
	{"eu-south-2", "Aragon", 41.65, -0.88, []string{"eus2-az1", "eus2-az2", "eus2-az3"}},
	{"eu-west-1", "Dublin", 53.35, -6.26, []string{"euw1-az1", "euw1-az2", "euw1-az3"}},
	{"eu-west-2", "London", 51.51, -0.13, []string{"euw2-az1", "euw2-az2", "euw2-az3"}},
	{"eu-west-3", "Paris", 48.86, 2.35, []string{"euw3-az1", "euw3-az2", "euw3-az3"}},
	{"il-central-1", "Tel Aviv", 32.09, 34.78, []string{"ilc1-az1", "ilc1-az2", "ilc1-az3"}},
	{"me-central-1", "Abu Dhabi", 24.45, 54.38, []string{"mec1-az1", "mec1-az2", "mec1-az3"}},
	{"me-south-1", "Bahrain", 26.07, 50.56, []string{"mes1-az1", "mes1-az2", "mes1-az3"}},
	{"mx-central-1", "Queretaro", 20.59, -100.39, []string{"mxc1-az1", "mxc1-az2", "mxc1-az3"}},
	{"sa-east-1", "Sao Paulo", -23.55, -46.63, []string{"sae1-az1", "sae1-az2", "sae1-az3"}},
	{"us-east-1", "N. Virginia", 38.90, -77.40, []string{"use1-az1", "use1-az2", "use1-az4"}},
	{"us-east-2", "Ohio", 40.00, -83.00, []string{"use2-az1", "use2-az2", "use2-az3"}},
	// us-west-1 has two zones open to new accounts: usw1-az1 and usw1-az3.
	{"us-west-1", "N. California", 37.35, -121.96, []string{"usw1-az1", "usw1-az3"}},
	{"us-west-2", "Oregon", 45.84, -119.70, []string{"usw2-az1", "usw2-az2", "usw2-az3"}},
}

// PinnedAWSProvider is the hashicorp/aws release the pinned
// cdktf-provider-aws-go (v19.54.0) binds: what `terraform init` installs,
// and whose rules validation follows (a test checks it against the
// synthesized required_providers).
const PinnedAWSProvider = "5.88.0"

// MinTerraform is the oldest Terraform release that runs every stack, which
// each stack declares as required_version: the S3 backend's use_lockfile and
// the ephemeral resource that checks the license parameter at plan time
// (package authcluster) both arrived in Terraform 1.10 (its CHANGELOG), and
// import and removed blocks (1.5 and 1.7) are covered by it. OpenTofu reads
// the same constraint against its own version but has ephemeral resources
// only from 1.11 ("Ephemeral resources can be used only with OpenTofu from
// v1.11 onwards", OpenTofu language docs): MinOpenTofu.
const MinTerraform = "1.10.0"

// MinOpenTofu is the oldest OpenTofu release that runs every stack (see
// MinTerraform); required_version cannot tell the two tools apart, so an
// OpenTofu 1.10 passes it and then refuses the ephemeral block.
const MinOpenTofu = "1.11.0"

// OptInRegions are the regions of the table an account must enable before
// using them ("Enable or disable AWS Regions in your account", AWS Account
// Management guide: the Regions introduced after March 20, 2019 are
// disabled by default). Teleport publishes its AMIs in exactly the others
// (TeleportAMIRegions: "limit AMI publishing to non opt-in regions"), and
// a test keeps the two lists complementary.
var OptInRegions = []string{
	"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
}

// regionsAfterProvider are commercial regions that opened after the pinned
// AWS provider (hashicorp/aws 5.88.0, 2025-02-20) was built: its region
// check (aws-sdk-go-base validation.SupportedRegion, v2.0.0-beta.62, the
// last release before 5.88.0, whose endpoints list ends at mx-central-1)
// refuses them with "invalid AWS Region", so no stack can use them. They
// come back into regionTable with a provider upgrade.
var regionsAfterProvider = map[string]string{
	"ap-east-2":      "Asia Pacific (Taipei), which the pinned AWS provider (hashicorp/aws 5.88.0) does not know yet: it fails with \"invalid AWS Region\"; choose another region until the provider is upgraded",
	"ap-southeast-6": "Asia Pacific (New Zealand), which the pinned AWS provider (hashicorp/aws 5.88.0) does not know yet: it fails with \"invalid AWS Region\"; choose another region until the provider is upgraded",
}

// otherZoneIDs are AZ IDs that exist in a region besides its default
// zones: closed to new accounts or new instance types, or a fourth zone
// and more (AWS's "AWS Availability Zones" page, global-infrastructure
// guide; EFS One Zone's list of AZ IDs). zones: may name them.
var otherZoneIDs = map[string][]string{
	"ap-northeast-1": {"apne1-az3"},
	"ap-northeast-2": {"apne2-az4"},
	"us-east-1":      {"use1-az3", "use1-az5", "use1-az6"},
	"us-west-1":      {"usw1-az2"},
	"us-west-2":      {"usw2-az4"},
}

// zoneLetters are the letters of a region's zone names where they are not
// the first AZs() letters (one per zone: a, b, c).
var zoneLetters = map[string]string{
	"ap-northeast-1": "abcd",
	"ap-northeast-2": "abcd",
	"ca-central-1":   "abd",
	"us-east-1":      "abcdef",
	"us-west-1":      "abc",
	"us-west-2":      "abcd",
}

// hasZoneID reports whether id is an AZ ID of r.
func (r Region) hasZoneID(id string) bool {
	return slices.Contains(r.ZoneIDs, id) || slices.Contains(otherZoneIDs[r.Name], id)
}

// zoneNameLetters are the letters of r's zone names.
func (r Region) zoneNameLetters() string {
	if l, ok := zoneLetters[r.Name]; ok {
		return l
	}
	return "abcdefghijklmnopqrstuvwxyz"[:r.AZs()]
}

// LookupRegion returns the region named name and whether it is known.
func LookupRegion(name string) (Region, bool) {
	for _, r := range regionTable {
		if r.Name == name {
			return r, true
		}
	}
	return Region{}, false
}

// RegionNames returns the names of all known regions, sorted.
func RegionNames() []string {
	names := make([]string, 0, len(regionTable))
	for _, r := range regionTable {
		names = append(names, r.Name)
	}
	sort.Strings(names)
	return names
}

// DistanceKm is the great-circle distance between two regions in kilometres.
func DistanceKm(a, b Region) float64 {
	const earthRadiusKm = 6371.0
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat := rad(b.Lat - a.Lat)
	dLon := rad(b.Lon - a.Lon)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

// NearestRegion returns the candidate closest to from, by great-circle
// distance; ties go to the candidate whose name sorts first, so the answer
// does not depend on the order of candidates. It returns false when no
// candidate is a known region.
func NearestRegion(from string, candidates []string) (string, float64, bool) {
	src, ok := LookupRegion(from)
	if !ok {
		return "", 0, false
	}
	best, bestKm, found := "", 0.0, false
	for _, c := range candidates {
		r, ok := LookupRegion(c)
		if !ok {
			continue
		}
		km := DistanceKm(src, r)
		if !found || km < bestKm || (km == bestKm && c < best) {
			best, bestKm, found = c, km, true
		}
	}
	return best, bestKm, found
}

// Zone is one availability zone of a VPC: by AZ ID or, when the config
// names zones that way, by zone name. Exactly one of ID and Name is set.
type Zone struct {
	ID, Name string
	// Slot is the zone's block of the VPC range: its public subnet is
	// block Slot, its private subnet block ZoneSlots+Slot (0 to
	// ZoneSlots-1). A zone keeps its slot for as long as it is in the VPC,
	// so that adding or removing another zone never moves its subnets.
	Slot int
}

// ZoneSlots is how many zones' subnets a VPC range has room for: it is cut
// into 2*ZoneSlots equal blocks, public ones first. One more than MaxAZCount,
// so that a zone added after one was removed never needs the block of a
// subnet that is still being destroyed.
const ZoneSlots = 4

// String returns the ID or the name.
func (z Zone) String() string {
	if z.ID != "" {
		return z.ID
	}
	return z.Name
}

// azIDRe matches an AZ ID such as usw2-az1; group 1 is the region part.
var azIDRe = regexp.MustCompile(`^([a-z]+[0-9]+)-az[0-9]+$`)

// zoneIDPrefix is the region part of the region's AZ IDs ("usw2").
func (r Region) zoneIDPrefix() string {
	if m := azIDRe.FindStringSubmatch(r.ZoneIDs[0]); m != nil {
		return m[1]
	}
	return ""
}

// parseZone reads one zones: entry of region, or says why it is not one.
func parseZone(region Region, s string) (Zone, string) {
	if m := azIDRe.FindStringSubmatch(s); m != nil {
		if m[1] != region.zoneIDPrefix() {
			return Zone{}, fmt.Sprintf("%q is an AZ ID of another region; %s's AZ IDs start with %s-", s, region.Name, region.zoneIDPrefix())
		}
		if !region.hasZoneID(s) {
			return Zone{}, fmt.Sprintf("%q is not an AZ ID of %s, whose zones are %s", s, region.Name, strings.Join(append(slices.Clone(region.ZoneIDs), otherZoneIDs[region.Name]...), ", "))
		}
		return Zone{ID: s}, ""
	}
	if len(s) == len(region.Name)+1 && strings.HasPrefix(s, region.Name) && s[len(s)-1] >= 'a' && s[len(s)-1] <= 'z' {
		if letters := region.zoneNameLetters(); !strings.Contains(letters, s[len(s)-1:]) {
			return Zone{}, fmt.Sprintf("%q is not a zone of %s, whose zone names end in one of %s", s, region.Name, strings.Join(strings.Split(letters, ""), ", "))
		}
		return Zone{Name: s}, ""
	}
	return Zone{}, fmt.Sprintf("%q is neither an AZ ID of %s (such as %s) nor one of its zone names (such as %sa)", s, region.Name, region.ZoneIDs[0], region.Name)
}

// ZonesOf returns the count zones a VPC in region spans: the configured
// ones, else the first count of the region's table; zone i in slot i. Call
// it on a validated config.
func ZonesOf(region string, configured []string, count int) []Zone {
	return zonesOf(region, configured, count, nil)
}

// zonesOf is ZonesOf with the slots a previous output gave the zones by
// label (Zone.String): a zone found there keeps its slot, a new one takes the
// lowest slot that no zone of the previous output held (that zone's subnets
// may still exist while this one is created). Without a previous output, zone
// i is in slot i: the layout every output had before slots were kept.
func zonesOf(region string, configured []string, count int, previous map[string]int) []Zone {
	r, _ := LookupRegion(region)
	var out []Zone
	if len(configured) > 0 {
		for _, s := range configured[:min(count, len(configured))] {
			z, _ := parseZone(r, s)
			out = append(out, z)
		}
	} else {
		for _, id := range r.ZoneIDs[:min(count, len(r.ZoneIDs))] {
			out = append(out, Zone{ID: id})
		}
	}
	if previous == nil {
		for i := range out {
			out[i].Slot = i
		}
		return out
	}
	taken := map[int]bool{}
	for _, s := range previous {
		taken[s] = true
	}
	for i, z := range out {
		if s, ok := previous[z.String()]; ok {
			out[i].Slot = s
			continue
		}
		s := 0
		for taken[s] {
			s++
		}
		taken[s] = true
		out[i].Slot = s
	}
	return out
}

// ZoneList returns the zones of the auth VPC, in the slots the previous
// output gave them (RememberZoneSlots).
func (a AuthRegion) ZoneList() []Zone { return zonesOf(a.Region, a.Zones, a.AZCount, a.previousSlots) }

// ZoneList returns the zones of a proxy region's VPC, in the slots the
// previous output gave them (RememberZoneSlots).
func (p ProxyRegion) ZoneList() []Zone { return zonesOf(p.Region, p.Zones, p.AZCount, p.previousSlots) }

// RememberZoneSlots records the slot of each zone (by label) of the VPC of
// the auth region (vpc "auth") or of a proxy region (vpc its region), as the
// output this synth replaces has them, for ZoneList. The caller has checked
// that the zones fit: at most ZoneSlots in all, old and new.
func (c *Cluster) RememberZoneSlots(vpc string, slots map[string]int) {
	if vpc == "auth" {
		c.Auth.previousSlots = slots
		return
	}
	for i := range c.ProxyRegions {
		if c.ProxyRegions[i].Region == vpc {
			c.ProxyRegions[i].previousSlots = slots
		}
	}
}

// nonASCII describes the first non-ASCII character of s ("U+0435 at
// character 5"), or "".
func nonASCII(s string) string {
	n := 0
	for _, r := range s {
		n++
		if r > 0x7e || r < 0x20 {
			return fmt.Sprintf("the non-ASCII character %U at character %d", r, n)
		}
	}
	return ""
}

// asciiLookalike maps the Cyrillic and Greek letters that look like the
// ASCII letters of region codes to them (for "did you mean"); others map
// to themselves.
func asciiLookalike(r rune) rune {
	if a, ok := lookalikes[r]; ok {
		return a
	}
	return r
}

var lookalikes = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	'α': 'a', 'ε': 'e', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'ν': 'v', 'ι': 'i', 'κ': 'k', 'η': 'n',
	'‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '−': '-',
}

// optInNote notes, once per region, that the account must enable region
// (at path) before the deploy: until then every call there fails with an
// invalid-token or unrecognized-client error that does not say why.
func (c *Cluster) optInNote(path, region string) {
	if !slices.Contains(OptInRegions, region) {
		return
	}
	for _, n := range c.notes {
		if strings.Contains(n, " "+region+" is an opt-in region") {
			return
		}
	}
	c.notes = append(c.notes, fmt.Sprintf("%s: %s is an opt-in region: the AWS account must enable it before the deploy (AWS console, Account, \"AWS Regions\"; or aws account enable-region --region-name %s), or every call there fails with an authentication error", path, region, region))
}
