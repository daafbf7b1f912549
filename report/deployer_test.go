package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

// Every resource, data source and ephemeral resource type of every golden
// stack has an entry in deployerTable, with the provider source it was read
// from: a new type fails here (and synth refuses it) until its API calls
// are in the deployer policy.
func TestDeployerTableCoversGoldens(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	used := map[string]bool{}
	for _, dir := range dirs {
		out, err := ReadOutput(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range out.Names() {
			for _, kind := range []string{"resource", "data", "ephemeral"} {
				block, _ := out.Stacks[name][kind].(map[string]any)
				for typ := range block {
					key := kind + "." + typ
					used[key] = true
					p, ok := deployerTable[key]
					if !ok {
						t.Errorf("%s/%s: %s has no deployer permissions (deployerTable)", filepath.Base(dir), name, key)
					} else if !strings.Contains(p.source, "terraform-provider-aws") && !strings.Contains(p.source, "Terraform") {
						t.Errorf("%s: no source", key)
					}
				}
			}
		}
	}
	// An entry no golden uses is dead weight or a type a test config
	// should cover. The look-ups of a move to mesh stacks appear only in
	// the synth that moves a cluster (TestMoveFromPreMeshOutput synthesizes
	// one, which needs its entry; e2e TestMoveToMeshStacks the other).
	moveOnly := map[string]bool{"data.aws_vpc_peering_connection": true, "data.aws_ec2_transit_gateway_peering_attachment": true}
	for key := range deployerTable {
		if !used[key] && !moveOnly[key] {
			t.Errorf("%s is in deployerTable but in no golden stack", key)
		}
	}
}

// A type without an entry fails with a message that says where to add it.
func TestDeployerPolicyRefusesUnknownType(t *testing.T) {
	cfg, err := config.Load("../examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := &Output{Stacks: map[string]Stack{"dns": {"resource": map[string]any{"aws_new_thing": map[string]any{"x": map[string]any{}}}}}}
	if _, err := DeployerPolicy(out, cfg); err == nil || !strings.Contains(err.Error(), "resource.aws_new_thing") || !strings.Contains(err.Error(), "deployerTable") {
		t.Errorf("got %v", err)
	}
}

// The golden deployer policies are IAM policy documents as IAM reads them,
// each within the managed policy size limit.
func TestDeployerPolicyDocuments(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/*/deployer-policy-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no deployer policies in the goldens: %v", err)
	}
	action := regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9]+\*?$`)
	sid := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	arn := regexp.MustCompile(`^(\*|arn:aws:[a-z0-9-]+:[a-z0-9-*]*:(\$\{aws:PrincipalAccount\})?:.+)$`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var doc PolicyDocument
		if err := dec.Decode(&doc); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if n := PolicyChars(doc); n > DeployerPolicyMaxChars {
			t.Errorf("%s: %d characters without whitespace, IAM allows %d", f, n, DeployerPolicyMaxChars)
		}
		if doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
			t.Errorf("%s: version %q, %d statements", f, doc.Version, len(doc.Statement))
		}
		sids := map[string]bool{}
		for _, st := range doc.Statement {
			if !sid.MatchString(st.Sid) || sids[st.Sid] {
				t.Errorf("%s: Sid %q is not alphanumeric or repeats", f, st.Sid)
			}
			sids[st.Sid] = true
			if st.Effect != "Allow" || len(st.Action) == 0 || len(st.Resource) == 0 {
				t.Errorf("%s %s: effect %s, %d actions, %d resources", f, st.Sid, st.Effect, len(st.Action), len(st.Resource))
			}
			for _, a := range st.Action {
				if !action.MatchString(a) {
					t.Errorf("%s %s: action %q", f, st.Sid, a)
				}
			}
			for _, r := range st.Resource {
				if !arn.MatchString(r) || strings.Contains(r, "${data.") {
					t.Errorf("%s %s: resource %q", f, st.Sid, r)
				}
			}
			for test, vars := range st.Condition {
				for v, val := range vars {
					if strings.Contains(strings.ReplaceAll(condText(val), "${aws:PrincipalAccount}", ""), "${") {
						t.Errorf("%s %s: condition %s %s holds a Terraform expression: %v", f, st.Sid, test, v, val)
					}
				}
			}
		}
	}
}

func condText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
