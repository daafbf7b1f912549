// Package config holds the typed cluster configuration: the one YAML file a
// user writes to describe a Teleport multi-region proxy deployment, its
// defaults and its validation. It never starts jsii, so a bad file is rejected
// in milliseconds, before any synthesis.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Defaults applied by Load to fields the file leaves out.
const (
	// DefaultEdition is Enterprise: Proxy Peering, which multi-region
	// latency routing depends on, is an Enterprise feature.
	DefaultEdition              = EditionEnterprise
	DefaultAgentConnectionCount = 2
	DefaultAZCount              = 2
	DefaultInstanceType         = "m6i.large"
	DefaultInstanceCount        = 2
	DefaultVolumeSizeGiB        = 50
	DefaultPeeringMode          = PeeringVPC
	DefaultAMISSMParameter      = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
	DefaultBackendType          = BackendLocal
	// DefaultElasticIPQuota is the default "EC2-VPC Elastic IPs" quota
	// (L-0263D0A3) of a region: 5 per account.
	DefaultElasticIPQuota = 5
	// DefaultFlowLogRetentionDays keeps VPC flow logs for 90 days.
	DefaultFlowLogRetentionDays = 90
	DefaultFlowLogTrafficType   = "REJECT"
	// DefaultLogRetentionDays keeps the instances' logs for 90 days.
	DefaultLogRetentionDays = 90

	// DefaultBackupRetentionDays keeps daily recovery points five weeks.
	DefaultBackupRetentionDays = 35
	// MaxBackupRetentionDays is AWS Backup's longest retention (100 years).
	MaxBackupRetentionDays = 36500
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

// Connectivity modes: how proxy VPCs reach the auth VPC (and, with peering
// mode vpc, each other) privately.
const (
	// ConnectivityVPCPeering peers VPCs directly (the default).
	ConnectivityVPCPeering = "vpc_peering"
	// ConnectivityTransitGateway gives every stack's VPC a transit gateway
	// of its region and peers the transit gateways.
	ConnectivityTransitGateway = "transit_gateway"
)

// State backends.
const (
	BackendLocal = "local"
	BackendS3    = "s3"
)

// Cluster is the whole configuration file.
type Cluster struct {
	// notes and warnings are set by Validate (see Notes and Warnings).
	notes, warnings []string
	// source and pos are the file the config was parsed from and the
	// positions of its fields (Refuse).
	source string
	pos    positions
	// ClusterName is DNS-safe and prefixes every AWS resource name: lower
	// case letters, digits and "-", at most 24 characters, without "-proxy"
	// (the proxy roles are matched as <cluster>-proxy-*).
	ClusterName string `yaml:"cluster_name"`
	// Domain is the public address of the cluster; *.Domain serves apps.
	// Let's Encrypt must issue for it: under a public TLD (not .internal,
	// .local, .test, .example, ...), at most 9 labels.
	Domain string `yaml:"domain"`
	// HostedZone is the existing public Route 53 zone holding Domain's records.
	HostedZone string `yaml:"hosted_zone"`
	// HostedZoneID is the id of HostedZone; when set, the zone is not
	// looked up by name, and the plan checks that the id is the public
	// zone HostedZone.
	HostedZoneID string `yaml:"hosted_zone_id,omitempty"`
	// TeleportVersion is the exact Teleport release the proxies install
	// (and the auth servers, unless Auth.TeleportVersion is set), e.g.
	// "18.9.0".
	TeleportVersion string `yaml:"teleport_version"`
	// Edition is "enterprise" (default) or "oss". Proxy Peering is an
	// Enterprise feature, so "oss" is accepted only with exactly one proxy
	// region.
	Edition string `yaml:"edition,omitempty"`
	// LicenseSSMParameter names the SecureString SSM parameter (in the auth
	// region) holding the Enterprise license (license.pem); required for
	// enterprise.
	LicenseSSMParameter string `yaml:"license_ssm_parameter,omitempty"`
	// LicenseKMSKeyARN is the customer managed KMS key the license
	// parameter is encrypted with, when it is not the account's default
	// aws/ssm key: the key ARN (arn:aws:kms:<auth region>:<account>:key/<id>).
	// The auth role then gets kms:Decrypt on it through SSM for that
	// parameter only; the key's own policy must allow the auth role (or
	// delegate to IAM). Optional; enterprise only.
	LicenseKMSKeyARN string `yaml:"license_kms_key_arn,omitempty"`
	// AgentConnectionCount is how many proxies each agent connects to under
	// proxy peering; at least 2 (default 2) and at most the instances.count
	// of the smallest active proxy region.
	AgentConnectionCount int `yaml:"agent_connection_count,omitempty"`
	// ACMEEmail is the Let's Encrypt account e-mail for the DNS-01 certificate.
	ACMEEmail string `yaml:"acme_email"`
	// ACMEStaging selects Let's Encrypt's staging directory (untrusted certs,
	// generous rate limits) for trial runs.
	ACMEStaging bool `yaml:"acme_staging,omitempty"`
	// Auth is the single region running the Auth Service.
	Auth AuthRegion `yaml:"auth"`
	// ProxyRegions are the regions running the Proxy Service: at least one,
	// each region once.
	ProxyRegions []ProxyRegion `yaml:"proxy_regions"`
	// ResourceRegions are regions with agents but no proxy; each gets latency
	// records pointing at its nearest (or chosen) proxy region.
	ResourceRegions []ResourceRegion `yaml:"resource_regions,omitempty"`
	// Peering chooses how proxies reach each other.
	Peering Peering `yaml:"peering,omitempty"`
	// Connectivity chooses how VPCs are connected: VPC peering or transit
	// gateways.
	Connectivity Connectivity `yaml:"connectivity,omitempty"`
	// AMI chooses the machine image of every instance.
	AMI AMI `yaml:"ami,omitempty"`
	// Audit chooses where the Auth Service keeps the audit log.
	Audit Audit `yaml:"audit,omitempty"`
	// Backend is where Terraform keeps each stack's state.
	Backend Backend `yaml:"backend,omitempty"`
	// Alerts configures who is notified when an alarm fires.
	Alerts Alerts `yaml:"alerts,omitempty"`
	// FlowLogs configures the VPC flow logs of every VPC.
	FlowLogs FlowLogs `yaml:"flow_logs,omitempty"`
	// Logs configures the CloudWatch Logs groups that receive the
	// instances' logs (Teleport's and the boot scripts') and their
	// Prometheus metrics, per role and region.
	Logs Logs `yaml:"logs,omitempty"`
	// Quotas declares service quotas raised above AWS's defaults, so that
	// validation checks the deployment against the real limits.
	Quotas Quotas `yaml:"quotas,omitempty"`
	// Tags are added to every taggable resource (through the providers'
	// default_tags).
	Tags map[string]string `yaml:"tags,omitempty"`
	// DeletionProtection guards the cluster's state (DynamoDB tables, S3
	// buckets and every resource guarding them, KMS keys, the backup
	// vault) with Terraform's prevent_destroy and the tables' own deletion
	// protection (default true): a plan that would destroy or replace one
	// fails before anything is changed. Set false, deploy, then destroy, to
	// tear the cluster down on purpose (docs/operations.md: Tearing a cluster down).
	DeletionProtection *bool `yaml:"deletion_protection,omitempty"`
	// Backup configures the AWS Backup plan of the state and events
	// tables and the recordings bucket.
	Backup Backup `yaml:"backup,omitempty"`
	// Restore names restored copies the cluster runs on instead of the
	// tables and bucket it created (docs/operations.md: Restoring from a backup).
	Restore Restore `yaml:"restore,omitempty"`
}

// Backup configures AWS Backup: a vault encrypted with a customer managed
// key and a daily plan for the state and events tables and the recordings
// bucket.
type Backup struct {
	// RetentionDays is how long each daily recovery point is kept, in the
	// auth region and in CopyRegion (default 35, 1 to 36500).
	RetentionDays int `yaml:"retention_days,omitempty"`
	// CopyRegion, when set, copies every recovery point to a vault in that
	// region (not the auth region), so that a regional outage or a lost
	// account region does not take the backups with it. Optional.
	CopyRegion string `yaml:"copy_region,omitempty"`
}

// Restore names the DynamoDB tables and S3 bucket restored from a backup
// that the cluster runs on instead of its own (they must exist, restored
// with AWS Backup, and be imported into the auth stack's state). Each is
// optional; an empty field keeps the cluster's own.
type Restore struct {
	// StateTable is the restored cluster state table (default: the
	// cluster's own).
	StateTable string `yaml:"state_table,omitempty"`
	// EventsTable is the restored audit events table (default: the
	// cluster's own).
	EventsTable string `yaml:"events_table,omitempty"`
	// RecordingsBucket is the bucket the recordings were restored into
	// (default: the cluster's own).
	RecordingsBucket string `yaml:"recordings_bucket,omitempty"`
}

// Protected reports whether the cluster's state is deletion-protected
// (deletion_protection, default true).
func (c *Cluster) Protected() bool { return c.DeletionProtection == nil || *c.DeletionProtection }

// Alerts configures alarm notifications.
type Alerts struct {
	// Email is subscribed to every region's alarm topic (each subscription
	// must be confirmed from the mailbox). Optional: without it the topics
	// and alarms exist and nothing is subscribed.
	Email string `yaml:"email,omitempty"`
}

// FlowLogs configures VPC flow logs, delivered to a CloudWatch log group
// encrypted with the stack's customer managed key.
type FlowLogs struct {
	// TrafficType is "REJECT" (default: rejected connections only) or "ALL".
	TrafficType string `yaml:"traffic_type,omitempty"`
	// RetentionDays is how long the log group keeps events (default 90);
	// one of the values CloudWatch Logs accepts.
	RetentionDays int `yaml:"retention_days,omitempty"`
}

// Logs configures the log groups of the instances: in each region, one for
// the Teleport logs and boot logs of each role (auth, proxy) and one for the
// Prometheus metrics the CloudWatch agent ships as embedded metric format,
// each encrypted with the region's customer managed key.
type Logs struct {
	// RetentionDays is how long the instances' log groups keep events
	// (default 90); one of the values CloudWatch Logs accepts. The metrics
	// log groups keep their events for at most this long too (the metrics
	// themselves stay in CloudWatch for 15 months).
	RetentionDays int `yaml:"retention_days,omitempty"`
}

// Quotas are per-region service quotas of the account.
type Quotas struct {
	// ElasticIPs maps a region to its "EC2-VPC Elastic IPs" quota, where
	// it was raised above the default of 5. Every NAT gateway takes one.
	ElasticIPs map[string]int `yaml:"elastic_ips,omitempty"`
}

// AuthRegion is the region of the Auth Service.
type AuthRegion struct {
	// Region is the AWS region code.
	Region string `yaml:"region"`
	// VPCCIDR is the IPv4 range of the auth VPC: private, /16 to /24, and
	// overlapping no other VPC of the cluster. It cannot change once
	// deployed: the synth refuses a range that differs from the output it
	// replaces (the VPC and everything in it would be replaced).
	VPCCIDR string `yaml:"vpc_cidr"`
	// AZCount is how many availability zones the VPC spans (2 or 3, default 2,
	// or the length of Zones; us-west-1 offers 2). Raising it adds the
	// next zone of the region's table: its subnets and NAT gateway are
	// created and the load balancer and group take it in place. Lowering it
	// removes the last zone: its resources go and the network load balancer
	// is replaced (a few minutes without it). See docs/operations.md,
	// Changing a VPC's zones or range.
	AZCount int `yaml:"az_count,omitempty"`
	// Zones overrides the region's default zones (config/regions.go) by AZ
	// ID (usw2-az1) or name (us-west-2a). Optional. Each zone keeps its
	// subnets' blocks whatever its position: reordering changes nothing, a
	// zone added or removed changes only that zone (a removal also replaces
	// the network load balancer). Adding one zone and removing another in
	// the same deploy, or switching between names and IDs, is refused: two
	// deploys.
	Zones []string `yaml:"zones,omitempty"`
	// Instances sizes the Auth Service Auto Scaling group.
	Instances InstanceGroup `yaml:"instances,omitempty"`
	// TeleportVersion lets the auth servers run ahead of the proxies during
	// an upgrade (Teleport upgrades the Auth Service first). Default: the
	// top-level teleport_version.
	TeleportVersion string `yaml:"teleport_version,omitempty"`
	// ExistingVPC, when set, puts the auth region into a VPC that already
	// exists instead of creating one (private subnets and route tables;
	// see ExistingVPC). vpc_cidr must still be the VPC's range; az_count
	// and zones do not apply (the subnets fix the zones).
	ExistingVPC *ExistingVPC `yaml:"existing_vpc,omitempty"`
	// Generation counts the auth stacks this cluster has stood up in a
	// region other than its first, after losing the auth region (default 0,
	// 0 to 99; docs/operations.md: Recover from losing the auth region).
	// Above 0, every name of the auth stack that is global (IAM roles and
	// the instance profile, the Auto Scaling service-linked role's suffix,
	// S3 buckets) or lives outside the auth region (the backup vault and its
	// key alias in backup.copy_region, the health check topic and its key
	// alias in us-east-1) ends in -g<generation>, so that the new auth stack
	// does not collide with the lost one's, which still exist. 0 keeps the
	// names of a first deploy: raising it renames (replaces) those
	// resources, so raise it only together with auth.region.
	Generation int `yaml:"generation,omitempty"`
	// previousSlots are the zones' slots in the output a synth replaces
	// (Cluster.RememberZoneSlots).
	previousSlots map[string]int
}

// ProxyRegion is one region of the Proxy Service.
type ProxyRegion struct {
	// Region is the AWS region code.
	Region string `yaml:"region"`
	// VPCCIDR is the IPv4 range of this region's proxy VPC: private, /16 to
	// /24, and overlapping no other VPC of the cluster. The synth refuses a
	// change once deployed; to move the region to another range, retire
	// it, delete its entry, then add it again (three deploys).
	VPCCIDR string `yaml:"vpc_cidr"`
	// AZCount is how many availability zones the VPC spans (2 or 3, default 2,
	// or the length of Zones; us-west-1 offers 2). Changing it adds or
	// removes the last zone, as for the auth region.
	AZCount int `yaml:"az_count,omitempty"`
	// Zones overrides the region's default zones, as for the auth region;
	// changes behave the same (a removal replaces this region's network
	// load balancer: its clients go to other regions for a few minutes).
	Zones []string `yaml:"zones,omitempty"`
	// Instances sizes this region's Proxy Service Auto Scaling group.
	Instances InstanceGroup `yaml:"instances,omitempty"`
	// ExistingVPC, when set, puts this region's proxies into a VPC that
	// already exists instead of creating one (see ExistingVPC). vpc_cidr
	// must still be the VPC's range; az_count and zones do not apply.
	ExistingVPC *ExistingVPC `yaml:"existing_vpc,omitempty"`
	// Retired takes the region out of the cluster in the next deploy, the
	// first of two steps: its clients' latency records, and those of the
	// resource regions it served, move to the nearest running proxy region
	// (in place, in the dns stack); then its proxy stack (and its mesh
	// stack, with peering over private addresses) stay in the app but
	// declare nothing, so that deploy destroys what they hold: proxies, load
	// balancer, the VPC it created, its connections to the auth region and
	// the other proxy regions; the other regions' mesh stacks drop their
	// connections, routes and 3021 prefix-list entries for it. Keep the
	// entry's other keys. After that deploy, delete the
	// entry (synth refuses to delete one that was not retired and deployed
	// first) and deploy again (docs/operations.md: Retiring a proxy region).
	Retired bool `yaml:"retired,omitempty"`
	// previousSlots are the zones' slots in the output a synth replaces
	// (Cluster.RememberZoneSlots).
	previousSlots map[string]int
}

// InstanceGroup sizes an Auto Scaling group.
type InstanceGroup struct {
	// Type is the EC2 instance type (default m6i.large). Graviton types
	// (t4g, m7g, c7gn, ...) get arm64 images, others x86_64 (see
	// Architecture).
	Type string `yaml:"type,omitempty"`
	// Count is the desired and minimum number of instances (default 2, spread
	// over the availability zones). While an instance refresh (a new
	// release, image or boot script) or a replacement runs, a proxy group
	// launches each new instance before it terminates an old one, so it may
	// briefly run up to twice Count (minimum 100%, maximum 200% healthy); the
	// auth group never runs more than Count: it terminates one auth server,
	// then launches its replacement and waits for it (minimum 50%, maximum
	// 100% healthy at count 2; at count 1 the Auth Service is down while the
	// replacement boots).
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

// Connectivity configures the private connections between VPCs.
type Connectivity struct {
	// Mode is "vpc_peering" (default) or "transit_gateway".
	Mode string `yaml:"mode,omitempty"`
}

// AMI chooses machine images.
type AMI struct {
	// Source is "ssm" (default: the image SSMParameter resolves to, or the
	// pinned IDs; boot scripts download Teleport) or "teleport" (Teleport's
	// published AMI of the exact release, edition and architecture in each
	// region, with Teleport installed; see config/images.go).
	Source string `yaml:"source,omitempty"`
	// SSMParameter is the public SSM parameter resolving to the AMI id in each
	// region (default: latest Amazon Linux 2023, x86_64, or its arm64 twin
	// for Graviton instance types).
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
	// DynamoDBTable is the lock table (hash key LockID); optional.
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
	if c.Auth.ExistingVPC == nil {
		c.Auth.AZCount = defaultAZCount(c.Auth.AZCount, c.Auth.Zones)
	}
	if c.Auth.TeleportVersion == "" {
		c.Auth.TeleportVersion = c.TeleportVersion
	}
	c.Auth.Instances.applyDefaults()
	for i := range c.ProxyRegions {
		p := &c.ProxyRegions[i]
		if p.ExistingVPC == nil {
			p.AZCount = defaultAZCount(p.AZCount, p.Zones)
		}
		p.Instances.applyDefaults()
	}
	if c.FlowLogs.TrafficType == "" {
		c.FlowLogs.TrafficType = DefaultFlowLogTrafficType
	}
	if c.Backup.RetentionDays == 0 {
		c.Backup.RetentionDays = DefaultBackupRetentionDays
	}
	if c.FlowLogs.RetentionDays == 0 {
		c.FlowLogs.RetentionDays = DefaultFlowLogRetentionDays
	}
	if c.Logs.RetentionDays == 0 {
		c.Logs.RetentionDays = DefaultLogRetentionDays
	}
	if c.Peering.Mode == "" {
		c.Peering.Mode = DefaultPeeringMode
	}
	if c.Connectivity.Mode == "" {
		c.Connectivity.Mode = ConnectivityVPCPeering
	}
	if c.Audit.Backend == "" {
		c.Audit.Backend = AuditDynamoDB
	}
	if c.AMI.Source == "" {
		c.AMI.Source = AMISourceSSM
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

// defaultAZCount is the zone count of a VPC that sets count (or not) and
// zones (or not).
func defaultAZCount(count int, zones []string) int {
	switch {
	case count != 0:
		return count
	case len(zones) != 0:
		return len(zones)
	default:
		return DefaultAZCount
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

// ProxyPeering reports whether the cluster runs Teleport Proxy Peering
// (tunnel_strategy proxy_peering, peer_* keys, 3021 between proxies). Only
// Enterprise has it: an OSS proxy with proxy peering refuses to start
// (Teleport lib/service/service.go: "proxy peering is an enterprise-only
// feature"), so an OSS cluster (one proxy region) uses agent_mesh.
func (c *Cluster) ProxyPeering() bool { return c.Edition == EditionEnterprise }

// IsRetired reports whether region is a retired proxy region.
func (c *Cluster) IsRetired(region string) bool {
	p, ok := c.ProxyRegion(region)
	return ok && p.Retired
}

// PublicPeering reports whether proxies peer over public addresses.
func (c *Cluster) PublicPeering() bool {
	return c.ProxyPeering() && c.Peering.Mode == PeeringPublic
}

// TransitGateways reports whether VPCs are connected through transit
// gateways rather than VPC peering.
func (c *Cluster) TransitGateways() bool { return c.Connectivity.Mode == ConnectivityTransitGateway }

// ElasticIPQuota returns the Elastic IP quota of region: declared in
// Quotas, else AWS's default.
func (c *Cluster) ElasticIPQuota(region string) int {
	if q, ok := c.Quotas.ElasticIPs[region]; ok {
		return q
	}
	return DefaultElasticIPQuota
}

// ProxyRegionNames returns the proxy region codes in config order, retired
// ones included.
func (c *Cluster) ProxyRegionNames() []string {
	names := make([]string, len(c.ProxyRegions))
	for i, p := range c.ProxyRegions {
		names[i] = p.Region
	}
	return names
}

// ActiveProxyRegions returns the proxy regions that are not retired, in
// config order: the ones that run proxies.
func (c *Cluster) ActiveProxyRegions() []ProxyRegion {
	var out []ProxyRegion
	for _, p := range c.ProxyRegions {
		if !p.Retired {
			out = append(out, p)
		}
	}
	return out
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

// LatencyRoutes returns one route per active proxy region (to itself)
// followed by one per resource region (to its nearest active proxy region
// unless overridden), in config order. Call it on a validated config.
//
// Retired proxy regions serve nobody: their resource regions go to the next
// nearest running region at once. All records live in the DNS stack,
// addressed by client region, so moving a client region to another proxy
// region is an in-place update of the same record, never a second CREATE
// (package regions, NewDNSStack).
func (c *Cluster) LatencyRoutes() []LatencyRoute {
	var routes []LatencyRoute
	var active []string
	for _, p := range c.ActiveProxyRegions() {
		routes = append(routes, LatencyRoute{Region: p.Region, ProxyRegion: p.Region})
		active = append(active, p.Region)
	}
	for _, r := range c.ResourceRegions {
		if p, ok := c.ProxyRegion(r.Region); ok && !p.Retired {
			continue // served by its own proxies (see Notes)
		}
		route := LatencyRoute{Region: r.Region}
		if r.ProxyRegion != "" {
			route.ProxyRegion, route.Override = r.ProxyRegion, true
			a, _ := LookupRegion(r.Region)
			b, _ := LookupRegion(r.ProxyRegion)
			route.DistanceKm = DistanceKm(a, b)
		} else {
			route.ProxyRegion, route.DistanceKm, _ = NearestRegion(r.Region, active)
		}
		routes = append(routes, route)
	}
	return routes
}

// Why a latency record sends its client region where it does, in the same
// words wherever a route is shown (synth's progress, the review report).
const (
	RouteOwnProxies = "its own proxies"
	RouteNearest    = "nearest proxy region"
	RouteChosen     = "chosen in the config (proxy_region)"
)

// RouteReason says why clients in client go to proxyRegion, nearest being
// the nearest running proxy region: a proxy_region that names the nearest
// region anyway reads as the nearest (the synthesized records cannot tell
// the two apart, so the review could not either).
func RouteReason(client, proxyRegion, nearest string) string {
	switch {
	case client == proxyRegion:
		return RouteOwnProxies
	case proxyRegion == nearest:
		return RouteNearest
	}
	return RouteChosen
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
	var sorted []string
	for _, p := range c.ProxyRegions {
		name := p.Region
		if p.Retired {
			name += " (retired)"
		}
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)
	peering := "proxy peering over " + c.Peering.Mode
	if !c.ProxyPeering() {
		peering = "agent mesh, no proxy peering"
	}
	return fmt.Sprintf("cluster %q at %s (Teleport %s %s): auth in %s, proxies in %s (%s; connectivity: %s)",
		c.ClusterName, c.Domain, c.Edition, c.TeleportVersion, c.Auth.Region, strings.Join(sorted, ", "), peering, c.Connectivity.Mode)
}

// AMIGeneration identifies the AMI settings of the config (the SSM
// parameter and every pinned id): a change to them is an AMI rollout, which
// the auth group runs before the proxy groups. Images that change behind an
// unchanged SSM parameter are not ordered: pin ami.ids for that.
func (c *Cluster) AMIGeneration() string {
	h := sha256.New()
	if c.AMI.Source == AMISourceTeleport {
		// Teleport's image follows the release, which is ordered anyway.
		fmt.Fprintf(h, "source=%s\n", c.AMI.Source)
	}
	fmt.Fprintf(h, "ssm=%s\n", c.AMI.SSMParameter)
	for _, r := range sortedKeys(c.AMI.IDs) {
		fmt.Fprintf(h, "%s=%s\n", r, c.AMI.IDs[r])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Notes are remarks about a valid config worth printing once.
func (c *Cluster) Notes() []string { return c.notes }

// Warnings are what a valid config risks and its owner should fix: a
// Teleport release with a known advisory (see Advisories), alarms that
// notify nobody. The config is still synthesized.
func (c *Cluster) Warnings() []string { return c.warnings }
