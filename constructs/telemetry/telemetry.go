// Package telemetry provides where a role's instances in one region ship
// their logs and Teleport's metrics (the CloudWatch agent that
// package teleportconfig configures): two CloudWatch Logs groups, both
// encrypted with the region's customer managed key and kept for
// logs.retention_days,
//
//   - the log group (config.Names.InstanceLogGroup): Teleport's log, the boot
//     log and the timer jobs' log, a stream each per instance
//     ("<instance id>/teleport", "/boot", "/jobs");
//   - the metrics log group (config.Names.MetricsLogGroup): Teleport's
//     Prometheus metrics as embedded metric format events, from which
//     CloudWatch extracts the metrics in teleportconfig.MetricNamespace;
//
// the instance role's statements that let the agent write to exactly
// these groups, the metrics (methods and functions below, which the alarms
// and the dashboard share) and the alarms on them.
//
// The agent only calls CreateLogStream and PutLogEvents: the groups exist
// before any instance (Terraform creates them with their key and
// retention), so the role has no CreateLogGroup or PutRetentionPolicy, and
// embedded metric format needs no cloudwatch:PutMetricData ("Embedded
// metric format", CloudWatch user guide: the metrics are extracted from the
// log events). CloudWatch Logs encrypts with the key as its service
// principal, for the groups the key policy names (kmskey.Props.LogGroupARNs,
// LogGroupARNs here).
package telemetry

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchlogmetricfilter"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/flowlogs"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configures Telemetry.
type Props struct {
	// Cluster is the cluster name, the metrics' Cluster dimension.
	Cluster string
	// Role is "auth" or "proxy".
	Role string
	// LogGroup and MetricsLogGroup name the two groups.
	LogGroup, MetricsLogGroup string
	// Region and AccountID locate the groups' ARNs.
	Region    string
	AccountID *string
	// KeyARN encrypts both groups; its policy must admit CloudWatch Logs
	// for LogGroupARNs.
	KeyARN *string
	// RetentionDays is how long both groups keep events.
	RetentionDays int
}

// Telemetry is a role's log groups in a region.
type Telemetry struct {
	constructs.Construct
	props Props
	// logGroup is the log group resource (what reads it is ordered after
	// it).
	logGroup cloudwatchloggroup.CloudwatchLogGroup
}

// LogGroupARNs are the ARNs of a role's two groups (for the region key's
// policy, known before the groups exist).
func LogGroupARNs(region, account, logGroup, metricsLogGroup string) []string {
	return []string{flowlogs.LogGroupARN(region, account, logGroup), flowlogs.LogGroupARN(region, account, metricsLogGroup)}
}

// New creates the two log groups.
func New(scope constructs.Construct, id string, props *Props) *Telemetry {
	c := constructs.NewConstruct(scope, jsii.String(id))
	t := &Telemetry{Construct: c, props: *props}
	for _, g := range []struct{ id, name string }{{"log-group", props.LogGroup}, {"metrics-log-group", props.MetricsLogGroup}} {
		group := cloudwatchloggroup.NewCloudwatchLogGroup(c, jsii.String(g.id), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Name:            jsii.String(g.name),
			RetentionInDays: jsii.Number(float64(props.RetentionDays)),
			KmsKeyId:        props.KeyARN,
		})
		if g.name == props.LogGroup {
			t.logGroup = group
		}
	}
	return t
}

// Params are what the role's user data renders the agent's configuration
// from.
func (t *Telemetry) Params() teleportconfig.Telemetry {
	return teleportconfig.Telemetry{Cluster: t.props.Cluster, Region: t.props.Region, LogGroup: t.props.LogGroup, MetricsLogGroup: t.props.MetricsLogGroup}
}

// Statements are the instance role's: streams and events in the two groups,
// nothing else of CloudWatch Logs ("CloudWatch Logs permissions reference":
// CreateLogStream and PutLogEvents take the log-group resource,
// DescribeLogStreams too, which agents older than the PutLogEvents
// sequence-token removal call).
func (t *Telemetry) Statements() []policy.Statement {
	var groups []*string
	for _, arn := range LogGroupARNs(t.props.Region, *t.props.AccountID, t.props.LogGroup, t.props.MetricsLogGroup) {
		groups = append(groups, jsii.String(arn+":*"))
	}
	return []policy.Statement{{Sid: "ShipLogsAndMetrics", Actions: []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, Resources: groups}}
}

// IngestionPeriods is how many 5-minute periods without a metric event mean
// the role's agents stopped shipping.
const IngestionPeriods = 3

// MetricIngestedEvents is how many events reached the metrics log group in
// five minutes (AWS/Logs IncomingLogEvents): every running agent sends its
// scrape each minute, so none means no instance of the role ships.
func (t *Telemetry) MetricIngestedEvents() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/Logs", Name: "IncomingLogEvents", Statistic: "Sum", PeriodSeconds: 300,
		Dimensions: map[string]*string{"LogGroupName": jsii.String(t.props.MetricsLogGroup)}}
}

// Metric is one of Teleport's Prometheus metrics of a role's instances in a
// region (teleportconfig.PrometheusMetrics), with the dimensions the agent
// writes (teleportconfig.MetricDimensions).
func Metric(name, cluster, role, region, statistic string, periodSeconds int) alarms.Metric {
	return alarms.Metric{Namespace: teleportconfig.MetricNamespace, Name: name, Statistic: statistic, PeriodSeconds: periodSeconds,
		Dimensions: map[string]*string{
			teleportconfig.DimensionCluster: jsii.String(cluster),
			teleportconfig.DimensionRole:    jsii.String(role),
			teleportconfig.DimensionRegion:  jsii.String(region),
		}}
}

// Metric is one of Teleport's metrics of this role and region.
func (t *Telemetry) Metric(name, statistic string, periodSeconds int) alarms.Metric {
	return Metric(name, t.props.Cluster, t.props.Role, t.props.Region, statistic, periodSeconds)
}

// StateMetric is a peer connection metric in one connection state (the
// state label: a gRPC connectivity state, e.g. "READY").
func (t *Telemetry) StateMetric(name, state, statistic string, periodSeconds int) alarms.Metric {
	m := t.Metric(name, statistic, periodSeconds)
	m.Dimensions[teleportconfig.DimensionState] = jsii.String(state)
	return m
}

// Tunnels is the most reverse tunnels one proxy of the region held in five
// minutes, over every tunnel type (each proxy reports each type each
// minute; the most is 0 only when every proxy reports none). A proxy counts
// a tunnel up at the agent's first heartbeat and down when it closes
// (lib/reversetunnel localsite.go), so a type's series stays, at 0, once
// its last tunnel is gone; a proxy that never had a tunnel reports nothing.
func (t *Telemetry) Tunnels() alarms.Metric {
	return t.Metric(teleportconfig.MetricTunnelsConnected, "Maximum", 300)
}

// TunnelsTotal is the reverse tunnels the region's proxies hold together,
// per minute (each proxy reports each tunnel type once a minute).
func (t *Telemetry) TunnelsTotal() alarms.Metric {
	return t.Metric(teleportconfig.MetricTunnelsConnected, "Sum", 60)
}

// PeerReady is the state label of a proxy peer connection that carries
// traffic: Teleport labels its peer connections with gRPC's
// connectivity.State (lib/proxy/peer client.go, "READY").
const PeerReady = "READY"

// PeerConnections is the region's ready peer connections per minute, to
// other proxies (outbound) or from them.
func (t *Telemetry) PeerConnections(outbound bool) alarms.Metric {
	name := teleportconfig.MetricPeerServerConnections
	if outbound {
		name = teleportconfig.MetricPeerClientConnections
	}
	return t.StateMetric(name, PeerReady, "Sum", 60)
}

// Sessions is the sessions in flight through the region's proxies.
func (t *Telemetry) Sessions() alarms.Metric {
	return t.Metric(teleportconfig.MetricProxySessions, "Sum", 60)
}

// CacheHealth is 0 while a cache of an instance of the role is unhealthy,
// else 1.
func (t *Telemetry) CacheHealth() alarms.Metric {
	return t.Metric(teleportconfig.MetricCacheHealth, "Minimum", 60)
}

// HeartbeatsMissed is the most heartbeats one auth server missed.
func (t *Telemetry) HeartbeatsMissed() alarms.Metric {
	return t.Metric(teleportconfig.MetricHeartbeatsMissed, "Maximum", 60)
}

// ConnectedInstances is the most instances connected to one auth server's
// inventory by heartbeat.
func (t *Telemetry) ConnectedInstances() alarms.Metric {
	return t.Metric(teleportconfig.MetricConnectedResources, "Maximum", 60)
}

// PeerDialErrors is how many times the region's proxies failed to reach an
// agent through a peer proxy in five minutes (the counter's increase per
// scrape, summed).
func (t *Telemetry) PeerDialErrors() alarms.Metric {
	return t.Metric(teleportconfig.MetricPeerDialErrors, "Sum", 300)
}

// PeerPings is how many pings the region's proxies sent their peer
// proxies in five minutes, failed ones included (about one a minute per
// peer and proxy: teleportconfig.MetricPeerPings).
func (t *Telemetry) PeerPings() alarms.Metric {
	return t.Metric(teleportconfig.MetricPeerPings, "Sum", 300)
}

// PeerPingFailures is how many of PeerPings failed (no answer within 10
// seconds, or no connection).
func (t *Telemetry) PeerPingFailures() alarms.Metric {
	return t.Metric(teleportconfig.MetricPeerPingFailures, "Sum", 300)
}

// PeerPingsAnswered is how many of PeerPings a peer answered. Failures
// count from a connection's first ping, so their series is there whenever
// pings are; FILL covers a period whose failure count has not arrived.
func (t *Telemetry) PeerPingsAnswered() *alarms.Math {
	return &alarms.Math{Expression: "pings - FILL(failed, 0)", Label: "peer pings answered",
		Metrics: map[string]alarms.Metric{"pings": t.PeerPings(), "failed": t.PeerPingFailures()}}
}

// PeerCanary reports whether the region's proxies run the peering canary:
// proxy peering on, and a release whose proxies ping their peers
// (teleportconfig.PeerPingsSince). Only facts of the cluster's settings,
// not of its other regions: adding or retiring a region leaves the other
// proxy stacks as they are (a cluster of one proxy sends no ping, which
// its alarms take as no news).
func PeerCanary(proxyPeering bool, release config.Version) bool {
	since, err := config.ParseVersion(teleportconfig.PeerPingsSince)
	return err == nil && proxyPeering && !release.Less(since)
}

// ReadyPeerConnections is the region's ready connections to peer proxies
// over five minutes: each proxy reports its count once a minute
// (ScrapeIntervalSeconds), so a proxy connected to n peers adds 5n.
func (t *Telemetry) ReadyPeerConnections() alarms.Metric {
	return t.StateMetric(teleportconfig.MetricPeerClientConnections, PeerReady, "Sum", 300)
}

// IsolationThreshold is the ReadyPeerConnections below which a region of
// regionProxies proxies reaches no proxy of another region. Every proxy
// keeps a connection to every other proxy the cluster lists, and Teleport
// pings each through it every minute, so a connection stays ready while
// the peer answers and falls to connecting or transient failure when it
// does not (lib/proxy/peer client.go, monitor and RunClientPing). The
// region's own proxies account for regionProxies*(regionProxies-1) ready
// connections per report, and each connection to another region's proxy
// adds one: the threshold is half a connection above the region's own.
// The region's own refresh (more proxies for a while) can only hide an
// isolation, not invent one.
func IsolationThreshold(regionProxies int) float64 {
	reports := 300 / teleportconfig.ScrapeIntervalSeconds
	return float64(reports*regionProxies*(regionProxies-1)) + float64(reports)/2
}

// IsolationProps configures IsolationAlarm.
type IsolationProps struct {
	// Name is the alarm's name.
	Name string
	// RegionProxies is how many proxies the region runs.
	RegionProxies int
	// Topic is notified (the region's).
	Topic *alarms.Topic
	// Provider manages the alarm in the region.
	Provider cdktf.TerraformProvider
}

// IsolationAlarm is the alarm that the region's proxies reach no proxy of
// another region, for Route 53's health check of the region: a plain
// metric, not metric math, since Route 53 reads only an alarm on one metric
// and statistic (its CloudWatchAlarmConfiguration requires MetricName,
// Namespace and Statistic). Its missing data is not breaching, so that a
// region whose telemetry stops keeps its clients. It means something only
// while another region has proxies, which the caller knows: unlike the
// other alarms here, whose existence depends only on the region, it is
// created by the stack that sees every region (the DNS stack).
func (t *Telemetry) IsolationAlarm(props *IsolationProps) *alarms.Props {
	return &alarms.Props{
		Name: props.Name,
		Description: alarms.Describe(fmt.Sprintf("The proxies of %s hold no ready connection to a proxy of another region, in each of %d consecutive 5-minute periods: Route 53 sends the region's clients, and its agents, to the other regions", t.props.Region, CanaryPeriods),
			"the routes, transit gateway or peering connections and 3021 prefix lists between the region and the others (its proxy and mesh stacks: go run . plan shows a drift), then the log group "+t.props.LogGroup+": filter \"peer\"; the region takes clients again once the alarm clears"),
		Metric: t.ReadyPeerConnections(),
		Below:  true, Threshold: IsolationThreshold(props.RegionProxies), Periods: CanaryPeriods, Topic: props.Topic, Provider: props.Provider,
	}
}

// ClockDriftMessage is what an auth server logs, every 10 minutes, for each
// instance whose clock is more than a minute off its own (lib/auth,
// MonitorSystemTime, gravitational/teleport#44489: "server time difference
// detected", with the instance's id, services and difference; the same
// check raises the cluster notification "Incorrect system clock detected
// in the cluster"). Proxies and agents report their clock in their
// inventory heartbeats; certificates a drifting instance issues or checks
// fail by the drift.
const ClockDriftMessage = "server time difference detected"

// ClockDriftWarnings is how many ClockDriftMessage lines the auth servers
// logged in ten minutes (a metric filter on their log group; one
// check a cycle, so ten minutes hold one).
func (t *Telemetry) ClockDriftWarnings() alarms.Metric {
	return alarms.Metric{Namespace: teleportconfig.MetricNamespace, Name: clockDriftMetric(t.props.Cluster), Statistic: "Sum", PeriodSeconds: 600}
}

// clockDriftMetric names the metric the filter counts into: a metric
// filter on a text log has no dimensions (they need a JSON or
// space-delimited pattern: "Creating metrics from log events using
// filters", CloudWatch Logs user guide), so the cluster is in the name.
func clockDriftMetric(cluster string) string { return cluster + "-clock-drift-warnings" }

// BackendFailures is how many read ("Read") or write ("Write") requests of
// the auth servers to the cluster state backend failed in five minutes.
func (t *Telemetry) BackendFailures(op string) alarms.Metric {
	name := teleportconfig.MetricBackendReadFailures
	if op == "Write" {
		name = teleportconfig.MetricBackendWriteFailures
	}
	return t.Metric(name, "Sum", 300)
}

// AlarmProps configures Alarms.
type AlarmProps struct {
	// Name prefixes the alarm names (<cluster>-<role>).
	Name string
	// Topic is notified.
	Topic *alarms.Topic
	// ProxyPeering adds the peer dial errors alarm (proxies).
	ProxyPeering bool
	// PeerCanary adds the peering canary's alarms (proxies; see
	// PeerCanary).
	PeerCanary bool
}

// CanaryPeriods is how many consecutive 5-minute periods with failed peer
// pings the failing-peer alarm waits for. A proxy that shuts down
// gracefully deletes its heartbeat (gravitational/teleport#27686), so its
// peers stop pinging it at once; one that is killed or crashes stays
// listed, and pinged, until its heartbeat expires (apidefaults
// ServerAnnounceTTL, 10 minutes), which can touch three periods.
const CanaryPeriods = 4

// SustainedPeriods is how many consecutive 5-minute periods of errors an
// error alarm waits for: a peer proxy replaced, an auth server restarted or
// a backend hiccup cause a few errors that stop by themselves. The agent
// counts a counter's whole value at its first scrape after it (re)starts,
// so a single period would also fire on every agent restart.
const SustainedPeriods = 3

// Alarms creates the alarms on what the role's instances ship: the
// ingestion itself (both roles), and for proxies the tunnels and the peer
// dial errors, for auth servers the backend failures. Teleport's metrics
// exist only once the thing they count happened, so their missing data is
// not breaching; the ingestion's is.
func (t *Telemetry) Alarms(scope constructs.Construct, id string, props *AlarmProps) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	role, region := t.props.Role, t.props.Region
	alarms.New(c, "telemetry-stopped", &alarms.Props{
		Name: props.Name + "-telemetry-stopped",
		Description: alarms.Describe(fmt.Sprintf("No %s instance of %s has shipped metrics for %d minutes: logs and Teleport's metrics of the region stopped (the agent, its IAM role or the log groups' key)", role, region, IngestionPeriods*5),
			fmt.Sprintf("on an instance, /var/log/teleport-boot.log (teleport-telemetry) and /opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log; the log group %s", t.props.MetricsLogGroup)),
		Metric: t.MetricIngestedEvents(),
		Below:  true, Threshold: 1, Periods: IngestionPeriods, MissingIsBreaching: true, Topic: props.Topic,
	})
	logs := "the log group " + t.props.LogGroup + " (streams <instance id>/teleport)"
	switch role {
	case "proxy":
		alarms.New(c, "tunnels-zero", &alarms.Props{
			Name: props.Name + "-tunnels-zero",
			Description: alarms.Describe(fmt.Sprintf("The proxies of %s held reverse tunnels and now hold none for %d minutes: agents that used them reconnect elsewhere, or cannot reach the cluster", region, SustainedPeriods*5),
				"the region's NLB and Route 53 health check (agents follow the latency records), then "+logs+": filter \"reversetunnel\""),
			Metric: t.Tunnels(),
			Below:  true, Threshold: 1, Periods: SustainedPeriods, Topic: props.Topic,
		})
		if props.PeerCanary {
			alarms.New(c, "peers-unreachable", &alarms.Props{
				Name: props.Name + "-peers-unreachable",
				Description: alarms.Describe(fmt.Sprintf("No peer proxy answered the pings of the proxies of %s for %d minutes: users connected to %s reach no agent that is connected to another proxy", region, SustainedPeriods*5, region),
					"the dashboard's proxy peering graphs (a region whose pings all fail is cut off; all regions failing points at the cluster's certificates), the 3021 rules, prefix lists and routes of the region (its proxy and mesh stacks), then "+logs+": filter \"peer\""),
				Math:  t.PeerPingsAnswered(),
				Below: true, Threshold: 1, Periods: SustainedPeriods, Topic: props.Topic,
			})
			alarms.New(c, "peer-pings-failing", &alarms.Props{
				Name: props.Name + "-peer-pings-failing",
				Description: alarms.Describe(fmt.Sprintf("Some peer proxies do not answer the pings of the proxies of %s, in each of %d consecutive 5-minute periods: agents connected to those proxies are unreachable through %s", region, CanaryPeriods, region),
					"the dashboard's proxy peering graphs of every region (the peer region is the one whose own pings fail too, or whose proxies are not ready), the 3021 routes and prefix lists between the two regions (the mesh stacks); a proxy that was killed is pinged until its heartbeat expires (10 minutes, tctl get proxies)"),
				Metric:    t.PeerPingFailures(),
				Threshold: 0, Periods: CanaryPeriods, Topic: props.Topic,
			})
		}
		if props.ProxyPeering {
			alarms.New(c, "peer-dial-errors", &alarms.Props{
				Name: props.Name + "-peer-dial-errors",
				Description: alarms.Describe(fmt.Sprintf("The proxies of %s fail to reach agents through peer proxies, in each of %d consecutive 5-minute periods", region, SustainedPeriods),
					"the 3021 routes and prefix lists between the proxy regions (the mesh stacks), then "+logs+": filter \"peer\""),
				Metric:    t.PeerDialErrors(),
				Threshold: 0, Periods: SustainedPeriods, Topic: props.Topic,
			})
		}
	case "auth":
		cloudwatchlogmetricfilter.NewCloudwatchLogMetricFilter(c, jsii.String("clock-drift-filter"), &cloudwatchlogmetricfilter.CloudwatchLogMetricFilterConfig{
			Name:         jsii.String(clockDriftMetric(t.props.Cluster)),
			LogGroupName: t.logGroup.Name(),
			// A quoted term matches the phrase anywhere in the line
			// (Teleport's text log).
			Pattern: jsii.String(`"` + ClockDriftMessage + `"`),
			MetricTransformation: &cloudwatchlogmetricfilter.CloudwatchLogMetricFilterMetricTransformation{
				Name: jsii.String(clockDriftMetric(t.props.Cluster)), Namespace: jsii.String(teleportconfig.MetricNamespace),
				Value: jsii.String("1"), Unit: jsii.String("Count"),
			},
		})
		alarms.New(c, "clock-drift", &alarms.Props{
			Name: props.Name + "-clock-drift",
			Description: alarms.Describe("An instance's clock is more than a minute off the auth server's (Teleport's own check, every 10 minutes): certificates it issues or checks fail by the drift",
				"the log group "+t.props.LogGroup+": filter \""+ClockDriftMessage+"\" names the instance and the drift (tctl notifications ls shows it too); on it, chronyc tracking (Amazon Linux syncs with the Amazon Time Sync Service); an auth server's own clock drifting shows as every other instance drifting"),
			Metric:    t.ClockDriftWarnings(),
			Threshold: 0, Periods: 1, Topic: props.Topic,
		})
		for _, op := range []string{"Read", "Write"} {
			alarms.New(c, "backend-"+op+"-errors", &alarms.Props{
				Name: fmt.Sprintf("%s-backend-%s-errors", props.Name, map[string]string{"Read": "read", "Write": "write"}[op]),
				Description: alarms.Describe(fmt.Sprintf("The auth servers' %s requests to the cluster state table fail, in each of %d consecutive 5-minute periods", map[string]string{"Read": "read", "Write": "write"}[op], SustainedPeriods),
					"the state table's throttle alarms and the cluster key's state, then "+logs+": filter \"dynamo\""),
				Metric:    t.BackendFailures(op),
				Threshold: 0, Periods: SustainedPeriods, Topic: props.Topic,
			})
		}
	}
}
