// Package firewall provides security groups whose rules are separate
// resources (aws_vpc_security_group_ingress_rule / _egress_rule): the
// provider's recommended form, one reviewable resource per opening, and rules
// that another stack can add to a group it does not own.
package firewall

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2managedprefixlist"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ec2managedprefixlistentry"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Anywhere is the IPv4 range of the whole internet.
const Anywhere = "0.0.0.0/0"

// Rule opens one TCP port to or from one IPv4 range or one security group.
type Rule struct {
	// Port is the TCP port.
	Port int
	// CIDR is the peer range; ignored when Group is set.
	CIDR string
	// Group is the peer security group (its members, by private address):
	// how instances admit only their own load balancer.
	Group *string
	// PrefixList is a managed prefix list of peer ranges; ignored when
	// Group is set. A rule naming it counts as its max entries against the
	// quota of rules per security group.
	PrefixList *string
	// Description says who needs this opening and why.
	Description string
	// Provider, when set, manages the rule through another region's
	// provider (a rule on a group owned by another stack).
	Provider cdktf.TerraformProvider
}

// NewGroup creates a security group with no rules: the AWS provider removes
// the default allow-all egress rule of a new group, and inline rules are never
// used, since they would fight with the separate rule resources.
func NewGroup(scope constructs.Construct, id, name, description string, vpcID *string) *string {
	sg := securitygroup.NewSecurityGroup(scope, jsii.String(id), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(name),
		Description: jsii.String(description),
		VpcId:       vpcID,
		Tags:        &map[string]*string{"Name": jsii.String(name)},
	})
	return sg.Id()
}

// AllowIn adds an ingress rule to the group groupID.
func AllowIn(scope constructs.Construct, id string, groupID *string, r Rule) {
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(scope, jsii.String(id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		Provider:                  r.Provider,
		SecurityGroupId:           groupID,
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  jsii.Number(float64(r.Port)),
		ToPort:                    jsii.Number(float64(r.Port)),
		CidrIpv4:                  r.cidr(),
		ReferencedSecurityGroupId: r.Group,
		PrefixListId:              r.prefixList(),
		Description:               jsii.String(r.Description),
	})
}

func (r Rule) cidr() *string {
	if r.Group != nil || r.PrefixList != nil {
		return nil
	}
	return jsii.String(r.CIDR)
}

func (r Rule) prefixList() *string {
	if r.Group != nil {
		return nil
	}
	return r.PrefixList
}

// Range is one entry of a prefix list.
type Range struct {
	// CIDR is the IPv4 range; Description says whose it is.
	CIDR, Description string
}

// PrefixList is a customer-managed IPv4 prefix list whose entries are
// separate resources (PrefixListEntry), so that stacks other than the
// list's own can add and remove entries: the list's resource declares no
// entry, which the provider then leaves alone ("entry" is optional and
// computed; the provider refuses inline entries mixed with entry resources).
// MaxEntries is fixed, so that entries come and go without a change to the
// list.
type PrefixList struct {
	// ID is the list's id; Resource is its resource (for import blocks
	// that refer to it).
	ID       *string
	Resource cdktf.TerraformResource
}

// NewPrefixList creates the list, sized for maxEntries ranges. Rules that
// name it replace one rule per range: one resource to review.
func NewPrefixList(scope constructs.Construct, id, name string, maxEntries int) *PrefixList {
	pl := ec2managedprefixlist.NewEc2ManagedPrefixList(scope, jsii.String(id), &ec2managedprefixlist.Ec2ManagedPrefixListConfig{
		Name:          jsii.String(name),
		AddressFamily: jsii.String("IPv4"),
		MaxEntries:    jsii.Number(float64(maxEntries)),
		Tags:          &map[string]*string{"Name": jsii.String(name)},
	})
	return &PrefixList{ID: pl.Id(), Resource: pl}
}

// PrefixListEntry adds r to the list listID, through provider (nil: the
// stack's default). The provider serializes changes to one list within a
// Terraform run and retries a version mismatch (ec2_managed_prefix_list_entry).
func PrefixListEntry(scope constructs.Construct, id string, listID *string, r Range, provider cdktf.TerraformProvider) ec2managedprefixlistentry.Ec2ManagedPrefixListEntryA {
	return ec2managedprefixlistentry.NewEc2ManagedPrefixListEntryA(scope, jsii.String(id), &ec2managedprefixlistentry.Ec2ManagedPrefixListEntryAConfig{
		Provider:     provider,
		PrefixListId: listID,
		Cidr:         jsii.String(r.CIDR),
		Description:  jsii.String(r.Description),
	})
}

// PrefixListEntryImportID is the import id of an entry of list listID:
// "<list id>,<cidr>" (internal/service/ec2, vpc_managed_prefix_list_entry.go).
func PrefixListEntryImportID(listID *string, cidr string) *string {
	return jsii.String(*listID + "," + cidr)
}

// AllowOut adds an egress rule to the group groupID.
func AllowOut(scope constructs.Construct, id string, groupID *string, r Rule) {
	vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(scope, jsii.String(id), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		Provider:                  r.Provider,
		SecurityGroupId:           groupID,
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  jsii.Number(float64(r.Port)),
		ToPort:                    jsii.Number(float64(r.Port)),
		CidrIpv4:                  r.cidr(),
		ReferencedSecurityGroupId: r.Group,
		PrefixListId:              r.prefixList(),
		Description:               jsii.String(r.Description),
	})
}

// RuleID builds a stable construct id for a rule, e.g. "in-3025-10-1-0-0-16".
func RuleID(direction string, port int, cidr string) string {
	b := []byte(cidr)
	for i, ch := range b {
		if ch == '.' || ch == '/' {
			b[i] = '-'
		}
	}
	return fmt.Sprintf("%s-%d-%s", direction, port, b)
}
