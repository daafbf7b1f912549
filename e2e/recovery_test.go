package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/deploy"
	"github.com/example/teleport-multi-region/emulator"
)

// RecoveryEnv turns on TestAuthRegionRecovery (not in CI: a deploy of the
// example of its own, about 15 minutes).
const RecoveryEnv = "E2E_RECOVERY"

// needRecovery skips t, a runbook rehearsal named run, unless RecoveryEnv
// is set (or the emulator is missing: need).
func needRecovery(t *testing.T, run string) {
	t.Helper()
	need(t)
	if os.Getenv(RecoveryEnv) != "1" {
		t.Skipf("set %s=1 to rehearse this runbook (make e2e E2E_RUN=%s E2E_RECOVERY=1)", RecoveryEnv, run)
	}
}

// TestAuthRegionRecovery rehearses the Terraform side of "Recover from
// losing the auth region" (docs/operations.md): the example deployed with
// backups copied to us-east-2; copies of the state and events tables and of
// the recordings bucket standing in us-east-2 where AWS Backup's restore
// jobs would put them (moto has no restore jobs); the config moved there
// (auth.region, auth.generation 1, the restore block, a copy region that is
// up) and synthesized over the previous output; the copies imported into
// the new auth stack's state (step 6's commands); the other stacks'
// resources of the lost region forgotten (step 7); then every stack of the
// manifest applied and re-planned to no changes, next to the old auth
// stack, which is no longer in the manifest and keeps every resource: no
// name collides. What moto cannot show: a region that does not answer.
func TestAuthRegionRecovery(t *testing.T) {
	needRecovery(t, "TestAuthRegionRecovery")
	t.Parallel()
	cfg := load(t, "examples/cluster.yaml")
	cfg.Backup.CopyRegion = "us-east-2"
	c := newCluster(t, cfg)
	old := synth(t, cfg, "", "")
	c.apply(old)
	oldAuth := cfg.Names().AuthStack(cfg.Auth.Region)
	before := stateResources(t, c.opts.LocalState)

	// Steps 4-5: the config moved to the copy region.
	cfg.Auth.Region, cfg.Auth.Generation, cfg.Backup.CopyRegion = "us-east-2", 1, "us-east-1"
	cfg.LicenseSSMParameter = "/teleport/example/license"
	cfg.Restore.StateTable, cfg.Restore.EventsTable, cfg.Restore.RecordingsBucket = "example-state-restored", "example-events-restored", "example-recordings-restored"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c.seedLicense(t, cfg.Auth.Region, cfg.LicenseSSMParameter)
	next := synth(t, cfg, "", old)
	newAuth := cfg.Names().AuthStack(cfg.Auth.Region)

	// Step 3 as AWS Backup leaves it: the tables with the cluster's keys
	// and indexes (no stream, TTL, point-in-time recovery or deletion
	// protection), the bucket with nothing configured.
	imports, tables := restoreTargets(t, next, newAuth, cfg.Restore.RecordingsBucket)
	spec, _ := json.Marshal(map[string]any{"region": cfg.Auth.Region, "tables": tables, "bucket": cfg.Restore.RecordingsBucket})
	c.python(t, restoredCopies, string(spec))

	// Step 6: import the copies into the new auth stack's state.
	work := copyOutput(t, next)
	m, err := deploy.ReadManifest(work)
	if err != nil {
		t.Fatal(err)
	}
	opts := c.opts
	opts.Only = []string{newAuth}
	if _, err := deploy.Run(context.Background(), m, deploy.Plan, opts); err != nil {
		t.Fatalf("plan of %s before the import: %v", newAuth, err)
	}
	for addr, id := range imports {
		cmd := exec.Command("terraform", "import", "-input=false", addr, id)
		cmd.Dir = filepath.Join(work, "stacks", newAuth)
		cmd.Env = os.Environ()
		for k, v := range c.opts.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform import %s %s: %v\n%s", addr, id, err, out)
		}
	}

	// Step 7: forget the other stacks' resources of the provider aws.auth.
	// The first run without this step showed why it is needed even where
	// the lost region answers: the alias now points at the new region, so
	// Terraform destroys the old routes through it and fails (DeleteRoute:
	// InvalidRouteTableID.NotFound). The runbook's loop, on the state files
	// where this harness keeps them (terraform state pull reads the same).
	for _, st := range m.Stacks {
		if !strings.HasPrefix(st.Name, "proxy-") && st.Name != "dns" {
			continue
		}
		file := filepath.Join(c.opts.LocalState, "terraform."+st.Name+".tfstate")
		script := `addrs=$(jq -r '.resources[] | select(.mode == "managed" and (.provider | endswith("].auth"))) | "\(.type).\(.name)"' "$1")
[ -z "$addrs" ] || terraform state rm -state="$1" $addrs`
		cmd := exec.Command("bash", "-c", script, "step7", file)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("step 7 in %s: %v\n%s", st.Name, err, out)
		}
		t.Logf("step 7, %s:\n%s", st.Name, out)
	}

	// Step 8: apply; every stack re-plans to no changes.
	res := c.apply(next)
	for _, s := range res.Stacks {
		if s.Plan == nil {
			continue
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Change != nil && (rc.Change.Actions.Delete() || rc.Change.Actions.Replace()) && protectedType(rc.Address) {
				t.Errorf("%s %s: %v (a recovery destroys no state)", s.Stack.Name, rc.Address, rc.Change.Actions)
			}
			if s.Stack.Name == newAuth && imports[rc.Address] != "" && rc.Change != nil && !rc.Change.Actions.Update() && !rc.Change.Actions.NoOp() {
				t.Errorf("%s %s: %v; the imported copy is updated in place", s.Stack.Name, rc.Address, rc.Change.Actions)
			}
		}
	}
	// The old auth stack is out of the manifest: its state is untouched.
	after := stateResources(t, c.opts.LocalState)
	for addr := range before {
		if strings.HasPrefix(addr, "terraform."+oldAuth+".tfstate ") && !after[addr] {
			t.Errorf("%s left the old auth stack's state", addr)
		}
	}
	if n := len(res.Names(deploy.StatusApplied)); n == 0 || !strings.Contains(strings.Join(res.Names(deploy.StatusApplied), " "), newAuth) {
		t.Errorf("applied %v; want the new auth stack among them", res.Names(deploy.StatusApplied))
	}
}

// restoreTargets reads the restored copies that stack of the output outdir
// names: the address and id of each (the tables named *-restored and the
// bucket), and the tables' blocks as synthesized, for restoredCopies.
func restoreTargets(t *testing.T, outdir, stack, bucket string) (imports map[string]string, tables []any) {
	t.Helper()
	stackFile, err := os.ReadFile(filepath.Join(outdir, "stacks", stack, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resource map[string]map[string]map[string]any `json:"resource"`
	}
	if err := json.Unmarshal(stackFile, &doc); err != nil {
		t.Fatal(err)
	}
	imports = map[string]string{} // address -> id
	for id, tb := range doc.Resource["aws_dynamodb_table"] {
		if name := tb["name"].(string); strings.HasSuffix(name, "-restored") {
			imports["aws_dynamodb_table."+id] = name
			tables = append(tables, tb)
		}
	}
	for id, b := range doc.Resource["aws_s3_bucket"] {
		if name, _ := b["bucket"].(string); name == bucket {
			imports["aws_s3_bucket."+id] = name
		}
	}
	if len(imports) != 3 {
		t.Fatalf("%s holds %v; want the two restored tables and the restored bucket", stack, imports)
	}
	return imports, tables
}

// restoredCopies creates what AWS Backup's restore jobs leave: tables with
// the given key schema and indexes and nothing else (encrypted with
// spec["kms_key"] when set: the runbook's EncryptionType=KMS), and an empty
// bucket.
const restoredCopies = `
import boto3, json, sys
spec = json.loads(sys.argv[2])
kw = dict(endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test", region_name=spec["region"])
ddb = boto3.client("dynamodb", **kw)
for t in spec["tables"]:
    keys = [{"AttributeName": t["hash_key"], "KeyType": "HASH"}]
    if t.get("range_key"):
        keys.append({"AttributeName": t["range_key"], "KeyType": "RANGE"})
    args = dict(TableName=t["name"], KeySchema=keys, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in t["attribute"]])
    gsis = [{"IndexName": g["name"], "KeySchema": [{"AttributeName": g["hash_key"], "KeyType": "HASH"}] +
             ([{"AttributeName": g["range_key"], "KeyType": "RANGE"}] if g.get("range_key") else []),
             "Projection": {"ProjectionType": g["projection_type"]}} for g in t.get("global_secondary_index") or []]
    if gsis:
        args["GlobalSecondaryIndexes"] = gsis
    if spec.get("kms_key"):
        args["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": spec["kms_key"]}
    ddb.create_table(**args)
    print("table", t["name"])
s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket=spec["bucket"], CreateBucketConfiguration={"LocationConstraint": spec["region"]})
print("bucket", spec["bucket"])
`

// python runs script with the emulator's endpoint and args.
func (c *cluster) python(t *testing.T, script string, args ...string) {
	t.Helper()
	python := os.Getenv(emulator.PythonEnv)
	if python == "" {
		python = "python3"
	}
	out, err := exec.Command(python, append([]string{"-c", script, c.emu.Endpoint}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// seedLicense puts the license parameter into region (step 2 of the
// runbook: the license lives in the auth region).
func (c *cluster) seedLicense(t *testing.T, region, name string) {
	t.Helper()
	c.python(t, `
import boto3, sys
boto3.client("ssm", region_name=sys.argv[2], endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test").put_parameter(
    Name=sys.argv[3], Value="-----BEGIN CERTIFICATE-----\nlocal emulator: not a license\n-----END CERTIFICATE-----\n", Type="SecureString", Overwrite=True)
`, region, name)
}
