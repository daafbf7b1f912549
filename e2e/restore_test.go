package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/deploy"
	tfjson "github.com/hashicorp/terraform-json"
	"go.yaml.in/yaml/v3"
)

// RestoreSection is the runbook TestRestoreInPlace rehearses: its shell
// blocks are read from the document and run as they are written.
const RestoreSection = "## Restoring from a backup"

// TestRestoreInPlace rehearses the Terraform side of "Restoring from a
// backup" (docs/operations.md), steps 1-5, with the runbook's own commands:
// the example deployed (every stack: the restore changes the auth stack and
// the DNS stack's dashboard); step 2's command stops the auth group; step
// 3's look-ups of the key and role run, and its restore jobs are simulated
// (moto has no AWS Backup restore jobs): the copies created as AWS Backup
// leaves them; step 4's restore block set in the config and synthesized over
// the previous output, then its shell blocks run in the auth stack's
// directory as written; step 5's plan holds what the runbook says and
// nothing else (two replacements without state, no destroy, the tables
// updated in place, the bucket's configuration created), the apply sets the
// auth group back to its count, and a second plan shows no change.
func TestRestoreInPlace(t *testing.T) {
	needRecovery(t, "TestRestoreInPlace")
	t.Parallel()
	steps := runbookBlocks(t, filepath.Join(root, "docs", "operations.md"), RestoreSection)
	cfg := load(t, "examples/cluster.yaml")
	c := newCluster(t, cfg)
	start := time.Now()
	old := synth(t, cfg, "", "")
	c.apply(old)
	t.Logf("step 0: the example deployed in %s", time.Since(start).Round(time.Second))
	auth := cfg.Names().AuthStack(cfg.Auth.Region)
	env := map[string]string{"CLUSTER": cfg.ClusterName, "AUTH_REGION": cfg.Auth.Region, "AWS_DEFAULT_REGION": cfg.Auth.Region}

	// Step 2: the auth group stopped, with the runbook's command.
	c.shell(t, t.TempDir(), block(t, steps, 2, "sh", 0), env)
	group := `aws autoscaling describe-auto-scaling-groups --region "$AUTH_REGION" --auto-scaling-group-names "$CLUSTER-auth" --query 'AutoScalingGroups[0].[MinSize,DesiredCapacity,length(Instances)]' --output text`
	if got := strings.Fields(c.shell(t, t.TempDir(), group, env)); !slices.Equal(got, []string{"0", "0", "0"}) {
		t.Fatalf("after step 2 the auth group has min, desired, instances %v; want 0 0 0", got)
	}

	// Step 3: the runbook's look-ups (account, the cluster key, the backup
	// role) run as written; the restore jobs are simulated.
	var lookups []string
	for _, cmd := range shellCommands(block(t, steps, 3, "sh", 0)) {
		if !strings.HasPrefix(cmd, "aws backup ") {
			lookups = append(lookups, cmd)
		}
	}
	vals := strings.Fields(c.shell(t, t.TempDir(), strings.Join(lookups, "\n")+"\n"+
		`echo "$ROLE"; aws iam get-role --role-name "$CLUSTER-backup" --query Role.Arn --output text; echo "$KEY"`, env))
	if len(vals) != 3 || vals[0] != vals[1] || !strings.HasPrefix(vals[2], "arn:aws:kms:"+cfg.Auth.Region+":") {
		t.Fatalf("step 3's role, the backup role's ARN and the key: %v; want the role's ARN twice and the cluster key's ARN", vals)
	}
	key := vals[2]

	// Step 4: the runbook's restore block, synthesized over the previous
	// output (make synth).
	var named struct {
		Restore config.Restore `yaml:"restore"`
	}
	if err := yaml.Unmarshal([]byte(block(t, steps, 4, "yaml", 0)), &named); err != nil {
		t.Fatalf("step 4's restore block: %v", err)
	}
	cfg.Restore = named.Restore
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	next := synth(t, cfg, "", old)

	// Step 3 as AWS Backup leaves it: the tables with the cluster's keys
	// and indexes, encrypted with the cluster key (the runbook's
	// EncryptionType=KMS) and nothing else (no stream, TTL, point-in-time
	// recovery or deletion protection); the bucket with nothing configured.
	imports, tables := restoreTargets(t, next, auth, cfg.Restore.RecordingsBucket)
	spec, _ := json.Marshal(map[string]any{"region": cfg.Auth.Region, "tables": tables, "bucket": cfg.Restore.RecordingsBucket, "kms_key": key})
	c.python(t, restoredCopies, string(spec))

	// Without step 4's state moves, the plan is refused: the renamed tables
	// would be replaced, and prevent_destroy stops that. This plan also
	// initializes the stack directory with the harness's provider mirror
	// and backend (terraform init in the runbook's shell then finds them).
	work := copyOutput(t, next)
	m, err := deploy.ReadManifest(work)
	if err != nil {
		t.Fatal(err)
	}
	opts := c.opts
	opts.Only = []string{auth}
	res, err := deploy.Run(context.Background(), m, deploy.Plan, opts)
	if err == nil || !strings.Contains(logs(res), "prevent_destroy") {
		t.Fatalf("plan of %s before step 4's state moves: err = %v; want it refused by prevent_destroy\n%s", auth, err, logs(res))
	}

	// Step 4's shell blocks, as written, from the directory that holds
	// cdktf.out. The test synthesized just above the way make synth does
	// (the app with the config, over the previous output), so make synth is
	// a no-op here.
	script := "make() { [ \"$*\" = synth ] || { echo \"make $*: not in the runbook\"; return 1; }; }\n" +
		block(t, steps, 4, "sh", 0) + "\n" + block(t, steps, 4, "sh", 1)
	start = time.Now()
	c.shell(t, filepath.Dir(work), script, env)
	t.Logf("step 4's state moves in %s", time.Since(start).Round(time.Second))

	// Step 5: go run . plan; what it shows, then go run . apply; the
	// apply refreshes (the group was changed outside Terraform).
	plan, _ := c.run(next, deploy.Plan, false)
	checkRestorePlan(t, plan, auth, imports)
	if t.Failed() {
		t.FailNow()
	}
	start = time.Now()
	c.refresh = true
	c.apply(next)
	c.refresh = false
	t.Logf("step 5's apply and the second plan in %s", time.Since(start).Round(time.Second))
	count := strconv.Itoa(cfg.Auth.Instances.Count)
	if got := strings.Fields(c.shell(t, t.TempDir(), group, env)); !slices.Equal(got, []string{count, count, count}) {
		t.Errorf("after step 5 the auth group has min, desired, instances %v; want %s each", got, count)
	}
}

// TestRestoreRunbookBlocks runs without the emulator: the blocks
// TestRestoreInPlace runs are in the runbook where it looks for them.
func TestRestoreRunbookBlocks(t *testing.T) {
	steps := runbookBlocks(t, filepath.Join(root, "docs", "operations.md"), RestoreSection)
	if b := block(t, steps, 2, "sh", 0); !strings.Contains(b, "update-auto-scaling-group") {
		t.Errorf("step 2's block does not stop the auth group:\n%s", b)
	}
	if cmds := shellCommands(block(t, steps, 3, "sh", 0)); len(cmds) < 4 || !strings.HasPrefix(cmds[1], "KEY=$(aws kms describe-key ") {
		t.Errorf("step 3's commands: %q", cmds)
	}
	var named struct {
		Restore config.Restore `yaml:"restore"`
	}
	if err := yaml.Unmarshal([]byte(block(t, steps, 4, "yaml", 0)), &named); err != nil || named.Restore.StateTable == "" {
		t.Errorf("step 4's restore block: %v %+v", err, named.Restore)
	}
	for i := range 2 {
		if b := block(t, steps, 4, "sh", i); !strings.Contains(b, "terraform import") {
			t.Errorf("step 4's shell block %d imports nothing:\n%s", i+1, b)
		}
	}
}

// checkRestorePlan holds step 5's plan to the runbook: the backup selection
// and the state export replaced and nothing else, no destroy, only what the
// runbook lists updated, the imported tables updated in place, the
// recordings bucket not created again and its configuration resources
// created.
func checkRestorePlan(t *testing.T, plan *deploy.Result, auth string, imports map[string]string) {
	t.Helper()
	// What the runbook lists as updated: in the auth stack, the tables, the
	// bucket, the IAM policies, alarms and VPC endpoint policy that name
	// them, the launch template and the group; elsewhere the DNS stack's
	// dashboard (it graphs the state table).
	expected := map[bool]map[string]bool{
		true: {"aws_dynamodb_table": true, "aws_s3_bucket": true, "aws_iam_role_policy": true, "aws_cloudwatch_metric_alarm": true,
			"aws_vpc_endpoint": true, "aws_launch_template": true, "aws_autoscaling_group": true},
		false: {"aws_cloudwatch_dashboard": true},
	}
	config := regexp.MustCompile(`^aws_s3_bucket_[a-z_]+\.storage_recordings_`)
	replaced := map[string]bool{}
	created := 0
	for _, s := range plan.Stacks {
		if s.Plan == nil {
			continue
		}
		t.Logf("step 5, plan of %s:\n%s", s.Stack.Name, describe(s.Plan))
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
				continue
			}
			a := rc.Change.Actions
			switch {
			case a.Replace():
				if rc.Type != "aws_backup_selection" && rc.Type != "aws_dynamodb_table_export" || s.Stack.Name != auth {
					t.Errorf("%s %s replaced; the runbook expects only the backup selection and the state export", s.Stack.Name, rc.Address)
				}
				replaced[rc.Type] = true
			case a.Delete():
				t.Errorf("%s %s destroyed; the runbook expects no destroy", s.Stack.Name, rc.Address)
			}
			if a.Update() && !expected[s.Stack.Name == auth][rc.Type] {
				t.Errorf("%s %s updated; the runbook does not list it", s.Stack.Name, rc.Address)
			}
			if s.Stack.Name != auth {
				continue
			}
			switch {
			case strings.HasPrefix(rc.Address, "aws_dynamodb_table.") && imports[rc.Address] != "":
				if !a.Update() {
					t.Errorf("%s %s: %v; the restored table is updated in place (stream, TTL, recovery, protection)", auth, rc.Address, a)
				}
			case imports[rc.Address] != "":
				if !a.Update() && !a.NoOp() {
					t.Errorf("%s %s: %v; the restored bucket is kept as imported", auth, rc.Address, a)
				}
			case config.MatchString(rc.Address):
				if !a.Create() {
					t.Errorf("%s %s: %v; the recordings bucket's configuration is created on the copy", auth, rc.Address, a)
				}
				created++
			}
		}
	}
	for _, typ := range []string{"aws_backup_selection", "aws_dynamodb_table_export"} {
		if !replaced[typ] {
			t.Errorf("no %s replaced; the runbook says the plan replaces it", typ)
		}
	}
	if created == 0 {
		t.Errorf("no configuration resource of the recordings bucket in the plan of %s", auth)
	}
}

// shell runs script with bash (-e, -o pipefail) in dir, in the emulator's
// environment with env set over it, and returns its standard output. The
// emulator's blanked variables are unset (the AWS CLI reads AWS_PROFILE=""
// as a profile named ""), and with a provider mirror, terraform init finds
// the provider there through a CLI configuration (terraform init does not
// reuse an earlier init's -plugin-dir).
func (c *cluster) shell(t *testing.T, dir, script string, env map[string]string) string {
	t.Helper()
	all := maps.Clone(c.opts.Env)
	maps.Copy(all, env)
	if c.opts.Mirror != nil {
		rc := filepath.Join(t.TempDir(), "terraform.rc")
		conf := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %s\n  }\n}\n", strconv.Quote(c.opts.Mirror.Dir))
		if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		all["TF_CLI_CONFIG_FILE"] = rc
	}
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !isSet(all, k) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range all {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("$ %s\n%s%s", strings.ReplaceAll(strings.TrimSpace(script), "\n", "\n$ "), out, stderr.String())
	if err != nil {
		t.Fatalf("shell: %v", err)
	}
	return string(out)
}

func isSet(env map[string]string, k string) bool { _, ok := env[k]; return ok }

// runbookBlock is a fenced code block of a runbook step.
type runbookBlock struct{ lang, text string }

// runbookBlocks reads the fenced code blocks of a document's section
// (heading to the next heading of its level), by the number of the
// numbered step they belong to, each dedented to its fence.
func runbookBlocks(t *testing.T, file, heading string) map[int][]runbookBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	at := strings.Index(text, "\n"+heading+"\n")
	if at < 0 {
		t.Fatalf("%s: no section %q", file, heading)
	}
	section := text[at+len(heading)+2:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	steps := map[int][]runbookBlock{}
	step := regexp.MustCompile(`^(\d+)\. `)
	var cur *runbookBlock
	indent, n := "", 0
	for _, line := range strings.Split(section, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case cur == nil && step.MatchString(line):
			n, _ = strconv.Atoi(step.FindStringSubmatch(line)[1])
		case cur == nil && strings.HasPrefix(trimmed, "```") && len(trimmed) > 3:
			cur = &runbookBlock{lang: trimmed[3:]}
			indent = line[:len(line)-len(trimmed)]
		case cur != nil && trimmed == "```":
			steps[n] = append(steps[n], *cur)
			cur = nil
		case cur != nil:
			cur.text += strings.TrimPrefix(line, indent) + "\n"
		}
	}
	if len(steps) == 0 {
		t.Fatalf("%s: no numbered steps with code blocks under %q", file, heading)
	}
	return steps
}

// block is the i-th block of language lang of step n.
func block(t *testing.T, steps map[int][]runbookBlock, n int, lang string, i int) string {
	t.Helper()
	for _, b := range steps[n] {
		if b.lang != lang {
			continue
		}
		if i == 0 {
			return b.text
		}
		i--
	}
	t.Fatalf("the runbook's step %d has no %s block number %d", n, lang, i+1)
	return ""
}

// shellCommands splits a shell block into its commands, continuation lines
// joined.
func shellCommands(text string) []string {
	var out []string
	for _, cmd := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		if cmd = strings.TrimSpace(cmd); cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}
