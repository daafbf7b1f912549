// Package capin provides the SSM parameter through which the auth instances
// publish the cluster CA pin to the proxies, which set teleport.ca_pin from it
// before their first join: a proxy then trusts only this cluster's CA, not
// whichever server answers at the auth address first.
//
// Terraform creates the parameter (so that it is tagged, encrypted with the
// cluster key and deleted with the stack) with a placeholder value it never
// updates; the auth instances overwrite the value. The pin is not secret (a
// hash of the CA's public key) but the parameter is a SecureString under
// the cluster key like the rest of the cluster's state; what protects it is
// that only the auth role may write it.
package capin

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Pending is the value until an auth instance publishes the pin; proxies
// wait while the value does not start with "sha256:".
const Pending = "pending"

// Props configures a Parameter.
type Props struct {
	// Name is the parameter name, starting with "/".
	Name string
	// KeyARN is the cluster key.
	KeyARN *string
}

// Parameter is the created parameter.
type Parameter struct {
	constructs.Construct
	// Name is the parameter name.
	Name string
}

// ARN returns the parameter's ARN in region and account, which is also the
// KMS encryption context value (PARAMETER_ARN) of its value.
func ARN(region, accountID, name string) string {
	return "arn:aws:ssm:" + region + ":" + accountID + ":parameter" + name
}

// New creates the parameter.
func New(scope constructs.Construct, id string, props *Props) *Parameter {
	c := constructs.NewConstruct(scope, jsii.String(id))
	ssmparameter.NewSsmParameter(c, jsii.String("parameter"), &ssmparameter.SsmParameterConfig{
		Name:        jsii.String(props.Name),
		Description: jsii.String("Teleport cluster CA pin(s), published by the auth instances; proxies set teleport.ca_pin from it"),
		Type:        jsii.String("SecureString"),
		KeyId:       props.KeyARN,
		Tier:        jsii.String("Standard"),
		Value:       jsii.String(Pending),
		Lifecycle:   &cdktf.TerraformResourceLifecycle{IgnoreChanges: &[]*string{jsii.String("value")}},
	})
	return &Parameter{Construct: c, Name: props.Name}
}
