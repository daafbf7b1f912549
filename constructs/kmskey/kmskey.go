// Package kmskey provides a customer managed KMS key whose key policy names
// who may use it for what. The policy separates the two jobs a key has:
//
//   - administration (describe, rotate, tag, change the policy, schedule
//     deletion) is delegated to the account's IAM, so that the deployer and
//     the account's administrators keep control of the key and it can never
//     become unmanageable;
//   - data use (encrypt, decrypt, generate data keys) is granted only to the
//     roles granted it (Key.Grant), each only through the AWS services it
//     uses the key through, to the Auto Scaling service-linked role that
//     launches instances with volumes encrypted under the key, and to AWS
//     services for named resources (CloudWatch Logs for one log group);
//   - the deployer (any principal of the account whose IAM policy allows
//     it) may use the key only through the services it creates encrypted
//     resources with, as AWS documents for DynamoDB ("How Amazon DynamoDB
//     uses AWS KMS": kms:ViaService and kms:CallerAccount) and SSM
//     Parameter Store (kms:EncryptionContext:PARAMETER_ARN).
//
// Nobody is granted data use directly: not the account root, not the
// deployer, and no role outside the list, whatever its IAM policies say.
//
// A role's use of a key takes two statements that must agree: the key
// policy's, which admits the role, and the role's own, which uses the key
// (the key policy delegates to IAM, so a role gets the intersection of the
// two). Key.Grant writes both from one Grant, as aws-cdk's key.grant*(role)
// does: the construct that owns the role calls it, and nothing else writes
// a key-policy statement for a role or a role statement for a key of the
// app (a test over the synthesized JSON pairs them).
package kmskey

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsiampolicydocument"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/example/teleport-multi-region/constructs/lifecycle"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// adminActions are the key administration actions delegated to IAM. They
// exclude every cryptographic operation and CreateGrant (granted separately,
// for AWS resources only).
func adminActions() []string {
	return []string{
		"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
		"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
		"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
		"kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy",
		"kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
		"kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
	}
}

// dataActions are the cryptographic operations services perform with the
// key on a user's behalf (S3 SSE-KMS, DynamoDB, EBS).
func dataActions() []string {
	return []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}
}

// Props configures a Key.
type Props struct {
	// Description says what the key protects.
	Description string
	// Alias is the key's alias, "alias/<name>"; aliases are per region.
	Alias string
	// AccountID is the account that owns the key (a token is fine).
	AccountID *string
	// AutoScalingRoleARN is the Auto Scaling service-linked role that
	// launches instances whose EBS volumes are encrypted with this key.
	// Optional; without it the key cannot encrypt instance volumes.
	AutoScalingRoleARN *string
	// DynamoDB lets the DynamoDB service describe the key, which it does to
	// report the state of tables encrypted with it. Default false.
	DynamoDB bool
	// LogGroupARNs are CloudWatch Logs groups (in the key's region) that
	// the logs service may encrypt with the key. Optional.
	LogGroupARNs []string
	// Region is the key's region; required with LogGroupARNs.
	Region string
	// AlarmTopicARNs are SNS topics (in the key's region) encrypted with the
	// key that CloudWatch alarms publish to. Optional.
	AlarmTopicARNs []string
	// QueueTopicARNs are SNS topics (in the key's region) that deliver to
	// the SQS queues QueueARNs, encrypted with the key. Optional.
	QueueTopicARNs, QueueARNs []string
	// Provider creates the key in another region; nil is the default.
	Provider cdktf.TerraformProvider
	// Protect sets Terraform's prevent_destroy on the key (see package
	// lifecycle): data encrypted with a deleted key is lost.
	Protect bool
}

// Grant is one role's use of the key, or the deployer's: Key.Grant writes
// the key-policy statement and the role's statement from it.
type Grant struct {
	// Sid names both statements for reviewers.
	Sid string
	// Role is the role's name, or a name pattern ending in "*" that
	// matches several roles (the proxy roles of regions added later), in
	// the key's account. Empty means the deployer: any principal of the
	// account that its IAM policy allows, limited by kms:CallerAccount and
	// the services; its IAM side is the deployer policy
	// (cdktf.out/deployer-policy.json), which synth derives from these
	// statements.
	Role string
	// EncryptionContext, when set, limits use to requests with that
	// encryption context pair (e.g. one SSM parameter's ARN).
	EncryptionContext *Context
	// Actions are the data actions granted; default Decrypt, DescribeKey,
	// Encrypt, GenerateDataKey* and ReEncrypt*.
	Actions []string
	// ViaServices are the service endpoints the role may use the key
	// through, e.g. "s3.us-west-2.amazonaws.com"; at least one is required,
	// so a role can never call KMS with the key directly.
	ViaServices []string
	// Account is the account id as the role's stack knows it (a token of
	// that stack), for the encryption context of the role's statement; nil
	// is the key's own. A stack never reads another stack's account id:
	// the key's policy and the role's statement each fill in their own.
	Account *string
}

// Context is one encryption context key and its value, for a principal of
// account (a token is fine): the key policy and the role's statement each
// ask with their own stack's id of the same account.
type Context struct {
	Key   string
	Value func(account string) string
}

// ContextValue is a Context whose value names no account.
func ContextValue(key, value string) *Context {
	return &Context{Key: key, Value: func(string) string { return value }}
}

// Key is the created key.
type Key struct {
	constructs.Construct
	// ARN identifies the key in IAM policies and service settings.
	ARN *string
	// Alias is the key's alias name.
	Alias string

	props  Props
	grants []Grant
	policy dataawsiampolicydocument.DataAwsIamPolicyDocument
}

// New creates the key, with rotation on, and its alias. Roles are admitted
// with Grant.
func New(scope constructs.Construct, id string, props *Props) *Key {
	c := constructs.NewConstruct(scope, jsii.String(id))
	doc := policy.Document(c, "key-policy", Statements(props, nil)...)
	key := kmskey.NewKmsKey(c, jsii.String("key"), &kmskey.KmsKeyConfig{
		Provider:             props.Provider,
		Description:          jsii.String(props.Description),
		EnableKeyRotation:    jsii.Bool(true),
		DeletionWindowInDays: jsii.Number(30),
		Policy:               doc.Json(),
		Lifecycle:            lifecycle.PreventDestroy(props.Protect),
	})
	kmsalias.NewKmsAlias(c, jsii.String("alias"), &kmsalias.KmsAliasConfig{
		Provider:    props.Provider,
		Name:        jsii.String(props.Alias),
		TargetKeyId: key.KeyId(),
	})
	return &Key{Construct: c, ARN: key.Arn(), Alias: props.Alias, props: *props, policy: doc}
}

// Grant lets g.Role use the key as g says, in the one call that writes both
// sides: it adds g's statement to the key policy and returns the statement
// the role's own policy needs (Resource: this key). Every role a pattern
// matches asks with the same Grant, which the key policy holds once; two
// different grants under one Sid are a programming error. For the deployer
// (Role ""), the returned statement is what deployer-policy.json holds.
func (k *Key) Grant(g Grant) policy.Statement {
	mine := keyStatement(k.props.AccountID, g)
	if i := slices.IndexFunc(k.grants, func(o Grant) bool { return o.Sid == g.Sid }); i >= 0 {
		if a, b := render(keyStatement(k.props.AccountID, k.grants[i])), render(mine); a != b {
			panic(fmt.Sprintf("kmskey %s: two grants named %s: %s and %s", k.Alias, g.Sid, a, b))
		}
	} else {
		k.grants = append(k.grants, g)
		policy.Replace(k.policy, Statements(&k.props, k.grants)...)
	}
	account := g.Account
	if account == nil {
		account = k.props.AccountID
	}
	conds := []policy.Condition{{Test: "StringEquals", Variable: "kms:ViaService", Values: *jsii.Strings(g.ViaServices...)}}
	if ec := g.EncryptionContext; ec != nil {
		conds = append(conds, policy.Condition{Test: "StringEquals", Variable: "kms:EncryptionContext:" + ec.Key, Values: []*string{jsii.String(ec.Value(*account))}})
	}
	return policy.Statement{Sid: g.Sid, Actions: g.actions(), Resources: []*string{k.ARN}, Conditions: conds}
}

func (g Grant) actions() []string {
	if len(g.Actions) == 0 {
		return dataActions()
	}
	return g.Actions
}

// render is a statement as text, to compare two grants' statements.
func render(s policy.Statement) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// keyStatement is the key-policy statement of a grant.
func keyStatement(accountID *string, g Grant) policy.Statement {
	account := []policy.Principal{{Type: "AWS", Identifiers: []*string{jsii.String("arn:aws:iam::" + *accountID + ":root")}}}
	test := "ArnEquals"
	if strings.HasSuffix(g.Role, "*") {
		test = "ArnLike"
	}
	// The account principal plus aws:PrincipalArn, rather than the role
	// as principal: KMS refuses principals that do not exist yet, and
	// roles of regions added later must match without a policy change.
	who := policy.Condition{Test: test, Variable: "aws:PrincipalArn", Values: []*string{jsii.String("arn:aws:iam::" + *accountID + ":role/" + g.Role)}}
	if g.Role == "" {
		who = policy.Condition{Test: "StringEquals", Variable: "kms:CallerAccount", Values: []*string{accountID}}
	}
	conds := []policy.Condition{who,
		{Test: "StringEquals", Variable: "kms:ViaService", Values: *jsii.Strings(g.ViaServices...)}}
	if ec := g.EncryptionContext; ec != nil {
		conds = append(conds, policy.Condition{Test: "StringEquals", Variable: "kms:EncryptionContext:" + ec.Key, Values: []*string{jsii.String(ec.Value(*accountID))}})
	}
	return policy.Statement{Sid: g.Sid, Actions: g.actions(), Resources: []*string{jsii.String("*")}, Principals: account, Conditions: conds}
}

// Statements is the key policy of a key configured by props that grants
// grants.
func Statements(props *Props, grants []Grant) []policy.Statement {
	account := []policy.Principal{{Type: "AWS", Identifiers: []*string{jsii.String("arn:aws:iam::" + *props.AccountID + ":root")}}}
	everything := []*string{jsii.String("*")}
	out := []policy.Statement{
		{Sid: "AccountAdministersKey", Actions: adminActions(), Resources: everything, Principals: account},
		// DynamoDB tables and EBS volumes are created with grants that the
		// creating principal asks for; only grants for AWS resources.
		{Sid: "AccountGrantsForAWSResources", Actions: []string{"kms:CreateGrant"}, Resources: everything, Principals: account,
			Conditions: []policy.Condition{{Test: "Bool", Variable: "kms:GrantIsForAWSResource", Values: []*string{jsii.String("true")}}}},
	}
	for _, g := range grants {
		out = append(out, keyStatement(props.AccountID, g))
	}
	if len(props.LogGroupARNs) > 0 {
		// CloudWatch Logs encrypts a group's events with the key only for
		// the groups named in the encryption context ("Encrypt log data in
		// CloudWatch Logs using AWS KMS", CloudWatch Logs user guide).
		out = append(out, policy.Statement{
			Sid: "CloudWatchLogsEncryptsLogGroups", Actions: dataActions(), Resources: everything,
			Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("logs." + props.Region + ".amazonaws.com")}}},
			Conditions: []policy.Condition{{Test: "ArnEquals", Variable: "kms:EncryptionContext:aws:logs:arn", Values: *jsii.Strings(props.LogGroupARNs...)}},
		})
	}
	if len(props.AlarmTopicARNs) > 0 {
		// CloudWatch publishes alarms to encrypted topics as its service
		// principal; SNS names the topic in the encryption context
		// kms:EncryptionContext:aws:sns:topicArn (SNS developer guide,
		// "Encryption at rest" key policies for AWS service publishers).
		// EventBridge rules (the key-state rule, package alarms) publish
		// the same way as events.amazonaws.com.
		out = append(out, policy.Statement{
			Sid: "CloudWatchPublishesAlarms", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resources: everything,
			Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("cloudwatch.amazonaws.com"), jsii.String("events.amazonaws.com")}}},
			Conditions: []policy.Condition{{Test: "StringEquals", Variable: "kms:EncryptionContext:aws:sns:topicArn", Values: *jsii.Strings(props.AlarmTopicARNs...)}},
		})
	}
	if len(props.QueueTopicARNs) > 0 {
		// SNS delivers to an encrypted queue as its service principal,
		// which the key policy must admit ("Configure KMS permissions for
		// AWS services", SQS developer guide; Teleport's Athena example
		// grants the same with the same conditions).
		out = append(out, policy.Statement{
			Sid: "SNSDeliversToQueues", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resources: everything,
			Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("sns.amazonaws.com")}}},
			// SQS names the queue in the encryption context
			// (kms:EncryptionContext:aws:sqs:arn, SQS developer guide
			// "Encryption context").
			Conditions: []policy.Condition{
				{Test: "StringEquals", Variable: "aws:SourceAccount", Values: []*string{props.AccountID}},
				{Test: "ArnEquals", Variable: "aws:SourceArn", Values: *jsii.Strings(props.QueueTopicARNs...)},
				{Test: "StringEquals", Variable: "kms:EncryptionContext:aws:sqs:arn", Values: *jsii.Strings(props.QueueARNs...)},
			},
		})
	}
	if props.AutoScalingRoleARN != nil {
		// The service-linked role has no IAM policy for KMS, so the key
		// policy names it directly, as AWS documents for encrypted volumes.
		asg := []policy.Principal{{Type: "AWS", Identifiers: []*string{props.AutoScalingRoleARN}}}
		out = append(out,
			policy.Statement{Sid: "AutoScalingEncryptsVolumes", Actions: dataActions(), Resources: everything, Principals: asg},
			policy.Statement{Sid: "AutoScalingAttachesVolumes", Actions: []string{"kms:CreateGrant"}, Resources: everything, Principals: asg,
				Conditions: []policy.Condition{{Test: "Bool", Variable: "kms:GrantIsForAWSResource", Values: []*string{jsii.String("true")}}}},
		)
	}
	if props.DynamoDB {
		out = append(out, policy.Statement{
			Sid: "DynamoDBDescribesKey", Actions: []string{"kms:Describe*", "kms:Get*", "kms:List*"}, Resources: everything,
			Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("dynamodb.amazonaws.com")}}},
		})
	}
	return out
}

// ViaService is the endpoint through which service (e.g. "s3") uses a key in
// region, the value of the kms:ViaService condition key.
func ViaService(service, region string) string {
	return service + "." + region + ".amazonaws.com"
}
