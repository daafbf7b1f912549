package config

import "fmt"

// unused refuses settings that have no effect in the config's mode: a
// setting the file gives but the deployment ignores misleads its reader
// (and its author, who expects it to act), and the fix is always to remove
// it. Refused rather than warned, like license_ssm_parameter under edition
// oss and backend.s3 under backend.type local: a warning scrolls by in a
// deploy log, a refusal is fixed once.
//
// A setting counts as given when the file has the key, whatever its value
// (agent_connection_count: 2 under edition oss is as unused as 5). Without a
// file (Validate on a Cluster built in Go, defaults applied), a value other
// than the default counts as given.
//
// The connectivity modes have no setting of their own (transit gateway ASNs
// are derived, see asn.go), so neither can leave one unused. Settings of
// existing_vpc that a mode ignores are refused by existingVPC.
func (v *validator) unused(c *Cluster) {
	set := func(path string, nonDefault bool) bool {
		if v.unknown(path) {
			return false // its own problem is already reported
		}
		if v.given != nil {
			return v.given(path)
		}
		return nonDefault
	}
	if c.Edition == EditionOSS && !v.unknown("edition") {
		if set("agent_connection_count", c.AgentConnectionCount != DefaultAgentConnectionCount) {
			v.add("agent_connection_count", "is only used with edition: enterprise: it is how many proxies each agent keeps a tunnel to under Proxy Peering, and edition oss runs agent mesh (every agent connects to every proxy, Teleport's tunnel_strategy agent_mesh); remove it, or set edition: enterprise")
		}
		// peering.mode public under oss is refused by teleport().
		if c.Peering.Mode == PeeringVPC && set("peering.mode", false) {
			v.add("peering.mode", "is only used with edition: enterprise: it says how proxies reach each other for Proxy Peering, which edition oss does not run (its proxies live in private subnets either way); remove it")
		}
	}
	if c.Athena() && c.Restore.EventsTable != "" && !v.unknown("audit.backend") {
		v.add("restore.events_table", "is only used with audit.backend: dynamodb: with athena the audit log is Parquet in S3 and the cluster has no events table to run on a restored copy of; remove it (the restored table keeps its events; README: Athena audit log)")
	}
	if !anyFlowLogs(c) {
		for _, k := range []struct {
			path       string
			nonDefault bool
		}{
			{"flow_logs.traffic_type", c.FlowLogs.TrafficType != DefaultFlowLogTrafficType},
			{"flow_logs.retention_days", c.FlowLogs.RetentionDays != DefaultFlowLogRetentionDays},
		} {
			if set(k.path, k.nonDefault) {
				v.add(k.path, "is only used by the cluster's VPC flow logs, and it has none: every VPC is an existing_vpc with flow_logs: false; remove it, or set flow_logs: true on an existing_vpc")
			}
		}
	}
	for _, region := range sortedKeys(c.Quotas.ElasticIPs) {
		if _, ok := LookupRegion(region); ok && !natGatewaysIn(c, region) {
			// A note, not a refusal: the quota is a fact about the
			// account, worth declaring ahead of a change that uses it.
			c.notes = append(c.notes, fmt.Sprintf("quotas.elastic_ips.%s: the cluster creates no NAT gateway in %s (no created VPC with private subnets there), so this quota is not used yet", region, region))
		}
	}
}

// anyFlowLogs reports whether some VPC of the cluster gets a flow log.
func anyFlowLogs(c *Cluster) bool {
	if c.Auth.ExistingVPC.FlowLogsOn() {
		return true
	}
	for _, p := range c.ActiveProxyRegions() {
		if p.ExistingVPC.FlowLogsOn() {
			return true
		}
	}
	return false
}

// natGatewaysIn reports whether the cluster creates a NAT gateway in
// region: in the auth VPC, and in proxy VPCs unless proxies peer over
// public addresses, when the VPC is created (see elasticIPs).
func natGatewaysIn(c *Cluster, region string) bool {
	if c.Auth.Region == region && c.Auth.ExistingVPC == nil {
		return true
	}
	if c.PublicPeering() {
		return false
	}
	for _, p := range c.ActiveProxyRegions() {
		if p.Region == region && p.ExistingVPC == nil {
			return true
		}
	}
	return false
}
