package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestNamesFitAWSLimits checks every generated name against its service's
// rule for the longest cluster name the validator accepts, in every region.
func TestNamesFitAWSLimits(t *testing.T) {
	longest := strings.Repeat("c", MaxClusterNameLen-2) + "-x"
	c := &Cluster{ClusterName: longest, Domain: strings.Repeat("d", 63) + ".example.com"}
	v := &validator{}
	v.clusterName(longest)
	if len(v.problems) != 0 {
		t.Fatalf("the longest name is rejected: %v", v.problems)
	}
	n := c.Names()
	bucketRule := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	lbRule := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]$`)
	iamRule := regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	tableRule := regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	check := func(kind, name string, rule *regexp.Regexp) {
		if !rule.MatchString(name) {
			t.Errorf("%s name %q (%d characters) breaks the AWS rule %s", kind, name, len(name), rule)
		}
	}
	check("bucket", n.RecordingsBucket(), bucketRule)
	check("bucket", n.CertsBucket(), bucketRule)
	check("load balancer", n.AuthLoadBalancer(), lbRule)
	check("load balancer", n.ProxyLoadBalancer(), lbRule)
	check("IAM role", n.AuthRole(), iamRule)
	check("IAM role", n.AutoScalingRole(), iamRule)
	aliasRule := regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	check("KMS alias", n.KeyAlias(), aliasRule)
	check("KMS alias", n.ProxyKeyAlias(), aliasRule)
	if n.KeyAlias() == n.ProxyKeyAlias() {
		t.Error("the auth and proxy key aliases collide (a proxy region may be the auth region)")
	}
	for _, table := range []string{n.StateTable(), n.EventsTable(), n.LocksTable()} {
		check("DynamoDB table", table, tableRule)
	}
	roles := map[string]string{}
	for _, region := range RegionNames() {
		role := n.ProxyRole(region)
		check("IAM role", role, iamRule)
		if prev, dup := roles[role]; dup {
			t.Errorf("regions %s and %s share the role name %s", prev, region, role)
		}
		roles[role] = region
		if !strings.HasPrefix(role, strings.TrimSuffix(n.ProxyRolePattern(), "*")) {
			t.Errorf("role %s does not match the join token pattern %s", role, n.ProxyRolePattern())
		}
		if len(n.ProxyStack(region)) > 64 {
			t.Errorf("stack name %s too long", n.ProxyStack(region))
		}
	}
	if n.RecordingsBucket() == n.CertsBucket() {
		t.Error("bucket names collide")
	}
}
