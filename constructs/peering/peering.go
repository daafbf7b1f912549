// Package peering provides the VPC peering construct: a (usually
// cross-region) peering connection requested from one VPC, accepted through
// the other VPC's regional provider, and routes to the peer's range in the
// given route tables of both VPCs.
package peering

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	datavpcpeeringconnection "github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsvpcpeeringconnection"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcpeeringconnection"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcpeeringconnectionaccepter"
	"github.com/example/teleport-multi-region/constructs/moved"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Side is one VPC of a peering.
type Side struct {
	// Provider manages this side's resources; nil means the stack's default.
	Provider cdktf.TerraformProvider
	// Region is the VPC's region.
	Region string
	// VPCID is the VPC (a token, possibly a cross-stack reference).
	VPCID *string
	// CIDR is the VPC's range, from config.
	CIDR string
	// RouteTables receive a route to the other side's range: the route
	// tables of the subnets that talk to the other VPC.
	RouteTables []network.RouteTable
}

// Props configures a Peering.
type Props struct {
	// Name tags the connection, e.g. "example-eu-central-1-to-us-west-2".
	Name string
	// Requester asks for the connection; Accepter accepts it.
	Requester, Accepter Side
	// Adopt imports an existing connection, its acceptance and its routes
	// into this construct's resources (import blocks) instead of creating
	// them: they were managed by another stack, which forgets them in the
	// same deploy (see regions.Moves). The connection is found by its two
	// VPCs, its Name tag and status active, when Terraform plans.
	Adopt bool
	// AdoptRoutes are the routes that exist with the adopted connection
	// (their construct ids, current or positional): only these are
	// imported, the others are created.
	AdoptRoutes moved.Existing
}

// Peering is an accepted peering connection with routes on both sides.
type Peering struct {
	constructs.Construct
	// ID is the peering connection id.
	ID *string
}

// New creates the connection, its acceptance and the routes.
func New(scope constructs.Construct, id string, props *Props) *Peering {
	c := constructs.NewConstruct(scope, jsii.String(id))
	req, acc := props.Requester, props.Accepter
	tags := &map[string]*string{"Name": jsii.String(props.Name)}
	conn := vpcpeeringconnection.NewVpcPeeringConnection(c, jsii.String("connection"), &vpcpeeringconnection.VpcPeeringConnectionConfig{
		Provider:   req.Provider,
		VpcId:      req.VPCID,
		PeerVpcId:  acc.VPCID,
		PeerRegion: jsii.String(acc.Region),
		Tags:       tags,
	})
	// Every attribute read is a round trip to Node.js that makes a new
	// token: read the id once (peerings grow with the square of the number
	// of proxy regions).
	connID := conn.Id()
	accepted := vpcpeeringconnectionaccepter.NewVpcPeeringConnectionAccepterA(c, jsii.String("accepter"), &vpcpeeringconnectionaccepter.VpcPeeringConnectionAccepterAConfig{
		Provider:               acc.Provider,
		VpcPeeringConnectionId: connID,
		AutoAccept:             jsii.Bool(true),
		Tags:                   tags,
	})
	dependsOn := &[]cdktf.ITerraformDependable{accepted}
	if props.Adopt {
		// Import ids must be known when Terraform plans: a data source is,
		// the connection's own id is not (internal/service/ec2:
		// vpc_peering_connection and its accepter import by the
		// connection's id).
		existing := datavpcpeeringconnection.NewDataAwsVpcPeeringConnection(c, jsii.String("existing"), &datavpcpeeringconnection.DataAwsVpcPeeringConnectionConfig{
			Provider:  req.Provider,
			VpcId:     req.VPCID,
			PeerVpcId: acc.VPCID,
			Status:    jsii.String("active"),
			Tags:      tags,
		})
		existingID := existing.Id()
		conn.ImportFrom(existingID, req.Provider)
		accepted.ImportFrom(existingID, acc.Provider)
	}
	moves := moved.In(c)
	routes := func(side Side, dest, prefix string) {
		// Named by the table's key, not its position: a zone added or
		// removed on either side adds or removes its own route only.
		for _, rt := range side.RouteTables {
			r := route.NewRoute(c, jsii.String(prefix+"-route-"+rt.Key), &route.RouteConfig{
				Provider:               side.Provider,
				RouteTableId:           rt.ID,
				DestinationCidrBlock:   jsii.String(dest),
				VpcPeeringConnectionId: connID,
				DependsOn:              dependsOn,
			})
			legacy := fmt.Sprintf("%s-route-%d", prefix, rt.Legacy)
			moves.From(r, legacy)
			if props.Adopt && props.AdoptRoutes.Has(prefix+"-route-"+rt.Key, legacy) {
				r.ImportFrom(network.RouteImportID(rt.ID, dest), side.Provider)
			}
		}
	}
	routes(req, acc.CIDR, "requester")
	routes(acc, req.CIDR, "accepter")
	return &Peering{Construct: c, ID: connID}
}
