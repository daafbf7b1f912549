package instances

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamservicelinkedrole"
)

// AutoScalingRolePrefix is how the name of every Auto Scaling service-linked
// role starts; a custom suffix follows after an underscore.
const AutoScalingRolePrefix = "AWSServiceRoleForAutoScaling_"

// NewAutoScalingRole creates an Auto Scaling service-linked role of the
// cluster's own (AWSServiceRoleForAutoScaling_<suffix>) and returns its ARN.
//
// Groups launch instances with this role, and KMS key policies name it so
// that volumes can be encrypted with customer managed keys. The account's
// default role cannot serve: it only exists once some group has been created,
// and KMS refuses key policies naming roles that do not exist, so a fresh
// account could not create the key. A role of its own also keeps the key
// policies from trusting every Auto Scaling group of the account.
func NewAutoScalingRole(scope constructs.Construct, id, suffix string) *string {
	role := iamservicelinkedrole.NewIamServiceLinkedRole(scope, jsii.String(id), &iamservicelinkedrole.IamServiceLinkedRoleConfig{
		AwsServiceName: jsii.String("autoscaling.amazonaws.com"),
		CustomSuffix:   jsii.String(suffix),
		Description:    jsii.String("Auto Scaling groups of the Teleport cluster " + suffix),
	})
	return role.Arn()
}
