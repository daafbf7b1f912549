package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// globalTypes are the resource types whose names are unique across the
// account (IAM) or across AWS (S3 buckets), whatever the region.
var globalTypes = map[string]bool{
	"aws_iam_role": true, "aws_iam_instance_profile": true, "aws_iam_policy": true,
	"aws_iam_service_linked_role": true, "aws_s3_bucket": true,
}

// scopedTypes name things inside a parent (a role's inline policies, a
// plan's selections, a rule's targets, a group's hooks), or may share a name
// by design (private hosted zones: several may have one name, each in other
// VPCs): their names never collide between two stacks' resources.
var scopedTypes = map[string]bool{
	"aws_iam_role_policy": true, "aws_backup_selection": true, "aws_cloudwatch_event_target": true,
	"aws_autoscaling_lifecycle_hook": true, "aws_route53_zone": true, "aws_lb_listener": true,
}

// stackNames lists what a stack names in AWS: "<type> <name>" for global
// types, "<type> <region> <name>" for the others, in the region of the
// resource's provider.
func namesOf(s stackJSON) []string {
	regions := map[string]string{}
	for _, p := range asList(get(s, "provider", "aws")) {
		alias := ""
		if a := get(p, "alias"); a != nil {
			alias = "aws." + fmt.Sprint(a)
		}
		regions[alias] = fmt.Sprint(get(p, "region"))
	}
	var out []string
	res, _ := s["resource"].(map[string]any)
	for typ, byID := range res {
		if scopedTypes[typ] {
			continue
		}
		for _, r := range byID.(map[string]any) {
			r := r.(map[string]any)
			for _, attr := range []string{"name", "bucket", "alarm_name", "custom_suffix", "dashboard_name"} {
				v, ok := r[attr].(string)
				if !ok || strings.Contains(v, "${") {
					continue
				}
				if globalTypes[typ] {
					out = append(out, typ+" "+v)
					continue
				}
				provider, _ := r["provider"].(string)
				out = append(out, typ+" "+regions[provider]+" "+v)
			}
		}
	}
	slices.Sort(out)
	return out
}

// An auth stack stood up in the backup copy region after losing the auth
// region (auth.region moved, auth.generation raised, the restore block naming
// the copies) shares no name with the lost auth stack, whose resources still
// exist: no global name (IAM roles, the instance profile, the Auto Scaling
// role's suffix, buckets), and no regional name in a region both use (the
// copy vault and its key in the new auth region, the health check topic and
// its key in us-east-1). Both stacks can be applied side by side.
func TestAuthRecoveryNamesDoNotCollide(t *testing.T) {
	lostCfg, newCfg := synthOf(t, "example-copy").cfg, synthOf(t, "example-recovered").cfg
	lost := namesOf(stackOf(t, "example-copy", lostCfg.Names().AuthStack(lostCfg.Auth.Region)))
	next := namesOf(stackOf(t, "example-recovered", newCfg.Names().AuthStack(newCfg.Auth.Region)))
	var global, elsewhere int
	for _, n := range next {
		if slices.Contains(lost, n) {
			t.Errorf("both auth stacks name %s", n)
		}
		if globalTypes[strings.Fields(n)[0]] {
			global++
		}
		if f := strings.Fields(n); len(f) == 3 && (f[1] == lostCfg.Backup.CopyRegion || f[1] == "us-east-1") {
			elsewhere++
		}
	}
	// The IAM roles (auth, backup), the instance profile, the Auto Scaling
	// role and the buckets (certs, backups, recordings); the vault and key
	// alias in us-east-2, where the lost stack copied to, and the health
	// check topic and key alias in us-east-1.
	if global < 7 || elsewhere < 4 {
		t.Errorf("compared %d global names and %d in regions both stacks use; want at least 7 and 4:\n%s", global, elsewhere, strings.Join(next, "\n"))
	}
	// Generation 0 is a first deploy's names: the lost stack's own are
	// those of the example (no rename for a deployed cluster).
	example := namesOf(stackOf(t, "example", "auth-us-west-2"))
	for _, n := range example {
		if globalTypes[strings.Fields(n)[0]] && !slices.Contains(lost, n) {
			t.Errorf("the example's %s is renamed by backup.copy_region", n)
		}
	}
}
