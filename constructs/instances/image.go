package instances

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsami"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsssmparameter"
	"github.com/example/teleport-multi-region/config"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// machineImage returns the AMI id of img for instanceType, read when
// Terraform plans.
//
// Teleport's published image is looked up by its owner and the exact
// release's name, in the instance type's architecture (most_recent only
// breaks a tie; EC2 image names are unique per account and region), and
// deprecated images are included: EC2 deprecates public AMIs after two
// years by default, and a cluster pinned to an old release must keep
// resolving it. Other images (an SSM parameter's, or a pinned id) are
// read back by id with a postcondition on their architecture, so an x86_64
// image never reaches a Graviton launch template unnoticed.
func machineImage(scope constructs.Construct, img config.Image, instanceType string) *string {
	if t := img.Teleport; t != nil {
		filter := func(name, value string) dataawsami.DataAwsAmiFilter {
			return dataawsami.DataAwsAmiFilter{Name: jsii.String(name), Values: jsii.Strings(value)}
		}
		return dataawsami.NewDataAwsAmi(scope, jsii.String("ami"), &dataawsami.DataAwsAmiConfig{
			Owners:            jsii.Strings(t.Owner),
			MostRecent:        jsii.Bool(true),
			IncludeDeprecated: jsii.Bool(true),
			NameRegex:         jsii.String(t.NameRegex),
			Filter: []dataawsami.DataAwsAmiFilter{
				filter("name", t.NameFilter),
				filter("architecture", img.Architecture),
				filter("state", "available"),
			},
		}).Id()
	}
	id := jsii.String(img.ID)
	if img.ID == "" {
		id = dataawsssmparameter.NewDataAwsSsmParameter(scope, jsii.String("ami"), &dataawsssmparameter.DataAwsSsmParameterConfig{
			Name: jsii.String(img.SSMParameter),
		}).Value()
	}
	checked := dataawsami.NewDataAwsAmi(scope, jsii.String("ami-architecture"), &dataawsami.DataAwsAmiConfig{
		IncludeDeprecated: jsii.Bool(true),
		Filter: []dataawsami.DataAwsAmiFilter{
			{Name: jsii.String("image-id"), Values: &[]*string{id}},
		},
		Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{{
			Condition: jsii.String(fmt.Sprintf(`${self.architecture == "%s"}`, img.Architecture)),
			ErrorMessage: jsii.String(fmt.Sprintf("the image of this group is not %s, the architecture of instance type %s: pin an %s image in ami.ids, or use an SSM parameter of %s images",
				img.Architecture, instanceType, img.Architecture, img.Architecture)),
		}}},
	})
	return checked.Id()
}
