"""Tests of moto_shim.py's SHIMS against the installed moto, in process (mock_aws).

For every entry of SHIMS there are two tests:
  GapInMoto.test_<entry>     the gap exists in unpatched moto: once moto fixes it,
                             this test fails and the entry is to be removed;
  ShimClosesGap.test_<entry> with the shims applied, moto answers as AWS does.
The gap tests run first, on unpatched moto (load_tests orders them); the shims
patch moto in place, for the rest of the process.

Run: python3 emulator/shim_test.py (emulator/shim_test.go runs it).
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

import moto_shim  # noqa: E402

REGION = "us-west-2"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_example"
_applied = False


def apply_shims():
    global _applied
    if not _applied:
        for shim in moto_shim.SHIMS:
            shim()
        _applied = True


def client(service, region=REGION):
    return boto3.client(service, region_name=region, aws_access_key_id="test", aws_secret_access_key="test")


# ---------------------------------------------------------------------------
# Scenarios: each does what the provider does and returns what AWS would have
# returned differently (the "observed" value) and what AWS returns ("expected").
# ---------------------------------------------------------------------------


def backup_selections():
    b = client("backup")
    b.create_backup_vault(BackupVaultName="v")
    plan = b.create_backup_plan(BackupPlan={"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]})
    selection = {"SelectionName": "s", "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup", "Resources": ["arn:aws:dynamodb:us-west-2:123456789012:table/t"]}
    try:
        sid = b.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection=selection)["SelectionId"]
    except NotImplementedError:
        return None, selection
    got = b.get_backup_selection(BackupPlanId=plan["BackupPlanId"], SelectionId=sid)["BackupSelection"]
    return got, selection


def private_zone_with_vpc():
    vpc = client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    zone = client("route53", "us-east-1").create_hosted_zone(
        Name="internal.example.com", CallerReference="r", VPC={"VPCRegion": REGION, "VPCId": vpc})
    return zone["HostedZone"]["Config"]["PrivateZone"], True


def autoscaling_group_settings():
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    ec2.create_launch_template(LaunchTemplateName="example", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
    asg = client("autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="g", MinSize=0, MaxSize=1, VPCZoneIdentifier=subnet,
        LaunchTemplate={"LaunchTemplateName": "example", "Version": "$Latest"},
        ServiceLinkedRoleARN=ROLE, InstanceMaintenancePolicy={"MinHealthyPercentage": 50, "MaxHealthyPercentage": 100})
    created = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["g"])["AutoScalingGroups"][0]
    asg.update_auto_scaling_group(AutoScalingGroupName="g", InstanceMaintenancePolicy={"MinHealthyPercentage": 90, "MaxHealthyPercentage": 120})
    updated = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["g"])["AutoScalingGroups"][0]
    observed = (created["ServiceLinkedRoleARN"], created.get("InstanceMaintenancePolicy"), updated.get("InstanceMaintenancePolicy"))
    expected = (ROLE, {"MinHealthyPercentage": 50, "MaxHealthyPercentage": 100}, {"MinHealthyPercentage": 90, "MaxHealthyPercentage": 120})
    return observed, expected


def launch_template_own_tags():
    ec2 = client("ec2")
    instance_tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "example-auth"}]}]
    lt = ec2.create_launch_template(
        LaunchTemplateName="example", LaunchTemplateData={"ImageId": "ami-12c6146b", "TagSpecifications": instance_tags},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "managed-by", "Value": "cdktf"}]}])
    lt_id = lt["LaunchTemplate"]["LaunchTemplateId"]
    data = ec2.describe_launch_template_versions(LaunchTemplateId=lt_id, Versions=["$Latest"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    tags = ec2.describe_launch_templates(LaunchTemplateIds=[lt_id])["LaunchTemplates"][0]["Tags"]
    return (data.get("TagSpecifications"), tags), (instance_tags, [{"Key": "managed-by", "Value": "cdktf"}])


def backup_list_tags_path():
    b = client("backup")

    def go_sdk_path(request, **_):
        # The Go SDK (the provider's) sends GET /tags/{arn} without the model's trailing slash.
        base, _, query = request.url.partition("?")
        request.url = base.rstrip("/") + ("?" + query if query else "")

    b.meta.events.register("before-sign.backup.ListTags", go_sdk_path)
    vault = b.create_backup_vault(BackupVaultName="v", BackupVaultTags={"environment": "example"})
    plan = b.create_backup_plan(
        BackupPlan={"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]},
        BackupPlanTags={"environment": "example"})
    observed = (b.list_tags(ResourceArn=vault["BackupVaultArn"])["Tags"], b.list_tags(ResourceArn=plan["BackupPlanArn"])["Tags"])
    return observed, ({"environment": "example"}, {"environment": "example"})


def dynamodb_export_encryption():
    ddb = client("dynamodb")
    table = ddb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])["TableDescription"]["TableArn"]
    ddb.update_continuous_backups(TableName="t", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    client("s3").create_bucket(Bucket="example-backups", CreateBucketConfiguration={"LocationConstraint": REGION})
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b7e5f1e-5b5a-4c4e-9d44-6a3f0ad0b3a1"
    arn = ddb.export_table_to_point_in_time(
        TableArn=table, S3Bucket="example-backups", S3Prefix="state/", ExportFormat="DYNAMODB_JSON",
        S3SseAlgorithm="KMS", S3SseKmsKeyId=key)["ExportDescription"]["ExportArn"]
    desc = ddb.describe_export(ExportArn=arn)["ExportDescription"]
    return (desc.get("S3SseAlgorithm"), desc.get("S3SseKmsKeyId")), ("KMS", key)


def security_group_rule_description():
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    other = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    prefix_list = ec2.create_managed_prefix_list(PrefixListName="pl", MaxEntries=5, AddressFamily="IPv4")["PrefixList"]["PrefixListId"]
    by_group = ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 3000, "ToPort": 3000,
        "UserIdGroupPairs": [{"GroupId": other, "Description": "through the load balancer"}]}])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    by_list = ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "PrefixListIds": [{"PrefixListId": prefix_list, "Description": "to the peers"}]}])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    rules = ec2.describe_security_group_rules(SecurityGroupRuleIds=[by_group, by_list])["SecurityGroupRules"]
    descriptions = {r["SecurityGroupRuleId"]: r.get("Description") for r in rules}
    return (descriptions[by_group], descriptions[by_list]), ("through the load balancer", "to the peers")


def transit_gateway_default_route_table():
    # A gateway without default association and propagation, as the app
    # creates them; a VPC attachment to it.
    ec2 = client("ec2")
    gw = ec2.create_transit_gateway(Options={
        "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"})["TransitGateway"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=gw["TransitGatewayId"], VpcId=vpc, SubnetIds=[subnet])["TransitGatewayVpcAttachment"]
    options = ec2.describe_transit_gateways(TransitGatewayIds=[gw["TransitGatewayId"]])["TransitGateways"][0]["Options"]
    described = ec2.describe_transit_gateway_attachments(
        TransitGatewayAttachmentIds=[attachment["TransitGatewayAttachmentId"]])["TransitGatewayAttachments"][0]
    observed = (options.get("AssociationDefaultRouteTableId"), options.get("PropagationDefaultRouteTableId"), described.get("Association"))
    return observed, (None, None, None)


def transit_gateway_vpc_attachment_tags():
    ec2 = client("ec2")
    gw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=gw, VpcId=vpc, SubnetIds=[subnet],
        TagSpecifications=[{"ResourceType": "transit-gateway-attachment", "Tags": [{"Key": "Name", "Value": "auth"}]}],
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    described = ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[attachment])["TransitGatewayVpcAttachments"][0]
    return described.get("Tags", []), [{"Key": "Name", "Value": "auth"}]


def transit_gateway_route_attachment():
    # A static route through a peering attachment, as the app routes between
    # regions.
    a, b = client("ec2", "us-east-1"), client("ec2", "eu-west-1")
    ga = a.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    gb = b.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    rt = b.create_transit_gateway_route_table(TransitGatewayId=gb)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    peering = b.create_transit_gateway_peering_attachment(
        TransitGatewayId=gb, PeerTransitGatewayId=ga, PeerAccountId=ACCOUNT, PeerRegion="us-east-1",
    )["TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    b.create_transit_gateway_route(DestinationCidrBlock="10.20.0.0/16", TransitGatewayRouteTableId=rt, TransitGatewayAttachmentId=peering)
    route = b.search_transit_gateway_routes(TransitGatewayRouteTableId=rt, Filters=[{"Name": "type", "Values": ["static"]}])["Routes"][0]
    return [x.get("TransitGatewayAttachmentId") for x in route.get("TransitGatewayAttachments", [])], [peering]


def sqs_redrive_policy_json():
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sent = '{"deadLetterTargetArn":"%s","maxReceiveCount":10}' % dlq_arn
    queue = sqs.create_queue(QueueName="events", Attributes={"RedrivePolicy": sent})["QueueUrl"]
    got = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]["RedrivePolicy"]
    return got, sent


def prefix_list_max_entries():
    ec2 = client("ec2")
    pl = ec2.create_managed_prefix_list(PrefixListName="peers", MaxEntries=2, AddressFamily="IPv4")["PrefixList"]["PrefixListId"]
    ec2.modify_managed_prefix_list(PrefixListId=pl, MaxEntries=3)
    got = ec2.describe_managed_prefix_lists(PrefixListIds=[pl])["PrefixLists"][0]
    return (got["MaxEntries"], got.get("PrefixListName")), (3, "peers")


def vpc_peering_connection_filters():
    ec2 = client("ec2")
    a, b, c = (ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in (1, 2, 3))
    tag = lambda name: [{"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": name}]}]
    ab = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, TagSpecifications=tag("a-to-b"))["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=c, TagSpecifications=tag("a-to-c"))
    ec2.create_vpc_peering_connection(VpcId=c, PeerVpcId=b, TagSpecifications=tag("c-to-b"))
    # What the provider's data source sends for vpc_id, peer_vpc_id and tags.
    got = ec2.describe_vpc_peering_connections(Filters=[
        {"Name": "requester-vpc-info.vpc-id", "Values": [a]},
        {"Name": "accepter-vpc-info.vpc-id", "Values": [b]},
        {"Name": "tag:Name", "Values": ["a-to-b"]},
    ])["VpcPeeringConnections"]
    return [p["VpcPeeringConnectionId"] for p in got], [ab]


def group_with_template(name):
    """An Auto Scaling group named name launching from a template of that name."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
    asg = client("autoscaling")
    asg.create_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, MaxSize=1, VPCZoneIdentifier=subnet,
                                  LaunchTemplate={"LaunchTemplateName": name, "Version": "$Latest"})
    return asg


def autoscaling_instance_refresh():
    asg = group_with_template("refreshed")
    want = ("Successful", "ValidationError", "Successful")
    try:
        rid = asg.start_instance_refresh(AutoScalingGroupName="refreshed", Strategy="Rolling",
                                         Preferences={"MinHealthyPercentage": 50})["InstanceRefreshId"]
    except Exception as e:  # the 500 of an unimplemented action
        return type(e).__name__, want
    got = asg.describe_instance_refreshes(AutoScalingGroupName="refreshed")["InstanceRefreshes"]
    status = [r["Status"] for r in got if r["InstanceRefreshId"] == rid][0]
    # A rollback needs a desired configuration with a numbered version.
    try:
        asg.start_instance_refresh(AutoScalingGroupName="refreshed", Strategy="Rolling",
                                   Preferences={"AutoRollback": True, "AlarmSpecification": {"Alarms": ["a"]}})
        refused = "accepted"
    except Exception as e:
        refused = getattr(e, "response", {}).get("Error", {}).get("Code", type(e).__name__)
    rolled = asg.start_instance_refresh(AutoScalingGroupName="refreshed", Strategy="Rolling", Preferences={"AutoRollback": True},
                                        DesiredConfiguration={"LaunchTemplate": {"LaunchTemplateName": "refreshed", "Version": "1"}})
    return (status, refused, "Successful" if rolled.get("InstanceRefreshId") else "none"), want


def autoscaling_lifecycle_hook_targets():
    asg = group_with_template("hooked")
    asg.put_lifecycle_hook(AutoScalingGroupName="hooked", LifecycleHookName="plain", LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
                           HeartbeatTimeout=900, DefaultResult="ABANDON")
    asg.put_lifecycle_hook(AutoScalingGroupName="hooked", LifecycleHookName="notifying", LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING",
                           RoleARN=f"arn:aws:iam::{ACCOUNT}:role/hooks", NotificationTargetARN=f"arn:aws:sqs:{REGION}:{ACCOUNT}:q")
    got = {h["LifecycleHookName"]: (h.get("RoleARN"), h.get("NotificationTargetARN"))
           for h in asg.describe_lifecycle_hooks(AutoScalingGroupName="hooked")["LifecycleHooks"]}
    return got, {"plain": (None, None), "notifying": (f"arn:aws:iam::{ACCOUNT}:role/hooks", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q")}


def backup_update_plan():
    b = client("backup")
    b.create_backup_vault(BackupVaultName="here")
    rule = {"RuleName": "daily", "TargetBackupVaultName": "here", "ScheduleExpression": "cron(0 5 * * ? *)"}
    created = b.create_backup_plan(BackupPlan={"BackupPlanName": "updated", "Rules": [rule]})
    copy = dict(rule, CopyActions=[{"DestinationBackupVaultArn": f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:there"}])
    want = ([copy["CopyActions"][0]["DestinationBackupVaultArn"]], True)
    try:
        updated = b.update_backup_plan(BackupPlanId=created["BackupPlanId"], BackupPlan={"BackupPlanName": "updated", "Rules": [copy]})
    except Exception as e:  # the 500 of an unimplemented action
        return type(e).__name__, want
    got = b.get_backup_plan(BackupPlanId=created["BackupPlanId"])
    rules = got["BackupPlan"]["Rules"]
    return ([a["DestinationBackupVaultArn"] for a in rules[0].get("CopyActions", [])],
            updated["VersionId"] != created["VersionId"] and got["VersionId"] == updated["VersionId"]), want


def s3_policy_conditions():
    # The app's TLS-only bucket policy; the request comes over TLS in AWS.
    s3 = client("s3")
    s3.create_bucket(Bucket="tls-only", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="tls-only", Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    try:
        s3.delete_object(Bucket="tls-only", Key="k")
    except Exception as e:
        return type(e).__name__, "deleted"
    return "deleted", "deleted"


def launch_template_version_user_data():
    # A new version (a release or image change), then a scale-out from it.
    import base64

    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    data = {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro", "UserData": base64.b64encode(b"#!/bin/sh\n").decode()}
    ec2.create_launch_template(LaunchTemplateName="proxies", LaunchTemplateData=data)
    ec2.create_launch_template_version(LaunchTemplateName="proxies", LaunchTemplateData=dict(data, InstanceType="t3.small"))
    asg = client("autoscaling")
    asg.create_auto_scaling_group(AutoScalingGroupName="scaled", MinSize=0, MaxSize=2, DesiredCapacity=0, VPCZoneIdentifier=subnet,
                                  LaunchTemplate={"LaunchTemplateName": "proxies", "Version": "$Latest"})
    try:
        asg.update_auto_scaling_group(AutoScalingGroupName="scaled", DesiredCapacity=1)
    except Exception as e:
        return type(e).__name__, 1
    return len(asg.describe_auto_scaling_groups(AutoScalingGroupNames=["scaled"])["AutoScalingGroups"][0]["Instances"]), 1


def route53_cloudwatch_health_check():
    r53 = client("route53")
    alarm = {"Region": "eu-central-1", "Name": "x-proxy-none-ready"}
    hc = r53.create_health_check(CallerReference="ready", HealthCheckConfig={
        "Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": alarm, "InsufficientDataHealthStatus": "LastKnownStatus"})["HealthCheck"]
    r53.update_health_check(HealthCheckId=hc["Id"], InsufficientDataHealthStatus="Unhealthy")
    got = r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"]["HealthCheckConfig"]
    keys = ("AlarmIdentifier", "InsufficientDataHealthStatus", "Port", "RequestInterval", "FailureThreshold")
    return {k: got.get(k) for k in keys}, {"AlarmIdentifier": alarm, "InsufficientDataHealthStatus": "Unhealthy",
                                           "Port": None, "RequestInterval": None, "FailureThreshold": None}


def gateway_endpoint_route_tables():
    # A zone's route table added to the S3 endpoint, then the endpoint
    # deleted (a destroy).
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    first = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    added = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    vpce = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
                                   RouteTableIds=[first])["VpcEndpoint"]["VpcEndpointId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[added])
    routes = [r.get("GatewayId") for r in ec2.describe_route_tables(RouteTableIds=[added])["RouteTables"][0]["Routes"]]
    try:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
        deleted = True
    except Exception as e:
        deleted = type(e).__name__
    return (vpce in routes, deleted), (True, True)


def dynamodb_update_table_encryption():
    # A table created without the cluster key (a restored copy), then
    # encrypted with it, as the provider's update does.
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    key = client("kms").create_key()["KeyMetadata"]["Arn"]
    ddb.update_table(TableName="t", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    sse = ddb.describe_table(TableName="t")["Table"].get("SSEDescription", {})
    return (sse.get("Status"), sse.get("KMSMasterKeyArn")), ("ENABLED", key)


SCENARIOS = {
    "shim_backup_selections": backup_selections,
    "shim_private_zone_with_vpc": private_zone_with_vpc,
    "shim_autoscaling_group_settings": autoscaling_group_settings,
    "shim_launch_template_own_tags": launch_template_own_tags,
    "shim_backup_list_tags_path": backup_list_tags_path,
    "shim_dynamodb_export_encryption": dynamodb_export_encryption,
    "shim_security_group_rule_description": security_group_rule_description,
    "shim_transit_gateway_default_route_table": transit_gateway_default_route_table,
    "shim_transit_gateway_vpc_attachment_tags": transit_gateway_vpc_attachment_tags,
    "shim_transit_gateway_route_attachment": transit_gateway_route_attachment,
    "shim_sqs_redrive_policy_json": sqs_redrive_policy_json,
    "shim_prefix_list_max_entries": prefix_list_max_entries,
    "shim_vpc_peering_connection_filters": vpc_peering_connection_filters,
    "shim_autoscaling_instance_refresh": autoscaling_instance_refresh,
    "shim_s3_policy_conditions": s3_policy_conditions,
    "shim_launch_template_version_user_data": launch_template_version_user_data,
    "shim_autoscaling_lifecycle_hook_targets": autoscaling_lifecycle_hook_targets,
    "shim_backup_update_plan": backup_update_plan,
    "shim_route53_cloudwatch_health_check": route53_cloudwatch_health_check,
    "shim_gateway_endpoint_route_tables": gateway_endpoint_route_tables,
    "shim_dynamodb_update_table_encryption": dynamodb_update_table_encryption,
}


def run(scenario):
    with mock_aws():
        return scenario()


class GapInMoto(unittest.TestCase):
    """Unpatched moto differs from AWS: when one of these fails, moto has closed
    that gap and its entry in SHIMS is to be removed (with both its tests)."""

    @classmethod
    def setUpClass(cls):
        if _applied:
            raise RuntimeError("the gap tests need unpatched moto: run them before ShimClosesGap")

    def check(self, name):
        observed, expected = run(SCENARIOS[name])
        self.assertNotEqual(observed, expected, f"moto now behaves as AWS: remove {name} from SHIMS")


class ShimClosesGap(unittest.TestCase):
    """With the shims applied, moto answers as AWS does."""

    @classmethod
    def setUpClass(cls):
        apply_shims()

    def check(self, name):
        observed, expected = run(SCENARIOS[name])
        self.assertEqual(observed, expected)

    def test_every_entry_has_a_scenario(self):
        self.assertEqual([s.__name__ for s in moto_shim.SHIMS], list(SCENARIOS))
        for shim in moto_shim.SHIMS:
            self.assertTrue((shim.__doc__ or "").strip(), f"{shim.__name__} has no docstring")


for _name in SCENARIOS:
    for _cls in (GapInMoto, ShimClosesGap):
        setattr(_cls, "test_" + _name.removeprefix("shim_"), lambda self, n=_name: self.check(n))


def load_tests(loader, tests, pattern):
    # Gap tests first, on unpatched moto; then the shims are applied.
    return unittest.TestSuite([loader.loadTestsFromTestCase(GapInMoto), loader.loadTestsFromTestCase(ShimClosesGap)])


if __name__ == "__main__":
    unittest.main()
