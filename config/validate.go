package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/example/teleport-multi-region/internal/words"
)

// Limits that keep every generated AWS name inside its service's rules.
const (
	// MaxClusterNameLen keeps "<cluster>-proxy" load balancer and target group
	// names within AWS's 32-character limit with room to spare, and IAM role
	// names ("<cluster>-proxy-<region>") within 64.
	MaxClusterNameLen = 24
	// MinVPCPrefix and MaxVPCPrefix bound the VPC size. Each VPC is cut into
	// 8 equal blocks (public subnets from block 0, private from block 4): a
	// /24 gives /27 subnets, the smallest a load balancer accepts.
	MinVPCPrefix = 16
	MaxVPCPrefix = 24
	// MaxAZCount is the most availability zones a VPC spans.
	MaxAZCount = 3
	// MaxInstanceCount bounds an Auto Scaling group's desired size.
	MaxInstanceCount = 50
	// MaxAuthServers bounds the auth group: two readers per DynamoDB
	// Streams shard (see Validate).
	MaxAuthServers = 2
	// MaxAuthGeneration bounds auth.generation: "-g99" keeps every name
	// it suffixes within its service's limit (names_test.go).
	MaxAuthGeneration = 99
	// MinVolumeSizeGiB and MaxVolumeSizeGiB bound a root volume: 8 GiB
	// holds Amazon Linux 2023 and Teleport; 16 TiB is EBS's limit for gp3.
	MinVolumeSizeGiB = 8
	MaxVolumeSizeGiB = 16384
	// MinAgentConnectionCount is the fewest proxies an agent must reach
	// under proxy peering for one proxy to go away without an outage.
	MinAgentConnectionCount = 2
	// MaxDomainLen keeps _acme-challenge.<domain> (the DNS-01 record, 16
	// characters more) within DNS's 253 characters (RFC 1035 section 2.3.4).
	MaxDomainLen = 253 - len(acmeChallengeLabel) - 1
	// MaxUserTags is how many tags the config may add: AWS allows 50 user
	// tags per resource (its "Tagging AWS resources" guide: tag naming
	// limits; aws: tags do not count), and the app sets three of its own
	// (appTagKeys and Name; TestMaxUserTags keeps the count right).
	MaxUserTags = 50 - 3
	// MaxTagKeyLen and MaxTagValueLen are AWS's tag limits, in characters.
	MaxTagKeyLen   = 128
	MaxTagValueLen = 256
	// MaxSSMNameLen and MaxSSMLevels are Parameter Store's limits on a
	// parameter name ("Requirements and constraints for parameter names",
	// AWS Systems Manager User Guide: 1011 characters, 15 levels).
	MaxSSMNameLen = 1011
	MaxSSMLevels  = 15
	// MaxVersionPart bounds each number of a Teleport release, so that a
	// typo of many digits is an error rather than an overflow.
	MaxVersionPart = 9999
	// MaxS3KeyBytes is S3's limit on an object key (UTF-8 bytes).
	MaxS3KeyBytes = 1024
	// maxProblemsShown is how many problems an error prints before
	// "and N more".
	maxProblemsShown = 20
	// maxValueShown is how much of a value a message quotes.
	maxValueShown = 60
)

// acmeChallengeLabel is the label of the DNS-01 challenge record.
const acmeChallengeLabel = "_acme-challenge"

// appTagKeys are the tags the app sets on every resource (AllTags); the
// config must not override them: they identify what the app manages.
var appTagKeys = []string{"managed-by", "teleport-cluster"}

// Enumerations that the validator and the JSON Schema both state.
var (
	// Editions are the Teleport editions.
	Editions = []string{EditionEnterprise, EditionOSS}
	// PeeringModes are the peering.mode values.
	PeeringModes = []string{PeeringVPC, PeeringPublic}
	// ConnectivityModes are the connectivity.mode values.
	ConnectivityModes = []string{ConnectivityVPCPeering, ConnectivityTransitGateway}
	// BackendTypes are the backend.type values.
	BackendTypes = []string{BackendLocal, BackendS3}
	// FlowLogTrafficTypes are the flow_logs.traffic_type values this app
	// offers (of AWS's ACCEPT, REJECT and ALL: accepted traffic alone tells
	// nothing about an attack).
	FlowLogTrafficTypes = []string{"REJECT", "ALL"}
	// FlowLogRetentions are the retention periods CloudWatch Logs accepts
	// (PutRetentionPolicy), in days.
	FlowLogRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

// FieldError is one problem with one field of the config.
type FieldError struct {
	// Path is the field path, e.g. "proxy_regions[1].vpc_cidr".
	Path string
	// Msg says what is wrong and how to fix it.
	Msg string
	// Line and Column locate the value in the file (0 when the config did
	// not come from a file).
	Line, Column int
}

func (e FieldError) Error() string { return e.Path + ": " + e.Msg }

// ValidationError lists every problem found in a config file.
type ValidationError struct {
	// Source names the file.
	Source string
	// Problems are in file order.
	Problems []FieldError
	// Hints are printed once after the problems, such as the list of
	// regions that several problems refer to.
	Hints []string
}

// Error prints at most maxProblemsShown problems, one per line, then how
// many more there are, then the hints.
func (e *ValidationError) Error() string {
	var b strings.Builder
	src := e.Source
	if src == "" {
		src = "config"
	}
	fmt.Fprintf(&b, "%s: %s:", src, words.Plural(len(e.Problems), "problem"))
	for i, p := range e.Problems {
		if i == maxProblemsShown {
			fmt.Fprintf(&b, "\n  ... and %d more (fix these first)", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  ")
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d:%d: ", src, p.Line, p.Column)
		} else {
			b.WriteString("- ")
		}
		b.WriteString(p.Error())
	}
	for _, h := range e.Hints {
		b.WriteString("\n" + h)
	}
	return b.String()
}

var (
	clusterNameRe  = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	dnsLabelRe     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	versionRe      = regexp.MustCompile(`^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$`)
	zoneIDRe       = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	emailRe        = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	instanceTypeRe = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	amiIDRe        = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	ssmNameRe      = regexp.MustCompile(`^[A-Za-z0-9_.\-/]+$`)
	tagCharsRe     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	bucketRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	tableRe        = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
)

// Validate checks a defaulted config and returns a *ValidationError listing
// every problem, or nil.
func (c *Cluster) Validate() error { return c.validate(nil, nil) }

// validate checks c, skipping the checks that read a field in unknown: a
// value the file gave with the wrong type, already reported, whose default
// would only cause derived, misleading problems. given reports the paths
// the file sets (nil when c did not come from a file).
func (c *Cluster) validate(unknown, given func(path string) bool) error {
	c.notes, c.warnings = nil, nil
	if unknown == nil {
		unknown = func(string) bool { return false }
	}
	v := &validator{unknown: unknown, given: given}
	v.clusterName(c.ClusterName)
	v.domain(c)
	v.teleport(c)
	v.agentConnections(c)
	if c.ACMEEmail == "" {
		v.add("acme_email", "is required: the e-mail address of the Let's Encrypt account that issues the cluster's certificate")
	} else if !emailRe.MatchString(c.ACMEEmail) {
		v.add("acme_email", "%q is not an e-mail address", c.ACMEEmail)
	} else {
		v.acmeEmail(c)
	}
	if c.Alerts.Email != "" && !emailRe.MatchString(c.Alerts.Email) {
		v.add("alerts.email", "%q is not an e-mail address", c.Alerts.Email)
	}
	if c.Alerts.Email == "" {
		c.warnings = append(c.warnings, "alerts.email: not set, so the alarm topics (<cluster_name>-*-alerts) have no subscriber and every alarm notifies nobody; set alerts.email, or subscribe your own endpoint to the topics")
	}
	v.regions(c)
	v.iamJoin(c)
	v.peering(c)
	v.elasticIPs(c)
	v.flowLogs(c)
	v.backup(c)
	v.quotas(c)
	v.ami(c)
	v.imageSource(c)
	v.audit(c)
	v.backend(c)
	v.tags(c.Tags)
	v.unused(c)
	if len(v.problems) == 0 {
		return nil
	}
	var hints []string
	if v.listRegions {
		hints = append(hints, "Regions this app deploys to (the pinned AWS provider knows them): "+strings.Join(RegionNames(), ", "))
	}
	return &ValidationError{Problems: v.problems, Hints: hints}
}

type validator struct {
	problems []FieldError
	// unknown reports paths whose value was set aside (see validate).
	unknown func(path string) bool
	// given reports the paths the file sets; nil without a file.
	given func(path string) bool
	// listRegions asks for the region list once, after the problems.
	listRegions bool
}

// add records a problem at path. Values quoted with %q are shortened: a
// message quotes at most maxValueShown characters of what the file holds.
func (v *validator) add(path, format string, args ...any) {
	for i, verb := range verbs(format) {
		if i >= len(args) {
			break
		}
		if s, ok := args[i].(string); ok && verb == 'q' {
			args[i] = shorten(s)
		}
	}
	v.problems = append(v.problems, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// verbs lists the verbs of a format string, one per argument.
func verbs(format string) []rune {
	var out []rune
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] != '%' {
			out = append(out, rune(format[i]))
		}
	}
	return out
}

// shorten cuts s to maxValueShown characters, saying how long it was.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= maxValueShown {
		return s
	}
	return fmt.Sprintf("%s... (%d characters)", string(r[:maxValueShown]), len(r))
}

// agentConnections checks agent_connection_count against what a cluster
// can have: at least MinAgentConnectionCount, at most every proxy of the
// largest cluster the validator admits, and, with proxy peering, at most
// the proxies of the smallest active region. An agent reaches only the
// proxies of the region its latency record resolves to, and its pool keeps
// asking for a new tunnel while it has fewer than the count
// (lib/reversetunnel/agentpool.go: isAgentRequired is active.len() <
// connectionCount(), and connectionCount is not capped by the proxies
// known), so in a smaller region every agent redials forever.
func (v *validator) agentConnections(c *Cluster) {
	if c.Edition == EditionOSS {
		return // not used there (see unused)
	}
	n := c.AgentConnectionCount
	most := MaxInstanceCount * len(regionTable)
	switch {
	case n < MinAgentConnectionCount:
		v.add("agent_connection_count", "is %d; proxy peering needs at least %d so that an agent stays reachable when one proxy goes away", n, MinAgentConnectionCount)
	case n > most:
		v.add("agent_connection_count", "is %d, more proxies than any cluster can have (%d regions of at most %d proxies); use %d (the default) to %d", n, len(regionTable), MaxInstanceCount, DefaultAgentConnectionCount, most)
	case c.ProxyPeering():
		smallest := ProxyRegion{}
		for _, p := range c.ActiveProxyRegions() {
			if p.Instances.Count >= 1 && (smallest.Region == "" || p.Instances.Count < smallest.Instances.Count) {
				smallest = p
			}
		}
		if smallest.Region != "" && n > smallest.Instances.Count && smallest.Instances.Count < MinAgentConnectionCount {
			// "use at most 1" would be refused in turn.
			v.add("agent_connection_count", "is %d, more than the %d proxy of %s: an agent reaches only the proxies of its nearest region and keeps redialing while it has fewer than agent_connection_count tunnels (Teleport lib/reversetunnel/agentpool.go), so agents there would redial forever; give every proxy region at least %d proxies (instances.count)", n, smallest.Instances.Count, smallest.Region, n)
		} else if smallest.Region != "" && n > smallest.Instances.Count {
			v.add("agent_connection_count", "is %d, more than the %d proxies of %s: an agent reaches only the proxies of its nearest region and keeps redialing while it has fewer than agent_connection_count tunnels (Teleport lib/reversetunnel/agentpool.go), so agents there would redial forever; use at most %d, or give every proxy region at least %d proxies (instances.count)", n, smallest.Instances.Count, smallest.Region, smallest.Instances.Count, n)
		}
	}
}

func (v *validator) clusterName(name string) {
	switch {
	case name == "":
		v.add("cluster_name", "is required: a short DNS-safe name such as \"acme-prod\"; it prefixes every AWS resource name")
	case len(name) > MaxClusterNameLen:
		v.add("cluster_name", "%q is %d characters; use at most %d so that load balancer, target group and IAM names stay within AWS limits", name, len(name), MaxClusterNameLen)
	case !clusterNameRe.MatchString(name) || strings.Contains(name, "--"):
		v.add("cluster_name", "%q must be lowercase letters, digits and single hyphens, start with a letter and not end with a hyphen", name)
	case strings.Contains(name, "-proxy-") || strings.HasSuffix(name, "-proxy"):
		// Proxy roles are matched by the pattern <cluster>-proxy-* (IAM
		// join token, key policy). A cluster named "<other>-proxy-..." in
		// the same account would have roles matching <other>'s pattern.
		v.add("cluster_name", "%q contains \"-proxy\"; choose another name: the proxies' IAM roles are matched by the pattern <cluster_name>-proxy-*, which another cluster's roles must never match", name)
	}
}

// dnsName returns why name is not a valid lowercase DNS name, or "".
func dnsName(name string) string {
	if strings.HasSuffix(name, ".") && len(name) > 1 {
		return "ends with a dot; remove it (write names without the root dot)"
	}
	if len(name) > MaxDomainLen {
		return fmt.Sprintf("is %d characters; use at most %d so that the certificate's DNS-01 record %s.<domain> fits in DNS's 253", len(name), MaxDomainLen, acmeChallengeLabel)
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return "must have at least two labels, like teleport.example.com"
	}
	for _, l := range labels {
		if len(l) > 63 {
			return fmt.Sprintf("has a label %q longer than 63 characters", l[:20]+"...")
		}
		if !dnsLabelRe.MatchString(l) {
			return fmt.Sprintf("has an invalid label %q: use lowercase letters, digits and hyphens, no leading or trailing hyphen", l)
		}
	}
	return ""
}

func (v *validator) domain(c *Cluster) {
	domainOK, zoneOK := false, false
	if c.Domain == "" {
		v.add("domain", "is required: the public name of the cluster, such as teleport.example.com")
	} else if lower := strings.ToLower(c.Domain); lower != c.Domain && dnsName(lower) == "" {
		v.add("domain", "%q: write DNS names in lowercase: %q", c.Domain, lower)
	} else if why := dnsName(c.Domain); why != "" {
		v.add("domain", "%q %s", c.Domain, why)
	} else {
		domainOK = true
		v.acmeDomain(c.Domain)
	}
	if c.HostedZone == "" {
		v.add("hosted_zone", "is required: the existing public Route 53 zone that will hold the records, such as example.com")
	} else if why := dnsName(strings.TrimSuffix(c.HostedZone, ".")); why != "" && len(c.HostedZone) > 1 {
		v.add("hosted_zone", "%q %s", c.HostedZone, why)
	} else {
		zoneOK = true
	}
	if domainOK && zoneOK {
		zone := strings.TrimSuffix(c.HostedZone, ".")
		if !strings.HasSuffix(c.Domain, "."+zone) {
			v.add("domain", "%q is not inside hosted_zone %q; use a name under the zone (a CNAME cannot sit at the zone apex)", c.Domain, zone)
		}
	}
	if c.HostedZoneID != "" && !zoneIDRe.MatchString(c.HostedZoneID) {
		v.add("hosted_zone_id", "%q is not a Route 53 zone id (Z followed by up to 31 capital letters and digits); leave it out to look the zone up by name", c.HostedZoneID)
	}
}

func (v *validator) teleport(c *Cluster) {
	proxy, proxyOK := v.version("teleport_version", c.TeleportVersion)
	auth, authOK := proxy, proxyOK
	if c.Auth.TeleportVersion != c.TeleportVersion {
		auth, authOK = v.version("auth.teleport_version", c.Auth.TeleportVersion)
	}
	if proxyOK && authOK {
		if msg := VersionSkew(auth, proxy); msg != "" {
			v.add("teleport_version", "%s", msg)
		}
	}
	now := Now()
	if proxyOK {
		c.warnings = append(c.warnings, supportWarnings("teleport_version", proxy, now)...)
		c.warnings = append(c.warnings, advisoryWarnings("teleport_version", proxy, c.ProxyPeering())...)
	}
	if authOK && auth != proxy {
		if !proxyOK || auth.Major != proxy.Major {
			c.warnings = append(c.warnings, supportWarnings("auth.teleport_version", auth, now)...)
		}
		c.warnings = append(c.warnings, advisoryWarnings("auth.teleport_version", auth, c.ProxyPeering())...)
	}
	if v.unknown("edition") {
		return
	}
	switch c.Edition {
	case EditionOSS:
		if c.LicenseSSMParameter != "" {
			v.add("license_ssm_parameter", "is only used with edition: enterprise; remove it or set edition: enterprise")
		}
		if c.LicenseKMSKeyARN != "" {
			v.add("license_kms_key_arn", "is only used with edition: enterprise; remove it or set edition: enterprise")
		}
		if n := len(c.ActiveProxyRegions()); n > 1 {
			// Teleport lib/service/service.go refuses to start an OSS proxy
			// with proxy peering; the Proxy Peering guide lists an Enterprise
			// cluster as a prerequisite.
			v.add("edition", "is oss with %d proxy regions: several proxy regions need Teleport Proxy Peering so that an agent connected to one region is reachable through the others, and Proxy Peering is Enterprise only (an OSS proxy with tunnel_strategy proxy_peering refuses to start); set edition: enterprise with license_ssm_parameter, or keep one proxy region", n)
		}
		if c.Peering.Mode == PeeringPublic {
			v.add("peering.mode", "is public, which gives proxies public addresses for Proxy Peering, an Enterprise feature that edition oss does not run; remove peering.mode or set edition: enterprise")
		}
	case EditionEnterprise:
		if c.LicenseSSMParameter == "" {
			v.add("license_ssm_parameter", "is required with edition: enterprise: the name of the SecureString SSM parameter, in the auth region, that holds license.pem")
		} else {
			v.ssmName("license_ssm_parameter", c.LicenseSSMParameter, true)
		}
		v.licenseKey(c)
	default:
		v.add("edition", "%q is not an edition; use %q or %q", c.Edition, EditionOSS, EditionEnterprise)
	}
}

// kmsKeyARNRe is a KMS key ARN: an alias ARN would not do, since IAM
// policies name keys by key ARN ("Using aliases to control access",
// AWS KMS developer guide).
var kmsKeyARNRe = regexp.MustCompile(`^arn:aws:kms:([a-z0-9-]+):(\d{12}):key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// licenseKey checks license_kms_key_arn: a key ARN in the auth region
// (SSM encrypts a SecureString with a key of its own region).
func (v *validator) licenseKey(c *Cluster) {
	arn := c.LicenseKMSKeyARN
	if arn == "" {
		return
	}
	m := kmsKeyARNRe.FindStringSubmatch(arn)
	switch {
	case m == nil:
		v.add("license_kms_key_arn", "%q is not a KMS key ARN such as arn:aws:kms:%s:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (an alias ARN does not work in an IAM policy)", shorten(arn), c.Auth.Region)
	case c.Auth.Region != "" && m[1] != c.Auth.Region:
		v.add("license_kms_key_arn", "is a key in %s, but the license parameter is in the auth region %s, and SSM encrypts a parameter with a key of its own region; name the key the parameter uses", m[1], c.Auth.Region)
	}
}

// ssmName checks a Parameter Store name against AWS's rules
// ("Requirements and constraints for parameter names", AWS Systems Manager
// User Guide; PutParameter's Name): letters, digits, _ . - and / between
// levels, at most MaxSSMLevels levels and MaxSSMNameLen characters, a
// leading / when it has levels, and no aws or ssm prefix (reserved; own
// is false for a public parameter the app only reads, such as
// /aws/service/...).
func (v *validator) ssmName(path, name string, own bool) {
	levels := strings.Split(strings.TrimPrefix(name, "/"), "/")
	first := strings.ToLower(levels[0])
	switch {
	case !ssmNameRe.MatchString(name):
		v.add(path, "%q is not an SSM parameter name: use letters, digits, _ . - and / between levels, such as /teleport/acme/license", name)
	case len(name) > MaxSSMNameLen || (len(name) == MaxSSMNameLen && strings.Contains(name, "/") && !strings.HasPrefix(name, "/")):
		// The second case's fix (a leading /) would be one too long.
		v.add(path, "is %d characters; Parameter Store names have at most %d, the leading / of a name with levels included", len(name), MaxSSMNameLen)
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		v.add(path, "%q has levels but no leading /; Parameter Store needs the full path: %q", name, "/"+name)
	case strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		v.add(path, "%q has an empty level; remove the extra /", name)
	case len(levels) > MaxSSMLevels:
		v.add(path, "%q has %d levels; Parameter Store allows %d", name, len(levels), MaxSSMLevels)
	case own && (strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm")):
		v.add(path, "%q starts with %q, which Parameter Store reserves (names cannot begin with aws or ssm); choose another name such as /teleport/...", name, levels[0][:3])
	}
}

// version parses an exact Teleport release, reporting what is wrong at path.
func (v *validator) version(path, s string) (Version, bool) {
	switch ver, err := ParseVersion(s); {
	case s == "":
		v.add(path, "is required: the exact Teleport release to install, quoted, such as %q", DefaultTeleportVersion)
	case err != nil && strings.HasPrefix(s, "v") && versionRe.MatchString(s[1:]):
		if bare, _ := ParseVersion(s[1:]); supportProblem(s[1:], bare) != "" {
			v.add(path, "%q: write the release without the v; and %s", s, supportProblem(s[1:], bare))
		} else {
			v.add(path, "%q: write the release without the v: %q", s, s[1:])
		}
	case err != nil:
		v.add(path, "%q must be an exact release MAJOR.MINOR.PATCH without leading zeros, each number at most %d, quoted, such as %q", s, MaxVersionPart, DefaultTeleportVersion)
	case supportProblem(s, ver) != "":
		v.add(path, "%s", supportProblem(s, ver))
	default:
		return ver, true
	}
	return Version{}, false
}

func (v *validator) regions(c *Cluster) {
	type vpc struct {
		path   string
		prefix netip.Prefix
		// given is the existing VPC's id, or "".
		given string
	}
	var vpcs []vpc
	// givenIDs holds every id an existing_vpc names, across regions (see
	// existingVPC).
	givenIDs := map[string]givenID{}
	checkVPC := func(path, region, cidr string, azCount int, zones []string, existing *ExistingVPC, proxy bool) {
		if p, ok := v.cidr(path+".vpc_cidr", cidr); ok {
			vpcs = append(vpcs, vpc{path: path + ".vpc_cidr", prefix: p})
			if existing != nil {
				vpcs[len(vpcs)-1].given = existing.VPCID
			}
		}
		if existing != nil {
			v.existingVPC(path, region, existing, proxy, proxy && c.PublicPeering(), azCount, zones, givenIDs)
			return
		}
		v.zones(path, region, azCount, zones)
	}
	if v.region("auth.region", c.Auth.Region) {
		c.optInNote("auth.region", c.Auth.Region)
	}
	checkVPC("auth", c.Auth.Region, c.Auth.VPCCIDR, c.Auth.AZCount, c.Auth.Zones, c.Auth.ExistingVPC, false)
	v.instances("auth.instances", c.Auth.Instances)
	if n := c.Auth.Instances.Count; n > MaxAuthServers && n <= MaxInstanceCount {
		// Every auth server reads the cluster state's DynamoDB stream, and
		// DynamoDB Streams serves at most two readers per shard at once
		// (gravitational/teleport#25170, #25171; the teleport-cluster Helm
		// chart keeps maxSurge 0 for the same reason).
		v.add("auth.instances.count", "is %d; at most %d auth servers can run on DynamoDB: each one reads the cluster state's DynamoDB stream, and DynamoDB Streams serves at most two readers per shard (gravitational/teleport#25170, #25171), so a third would miss or throttle cluster changes; use 1 or %d (refreshes replace one at a time and never run more)", n, MaxAuthServers, MaxAuthServers)
	}

	for _, list := range []struct {
		path string
		n    int
	}{{"proxy_regions", len(c.ProxyRegions)}, {"resource_regions", len(c.ResourceRegions)}} {
		if msg := tooMany(list.path, list.n); msg != "" {
			v.add(list.path, "%s", msg)
			return
		}
	}
	if len(c.ProxyRegions) == 0 {
		v.add("proxy_regions", "needs at least one entry: {region: ..., vpc_cidr: ...}")
	} else if len(c.ActiveProxyRegions()) == 0 {
		v.add("proxy_regions", "every entry is retired; keep at least one proxy region running (to remove the whole cluster, run cdktf destroy)")
	}
	seen := map[string]string{}
	for i, p := range c.ProxyRegions {
		path := fmt.Sprintf("proxy_regions[%d]", i)
		if v.region(path+".region", p.Region) {
			if !p.Retired {
				c.optInNote(path+".region", p.Region)
			}
			if first, dup := seen[p.Region]; dup {
				v.add(path+".region", "%q is already listed at %s; each proxy region appears once", p.Region, first)
			}
			seen[p.Region] = path
		}
		checkVPC(path, p.Region, p.VPCCIDR, p.AZCount, p.Zones, p.ExistingVPC, true)
		v.instances(path+".instances", p.Instances)
	}

	// All VPCs are peered with the auth VPC (and with each other in vpc mode),
	// and AWS refuses to peer overlapping ranges. Each VPC is reported once,
	// at the first earlier one it overlaps (the lists are capped above).
	for i := range vpcs {
		for j := 0; j < i; j++ {
			if vpcs[i].given != "" && vpcs[i].given == vpcs[j].given {
				break // one VPC given twice: reported at its vpc_id
			}
			if vpcs[i].prefix.Overlaps(vpcs[j].prefix) {
				v.add(vpcs[i].path, "%s overlaps %s (%s); every VPC is peered, so give each a distinct range", vpcs[i].prefix, vpcs[j].path, vpcs[j].prefix)
				break
			}
		}
	}

	seenRes := map[string]string{}
	for i, r := range c.ResourceRegions {
		path := fmt.Sprintf("resource_regions[%d]", i)
		if v.region(path+".region", r.Region) {
			if first, ok := seen[r.Region]; ok {
				if !c.IsRetired(r.Region) {
					c.notes = append(c.notes, fmt.Sprintf("%s.region: %s is also a proxy region (%s): its clients are served by its own proxies, so this entry adds nothing", path, r.Region, first))
				}
			} else if first, dup := seenRes[r.Region]; dup {
				v.add(path+".region", "%q is already listed at %s; list each resource region once", r.Region, first)
			}
			seenRes[r.Region] = path
		}
		if r.ProxyRegion != "" && !v.unknown("proxy_regions") {
			if c.IsRetired(r.ProxyRegion) {
				v.add(path+".proxy_region", "%q is retired; name a running proxy region or leave proxy_region out to use the nearest", r.ProxyRegion)
			} else if _, ok := seen[r.ProxyRegion]; !ok {
				v.add(path+".proxy_region", "%q is not one of proxy_regions (%s); name a proxy region or leave it out to use the nearest", r.ProxyRegion, strings.Join(c.ProxyRegionNames(), ", "))
			}
		}
	}
}

// zones checks a VPC's zone count and its optional list of zones.
func (v *validator) zones(path, region string, azCount int, zones []string) {
	if azCount < 2 || azCount > MaxAZCount {
		v.add(path+".az_count", "is %d; use 2 or %d (the load balancers and Auto Scaling groups need at least two zones)", azCount, MaxAZCount)
		return
	}
	r, ok := LookupRegion(region)
	if !ok {
		return // reported with the region
	}
	if len(zones) == 0 {
		if azCount > r.AZs() {
			v.add(path+".az_count", "is %d but %s has %d zones open to every account (%s); use %d, or list the zones your account has under zones:", azCount, region, r.AZs(), strings.Join(r.ZoneIDs, ", "), r.AZs())
		}
		return
	}
	if msg := tooMany(path+".zones", len(zones)); msg != "" {
		v.add(path+".zones", "%s", msg)
		return
	}
	if len(zones) != azCount {
		v.add(path+".zones", "lists %d zones but az_count is %d; list exactly az_count zones, or leave az_count out", len(zones), azCount)
	}
	seen := map[string]int{}
	for i, s := range zones {
		z, why := parseZone(r, s)
		if why != "" {
			v.add(fmt.Sprintf("%s.zones[%d]", path, i), "%s", why)
			continue
		}
		if first, dup := seen[z.String()]; dup {
			v.add(fmt.Sprintf("%s.zones[%d]", path, i), "%q is already listed at zones[%d]; each zone once", s, first)
		}
		seen[z.String()] = i
	}
	if len(seen) == len(zones) {
		var ids, names int
		for _, s := range zones {
			if azIDRe.MatchString(s) {
				ids++
			} else {
				names++
			}
		}
		// Zone names map to different physical zones in each account of
		// the older regions: one list must not mix them with AZ IDs, or two
		// entries may be the same zone.
		if ids > 0 && names > 0 {
			v.add(path+".zones", "mixes AZ IDs and zone names; use one kind (AZ IDs are the same physical zone in every account)")
		}
	}
}

// elasticIPs checks that the NAT gateways of each region fit its Elastic IP
// quota: one address per NAT gateway, one NAT gateway per zone of every VPC
// with private subnets (the auth VPC always; proxy VPCs unless proxies peer
// over public addresses).
func (v *validator) elasticIPs(c *Cluster) {
	type user struct {
		path string
		n    int
	}
	need := map[string][]user{}
	if tooMany("proxy_regions", len(c.ProxyRegions)) != "" {
		return // reported by regions
	}
	// Existing VPCs bring their own egress: no NAT gateway is created.
	if c.Auth.ExistingVPC == nil {
		need[c.Auth.Region] = append(need[c.Auth.Region], user{"auth", c.Auth.AZCount})
	}
	if !c.PublicPeering() {
		for i, p := range c.ProxyRegions {
			if p.ExistingVPC == nil {
				need[p.Region] = append(need[p.Region], user{fmt.Sprintf("proxy_regions[%d]", i), p.AZCount})
			}
		}
	}
	for _, region := range sortedKeys(need) {
		total := 0
		var parts []string
		for _, u := range need[region] {
			total += u.n
			parts = append(parts, fmt.Sprintf("%s: %d", u.path, u.n))
		}
		if v.unknown(joinPath("quotas.elastic_ips", region)) {
			continue // its quota was of the wrong type: reported, unknown
		}
		quota := c.ElasticIPQuota(region)
		if total <= quota {
			continue
		}
		last := need[region][len(need[region])-1]
		v.add(last.path+".az_count", "%s needs %d Elastic IPs for NAT gateways (one per zone: %s), more than its quota of %d (Service Quotas: Amazon EC2, \"EC2-VPC Elastic IPs\", L-0263D0A3; default 5 per region, shared with everything else in the account); use fewer zones, or request a quota increase and declare it as quotas.elastic_ips: {%s: N}", region, total, strings.Join(parts, ", "), quota, region)
	}
}

// region reports an unknown or missing region and returns whether it is
// valid: with a "did you mean" for a typo, the region of a zone name, and
// the list of regions once after all problems.
func (v *validator) region(path, name string) bool {
	if name == "" {
		v.add(path, "is required: an AWS region code such as us-west-2")
		return false
	}
	if _, ok := LookupRegion(name); ok {
		return true
	}
	if r := nonASCII(name); r != "" {
		// A look-alike (Cyrillic е for e) prints like the real code: a
		// "did you mean" would look identical.
		if best := Suggest(strings.Map(asciiLookalike, strings.ToLower(name)), RegionNames()); best != "" {
			v.add(path, "%q holds %s, which only looks like an ASCII letter; region codes are ASCII: type %q", name, r, best)
		} else {
			v.add(path, "%q holds %s; region codes are ASCII letters, digits and hyphens", name, r)
		}
		return false
	}
	lower := strings.ToLower(name)
	if _, ok := LookupRegion(lower); ok {
		v.add(path, "%q: region codes are lowercase: %q", name, lower)
		return false
	}
	if r, ok := LookupRegion(strings.TrimRight(lower, "abcdefghijklmnopqrstuvwxyz")); ok && len(lower) == len(r.Name)+1 {
		v.add(path, "%q is an availability zone of %s, not a region; use %q (zones go under zones:)", name, r.Name, r.Name)
		return false
	}
	if why, ok := regionsAfterProvider[lower]; ok {
		v.add(path, "%q is %s", name, why)
		return false
	}
	if best := Suggest(lower, RegionNames()); best != "" {
		v.add(path, "%q is not a commercial AWS region; did you mean %q?", name, best)
		return false
	}
	v.listRegions = true
	v.add(path, "%q is not a commercial AWS region (the regions are listed below)", name)
	return false
}

// Suggest returns the candidate within a small edit distance of s (a
// likely typo of it), or "": the "did you mean" of keys, regions and
// commands.
func Suggest(s string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if abs(len(s)-len(c)) > 3 {
			continue // the distance is at least the difference in length
		}
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist <= 2 || (bestDist <= 3 && len(s) > 8) {
		return best
	}
	return ""
}

func (v *validator) cidr(path, cidr string) (netip.Prefix, bool) {
	if cidr == "" {
		v.add(path, "is required: a private IPv4 range such as 10.0.0.0/16")
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		v.add(path, "%q is not an IPv4 CIDR such as 10.0.0.0/16", cidr)
		return netip.Prefix{}, false
	}
	// Bounds and range first: "did you mean" below must name a valid range.
	if p.Bits() < MinVPCPrefix || p.Bits() > MaxVPCPrefix {
		v.add(path, "%q is a /%d; AWS VPCs are /%d at the largest, and the subnets carved here need at least a /%d", cidr, p.Bits(), MinVPCPrefix, MaxVPCPrefix)
		return netip.Prefix{}, false
	}
	if !p.Masked().Addr().IsPrivate() {
		v.add(path, "%q is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", cidr)
		return netip.Prefix{}, false
	}
	if p.Masked() != p {
		v.add(path, "%q has host bits set; did you mean %s?", cidr, p.Masked())
		return netip.Prefix{}, false
	}
	return p, true
}

func (v *validator) instances(path string, g InstanceGroup) {
	if !instanceTypeRe.MatchString(g.Type) {
		v.add(path+".type", "%q is not an EC2 instance type such as m6i.large", g.Type)
	}
	if g.Count < 1 || g.Count > MaxInstanceCount {
		v.add(path+".count", "is %d; use 1 to %d (2 or more for high availability)", g.Count, MaxInstanceCount)
	}
	if g.VolumeSizeGiB < MinVolumeSizeGiB || g.VolumeSizeGiB > MaxVolumeSizeGiB {
		v.add(path+".volume_size_gib", "is %d; use %d to %d", g.VolumeSizeGiB, MinVolumeSizeGiB, MaxVolumeSizeGiB)
	}
}

func (v *validator) peering(c *Cluster) {
	if !slices.Contains(PeeringModes, c.Peering.Mode) {
		v.add("peering.mode", "%q is not a peering mode; use %q (proxies peer over private addresses, the default) or %q (proxies peer over the internet)", c.Peering.Mode, PeeringVPC, PeeringPublic)
	}
	if m := c.Connectivity.Mode; !slices.Contains(ConnectivityModes, m) {
		v.add("connectivity.mode", "%q is not a connectivity mode; use %q (VPCs peered directly, the default) or %q (a transit gateway per region, peered)", m, ConnectivityVPCPeering, ConnectivityTransitGateway)
	}
}

func (v *validator) flowLogs(c *Cluster) {
	if t := c.FlowLogs.TrafficType; !slices.Contains(FlowLogTrafficTypes, t) {
		v.add("flow_logs.traffic_type", "%q is not a traffic type; use %s (rejected connections, the default) or %s", t, FlowLogTrafficTypes[0], FlowLogTrafficTypes[1])
	}
	if !slices.Contains(FlowLogRetentions, c.FlowLogs.RetentionDays) {
		v.add("flow_logs.retention_days", "is %d; CloudWatch Logs keeps events for one of %s days", c.FlowLogs.RetentionDays, strings.ReplaceAll(strings.Trim(fmt.Sprint(FlowLogRetentions), "[]"), " ", ", "))
	}
	if !slices.Contains(FlowLogRetentions, c.Logs.RetentionDays) {
		v.add("logs.retention_days", "is %d; CloudWatch Logs keeps events for one of %s days", c.Logs.RetentionDays, strings.ReplaceAll(strings.Trim(fmt.Sprint(FlowLogRetentions), "[]"), " ", ", "))
	}
}

// tableNameRe is DynamoDB's table name rule ("Supported data types and
// naming rules", DynamoDB developer guide).
var tableNameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func (v *validator) backup(c *Cluster) {
	if g := c.Auth.Generation; g < 0 || g > MaxAuthGeneration {
		v.add("auth.generation", "is %d; use 0 (the names of a first deploy) to %d, one more than before each move of the auth region", g, MaxAuthGeneration)
	}
	if d := c.Backup.RetentionDays; d < 1 || d > MaxBackupRetentionDays {
		v.add("backup.retention_days", "is %d; keep recovery points 1 to %d days (default %d)", d, MaxBackupRetentionDays, DefaultBackupRetentionDays)
	}
	if r := c.Backup.CopyRegion; r != "" {
		if !v.region("backup.copy_region", r) {
			// reported, with a suggestion
		} else if c.optInNote("backup.copy_region", r); r == c.Auth.Region {
			v.add("backup.copy_region", "%q is the auth region; copies belong in another region (or leave copy_region out)", r)
		}
	}
	for _, t := range []struct{ path, name string }{{"restore.state_table", c.Restore.StateTable}, {"restore.events_table", c.Restore.EventsTable}} {
		if t.name != "" && !tableNameRe.MatchString(t.name) {
			v.add(t.path, "%q is not a DynamoDB table name (3-255 letters, digits, _ . -)", t.name)
		}
	}
	if b := c.Restore.RecordingsBucket; b != "" {
		v.bucketName("restore.recordings_bucket", b)
	}
	if s, e := c.Restore.StateTable, c.Restore.EventsTable; s != "" && s == e {
		v.add("restore.events_table", "%q is also restore.state_table; the events and the state need tables of their own", e)
	}
	v.restoreTargets(c)
}

func (v *validator) quotas(c *Cluster) {
	for _, region := range sortedKeys(c.Quotas.ElasticIPs) {
		path := joinPath("quotas.elastic_ips", region)
		v.region(path, region)
		if v.unknown(path) {
			continue // a value of the wrong type, reported
		}
		if n := c.Quotas.ElasticIPs[region]; n < DefaultElasticIPQuota {
			v.add(path, "is %d; declare only quotas raised above AWS's default of %d", n, DefaultElasticIPQuota)
		}
	}
}

func (v *validator) ami(c *Cluster) {
	if !strings.HasPrefix(c.AMI.SSMParameter, "/") {
		v.add("ami.ssm_parameter", "%q is not an SSM parameter path such as %s", c.AMI.SSMParameter, DefaultAMISSMParameter)
	} else {
		v.ssmName("ami.ssm_parameter", c.AMI.SSMParameter, false)
	}
	used := map[string]bool{c.Auth.Region: true}
	for _, p := range c.ProxyRegions {
		used[p.Region] = true
	}
	for _, region := range sortedKeys(c.AMI.IDs) {
		path := "ami.ids." + region
		if !used[region] && !v.unknown("proxy_regions") {
			v.add(path, "%q is neither the auth region nor a proxy region; remove it", region)
		}
		if !amiIDRe.MatchString(c.AMI.IDs[region]) {
			v.add(path, "%q is not an AMI id such as ami-0123456789abcdef0", c.AMI.IDs[region])
		}
	}
}

func (v *validator) backend(c *Cluster) {
	switch c.Backend.Type {
	case BackendLocal:
		if c.Backend.S3 != nil {
			v.add("backend.s3", "is only used with backend.type: s3; remove it or set the type")
		}
	case BackendS3:
		s3 := c.Backend.S3
		if s3 == nil {
			v.add("backend.s3", "is required with backend.type: s3: {bucket: ..., region: ...}")
			return
		}
		if s3.Bucket == "" {
			v.add("backend.s3.bucket", "is required: an existing S3 bucket for Terraform state")
		} else {
			v.bucketName("backend.s3.bucket", s3.Bucket)
		}
		v.region("backend.s3.region", s3.Region)
		// The longest state key is <prefix>/proxy-<region>.tfstate (see
		// the backend of package regions); S3 keys have at most 1,024 bytes.
		if longest := len(s3.KeyPrefix) + len("/proxy-ap-southeast-1.tfstate"); longest > MaxS3KeyBytes {
			v.add("backend.s3.key_prefix", "is %d bytes; state keys (<key_prefix>/proxy-<region>.tfstate) must fit S3's %d-byte key limit: use a prefix of at most %d bytes", len(s3.KeyPrefix), MaxS3KeyBytes, MaxS3KeyBytes-(longest-len(s3.KeyPrefix)))
		} else if strings.ContainsAny(s3.KeyPrefix, "\x00\n\r") || strings.Contains(s3.KeyPrefix, "${") {
			v.add("backend.s3.key_prefix", "%q holds a NUL, a line break or ${, which Terraform's backend configuration cannot carry (${ starts an interpolation); use plain names such as teams/acme", s3.KeyPrefix)
		} else if strings.HasPrefix(s3.KeyPrefix, "/") || strings.HasSuffix(s3.KeyPrefix, "/") || strings.Contains(s3.KeyPrefix, "//") {
			v.add("backend.s3.key_prefix", "%q must not start or end with / or contain //", s3.KeyPrefix)
		} else if slices.Contains(strings.Split(s3.KeyPrefix, "/"), "..") || slices.Contains(strings.Split(s3.KeyPrefix, "/"), ".") {
			// S3 keys are not paths: "a/../b" is a key of its own, not b,
			// and tools that normalise paths would read another state file.
			v.add("backend.s3.key_prefix", "%q has a . or .. level; S3 keys are not file paths, so use plain names such as teams/acme", s3.KeyPrefix)
		}
		if s3.DynamoDBTable != "" && !tableRe.MatchString(s3.DynamoDBTable) {
			v.add("backend.s3.dynamodb_table", "%q is not a DynamoDB table name", s3.DynamoDBTable)
		}
		if s3.DynamoDBTable == "" && !s3.UseLockfile {
			v.add("backend.s3", "has no state locking; set dynamodb_table (a table with hash key LockID) or use_lockfile: true")
		}
	default:
		v.add("backend.type", "%q is not a backend; use %q or %q", c.Backend.Type, BackendLocal, BackendS3)
	}
}

// tags checks the user's tags against AWS's rules ("Tagging AWS
// resources" guide, tag naming limits and requirements): at most 50 user
// tags per resource (MaxUserTags leaves room for the app's own and Name),
// keys of 1 to 128 and values of at most 256 characters, letters, digits,
// spaces and _ . : / = + - @ only, no aws: prefix; and the app's own keys
// stay the app's.
func (v *validator) tags(tags map[string]string) {
	if len(tags) > MaxUserTags {
		v.add("tags", "has %d tags; AWS allows 50 per resource and the app sets %d of them (%s and Name), so use at most %d", len(tags), len(appTagKeys)+1, strings.Join(appTagKeys, ", "), MaxUserTags)
	}
	// IAM (and other services) refuse keys that differ only in case, from
	// each other or from the app's own.
	lower := map[string]string{}
	for _, k := range append(slices.Clone(appTagKeys), "Name") {
		lower[strings.ToLower(k)] = k
	}
	for _, k := range sortedKeys(tags) {
		path := joinPath("tags", k)
		val := tags[k]
		first, clash := lower[strings.ToLower(k)]
		if !clash {
			lower[strings.ToLower(k)] = k
		}
		switch {
		case clash && first != k && (slices.Contains(appTagKeys, first) || first == "Name"):
			v.add(path, "differs only in case from %s, a tag the app sets itself; AWS refuses tag keys that differ only in case (IAM among others): choose another key", first)
		case clash && first != k:
			v.add(path, "differs only in case from tags.%s; AWS refuses tag keys that differ only in case (IAM among others): keep one of them", first)
		case k == "" || utf8.RuneCountInString(k) > MaxTagKeyLen:
			v.add(path, "key is %d characters; AWS allows 1 to %d", utf8.RuneCountInString(k), MaxTagKeyLen)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			v.add(path, "keys starting with aws: are reserved by AWS; rename it")
		case slices.Contains(appTagKeys, k) || k == "Name":
			v.add(path, "is a tag the app sets itself (%s and Name identify what it manages); choose another key", strings.Join(appTagKeys, ", "))
		case !tagCharsRe.MatchString(k):
			v.add(path, "key %q has characters AWS tags do not allow; use letters, digits, spaces and _ . : / = + - @", k)
		case utf8.RuneCountInString(val) > MaxTagValueLen:
			v.add(path, "value is %d characters; AWS allows %d", utf8.RuneCountInString(val), MaxTagValueLen)
		case !tagCharsRe.MatchString(val):
			v.add(path, "value %q has characters AWS tags do not allow; use letters, digits, spaces and _ . : / = + - @", val)
		case strings.HasPrefix(strings.ToLower(val), "aws:"):
			v.add(path, "values starting with aws: are reserved by AWS; change it")
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
