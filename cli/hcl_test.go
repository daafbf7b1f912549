package cli

import (
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// The two constructs cdktf renders wrong, as it renders them, become what
// Terraform reads; everything else is left as it is.
func TestRepairHCL(t *testing.T) {
	in := `terraform {
backend "local" {
path = "x"
}

  0 = "required_version"
}
data "aws_ami" "a" {
lifecycle {
  postcondition = [
{
condition = "${self.architecture == "x86_64"}"
error_message = "not x86_64, [sic]"
},
{
condition = "${true}"
error_message = "b"
},
]
}
}
resource "x" "y" {
tags = [
{
a = 1
},
]
}
resource "aws_cloudwatch_dashboard" "d" {
dashboard_body = "{"widgets":[{"markdown":"a\nb","id":"${aws_lb.a.arn_suffix}"}]}"
name = "{\"escaped\":true}"
}
`
	want := `terraform {
backend "local" {
path = "x"
}

required_version = ">= ` + config.MinTerraform + `"
}
data "aws_ami" "a" {
lifecycle {
  postcondition {
condition = "${self.architecture == "x86_64"}"
error_message = "not x86_64, [sic]"
  }
  postcondition {
condition = "${true}"
error_message = "b"
  }
}
}
resource "x" "y" {
tags = [
{
a = 1
},
]
}
resource "aws_cloudwatch_dashboard" "d" {
dashboard_body = "{\"widgets\":[{\"markdown\":\"a\nb\",\"id\":\"${aws_lb.a.arn_suffix}\"}]}"
name = "{\"escaped\":true}"
}
`
	if got := repairHCL(in); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if repairHCL(want) != want {
		t.Error("repaired HCL changes again")
	}
}
