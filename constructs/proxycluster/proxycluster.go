// Package proxycluster provides one region's Proxy Service: its security
// group, its internet-facing Network Load Balancer on 443 (TLS passed through,
// PROXY protocol v2) and its Auto Scaling group, whose role may only read the
// cluster's TLS certificate.
package proxycluster

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/authstate"
	"github.com/example/teleport-multi-region/constructs/firewall"
	"github.com/example/teleport-multi-region/constructs/instances"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/loadbalancer"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configures a ProxyCluster.
type Props struct {
	// Name names the security group and Auto Scaling group.
	Name string
	// RoleName names the IAM role and instance profile.
	RoleName string
	// LoadBalancerName names the public NLB and its target group.
	LoadBalancerName string
	// Region and AccountID locate the group (its role may report its own
	// health and complete its own lifecycle actions).
	Region    string
	AccountID *string
	// Network is this region's proxy VPC.
	Network *network.Network
	// Instances sizes the group; Image picks its AMI.
	Instances config.InstanceGroup
	Image     config.Image
	// BootScript is the rendered proxy boot script.
	BootScript string
	// AuthRange is the part of the auth VPC where the auth NLB is, which
	// proxies reach on 3025.
	AuthRange string
	// PublicAddresses places instances in public subnets with public
	// addresses (proxy peering over the internet). Otherwise instances sit
	// in private subnets and reach the internet through NAT.
	PublicAddresses bool
	// PeerRange, when set, opens 3021 to and from a prefix list named
	// PeerPrefixListName, sized for PeerMaxEntries ranges, that holds
	// PeerRange (this region's proxies: they dial each other too) and
	// whatever entries other stacks add (the other regions' proxies, added
	// by the mesh stacks). Nil without proxy peering: no 3021 rule at all.
	PeerRange          *firewall.Range
	PeerPrefixListName string
	PeerMaxEntries     int
	// PeerAnywhere opens 3021 to and from the internet instead: proxies
	// peer over public addresses, which change with every instance.
	PeerAnywhere bool
	// CAPinParameter is the name of the SSM parameter holding the cluster
	// CA pin, in CertRegion; it is encrypted with CertKey through SSM.
	CAPinParameter string
	// CertBucket is the certs bucket (the role reads CertObjectsARN in
	// it), CertKey is the KMS key its objects are encrypted with, and
	// CertRegion the bucket's region.
	CertBucket string
	CertKey    *kmskey.Key
	CertRegion string
	// RolePattern is a role name pattern matching RoleName and the proxy
	// roles of every other region, present and future: what the cert key's
	// policy admits, so that it names no region's role and a region added
	// later needs no change to it (nor the auth stack a read of this one).
	RolePattern string
	// VolumeKeyARN encrypts the instances' root volumes; its policy must
	// grant AutoScalingRoleARN, the role the group launches instances with.
	VolumeKeyARN, AutoScalingRoleARN *string
	// ExtraPolicy adds statements to the role.
	ExtraPolicy []policy.Statement
	// LaunchHook holds new instances until their boot script admits them
	// (see instances.Props.LaunchHook). Optional.
	LaunchHook *instances.Hook
	// WaitForHealthyOnCreate: see instances.Props.
	WaitForHealthyOnCreate bool
}

// ProxyCluster exposes what DNS needs.
type ProxyCluster struct {
	constructs.Construct
	// LoadBalancer is the public NLB.
	LoadBalancer *loadbalancer.LoadBalancer
	// SecurityGroupID is the instances' group.
	SecurityGroupID *string
	// Group is the proxies' Auto Scaling group.
	Group *instances.Group
	// PeerPrefixList is the list of ranges 3021 is open to (nil without
	// it); PeerSelfEntry is this region's entry in it.
	PeerPrefixList *firewall.PrefixList
	PeerSelfEntry  cdktf.TerraformResource
}

// New creates the Proxy Service of one region.
func New(scope constructs.Construct, id string, props *Props) *ProxyCluster {
	c := constructs.NewConstruct(scope, jsii.String(id))
	net := props.Network
	sg := firewall.NewGroup(c, "security-group", props.Name, "Teleport Proxy Service instances", net.VPCID)
	in := func(port int, cidr, why string) {
		firewall.AllowIn(c, firewall.RuleID("in", port, cidr), sg, firewall.Rule{Port: port, CIDR: cidr, Description: why})
	}
	out := func(port int, cidr, why string) {
		firewall.AllowOut(c, firewall.RuleID("out", port, cidr), sg, firewall.Rule{Port: port, CIDR: cidr, Description: why})
	}
	// 443 and the health check port are admitted from the NLB's group
	// only (package loadbalancer); the NLB admits users and agents anywhere.
	out(443, firewall.Anywhere, "Teleport packages, AWS APIs and the certificate over HTTPS")
	out(teleportconfig.AuthPort, props.AuthRange, "Auth Service NLB over VPC peering")
	// Every proxy dials every other proxy of the cluster, those of its own
	// region included (Proxy Peering guide): 3021 both ways between the
	// proxies' ranges and nothing wider.
	var peerList *firewall.PrefixList
	var peerSelf cdktf.TerraformResource
	switch {
	case props.PeerAnywhere:
		in(teleportconfig.PeerPort, firewall.Anywhere, "proxy peering from the cluster's proxies (public addresses)")
		out(teleportconfig.PeerPort, firewall.Anywhere, "proxy peering to the cluster's proxies (public addresses)")
	case props.PeerRange != nil:
		// One prefix list and two rules rather than two rules per region:
		// the same opening, with resources that grow linearly, not with
		// the square of the number of regions.
		peerList = firewall.NewPrefixList(c, "peers", props.PeerPrefixListName, props.PeerMaxEntries)
		peerSelf = firewall.PrefixListEntry(c, "peers-self", peerList.ID, *props.PeerRange, nil)
		firewall.AllowIn(c, "in-3021-peers", sg, firewall.Rule{Port: teleportconfig.PeerPort, PrefixList: peerList.ID,
			Description: "proxy peering from the cluster's proxies"})
		firewall.AllowOut(c, "out-3021-peers", sg, firewall.Rule{Port: teleportconfig.PeerPort, PrefixList: peerList.ID,
			Description: "proxy peering to the cluster's proxies"})
	}

	nlb := loadbalancer.New(c, "load-balancer", &loadbalancer.Props{
		Name:            props.LoadBalancerName,
		Internal:        false,
		VPCID:           net.VPCID,
		SubnetIDs:       net.PublicSubnetIDs,
		Port:            teleportconfig.WebPort,
		ProxyProtocolV2: true,
		HealthCheckPort: teleportconfig.DiagPort,
		HealthCheckPath: "/readyz",
		// Client addresses are preserved (and passed on in the PROXY v2
		// header): the NLB's group is what admits users and agents.
		AllowFrom:             []firewall.Rule{{CIDR: firewall.Anywhere, Description: "users and agents (TLS routing)"}},
		TargetSecurityGroupID: sg,
	})

	subnets, zones := net.PrivateSubnetIDs, net.PrivateZones
	if props.PublicAddresses {
		subnets, zones = net.PublicSubnetIDs, net.PublicZones
	}
	pinARN := authstate.ARN(props.CertRegion, *props.AccountID, props.CAPinParameter)
	statements := []policy.Statement{
		{Sid: "ReadCertificate", Actions: []string{"s3:GetObject"}, Resources: []*string{jsii.String(CertObjectsARN(props.CertBucket))}},
		// Names only, never content: a proxy serves its placeholder only
		// when S3 lists no published certificate and no certbot state
		// (teleport-fetch-cert). A read's error cannot tell: without
		// s3:ListBucket, S3 answers a read of a missing key with 403, the
		// same as a denied one (GetObject API reference).
		{Sid: "ListCertificate", Actions: []string{"s3:ListBucket"}, Resources: []*string{jsii.String("arn:aws:s3:::" + props.CertBucket)},
			Conditions: []policy.Condition{{Test: "StringLike", Variable: "s3:prefix",
				Values: *jsii.Strings("live/*", teleportconfig.CertbotStateKey("*"))}}},
		props.CertKey.Grant(kmskey.Grant{Sid: "ProxiesReadCertificate", Role: props.RolePattern, Actions: []string{"kms:Decrypt"},
			ViaServices: []string{kmskey.ViaService("s3", props.CertRegion)}}),
		{Sid: "ReadCAPin", Actions: []string{"ssm:GetParameter"}, Resources: []*string{jsii.String(pinARN)}},
		// The pin's ARN as the key's stack and this one each name it (the
		// same account, with no read of the other stack).
		props.CertKey.Grant(kmskey.Grant{Sid: "ProxiesReadCAPin", Role: props.RolePattern, Actions: []string{"kms:Decrypt"},
			ViaServices:       []string{kmskey.ViaService("ssm", props.CertRegion)},
			EncryptionContext: authstate.Context(props.CertRegion, props.CAPinParameter), Account: props.AccountID}),
	}
	group := instances.New(c, "instances", &instances.Props{
		Name:                   props.Name,
		RoleName:               props.RoleName,
		Region:                 props.Region,
		MetricNamespace:        teleportconfig.MetricNamespace,
		TerminationHook:        DrainHook(),
		AccountID:              props.AccountID,
		InstanceType:           props.Instances.Type,
		Count:                  props.Instances.Count,
		VolumeSizeGiB:          props.Instances.VolumeSizeGiB,
		Image:                  props.Image,
		SubnetIDs:              subnets,
		Zones:                  zones,
		SecurityGroupIDs:       []*string{sg},
		UserDataBase64:         teleportconfig.UserDataBase64(props.BootScript),
		TargetGroupARNs:        []*string{nlb.TargetGroupARN},
		PublicIP:               props.PublicAddresses,
		Policy:                 append(statements, props.ExtraPolicy...),
		LaunchHook:             props.LaunchHook,
		WaitForHealthyOnCreate: props.WaitForHealthyOnCreate,
		VolumeKeyARN:           props.VolumeKeyARN,
		AutoScalingRoleARN:     props.AutoScalingRoleARN,
	})
	return &ProxyCluster{Construct: c, LoadBalancer: nlb, SecurityGroupID: sg, Group: group, PeerPrefixList: peerList, PeerSelfEntry: peerSelf}
}

// DrainHook is the termination lifecycle hook of every proxy group: a proxy
// being terminated (scale-in, instance refresh, replacement) stays in
// Terminating:Wait while its drain handler (package teleportconfig) sends
// Teleport SIGQUIT, a graceful shutdown that lets sessions finish
// (Teleport's signals reference), waits up to DrainTimeoutSeconds and
// completes the hook. The heartbeat timeout is larger, so that the handler
// always completes it first; if the handler dies, the termination continues
// when the timeout passes (CONTINUE).
func DrainHook() *instances.Hook {
	return &instances.Hook{Name: teleportconfig.DrainHookName, HeartbeatTimeoutSeconds: 2 * teleportconfig.DrainTimeoutSeconds}
}

// CertObjectsARN is the ARN pattern of the certificate objects in bucket.
func CertObjectsARN(bucket string) string { return fmt.Sprintf("arn:aws:s3:::%s/live/*", bucket) }
