// Package network provides the VPC construct shared by the auth and proxy
// regions: a VPC over several availability zones with public subnets behind an
// internet gateway and, optionally, private subnets with a NAT gateway per zone
// ("created"), or a VPC that already exists, its subnets and route tables
// ("given"), checked at plan time. Either way the construct's result is the
// same: the VPC, subnet and route table ids the rest of the stack uses.
package network

import (
	"fmt"
	"net/netip"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eip"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/internetgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/natgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/moved"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// SubnetNewBits is how many bits a subnet adds to the VPC prefix: the VPC is
// cut into 2*config.ZoneSlots equal blocks, public ones from block 0 and
// private ones from block config.ZoneSlots. Each zone's subnets are in the
// blocks of its slot (config.Zone.Slot), which it keeps while it is in the
// VPC: adding or removing a zone never moves another zone's subnets.
const SubnetNewBits = 3

const privateBlockOffset = config.ZoneSlots

// subnetDeleteTimeout bounds the provider's retries of DeleteSubnet while
// the subnet of a removed zone still holds instances: the group that left it
// launches their replacements in the remaining zones before it terminates
// them (EC2 Auto Scaling rebalancing: launch before terminate), each through
// its launch hook (up to 15 minutes) and a proxy's drain hook (10), longer
// than the provider's default of 20 minutes (ec2/vpc_subnet.go).
const subnetDeleteTimeout = "60m"

// Props configures a Network.
type Props struct {
	// Name prefixes the Name tag of every resource, e.g. "example-auth".
	Name string
	// CIDR is the VPC's IPv4 range, already validated (/16 to /24).
	CIDR string
	// Zones are the availability zones to span (2 or more), in order:
	// subnet i is in Zones[i]. They come from the config, never from a live
	// list of available zones, so that an impaired or a new zone never moves
	// a subnet (and the load balancers and groups in it).
	Zones []config.Zone
	// PrivateSubnets adds a private subnet per zone whose egress goes through
	// a NAT gateway in the same zone. Default false: public subnets only.
	PrivateSubnets bool
	// Given, when set, is an existing VPC to use instead of creating one:
	// nothing is created, Zones is ignored, and the ids are checked at plan
	// time (see Given). CIDR must be the VPC's range.
	Given *Given
}

// Given is an existing VPC, its subnets and the route tables of the subnets
// the instances live in.
type Given struct {
	// VPCID is the VPC.
	VPCID string
	// PrivateSubnetIDs and PublicSubnetIDs are subnets of the VPC, each kind
	// in distinct zones; either may be empty when the stack does not use
	// that kind.
	PrivateSubnetIDs, PublicSubnetIDs []string
	// InstanceRouteTableIDs are the route tables of the instances' subnets
	// (the private ones when PrivateSubnets is set, else the public ones).
	InstanceRouteTableIDs []string
}

// Network is a VPC and its subnets. Its fields are what other constructs and
// stacks need; they are Terraform tokens where AWS generates the value.
type Network struct {
	constructs.Construct
	// VPCID is the id of the VPC.
	VPCID *string
	// CIDR is the VPC's IPv4 range.
	CIDR string
	// PublicSubnetIDs has one subnet per zone.
	PublicSubnetIDs []*string
	// PrivateSubnetIDs has one subnet per zone, or none.
	PrivateSubnetIDs []*string
	// InstanceRouteTables are the route tables of the subnets instances
	// live in: one per zone for the private subnets, else the public one.
	// Peering routes go there only: nothing else in a VPC with private
	// subnets (NAT gateways, load balancer nodes in the public subnets)
	// talks to another VPC, and every route is one fewer against the quota
	// of routes per route table.
	InstanceRouteTables []RouteTable
	// Given is true when the VPC was given, not created.
	Given bool
	// PublicZones and PrivateZones locate PublicSubnetIDs and
	// PrivateSubnetIDs, one zone per subnet in the same order, as Terraform
	// knows them while planning: for checks of what a zone offers.
	PublicZones, PrivateZones []Zone
	// NATGateways has one gateway per zone of a created VPC with private
	// subnets (none for a given VPC): the instances of that zone reach the
	// internet and the AWS APIs without a VPC endpoint through it.
	NATGateways []NATGateway
}

// NATGateway is the NAT gateway of one zone.
type NATGateway struct {
	// Zone names the zone as the zone's resources are named (its AZ ID or
	// name).
	Zone string
	ID   *string
}

// MetricPacketsDropped is the packets g dropped per 5 minutes (Sum).
// AWS's VPC user guide, "NAT gateway metrics and dimensions": "A value
// greater than zero may indicate an ongoing transient issue with the NAT
// gateway"; namespace AWS/NATGateway, dimension NatGatewayId, data every
// minute while the gateway exists.
func (g NATGateway) MetricPacketsDropped() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/NATGateway", Name: "PacketsDropCount", Statistic: "Sum", PeriodSeconds: 300,
		Dimensions: map[string]*string{"NatGatewayId": g.ID}}
}

// MetricPortAllocationErrors is how often g could not allocate a source port
// per 5 minutes (Sum): too many concurrent connections to one destination
// (same guide).
func (g NATGateway) MetricPortAllocationErrors() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/NATGateway", Name: "ErrorPortAllocation", Statistic: "Sum", PeriodSeconds: 300,
		Dimensions: map[string]*string{"NatGatewayId": g.ID}}
}

// RouteTable is a route table of the instances' subnets.
type RouteTable struct {
	ID *string
	// Key names the table in the ids of the resources other constructs add
	// to it (a peering's routes), so that adding or removing another zone's
	// table leaves them where they are: the zone of a created VPC's private
	// table, "public" for its public table, a given table's id.
	Key string
	// Legacy is the table's position in the list the routes were numbered
	// by before they had keys ("<prefix>-route-<Legacy>"): the zone's slot,
	// 0 for the public table, the position in the config for a given one.
	Legacy int
}

// InstanceRouteTableIDs are the ids of InstanceRouteTables.
func (n *Network) InstanceRouteTableIDs() []*string {
	ids := make([]*string, len(n.InstanceRouteTables))
	for i, rt := range n.InstanceRouteTables {
		ids[i] = rt.ID
	}
	return ids
}

// Zone is the availability zone of a subnet, as Terraform knows it while
// planning.
type Zone struct {
	// LocationType says how Expr names the zone, in the words of EC2's
	// DescribeInstanceTypeOfferings: "availability-zone-id" (usw2-az1) or
	// "availability-zone" (us-west-2a).
	LocationType string
	// Expr is an HCL expression of the zone: a quoted literal of the
	// config, or an attribute of a given subnet's data source.
	Expr string
	// Label names the zone for a reader: the zone, or "the zone of
	// subnet-...".
	Label string
}

// Location types of Zone.
const (
	LocationZoneID   = "availability-zone-id"
	LocationZoneName = "availability-zone"
)

// configZone is a zone the config fixes.
func configZone(z config.Zone) Zone {
	if z.ID != "" {
		return Zone{LocationType: LocationZoneID, Expr: `"` + z.ID + `"`, Label: z.ID}
	}
	return Zone{LocationType: LocationZoneName, Expr: `"` + z.Name + `"`, Label: z.Name}
}

// New creates the VPC, its subnets, gateways and route tables.
func New(scope constructs.Construct, id string, props *Props) *Network {
	c := constructs.NewConstruct(scope, jsii.String(id))
	prefix, err := netip.ParsePrefix(props.CIDR)
	if err != nil {
		// Config validation rejects bad CIDRs before any construct is built.
		panic(fmt.Sprintf("network %s: invalid CIDR %q reached the construct: %v", id, props.CIDR, err))
	}
	n := &Network{Construct: c, CIDR: props.CIDR}
	if props.Given != nil {
		n.given(prefix, props)
		return n
	}
	name := func(suffix string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(props.Name + "-" + suffix)}
	}

	v := vpc.NewVpc(c, jsii.String("vpc"), &vpc.VpcConfig{
		CidrBlock:          jsii.String(props.CIDR),
		EnableDnsSupport:   jsii.Bool(true),
		EnableDnsHostnames: jsii.Bool(true),
		Tags:               name("vpc"),
	})
	// Every attribute read is a round trip to Node.js that makes a new
	// token (cdktf captures a stack trace for each): read each id once.
	vpcID := v.Id()
	n.VPCID = vpcID

	igw := internetgateway.NewInternetGateway(c, jsii.String("igw"), &internetgateway.InternetGatewayConfig{
		VpcId: vpcID,
		Tags:  name("igw"),
	})
	public := routetable.NewRouteTable(c, jsii.String("public-rt"), &routetable.RouteTableConfig{
		VpcId: vpcID,
		Tags:  name("public"),
	})
	publicID := public.Id()
	route.NewRoute(c, jsii.String("public-default"), &route.RouteConfig{
		RouteTableId:         publicID,
		DestinationCidrBlock: jsii.String("0.0.0.0/0"),
		GatewayId:            igw.Id(),
	})
	if !props.PrivateSubnets {
		n.InstanceRouteTables = append(n.InstanceRouteTables, RouteTable{ID: publicID, Key: "public"})
	}

	// Every zone's resources are named by the zone (its AZ ID, or its name
	// when the config names zones), not by their position in the list, so
	// that adding or removing a zone creates or destroys that zone's
	// resources only. Their former ids were numbered by position, which was
	// the slot: moved blocks carry existing state over.
	moves := moved.In(c)
	// A subnet or route table of a removed zone is destroyed only after
	// the resources that keep using the others (load balancer, Auto Scaling
	// group, transit gateway attachment, gateway endpoints) have been
	// updated without it: by default Terraform destroys it first, and the
	// delete fails while they still use it (hashicorp/terraform#37968: an
	// update that must come before a dependency's destruction needs
	// create_before_destroy, which Terraform keeps in the state; neither is
	// ever replaced, since a zone keeps its address and its block).
	updateFirst := &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)}
	for _, zone := range props.Zones {
		z := zone.String()
		was := func(format string) string { return fmt.Sprintf(format, zone.Slot) }
		pub := subnet.NewSubnet(c, jsii.String("public-"+z), &subnet.SubnetConfig{
			VpcId:              vpcID,
			CidrBlock:          jsii.String(Subnet(prefix, zone.Slot).String()),
			AvailabilityZone:   optional(zone.Name),
			AvailabilityZoneId: optional(zone.ID),
			// Instances get public addresses only where their launch
			// template asks for one.
			MapPublicIpOnLaunch: jsii.Bool(false),
			Tags:                name("public-" + z),
			Lifecycle:           updateFirst,
			Timeouts:            &subnet.SubnetTimeouts{Delete: jsii.String(subnetDeleteTimeout)},
		})
		moves.From(pub, was("public-%d"))
		pubID := pub.Id()
		moves.From(routetableassociation.NewRouteTableAssociation(c, jsii.String("public-"+z+"-rt"), &routetableassociation.RouteTableAssociationConfig{
			SubnetId:     pubID,
			RouteTableId: publicID,
		}), was("public-%d-rt"))
		n.PublicSubnetIDs = append(n.PublicSubnetIDs, pubID)
		n.PublicZones = append(n.PublicZones, configZone(zone))
		if !props.PrivateSubnets {
			continue
		}
		ip := eip.NewEip(c, jsii.String("nat-"+z+"-ip"), &eip.EipConfig{
			Domain: jsii.String("vpc"),
			Tags:   name("nat-" + z),
		})
		moves.From(ip, was("nat-%d-ip"))
		nat := natgateway.NewNatGateway(c, jsii.String("nat-"+z), &natgateway.NatGatewayConfig{
			SubnetId:     pubID,
			AllocationId: ip.Id(),
			Tags:         name("nat-" + z),
			DependsOn:    &[]cdktf.ITerraformDependable{igw},
		})
		moves.From(nat, was("nat-%d"))
		n.NATGateways = append(n.NATGateways, NATGateway{Zone: z, ID: nat.Id()})
		priv := subnet.NewSubnet(c, jsii.String("private-"+z), &subnet.SubnetConfig{
			VpcId:              vpcID,
			CidrBlock:          jsii.String(Subnet(prefix, privateBlockOffset+zone.Slot).String()),
			AvailabilityZone:   optional(zone.Name),
			AvailabilityZoneId: optional(zone.ID),
			Tags:               name("private-" + z),
			Lifecycle:          updateFirst,
			Timeouts:           &subnet.SubnetTimeouts{Delete: jsii.String(subnetDeleteTimeout)},
		})
		moves.From(priv, was("private-%d"))
		// One route table per zone, so a zone keeps egress when another
		// zone's NAT gateway fails.
		rt := routetable.NewRouteTable(c, jsii.String("private-"+z+"-rt"), &routetable.RouteTableConfig{
			VpcId:     vpcID,
			Tags:      name("private-" + z),
			Lifecycle: updateFirst,
		})
		moves.From(rt, was("private-%d-rt"))
		rtID, privID := rt.Id(), priv.Id()
		moves.From(route.NewRoute(c, jsii.String("private-"+z+"-default"), &route.RouteConfig{
			RouteTableId:         rtID,
			DestinationCidrBlock: jsii.String("0.0.0.0/0"),
			NatGatewayId:         nat.Id(),
		}), was("private-%d-default"))
		moves.From(routetableassociation.NewRouteTableAssociation(c, jsii.String("private-"+z+"-rta"), &routetableassociation.RouteTableAssociationConfig{
			SubnetId:     privID,
			RouteTableId: rtID,
		}), was("private-%d-rta"))
		n.PrivateSubnetIDs = append(n.PrivateSubnetIDs, privID)
		n.PrivateZones = append(n.PrivateZones, configZone(zone))
		n.InstanceRouteTables = append(n.InstanceRouteTables, RouteTable{ID: rtID, Key: z, Legacy: zone.Slot})
	}
	return n
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}

// InstanceRange is the part of a VPC range where its instances live: the
// upper half (the private subnets, blocks 4-7) when the VPC has private
// subnets, else the lower half (the public subnets, blocks 0-3); the whole
// range of a given VPC, whose subnets may sit anywhere in it. Firewall rules
// between VPCs name it instead of the whole VPC, and it is computed from the
// config, so a stack needs no output of another to write them.
func InstanceRange(vpcCIDR string, privateSubnets, given bool) string {
	p := netip.MustParsePrefix(vpcCIDR).Masked()
	if given {
		return p.String()
	}
	half := netip.PrefixFrom(p.Addr(), p.Bits()+1)
	if privateSubnets {
		// Block 4 starts the upper half.
		half = Subnet(p, privateBlockOffset)
		half = netip.PrefixFrom(half.Addr(), p.Bits()+1)
	}
	return half.String()
}

// Subnet returns block number num of the VPC range cut into 2^SubnetNewBits
// equal subnets (Terraform's cidrsubnet, computed here so that the JSON shows
// literal ranges a reviewer can read).
func Subnet(vpcRange netip.Prefix, num int) netip.Prefix {
	bits := vpcRange.Bits() + SubnetNewBits
	base := vpcRange.Masked().Addr().As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	v |= uint32(num) << (32 - bits)
	addr := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	return netip.PrefixFrom(addr, bits)
}

// RouteImportID is the import id of a route in a VPC route table:
// "<route table id>_<destination>" (terraform-provider-aws
// internal/service/ec2, vpc_route.go, resourceRouteImport).
func RouteImportID(routeTableID *string, destination string) *string {
	return jsii.String(*routeTableID + "_" + destination)
}
