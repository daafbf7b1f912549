"""moto, with the gaps this app meets filled, seeded with an account's prerequisites.

The deploy command's local target (`go run . apply --local`) runs this file with
the Python that has moto installed. It is the ONLY place where the emulator is
made to behave like AWS: the app's synthesized JSON is never bent to moto.
Every entry of SHIMS names the API, how AWS behaves, and the source that says so;
emulator/shim_test.go checks each entry is still needed against the installed moto
(an entry moto has since fixed fails that test, so it is removed, not kept).

Usage: python3 moto_shim.py --port PORT [--seed FILE]
Prints "ready <port>" on stdout once the server answers and the seed is in;
stops when stdin closes (its parent exited) or on SIGTERM.
"""

import argparse
import datetime
import inspect
import json
import signal
import sys
import threading
import uuid

# ---------------------------------------------------------------------------
# Shims. Each is a function that patches moto in place, listed in SHIMS.
# ---------------------------------------------------------------------------


def shim_backup_selections():
    """AWS Backup CreateBackupSelection, GetBackupSelection, DeleteBackupSelection,
    ListBackupSelections.

    AWS: a backup plan holds selections (PUT /backup/plans/{id}/selections/ returns
    SelectionId, BackupPlanId, CreationDate; GET .../selections/{sid} returns the
    BackupSelection as sent). Source: AWS Backup API reference, CreateBackupSelection
    and GetBackupSelection. moto 5.2.1 has no handler: the provider
    (internal/service/backup/selection.go) retries the 500 for minutes.
    """
    from moto.backup.models import BackupBackend
    from moto.backup.responses import BackupResponse
    from moto.backup.exceptions import ResourceNotFoundException

    def selections(backend):
        if not hasattr(backend, "shim_selections"):
            backend.shim_selections = {}
        return backend.shim_selections

    def plan_and_selection(path):
        # /backup/plans/{plan}/selections/[{selection}]
        parts = [p for p in path.split("?")[0].split("/") if p]
        plan = parts[parts.index("plans") + 1]
        rest = parts[parts.index("selections") + 1 :]
        return plan, (rest[0] if rest else None)

    def create_backup_selection(self):
        plan_id, _ = plan_and_selection(self.path)
        if plan_id not in self.backup_backend.plans:
            raise ResourceNotFoundException(msg=f"Failed reading Backup plan with provided version {plan_id}")
        params = json.loads(self.body)
        sid = str(uuid.uuid4())
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        selections(self.backup_backend)[sid] = {
            "BackupPlanId": plan_id,
            "SelectionId": sid,
            "BackupSelection": params["BackupSelection"],
            "CreationDate": now,
            "CreatorRequestId": params.get("CreatorRequestId"),
        }
        return json.dumps({"SelectionId": sid, "BackupPlanId": plan_id, "CreationDate": now})

    def get_backup_selection(self):
        plan_id, sid = plan_and_selection(self.path)
        sel = selections(self.backup_backend).get(sid)
        if sel is None or sel["BackupPlanId"] != plan_id:
            raise ResourceNotFoundException(msg=f"Failed reading backup selection {sid}")
        return json.dumps({k: v for k, v in sel.items() if v is not None})

    def delete_backup_selection(self):
        plan_id, sid = plan_and_selection(self.path)
        if selections(self.backup_backend).pop(sid, None) is None:
            raise ResourceNotFoundException(msg=f"Failed reading backup selection {sid}")
        return "{}"

    def list_backup_selections(self):
        plan_id, _ = plan_and_selection(self.path)
        out = []
        for sel in selections(self.backup_backend).values():
            if sel["BackupPlanId"] == plan_id:
                out.append({
                    "SelectionId": sel["SelectionId"],
                    "SelectionName": sel["BackupSelection"]["SelectionName"],
                    "BackupPlanId": plan_id,
                    "CreationDate": sel["CreationDate"],
                    "IamRoleArn": sel["BackupSelection"].get("IamRoleArn"),
                })
        return json.dumps({"BackupSelectionsList": out})

    BackupResponse.create_backup_selection = create_backup_selection
    BackupResponse.get_backup_selection = get_backup_selection
    BackupResponse.delete_backup_selection = delete_backup_selection
    BackupResponse.list_backup_selections = list_backup_selections
    _ = BackupBackend


def shim_private_zone_with_vpc():
    """Route 53 CreateHostedZone with a VPC and no HostedZoneConfig.PrivateZone.

    AWS: "To create a private hosted zone, specify the VPC" - a zone created with a
    VPC is private whether or not PrivateZone is sent (Route 53 API reference,
    CreateHostedZone, request element VPC). The provider sends only the VPC
    (internal/service/route53/zone.go, expandVPCs). moto 5.2.1 makes it public, so
    the later AssociateVPCWithHostedZone of a proxy VPC fails.
    """
    from moto.route53.responses import Route53

    original = Route53.create_hosted_zone

    def create_hosted_zone(self):
        if self._get_param("VPC.VPCId") and self._get_param("HostedZoneConfig.PrivateZone") is None:
            get_bool = self._get_bool_param

            def private(name, default=None):
                if name == "HostedZoneConfig.PrivateZone":
                    return True
                return get_bool(name, default)

            self._get_bool_param = private
        return original(self)

    Route53.create_hosted_zone = create_hosted_zone


def shim_autoscaling_group_settings():
    """Auto Scaling CreateAutoScalingGroup / UpdateAutoScalingGroup:
    ServiceLinkedRoleARN and InstanceMaintenancePolicy.

    AWS: the group keeps the service-linked role given in ServiceLinkedRoleARN (the
    default AWSServiceRoleForAutoScaling only when none is given) and the
    InstanceMaintenancePolicy (MinHealthyPercentage, MaxHealthyPercentage; -1 and -1
    clear it), and DescribeAutoScalingGroups returns both. Source: Amazon EC2 Auto
    Scaling API reference, CreateAutoScalingGroup, UpdateAutoScalingGroup and
    AutoScalingGroup. The provider reads both back (internal/service/autoscaling/
    group.go, resourceGroupRead). moto 5.2.1 ignores both parameters and always
    answers the default role (moto/autoscaling/models.py, FakeAutoScalingGroup).
    """
    from moto.autoscaling.responses import AutoScalingResponse

    def keep(self):
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        role = self._get_param("ServiceLinkedRoleARN")
        if role:
            group.service_linked_role_arn = role
        policy = self._get_params().get("InstanceMaintenancePolicy")
        if policy:
            policy = {k: int(v) for k, v in policy.items()}
            cleared = policy.get("MinHealthyPercentage") == -1 and policy.get("MaxHealthyPercentage") == -1
            group.instance_maintenance_policy = None if cleared else policy

    for name in ("create_auto_scaling_group", "update_auto_scaling_group"):
        original = getattr(AutoScalingResponse, name)

        def handler(self, original=original):
            result = original(self)
            keep(self)
            return result

        setattr(AutoScalingResponse, name, handler)


def shim_launch_template_own_tags():
    """EC2 CreateLaunchTemplate with TagSpecifications (ResourceType launch-template).

    AWS: the request's TagSpecifications tag the launch template itself; the tags of
    the instances and volumes it launches are LaunchTemplateData.TagSpecifications,
    and DescribeLaunchTemplateVersions returns LaunchTemplateData as sent. Source:
    Amazon EC2 API reference, CreateLaunchTemplate, request parameter
    TagSpecifications ("To specify the tags for the resources that are created when
    an instance is launched, you must use the TagSpecifications parameter in the
    launch template data structure"). The provider sends default_tags there
    (internal/service/ec2/ec2_launch_template.go) and reads tag_specifications from
    the version's data. moto 5.2.1 copies them into LaunchTemplateData.TagSpecifications
    too (moto/ec2/responses/launch_templates.py), so a re-plan shows an unrequested
    tag_specifications block of resource_type "launch-template".
    """
    import copy

    from moto.ec2.models.launch_templates import LaunchTemplateVersion
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import convert_tag_spec

    original = LaunchTemplates.create_launch_template

    def create_launch_template(self):
        sent = copy.deepcopy(self._get_param("LaunchTemplateData", {}).get("TagSpecifications"))
        result = original(self)
        template = self.ec2_backend.get_launch_template(result.result["LaunchTemplate"]["LaunchTemplateId"])
        version: LaunchTemplateVersion = template.versions[0]
        if sent is None:
            version.data.pop("TagSpecifications", None)
        else:
            version.data["TagSpecifications"] = sent
        version.instance_tags = convert_tag_spec(sent or []).get("instance", {})
        return result

    LaunchTemplates.create_launch_template = create_launch_template


def shim_backup_list_tags_path():
    """AWS Backup ListTags: GET /tags/{resourceArn}/, trailing slash or not.

    AWS: returns the tags of a backup vault or plan, including those given at
    creation (BackupVaultTags in CreateBackupVault, BackupPlanTags in
    CreateBackupPlan). Source: AWS Backup API reference, ListTags. The provider
    reads tags_all through ListTags (internal/service/backup/tags_gen.go, listTags)
    and the Go SDK sends the path without its trailing slash
    ("GET /tags/arn:aws:backup:...:backup-vault:NAME"). moto 5.2.1 takes the ARN
    from the second-last path segment (moto/backup/responses.py, list_tags), so it
    answers no tags: tags_all is empty after create and the re-plan adds them.
    """
    from urllib.parse import unquote

    from moto.backup.responses import BackupResponse

    def list_tags(self):
        path = self.path.split("?")[0]
        arn = unquote(path.split("/tags/", 1)[1]).rstrip("/")
        return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})

    BackupResponse.list_tags = list_tags


def shim_dynamodb_export_encryption():
    """DynamoDB ExportTableToPointInTime / DescribeExport: S3SseAlgorithm, S3SseKmsKeyId.

    AWS: ExportDescription returns the S3SseAlgorithm (AES256 or KMS) and
    S3SseKmsKeyId the export was started with. Source: Amazon DynamoDB API
    reference, ExportDescription. The provider sets s3_sse_algorithm and
    s3_sse_kms_key_id from DescribeExport (internal/service/dynamodb/
    table_export.go, resourceTableExportRead); both force replacement. moto 5.2.1
    drops them (moto/dynamodb/models/table_export.py, TableExport.response).
    """
    from moto.dynamodb.models.table_export import TableExport
    from moto.dynamodb.responses import DynamoHandler

    original_response = TableExport.response

    def response(self):
        out = original_response(self)
        for key in ("S3SseAlgorithm", "S3SseKmsKeyId"):
            if getattr(self, "shim_" + key, None):
                out[key] = getattr(self, "shim_" + key)
        return out

    original = DynamoHandler.export_table_to_point_in_time

    def export_table_to_point_in_time(self):
        result = original(self)
        export = self.dynamodb_backend.describe_export(result.result["ExportDescription"]["ExportArn"])
        for key in ("S3SseAlgorithm", "S3SseKmsKeyId"):
            setattr(export, "shim_" + key, self.body.get(key))
        result.result["ExportDescription"] = export.response()
        return result

    TableExport.response = response
    DynamoHandler.export_table_to_point_in_time = export_table_to_point_in_time


def shim_security_group_rule_description():
    """EC2 AuthorizeSecurityGroupIngress/Egress, DescribeSecurityGroupRules: Description
    of a rule that references a security group or a prefix list.

    AWS: every rule keeps its Description, whatever its source or destination
    (IpRanges, UserIdGroupPairs or PrefixListIds), and SecurityGroupRule.Description
    returns it. Source: Amazon EC2 API reference, SecurityGroupRule, UserIdGroupPair
    and PrefixListId. The provider reads description from DescribeSecurityGroupRules
    (internal/service/ec2/vpc_security_group_ingress_rule.go, Read). moto 5.2.1 only
    returns the description of a CIDR rule (moto/ec2/models/security_groups.py,
    SecurityGroupRule.description reads ip_range) and drops a prefix list's.
    """
    from moto.ec2.models.security_groups import SecurityGroupRule

    original_init = SecurityGroupRule.__init__
    signature = inspect.signature(original_init)

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self.shim_prefix_list_description = (prefix_list or {}).get("Description")

    def description(self):
        return (self.ip_range.get("Description") or self.source_group.get("Description")
                or getattr(self, "shim_prefix_list_description", None))

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)


def shim_transit_gateway_default_route_table():
    """EC2 CreateTransitGateway with DefaultRouteTableAssociation or
    DefaultRouteTablePropagation "disable", and the attachments of such a gateway.

    AWS: "if you disable route propagation and route table association, AWS does
    not create a default route table for the transit gateway" (Amazon VPC Transit
    Gateways guide, "Transit gateway route tables"); TransitGatewayOptions carries
    AssociationDefaultRouteTableId / PropagationDefaultRouteTableId only for an
    enabled option (EC2 API reference, TransitGatewayOptions), and a new
    attachment is associated with no route table until AssociateTransitGatewayRouteTable.
    moto 5.2.1 always creates a default route table, reports it for both options
    and associates every VPC attachment with it; the provider
    (internal/service/ec2/transitgateway_vpc_attachment.go, with
    transit_gateway_default_route_table_association = false) then disassociates the
    attachment, which moto answers with a 500 (KeyError) for minutes.
    """
    from moto.ec2.models.transit_gateway import TransitGateway
    from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachmentBackend

    original = TransitGateway.__init__

    def __init__(self, backend, description, options=None):
        original(self, backend, description, options)
        if self.options.get("DefaultRouteTableAssociation") == "disable":
            self.options.pop("AssociationDefaultRouteTableId", None)
        if self.options.get("DefaultRouteTablePropagation") == "disable":
            self.options.pop("PropagationDefaultRouteTableId", None)

    TransitGateway.__init__ = __init__

    create = TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment

    def create_transit_gateway_vpc_attachment(self, transit_gateway_id, *args, **kwargs):
        attachment = create(self, transit_gateway_id, *args, **kwargs)
        gateway = self.transit_gateways[transit_gateway_id]
        if gateway.options.get("DefaultRouteTableAssociation") == "disable":
            self.unset_route_table_association(gateway.default_route_table.id, tgw_attach_id=attachment.id)
            attachment.transit_gateway_route_table = None
        return attachment

    TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment = create_transit_gateway_vpc_attachment


def shim_transit_gateway_vpc_attachment_tags():
    """EC2 CreateTransitGatewayVpcAttachment with TagSpecifications of resource type
    "transit-gateway-attachment".

    AWS tags the attachment with them (EC2 API reference,
    CreateTransitGatewayVpcAttachment: TagSpecifications; the provider sends
    ResourceType transit-gateway-attachment, internal/service/ec2/transitgateway_vpc_attachment.go).
    moto 5.2.1 reads the tags of "transit-gateway-route-table" instead, so the
    attachment has none and every plan re-adds its Name tag.
    """
    from moto.ec2.responses.transit_gateway_attachments import TransitGatewayAttachment

    original = TransitGatewayAttachment.create_transit_gateway_vpc_attachment

    def create_transit_gateway_vpc_attachment(self):
        parse = self._parse_tag_specification

        def attachment_tags(*args, **kwargs):
            tags = dict(parse(*args, **kwargs))
            tags["transit-gateway-route-table"] = tags.get("transit-gateway-attachment", {})
            return tags

        self._parse_tag_specification = attachment_tags
        try:
            return original(self)
        finally:
            del self._parse_tag_specification

    TransitGatewayAttachment.create_transit_gateway_vpc_attachment = create_transit_gateway_vpc_attachment


def shim_transit_gateway_route_attachment():
    """EC2 CreateTransitGatewayRoute / SearchTransitGatewayRoutes: a static route's
    TransitGatewayAttachments.

    AWS returns the route's attachment (ResourceId, ResourceType,
    TransitGatewayAttachmentId) in TransitGatewayRoute.TransitGatewayAttachments, a
    list (EC2 API reference, TransitGatewayRoute). moto 5.2.1 stores it as a single
    mapping, which its serializer drops: the provider
    (internal/service/ec2/transitgateway_route.go) then reads a route without an
    attachment and plans to replace every route through a peering.
    """
    from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRouteTableBackend

    original = TransitGatewayRouteTableBackend.create_transit_gateway_route

    def create_transit_gateway_route(self, *args, **kwargs):
        route = original(self, *args, **kwargs)
        attachment = route.get("transitGatewayAttachments")
        if isinstance(attachment, dict):
            route["transitGatewayAttachments"] = [attachment]
        return route

    TransitGatewayRouteTableBackend.create_transit_gateway_route = create_transit_gateway_route


def shim_sqs_redrive_policy_json():
    """SQS GetQueueAttributes: RedrivePolicy.

    AWS returns the policy as compact JSON,
    {"deadLetterTargetArn":"arn:aws:sqs:...","maxReceiveCount":10} (SQS API reference,
    GetQueueAttributes / SetQueueAttributes, RedrivePolicy). The provider stores it as
    read, without a JSON-equivalence check (internal/service/sqs/queue.go:
    redrive_policy has a StateFunc only), so the JSON the app sends (jsonencode:
    compact, keys sorted) must come back byte for byte. moto 5.2.1 answers
    json.dumps with spaces after ":" and ",": a change on every plan.
    """
    import json as _json

    from moto.sqs.models import Queue

    original = Queue.attributes

    def attributes(self):
        result = original.fget(self)
        if self.redrive_policy:
            result["RedrivePolicy"] = _json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    Queue.attributes = property(attributes)


def shim_prefix_list_max_entries():
    """EC2 ModifyManagedPrefixList with MaxEntries.

    AWS resizes the prefix list ("MaxEntries: The maximum number of entries for the
    prefix list. You cannot modify the entries of a prefix list and modify the size
    of a prefix list at the same time", EC2 API reference, ModifyManagedPrefixList);
    the provider raises it in a call of its own before adding entries
    (internal/service/ec2/vpc_managed_prefix_list.go, updateMaxEntry). moto 5.2.1
    ignores MaxEntries, so a proxy region added to the mesh re-plans
    max_entries forever, and clears the name of a list modified without
    PrefixListName (optional in AWS: unchanged when absent).
    """
    from moto.ec2.responses.vpcs import VPCs

    original = VPCs.modify_managed_prefix_list

    def modify_managed_prefix_list(self):
        # A call without PrefixListName keeps the name (AWS: the parameter
        # is optional); moto 5.2.1 sets it to None, so a region retired
        # (entries removed, then MaxEntries lowered alone) re-plans the name.
        pl_before = self.ec2_backend.managed_prefix_lists.get(self._get_param("PrefixListId"))
        name = pl_before.prefix_list_name if pl_before is not None else None
        result = original(self)
        if self._get_param("PrefixListName") is None and pl_before is not None:
            pl_before.prefix_list_name = name
        max_entries = self._get_param("MaxEntries")
        if max_entries is not None:
            pl = self.ec2_backend.managed_prefix_lists.get(self._get_param("PrefixListId"))
            if pl is not None:
                pl.max_entries = int(max_entries)
        return result

    VPCs.modify_managed_prefix_list = modify_managed_prefix_list


def shim_vpc_peering_connection_filters():
    """EC2 DescribeVpcPeeringConnections with Filters.

    AWS returns only the connections matching every filter
    (requester-vpc-info.vpc-id, accepter-vpc-info.vpc-id, status-code,
    vpc-peering-connection-id, tag:<key>, ...: EC2 API reference,
    DescribeVpcPeeringConnections). The provider's aws_vpc_peering_connection
    data source sends vpc_id, peer_vpc_id, status and tags as those filters
    and needs exactly one match (internal/service/ec2,
    vpc_peering_connection_data_source.go); the mesh stacks find the connection
    they adopt with it. moto 5.2.1 ignores Filters and returns every connection
    of the account, so the look-up fails with "multiple EC2 VPC Peering
    Connections matched".
    """
    from moto.core.responses import ActionResult
    from moto.ec2.responses.vpc_peering_connections import VPCPeeringConnections
    from moto.ec2.utils import tag_filter_matches

    fields = {
        "requester-vpc-info.vpc-id": lambda p: p.vpc.id,
        "requester-vpc-info.cidr-block": lambda p: p.vpc.cidr_block,
        "requester-vpc-info.owner-id": lambda p: p.vpc.owner_id,
        "accepter-vpc-info.vpc-id": lambda p: p.peer_vpc.id,
        "accepter-vpc-info.cidr-block": lambda p: p.peer_vpc.cidr_block,
        "accepter-vpc-info.owner-id": lambda p: p.peer_vpc.owner_id,
        "status-code": lambda p: p._status.code,
        "vpc-peering-connection-id": lambda p: p.id,
    }

    def matches(pcx, filters):
        for name, values in filters.items():
            if name.startswith("tag"):
                if not tag_filter_matches(pcx, name, values):
                    return False
            elif name in fields and fields[name](pcx) not in values:
                return False
        return True

    def describe_vpc_peering_connections(self):
        ids = self._get_param("VpcPeeringConnectionIds", [])
        filters = self._filters_from_querystring()
        pcxs = self.ec2_backend.describe_vpc_peering_connections(vpc_peering_ids=ids)
        return ActionResult({"VpcPeeringConnections": [p for p in pcxs if matches(p, filters)]})

    VPCPeeringConnections.describe_vpc_peering_connections = describe_vpc_peering_connections


def shim_autoscaling_instance_refresh():
    """Auto Scaling StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh.

    AWS starts a rolling replacement of the group's instances and returns its
    InstanceRefreshId; DescribeInstanceRefreshes reports it (Status Pending,
    InProgress, Successful, ...); CancelInstanceRefresh stops one in progress, else
    fails with ActiveInstanceRefreshNotFound (Auto Scaling API reference). The
    provider starts one whenever the launch template of a group with an
    instance_refresh block changes (internal/service/autoscaling/group.go,
    startInstanceRefresh) and does not wait for it. moto 5.2.1 implements none of
    them: every release change retries the 500 until the update times out. The
    emulator runs no instances, so a refresh here has nothing to replace and is
    Successful at once. Like AWS, it refuses AutoRollback where a rollback is not
    supported (RefreshPreferences.AutoRollback, Auto Scaling API reference): no
    desired configuration in the request, or a launch template version of
    $Latest or $Default; so the run proves the provider sends what a rollback
    needs.
    """
    import datetime as _dt

    from moto.autoscaling.exceptions import AutoscalingClientError
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult

    class ActiveInstanceRefreshNotFound(AutoscalingClientError):
        code = "ActiveInstanceRefreshNotFound"

    def refreshes(backend):
        if not hasattr(backend, "shim_refreshes"):
            backend.shim_refreshes = []
        return backend.shim_refreshes

    def start_instance_refresh(self):
        params = self._get_params()
        prefs = params.get("Preferences") or {}
        desired = params.get("DesiredConfiguration") or {}
        if str(prefs.get("AutoRollback", "")).lower() == "true":
            version = (desired.get("LaunchTemplate") or {}).get("Version")
            if not desired:
                raise AutoscalingClientError("ValidationError", "AutoRollback is not supported without a DesiredConfiguration.")
            if version in (None, "$Latest", "$Default"):
                raise AutoscalingClientError("ValidationError",
                                             "AutoRollback is not supported when the launch template version is $Latest or $Default.")
        now = _dt.datetime.now(_dt.timezone.utc)
        refresh = {
            "InstanceRefreshId": str(uuid.uuid4()),
            "AutoScalingGroupName": self._get_param("AutoScalingGroupName"),
            "Status": "Successful",
            "StartTime": now,
            "EndTime": now,
            "PercentageComplete": 100,
            "InstancesToUpdate": 0,
        }
        refreshes(self.autoscaling_backend).append(refresh)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self):
        group = self._get_param("AutoScalingGroupName")
        ids = self._get_param("InstanceRefreshIds", [])
        found = [r for r in reversed(refreshes(self.autoscaling_backend))
                 if r["AutoScalingGroupName"] == group and (not ids or r["InstanceRefreshId"] in ids)]
        return ActionResult({"InstanceRefreshes": found})

    def cancel_instance_refresh(self):
        group = self._get_param("AutoScalingGroupName")
        for r in refreshes(self.autoscaling_backend):
            if r["AutoScalingGroupName"] == group and r["Status"] in ("Pending", "InProgress"):
                r["Status"] = "Cancelled"
                return ActionResult({"InstanceRefreshId": r["InstanceRefreshId"]})
        raise ActiveInstanceRefreshNotFound(f"No in progress or pending Instance Refresh found for Auto Scaling group {group}")

    AutoScalingResponse.start_instance_refresh = start_instance_refresh
    AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes
    AutoScalingResponse.cancel_instance_refresh = cancel_instance_refresh


def shim_s3_policy_conditions():
    """S3 bucket policies: statements with a Condition.

    AWS evaluates a statement's Condition against the request (IAM User Guide,
    "IAM JSON policy elements: Condition"); the app's buckets deny every request
    with aws:SecureTransport false, which never matches the TLS requests of
    Terraform, the CLI or Teleport. moto 5.2.1 ignores conditions ("Conditions are
    not taken into account", S3Backend.put_bucket_policy), so that conditional Deny
    denies every object request: DeleteObject answers 403 and the teardown
    runbook's "empty the buckets" cannot run. The shim leaves conditional
    statements out of moto's evaluation (moto has no request context to evaluate
    them with; the emulator is reached without TLS on loopback).
    """
    import json as _json

    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = _json.loads(self.policy)
        statements = policy.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        policy["Statement"] = [st for st in statements if "Condition" not in st]
        return IAMPolicy(_json.dumps(policy)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


def shim_launch_template_version_user_data():
    """EC2 CreateLaunchTemplateVersion with LaunchTemplateData.UserData.

    AWS stores the new version's user data as sent (base64) and launches instances
    from it (EC2 API reference, CreateLaunchTemplateVersion; RequestLaunchTemplateData
    UserData). The provider creates a version whenever the user data or the image
    changes (internal/service/ec2/ec2_launch_template.go). moto 5.2.1 decodes
    UserData only in CreateLaunchTemplate; a later version keeps a plain string, and
    every launch from it (a scale-out, a proxy count raised) fails an assertion
    with a 500 until the group update times out.
    """
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import parse_user_data

    original = LaunchTemplates.create_launch_template_version

    def create_launch_template_version(self):
        get_param = self._get_param
        encoded = get_param("LaunchTemplateData.UserData")

        def with_user_data(name, *args, **kwargs):
            value = get_param(name, *args, **kwargs)
            if name == "LaunchTemplateData" and isinstance(value, dict) and encoded is not None:
                value = dict(value)
                value["UserData"] = parse_user_data(encoded)
            return value

        self._get_param = with_user_data
        try:
            return original(self)
        finally:
            del self._get_param

    LaunchTemplates.create_launch_template_version = create_launch_template_version


def shim_autoscaling_lifecycle_hook_targets():
    """Auto Scaling PutLifecycleHook and DescribeLifecycleHooks.

    AWS keeps a hook's NotificationTargetARN, RoleARN and NotificationMetadata as
    put, and DescribeLifecycleHooks returns them only when set (Auto Scaling API
    reference, LifecycleHook). The provider reads all three back into state
    (internal/service/autoscaling/lifecycle_hook.go). moto 5.2.1 ignores them on put
    and describes every hook with a placeholder queue and role ("my-queue",
    "my-auto-scaling-role"), so every aws_autoscaling_lifecycle_hook without them
    plans an update forever.
    """
    from moto.autoscaling.models import LifecycleHook
    from moto.autoscaling.responses import AutoScalingResponse

    original_init = LifecycleHook.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.role_arn = None
        self.notification_target_arn = None
        self.notification_metadata = None

    original_put = AutoScalingResponse.put_lifecycle_hook

    def put_lifecycle_hook(self):
        result = original_put(self)
        hooks = self.autoscaling_backend.lifecycle_hooks
        hook = hooks.get(f'{self._get_param("AutoScalingGroupName")}_{self._get_param("LifecycleHookName")}')
        if hook is not None:
            hook.role_arn = self._get_param("RoleARN")
            hook.notification_target_arn = self._get_param("NotificationTargetARN")
            hook.notification_metadata = self._get_param("NotificationMetadata")
        return result

    LifecycleHook.__init__ = init
    AutoScalingResponse.put_lifecycle_hook = put_lifecycle_hook


def shim_backup_update_plan():
    """AWS Backup UpdateBackupPlan.

    AWS replaces the plan's rules and advanced settings with the ones sent and
    makes a new version (POST /backup/plans/{id} returns BackupPlanId,
    BackupPlanArn, CreationDate, VersionId; GetBackupPlan then returns the new
    document; AWS Backup API reference, UpdateBackupPlan). The provider updates
    a plan in place whenever a rule changes, e.g. a copy action added for
    backup.copy_region (internal/service/backup/plan.go). moto 5.2.1 has no
    handler: the provider retries the 500 until the apply times out.
    """
    from moto.backup.models import Plan
    from moto.backup.responses import BackupResponse
    from moto.backup.exceptions import ResourceNotFoundException

    def update_backup_plan(self):
        plan_id = [p for p in self.path.split("?")[0].split("/") if p][-1]
        plan = self.backup_backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup plan with provided version {plan_id}")
        # A Plan built from the new document applies AWS's rule defaults
        # (schedule, windows, time zone) as CreateBackupPlan does.
        fresh = Plan(backup_plan=json.loads(self.body)["BackupPlan"], creator_request_id=plan.creator_request_id, backend=self.backup_backend)
        plan.backup_plan = fresh.backup_plan
        plan.advanced_backup_settings = fresh.advanced_backup_settings
        plan.version_id = fresh.version_id
        return json.dumps(plan.to_dict())

    BackupResponse.update_backup_plan = update_backup_plan


def shim_route53_cloudwatch_health_check():
    """Route 53 CreateHealthCheck, UpdateHealthCheck and GetHealthCheck of type CLOUDWATCH_METRIC.

    AWS keeps a CloudWatch alarm health check's AlarmIdentifier (alarm name and
    region) and InsufficientDataHealthStatus as sent, returns them in its
    HealthCheckConfig, and returns no endpoint settings for it: no IPAddress,
    Port, RequestInterval, FailureThreshold or MeasureLatency, which only
    endpoint checks have (Route 53 API reference, HealthCheckConfig: "If you
    specify CLOUDWATCH_METRIC ... AlarmIdentifier ... InsufficientDataHealthStatus").
    The provider reads all of them back into state; request_interval is
    ForceNew and port is not computed (internal/service/route53/health_check.go).
    moto 5.2.1 drops both settings and answers Port 80, RequestInterval 30 and
    FailureThreshold 3 for every non-CALCULATED check, so such a check would be
    replaced (request_interval) or updated (port) at every plan.
    """
    from moto.route53.models import HealthCheck
    from moto.route53.responses import Route53

    endpoint_only = ("IPAddress", "Port", "RequestInterval", "FailureThreshold", "MeasureLatency",
                     "ResourcePath", "FullyQualifiedDomainName", "SearchString")
    original_config = HealthCheck.health_check_config.fget

    def health_check_config(self):
        config = original_config(self)
        if self.type_ == "CLOUDWATCH_METRIC":
            for key in endpoint_only:
                config.pop(key, None)
            config["AlarmIdentifier"] = getattr(self, "alarm_identifier", None)
            config["InsufficientDataHealthStatus"] = getattr(self, "insufficient_data_health_status", None)
        return config

    def keep(health_check, alarm, status):
        if alarm:
            health_check.alarm_identifier = {"Region": alarm.get("Region"), "Name": alarm.get("Name")}
        if status:
            health_check.insufficient_data_health_status = status

    original_create = Route53.create_health_check

    def create_health_check(self):
        result = original_create(self)
        config = self._get_param("HealthCheckConfig") or {}
        keep(result.result["HealthCheck"], config.get("AlarmIdentifier"), config.get("InsufficientDataHealthStatus"))
        return result

    original_update = Route53.update_health_check

    def update_health_check(self):
        result = original_update(self)
        keep(result.result["HealthCheck"], self._get_param("AlarmIdentifier"), self._get_param("InsufficientDataHealthStatus"))
        return result

    HealthCheck.health_check_config = property(health_check_config)
    Route53.create_health_check = create_health_check
    Route53.update_health_check = update_health_check


def shim_gateway_endpoint_route_tables():
    """EC2 ModifyVpcEndpoint of a gateway endpoint (S3, DynamoDB).

    AWS adds the endpoint's route (destination: the service's prefix list) to
    every route table associated with AddRouteTableIds and removes it from the
    tables of RemoveRouteTableIds ("Gateway endpoints", AWS PrivateLink guide:
    "when you associate a route table with a gateway endpoint, we add a route
    ... when you disassociate it, we remove the route"). The provider modifies
    route_table_ids in place when a zone's route table is added or removed
    (internal/service/ec2/vpc_endpoint.go). moto 5.2.1 only changes the list:
    an added table never gets the route, and DeleteVpcEndpoints, which deletes
    the route from every listed table, then fails with InvalidRoute.NotFound.
    """
    from moto.ec2.models.vpcs import VPCBackend

    original = VPCBackend.modify_vpc_endpoint

    def modify_vpc_endpoint(self, vpc_id, policy_doc, add_subnets, remove_subnets, remove_route_tables, add_route_tables,
                            add_security_groups, remove_security_groups):
        endpoint = self.describe_vpc_endpoints(vpc_end_point_ids=[vpc_id])[0]
        before = set(endpoint.route_table_ids or [])
        original(self, vpc_id, policy_doc, add_subnets, remove_subnets, remove_route_tables, add_route_tables,
                 add_security_groups, remove_security_groups)
        pl = endpoint.destination_prefix_list_id
        if endpoint.vpc_endpoint_type.lower() != "gateway" or not pl:
            return
        for rt in add_route_tables or []:
            if rt not in before:
                self.create_route(rt, None, gateway_id=endpoint.id, destination_prefix_list_id=pl)
        for rt in remove_route_tables or []:
            if rt in before:
                try:
                    self.delete_route(rt, None, destination_prefix_list_id=pl)
                except Exception:
                    pass  # the table went first

    VPCBackend.modify_vpc_endpoint = modify_vpc_endpoint


def shim_dynamodb_update_table_encryption():
    """DynamoDB UpdateTable: SSESpecification.

    AWS: UpdateTable's SSESpecification sets "the new server-side encryption
    settings for the specified table", and DescribeTable then returns them
    in SSEDescription (Amazon DynamoDB API reference, UpdateTable and
    SSEDescription). The provider sends it when a table's
    server_side_encryption changes, e.g. a restored or imported table that
    the stack encrypts with the cluster key (internal/service/dynamodb/
    table.go, resourceTableUpdate, and waitSSEUpdated). moto 5.2.1 drops it
    (moto/dynamodb/responses.py, DynamoHandler.update_table), so the table
    stays unencrypted and every plan updates it again.
    """
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.update_table

    def update_table(self):
        spec = self.body.get("SSESpecification")
        if spec is not None:
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            if spec.get("Enabled"):
                spec = dict(spec)
                if "KMSMasterKeyId" not in spec:
                    spec["KMSMasterKeyId"] = table._get_default_encryption_key(
                        self.dynamodb_backend.account_id, self.dynamodb_backend.region_name)
                table.sse_specification = spec
            else:
                table.sse_specification = None
        return original(self)

    DynamoHandler.update_table = update_table


SHIMS = [
    shim_backup_selections,
    shim_private_zone_with_vpc,
    shim_autoscaling_group_settings,
    shim_launch_template_own_tags,
    shim_backup_list_tags_path,
    shim_dynamodb_export_encryption,
    shim_security_group_rule_description,
    shim_transit_gateway_default_route_table,
    shim_transit_gateway_vpc_attachment_tags,
    shim_transit_gateway_route_attachment,
    shim_sqs_redrive_policy_json,
    shim_prefix_list_max_entries,
    shim_vpc_peering_connection_filters,
    shim_autoscaling_instance_refresh,
    shim_s3_policy_conditions,
    shim_launch_template_version_user_data,
    shim_autoscaling_lifecycle_hook_targets,
    shim_backup_update_plan,
    shim_route53_cloudwatch_health_check,
    shim_gateway_endpoint_route_tables,
    shim_dynamodb_update_table_encryption,
]


# ---------------------------------------------------------------------------
# Seeding: what an account holds before the first deploy (the prerequisites
# of docs/first-deploy.md), written through the AWS API of the running server.
# ---------------------------------------------------------------------------

_next_ids = {}


def _with_ids():
    """Lets the seed create VPCs, subnets and route tables under the ids an
    existing_vpc config names (moto draws them at random)."""
    import moto.ec2.models.vpcs as vpcs
    import moto.ec2.models.subnets as subnets
    import moto.ec2.models.route_tables as route_tables

    for module, name in ((vpcs, "random_vpc_id"), (subnets, "random_subnet_id"), (route_tables, "random_route_table_id")):
        original = getattr(module, name)

        def draw(original=original, name=name):
            queue = _next_ids.get(name)
            return queue.pop(0) if queue else original()

        setattr(module, name, draw)


def seed(endpoint, spec):
    import boto3

    def client(service, region="us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=endpoint,
                            aws_access_key_id="test", aws_secret_access_key="test")

    for zone in spec.get("hosted_zones", []):
        if zone.get("id"):
            # The id the config names (hosted_zone_id), through moto's own
            # custom-id registry.
            from moto.route53.models import HostedZoneIdentifier
            from moto.utilities.id_generator import moto_id_manager

            name = zone["name"].rstrip(".") + "."
            moto_id_manager.set_custom_id(HostedZoneIdentifier("123456789012", name, None), zone["id"])
        client("route53").create_hosted_zone(Name=zone["name"], CallerReference=str(uuid.uuid4()))
    for p in spec.get("ssm_parameters", []):
        client("ssm", p["region"]).put_parameter(Name=p["name"], Value=p["value"], Type=p.get("type", "SecureString"))
    for v in spec.get("vpcs", []):
        ec2 = client("ec2", v["region"])
        # The region's first call creates its default VPC and subnets,
        # which would take the queued ids: make it before queueing them.
        ec2.describe_vpcs()
        _next_ids["random_vpc_id"] = [v["id"]]
        ec2.create_vpc(CidrBlock=v["cidr"])
        # The app requires both (Route 53 private zones, endpoint names).
        ec2.modify_vpc_attribute(VpcId=v["id"], EnableDnsHostnames={"Value": True})
        ec2.modify_vpc_attribute(VpcId=v["id"], EnableDnsSupport={"Value": True})
        igw = None
        if v.get("internet_gateway"):
            igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=v["id"])
        for s in v.get("subnets", []):
            _next_ids["random_subnet_id"] = [s["id"]]
            where = {"AvailabilityZoneId": s["zone_id"]} if s.get("zone_id") else {"AvailabilityZone": s["zone"]}
            ec2.create_subnet(VpcId=v["id"], CidrBlock=s["cidr"], **where)
        for rt in v.get("route_tables", []):
            _next_ids["random_route_table_id"] = [rt["id"]]
            ec2.create_route_table(VpcId=v["id"])
            for sid in rt.get("subnets", []):
                ec2.associate_route_table(RouteTableId=rt["id"], SubnetId=sid)
            if rt.get("internet_gateway") and igw:
                ec2.create_route(RouteTableId=rt["id"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for b in spec.get("buckets", []):
        s3 = client("s3", b["region"])
        if b["region"] == "us-east-1":
            s3.create_bucket(Bucket=b["name"])
        else:
            s3.create_bucket(Bucket=b["name"], CreateBucketConfiguration={"LocationConstraint": b["region"]})
    for t in spec.get("tables", []):
        client("dynamodb", t["region"]).create_table(
            TableName=t["name"], BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}])
    for img in spec.get("images", []):
        from moto.ec2.models import ec2_backends

        ec2 = client("ec2", img["region"])
        image_id = ec2.register_image(Name=img["name"], Architecture=img["architecture"],
                                      RootDeviceName="/dev/xvda", VirtualizationType="hvm")["ImageId"]
        # The publisher's account, as Teleport's images have it (moto sets the
        # caller's), and the architecture RegisterImage was given (moto 5.2.1
        # drops it; the app's image look-up filters on it).
        for backend in ec2_backends.values():
            if img["region"] in backend and image_id in backend[img["region"]].amis:
                ami = backend[img["region"]].amis[image_id]
                ami.owner_id = img["owner"]
                ami.architecture = img["architecture"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed")
    args = parser.parse_args()

    for shim in SHIMS:
        shim()
    _with_ids()

    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            seed(f"http://{args.host}:{args.port}", json.load(f))
    print(f"ready {args.port}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def watch_stdin():
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
