package main

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Every launch template of every synthesized config carries gzip user data
// under EC2's 16 KB limit on raw user data, that decodes to the bootstrap
// with its files. (The worst case of the config's bounds is tested in
// constructs/teleportconfig TestUserDataSizeWorstCase.)
func TestUserDataFitsAndDecodes(t *testing.T) {
	for _, synth := range synthNames() {
		for _, stack := range stackNames(t, synth) {
			for id, lt := range stackOf(t, synth, stack).resources("aws_launch_template") {
				raw, err := base64.StdEncoding.DecodeString(lt["user_data"].(string))
				if err != nil {
					t.Fatal(err)
				}
				if len(raw) >= teleportconfig.MaxUserDataBytes {
					t.Errorf("%s/%s %s: user data is %d bytes; EC2 accepts at most %d", synth, stack, id, len(raw), teleportconfig.MaxUserDataBytes)
				}
				script, err := teleportconfig.DecodeUserData(lt["user_data"].(string))
				if err != nil {
					t.Fatalf("%s/%s %s: %v", synth, stack, id, err)
				}
				if _, err := teleportconfig.BootFiles(script); err != nil {
					t.Errorf("%s/%s %s: %v", synth, stack, id, err)
				}
			}
		}
	}
}

// certbot's state is the auth role's alone: read and written under
// certbot/ of the certs bucket (and listed, so that a missing object is a
// 404), never readable by a proxy.
func TestCertbotStateOnlyForAuth(t *testing.T) {
	auth := stackOf(t, "example", "auth-us-west-2")
	if res := statementResources(t, auth, "KeepCertbotState"); !strings.HasSuffix(res, "/certbot/*]") {
		t.Errorf("auth role's certbot state: %s", res)
	}
	if c := conditions(statement(t, auth, "FindCertbotState")); c["StringLike s3:prefix"] != "[certbot/*]" {
		t.Errorf("list condition: %v", c)
	}
	for _, stack := range stackNames(t, "example") {
		if !strings.HasPrefix(stack, "proxy-") {
			continue
		}
		for id, d := range stackOf(t, "example", stack).section("data", "aws_iam_policy_document") {
			if strings.Contains(fmt.Sprint(d), "certbot") {
				t.Errorf("%s: policy %s mentions certbot's state", stack, id)
			}
		}
	}
}
