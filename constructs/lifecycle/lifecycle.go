// Package lifecycle holds the Terraform lifecycle blocks the constructs share.
package lifecycle

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// PreventDestroy is the lifecycle block of a protected resource, nil unless
// on. Terraform refuses any plan that would destroy a resource with
// prevent_destroy, replacement included, before it changes anything.
// Removing the resource block from the configuration still destroys it, so
// a retired or deleted stack is not guarded by it (Terraform "The lifecycle
// Meta-Argument").
func PreventDestroy(on bool) *cdktf.TerraformResourceLifecycle {
	if !on {
		return nil
	}
	return &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
}
