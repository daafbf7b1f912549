// Package authstate provides the SSM parameters through which the auth
// instances publish what the proxies need before they start:
//
//   - the cluster CA pin, which proxies set as teleport.ca_pin before their
//     first join: a proxy then trusts only this cluster's CA, not whichever
//     server answers at the auth address first;
//   - the rollout state (the oldest Teleport release and the AMI generations
//     of the live auth servers), which holds new proxies back until every
//     auth server runs at least their release (Teleport upgrades the Auth
//     Service first).
//
// Terraform creates each parameter (so that it is tagged, encrypted where it
// matters and deleted with the stack) with a placeholder value it never
// updates; the auth instances overwrite the value. What protects them is
// that only the auth role may write them.
package authstate

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Pending is the value until an auth instance publishes the pin; proxies
// wait while the value does not start with "sha256:".
const Pending = "pending"

// NoRollout is the rollout state until an auth instance publishes one; it
// admits no proxy.
const NoRollout = "{}"

// Props configures the CA pin parameter.
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

// NewCAPin creates the CA pin parameter: a SecureString under the cluster
// key. The pin is not secret (a hash of the CA's public key) but it is kept
// like the rest of the cluster's state.
func NewCAPin(scope constructs.Construct, id string, props *Props) *Parameter {
	return newParameter(scope, id, props.Name, &ssmparameter.SsmParameterConfig{
		Description: jsii.String("Teleport cluster CA pin(s), published by the auth instances; proxies set teleport.ca_pin from it"),
		Type:        jsii.String("SecureString"),
		KeyId:       props.KeyARN,
		Value:       jsii.String(Pending),
	})
}

// NewRollout creates the rollout state parameter, a String: it holds
// release numbers and hashes of the AMI settings, nothing secret, and
// proxies of every region read it at boot.
func NewRollout(scope constructs.Construct, id, name string) *Parameter {
	return newParameter(scope, id, name, &ssmparameter.SsmParameterConfig{
		Description: jsii.String("Teleport auth servers' rollout state (oldest release, AMI generations), published by the auth instances; new proxies wait on it"),
		Type:        jsii.String("String"),
		Value:       jsii.String(NoRollout),
	})
}

// newParameter creates a standard-tier parameter whose value Terraform sets
// once (the placeholder in cfg) and then leaves to the auth instances.
func newParameter(scope constructs.Construct, id, name string, cfg *ssmparameter.SsmParameterConfig) *Parameter {
	c := constructs.NewConstruct(scope, jsii.String(id))
	cfg.Name = jsii.String(name)
	cfg.Tier = jsii.String("Standard")
	cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{IgnoreChanges: &[]*string{jsii.String("value")}}
	ssmparameter.NewSsmParameter(c, jsii.String("parameter"), cfg)
	return &Parameter{Construct: c, Name: name}
}

// ReadStatement lets a role read the parameter at arn (proxies read the
// rollout state and the CA pin).
func ReadStatement(sid, arn string) policy.Statement {
	return policy.Statement{Sid: sid, Actions: []string{"ssm:GetParameter"}, Resources: []*string{jsii.String(arn)}}
}

// PublishStatement lets a role overwrite the parameter at arn (the auth
// servers publish the rollout state).
func PublishStatement(sid, arn string) policy.Statement {
	return policy.Statement{Sid: sid, Actions: []string{"ssm:PutParameter"}, Resources: []*string{jsii.String(arn)}}
}
