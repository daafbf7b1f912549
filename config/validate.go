package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
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
	// MinTeleportMajor is the oldest Teleport release whose configuration
	// (v3 files, proxy peering, https_keypairs reload) this app renders.
	MinTeleportMajor = 15
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
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	src := e.Source
	if src == "" {
		src = "config"
	}
	fmt.Fprintf(&b, "%s: %d problem(s):", src, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d:%d: ", src, p.Line, p.Column)
		} else {
			b.WriteString("- ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

var (
	clusterNameRe  = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	dnsLabelRe     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	versionRe      = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)
	zoneIDRe       = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	emailRe        = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	instanceTypeRe = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	amiIDRe        = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	ssmNameRe      = regexp.MustCompile(`^[A-Za-z0-9_.\-/]+$`)
	bucketRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	tableRe        = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
)

// Validate checks a defaulted config and returns a *ValidationError listing
// every problem, or nil.
func (c *Cluster) Validate() error {
	c.notes, c.warnings = nil, nil
	v := &validator{}
	v.clusterName(c.ClusterName)
	v.domain(c)
	v.teleport(c)
	if c.AgentConnectionCount < 2 {
		v.add("agent_connection_count", "is %d; proxy peering needs at least 2 so that an agent stays reachable when one proxy goes away", c.AgentConnectionCount)
	}
	if c.ACMEEmail == "" {
		v.add("acme_email", "is required: the e-mail address of the Let's Encrypt account that issues the cluster's certificate")
	} else if !emailRe.MatchString(c.ACMEEmail) {
		v.add("acme_email", "%q is not an e-mail address", c.ACMEEmail)
	}
	if c.Alerts.Email != "" && !emailRe.MatchString(c.Alerts.Email) {
		v.add("alerts.email", "%q is not an e-mail address", c.Alerts.Email)
	}
	if c.Alerts.Email == "" {
		c.warnings = append(c.warnings, "alerts.email: not set, so the alarm topics (<cluster_name>-*-alerts) have no subscriber and every alarm notifies nobody; set alerts.email, or subscribe your own endpoint to the topics")
	}
	v.regions(c)
	v.peering(c)
	v.elasticIPs(c)
	v.flowLogs(c)
	v.quotas(c)
	v.ami(c)
	v.backend(c)
	v.tags(c.Tags)
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

type validator struct{ problems []FieldError }

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
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
	if len(name) > 251 {
		return "is longer than 251 characters (the wildcard record *.<domain> must fit in 253)"
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
	} else if why := dnsName(c.Domain); why != "" {
		v.add("domain", "%q %s", c.Domain, why)
	} else {
		domainOK = true
	}
	if c.HostedZone == "" {
		v.add("hosted_zone", "is required: the existing public Route 53 zone that will hold the records, such as example.com")
	} else if why := dnsName(strings.TrimSuffix(c.HostedZone, ".")); why != "" {
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
	if proxyOK {
		c.warnings = append(c.warnings, advisoryWarnings("teleport_version", proxy, c.ProxyPeering())...)
	}
	if authOK && auth != proxy {
		c.warnings = append(c.warnings, advisoryWarnings("auth.teleport_version", auth, c.ProxyPeering())...)
	}
	switch c.Edition {
	case EditionOSS:
		if c.LicenseSSMParameter != "" {
			v.add("license_ssm_parameter", "is only used with edition: enterprise; remove it or set edition: enterprise")
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
		} else if !ssmNameRe.MatchString(c.LicenseSSMParameter) {
			v.add("license_ssm_parameter", "%q is not an SSM parameter name", c.LicenseSSMParameter)
		}
	default:
		v.add("edition", "%q is not an edition; use %q or %q", c.Edition, EditionOSS, EditionEnterprise)
	}
}

// version parses an exact Teleport release, reporting what is wrong at path.
func (v *validator) version(path, s string) (Version, bool) {
	switch ver, err := ParseVersion(s); {
	case s == "":
		v.add(path, "is required: the exact Teleport release to install, quoted, such as \"17.7.16\"")
	case err != nil:
		v.add(path, "%q must be an exact release MAJOR.MINOR.PATCH, quoted, such as \"17.7.16\"", s)
	case ver.Major < MinTeleportMajor:
		v.add(path, "%q is older than Teleport %d, the oldest release this app configures", s, MinTeleportMajor)
	default:
		return ver, true
	}
	return Version{}, false
}

func (v *validator) regions(c *Cluster) {
	type vpc struct {
		path   string
		prefix netip.Prefix
	}
	var vpcs []vpc
	checkVPC := func(path, region, cidr string, azCount int, zones []string) {
		if p, ok := v.cidr(path+".vpc_cidr", cidr); ok {
			vpcs = append(vpcs, vpc{path + ".vpc_cidr", p})
		}
		v.zones(path, region, azCount, zones)
	}
	v.region("auth.region", c.Auth.Region)
	checkVPC("auth", c.Auth.Region, c.Auth.VPCCIDR, c.Auth.AZCount, c.Auth.Zones)
	v.instances("auth.instances", c.Auth.Instances)

	if len(c.ProxyRegions) == 0 {
		v.add("proxy_regions", "needs at least one entry: {region: ..., vpc_cidr: ...}")
	} else if len(c.ActiveProxyRegions()) == 0 {
		v.add("proxy_regions", "every entry is retired; keep at least one proxy region running (to remove the whole cluster, run cdktf destroy)")
	}
	seen := map[string]string{}
	for i, p := range c.ProxyRegions {
		path := fmt.Sprintf("proxy_regions[%d]", i)
		if v.region(path+".region", p.Region) {
			if first, dup := seen[p.Region]; dup {
				v.add(path+".region", "%q is already listed at %s; each proxy region appears once", p.Region, first)
			}
			seen[p.Region] = path
		}
		checkVPC(path, p.Region, p.VPCCIDR, p.AZCount, p.Zones)
		v.instances(path+".instances", p.Instances)
	}

	// All VPCs are peered with the auth VPC (and with each other in vpc mode),
	// and AWS refuses to peer overlapping ranges.
	for i := range vpcs {
		for j := 0; j < i; j++ {
			if vpcs[i].prefix.Overlaps(vpcs[j].prefix) {
				v.add(vpcs[i].path, "%s overlaps %s (%s); every VPC is peered, so give each a distinct range", vpcs[i].prefix, vpcs[j].path, vpcs[j].prefix)
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
		if r.ProxyRegion != "" {
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
	need[c.Auth.Region] = append(need[c.Auth.Region], user{"auth", c.Auth.AZCount})
	if !c.PublicPeering() {
		for i, p := range c.ProxyRegions {
			need[p.Region] = append(need[p.Region], user{fmt.Sprintf("proxy_regions[%d]", i), p.AZCount})
		}
	}
	for _, region := range sortedKeys(need) {
		total := 0
		var parts []string
		for _, u := range need[region] {
			total += u.n
			parts = append(parts, fmt.Sprintf("%s: %d", u.path, u.n))
		}
		quota := c.ElasticIPQuota(region)
		if total <= quota {
			continue
		}
		last := need[region][len(need[region])-1]
		v.add(last.path+".az_count", "%s needs %d Elastic IPs for NAT gateways (one per zone: %s), more than its quota of %d (Service Quotas: Amazon EC2, \"EC2-VPC Elastic IPs\", L-0263D0A3; default 5 per region, shared with everything else in the account); use fewer zones, or request a quota increase and declare it as quotas.elastic_ips: {%s: N}", region, total, strings.Join(parts, ", "), quota, region)
	}
}

// region reports an unknown or missing region and returns whether it is valid.
func (v *validator) region(path, name string) bool {
	if name == "" {
		v.add(path, "is required: an AWS region code such as us-west-2")
		return false
	}
	if _, ok := LookupRegion(name); !ok {
		hint := ""
		if name != strings.ToLower(name) {
			hint = fmt.Sprintf(" (region codes are lowercase: %q)", strings.ToLower(name))
		}
		v.add(path, "%q is not a commercial AWS region%s; known regions: %s", name, hint, strings.Join(RegionNames(), ", "))
		return false
	}
	return true
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
	if p.Masked() != p {
		v.add(path, "%q has host bits set; did you mean %s?", cidr, p.Masked())
		return netip.Prefix{}, false
	}
	if p.Bits() < MinVPCPrefix || p.Bits() > MaxVPCPrefix {
		v.add(path, "%q is a /%d; AWS VPCs are /%d at the largest, and the subnets carved here need at least a /%d", cidr, p.Bits(), MinVPCPrefix, MaxVPCPrefix)
		return netip.Prefix{}, false
	}
	if !p.Addr().IsPrivate() {
		v.add(path, "%q is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", cidr)
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
	if g.VolumeSizeGiB < 8 || g.VolumeSizeGiB > 16384 {
		v.add(path+".volume_size_gib", "is %d; use 8 to 16384", g.VolumeSizeGiB)
	}
}

func (v *validator) peering(c *Cluster) {
	if c.Peering.Mode != PeeringVPC && c.Peering.Mode != PeeringPublic {
		v.add("peering.mode", "%q is not a peering mode; use %q (proxies peer over private addresses, the default) or %q (proxies peer over the internet)", c.Peering.Mode, PeeringVPC, PeeringPublic)
	}
	if m := c.Connectivity.Mode; m != ConnectivityVPCPeering && m != ConnectivityTransitGateway {
		v.add("connectivity.mode", "%q is not a connectivity mode; use %q (VPCs peered directly, the default) or %q (a transit gateway per region, peered)", m, ConnectivityVPCPeering, ConnectivityTransitGateway)
	}
}

// flowLogRetentions are the retention periods CloudWatch Logs accepts
// (PutRetentionPolicy), in days.
var flowLogRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func (v *validator) flowLogs(c *Cluster) {
	if t := c.FlowLogs.TrafficType; t != "REJECT" && t != "ALL" {
		v.add("flow_logs.traffic_type", "%q is not a traffic type; use REJECT (rejected connections, the default) or ALL", t)
	}
	if !slices.Contains(flowLogRetentions, c.FlowLogs.RetentionDays) {
		v.add("flow_logs.retention_days", "is %d; CloudWatch Logs keeps events for one of %s days", c.FlowLogs.RetentionDays, strings.ReplaceAll(strings.Trim(fmt.Sprint(flowLogRetentions), "[]"), " ", ", "))
	}
}

func (v *validator) quotas(c *Cluster) {
	for _, region := range sortedKeys(c.Quotas.ElasticIPs) {
		path := "quotas.elastic_ips." + region
		if _, ok := LookupRegion(region); !ok {
			v.add(path, "%q is not a commercial AWS region", region)
		}
		if n := c.Quotas.ElasticIPs[region]; n < DefaultElasticIPQuota {
			v.add(path, "is %d; declare only quotas raised above AWS's default of %d", n, DefaultElasticIPQuota)
		}
	}
}

func (v *validator) ami(c *Cluster) {
	if !strings.HasPrefix(c.AMI.SSMParameter, "/") || !ssmNameRe.MatchString(c.AMI.SSMParameter) {
		v.add("ami.ssm_parameter", "%q is not an SSM parameter path such as %s", c.AMI.SSMParameter, DefaultAMISSMParameter)
	}
	used := map[string]bool{c.Auth.Region: true}
	for _, p := range c.ProxyRegions {
		used[p.Region] = true
	}
	for _, region := range sortedKeys(c.AMI.IDs) {
		path := "ami.ids." + region
		if !used[region] {
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
		} else if !bucketRe.MatchString(s3.Bucket) {
			v.add("backend.s3.bucket", "%q is not a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)", s3.Bucket)
		}
		v.region("backend.s3.region", s3.Region)
		if strings.HasPrefix(s3.KeyPrefix, "/") || strings.HasSuffix(s3.KeyPrefix, "/") || strings.Contains(s3.KeyPrefix, "//") {
			v.add("backend.s3.key_prefix", "%q must not start or end with / or contain //", s3.KeyPrefix)
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

func (v *validator) tags(tags map[string]string) {
	for _, k := range sortedKeys(tags) {
		path := "tags." + k
		switch {
		case k == "" || len(k) > 128:
			v.add("tags", "key %q must be 1 to 128 characters", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			v.add(path, "keys starting with aws: are reserved by AWS; rename it")
		case len(tags[k]) > 256:
			v.add(path, "value is %d characters; AWS allows 256", len(tags[k]))
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
