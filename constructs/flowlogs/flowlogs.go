// Package flowlogs provides VPC flow logs: a flow log of the VPC delivered to
// a CloudWatch Logs log group encrypted with a customer managed key, kept for
// a configured number of days, through a role that the VPC Flow Logs service
// may assume only for this account's flow logs and that may only write to
// that log group.
package flowlogs

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/flowlog"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/example/teleport-multi-region/constructs/policy"
)

// Props configures FlowLogs.
type Props struct {
	// VPCID is the VPC whose traffic is logged.
	VPCID *string
	// Name names the flow log and tags the log group.
	Name string
	// LogGroupName is the CloudWatch Logs group, e.g.
	// "/teleport/example/vpc-flow-logs/auth".
	LogGroupName string
	// RoleName names the delivery role (IAM names are global).
	RoleName string
	// Region and AccountID locate the log group's ARN.
	Region    string
	AccountID *string
	// KeyARN encrypts the log group; its key policy must let the
	// logs.<region>.amazonaws.com service use it for LogGroupARN.
	KeyARN *string
	// TrafficType is "REJECT" or "ALL".
	TrafficType string
	// RetentionDays is the log group's retention.
	RetentionDays int
}

// FlowLogs is the created flow log.
type FlowLogs struct {
	constructs.Construct
	// LogGroupName is the log group the flow log delivers to.
	LogGroupName string
}

// LogGroupARN is the ARN of a log group (without the ":*" suffix), the
// value CloudWatch Logs puts in the KMS encryption context
// kms:EncryptionContext:aws:logs:arn.
func LogGroupARN(region, accountID, name string) string {
	return "arn:aws:logs:" + region + ":" + accountID + ":log-group:" + name
}

// New creates the log group, the delivery role and the flow log.
func New(scope constructs.Construct, id string, props *Props) *FlowLogs {
	c := constructs.NewConstruct(scope, jsii.String(id))
	group := cloudwatchloggroup.NewCloudwatchLogGroup(c, jsii.String("log-group"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(props.LogGroupName),
		RetentionInDays: jsii.Number(float64(props.RetentionDays)),
		KmsKeyId:        props.KeyARN,
		Tags:            &map[string]*string{"Name": jsii.String(props.Name)},
	})
	groupARN := LogGroupARN(props.Region, *props.AccountID, props.LogGroupName)

	// The confused-deputy conditions of the VPC Flow Logs guide ("IAM role
	// for publishing flow logs to CloudWatch Logs"): only flow logs of this
	// account may use the role.
	assume := policy.Document(c, "assume-role", policy.Statement{
		Sid:        "VPCFlowLogsAssumesRole",
		Actions:    []string{"sts:AssumeRole"},
		Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("vpc-flow-logs.amazonaws.com")}}},
		Conditions: []policy.Condition{
			{Test: "StringEquals", Variable: "aws:SourceAccount", Values: []*string{props.AccountID}},
			{Test: "ArnLike", Variable: "aws:SourceArn", Values: []*string{jsii.String("arn:aws:ec2:" + props.Region + ":" + *props.AccountID + ":vpc-flow-log/*")}},
		},
	})
	role := iamrole.NewIamRole(c, jsii.String("role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(props.RoleName),
		AssumeRolePolicy: assume.Json(),
	})
	perms := policy.Document(c, "permissions",
		policy.Statement{Sid: "DeliverToLogGroup", Actions: []string{
			"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents",
		}, Resources: []*string{jsii.String(groupARN + ":*")}},
		policy.Statement{Sid: "FindLogGroup", Actions: []string{"logs:DescribeLogGroups"},
			Resources: []*string{jsii.String("arn:aws:logs:" + props.Region + ":" + *props.AccountID + ":log-group:*")}},
	)
	iamrolepolicy.NewIamRolePolicy(c, jsii.String("role-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String(props.RoleName),
		Role:   role.Id(),
		Policy: perms.Json(),
	})
	flowlog.NewFlowLog(c, jsii.String("flow-log"), &flowlog.FlowLogConfig{
		VpcId:                  props.VPCID,
		TrafficType:            jsii.String(props.TrafficType),
		LogDestinationType:     jsii.String("cloud-watch-logs"),
		LogDestination:         group.Arn(),
		IamRoleArn:             role.Arn(),
		MaxAggregationInterval: jsii.Number(600),
		Tags:                   &map[string]*string{"Name": jsii.String(props.Name)},
	})
	return &FlowLogs{Construct: c, LogGroupName: props.LogGroupName}
}
