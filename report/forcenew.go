package report

// Schema facts of the AWS provider (hashicorp/aws 5.88.0, the version
// cdktf-provider-aws-go v19.54.0 binds) that decide what Terraform does with
// a changed attribute, for every resource type this app emits. A test fails
// when the app emits a type missing here (TestEveryEmittedTypeIsKnown).
//
// Sources: the resource schemas in internal/service/<service>/*.go
// (ForceNew: true in SDKv2 resources, RequiresReplace plan modifiers in
// Framework resources) and their CustomizeDiff functions. Read in the
// provider's source for this table: route53/record.go (name and zone_id
// force replacement; type and set_identifier do not: an update is an UPSERT,
// or a DELETE+CREATE batch when they change; records is a set),
// route53/health_check.go (measure_latency is ForceNew), the EC2 transit
// gateway (amazon_side_asn is updated in place in the AWS SDK v2 version of
// the resource), backup/plan.go (name is ForceNew), autoscaling/group.go. The
// other entries follow each schema as the provider documents it ("Forces
// new resource"); where a stored version of the source was newer or older
// than 5.88 the entry follows the version the provider module pins.

// forceNew lists, per resource type, the attributes whose change replaces
// the resource (destroy and create, or create before destroy). Paths are
// dotted, without list indexes ("network_interfaces.device_index"); a
// prefix matches every attribute below it. An empty list means every
// argument is updated in place.
var forceNew = map[string][]string{
	// athena/workgroup.go, glue/catalog_database.go, glue/catalog_table.go
	// (read for 20.2), sqs/queue.go and sqs/queue_policy.go.
	"aws_athena_workgroup":        {"name"},
	"aws_glue_catalog_database":   {"name", "catalog_id"},
	"aws_glue_catalog_table":      {"name", "database_name", "catalog_id", "partition_index", "open_table_format_input"},
	"aws_sqs_queue":               {"name", "name_prefix", "fifo_queue"},
	"aws_sqs_queue_policy":        {"queue_url"},
	"aws_autoscaling_group":       {"name", "name_prefix"},
	"aws_backup_plan":             {},
	"aws_backup_selection":        {"name", "plan_id", "iam_role_arn", "resources", "not_resources", "selection_tag", "condition"},
	"aws_backup_vault":            {"name", "name_prefix", "kms_key_arn"},
	"aws_backup_vault_policy":     {"backup_vault_name"},
	"aws_cloudwatch_log_group":    {"name", "name_prefix", "log_group_class"},
	"aws_cloudwatch_metric_alarm": {"alarm_name"},
	"aws_dynamodb_table": {"name", "hash_key", "range_key", "local_secondary_index", "import_table",
		"restore_date_time", "restore_source_name", "restore_source_table_arn", "restore_to_latest_time"},
	// Every argument: an export is a one-off job.
	"aws_dynamodb_table_export": {"table_arn", "s3_bucket", "s3_bucket_owner", "s3_prefix", "s3_sse_algorithm", "s3_sse_kms_key_id",
		"export_format", "export_time", "export_type", "incremental_export_specification"},
	"aws_ec2_managed_prefix_list":                         {"address_family"},
	"aws_ec2_transit_gateway":                             {"multicast_support"},
	"aws_ec2_transit_gateway_peering_attachment":          {"peer_account_id", "peer_region", "peer_transit_gateway_id", "transit_gateway_id", "options"},
	"aws_ec2_transit_gateway_peering_attachment_accepter": {"transit_gateway_attachment_id"},
	"aws_ec2_transit_gateway_route":                       {"destination_cidr_block", "transit_gateway_route_table_id", "transit_gateway_attachment_id", "blackhole"},
	"aws_ec2_transit_gateway_route_table":                 {"transit_gateway_id"},
	"aws_ec2_transit_gateway_route_table_association":     {"transit_gateway_attachment_id", "transit_gateway_route_table_id"},
	"aws_ec2_transit_gateway_route_table_propagation":     {"transit_gateway_attachment_id", "transit_gateway_route_table_id"},
	"aws_ec2_transit_gateway_vpc_attachment":              {"transit_gateway_id", "vpc_id"},
	"aws_eip":                                             {"domain", "vpc", "address", "customer_owned_ipv4_pool", "network_border_group", "public_ipv4_pool", "ipam_pool_id"},
	"aws_flow_log": {"vpc_id", "subnet_id", "eni_id", "transit_gateway_id", "transit_gateway_attachment_id", "traffic_type",
		"log_destination", "log_destination_type", "log_format", "log_group_name", "iam_role_arn", "deliver_cross_account_role",
		"max_aggregation_interval", "destination_options"},
	"aws_iam_instance_profile":              {"name", "name_prefix", "path"},
	"aws_iam_role":                          {"name", "name_prefix", "path"},
	"aws_iam_role_policy":                   {"name", "name_prefix", "role"},
	"aws_iam_role_policy_attachment":        {"role", "policy_arn"},
	"aws_iam_service_linked_role":           {"aws_service_name", "custom_suffix"},
	"aws_internet_gateway":                  {},
	"aws_kms_alias":                         {"name", "name_prefix"},
	"aws_kms_key":                           {"customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"},
	"aws_launch_template":                   {"name", "name_prefix"},
	"aws_lb":                                {"name", "name_prefix", "internal", "load_balancer_type", "customer_owned_ipv4_pool"},
	"aws_lb_listener":                       {"load_balancer_arn"},
	"aws_lb_target_group":                   {"name", "name_prefix", "port", "protocol", "protocol_version", "vpc_id", "target_type", "ip_address_type"},
	"aws_nat_gateway":                       {"allocation_id", "subnet_id", "connectivity_type", "private_ip"},
	"aws_route":                             {"route_table_id", "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"},
	"aws_route53_health_check":              {"type", "reference_name", "measure_latency", "request_interval", "routing_control_arn"},
	"aws_route53_record":                    {"name", "zone_id"},
	"aws_route53_zone":                      {"name", "delegation_set_id"},
	"aws_route53_zone_association":          {"zone_id", "vpc_id", "vpc_region"},
	"aws_route_table":                       {"vpc_id"},
	"aws_route_table_association":           {"subnet_id", "gateway_id"},
	"aws_s3_bucket":                         {"bucket", "bucket_prefix", "object_lock_enabled"},
	"aws_s3_bucket_lifecycle_configuration": {"bucket", "expected_bucket_owner"},
	"aws_s3_bucket_ownership_controls":      {"bucket"},
	"aws_s3_bucket_policy":                  {"bucket"},
	"aws_s3_bucket_public_access_block":     {"bucket"},
	"aws_s3_bucket_server_side_encryption_configuration": {"bucket", "expected_bucket_owner"},
	"aws_s3_bucket_versioning":                           {"bucket", "expected_bucket_owner", "mfa"},
	"aws_security_group":                                 {"name", "name_prefix", "description", "vpc_id"},
	"aws_sns_topic":                                      {"name", "name_prefix", "fifo_topic"},
	"aws_sns_topic_policy":                               {"arn"},
	"aws_sns_topic_subscription":                         {"topic_arn", "protocol", "endpoint"},
	"aws_ssm_parameter":                                  {"name", "data_type"},
	"aws_subnet":                                         {"vpc_id", "cidr_block", "availability_zone", "availability_zone_id", "outpost_arn"},
	"aws_vpc":                                            {"cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"},
	"aws_cloudwatch_event_rule":                          {"name", "name_prefix", "event_bus_name"},
	"aws_cloudwatch_event_target":                        {"rule", "target_id", "event_bus_name"},
	"aws_vpc_endpoint":                                   {"vpc_id", "service_name", "vpc_endpoint_type", "service_region", "resource_configuration_arn", "service_network_arn"},
	"aws_vpc_peering_connection":                         {"peer_owner_id", "peer_region", "peer_vpc_id", "vpc_id"},
	"aws_vpc_peering_connection_accepter":                {"vpc_peering_connection_id"},
	// Framework resources: only the group is RequiresReplace; ports,
	// protocol and peer are changed with ModifySecurityGroupRules.
	"aws_vpc_security_group_egress_rule":  {"security_group_id"},
	"aws_vpc_security_group_ingress_rule": {"security_group_id"},
}

// replaceOnRemoval lists attributes that replace the resource only when an
// element is removed (CustomizeDiff): a Network Load Balancer cannot leave
// a subnet, nor drop its security groups, without being recreated
// (elbv2/load_balancer.go, customizeDiffLoadBalancerNLB).
var replaceOnRemoval = map[string][]string{
	"aws_lb": {"subnets", "subnet_mapping", "security_groups"},
}

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
