package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/authcluster"
)

// A missing license parameter fails the auth stack's plan: an Enterprise
// config's auth stack reads the parameter through one ephemeral resource
// (never stored in the state or the plan), without decryption, and nothing
// else reads it into the state: no aws_ssm_parameter data source, no
// parameters-by-path. An OSS config has no license and no check.
func TestLicenseCheckedAtPlan(t *testing.T) {
	typ, name, _ := strings.Cut(strings.TrimPrefix(authcluster.LicenseCheck, "ephemeral."), ".")
	for _, synth := range []string{"example", "public-four-regions", "oss-single-region"} {
		cfg := synthOf(t, synth).cfg
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			for _, ds := range []string{"aws_ssm_parameter", "aws_ssm_parameters_by_path"} {
				for id, d := range s.section("data", ds) {
					if cfg.LicenseSSMParameter != "" && strings.Contains(fmt.Sprint(d), cfg.LicenseSSMParameter) {
						t.Errorf("%s/%s: data %s.%s reads the license into the state", synth, stack, ds, id)
					}
				}
			}
			checks := s.section("ephemeral", typ)
			if !strings.HasPrefix(stack, "auth-") || cfg.LicenseSSMParameter == "" {
				if len(checks) > 0 {
					t.Errorf("%s/%s: ephemeral %s without a license to check", synth, stack, typ)
				}
				continue
			}
			check, ok := checks[name]
			if !ok {
				t.Errorf("%s/%s: no %s", synth, stack, authcluster.LicenseCheck)
				continue
			}
			want := "arn:aws:ssm:" + cfg.Auth.Region + ":${data.aws_caller_identity.account.account_id}:parameter" + cfg.LicenseSSMParameter
			if check["arn"] != want || check["with_decryption"] != false || len(check) != 2 {
				t.Errorf("%s/%s: %s = %v; want arn %s, with_decryption false, nothing else", synth, stack, authcluster.LicenseCheck, check, want)
			}
		}
	}
}
