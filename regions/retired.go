package regions

import (
	"github.com/example/teleport-multi-region/config"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// NewRetiredStack fills the stack of a retired proxy region: its backend
// and every provider its resources were managed with, and nothing else, so
// that the next deploy destroys them all. The providers are the region's
// own, the auth region's (the peering routes and the 3025 rule it added
// there), us-east-1's (the Route 53 health check alarm) and every proxy
// region sorting before it (the peerings it owned): Terraform needs a
// resource's provider to destroy it.
//
// Destruction order: the DNS records went into state depending on the
// proxies' group (package dns), so Terraform removes them first and clients
// move to the other regions before the proxies go. The stack depends on the
// active stacks that own a peering with it (regions sorting after it), so
// that they drop those peerings before its VPC is deleted.
func NewRetiredStack(stack cdktf.TerraformStack, cfg *config.Cluster, region string, active []*ProxyStack) cdktf.TerraformStack {
	setUpStack(stack, cfg, region)
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
