package network

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsroutetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawssubnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsvpc"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// given fills n from an existing VPC. The app cannot see the account, so
// what the config claims is checked when Terraform plans: a data source per
// VPC, subnet and route table, each with postconditions (Terraform "Custom
// Conditions": a failed postcondition of a data source stops the plan with
// its error message, before anything is changed).
func (n *Network) given(vpcRange netip.Prefix, props *Props) {
	g := props.Given
	n.Given = true
	n.VPCID = jsii.String(g.VPCID)
	cond := func(expr, msg string) *cdktf.Postcondition {
		return &cdktf.Postcondition{Condition: jsii.String("${" + expr + "}"), ErrorMessage: jsii.String(msg)}
	}
	quoted := func(s string) string { return `"` + s + `"` }
	inVPC := func(what, id string) *cdktf.Postcondition {
		return cond("self.vpc_id == "+quoted(g.VPCID), fmt.Sprintf("%s %s is not in %s (existing_vpc.vpc_id)", what, id, g.VPCID))
	}

	var zoneChecks []*cdktf.Postcondition
	subnets := func(kind string, ids []string) ([]*string, []Zone) {
		var out, zones []string
		var located []Zone
		for i, id := range ids {
			s := dataawssubnet.NewDataAwsSubnet(n.Construct, jsii.String(fmt.Sprintf("given-%s-%d", kind, i)), &dataawssubnet.DataAwsSubnetConfig{
				Id: jsii.String(id),
				Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{
					inVPC("subnet", id),
					// Firewall rules of the other regions admit vpc_cidr: a
					// subnet in a secondary range of the VPC would be
					// outside them. The subnet's address masked to the
					// VPC's prefix length must be the VPC's network address.
					cond(fmt.Sprintf(`tonumber(split("/", self.cidr_block)[1]) >= %d && cidrhost(join("/", [split("/", self.cidr_block)[0], "%d"]), 0) == %s`,
						vpcRange.Bits(), vpcRange.Bits(), quoted(vpcRange.Addr().String())),
						fmt.Sprintf("subnet %s is outside vpc_cidr %s: give subnets of the VPC's range vpc_cidr", id, vpcRange)),
				}},
			})
			out = append(out, id)
			zone := "data.aws_subnet." + *s.FriendlyUniqueId() + ".availability_zone_id"
			zones = append(zones, zone)
			located = append(located, Zone{LocationType: LocationZoneID, Expr: zone, Label: "the zone of " + id})
		}
		if len(zones) > 1 {
			// Load balancers take one subnet per zone, and a group whose
			// subnets share a zone does not survive that zone's loss.
			zoneChecks = append(zoneChecks, cond(fmt.Sprintf("length(distinct([%s])) == %d", strings.Join(zones, ", "), len(zones)),
				fmt.Sprintf("the %s subnets %s must be in distinct availability zones", kind, strings.Join(ids, ", "))))
		}
		return *jsii.Strings(out...), located
	}
	n.PrivateSubnetIDs, n.PrivateZones = subnets("private", g.PrivateSubnetIDs)
	n.PublicSubnetIDs, n.PublicZones = subnets("public", g.PublicSubnetIDs)
	for i, id := range g.InstanceRouteTableIDs {
		dataawsroutetable.NewDataAwsRouteTable(n.Construct, jsii.String(fmt.Sprintf("given-route-table-%d", i)), &dataawsroutetable.DataAwsRouteTableConfig{
			RouteTableId: jsii.String(id),
			Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{
				inVPC("route table", id),
			}},
		})
		n.InstanceRouteTables = append(n.InstanceRouteTables, RouteTable{ID: jsii.String(id), Key: id, Legacy: i})
	}
	dataawsvpc.NewDataAwsVpc(n.Construct, jsii.String("given-vpc"), &dataawsvpc.DataAwsVpcConfig{
		Id: jsii.String(g.VPCID),
		Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: ptr(append([]*cdktf.Postcondition{
			cond("self.cidr_block == "+quoted(props.CIDR),
				fmt.Sprintf("the primary range of %s is not vpc_cidr %s: set vpc_cidr to the VPC's range", g.VPCID, props.CIDR)),
			// Route 53 private hosted zones resolve only in VPCs with both
			// (Route 53 developer guide, "Considerations when working with a
			// private hosted zone"), and so do interface endpoints' private
			// DNS names.
			cond("self.enable_dns_support && self.enable_dns_hostnames",
				fmt.Sprintf("%s must have DNS support and DNS hostnames enabled (Route 53 private hosted zones and endpoint DNS names need both)", g.VPCID)),
		}, zoneChecks...))},
	})
}

func ptr[T any](v T) *T { return &v }
