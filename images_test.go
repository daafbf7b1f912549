package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// ami.source: teleport: every group boots Teleport's published image of the
// exact release and of its instance type's architecture, looked up at plan
// time (deprecated images included), and nothing reads an SSM image
// parameter.
func TestTeleportImages(t *testing.T) {
	want := map[string]string{"auth-eu-west-1": "x86_64", "proxy-eu-west-1": "arm64", "proxy-ap-south-1": "x86_64"}
	for stack, arch := range want {
		s := stackOf(t, "teleport-images", stack)
		if n := len(s.section("data", "aws_ssm_parameter")); n != 0 {
			t.Errorf("%s reads %d SSM parameters; the image comes from Teleport's AMIs", stack, n)
		}
		amis := s.section("data", "aws_ami")
		if len(amis) != 1 {
			t.Fatalf("%s has %d aws_ami data sources; want 1", stack, len(amis))
		}
		for id, ami := range amis {
			filters := map[string]string{}
			for _, f := range asList(ami["filter"]) {
				filters[fmt.Sprint(get(f, "name"))] = fmt.Sprint(asList(get(f, "values"))...)
			}
			if fmt.Sprint(ami["owners"]) != "[146628656107]" || ami["most_recent"] != true || ami["include_deprecated"] != true ||
				filters["name"] != "teleport-ent-"+config.DefaultTeleportVersion+"-*" || filters["architecture"] != arch || filters["state"] != "available" ||
				ami["name_regex"] != "^teleport-ent-"+strings.ReplaceAll(config.DefaultTeleportVersion, ".", "[.]")+"-[a-z0-9_]+$" {
				t.Errorf("%s %s: %v", stack, id, ami)
			}
		}
	}
}
