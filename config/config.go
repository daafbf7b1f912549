// Package config holds the typed cluster configuration: the one YAML file a
// user writes to describe a Teleport multi-region proxy deployment, its
// defaults and its validation. It never starts jsii, so a bad file is rejected
// in milliseconds, before any synthesis.
package config

import (
	"fmt"
	"sort"
	"strings"
)

// Defaults applied by Load to fields the file leaves out.
const (
	DefaultEdition              = EditionOSS
	DefaultAgentConnectionCount = 2
	DefaultAZCount              = 2
	DefaultInstanceType         = "m6i.large"
	DefaultInstanceCount        = 2
	DefaultVolumeSizeGiB        = 50
	DefaultPeeringMode          = PeeringVPC
	DefaultAMISSMParameter      = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
	DefaultBackendType          = BackendLocal
)

// Teleport editions.
const (
	EditionOSS        = "oss"
	EditionEnterprise = "enterprise"
)

// Proxy peering modes: how proxies reach each other on 3021.
const (
	// PeeringVPC peers every pair of proxy VPCs; peer traffic stays private.
	PeeringVPC = "vpc"
	// PeeringPublic gives proxies public addresses; peer traffic crosses the
	// internet (mutually authenticated TLS) and proxy VPCs are not peered.
	PeeringPublic = "public"
)

// State backends.
const (
	BackendLocal = "local"
	BackendS3    = "s3"
)

// Cluster is the whole configuration file.
type Cluster struct {
	// ClusterName is DNS-safe and prefixes every AWS resource name.
	ClusterName string `yaml:"cluster_name"`
	// Domain is the public address of the cluster; *.Domain serves apps.
	Domain string `yaml:"domain"`
	// HostedZone is the existing public Route 53 zone holding Domain's records.
	HostedZone string `yaml:"hosted_zone"`
	// HostedZoneID, when set, skips the look-up of HostedZone by name.
	HostedZoneID string `yaml:"hosted_zone_id,omitempty"`
	// TeleportVersion is the exact Teleport release installed, e.g. "17.4.8".
	TeleportVersion string `yaml:"teleport_version"`
	// Edition is "oss" (default) or "enterprise".
	Edition string `yaml:"edition,omitempty"`
	// LicenseSSMParameter names the SecureString SSM parameter (in the auth
	// region) holding the Enterprise license; required for enterprise.
	LicenseSSMParameter string `yaml:"license_ssm_parameter,omitempty"`
	// AgentConnectionCount is how many proxies each agent connects to under
	// proxy peering; at least 2 (default 2).
	AgentConnectionCount int `yaml:"agent_connection_count,omitempty"`
	// ACMEEmail is the Let's Encrypt account e-mail for the DNS-01 certificate.
	ACMEEmail string `yaml:"acme_email"`
	// ACMEStaging selects Let's Encrypt's staging directory (untrusted certs,
	// generous rate limits) for trial runs.
	ACMEStaging bool `yaml:"acme_staging,omitempty"`
	// Auth is the single region running the Auth Service.
	Auth AuthRegion `yaml:"auth"`
	// ProxyRegions are the regions running the Proxy Service.
	ProxyRegions []ProxyRegion `yaml:"proxy_regions"`
	// ResourceRegions are regions with agents but no proxy; each gets latency
	// records pointing at its nearest (or chosen) proxy region.
	ResourceRegions []ResourceRegion `yaml:"resource_regions,omitempty"`
	// Peering chooses how proxies reach each other.
	Peering Peering `yaml:"peering,omitempty"`
	// AMI chooses the machine image of every instance.
	AMI AMI `yaml:"ami,omitempty"`
	// Backend is where Terraform keeps each stack's state.
	Backend Backend `yaml:"backend,omitempty"`
	// Tags are added to every taggable resource.
	Tags map[string]string `yaml:"tags,omitempty"`
}

// AuthRegion is the region of the Auth Service.
type AuthRegion struct {
	// Region is the AWS region code.
	Region string `yaml:"region"`
	// VPCCIDR is the IPv4 range of the auth VPC (/16 to /24).
	VPCCIDR string `yaml:"vpc_cidr"`
	// AZCount is how many availability zones the VPC spans (2 or 3, default 2).
	AZCount int `yaml:"az_count,omitempty"`
	// Instances sizes the Auth Service Auto Scaling group.
	Instances InstanceGroup `yaml:"instances,omitempty"`
}

// ProxyRegion is one region of the Proxy Service.
type ProxyRegion struct {
	// Region is the AWS region code.
	Region string `yaml:"region"`
	// VPCCIDR is the IPv4 range of this region's proxy VPC (/16 to /24).
	VPCCIDR string `yaml:"vpc_cidr"`
	// AZCount is how many availability zones the VPC spans (2 or 3, default 2).
	AZCount int `yaml:"az_count,omitempty"`
	// Instances sizes this region's Proxy Service Auto Scaling group.
	Instances InstanceGroup `yaml:"instances,omitempty"`
}

// InstanceGroup sizes an Auto Scaling group.
type InstanceGroup struct {
	// Type is the EC2 instance type (default m6i.large); its architecture must
	// match the AMI's (x86_64 by default).
	Type string `yaml:"type,omitempty"`
	// Count is the desired and minimum number of instances (default 2, spread
	// over the availability zones). The group may grow to twice that during
	// instance refreshes.
	Count int `yaml:"count,omitempty"`
	// VolumeSizeGiB is the encrypted root volume size (default 50).
	VolumeSizeGiB int `yaml:"volume_size_gib,omitempty"`
}

// ResourceRegion is a region whose agents need a latency record. In YAML it is
// either a plain region code or {region: ..., proxy_region: ...}.
type ResourceRegion struct {
	// Region is the AWS region code the agents run in.
	Region string `yaml:"region"`
	// ProxyRegion overrides the nearest proxy region; empty means nearest.
	ProxyRegion string `yaml:"proxy_region,omitempty"`
}

// Peering configures Teleport Proxy Peering connectivity.
type Peering struct {
	// Mode is "vpc" (default) or "public".
	Mode string `yaml:"mode,omitempty"`
}

// AMI chooses machine images.
type AMI struct {
	// SSMParameter is the public SSM parameter resolving to the AMI id in each
	// region (default: latest Amazon Linux 2023, x86_64).
	SSMParameter string `yaml:"ssm_parameter,omitempty"`
	// IDs pins an AMI id per region, overriding SSMParameter there. Pin images
	// in production so that a new AMI release does not roll the cluster.
	IDs map[string]string `yaml:"ids,omitempty"`
}

// Backend selects the Terraform state backend.
type Backend struct {
	// Type is "local" (default) or "s3".
	Type string `yaml:"type,omitempty"`
	// S3 configures the s3 backend; required when Type is "s3".
	S3 *S3Backend `yaml:"s3,omitempty"`
}

// S3Backend is the configuration of Terraform's S3 backend.
type S3Backend struct {
	// Bucket holds the state files; it must exist.
	Bucket string `yaml:"bucket"`
	// Region is the bucket's region.
	Region string `yaml:"region"`
	// KeyPrefix prefixes every state key (default: the cluster name).
	KeyPrefix string `yaml:"key_prefix,omitempty"`
	// DynamoDBTable, when set, is the lock table (hash key LockID).
	DynamoDBTable string `yaml:"dynamodb_table,omitempty"`
	// UseLockfile turns on S3-native state locking (Terraform 1.10+).
	UseLockfile bool `yaml:"use_lockfile,omitempty"`
}

// applyDefaults fills every optional field the file left empty.
func (c *Cluster) applyDefaults() {
	if c.Edition == "" {
		c.Edition = DefaultEdition
	}
	if c.AgentConnectionCount == 0 {
		c.AgentConnectionCount = DefaultAgentConnectionCount
	}
	if c.Auth.AZCount == 0 {
		c.Auth.AZCount = DefaultAZCount
	}
	c.Auth.Instances.applyDefaults()
	for i := range c.ProxyRegions {
		if c.ProxyRegions[i].AZCount == 0 {
			c.ProxyRegions[i].AZCount = DefaultAZCount
		}
		c.ProxyRegions[i].Instances.applyDefaults()
	}
	if c.Peering.Mode == "" {
		c.Peering.Mode = DefaultPeeringMode
	}
	if c.AMI.SSMParameter == "" {
		c.AMI.SSMParameter = DefaultAMISSMParameter
	}
	if c.Backend.Type == "" {
		c.Backend.Type = DefaultBackendType
	}
	if c.Backend.S3 != nil && c.Backend.S3.KeyPrefix == "" {
		c.Backend.S3.KeyPrefix = c.ClusterName
	}
}

func (g *InstanceGroup) applyDefaults() {
	if g.Type == "" {
		g.Type = DefaultInstanceType
	}
	if g.Count == 0 {
		g.Count = DefaultInstanceCount
	}
	if g.VolumeSizeGiB == 0 {
		g.VolumeSizeGiB = DefaultVolumeSizeGiB
	}
}

// ProxyRegionNames returns the proxy region codes in config order.
func (c *Cluster) ProxyRegionNames() []string {
	names := make([]string, len(c.ProxyRegions))
	for i, p := range c.ProxyRegions {
		names[i] = p.Region
	}
	return names
}

// ProxyRegion returns the proxy region named name.
func (c *Cluster) ProxyRegion(name string) (ProxyRegion, bool) {
	for _, p := range c.ProxyRegions {
		if p.Region == name {
			return p, true
		}
	}
	return ProxyRegion{}, false
}

// AMIFor returns the pinned AMI id for region, or "" to use the SSM parameter.
func (c *Cluster) AMIFor(region string) string {
	return c.AMI.IDs[region]
}

// LatencyRoute says which proxy region serves the agents of one region.
type LatencyRoute struct {
	// Region is the latency region of the record (where agents run).
	Region string
	// ProxyRegion is the proxy region whose load balancer the record names.
	ProxyRegion string
	// DistanceKm is the great-circle distance between the two.
	DistanceKm float64
	// Override is true when the config chose ProxyRegion explicitly.
	Override bool
}

// LatencyRoutes returns one route per proxy region (to itself) followed by one
// per resource region (to its nearest proxy region unless overridden), in
// config order. Call it on a validated config.
func (c *Cluster) LatencyRoutes() []LatencyRoute {
	var routes []LatencyRoute
	for _, p := range c.ProxyRegions {
		routes = append(routes, LatencyRoute{Region: p.Region, ProxyRegion: p.Region})
	}
	for _, r := range c.ResourceRegions {
		route := LatencyRoute{Region: r.Region}
		if r.ProxyRegion != "" {
			route.ProxyRegion, route.Override = r.ProxyRegion, true
			a, _ := LookupRegion(r.Region)
			b, _ := LookupRegion(r.ProxyRegion)
			route.DistanceKm = DistanceKm(a, b)
		} else {
			route.ProxyRegion, route.DistanceKm, _ = NearestRegion(r.Region, c.ProxyRegionNames())
		}
		routes = append(routes, route)
	}
	return routes
}

// RoutesTo returns the latency routes whose records point at proxyRegion.
func (c *Cluster) RoutesTo(proxyRegion string) []LatencyRoute {
	var out []LatencyRoute
	for _, r := range c.LatencyRoutes() {
		if r.ProxyRegion == proxyRegion {
			out = append(out, r)
		}
	}
	return out
}

// AllTags returns the user's tags plus the app's own, sorted by key for
// deterministic output.
func (c *Cluster) AllTags() map[string]string {
	tags := map[string]string{
		"teleport-cluster": c.ClusterName,
		"managed-by":       "cdktf",
	}
	for k, v := range c.Tags {
		tags[k] = v
	}
	return tags
}

// String summarises the cluster in one line, for progress output.
func (c *Cluster) String() string {
	regions := c.ProxyRegionNames()
	sorted := append([]string(nil), regions...)
	sort.Strings(sorted)
	return fmt.Sprintf("cluster %q at %s: auth in %s, proxies in %s (peering: %s)",
		c.ClusterName, c.Domain, c.Auth.Region, strings.Join(sorted, ", "), c.Peering.Mode)
}
