package main

import (
	"encoding/base64"
	"fmt"
	"regexp"
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
// 404), never readable by a proxy. A proxy lists its name only, and the
// published certificate's prefix: what its boot lists to tell a new cluster
// (placeholder) from an unreadable certificate (wait).
func TestCertbotStateOnlyForAuth(t *testing.T) {
	auth := stackOf(t, "example", "auth-us-west-2")
	if res := statementResources(t, auth, "KeepCertbotState"); !strings.HasSuffix(res, "/certbot/*]") {
		t.Errorf("auth role's certbot state: %s", res)
	}
	if c := conditions(statement(t, auth, "FindCertbotState")); c["StringLike s3:prefix"] != "[certbot/*]" {
		t.Errorf("list condition: %v", c)
	}
	domain := synthOf(t, "example").cfg.Domain
	for _, stack := range stackNames(t, "example") {
		if !strings.HasPrefix(stack, "proxy-") {
			continue
		}
		s := stackOf(t, "example", stack)
		for id, d := range s.section("data", "aws_iam_policy_document") {
			for _, st := range d["statement"].([]any) {
				if strings.Contains(fmt.Sprint(st), "certbot") && get(st, "sid") != "ListCertificate" {
					t.Errorf("%s: policy %s statement %v mentions certbot's state", stack, id, get(st, "sid"))
				}
			}
		}
		list := statement(t, s, "ListCertificate")
		if a, r := fmt.Sprint(list["actions"]), fmt.Sprint(list["resources"]); a != "[s3:ListBucket]" || strings.Contains(r, "/") {
			t.Errorf("%s: ListCertificate allows %s on %s; want s3:ListBucket on the bucket", stack, a, r)
		}
		var patterns []string
		for _, v := range list["condition"].([]any)[0].(map[string]any)["values"].([]any) {
			patterns = append(patterns, fmt.Sprint(v))
		}
		for prefix, want := range map[string]bool{
			"live/" + domain + "/": true, teleportconfig.CertbotStateKey(domain): true,
			"certbot/" + domain + "/": false, "certbot/" + domain + "/live/teleport/privkey.pem": false,
		} {
			if got := iamLike(patterns, prefix); got != want {
				t.Errorf("%s: listing %s allowed=%v; want %v (s3:prefix patterns %v)", stack, prefix, got, want, patterns)
			}
		}
	}
}

// iamLike matches s against IAM StringLike patterns (* any run of
// characters, ? one).
func iamLike(patterns []string, s string) bool {
	for _, p := range patterns {
		re := strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p))
		if regexp.MustCompile("^" + re + "$").MatchString(s) {
			return true
		}
	}
	return false
}
