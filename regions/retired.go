package regions

import (
	"github.com/example/teleport-multi-region/config"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// NewRetiredStack fills the stack of a retired proxy region: its backend
// and every provider its resources were managed with, and nothing else, so
// that the next deploy destroys them all. The providers are the region's
// own, the auth region's (the peering routes and the 3025 rule it added
// there), us-east-1's (see regionalProviders) and every proxy region
// sorting before it (the peerings its stack owned before mesh stacks, which
// a cluster retiring it while it moves still has there): Terraform needs a
// resource's provider to destroy it.
//
// Destruction order: the stack depends on the DNS stack, which no longer
// routes anybody to the region (its clients' records point at the nearest
// running region), so records move away before its load balancer is
// destroyed. It also depends on the region's own mesh stack (retired too:
// see NewRetiredMeshStack) and on the mesh stacks that own a connection
// with it (regions sorting after it), so that those connections and routes
// are gone before its VPC is deleted. ownMesh is nil outside mesh mode.
func NewRetiredStack(stack cdktf.TerraformStack, cfg *config.Cluster, region string, meshes []*MeshStack, ownMesh, dnsStack cdktf.TerraformStack) cdktf.TerraformStack {
	setUpStack(stack, cfg, region)
	stack.AddDependency(dnsStack)
	newProvider(stack, "aws-auth", cfg, cfg.Auth.Region, "auth")
	regionalProviders(stack, cfg, region, ownedPeers(cfg, region))
	if ownMesh != nil {
		stack.AddDependency(ownMesh)
	}
	for _, m := range meshes {
		if OwnsPeering(m.Region, region) {
			stack.AddDependency(m.Stack)
		}
	}
	return stack
}
