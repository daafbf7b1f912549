package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/example/teleport-multi-region/config"
)

// The deployer policy: the IAM permissions a principal needs to plan,
// apply and destroy a synthesized output, derived from it. Every resource,
// data source and ephemeral resource type in the stacks has an entry in
// deployerTable naming the API calls the AWS provider makes for it (create,
// read, update, delete, tags), from the provider's implementation of that
// type; the actions are grouped by the resources they can be limited to,
// which the cluster's names decide (every name the app gives starts with
// the cluster name, config.Names). What a key lets the deployer do with its
// data is read from the key policies themselves (their kms:CallerAccount
// statements, written by kmskey.Key.Grant), so the two sides agree.

// DeployerPolicyMaxChars is IAM's limit for a managed policy document,
// whitespace excluded ("IAM and AWS STS quotas": managed policy size 6,144
// characters). The policy is split into as many documents as it needs.
const DeployerPolicyMaxChars = 6144

// principalAccount is the IAM policy variable for the account of the
// principal the policy is attached to: the policy is written before the
// account is known, and names only its own account's resources.
const principalAccount = "${aws:PrincipalAccount}"

// scope is what a group of actions can be limited to.
type scope string

const (
	// regional: actions that take no resource ARN (EC2 creates and
	// describes; every Describe/List that AWS authorizes on "*"), limited
	// to the cluster's regions with aws:RequestedRegion.
	regional scope = "Regional"
	// global: reads of global services that take no resource ARN
	// (Route 53 lists, sts).
	global scope = "Global"
	// Scoped to the cluster's named resources (see scopeResources).
	iamRoles      scope = "IAMRoles"
	iamSLR        scope = "AutoScalingServiceLinkedRole"
	iamPass       scope = "PassRoles"
	kmsCreate     scope = "KMSCreateKeys"
	kmsKeys       scope = "KMSKeys"
	kmsAliases    scope = "KMSAliases"
	dynamodb      scope = "DynamoDBTables"
	s3            scope = "S3Buckets"
	ssm           scope = "SSMParameters"
	sns           scope = "SNSTopics"
	sqs           scope = "SQSQueues"
	cloudwatch    scope = "CloudWatchAlarms"
	dashboards    scope = "CloudWatchDashboards"
	events        scope = "EventBridgeRules"
	logs          scope = "LogGroups"
	route53       scope = "Route53"
	elb           scope = "LoadBalancers"
	autoscaling   scope = "AutoScalingGroups"
	backupVaults  scope = "BackupVaultsAndPlans"
	backupStorage scope = "BackupStorage"
	glue          scope = "GlueCatalog"
	athena        scope = "AthenaWorkgroup"
)

// permission is what one Terraform type needs: actions by scope, and where
// they were read.
type permission struct {
	actions map[scope][]string
	source  string
}

// tf is the provider's source directory, for the sources below.
const tf = "hashicorp/terraform-provider-aws v5.88.0 internal/service/"

// tagging is what default_tags costs on an EC2 resource.
var ec2Tags = []string{"ec2:CreateTags", "ec2:DeleteTags"}

func ec2(actions ...string) map[scope][]string {
	return map[scope][]string{regional: append(actions, ec2Tags...)}
}

// deployerTable is every Terraform type the app synthesizes, keyed
// "resource.<type>", "data.<type>" or "ephemeral.<type>". A type the
// output holds without an entry here fails DeployerPolicy (and the test
// over every golden config).
var deployerTable = map[string]permission{
	// EC2 and VPC: created resources get ids, not names, so EC2 is limited
	// by region only.
	"resource.aws_vpc": {ec2("ec2:CreateVpc", "ec2:DeleteVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute",
		"ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups"),
		tf + "ec2/vpc_.go (reads the default network ACL, route table and security group)"},
	"resource.aws_subnet": {ec2("ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute", "ec2:DescribeNetworkInterfaces"),
		tf + "ec2/vpc_subnet.go (delete waits for its network interfaces)"},
	"resource.aws_internet_gateway": {ec2("ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
		"ec2:DeleteInternetGateway", "ec2:DescribeInternetGateways"), tf + "ec2/vpc_internet_gateway.go"},
	"resource.aws_eip": {ec2("ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress", "ec2:DescribeAddresses",
		"ec2:DescribeAddressesAttribute"), tf + "ec2/ec2_eip.go"},
	"resource.aws_nat_gateway": {ec2("ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DescribeNatGateways"), tf + "ec2/vpc_nat_gateway.go"},
	"resource.aws_route_table": {ec2("ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:DescribeRouteTables", "ec2:CreateRoute",
		"ec2:DeleteRoute", "ec2:ReplaceRoute"), tf + "ec2/vpc_route_table.go"},
	"resource.aws_route": {ec2("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:DescribeRouteTables"), tf + "ec2/vpc_route.go"},
	"resource.aws_route_table_association": {ec2("ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation",
		"ec2:DescribeRouteTables"), tf + "ec2/vpc_route_table_association.go"},
	"resource.aws_security_group": {ec2("ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups",
		"ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:DescribeNetworkInterfaces"),
		tf + "vpc_security_group.go (revokes the default egress rule on create; delete waits for network interfaces)"},
	"resource.aws_vpc_security_group_ingress_rule": {ec2("ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
		"ec2:DescribeSecurityGroupRules", "ec2:ModifySecurityGroupRules"), tf + "ec2/vpc_security_group_ingress_rule.go"},
	"resource.aws_vpc_security_group_egress_rule": {ec2("ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress",
		"ec2:DescribeSecurityGroupRules", "ec2:ModifySecurityGroupRules"), tf + "ec2/vpc_security_group_egress_rule.go"},
	"resource.aws_ec2_managed_prefix_list": {ec2("ec2:CreateManagedPrefixList", "ec2:DeleteManagedPrefixList", "ec2:ModifyManagedPrefixList",
		"ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"), tf + "ec2/vpc_managed_prefix_list.go"},
	// Entries are added and removed by modifying the list, at its version.
	"resource.aws_ec2_managed_prefix_list_entry": {ec2("ec2:ModifyManagedPrefixList", "ec2:DescribeManagedPrefixLists",
		"ec2:GetManagedPrefixListEntries"), tf + "ec2/vpc_managed_prefix_list_entry.go"},
	"resource.aws_vpc_endpoint": {ec2("ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint", "ec2:DescribeVpcEndpoints",
		"ec2:DescribePrefixLists", "ec2:DescribeVpcEndpointServices"), tf + "ec2/vpc_endpoint.go"},
	"resource.aws_vpc_peering_connection": {ec2("ec2:CreateVpcPeeringConnection", "ec2:DeleteVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection",
		"ec2:DescribeVpcPeeringConnections", "ec2:ModifyVpcPeeringConnectionOptions"), tf + "ec2/vpc_peering_connection.go"},
	"resource.aws_vpc_peering_connection_accepter": {ec2("ec2:AcceptVpcPeeringConnection", "ec2:DescribeVpcPeeringConnections",
		"ec2:ModifyVpcPeeringConnectionOptions"), tf + "ec2/vpc_peering_connection_accepter.go"},
	"resource.aws_flow_log": {map[scope][]string{regional: append([]string{"ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs"}, ec2Tags...),
		iamPass: {"iam:PassRole"}}, tf + "ec2/vpc_flow_log.go (CreateFlowLogs passes the delivery role)"},
	"resource.aws_launch_template": {ec2("ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:DeleteLaunchTemplate",
		"ec2:ModifyLaunchTemplate", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"), tf + "ec2/ec2_launch_template.go"},
	"resource.aws_ec2_transit_gateway": {ec2("ec2:CreateTransitGateway", "ec2:DeleteTransitGateway", "ec2:ModifyTransitGateway",
		"ec2:DescribeTransitGateways"), tf + "ec2/transitgateway_.go"},
	"resource.aws_ec2_transit_gateway_peering_attachment": {ec2("ec2:CreateTransitGatewayPeeringAttachment", "ec2:DeleteTransitGatewayPeeringAttachment",
		"ec2:DescribeTransitGatewayPeeringAttachments"), tf + "ec2/transitgateway_peering_attachment.go"},
	"resource.aws_ec2_transit_gateway_peering_attachment_accepter": {ec2("ec2:AcceptTransitGatewayPeeringAttachment",
		"ec2:DeleteTransitGatewayPeeringAttachment", "ec2:DescribeTransitGatewayPeeringAttachments"), tf + "ec2/transitgateway_peering_attachment_accepter.go"},
	"resource.aws_ec2_transit_gateway_route": {ec2("ec2:CreateTransitGatewayRoute", "ec2:DeleteTransitGatewayRoute", "ec2:SearchTransitGatewayRoutes"),
		tf + "ec2/transitgateway_route.go"},
	"resource.aws_ec2_transit_gateway_route_table": {ec2("ec2:CreateTransitGatewayRouteTable", "ec2:DeleteTransitGatewayRouteTable",
		"ec2:DescribeTransitGatewayRouteTables"), tf + "ec2/transitgateway_route_table.go"},
	"resource.aws_ec2_transit_gateway_route_table_association": {ec2("ec2:AssociateTransitGatewayRouteTable", "ec2:DisassociateTransitGatewayRouteTable",
		"ec2:GetTransitGatewayRouteTableAssociations", "ec2:DescribeTransitGatewayAttachments"), tf + "ec2/transitgateway_route_table_association.go"},
	"resource.aws_ec2_transit_gateway_route_table_propagation": {ec2("ec2:EnableTransitGatewayRouteTablePropagation",
		"ec2:DisableTransitGatewayRouteTablePropagation", "ec2:GetTransitGatewayRouteTablePropagations"), tf + "ec2/transitgateway_route_table_propagation.go"},
	"resource.aws_ec2_transit_gateway_vpc_attachment": {ec2("ec2:CreateTransitGatewayVpcAttachment", "ec2:DeleteTransitGatewayVpcAttachment",
		"ec2:ModifyTransitGatewayVpcAttachment", "ec2:DescribeTransitGatewayVpcAttachments"), tf + "ec2/transitgateway_vpc_attachment.go"},
	"data.aws_ami":                         {map[scope][]string{regional: {"ec2:DescribeImages"}}, tf + "ec2/ec2_ami_data_source.go"},
	"data.aws_ec2_instance_type_offerings": {map[scope][]string{regional: {"ec2:DescribeInstanceTypeOfferings"}}, tf + "ec2/ec2_instance_type_offerings_data_source.go"},
	"data.aws_route_table":                 {map[scope][]string{regional: {"ec2:DescribeRouteTables"}}, tf + "ec2/vpc_route_table_data_source.go"},
	"data.aws_subnet":                      {map[scope][]string{regional: {"ec2:DescribeSubnets"}}, tf + "ec2/vpc_subnet_data_source.go"},
	"data.aws_vpc":                         {map[scope][]string{regional: {"ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"}}, tf + "ec2/vpc_data_source.go"},
	// The look-ups of a connection a mesh stack adopts (regions.Moves).
	"data.aws_vpc_peering_connection": {map[scope][]string{regional: {"ec2:DescribeVpcPeeringConnections"}}, tf + "ec2/vpc_peering_connection_data_source.go"},
	"data.aws_ec2_transit_gateway_peering_attachment": {map[scope][]string{regional: {"ec2:DescribeTransitGatewayPeeringAttachments"}},
		tf + "ec2/transitgateway_peering_attachment_data_source.go"},
	"data.aws_caller_identity":       {nil, tf + "sts/caller_identity_data_source.go: sts:GetCallerIdentity needs no permission (STS API reference)"},
	"data.aws_iam_policy_document":   {nil, tf + "iam/policy_document_data_source.go: rendered locally, no API call"},
	"data.terraform_remote_state":    {nil, "Terraform's own: reads the producer stack's state through the backend (see the state statement)"},
	"resource.aws_autoscaling_group": {map[scope][]string{autoscaling: {"autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup", "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags", "autoscaling:StartInstanceRefresh", "autoscaling:CancelInstanceRefresh", "autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses", "autoscaling:EnableMetricsCollection", "autoscaling:DisableMetricsCollection", "autoscaling:AttachLoadBalancerTargetGroups", "autoscaling:DetachLoadBalancerTargetGroups", "autoscaling:PutLifecycleHook", "autoscaling:SetInstanceProtection"}, regional: {"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes", "autoscaling:DescribeLoadBalancerTargetGroups", "autoscaling:DescribeLoadBalancers", "autoscaling:DescribeTrafficSources", "autoscaling:DescribeWarmPool", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeLifecycleHooks", "elasticloadbalancing:DescribeTargetHealth", "ec2:RunInstances", "ec2:CreateTags", "ec2:DescribeLaunchTemplateVersions"}, iamPass: {"iam:PassRole"}}, tf + "autoscaling/group.go (waits for healthy targets; a launch template group checks the caller's ec2:RunInstances and iam:PassRole of the instance profile's role, \"Control Amazon EC2 launch template usage in Auto Scaling groups\"; passes the service-linked role)"},
	"resource.aws_autoscaling_lifecycle_hook": {map[scope][]string{autoscaling: {"autoscaling:PutLifecycleHook", "autoscaling:DeleteLifecycleHook"},
		regional: {"autoscaling:DescribeLifecycleHooks"}}, tf + "autoscaling/lifecycle_hook.go"},
	"resource.aws_lb": {map[scope][]string{elb: {"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"},
		regional: {"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeTags", "ec2:DescribeNetworkInterfaces"}}, tf + "elbv2/load_balancer.go (delete waits for the network interfaces)"},
	"resource.aws_lb_target_group": {map[scope][]string{elb: {"elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"},
		regional: {"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTags"}}, tf + "elbv2/target_group.go"},
	"resource.aws_lb_listener": {map[scope][]string{elb: {"elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"},
		regional: {"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeTags"}}, tf + "elbv2/listener.go"},
	"resource.aws_iam_role": {map[scope][]string{iamRoles: {"iam:CreateRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"}},
		tf + "iam/role.go (delete lists and detaches its policies and instance profiles)"},
	"resource.aws_iam_role_policy":            {map[scope][]string{iamRoles: {"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"}}, tf + "iam/role_policy.go"},
	"resource.aws_iam_role_policy_attachment": {map[scope][]string{iamRoles: {"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"}}, tf + "iam/role_policy_attachment.go"},
	"resource.aws_iam_instance_profile": {map[scope][]string{iamRoles: {"iam:CreateInstanceProfile", "iam:GetInstanceProfile", "iam:DeleteInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile"},
		iamPass: {"iam:PassRole"}}, tf + "iam/instance_profile.go (adding a role passes it)"},
	"resource.aws_iam_service_linked_role": {map[scope][]string{iamSLR: {"iam:CreateServiceLinkedRole", "iam:GetRole", "iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus", "iam:UpdateRoleDescription", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags"}},
		tf + "iam/service_linked_role.go"},
	"resource.aws_kms_key": {map[scope][]string{kmsCreate: {"kms:CreateKey", "kms:TagResource"}, kmsKeys: {"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription", "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion"}},
		tf + "kms/key.go (tags are set by CreateKey; the key's own grants for AWS resources are in the key policy)"},
	"resource.aws_kms_alias": {map[scope][]string{kmsAliases: {"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"}, kmsKeys: {"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"}, regional: {"kms:ListAliases"}},
		tf + "kms/alias.go (alias operations are authorized on the alias and on the key: \"Controlling access to aliases\", KMS developer guide)"},
	"resource.aws_dynamodb_table": {map[scope][]string{dynamodb: {"dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable", "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:DescribeKinesisStreamingDestination"}, kmsKeys: {"kms:CreateGrant", "kms:DescribeKey"}},
		tf + "dynamodb/table.go (a table with a customer managed key is created with a grant the caller asks for: \"How Amazon DynamoDB uses AWS KMS\")"},
	"resource.aws_dynamodb_table_export": {map[scope][]string{dynamodb: {"dynamodb:ExportTableToPointInTime", "dynamodb:DescribeExport"}, s3: {"s3:PutObject", "s3:AbortMultipartUpload", "s3:PutObjectAcl"}},
		tf + "dynamodb/table_export.go (DynamoDB writes the export to S3 with the caller's rights: \"Requesting a table export in DynamoDB\")"},
	"resource.aws_s3_bucket": {map[scope][]string{s3: {"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:GetBucketPolicy", "s3:GetBucketLocation"}},
		tf + "s3/bucket.go (reads every bucket setting it still models)"},
	"resource.aws_s3_bucket_lifecycle_configuration": {map[scope][]string{s3: {"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"}}, tf + "s3/bucket_lifecycle_configuration.go"},
	"resource.aws_s3_bucket_ownership_controls":      {map[scope][]string{s3: {"s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"}}, tf + "s3/bucket_ownership_controls.go"},
	"resource.aws_s3_bucket_policy":                  {map[scope][]string{s3: {"s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"}}, tf + "s3/bucket_policy.go"},
	"resource.aws_s3_bucket_public_access_block":     {map[scope][]string{s3: {"s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"}}, tf + "s3/bucket_public_access_block.go"},
	"resource.aws_s3_bucket_server_side_encryption_configuration": {map[scope][]string{s3: {"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"}},
		tf + "s3/bucket_server_side_encryption_configuration.go"},
	"resource.aws_s3_bucket_versioning": {map[scope][]string{s3: {"s3:PutBucketVersioning", "s3:GetBucketVersioning"}}, tf + "s3/bucket_versioning.go"},
	"resource.aws_ssm_parameter": {map[scope][]string{ssm: {"ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"}, regional: {"ssm:DescribeParameters"}},
		tf + "ssm/parameter.go"},
	"data.aws_ssm_parameter":      {map[scope][]string{ssm: {"ssm:GetParameter"}}, tf + "ssm/parameter_data_source.go"},
	"ephemeral.aws_ssm_parameter": {map[scope][]string{ssm: {"ssm:GetParameter"}}, tf + "ssm/parameter_ephemeral.go (with_decryption false: no KMS)"},
	"resource.aws_sns_topic": {map[scope][]string{sns: {"sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource"}},
		tf + "sns/topic.go"},
	"resource.aws_sns_topic_policy": {map[scope][]string{sns: {"sns:SetTopicAttributes", "sns:GetTopicAttributes"}}, tf + "sns/topic_policy.go"},
	"resource.aws_sns_topic_subscription": {map[scope][]string{sns: {"sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"}},
		tf + "sns/topic_subscription.go"},
	"resource.aws_sqs_queue": {map[scope][]string{sqs: {"sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags"}},
		tf + "sqs/queue.go"},
	"resource.aws_sqs_queue_policy": {map[scope][]string{sqs: {"sqs:SetQueueAttributes", "sqs:GetQueueAttributes"}}, tf + "sqs/queue_policy.go"},
	"resource.aws_cloudwatch_dashboard": {map[scope][]string{dashboards: {"cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"}},
		tf + "cloudwatch/dashboard.go"},
	"resource.aws_cloudwatch_metric_alarm": {map[scope][]string{cloudwatch: {"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"}, regional: {"cloudwatch:DescribeAlarms"}},
		tf + "cloudwatch/metric_alarm.go"},
	"resource.aws_cloudwatch_event_rule": {map[scope][]string{events: {"events:PutRule", "events:DescribeRule", "events:DeleteRule", "events:EnableRule", "events:DisableRule", "events:TagResource", "events:UntagResource", "events:ListTagsForResource", "events:ListTargetsByRule", "events:RemoveTargets"}},
		tf + "events/rule.go (delete removes the rule's targets first)"},
	"resource.aws_cloudwatch_event_target": {map[scope][]string{events: {"events:PutTargets", "events:RemoveTargets", "events:ListTargetsByRule"}}, tf + "events/target.go"},
	"resource.aws_cloudwatch_log_group": {map[scope][]string{logs: {"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"}, regional: {"logs:DescribeLogGroups"}},
		tf + "logs/group.go"},
	"resource.aws_cloudwatch_log_metric_filter": {map[scope][]string{logs: {"logs:PutMetricFilter", "logs:DeleteMetricFilter"}, regional: {"logs:DescribeMetricFilters"}},
		tf + "logs/metric_filter.go"},
	"resource.aws_route53_zone": {map[scope][]string{route53: {"route53:CreateHostedZone", "route53:GetHostedZone", "route53:DeleteHostedZone", "route53:UpdateHostedZoneComment", "route53:ChangeTagsForResource", "route53:ListTagsForResource", "route53:GetChange", "route53:ListResourceRecordSets", "route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone", "route53:GetDNSSEC"}, regional: {"ec2:DescribeVpcs"}},
		tf + "route53/zone.go (a private zone's VPCs: \"Actions on private hosted zones need ec2:DescribeVpcs\", Route 53 API permissions reference)"},
	"resource.aws_route53_zone_association": {map[scope][]string{route53: {"route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone", "route53:GetHostedZone", "route53:ListHostedZonesByVPC", "route53:GetChange"}, regional: {"ec2:DescribeVpcs"}},
		tf + "route53/zone_association.go"},
	"resource.aws_route53_record": {map[scope][]string{route53: {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetChange", "route53:GetHostedZone"}},
		tf + "route53/record.go"},
	"resource.aws_route53_health_check": {map[scope][]string{route53: {"route53:CreateHealthCheck", "route53:GetHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck", "route53:ChangeTagsForResource", "route53:ListTagsForResource"}},
		tf + "route53/health_check.go"},
	"data.aws_route53_zone": {map[scope][]string{route53: {"route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"}, global: {"route53:ListHostedZones", "route53:ListHostedZonesByName"}},
		tf + "route53/zone_data_source.go"},
	"resource.aws_backup_vault": {map[scope][]string{backupVaults: {"backup:CreateBackupVault", "backup:DescribeBackupVault", "backup:DeleteBackupVault", "backup:TagResource", "backup:UntagResource", "backup:ListTags"}, backupStorage: {"backup-storage:MountCapsule"}, kmsKeys: {"kms:CreateGrant", "kms:DescribeKey"}},
		tf + "backup/vault.go (\"Backup vault creation and deletion\", AWS Backup developer guide: backup-storage:MountCapsule and the key's grant)"},
	"resource.aws_backup_plan": {map[scope][]string{backupVaults: {"backup:CreateBackupPlan", "backup:GetBackupPlan", "backup:UpdateBackupPlan", "backup:DeleteBackupPlan", "backup:TagResource", "backup:UntagResource", "backup:ListTags"}},
		tf + "backup/plan.go"},
	"resource.aws_backup_selection": {map[scope][]string{backupVaults: {"backup:CreateBackupSelection", "backup:GetBackupSelection", "backup:DeleteBackupSelection"}, iamPass: {"iam:PassRole"}},
		tf + "backup/selection.go (passes the backup role)"},
	"resource.aws_glue_catalog_database": {map[scope][]string{glue: {"glue:CreateDatabase", "glue:GetDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase", "glue:TagResource", "glue:UntagResource", "glue:GetTags"}},
		tf + "glue/catalog_database.go"},
	"resource.aws_glue_catalog_table": {map[scope][]string{glue: {"glue:CreateTable", "glue:GetTable", "glue:UpdateTable", "glue:DeleteTable", "glue:GetPartitionIndexes"}},
		tf + "glue/catalog_table.go"},
	"resource.aws_athena_workgroup": {map[scope][]string{athena: {"athena:CreateWorkGroup", "athena:GetWorkGroup", "athena:UpdateWorkGroup", "athena:DeleteWorkGroup", "athena:TagResource", "athena:UntagResource", "athena:ListTagsForResource"}},
		tf + "athena/workgroup.go"},
}

// passedTo are the services the cluster's roles are passed to: EC2 (the
// instance profiles), VPC flow logs, AWS Backup, Auto Scaling (its
// service-linked role).
var passedTo = []string{"autoscaling.amazonaws.com", "backup.amazonaws.com", "ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"}

// PolicyStatement is one statement of an IAM policy document.
type PolicyStatement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// DeployerPolicy derives the deployer's policy from out, split into
// documents of at most DeployerPolicyMaxChars each. It fails on a type
// without an entry in deployerTable.
func DeployerPolicy(out *Output, cfg *config.Cluster) ([]PolicyDocument, error) {
	byScope := map[scope]map[string]bool{}
	var missing []string
	regions := map[string]bool{}
	for _, name := range out.Names() {
		s := out.Stacks[name]
		for _, kind := range []string{"resource", "data", "ephemeral"} {
			block, _ := s[kind].(map[string]any)
			for typ := range block {
				p, ok := deployerTable[kind+"."+typ]
				if !ok {
					missing = append(missing, kind+"."+typ)
					continue
				}
				for sc, actions := range p.actions {
					if byScope[sc] == nil {
						byScope[sc] = map[string]bool{}
					}
					for _, a := range actions {
						byScope[sc][a] = true
					}
				}
			}
		}
		providers, _ := get(s, "provider", "aws").([]any)
		for _, p := range providers {
			if r, ok := get(p, "region").(string); ok {
				regions[r] = true
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("no deployer permissions for %s: add an entry to deployerTable in report/deployer.go (the API calls the provider makes for the type)", strings.Join(slices.Compact(missing), ", "))
	}
	var statements []PolicyStatement
	for _, sc := range slices.Sorted(maps.Keys(byScope)) {
		res, cond := scopeResources(sc, cfg, slices.Sorted(maps.Keys(regions)))
		statements = append(statements, PolicyStatement{Sid: string(sc), Effect: "Allow", Action: slices.Sorted(maps.Keys(byScope[sc])), Resource: res, Condition: cond})
	}
	statements = append(statements, keyDataStatements(out, cfg)...)
	statements = append(statements, stateStatements(cfg)...)
	return split(statements)
}

// scopeResources are the resources (and conditions) a scope's actions are
// limited to.
func scopeResources(sc scope, cfg *config.Cluster, regions []string) ([]string, map[string]map[string]any) {
	n := cfg.Names()
	prefix := n.Prefix("*")
	acct := principalAccount
	tag := map[string]string{"aws:ResourceTag/teleport-cluster": cfg.AllTags()["teleport-cluster"]}
	switch sc {
	case regional:
		return []string{"*"}, map[string]map[string]any{"StringEquals": {"aws:RequestedRegion": regions}}
	case global:
		return []string{"*"}, nil
	case iamRoles:
		return []string{"arn:aws:iam::" + acct + ":role/" + prefix, "arn:aws:iam::" + acct + ":instance-profile/" + prefix}, nil
	case iamSLR:
		return []string{"arn:aws:iam::" + acct + ":role/aws-service-role/autoscaling.amazonaws.com/" + n.AutoScalingRole()},
			map[string]map[string]any{"StringEqualsIfExists": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}}
	case iamPass:
		return []string{"arn:aws:iam::" + acct + ":role/" + prefix, "arn:aws:iam::" + acct + ":role/aws-service-role/autoscaling.amazonaws.com/" + n.AutoScalingRole()},
			map[string]map[string]any{"StringEquals": {"iam:PassedToService": passedTo}}
	case kmsCreate:
		// The key is created with the provider's default tags, so the
		// request carries the cluster's tag.
		return []string{"*"}, map[string]map[string]any{"StringEquals": {"aws:RequestTag/teleport-cluster": tag["aws:ResourceTag/teleport-cluster"], "aws:RequestedRegion": regions}}
	case kmsKeys:
		// Keys have ids, not names: the cluster's tag (every key carries
		// it from creation) names them.
		return []string{"arn:aws:kms:*:" + acct + ":key/*"}, map[string]map[string]any{"StringEquals": {"aws:ResourceTag/teleport-cluster": tag["aws:ResourceTag/teleport-cluster"]}}
	case kmsAliases:
		return []string{"arn:aws:kms:*:" + acct + ":alias/" + prefix}, nil
	case dynamodb:
		return []string{"arn:aws:dynamodb:*:" + acct + ":table/" + prefix, "arn:aws:dynamodb:*:" + acct + ":table/" + prefix + "/*"}, nil
	case s3:
		return []string{"arn:aws:s3:::" + prefix, "arn:aws:s3:::" + prefix + "/*"}, nil
	case ssm:
		out := []string{"arn:aws:ssm:*:" + acct + ":parameter/teleport/" + cfg.ClusterName + "/*"}
		if p := cfg.LicenseSSMParameter; p != "" {
			out = append(out, "arn:aws:ssm:"+cfg.Auth.Region+":"+acct+":parameter"+p)
		}
		return out, nil
	case sns:
		return []string{"arn:aws:sns:*:" + acct + ":" + prefix}, nil
	case sqs:
		return []string{"arn:aws:sqs:*:" + acct + ":" + prefix}, nil
	case cloudwatch:
		return []string{"arn:aws:cloudwatch:*:" + acct + ":alarm:" + prefix}, nil
	case dashboards:
		// Dashboards are global: no region in their ARN (CloudWatch,
		// "Resource types defined by Amazon CloudWatch").
		return []string{"arn:aws:cloudwatch::" + acct + ":dashboard/" + prefix}, nil
	case events:
		return []string{"arn:aws:events:*:" + acct + ":rule/" + prefix}, nil
	case logs:
		group := "arn:aws:logs:*:" + acct + ":log-group:/teleport/" + cfg.ClusterName + "/*"
		return []string{group, group + ":*"}, nil
	case route53:
		// Zone and health check ids are generated: Route 53 has no
		// names to limit them by.
		return []string{"arn:aws:route53:::hostedzone/*", "arn:aws:route53:::healthcheck/*", "arn:aws:route53:::change/*"}, nil
	case elb:
		return []string{"arn:aws:elasticloadbalancing:*:" + acct + ":loadbalancer/net/" + prefix + "/*",
			"arn:aws:elasticloadbalancing:*:" + acct + ":targetgroup/" + prefix + "/*",
			"arn:aws:elasticloadbalancing:*:" + acct + ":listener/net/" + prefix + "/*/*"}, nil
	case autoscaling:
		return []string{"arn:aws:autoscaling:*:" + acct + ":autoScalingGroup:*:autoScalingGroupName/" + prefix}, nil
	case backupVaults:
		// Plans are named by id in their ARNs.
		return []string{"arn:aws:backup:*:" + acct + ":backup-vault:" + prefix, "arn:aws:backup:*:" + acct + ":backup-plan:*"}, nil
	case backupStorage:
		return []string{"*"}, nil
	case glue:
		db := n.AthenaDatabase()
		return []string{"arn:aws:glue:*:" + acct + ":catalog", "arn:aws:glue:*:" + acct + ":database/" + db, "arn:aws:glue:*:" + acct + ":table/" + db + "/*"}, nil
	case athena:
		return []string{"arn:aws:athena:*:" + acct + ":workgroup/" + prefix}, nil
	}
	panic("no resources for scope " + string(sc))
}

// terraformAccount is how the stacks name the account (their caller
// identity data source): in the deployer policy, the principal's account.
var terraformAccount = regexp.MustCompile(`\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}`)

// keyDataStatements are the key policies' statements for the deployer
// (kms:CallerAccount), as the deployer's own: the same actions, services
// and encryption context, on the cluster's keys. One per distinct
// statement, named by its key-policy Sid.
func keyDataStatements(out *Output, cfg *config.Cluster) []PolicyStatement {
	var stmts []PolicyStatement
	seen := map[string]bool{}
	sids := map[string]int{}
	for _, name := range out.Names() {
		s := out.Stacks[name]
		docs, _ := get(s, "data", "aws_iam_policy_document").(map[string]any)
		keys, _ := get(s, "resource", "aws_kms_key").(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			ref := fmt.Sprint(get(keys[k], "policy"))
			doc := strings.TrimSuffix(strings.TrimPrefix(ref, "${data.aws_iam_policy_document."), ".json}")
			for _, st := range asAnyList(get(docs[doc], "statement")) {
				cond := map[string]map[string]any{"StringEquals": {"aws:ResourceTag/teleport-cluster": cfg.AllTags()["teleport-cluster"]}}
				deployer := false
				for _, c := range asAnyList(get(st, "condition")) {
					v := fmt.Sprint(get(c, "variable"))
					if v == "kms:CallerAccount" {
						deployer = true
						continue
					}
					test := fmt.Sprint(get(c, "test"))
					var vals []string
					for _, x := range asAnyList(get(c, "values")) {
						vals = append(vals, terraformAccount.ReplaceAllString(fmt.Sprint(x), principalAccount))
					}
					if cond[test] == nil {
						cond[test] = map[string]any{}
					}
					cond[test][v] = vals
				}
				if !deployer {
					continue
				}
				var actions []string
				for _, a := range asAnyList(get(st, "actions")) {
					actions = append(actions, fmt.Sprint(a))
				}
				slices.Sort(actions)
				sid := fmt.Sprint(get(st, "sid"))
				stmt := PolicyStatement{Effect: "Allow", Action: actions, Resource: []string{"arn:aws:kms:*:" + principalAccount + ":key/*"}, Condition: cond}
				key, _ := json.Marshal(stmt)
				if seen[string(key)] {
					continue
				}
				seen[string(key)] = true
				sids[sid]++
				stmt.Sid = sid
				if sids[sid] > 1 {
					stmt.Sid = fmt.Sprintf("%s%d", sid, sids[sid])
				}
				stmts = append(stmts, stmt)
			}
		}
	}
	return stmts
}

// stateStatements are what the S3 backend needs ("S3 backend: permissions
// required", Terraform docs): the state objects, their lock files
// (use_lockfile) or lock table, and a list of the bucket. The local
// backend needs none.
func stateStatements(cfg *config.Cluster) []PolicyStatement {
	if cfg.Backend.Type != config.BackendS3 {
		return nil
	}
	b := cfg.Backend.S3
	out := []PolicyStatement{
		{Sid: "StateBucket", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{"arn:aws:s3:::" + b.Bucket},
			Condition: map[string]map[string]any{"StringLike": {"s3:prefix": b.KeyPrefix + "/*"}}},
		{Sid: "StateObjects", Effect: "Allow", Action: []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:aws:s3:::" + b.Bucket + "/" + b.KeyPrefix + "/*"}},
	}
	if b.DynamoDBTable != "" {
		out = append(out, PolicyStatement{Sid: "StateLocks", Effect: "Allow", Action: []string{"dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"},
			Resource: []string{"arn:aws:dynamodb:" + b.Region + ":" + principalAccount + ":table/" + b.DynamoDBTable}})
	}
	return out
}

// split packs statements, in order, into documents of at most
// DeployerPolicyMaxChars characters without whitespace.
func split(statements []PolicyStatement) ([]PolicyDocument, error) {
	var docs []PolicyDocument
	cur := PolicyDocument{Version: "2012-10-17"}
	for _, st := range statements {
		next := cur
		next.Statement = append(slices.Clone(cur.Statement), st)
		if PolicyChars(next) > DeployerPolicyMaxChars {
			if len(cur.Statement) == 0 {
				return nil, fmt.Errorf("deployer policy statement %s alone is over %d characters", st.Sid, DeployerPolicyMaxChars)
			}
			docs = append(docs, cur)
			next = PolicyDocument{Version: "2012-10-17", Statement: []PolicyStatement{st}}
		}
		cur = next
	}
	return append(docs, cur), nil
}

// PolicyChars is a document's size as IAM counts it: its JSON without
// whitespace.
func PolicyChars(doc PolicyDocument) int {
	b, _ := json.Marshal(doc)
	return len(b)
}

// DeployerPolicyFiles renders the documents as the files synth writes:
// deployer-policy-1.json, -2.json... (indented, for review).
func DeployerPolicyFiles(docs []PolicyDocument) map[string][]byte {
	out := map[string][]byte{}
	for i, d := range docs {
		b, _ := json.MarshalIndent(d, "", "  ")
		out[fmt.Sprintf("deployer-policy-%d.json", i+1)] = append(b, '\n')
	}
	return out
}

func asAnyList(v any) []any { l, _ := v.([]any); return l }

// get walks maps by key.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			if s, isStack := v.(Stack); isStack {
				m = s
			} else {
				return nil
			}
		}
		v = m[k]
	}
	return v
}
