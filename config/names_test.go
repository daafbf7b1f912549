package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestNamesFitAWSLimits checks every generated name against its service's
// rule for the longest cluster name the validator accepts, in every region.
func TestNamesFitAWSLimits(t *testing.T) {
	for _, gen := range []int{0, MaxAuthGeneration} {
		namesFitAWSLimits(t, gen)
	}
}

func namesFitAWSLimits(t *testing.T, generation int) {
	longest := strings.Repeat("c", MaxClusterNameLen-2) + "-x"
	c := &Cluster{ClusterName: longest, Domain: strings.Repeat("d", 63) + ".example.com", Auth: AuthRegion{Generation: generation}}
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
	check("bucket", n.BackupsBucket(), bucketRule)
	for _, b := range []string{n.AthenaEventsBucket(), n.AthenaLargeEventsBucket(), n.AthenaResultsBucket()} {
		check("bucket", b, bucketRule)
	}
	check("IAM role", n.BackupRole(), iamRule)
	check("IAM role", n.FlowLogRole("auth"), iamRule)
	check("backup vault", n.BackupVault(), regexp.MustCompile(`^[a-zA-Z0-9_-]{2,50}$`))
	check("SNS topic", n.AlertsTopic("health-checks"), regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`))
	check("load balancer", n.AuthLoadBalancer(), lbRule)
	check("load balancer", n.ProxyLoadBalancer(), lbRule)
	check("IAM role", n.AuthRole(), iamRule)
	check("IAM role", n.AutoScalingRole(), iamRule)
	aliasRule := regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	check("KMS alias", n.KeyAlias(), aliasRule)
	check("KMS alias", n.ProxyKeyAlias(), aliasRule)
	check("KMS alias", n.BackupKeyAlias(), aliasRule)
	check("KMS alias", n.AlertsKeyAlias(), aliasRule)
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

// auth.generation 0 keeps a deployed cluster's names (raising it renames,
// so replaces, what it names); above 0, every global name of the auth stack
// and every name it has outside the auth region differs from generation
// 0's, and nothing else does (regional names in the auth region, and the
// proxies' names, stay).
func TestAuthGenerationNames(t *testing.T) {
	c := &Cluster{ClusterName: "example", Domain: "teleport.example.com"}
	first := c.Names()
	// Today's names, literally: a deployed cluster keeps them.
	for got, want := range map[string]string{
		first.AuthRole(): "example-auth", first.BackupRole(): "example-backup", first.FlowLogRole("auth"): "example-flow-logs-auth",
		first.AutoScalingRole(): "AWSServiceRoleForAutoScaling_example", first.BackupVault(): "example-state",
		first.BackupKeyAlias(): "alias/example-backup-vault", first.AlertsTopic("health-checks"): "example-health-checks-alerts",
		first.AlertsKeyAlias(): "alias/example-alerts", first.CertsBucket(): "example-certs-" + first.suffix,
		first.RecordingsBucket(): "example-recordings-" + first.suffix, first.BackupsBucket(): "example-backups-" + first.suffix,
		first.AthenaEventsBucket(): "example-audit-events-" + first.suffix,
	} {
		if got != want {
			t.Errorf("generation 0 names %q; a deployed cluster's name is %q", got, want)
		}
	}
	c.Auth.Generation = 1
	next := c.Names()
	moved := map[string][2]string{
		"auth role": {first.AuthRole(), next.AuthRole()}, "backup role": {first.BackupRole(), next.BackupRole()},
		"auth flow log role": {first.FlowLogRole("auth"), next.FlowLogRole("auth")},
		"Auto Scaling role":  {first.AutoScalingRole(), next.AutoScalingRole()},
		"backup vault":       {first.BackupVault(), next.BackupVault()}, "backup key alias": {first.BackupKeyAlias(), next.BackupKeyAlias()},
		"health check topic": {first.AlertsTopic("health-checks"), next.AlertsTopic("health-checks")},
		"alerts key alias":   {first.AlertsKeyAlias(), next.AlertsKeyAlias()},
		"certs bucket":       {first.CertsBucket(), next.CertsBucket()}, "recordings bucket": {first.RecordingsBucket(), next.RecordingsBucket()},
		"backups bucket": {first.BackupsBucket(), next.BackupsBucket()}, "Athena events bucket": {first.AthenaEventsBucket(), next.AthenaEventsBucket()},
		"Athena large events bucket": {first.AthenaLargeEventsBucket(), next.AthenaLargeEventsBucket()},
		"Athena results bucket":      {first.AthenaResultsBucket(), next.AthenaResultsBucket()},
	}
	for what, pair := range moved {
		if pair[0] == pair[1] || !strings.HasSuffix(pair[1], "-g1") && !strings.Contains(pair[1], "-g1") {
			t.Errorf("%s: generation 1 names %q, generation 0 %q", what, pair[1], pair[0])
		}
	}
	for what, pair := range map[string][2]string{
		"state table": {first.StateTable(), next.StateTable()}, "auth alerts topic": {first.AlertsTopic("auth"), next.AlertsTopic("auth")},
		"cluster key alias": {first.KeyAlias(), next.KeyAlias()}, "proxy role": {first.ProxyRole("eu-central-1"), next.ProxyRole("eu-central-1")},
		"proxy flow log role": {first.FlowLogRole("eu-central-1"), next.FlowLogRole("eu-central-1")},
		"auth load balancer":  {first.AuthLoadBalancer(), next.AuthLoadBalancer()}, "CA pin": {first.CAPinParameter(), next.CAPinParameter()},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s: renamed by the generation (%q -> %q), though it is regional or the proxies'", what, pair[0], pair[1])
		}
	}
}
