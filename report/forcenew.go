package report

// Schema facts of the AWS provider (hashicorp/aws 5.88.0, the version
// cdktf-provider-aws-go v19.54.0 binds; the emulator runs 5.100.0) that
// decide what Terraform does with a changed attribute, for every resource
// type this app emits. A test fails when the app emits a type missing here
// (TestEveryEmittedTypeIsKnown).
//
// Each entry names its source, a file under internal/service/ of
// hashicorp/terraform-provider-aws: the resource's schema (ForceNew: true in
// SDKv2 resources, RequiresReplace plan modifiers in Framework resources)
// and its CustomizeDiff or ModifyPlan, whose conditional replacements are
// in customReplace below.

// schemaFacts is what one resource type's provider file says.
type schemaFacts struct {
	// src is the provider file, under internal/service/.
	src string
	// forceNew are the attributes whose change replaces the resource
	// (destroy and create). Paths are dotted, without list indexes
	// ("network_interfaces.device_index"); a prefix matches every attribute
	// below it. Empty: every argument is updated in place.
	forceNew []string
}

var schemas = map[string]schemaFacts{
	"aws_athena_workgroup":      {"athena/workgroup.go", []string{"name"}},
	"aws_glue_catalog_database": {"glue/catalog_database.go", []string{"name", "catalog_id"}},
	"aws_glue_catalog_table":    {"glue/catalog_table.go", []string{"name", "database_name", "catalog_id", "partition_index", "open_table_format_input"}},
	"aws_sqs_queue":             {"sqs/queue.go", []string{"name", "name_prefix", "fifo_queue"}},
	"aws_sqs_queue_policy":      {"sqs/queue_policy.go", []string{"queue_url"}},
	// initial_lifecycle_hook is ForceNew (a set: any hook added, removed or
	// changed replaces the group); the groups that manage their hooks as
	// aws_autoscaling_lifecycle_hook resources list it in ignore_changes.
	"aws_autoscaling_group": {"autoscaling/group.go", []string{"name", "name_prefix", "initial_lifecycle_hook"}},
	// Only name: autoscaling_group_name is Required without ForceNew in every
	// version of the file (4.x to 6.x), and an update is PutLifecycleHook.
	"aws_autoscaling_lifecycle_hook": {"autoscaling/lifecycle_hook.go", []string{"name"}},
	// name is ForceNew; rules and advanced settings are UpdateBackupPlan.
	"aws_backup_plan":                  {"backup/plan.go", []string{"name"}},
	"aws_backup_selection":             {"backup/selection.go", []string{"name", "plan_id", "iam_role_arn", "resources", "not_resources", "selection_tag", "condition"}},
	"aws_backup_vault":                 {"backup/vault.go", []string{"name", "kms_key_arn"}},
	"aws_backup_vault_policy":          {"backup/vault_policy.go", []string{"backup_vault_name"}},
	"aws_cloudwatch_dashboard":         {"cloudwatch/dashboard.go", []string{"dashboard_name"}},
	"aws_cloudwatch_log_group":         {"logs/group.go", []string{"name", "name_prefix", "log_group_class"}},
	"aws_cloudwatch_log_metric_filter": {"logs/metric_filter.go", []string{"name", "log_group_name"}},
	"aws_cloudwatch_metric_alarm":      {"cloudwatch/metric_alarm.go", []string{"alarm_name"}},
	"aws_dynamodb_table": {"dynamodb/table.go", []string{"name", "hash_key", "range_key", "local_secondary_index", "import_table",
		"restore_date_time", "restore_source_name", "restore_source_table_arn", "restore_to_latest_time"}},
	// Every argument: an export is a one-off job.
	"aws_dynamodb_table_export": {"dynamodb/table_export.go", []string{"table_arn", "s3_bucket", "s3_bucket_owner", "s3_prefix", "s3_sse_algorithm", "s3_sse_kms_key_id",
		"export_format", "export_time", "export_type", "incremental_export_specification"}},
	"aws_ec2_managed_prefix_list": {"ec2/vpc_managed_prefix_list.go", []string{"address_family"}},
	// No update function: every argument forces a new entry.
	"aws_ec2_managed_prefix_list_entry": {"ec2/vpc_managed_prefix_list_entry.go", []string{"cidr", "description", "prefix_list_id"}},
	// amazon_side_asn is updated in place (ModifyTransitGateway) in the AWS
	// SDK v2 version of the file that 5.88 ships.
	"aws_ec2_transit_gateway":                             {"ec2/transitgateway_.go", []string{"multicast_support"}},
	"aws_ec2_transit_gateway_peering_attachment":          {"ec2/transitgateway_peering_attachment.go", []string{"peer_account_id", "peer_region", "peer_transit_gateway_id", "transit_gateway_id", "options"}},
	"aws_ec2_transit_gateway_peering_attachment_accepter": {"ec2/transitgateway_peering_attachment_accepter.go", []string{"transit_gateway_attachment_id"}},
	"aws_ec2_transit_gateway_route":                       {"ec2/transitgateway_route.go", []string{"destination_cidr_block", "transit_gateway_route_table_id", "transit_gateway_attachment_id", "blackhole"}},
	"aws_ec2_transit_gateway_route_table":                 {"ec2/transitgateway_route_table.go", []string{"transit_gateway_id"}},
	"aws_ec2_transit_gateway_route_table_association":     {"ec2/transitgateway_route_table_association.go", []string{"transit_gateway_attachment_id", "transit_gateway_route_table_id"}},
	"aws_ec2_transit_gateway_route_table_propagation":     {"ec2/transitgateway_route_table_propagation.go", []string{"transit_gateway_attachment_id", "transit_gateway_route_table_id"}},
	"aws_ec2_transit_gateway_vpc_attachment":              {"ec2/transitgateway_vpc_attachment.go", []string{"transit_gateway_id", "vpc_id"}},
	"aws_eip":                                             {"ec2/ec2_eip.go", []string{"domain", "vpc", "address", "customer_owned_ipv4_pool", "network_border_group", "public_ipv4_pool", "ipam_pool_id"}},
	"aws_flow_log": {"ec2/vpc_flow_log.go", []string{"vpc_id", "subnet_id", "eni_id", "transit_gateway_id", "transit_gateway_attachment_id", "traffic_type",
		"log_destination", "log_destination_type", "log_format", "log_group_name", "iam_role_arn", "deliver_cross_account_role",
		"max_aggregation_interval", "destination_options"}},
	"aws_iam_instance_profile":       {"iam/instance_profile.go", []string{"name", "name_prefix", "path"}},
	"aws_iam_role":                   {"iam/role.go", []string{"name", "name_prefix", "path"}},
	"aws_iam_role_policy":            {"iam/role_policy.go", []string{"name", "name_prefix", "role"}},
	"aws_iam_role_policy_attachment": {"iam/role_policy_attachment.go", []string{"role", "policy_arn"}},
	"aws_iam_service_linked_role":    {"iam/service_linked_role.go", []string{"aws_service_name", "custom_suffix"}},
	"aws_internet_gateway":           {"ec2/vpc_internet_gateway.go", nil},
	"aws_kms_alias":                  {"kms/alias.go", []string{"name", "name_prefix"}},
	"aws_kms_key":                    {"kms/key.go", []string{"customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"}},
	"aws_launch_template":            {"ec2/ec2_launch_template.go", []string{"name", "name_prefix"}},
	// subnets, subnet_mapping and security_groups replace a network load
	// balancer only in the cases of customizeDiffLoadBalancerNLB (see
	// customReplace).
	"aws_lb":              {"elbv2/load_balancer.go", []string{"name", "name_prefix", "internal", "load_balancer_type", "customer_owned_ipv4_pool"}},
	"aws_lb_listener":     {"elbv2/listener.go", []string{"load_balancer_arn"}},
	"aws_lb_target_group": {"elbv2/target_group.go", []string{"name", "name_prefix", "port", "protocol", "protocol_version", "vpc_id", "target_type", "ip_address_type"}},
	"aws_nat_gateway":     {"ec2/vpc_nat_gateway.go", []string{"allocation_id", "subnet_id", "connectivity_type", "private_ip"}},
	"aws_route":           {"ec2/vpc_route.go", []string{"route_table_id", "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"}},
	// measure_latency is ForceNew.
	"aws_route53_health_check": {"route53/health_check.go", []string{"type", "reference_name", "measure_latency", "request_interval", "routing_control_arn"}},
	// name and zone_id force replacement; type and set_identifier do not (an
	// update is an UPSERT, or a DELETE+CREATE batch when they change).
	"aws_route53_record":                                 {"route53/record.go", []string{"name", "zone_id"}},
	"aws_route53_zone":                                   {"route53/zone.go", []string{"name", "delegation_set_id"}},
	"aws_route53_zone_association":                       {"route53/zone_association.go", []string{"zone_id", "vpc_id", "vpc_region"}},
	"aws_route_table":                                    {"ec2/vpc_route_table.go", []string{"vpc_id"}},
	"aws_route_table_association":                        {"ec2/vpc_route_table_association.go", []string{"subnet_id", "gateway_id"}},
	"aws_s3_bucket":                                      {"s3/bucket.go", []string{"bucket", "bucket_prefix", "object_lock_enabled"}},
	"aws_s3_bucket_lifecycle_configuration":              {"s3/bucket_lifecycle_configuration.go", []string{"bucket", "expected_bucket_owner"}},
	"aws_s3_bucket_ownership_controls":                   {"s3/bucket_ownership_controls.go", []string{"bucket"}},
	"aws_s3_bucket_policy":                               {"s3/bucket_policy.go", []string{"bucket"}},
	"aws_s3_bucket_public_access_block":                  {"s3/bucket_public_access_block.go", []string{"bucket"}},
	"aws_s3_bucket_server_side_encryption_configuration": {"s3/bucket_server_side_encryption_configuration.go", []string{"bucket", "expected_bucket_owner"}},
	// mfa is Optional without ForceNew: it is sent with PutBucketVersioning.
	"aws_s3_bucket_versioning":            {"s3/bucket_versioning.go", []string{"bucket", "expected_bucket_owner"}},
	"aws_security_group":                  {"ec2/vpc_security_group.go", []string{"name", "name_prefix", "description", "vpc_id"}},
	"aws_sns_topic":                       {"sns/topic.go", []string{"name", "name_prefix", "fifo_topic"}},
	"aws_sns_topic_policy":                {"sns/topic_policy.go", []string{"arn"}},
	"aws_sns_topic_subscription":          {"sns/topic_subscription.go", []string{"topic_arn", "protocol", "endpoint"}},
	"aws_ssm_parameter":                   {"ssm/parameter.go", []string{"name", "data_type"}},
	"aws_subnet":                          {"ec2/vpc_subnet.go", []string{"vpc_id", "cidr_block", "availability_zone", "availability_zone_id", "outpost_arn"}},
	"aws_vpc":                             {"ec2/vpc_.go", []string{"cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"}},
	"aws_cloudwatch_event_rule":           {"events/rule.go", []string{"name", "name_prefix", "event_bus_name"}},
	"aws_cloudwatch_event_target":         {"events/target.go", []string{"rule", "target_id", "event_bus_name"}},
	"aws_vpc_endpoint":                    {"ec2/vpc_endpoint.go", []string{"vpc_id", "service_name", "vpc_endpoint_type", "service_region", "resource_configuration_arn", "service_network_arn"}},
	"aws_vpc_peering_connection":          {"ec2/vpc_peering_connection.go", []string{"peer_owner_id", "peer_region", "peer_vpc_id", "vpc_id"}},
	"aws_vpc_peering_connection_accepter": {"ec2/vpc_peering_connection_accepter.go", []string{"vpc_peering_connection_id"}},
	// Framework resources: only the group is RequiresReplace; ports,
	// protocol and peer are changed with ModifySecurityGroupRules, except a
	// change of the peer's kind (ModifyPlan: see customReplace).
	"aws_vpc_security_group_egress_rule":  {"ec2/vpc_security_group_egress_rule.go", []string{"security_group_id"}},
	"aws_vpc_security_group_ingress_rule": {"ec2/vpc_security_group_ingress_rule.go", []string{"security_group_id"}},
}

// untagged are the emitted types without tags_all (no @Tags annotation in
// their provider file; the Auto Scaling group has tag blocks instead): a
// change of the provider's default_tags updates every other resource.
var untagged = map[string]bool{
	"aws_autoscaling_group": true, "aws_autoscaling_lifecycle_hook": true, "aws_backup_selection": true, "aws_backup_vault_policy": true,
	"aws_cloudwatch_event_target": true, "aws_dynamodb_table_export": true, "aws_ec2_transit_gateway_route": true,
	"aws_ec2_transit_gateway_route_table_association": true, "aws_ec2_transit_gateway_route_table_propagation": true,
	"aws_glue_catalog_table": true, "aws_iam_role_policy": true, "aws_iam_role_policy_attachment": true, "aws_kms_alias": true,
	"aws_route": true, "aws_route53_record": true, "aws_route53_zone_association": true, "aws_route_table_association": true,
	"aws_s3_bucket_lifecycle_configuration": true, "aws_s3_bucket_ownership_controls": true, "aws_s3_bucket_policy": true,
	"aws_s3_bucket_public_access_block": true, "aws_s3_bucket_server_side_encryption_configuration": true,
	"aws_s3_bucket_versioning": true, "aws_sns_topic_policy": true, "aws_sns_topic_subscription": true, "aws_sqs_queue_policy": true,
}

// ruleSources are the attributes of which a security group rule has
// exactly one: "When you modify a rule, you cannot change the rule's source
// type" (securityGroupRuleResource.ModifyPlan in
// ec2/vpc_security_group_ingress_rule.go requires replacement when the one
// set changes).
var ruleSources = []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"}

// setAttributes lists, per resource type, the attributes the provider's
// schema declares as sets (schema.TypeSet): their order means nothing, so
// they are compared as sets. Dotted paths name sets inside blocks.
var setAttributes = map[string][]string{
	"aws_autoscaling_group":                              {"vpc_zone_identifier", "target_group_arns", "load_balancers", "tag", "initial_lifecycle_hook", "suspended_processes", "enabled_metrics", "availability_zones", "traffic_source"},
	"aws_backup_plan":                                    {"rule", "rule.copy_action", "advanced_backup_setting"},
	"aws_backup_selection":                               {"resources", "not_resources", "selection_tag", "condition"},
	"aws_cloudwatch_metric_alarm":                        {"alarm_actions", "ok_actions", "insufficient_data_actions", "metric_query"},
	"aws_dynamodb_table":                                 {"attribute", "global_secondary_index", "local_secondary_index", "replica", "global_secondary_index.non_key_attributes"},
	"aws_ec2_managed_prefix_list":                        {"entry"},
	"aws_ec2_transit_gateway":                            {"transit_gateway_cidr_blocks"},
	"aws_ec2_transit_gateway_vpc_attachment":             {"subnet_ids"},
	"aws_launch_template":                                {"vpc_security_group_ids", "security_group_names", "network_interfaces.security_groups", "network_interfaces.ipv4_addresses"},
	"aws_lb":                                             {"subnets", "security_groups", "subnet_mapping"},
	"aws_route53_health_check":                           {"regions", "child_healthchecks"},
	"aws_route53_record":                                 {"records"},
	"aws_route_table":                                    {"route", "propagating_vgws"},
	"aws_s3_bucket_server_side_encryption_configuration": {"rule"},
	"aws_security_group":                                 {"ingress", "egress"},
	"aws_vpc_endpoint":                                   {"subnet_ids", "security_group_ids", "route_table_ids"},
}

// statefulTypes are resources whose destruction loses data: destroying or
// replacing one is dangerous. Each says what it is and what is lost.
var statefulTypes = map[string]struct{ noun, loss string }{
	"aws_dynamodb_table": {"table", "its items are lost (backups restore into a new table)"},
	"aws_s3_bucket":      {"bucket", "its objects are lost"},
	"aws_kms_key":        {"KMS key", "whatever it encrypts becomes unreadable once the key is deleted"},
	"aws_backup_vault":   {"backup vault", "its recovery points are lost"},
}

// optionalComputed lists, per resource type, attributes that are optional
// and computed in the provider's schema and that another resource may
// manage: left out of the config, Terraform keeps whatever is there, so
// leaving one out changes nothing.
var optionalComputed = map[string]map[string]bool{
	// ec2/vpc_managed_prefix_list.go: "entry" is Optional and Computed; the
	// entries are then aws_ec2_managed_prefix_list_entry resources.
	"aws_ec2_managed_prefix_list": {"entry": true},
}

// keptWhenUnset reports whether attribute attr of a typ resource keeps its
// value when the config leaves it out (optionalComputed).
func keptWhenUnset(typ, attr string) bool { return optionalComputed[typ][attr] }
