package config

import (
	"strings"
	"testing"
)

func TestAudit(t *testing.T) {
	c, err := Parse([]byte(valid), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Audit.Backend != AuditDynamoDB || c.Athena() {
		t.Errorf("default audit backend %q", c.Audit.Backend)
	}
	c, err = Parse([]byte(strings.Replace(valid, "cluster_name: example", "cluster_name: acme-prod", 1)+"audit: {backend: athena}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := c.Names()
	if !c.Athena() || n.AthenaDatabase() != "acme_prod_audit" || n.AthenaTable() != "events" {
		t.Errorf("athena: %v %s.%s", c.Athena(), n.AthenaDatabase(), n.AthenaTable())
	}
	for _, b := range []string{n.AthenaEventsBucket(), n.AthenaLargeEventsBucket(), n.AthenaResultsBucket()} {
		if !bucketRe.MatchString(b) {
			t.Errorf("bucket name %q", b)
		}
	}
	long := strings.Replace(valid, "cluster_name: example", "cluster_name: "+strings.Repeat("a", MaxClusterNameLen), 1)
	c, err = Parse([]byte(long+"audit: {backend: athena}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if b := c.Names().AthenaLargeEventsBucket(); len(b) > 63 {
		t.Errorf("bucket name %q is %d characters", b, len(b))
	}
	wantProblem(t, valid+"audit: {backend: cloudwatch}\n", "audit.backend", `"cloudwatch" is not an audit backend`)
}
