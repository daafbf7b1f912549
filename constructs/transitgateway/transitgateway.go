// Package transitgateway provides the reference design's alternative to VPC
// peering ("Proxies must have network access to the Auth Service NLB. You can
// accomplish this using VPC Peering or Transit Gateways"): a transit gateway
// per stack, with the stack's VPC attached, and peerings between transit
// gateways of (usually) different regions.
//
// Routing is explicit. Each transit gateway has its own route table instead
// of the default one, with the VPC attachment associated and propagated (the
// VPC's range) and every peering attachment associated. Peering attachments
// do not propagate routes: each side gets a static route to the other side's
// VPC range ("Add a route to a transit gateway route table", Transit
// Gateways guide), and each VPC's route tables get a route to the other range
// through their local transit gateway.
package transitgateway

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	datatgwpeering "github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsec2transitgatewaypeeringattachment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewaypeeringattachment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewaypeeringattachmentaccepter"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewayroute"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewayroutetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewayroutetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewayroutetablepropagation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2transitgatewayvpcattachment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/example/teleport-multi-region/constructs/moved"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configures a TransitGateway.
type Props struct {
	// Name tags the transit gateway and its attachment.
	Name string
	// ASN is the Amazon side ASN, unique among the cluster's gateways.
	ASN int64
	// VPCID is the VPC to attach; SubnetIDs are one subnet per zone, where
	// the gateway places its interfaces (the instances' subnets).
	VPCID     *string
	SubnetIDs []*string
}

// TransitGateway is a transit gateway with its route table and VPC
// attachment.
type TransitGateway struct {
	constructs.Construct
	// ID and RouteTableID identify the gateway and its route table.
	ID, RouteTableID *string
	// VPCAttachment is the attachment of the stack's VPC: VPC routes to the
	// gateway depend on it.
	VPCAttachment cdktf.ITerraformDependable
}

// New creates the gateway, its route table and the VPC attachment.
func New(scope constructs.Construct, id string, props *Props) *TransitGateway {
	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(suffix string) *map[string]*string {
		return &map[string]*string{"Name": jsii.String(props.Name + suffix)}
	}
	tgw := ec2transitgateway.NewEc2TransitGateway(c, jsii.String("gateway"), &ec2transitgateway.Ec2TransitGatewayConfig{
		Description:    jsii.String(props.Name),
		AmazonSideAsn:  jsii.Number(float64(props.ASN)),
		DnsSupport:     jsii.String("enable"),
		VpnEcmpSupport: jsii.String("disable"),
		// Every association and route is declared below: nothing is
		// attached or routed by default.
		DefaultRouteTableAssociation: jsii.String("disable"),
		DefaultRouteTablePropagation: jsii.String("disable"),
		AutoAcceptSharedAttachments:  jsii.String("disable"),
		Tags:                         name(""),
	})
	gatewayID := tgw.Id()
	table := ec2transitgatewayroutetable.NewEc2TransitGatewayRouteTable(c, jsii.String("route-table"), &ec2transitgatewayroutetable.Ec2TransitGatewayRouteTableConfig{
		TransitGatewayId: gatewayID,
		Tags:             name(""),
	})
	tableID := table.Id()
	attachment := ec2transitgatewayvpcattachment.NewEc2TransitGatewayVpcAttachment(c, jsii.String("vpc-attachment"), &ec2transitgatewayvpcattachment.Ec2TransitGatewayVpcAttachmentConfig{
		TransitGatewayId: gatewayID,
		VpcId:            props.VPCID,
		SubnetIds:        &props.SubnetIDs,
		DnsSupport:       jsii.String("enable"),
		TransitGatewayDefaultRouteTableAssociation: jsii.Bool(false),
		TransitGatewayDefaultRouteTablePropagation: jsii.Bool(false),
		Tags: name("-vpc"),
	})
	attachmentID := attachment.Id()
	ec2transitgatewayroutetableassociation.NewEc2TransitGatewayRouteTableAssociation(c, jsii.String("vpc-association"), &ec2transitgatewayroutetableassociation.Ec2TransitGatewayRouteTableAssociationConfig{
		TransitGatewayAttachmentId: attachmentID,
		TransitGatewayRouteTableId: tableID,
	})
	// The VPC's range reaches the table by propagation: traffic from peers
	// to this VPC is routed to the attachment.
	ec2transitgatewayroutetablepropagation.NewEc2TransitGatewayRouteTablePropagation(c, jsii.String("vpc-propagation"), &ec2transitgatewayroutetablepropagation.Ec2TransitGatewayRouteTablePropagationConfig{
		TransitGatewayAttachmentId: attachmentID,
		TransitGatewayRouteTableId: tableID,
	})
	return &TransitGateway{Construct: c, ID: gatewayID, RouteTableID: tableID, VPCAttachment: attachment}
}

// Side is one end of a peering between transit gateways.
type Side struct {
	// Provider manages this side's resources; nil means the stack's default.
	Provider cdktf.TerraformProvider
	// Region is the gateway's region.
	Region string
	// Gateway is the side's transit gateway (possibly from another stack).
	Gateway *TransitGateway
	// CIDR is the side's VPC range.
	CIDR string
	// VPCRouteTables receive a route to the other side's range through
	// this side's gateway.
	VPCRouteTables []network.RouteTable
	// SameStack is true when Gateway was created in the stack of the
	// peering, so that VPC routes can wait for its VPC attachment (another
	// stack's attachment exists before this stack is applied).
	SameStack bool
}

// PeeringProps configures a Peering.
type PeeringProps struct {
	// Name tags the peering attachment.
	Name string
	// Requester asks for the peering; Accepter accepts it through its
	// region's provider.
	Requester, Accepter Side
	// Adopt imports an existing peering, its acceptance, associations and
	// routes into this construct's resources (import blocks) instead of
	// creating them: another stack managed them and forgets them in the
	// same deploy (see regions.Moves). The attachment is found by the
	// requester's gateway, its Name tag and state available, when
	// Terraform plans.
	Adopt bool
	// AdoptRoutes are the VPC routes that exist with the adopted peering
	// (their construct ids, current or positional): only these are
	// imported, the others are created.
	AdoptRoutes moved.Existing
}

// Peering is an accepted peering attachment with its associations and
// routes on both sides.
type Peering struct {
	constructs.Construct
	// AttachmentID is the peering attachment (the same id on both sides).
	AttachmentID *string
}

// Peer creates the peering attachment, accepts it, associates it with both
// gateways' route tables and adds the static and VPC routes both ways.
func Peer(scope constructs.Construct, id string, props *PeeringProps) *Peering {
	c := constructs.NewConstruct(scope, jsii.String(id))
	req, acc := props.Requester, props.Accepter
	tags := &map[string]*string{"Name": jsii.String(props.Name)}
	attachment := ec2transitgatewaypeeringattachment.NewEc2TransitGatewayPeeringAttachment(c, jsii.String("attachment"), &ec2transitgatewaypeeringattachment.Ec2TransitGatewayPeeringAttachmentConfig{
		Provider:             req.Provider,
		TransitGatewayId:     req.Gateway.ID,
		PeerTransitGatewayId: acc.Gateway.ID,
		PeerRegion:           jsii.String(acc.Region),
		Tags:                 tags,
	})
	attachmentID := attachment.Id()
	accepted := ec2transitgatewaypeeringattachmentaccepter.NewEc2TransitGatewayPeeringAttachmentAccepter(c, jsii.String("accepter"), &ec2transitgatewaypeeringattachmentaccepter.Ec2TransitGatewayPeeringAttachmentAccepterConfig{
		Provider:                   acc.Provider,
		TransitGatewayAttachmentId: attachmentID,
		Tags:                       tags,
	})
	afterAccept := &[]cdktf.ITerraformDependable{accepted}
	// Import ids must be known when Terraform plans: a data source is, the
	// attachment's own id is not. Formats (internal/service/ec2): the
	// attachment and its accepter import by the attachment's id, an
	// association by "<route table>_<attachment>", a static route by
	// "<route table>_<destination>".
	var existingID *string
	if props.Adopt {
		existing := datatgwpeering.NewDataAwsEc2TransitGatewayPeeringAttachment(c, jsii.String("existing"), &datatgwpeering.DataAwsEc2TransitGatewayPeeringAttachmentConfig{
			Provider: req.Provider,
			Filter: []datatgwpeering.DataAwsEc2TransitGatewayPeeringAttachmentFilter{
				{Name: jsii.String("transit-gateway-id"), Values: &[]*string{req.Gateway.ID}},
				{Name: jsii.String("state"), Values: &[]*string{jsii.String("available")}},
			},
			Tags: tags,
		})
		existingID = existing.Id()
		attachment.ImportFrom(existingID, req.Provider)
		accepted.ImportFrom(existingID, acc.Provider)
	}
	moves := moved.In(c)
	side := func(s Side, remoteCIDR, prefix string) {
		// The peering attachment must be associated with a route table
		// before static routes can point at it.
		assoc := ec2transitgatewayroutetableassociation.NewEc2TransitGatewayRouteTableAssociation(c, jsii.String(prefix+"-association"), &ec2transitgatewayroutetableassociation.Ec2TransitGatewayRouteTableAssociationConfig{
			Provider:                   s.Provider,
			TransitGatewayAttachmentId: attachmentID,
			TransitGatewayRouteTableId: s.Gateway.RouteTableID,
			DependsOn:                  afterAccept,
		})
		static := ec2transitgatewayroute.NewEc2TransitGatewayRoute(c, jsii.String(prefix+"-static-route"), &ec2transitgatewayroute.Ec2TransitGatewayRouteConfig{
			Provider:                   s.Provider,
			DestinationCidrBlock:       jsii.String(remoteCIDR),
			TransitGatewayAttachmentId: attachmentID,
			TransitGatewayRouteTableId: s.Gateway.RouteTableID,
			DependsOn:                  &[]cdktf.ITerraformDependable{assoc},
		})
		if props.Adopt {
			assoc.ImportFrom(jsii.String(*s.Gateway.RouteTableID+"_"+*existingID), s.Provider)
			static.ImportFrom(jsii.String(*s.Gateway.RouteTableID+"_"+remoteCIDR), s.Provider)
		}
		vpcDeps := afterAccept
		if s.SameStack {
			vpcDeps = &[]cdktf.ITerraformDependable{accepted, s.Gateway.VPCAttachment}
		}
		// Named by the table's key, as a VPC peering's routes are.
		for _, rt := range s.VPCRouteTables {
			r := route.NewRoute(c, jsii.String(prefix+"-route-"+rt.Key), &route.RouteConfig{
				Provider:             s.Provider,
				RouteTableId:         rt.ID,
				DestinationCidrBlock: jsii.String(remoteCIDR),
				TransitGatewayId:     s.Gateway.ID,
				DependsOn:            vpcDeps,
			})
			legacy := fmt.Sprintf("%s-route-%d", prefix, rt.Legacy)
			moves.From(r, legacy)
			if props.Adopt && props.AdoptRoutes.Has(prefix+"-route-"+rt.Key, legacy) {
				r.ImportFrom(network.RouteImportID(rt.ID, remoteCIDR), s.Provider)
			}
		}
	}
	side(req, acc.CIDR, "requester")
	side(acc, req.CIDR, "accepter")
	return &Peering{Construct: c, AttachmentID: attachmentID}
}
