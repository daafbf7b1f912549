package regions

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/firewall"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// MeshStack holds what connects one proxy region with the others, in mesh
// mode (proxy peering over VPC peering or transit gateways): the
// connections the region owns (OwnsPeering: with the regions sorting before
// it), each with its routes on both sides, and the other regions' ranges in
// the region's peer prefix list. It deploys after its own proxy stack and
// the proxy stacks of its peers, and the DNS stack after every mesh stack:
// a region gets clients only once its proxies reach every other proxy.
//
// Proxy stacks therefore read only the auth stack, and deploy side by side:
// the longest chain of the manifest is auth, proxy, mesh, DNS at any number
// of regions. Adding a region adds its proxy and mesh stacks, an entry in
// every other mesh stack (its range, and the connection the later regions
// own with it) and its DNS records; no other proxy stack changes.
type MeshStack struct {
	Stack  cdktf.TerraformStack
	Region string
}

// NewMeshStack builds the mesh stack of owner into stack, an empty stack
// named cfg.Names().MeshStack(owner.Region). active are every active proxy
// region's stacks, owner included. The construct ids of the connections are
// those the proxy stack used before (so the addresses are the same: see
// Moves).
func NewMeshStack(stack cdktf.TerraformStack, cfg *config.Cluster, owner *ProxyStack, active []*ProxyStack, moves *Moves) (*MeshStack, error) {
	names := cfg.Names()
	region := owner.Region
	setUpStack(stack, cfg, region)
	// Every value of a proxy stack that a mesh stack may read, read here
	// by the region's own mesh stack: cdktf publishes a value of a stack
	// (a cross-stack output) only while some stack reads it, and a proxy
	// stack must not change when the regions reading it come and go.
	read := map[string]any{"vpc_id": owner.Network.VPCID, "route_table_ids": owner.Network.InstanceRouteTableIDs()}
	if owner.Proxy.PeerPrefixList != nil {
		read["peer_prefix_list_id"] = owner.Proxy.PeerPrefixList.ID
	}
	if gw := owner.TransitGateway; gw != nil {
		read["transit_gateway_id"], read["transit_gateway_route_table_id"] = gw.ID, gw.RouteTableID
	}
	cdktf.NewTerraformLocal(stack, jsii.String("proxy-stack"), read)
	providers := peerProviders(stack, cfg, ownedPeers(cfg, region))
	pr, _ := cfg.ProxyRegion(region)
	// The gateway is in the proxy stack, whose VPC attachment exists
	// before this stack is applied.
	self := endpoint{Region: region, Network: owner.Network, CIDR: pr.VPCCIDR, Gateway: owner.TransitGateway}
	for _, peer := range active {
		if peer.Region == region {
			continue
		}
		p, _ := cfg.ProxyRegion(peer.Region)
		if OwnsPeering(region, peer.Region) {
			// Proxy gateways are peered directly, each pair once, like
			// VPCs: hairpinning every proxy-to-proxy connection through
			// the auth region's gateway would add that detour's latency
			// to every session reached through a peer.
			if err := connect(stack, cfg, connectionIDs{"peering-" + peer.Region, "tgw-peering-" + peer.Region}, names.Prefix(region+"-to-"+peer.Region), self,
				endpoint{Provider: providers[peer.Region], Region: peer.Region, Network: peer.Network, CIDR: p.VPCCIDR, Gateway: peer.TransitGateway},
				moves.adopts(region, peer.Region), moves.adoptedRoutes(region, peer.Region)); err != nil {
				return nil, fmt.Errorf("mesh stack %s: %w", region, err)
			}
		}
		// This region's proxies admit and dial the peer's on 3021.
		r := meshRange(cfg, p)
		entry := firewall.PrefixListEntry(stack, "peers-"+peer.Region, owner.Proxy.PeerPrefixList.ID, *r, nil)
		if moves.entriesAdopted(region) && moves.pairAdopted(region, peer.Region) {
			entry.ImportFrom(firewall.PrefixListEntryImportID(owner.Proxy.PeerPrefixList.ID, r.CIDR), nil)
		}
	}
	return &MeshStack{Stack: stack, Region: region}, nil
}

// NewRetiredMeshStack fills the mesh stack of a retired proxy region with
// its backend and the providers of what it managed, and nothing else, so
// that the next deploy destroys its connections. It deploys after the DNS
// stack (clients leave the region first), and the retired proxy stack after
// it.
func NewRetiredMeshStack(stack cdktf.TerraformStack, cfg *config.Cluster, region string, dnsStack cdktf.TerraformStack) cdktf.TerraformStack {
	setUpStack(stack, cfg, region)
	stack.AddDependency(dnsStack)
	peerProviders(stack, cfg, ownedPeers(cfg, region))
	return stack
}
