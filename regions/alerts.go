package regions

import (
	"fmt"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/authcluster"
	"github.com/example/teleport-multi-region/constructs/backup"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/loadbalancer"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/storage"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// HealthCheckRegion is where Route 53 publishes health check metrics, so
// where their alarms and the topic those notify must be ("Monitoring health
// checks using CloudWatch", Route 53 developer guide).
const HealthCheckRegion = "us-east-1"

// alarmMinutes is how long a failure lasts before an alarm fires: long
// enough to ride out one instance being replaced, short enough to be told
// before users are.
const alarmMinutes = 5

// authAlerts creates the auth region's topic and alarms, and the topic of
// the Route 53 health check alarms (the auth topic itself when the auth
// region is us-east-1, else a topic and key of its own there).
func authAlerts(stack cdktf.TerraformStack, cfg *config.Cluster, account *string, key *kmskey.Key, auth *authcluster.AuthCluster, backups *backup.Backup) (regional, healthChecks *alarms.Topic) {
	names := cfg.Names()
	region := cfg.Auth.Region
	regional = alarms.NewTopic(stack, "alerts", &alarms.TopicProps{
		Name: names.AlertsTopic("auth"), Region: region, AccountID: account, KeyARN: key.ARN, Email: cfg.Alerts.Email,
	})
	healthChecks = regional
	if region != HealthCheckRegion {
		p := newProvider(stack, "aws-"+HealthCheckRegion, cfg, HealthCheckRegion, HealthCheckRegion)
		name := names.AlertsTopic("health-checks")
		hcKey := kmskey.New(stack, "alerts-key", &kmskey.Props{
			Description:    "SNS topic of the Teleport proxies' Route 53 health check alarms",
			Alias:          names.AlertsKeyAlias(),
			AccountID:      account,
			Region:         HealthCheckRegion,
			AlarmTopicARNs: []string{alarms.TopicARN(HealthCheckRegion, *account, name)},
			Provider:       p,
			Protect:        cfg.Protected(),
		})
		healthChecks = alarms.NewTopic(stack, "health-check-alerts", &alarms.TopicProps{
			Name: name, Region: HealthCheckRegion, AccountID: account, KeyARN: hcKey.ARN, Email: cfg.Alerts.Email, Provider: p,
		})
	}

	noTarget := nlbHealthy(stack, "alarm-auth-targets", regional, auth.LoadBalancer, names.Alarm("auth-no-healthy-target"), 1, alarmMinutes,
		alarms.Describe("No Auth Service instance passes the auth NLB's health check: proxies cannot reach the cluster",
			"check the auth group's instances and their boot and teleport streams in the auth log group"))
	// Below the count for longer than one auth server's replacement takes
	// in a refresh (terminate, boot, 5 minutes' warm-up): one auth server
	// is down and the next failure is an outage.
	if n := cfg.Auth.Instances.Count; n > 1 {
		nlbHealthy(stack, "alarm-auth-below-count", regional, auth.LoadBalancer, names.Alarm("auth-healthy-below-count"), n, authRefreshMinutes,
			alarms.Describe(fmt.Sprintf("Fewer than %d Auth Service instances pass the auth NLB's health check for %d minutes", n, authRefreshMinutes),
				"check the auth group's activity (a refresh replaces one server at a time), the instances' boot and teleport streams in the auth log group"))
	}
	instanceAlarms := alarms.InstanceAlarms(stack, "alarm-auth-instances", &alarms.InstanceProps{GroupName: names.Prefix("auth"), Name: names.Alarm("auth"), Topic: regional})
	// A refresh of the auth group rolls back when an auth server's boot
	// fails (Teleport not ready in time included) and, with two servers,
	// when none passes the health check: the refresh replaces one at a
	// time, so a good release never leaves the NLB without a target. With
	// one server the refresh itself empties the NLB for minutes, and the
	// below-count alarm is on for each replacement's duration: neither
	// means a bad release there.
	rollback := []*string{instanceAlarms.BootFailed}
	if cfg.Auth.Instances.Count > 1 {
		rollback = append(rollback, noTarget)
	}
	auth.Group.RollBackOn(rollback...)
	alarms.KeyStateRule(stack, "alarm-key-state", &alarms.KeyStateProps{Name: names.Alarm("cluster-key-disabled"), KeyARN: key.ARN, Topic: regional})
	alarms.BackupJobsRule(stack, "alarm-backup-jobs", &alarms.BackupJobProps{Name: names.Alarm("backup-job-failed"), Topic: regional})
	for _, rt := range backups.ResourceTypes {
		kind := strings.ToLower(rt)
		alarms.NoBackup(stack, "alarm-backup-missing-"+kind, &alarms.NoBackupProps{
			Name: names.Alarm("backup-missing-" + kind), Vault: backups.VaultName, ResourceType: rt,
			Metric: backup.MetricJobsCompleted(backups.VaultName, rt), Hours: backup.NoBackupAlarmHours, Topic: regional,
		})
	}
	// Alarms are named, and addressed, by the table's role, never by its
	// name: a restored table (restore:) has a name the user chose, and its
	// alarms keep theirs (and their Terraform addresses) across a restore.
	tables := []struct{ role, name string }{{"state", names.StateTable()}}
	if !cfg.Athena() {
		tables = append(tables, struct{ role, name string }{"events", names.EventsTable()})
	}
	for _, t := range tables {
		table := t.name
		for _, op := range []string{"Read", "Write"} {
			alarms.New(stack, fmt.Sprintf("alarm-%s-%s-throttles", names.Prefix(t.role), op), &alarms.Props{
				Name: names.Alarm(fmt.Sprintf("%s-%s-throttled", t.role, map[string]string{"Read": "reads", "Write": "writes"}[op])),
				Description: alarms.Describe(fmt.Sprintf("DynamoDB throttles %ss on %s", op, table),
					"check the table's consumption and the account's on-demand throughput quotas; raise them or the table's maximum throughput"),
				Metric:    storage.MetricThrottleEvents(table, op),
				Threshold: 0, Periods: 1, Topic: regional,
			})
		}
	}
	alarms.PublishedCertificate(stack, "alarm-certificate", &alarms.CertificateProps{
		Name: names.Alarm("certificate-expiring"), Domain: cfg.Domain, Days: CertificateAlarmDays, Topic: regional,
	})
	return regional, healthChecks
}

// authRefreshMinutes is how long the auth group may stay below its count
// before its alarm fires: longer than one server's replacement.
const authRefreshMinutes = 20

// CertificateAlarmDays is the remaining validity below which the
// certificate alarm fires (renewal starts at 30 days).
const CertificateAlarmDays = 14

// nlbHealthy alarms when fewer than min targets behind lb are healthy for
// alarmMinutes minutes in a row (missing data counts: no data means no
// healthy target), and returns the alarm's name.
func nlbHealthy(stack cdktf.TerraformStack, id string, topic *alarms.Topic, lb *loadbalancer.LoadBalancer, name string, min, minutes int, description string) *string {
	return alarms.New(stack, id, &alarms.Props{
		Name: name, Description: description,
		Metric: lb.MetricHealthyHostCount(),
		Below:  true, Threshold: float64(min), Periods: minutes, MissingIsBreaching: true, Topic: topic,
	})
}

// natAlarms watches each NAT gateway of net (one per zone of a created VPC
// with private subnets): the instances of a zone reach the AWS APIs that
// have no endpoint in the VPC (SSM and Session Manager, the instances'
// metadata-signed calls, Let's Encrypt for the auth servers) only through
// their zone's gateway, and a gateway that fails drops their packets while
// every other signal stays green until a boot or a renewal fails. Drops in
// each of three 5-minute periods, not one: AWS's guide reads a nonzero
// PacketsDropCount as possibly transient (network.NATGateway).
func natAlarms(stack cdktf.TerraformStack, topic *alarms.Topic, net *network.Network, name func(zone string) string, region string) {
	for _, g := range net.NATGateways {
		alarms.New(stack, "alarm-nat-"+g.Zone, &alarms.Props{
			Name: name(g.Zone),
			Description: alarms.Describe("The NAT gateway of zone "+g.Zone+" in "+region+" has dropped packets for 15 minutes: that zone's instances may lose SSM, Session Manager and their other egress",
				"check AWS Health for the zone and the gateway's metrics (AWS/NATGateway); if the zone is impaired, take it out of the VPC (docs/operations.md: Changing a VPC's zones or range) or wait for AWS"),
			Metric:    g.MetricPacketsDropped(),
			Threshold: 0, Periods: 3, Topic: topic,
		})
	}
}
