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
// And the other way round, the parameters through which each proxy stack
// registers its proxies' IAM role with the auth servers (NewProxyRole),
// which admit exactly the registered roles in the proxies' IAM join token.
//
// Terraform creates each parameter (so that it is tagged, encrypted where it
// matters and deleted with the stack) with a placeholder value it never
// updates; the auth instances overwrite the value. What protects them is
// that only the auth role may write them.
package authstate

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/kmskey"
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
	// Key is the cluster key.
	Key *kmskey.Key
	// Region is the parameter's region.
	Region string
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

// Context is the KMS encryption context of the SecureString parameter named
// name in region: SSM encrypts and decrypts its value with the parameter's
// ARN as PARAMETER_ARN, so a grant with it covers that parameter only.
func Context(region, name string) *kmskey.Context {
	return &kmskey.Context{Key: "PARAMETER_ARN", Value: func(account string) string { return ARN(region, account, name) }}
}

// NewCAPin creates the CA pin parameter: a SecureString under the cluster
// key. The pin is not secret (a hash of the CA's public key) but it is kept
// like the rest of the cluster's state.
func NewCAPin(scope constructs.Construct, id string, props *Props) *Parameter {
	// The deployer creates (Encrypt) and refreshes (Decrypt) the value
	// ("How AWS Systems Manager Parameter Store uses AWS KMS": the
	// encryption context is the parameter's ARN).
	props.Key.Grant(kmskey.Grant{Sid: "DeployerManagesCAPinParameter", Actions: []string{"kms:Decrypt", "kms:Encrypt"},
		ViaServices: []string{kmskey.ViaService("ssm", props.Region)}, EncryptionContext: Context(props.Region, props.Name)})
	return newParameter(scope, id, props.Name, &ssmparameter.SsmParameterConfig{
		Description: jsii.String("Teleport cluster CA pin(s), published by the auth instances; proxies set teleport.ca_pin from it"),
		Type:        jsii.String("SecureString"),
		KeyId:       props.Key.ARN,
		Value:       jsii.String(Pending),
	})
}

// NewRollout creates the rollout state parameter, a String: it holds
// release numbers and hashes of the AMI settings, nothing secret, and
// proxies of every region read it at boot.
//
// It is also the upgrade gate of the cluster: release is the Teleport
// release the auth servers are configured to run, and the plan of the auth
// stack fails unless the oldest release the live auth servers published
// (read from the cluster at plan time, since the value is refreshed and
// never overwritten by Terraform) is of the same major or the one before.
// Teleport upgrades one major at a time and does not downgrade across
// majors (Teleport's "Upgrading Compatibility Overview": "you must upgrade
// ... one major version at a time"; the backend is migrated on upgrade).
// A cluster that has not published a release yet (new, or every auth server
// gone) passes.
func NewRollout(scope constructs.Construct, id, name string, release config.Version) *Parameter {
	// The published major, or pass when there is none: "{}" before the
	// first publication, {"servers":0,...} with no live auth server. try(),
	// not ||, since Terraform evaluates both sides of a logical operator.
	running := func(pass int) string {
		return fmt.Sprintf(`try(tonumber(split(".", jsondecode(self.value).teleport)[0]), %d)`, pass)
	}
	gate := func(cond, msg string) *cdktf.Postcondition {
		return &cdktf.Postcondition{Condition: jsii.String("${" + cond + "}"), ErrorMessage: jsii.String(msg)}
	}
	return newParameter(scope, id, name, &ssmparameter.SsmParameterConfig{
		Description: jsii.String("Teleport auth servers' rollout state (oldest release, AMI generations), published by the auth instances; new proxies wait on it"),
		Type:        jsii.String("String"),
		Value:       jsii.String(NoRollout),
		Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{
			gate(fmt.Sprintf("%s >= %d", running(release.Major), release.Major-1), fmt.Sprintf(
				"The auth servers of this cluster run a Teleport release older than %d.x (published in %s), and auth.teleport_version is %s: Teleport upgrades one major at a time. Set auth.teleport_version and teleport_version to the newest release of the next major first, deploy and let the rollout finish, then go on (docs/operations.md: Upgrading Teleport).",
				release.Major-1, name, release)),
			gate(fmt.Sprintf("%s <= %d", running(release.Major), release.Major), fmt.Sprintf(
				"The auth servers of this cluster run a Teleport release newer than %d.x (published in %s), and auth.teleport_version is %s: Teleport does not downgrade across majors (the backend was migrated). Set the release the cluster runs, or restore the cluster from a backup taken before the upgrade (docs/operations.md).",
				release.Major, name, release)),
		}},
	})
}

// newParameter creates a standard-tier parameter whose value Terraform sets
// once (the placeholder in cfg) and then leaves to the auth instances.
func newParameter(scope constructs.Construct, id, name string, cfg *ssmparameter.SsmParameterConfig) *Parameter {
	c := constructs.NewConstruct(scope, jsii.String(id))
	cfg.Name = jsii.String(name)
	cfg.Tier = jsii.String("Standard")
	if cfg.Lifecycle == nil {
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{}
	}
	cfg.Lifecycle.IgnoreChanges = &[]*string{jsii.String("value")}
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

// ProxyRoleProps registers a proxy region's role.
type ProxyRoleProps struct {
	// Provider manages the auth region (the proxy stack's aliased provider).
	Provider cdktf.TerraformProvider
	// Name is the parameter, under the cluster's proxy roles path.
	Name string
	// RoleARN is the proxies' role.
	RoleARN *string
}

// NewProxyRole registers a proxy region's role ARN for the auth servers,
// which list the path every minute and write one join-token rule per
// registered role (teleport-join-token). Terraform owns the value: a
// retired region's stack deletes it, and the auth servers drop its rule.
// It lives in the proxy stack so that adding a region never changes the
// auth stack.
func NewProxyRole(scope constructs.Construct, id string, props *ProxyRoleProps) {
	ssmparameter.NewSsmParameter(scope, jsii.String(id), &ssmparameter.SsmParameterConfig{
		Provider:    props.Provider,
		Name:        jsii.String(props.Name),
		Description: jsii.String("IAM role of a region's Teleport proxies; the auth servers admit exactly the roles registered here to join"),
		Type:        jsii.String("String"),
		Tier:        jsii.String("Standard"),
		Value:       props.RoleARN,
	})
}

// ListStatement lets the auth servers list the registered proxy roles under
// the path whose ARN is pathARN. GetParametersByPath is authorized against
// the requested path, not against the parameters it returns (Parameter
// Store, "How Parameter Store authorizes parameter retrieval").
func ListStatement(sid, pathARN string) policy.Statement {
	return policy.Statement{Sid: sid, Actions: []string{"ssm:GetParametersByPath"}, Resources: []*string{jsii.String(pathARN)}}
}
