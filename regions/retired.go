package regions

import (
	"github.com/example/teleport-multi-region/config"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// NewRetiredStack fills the stack of a retired proxy region: its backend
// and every provider its resources were managed with, and nothing else, so
// that the next deploy destroys them all. The providers are the region's
// own, the auth region's (the peering routes and the 3025 rule it added
// there), us-east-1's (see regionalProviders) and every proxy
// region sorting before it (the peerings it owned): Terraform needs a
// resource's provider to destroy it.
//
// Destruction order: the stack depends on the DNS stack, which no longer
// routes anybody to the region (its clients' records point at the nearest
// running region), so records move away before its load balancer is
// destroyed. It also depends on the active stacks that own a peering with
// it (regions sorting after it), so that they drop those peerings before
// its VPC is deleted.
func NewRetiredStack(stack cdktf.TerraformStack, cfg *config.Cluster, region string, active []*ProxyStack, dnsStack cdktf.TerraformStack) cdktf.TerraformStack {
	setUpStack(stack, cfg, region)
	stack.AddDependency(dnsStack)
	newProvider(stack, "aws-auth", cfg, cfg.Auth.Region, "auth")
	regionalProviders(stack, cfg, region)
	if cfg.ProxyPeering() && !cfg.PublicPeering() {
		for _, p := range active {
			if OwnsPeering(p.Region, region) {
				stack.AddDependency(p.Stack)
			}
		}
	}
	return stack
}
