package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// unusualConfigs are valid configs at the edges of the config contract
// (issue 28): user-chosen names where the app has its own, the Athena
// audit log, a proxy region that is the auth region, existing VPCs, the longest cluster
// name. Every config validate accepts must synthesize.
var unusualConfigs = map[string]func() (*config.Cluster, error){
	// Restored copies with short names: alarm names were cut out of the
	// table name by position and panicked.
	"restored-short-names": edit("examples/cluster.yaml", func(c *config.Cluster) {
		c.Restore = config.Restore{StateTable: "abc", EventsTable: "xyz", RecordingsBucket: "rec"}
	}),
	"athena-restored-state": edit("testdata/configs/athena-audit.yaml", func(c *config.Cluster) {
		c.Restore = config.Restore{StateTable: "abc", RecordingsBucket: "restored-recordings"}
	}),
	"oss-restored": edit("testdata/configs/oss-single-region.yaml", func(c *config.Cluster) {
		c.Restore = config.Restore{EventsTable: "events"}
	}),
	"existing-vpc-restored": edit("testdata/configs/existing-vpc.yaml", func(c *config.Cluster) {
		c.Restore = config.Restore{StateTable: "a.b-c_d"}
	}),
	// The auth region also runs proxies (transit-gateway's us-east-1),
	// with a restored bucket: regional names must not collide.
	"tgw-restored-bucket": edit("testdata/configs/transit-gateway.yaml", func(c *config.Cluster) {
		c.Restore = config.Restore{RecordingsBucket: "a.b.c"}
	}),
	"longest-cluster-name": edit("examples/cluster.yaml", func(c *config.Cluster) {
		c.ClusterName = strings.Repeat("c", config.MaxClusterNameLen-2) + "-x"
		c.Backup.CopyRegion = "us-east-1"
	}),
}

// edit loads the config at path, applies change and validates the result:
// an unusual config must be a valid one.
func edit(path string, change func(*config.Cluster)) func() (*config.Cluster, error) {
	return func() (*config.Cluster, error) {
		c, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		change(c)
		return c, c.Validate()
	}
}

// synthNoPanic synthesizes cfg, turning a panic into an error.
func synthNoPanic(cfg *config.Cluster) (out *synthOut, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return synthOnce(cfg)
}

// Every unusual config synthesizes without a panic, and no two of its
// resources share an AWS name in one scope.
func TestUnusualConfigsSynthesize(t *testing.T) {
	for _, name := range sortedKeys(unusualConfigs) {
		t.Run(name, func(t *testing.T) {
			cfg, err := unusualConfigs[name]()
			if err != nil {
				t.Fatalf("not a valid config: %v", err)
			}
			out, err := synthNoPanic(cfg)
			if err != nil {
				t.Fatalf("synth: %v", err)
			}
			n, dups := duplicateAWSNames(t, out)
			if n == 0 {
				t.Error("no named resource examined")
			}
			for _, d := range dups {
				t.Error(d)
			}
		})
	}
}

// No two resources of any synthesized config share an AWS name in one
// scope (a region for regional services, the account for IAM and, for
// S3, every account).
func TestAWSNamesUnique(t *testing.T) {
	for name, out := range allSynths(t) {
		if _, dups := duplicateAWSNames(t, out); len(dups) > 0 {
			t.Errorf("%s:\n%s", name, strings.Join(dups, "\n"))
		}
	}
}

// awsNameKeys are the resource types whose AWS name identifies them, with
// the attribute holding it; global ones are unique across regions.
var awsNameKeys = map[string]struct {
	attr   string
	global bool
}{
	"aws_s3_bucket":               {"bucket", true},
	"aws_iam_role":                {"name", true},
	"aws_iam_instance_profile":    {"name", true},
	"aws_athena_workgroup":        {"name", false},
	"aws_autoscaling_group":       {"name", false},
	"aws_backup_plan":             {"name", false},
	"aws_backup_vault":            {"name", false},
	"aws_cloudwatch_event_rule":   {"name", false},
	"aws_cloudwatch_log_group":    {"name", false},
	"aws_cloudwatch_metric_alarm": {"alarm_name", false},
	"aws_dynamodb_table":          {"name", false},
	"aws_glue_catalog_database":   {"name", false},
	"aws_kms_alias":               {"name", false},
	"aws_launch_template":         {"name", false},
	"aws_lb":                      {"name", false},
	"aws_lb_target_group":         {"name", false},
	"aws_sns_topic":               {"name", false},
	"aws_sqs_queue":               {"name", false},
	"aws_ssm_parameter":           {"name", false},
}

// duplicateAWSNames returns how many named resources out holds and one
// line per AWS name that two of them share in one scope.
func duplicateAWSNames(t *testing.T, out *synthOut) (int, []string) {
	t.Helper()
	owners := map[string][]string{} // "type scope name" -> stack/id
	for file := range out.files {
		if !strings.HasPrefix(file, "stacks/") || !strings.HasSuffix(file, "/cdk.tf.json") {
			continue
		}
		stack := strings.Split(file, "/")[1]
		var s stackJSON
		if err := json.Unmarshal(out.files[file], &s); err != nil {
			t.Fatal(err)
		}
		regions := providerRegions(s)
		for typ, key := range awsNameKeys {
			for id, r := range s.resources(typ) {
				name, ok := r[key.attr].(string)
				if !ok || strings.Contains(name, "${") {
					continue
				}
				scope := "global"
				if !key.global {
					p, _ := r["provider"].(string)
					scope = regions[strings.TrimPrefix(p, "aws.")]
				}
				k := typ + " " + scope + " " + name
				owners[k] = append(owners[k], stack+"/"+id)
			}
		}
	}
	var dups []string
	n := 0
	for k, at := range owners {
		n += len(at)
		if len(at) > 1 {
			sort.Strings(at)
			dups = append(dups, fmt.Sprintf("%s is the name of %s", k, strings.Join(at, ", ")))
		}
	}
	sort.Strings(dups)
	return n, dups
}

// providerRegions maps each AWS provider alias of a stack ("" for the
// default provider) to its region.
func providerRegions(s stackJSON) map[string]string {
	out := map[string]string{}
	ps, _ := get(s, "provider", "aws").([]any)
	for _, p := range ps {
		m, _ := p.(map[string]any)
		alias, _ := m["alias"].(string)
		out[alias] = fmt.Sprint(m["region"])
	}
	return out
}

// The name check reports a name shared in one scope, and only there.
func TestDuplicateAWSNamesCatches(t *testing.T) {
	stack := func(region, alarm, bucket string) []byte {
		return []byte(fmt.Sprintf(`{"provider": {"aws": [{"region": %q}]}, "resource": {
			"aws_cloudwatch_metric_alarm": {"a": {"alarm_name": %q}},
			"aws_s3_bucket": {"b": {"bucket": %q}}}}`, region, alarm, bucket))
	}
	cases := []struct {
		name  string
		files map[string][]byte
		want  int
	}{
		{"alarm in two regions", map[string][]byte{"stacks/x/cdk.tf.json": stack("us-west-1", "a", "b1"), "stacks/y/cdk.tf.json": stack("us-west-2", "a", "b2")}, 0},
		{"alarm twice in a region", map[string][]byte{"stacks/x/cdk.tf.json": stack("us-west-1", "a", "b1"), "stacks/y/cdk.tf.json": stack("us-west-1", "a", "b2")}, 1},
		{"bucket in two regions", map[string][]byte{"stacks/x/cdk.tf.json": stack("us-west-1", "a", "b"), "stacks/y/cdk.tf.json": stack("us-west-2", "a2", "b")}, 1},
	}
	for _, c := range cases {
		if n, dups := duplicateAWSNames(t, &synthOut{files: c.files}); n != 4 || len(dups) != c.want {
			t.Errorf("%s: %d named, duplicates %v; want %d", c.name, n, dups, c.want)
		}
	}
}
