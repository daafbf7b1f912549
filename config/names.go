package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Names derives every AWS resource name from the cluster config, in one place,
// so that their length limits are checked once (see names_test.go) and no
// construct invents its own.
type Names struct {
	cluster string
	suffix  string
	restore Restore
	// gen ends the auth stack's global names: "" at auth.generation 0,
	// else "-g<generation>" (see Global).
	gen string
}

// Names returns the naming scheme of c.
func (c *Cluster) Names() Names {
	// S3 bucket names are global across all AWS accounts: a short hash of the
	// domain (which the user owns) makes collisions with strangers unlikely
	// while keeping names deterministic and reviewable.
	sum := sha256.Sum256([]byte(c.Domain))
	n := Names{cluster: c.ClusterName, suffix: hex.EncodeToString(sum[:])[:8], restore: c.Restore}
	if c.Auth.Generation > 0 {
		n.gen = fmt.Sprintf("-g%d", c.Auth.Generation)
	}
	return n
}

// Global is the name of an auth stack resource that is global (IAM, S3) or
// lives outside the auth region (copy region, us-east-1): name, ended by
// the auth generation. An auth stack stood up in another region after the
// auth region was lost (auth.generation raised) shares none of them with
// the lost one, whose resources still hold theirs; at generation 0 the
// names are those of a first deploy. Regional names in the auth region need
// no suffix: the new auth region holds no auth stack of the cluster.
func (n Names) Global(name string) string { return name + n.gen }

// AuthStack is the name of the auth region's stack.
func (n Names) AuthStack(region string) string { return "auth-" + region }

// ProxyStack is the name of a proxy region's stack.
func (n Names) ProxyStack(region string) string { return "proxy-" + region }

// MeshStack is the name of the stack holding a proxy region's connections
// with the proxy regions sorting before it and the other regions' entries in
// its peer prefix list. "mesh-", not "proxy-": it is not a proxy region's
// stack, and whatever reads proxy stacks by their prefix leaves it alone.
func (n Names) MeshStack(region string) string { return "mesh-" + region }

// Prefix returns "<cluster>-<part>", the usual resource name.
func (n Names) Prefix(part string) string { return n.cluster + "-" + part }

// StateTable is the DynamoDB table of cluster state.
// A restored copy named in the config's restore block replaces it.
func (n Names) StateTable() string { return or(n.restore.StateTable, n.Prefix("state")) }

func or(override, name string) string {
	if override != "" {
		return override
	}
	return name
}

// EventsTable is the DynamoDB table of audit events.
// A restored copy named in the config's restore block replaces it.
func (n Names) EventsTable() string { return or(n.restore.EventsTable, n.Prefix("events")) }

// LocksTable is the DynamoDB table that lets one auth instance at a time
// renew the certificate.
func (n Names) LocksTable() string { return n.Prefix("locks") }

// RecordingsBucket is the S3 bucket of session recordings.
// A restored copy named in the config's restore block replaces it.
func (n Names) RecordingsBucket() string {
	return or(n.restore.RecordingsBucket, n.Prefix("recordings-"+n.suffix+n.gen))
}

// BackupVault names the AWS Backup vaults (the auth region's and the copy
// region's) and the backup plan.
func (n Names) BackupVault() string { return n.Global(n.Prefix("state")) }

// BackupRole is the IAM role AWS Backup runs the plan's jobs with.
func (n Names) BackupRole() string { return n.Global(n.Prefix("backup")) }

// BackupKeyAlias is the alias of the backup vaults' keys (one per region).
func (n Names) BackupKeyAlias() string { return "alias/" + n.Global(n.Prefix("backup-vault")) }

// AuthZone is the private hosted zone of the Auth Service's address,
// associated with every VPC of the cluster.
func (n Names) AuthZone() string { return n.cluster + ".teleport.internal" }

// AuthAddress is the name proxies join the Auth Service through, in
// AuthZone.
func (n Names) AuthAddress() string { return "auth." + n.AuthZone() }

// BackupsBucket is the S3 bucket holding the exports of the cluster state
// table taken before each Auth Service release.
func (n Names) BackupsBucket() string { return n.Prefix("backups-" + n.suffix + n.gen) }

// CertsBucket is the S3 bucket holding the cluster's TLS certificate.
func (n Names) CertsBucket() string { return n.Prefix("certs-" + n.suffix + n.gen) }

// AuthLoadBalancer names the internal auth NLB and its target group.
func (n Names) AuthLoadBalancer() string { return n.Prefix("auth") }

// ProxyLoadBalancer names a region's public proxy NLB and its target group.
// Load balancer names are per region, so the region is not part of it.
func (n Names) ProxyLoadBalancer() string { return n.Prefix("proxy") }

// AuthRole names the auth instances' IAM role and instance profile.
func (n Names) AuthRole() string { return n.Global(n.Prefix("auth")) }

// ProxyRole names a proxy region's IAM role and instance profile (IAM is
// global, so the region is part of it).
func (n Names) ProxyRole(region string) string { return n.Prefix("proxy-" + region) }

// ProxyRolePattern matches every ProxyRole (the cluster key's policy admits
// them to the certificate and the CA pin).
func (n Names) ProxyRolePattern() string { return n.ProxyRolePrefix() + "*" }

// ProxyRolePrefix starts every ProxyRole: the auth servers admit a
// registered role (ProxyRoleParameter) only if its name starts with it.
func (n Names) ProxyRolePrefix() string { return n.Prefix("proxy-") }

// ProxyRolesPath is the SSM path, in the auth region, under which each proxy
// stack registers its proxies' role ARN (ProxyRoleParameter); the auth
// servers list it to write the join token's rules, one per role.
func (n Names) ProxyRolesPath() string { return "/teleport/" + n.cluster + "/proxy-roles" }

// ProxyRoleParameter is where the stack of a proxy region registers its
// proxies' role ARN.
func (n Names) ProxyRoleParameter(region string) string { return n.ProxyRolesPath() + "/" + region }

// ProxyJoinToken names the Teleport IAM join token of the proxies.
func (n Names) ProxyJoinToken() string { return n.Prefix("proxy-iam") }

// KeyAlias is the KMS alias of the cluster key in a region.
func (n Names) KeyAlias() string { return "alias/" + n.Prefix("teleport") }

// ProxyKeyAlias is the KMS alias of a proxy region's volume key. It differs
// from KeyAlias because a proxy region may be the auth region.
func (n Names) ProxyKeyAlias() string { return "alias/" + n.Prefix("proxy-volumes") }

// AutoScalingRoleSuffix is the custom suffix of the cluster's Auto Scaling
// service-linked role, whose name is AutoScalingRole.
func (n Names) AutoScalingRoleSuffix() string { return n.Global(n.cluster) }

// AutoScalingRole is the name of the cluster's Auto Scaling service-linked
// role (IAM gives it that name from the suffix; it is global).
func (n Names) AutoScalingRole() string {
	return "AWSServiceRoleForAutoScaling_" + n.AutoScalingRoleSuffix()
}

// CAPinParameter is the SSM parameter (auth region) holding the cluster CA
// pin that proxies pin on their first join.
func (n Names) CAPinParameter() string { return "/teleport/" + n.cluster + "/ca-pin" }

// FlowLogGroup is the CloudWatch Logs group of a VPC's flow logs; vpc is
// "auth" or "proxy" (log groups are per region, and a region holds at most
// one VPC of each).
func (n Names) FlowLogGroup(vpc string) string {
	return "/teleport/" + n.cluster + "/vpc-flow-logs/" + vpc
}

// InstanceLogGroup is the CloudWatch Logs group of the logs of a role's
// instances ("auth" or "proxy") in a region: Teleport's log, the boot log
// and the timer jobs' log, a stream each per instance.
func (n Names) InstanceLogGroup(role string) string { return "/teleport/" + n.cluster + "/" + role }

// MetricsLogGroup is the log group of the Prometheus metrics a role's
// instances ship in embedded metric format, from which CloudWatch extracts
// the metrics.
func (n Names) MetricsLogGroup(role string) string {
	return "/teleport/" + n.cluster + "/" + role + "-metrics"
}

// Cluster is the cluster name (the metrics' Cluster dimension).
func (n Names) Cluster() string { return n.cluster }

// FlowLogRole names the flow log delivery role of a stack's VPC; suffix is
// "auth" or the proxy region (IAM is global).
func (n Names) FlowLogRole(suffix string) string {
	if suffix == "auth" {
		return n.Global(n.Prefix("flow-logs-auth"))
	}
	return n.Prefix("flow-logs-" + suffix)
}

// RolloutParameter is the SSM parameter (auth region) holding the auth
// servers' rollout state, which new proxies wait on.
func (n Names) RolloutParameter() string { return "/teleport/" + n.cluster + "/auth-rollout" }

// ProxyLaunchHook names the lifecycle hook that holds new proxies in
// Pending:Wait until the auth servers admit them and their Teleport is
// ready. Its name is older than the readiness wait and stays: the hook of
// an existing group was created with the group, and the hook resource
// adopts it by name (constructs/instances).
func (n Names) ProxyLaunchHook() string { return n.Prefix("proxy-wait-for-auth") }

// AuthLaunchHook names the lifecycle hook that holds new auth servers in
// Pending:Wait until their Teleport is ready.
func (n Names) AuthLaunchHook() string { return n.Prefix("auth-wait-for-ready") }

// AlertsTopic names the alarm topic of a stack; vpc is "auth" or "proxy"
// (topic names are per region, and a region holds at most one stack of
// each), or "health-checks" for the Route 53 health check alarms, whose
// metrics exist only in us-east-1.
func (n Names) AlertsTopic(kind string) string {
	if kind == "health-checks" {
		return n.Global(n.Prefix(kind + "-alerts"))
	}
	return n.Prefix(kind + "-alerts")
}

// Alarm names an alarm of the cluster (alarm names are per region).
func (n Names) Alarm(what string) string { return n.Prefix(what) }

// Dashboard names the cluster's CloudWatch dashboard (auth region).
func (n Names) Dashboard() string { return n.Prefix("teleport") }

// AlertsKeyAlias is the alias of the key of the us-east-1 topic of the
// Route 53 health check alarms, where the auth region is another region.
func (n Names) AlertsKeyAlias() string { return "alias/" + n.Global(n.Prefix("alerts")) }

// createdTables and createdBuckets are the DynamoDB tables and S3 buckets
// the cluster creates itself, by name, each with what it holds: a restored
// copy (restore:) must not take one of these names. Restore overrides are
// ignored: these are the names the cluster would create.
func (n Names) createdTables() map[string]string {
	n.restore = Restore{}
	return map[string]string{n.StateTable(): "state table", n.EventsTable(): "events table", n.LocksTable(): "locks table"}
}

func (n Names) createdBuckets() map[string]string {
	n.restore = Restore{}
	return map[string]string{
		n.RecordingsBucket(): "recordings bucket", n.BackupsBucket(): "backups bucket", n.CertsBucket(): "certificate bucket",
		n.AthenaEventsBucket(): "Athena audit events bucket", n.AthenaLargeEventsBucket(): "Athena large events bucket",
		n.AthenaResultsBucket(): "Athena query results bucket",
	}
}
