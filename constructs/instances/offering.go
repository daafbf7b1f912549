package instances

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsec2instancetypeofferings"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// checkOffered refuses, when Terraform plans, an instance type that EC2
// does not offer in every zone of the group: a type that does not exist
// (m6i.lrage) is offered nowhere, and a real one may be missing from a zone
// (use1-az3 has no m6i.large). Without the check, the apply creates the
// launch template and the group, and the group's launches fail, in that
// zone or everywhere, while Terraform waits for capacity.
//
// The offerings are read like the image's architecture (image.go): a data
// source with a postcondition, whose failure stops the plan with the
// message before anything changes. AWS answers DescribeInstanceTypeOfferings
// for the instance-type filter with the zones that offer the type (none
// for an unknown type: the filter matches nothing, it is no error), in the
// location type asked for (AWS provider internal/service/ec2,
// ec2_instance_type_offerings_data_source.go: instance_types, locations,
// location_types, one entry per offering). A table of types in the app
// would be stale on the day AWS launches a family or a zone.
//
// One data source per location type the zones use: zone IDs for given
// subnets and default zones, zone names where the config lists names.
func checkOffered(scope constructs.Construct, region, instanceType string, zones []network.Zone) {
	byType := map[string][]network.Zone{}
	for _, z := range zones {
		byType[z.LocationType] = append(byType[z.LocationType], z)
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		var exprs, labels []string
		for _, z := range byType[t] {
			exprs = append(exprs, z.Expr)
			labels = append(labels, z.Label)
		}
		id := "instance-type-offered"
		if len(types) > 1 {
			id += "-" + t
		}
		dataawsec2instancetypeofferings.NewDataAwsEc2InstanceTypeOfferings(scope, jsii.String(id), &dataawsec2instancetypeofferings.DataAwsEc2InstanceTypeOfferingsConfig{
			LocationType: jsii.String(t),
			Filter: []dataawsec2instancetypeofferings.DataAwsEc2InstanceTypeOfferingsFilter{{
				Name: jsii.String("instance-type"), Values: jsii.Strings(instanceType),
			}},
			Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{{
				// locations may be null when nothing is offered.
				Condition: jsii.String(fmt.Sprintf("${length(setsubtract([%s], self.locations == null ? [] : self.locations)) == 0}", strings.Join(exprs, ", "))),
				ErrorMessage: jsii.String(fmt.Sprintf("instance type %s is not offered in every zone of this group (%s): it does not exist, or a zone lacks it; choose a type that each zone offers (aws ec2 describe-instance-type-offerings --region %s --location-type %s --filters Name=instance-type,Values=%s lists the zones of one), or other zones",
					instanceType, strings.Join(labels, ", "), region, t, instanceType)),
			}}},
		})
	}
}
