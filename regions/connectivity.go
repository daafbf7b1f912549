package regions

import (
	"fmt"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/moved"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/peering"
	"github.com/example/teleport-multi-region/constructs/transitgateway"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// This file is the one place that chooses between VPC peering and transit
// gateways (connectivity.mode): newGateway gives a stack's VPC its gateway,
// connect joins two VPCs. The stacks only say which VPCs to join.

// endpoint is one side of a private connection between two of the
// cluster's VPCs.
type endpoint struct {
	// Provider manages this side's resources; nil is the stack's default.
	Provider cdktf.TerraformProvider
	Region   string
	Network  *network.Network
	CIDR     string
	// Gateway is the side's transit gateway (nil in vpc_peering mode);
	// SameStack says it was created in the connecting stack.
	Gateway   *transitgateway.TransitGateway
	SameStack bool
}

// newGateway creates the transit gateway of a stack's VPC in
// transit_gateway mode, attached to subnets; nil in vpc_peering mode.
func newGateway(stack cdktf.TerraformStack, cfg *config.Cluster, name, region string, auth bool, net *network.Network, subnets []*string) (*transitgateway.TransitGateway, error) {
	if !cfg.TransitGateways() {
		return nil, nil
	}
	asn, err := config.TransitGatewayASN(region, auth)
	if err != nil {
		return nil, err
	}
	return transitgateway.New(stack, "transit-gateway", &transitgateway.Props{Name: name, ASN: asn, VPCID: net.VPCID, SubnetIDs: subnets}), nil
}

// connectionIDs are the construct ids of a connection in each mode (kept
// as they were, so that state addresses do not move).
type connectionIDs struct{ vpcPeering, gatewayPeering string }

// connect joins requester's VPC (in stack) with accepter's, whose side is
// managed through accepter.Provider: a VPC peering connection, or a
// peering of their transit gateways, with routes on both sides. adopt
// imports an existing connection instead, with those of its routes that
// exist (see Moves).
func connect(stack cdktf.TerraformStack, cfg *config.Cluster, ids connectionIDs, name string, requester, accepter endpoint, adopt bool, routes moved.Existing) error {
	if cfg.TransitGateways() {
		if requester.Gateway == nil || accepter.Gateway == nil {
			return fmt.Errorf("connection %s: transit_gateway mode needs a gateway on both sides", name)
		}
		side := func(e endpoint) transitgateway.Side {
			return transitgateway.Side{Provider: e.Provider, Region: e.Region, Gateway: e.Gateway, CIDR: e.CIDR,
				VPCRouteTables: e.Network.InstanceRouteTables, SameStack: e.SameStack}
		}
		transitgateway.Peer(stack, ids.gatewayPeering, &transitgateway.PeeringProps{Name: name, Requester: side(requester), Accepter: side(accepter), Adopt: adopt, AdoptRoutes: routes})
		return nil
	}
	side := func(e endpoint) peering.Side {
		return peering.Side{Provider: e.Provider, Region: e.Region, VPCID: e.Network.VPCID, CIDR: e.CIDR, RouteTables: e.Network.InstanceRouteTables}
	}
	peering.New(stack, ids.vpcPeering, &peering.Props{Name: name, Requester: side(requester), Accepter: side(accepter), Adopt: adopt, AdoptRoutes: routes})
	return nil
}
