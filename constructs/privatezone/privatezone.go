// Package privatezone gives the Auth Service a stable private address: a
// Route 53 private hosted zone created with the auth VPC, associated with
// every proxy VPC of the cluster (cross-region associations of one account;
// the same in both connectivity modes, since resolution happens in each
// VPC and the traffic then takes the peering or transit gateway route),
// holding an alias record for the auth NLB. Proxies join through that name,
// so replacing the NLB (removing an auth zone: the AWS provider cannot take a
// subnet off a network load balancer in place) changes one record, not every
// region's launch template.
package privatezone

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53zone"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53zoneassociation"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configures a Zone.
type Props struct {
	// Name is the zone's name, e.g. example.teleport.internal: not the
	// cluster's public domain, which a private zone would shadow inside the
	// VPCs.
	Name string
	// RecordName is the full name of the alias record.
	RecordName string
	// VPCID and Region are the VPC the zone is created with (the auth VPC).
	VPCID  *string
	Region string
	// TargetDNSName and TargetZoneID are the load balancer the record
	// aliases.
	TargetDNSName, TargetZoneID *string
}

// Zone is the private hosted zone and its record.
type Zone struct {
	constructs.Construct
	// ID is the zone id other stacks associate their VPCs with.
	ID *string
	// Address is the record's name.
	Address string
}

// New creates the zone with the auth VPC and the alias record.
//
// The zone's vpc block names the auth VPC only, and Terraform must ignore
// changes to it: the proxy stacks add their VPCs with separate
// aws_route53_zone_association resources, which the provider documents as
// conflicting with an unignored vpc block (aws_route53_zone_association:
// "use lifecycle ignore_changes on vpc").
func New(scope constructs.Construct, id string, props *Props) *Zone {
	c := constructs.NewConstruct(scope, jsii.String(id))
	zone := route53zone.NewRoute53Zone(c, jsii.String("zone"), &route53zone.Route53ZoneConfig{
		Name:    jsii.String(props.Name),
		Comment: jsii.String("Teleport Auth Service, private to the cluster's VPCs"),
		Vpc: []route53zone.Route53ZoneVpc{{
			VpcId: props.VPCID, VpcRegion: jsii.String(props.Region),
		}},
		Lifecycle: &cdktf.TerraformResourceLifecycle{IgnoreChanges: &[]*string{jsii.String("vpc")}},
	})
	route53record.NewRoute53Record(c, jsii.String("auth"), &route53record.Route53RecordConfig{
		ZoneId: zone.ZoneId(),
		Name:   jsii.String(props.RecordName),
		Type:   jsii.String("A"),
		Alias: &route53record.Route53RecordAlias{
			Name: props.TargetDNSName, ZoneId: props.TargetZoneID, EvaluateTargetHealth: jsii.Bool(true),
		},
	})
	return &Zone{Construct: c, ID: zone.ZoneId(), Address: props.RecordName}
}

// Associate associates a VPC of region with the zone (same account:
// no authorization is needed, "Associating more VPCs with a private hosted
// zone", Route 53 developer guide).
func Associate(scope constructs.Construct, id string, zoneID, vpcID *string, region string) {
	route53zoneassociation.NewRoute53ZoneAssociation(scope, jsii.String(id), &route53zoneassociation.Route53ZoneAssociationConfig{
		ZoneId: zoneID, VpcId: vpcID, VpcRegion: jsii.String(region),
	})
}
