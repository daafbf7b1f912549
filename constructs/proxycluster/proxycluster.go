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
	"github.com/example/teleport-multi-region/constructs/firewall"
	"github.com/example/teleport-multi-region/constructs/instances"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/loadbalancer"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Props configures a ProxyCluster.
type Props struct {
	// Name names the security group and Auto Scaling group.
	Name string
	// RoleName names the IAM role and instance profile.
	RoleName string
	// LoadBalancerName names the public NLB and its target group.
	LoadBalancerName string
	// Network is this region's proxy VPC.
	Network *network.Network
	// Instances sizes the group; AMIID or AMISSMParameter picks the image.
	Instances       config.InstanceGroup
	AMIID           string
	AMISSMParameter string
	// BootScript is the rendered proxy boot script.
	BootScript string
	// AuthServer is the auth NLB's DNS name (a cross-stack reference).
	AuthServer *string
	// AuthCIDR is the auth VPC range proxies reach on 3025.
	AuthCIDR string
	// PublicPeering places instances in public subnets with public
	// addresses, and peers reach them from anywhere on 3021. Otherwise
	// instances sit in private subnets and PeerCIDRs reach them.
	PublicPeering bool
	// PeerCIDRs are the other proxy VPCs' ranges (vpc peering mode).
	PeerCIDRs []string
	// CertObjectsARN matches the certificate objects the role may read
	// (e.g. arn:aws:s3:::bucket/live/*), CertKeyARN is the KMS key they
	// are encrypted with, and CertRegion the bucket's region.
	CertObjectsARN string
	CertKeyARN     *string
	CertRegion     string
	// VolumeKeyARN encrypts the instances' root volumes; its policy must
	// grant AutoScalingRoleARN, the role the group launches instances with.
	VolumeKeyARN, AutoScalingRoleARN *string
	// ExtraPolicy adds statements to the role.
	ExtraPolicy []policy.Statement
}

// ProxyCluster exposes what DNS needs.
type ProxyCluster struct {
	constructs.Construct
	// LoadBalancer is the public NLB.
	LoadBalancer *loadbalancer.LoadBalancer
	// SecurityGroupID is the instances' group.
	SecurityGroupID *string
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
	// The NLB preserves client addresses, so 443 is open to the clients
	// themselves: users and agents anywhere.
	in(teleportconfig.WebPort, firewall.Anywhere, "users and agents through the NLB (TLS routing)")
	in(teleportconfig.DiagPort, net.CIDR, "load balancer health checks from inside the VPC")
	out(443, firewall.Anywhere, "Teleport packages, AWS APIs and the certificate over HTTPS")
	out(teleportconfig.AuthPort, props.AuthCIDR, "Auth Service NLB over VPC peering")
	peers := props.PeerCIDRs
	if props.PublicPeering {
		// Peers' public addresses are assigned at launch and change with
		// every instance, so no narrower range exists; peer connections are
		// mutually authenticated with cluster-issued certificates.
		peers = []string{firewall.Anywhere}
	}
	for _, cidr := range peers {
		in(teleportconfig.PeerPort, cidr, "proxy peering from other proxies")
		out(teleportconfig.PeerPort, cidr, "proxy peering to other proxies")
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
	})

	subnets := net.PrivateSubnetIDs
	if props.PublicPeering {
		subnets = net.PublicSubnetIDs
	}
	statements := []policy.Statement{
		{Sid: "ReadCertificate", Actions: []string{"s3:GetObject"}, Resources: []*string{jsii.String(props.CertObjectsARN)}},
		{Sid: "DecryptCertificate", Actions: []string{"kms:Decrypt"}, Resources: []*string{props.CertKeyARN},
			Conditions: []policy.Condition{{Test: "StringEquals", Variable: "kms:ViaService",
				Values: *jsii.Strings(kmskey.ViaService("s3", props.CertRegion))}}},
	}
	instances.New(c, "instances", &instances.Props{
		Name:               props.Name,
		RoleName:           props.RoleName,
		InstanceType:       props.Instances.Type,
		Count:              props.Instances.Count,
		VolumeSizeGiB:      props.Instances.VolumeSizeGiB,
		AMIID:              props.AMIID,
		AMISSMParameter:    props.AMISSMParameter,
		SubnetIDs:          subnets,
		SecurityGroupIDs:   []*string{sg},
		UserDataBase64:     teleportconfig.Base64(props.BootScript),
		TargetGroupARNs:    []*string{nlb.TargetGroupARN},
		PublicIP:           props.PublicPeering,
		InstanceTags:       map[string]*string{teleportconfig.AuthServerTag: props.AuthServer},
		Policy:             append(statements, props.ExtraPolicy...),
		VolumeKeyARN:       props.VolumeKeyARN,
		AutoScalingRoleARN: props.AutoScalingRoleARN,
	})
	return &ProxyCluster{Construct: c, LoadBalancer: nlb, SecurityGroupID: sg}
}

// CertObjectsARN is the ARN pattern of the certificate objects in bucket.
func CertObjectsARN(bucket string) string { return fmt.Sprintf("arn:aws:s3:::%s/live/*", bucket) }
