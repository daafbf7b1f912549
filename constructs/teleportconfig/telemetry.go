package teleportconfig

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// What leaves the instances for CloudWatch, and how (docs/architecture.md,
// "Logs and metrics"). The Amazon CloudWatch agent, installed by
// teleport-telemetry from the image's Amazon Linux 2023 repository, ships:
//
//   - three log files to the role's log group (Names.InstanceLogGroup), a
//     stream each per instance: Teleport's own log (teleport.log.output is
//     a file, TeleportLogPath), the boot log and the timer jobs' log. The
//     agent's journald input exists only in its 2026 releases
//     (aws/amazon-cloudwatch-agent#2121), newer than what the repository of
//     an Amazon Linux 2023 image carries, so every log is a file: Teleport
//     reopens its file when logrotate renames it (lib/utils/log
//     file_writer.go, FileSharedWriter.RunWatcherReopen, Teleport 17 and
//     18), systemd opens the jobs' log at each run (StandardOutput=append:).
//   - Teleport's Prometheus metrics (the diagnostic port's /metrics) as
//     embedded metric format events to the role's metrics log group
//     (Names.MetricsLogGroup), from which CloudWatch extracts the metrics
//     PrometheusMetrics names into MetricNamespace, with the dimensions
//     MetricDimensions. The agent keeps gauges, counters (as the difference
//     since the previous scrape) and summaries, and drops histograms
//     (plugins/inputs/prometheus metrics_filter.go and
//     delta_calculator.go): Teleport's backend latencies are histograms,
//     so the dashboard shows DynamoDB's own SuccessfulRequestLatency.
//
// The agent writes with PutLogEvents only: CloudWatch extracts the metrics
// from the events, so the instances need no PutMetricData for them, and
// the log groups are created by Terraform (encrypted, with a retention), so
// the agent needs no CreateLogGroup either.

// Paths of the telemetry files on the instances.
const (
	// TeleportLogDir holds Teleport's log: its own directory, since
	// Teleport watches the directory for the file's rename.
	TeleportLogDir = "/var/log/teleport"
	// TeleportLogPath is Teleport's log file (teleport.log.output).
	TeleportLogPath = TeleportLogDir + "/teleport.log"
	// BootLogPath is the boot's log (user data and the boot scripts).
	BootLogPath = bootLog
	// JobsLogPath is the log of the timer jobs (their units append their
	// output to it).
	JobsLogPath = "/var/log/teleport-jobs.log"
	// AgentConfigPath is the CloudWatch agent's configuration.
	AgentConfigPath = bootEtc + "/cloudwatch-agent.json"
	// PrometheusConfigPath is the agent's Prometheus scrape configuration.
	PrometheusConfigPath = bootEtc + "/prometheus.yaml"
	// LogrotatePath rotates the log files.
	LogrotatePath = "/etc/logrotate.d/teleport"
)

// CloudWatchAgentMinVersion is the oldest amazon-cloudwatch-agent the
// instances accept. Amazon Linux 2023 locks its package repository to the
// image's release, so the image decides which agent an instance installs
// (pin ami.ids and every instance of a group runs the same agent);
// teleport-telemetry refuses an older one and holds the installed one with
// dnf versionlock, as teleport-install holds Teleport. 1.247358.0 is the
// first agent of the Amazon Linux 2023 repository (amazonlinux/
// amazon-linux-2023#335) and has everything the configuration below uses:
// Prometheus scraping into embedded metric format (1.247346.0), metric
// units (1.247346.1), file logs with {instance_id} streams.
const CloudWatchAgentMinVersion = "1.247358.0"

// ScrapeIntervalSeconds is how often the agent scrapes Teleport's metrics:
// each metric gets one data point a minute per instance.
const ScrapeIntervalSeconds = 60

// Teleport's Prometheus metrics that become CloudWatch metrics, by their
// exposed names (checked in Teleport's source, v17 and v18).
const (
	// MetricTunnelsConnected is the reverse tunnels agents hold to a proxy,
	// by tunnel type (gauge; lib/reversetunnel, MetricReverseSSHTunnels
	// in the teleport namespace).
	MetricTunnelsConnected = "teleport_reverse_tunnels_connected"
	// MetricPeerDialErrors counts a proxy's failures to reach an agent
	// through a peer proxy, by error_type (counter; lib/proxy/peer
	// clientmetrics.go).
	MetricPeerDialErrors = "proxy_peer_client_dial_error_total"
	// MetricPeerClientConnections and MetricPeerServerConnections are a
	// proxy's open peer connections, outbound and inbound, by state
	// (gauges; clientmetrics.go, servermetrics.go).
	MetricPeerClientConnections = "proxy_peer_client_connections"
	MetricPeerServerConnections = "proxy_peer_server_connections"
	// MetricPeerPings and MetricPeerPingFailures count the pings each
	// proxy sends every peer proxy, and those that failed, by peer
	// (counters, labels local_id, peer_id, peer_host, peer_group;
	// lib/proxy/peer/internal metrics.go). Every proxy keeps a connection
	// to every other proxy the cluster lists (client.go, updateConnections)
	// and pings each about once a minute through it, a ProxyService Ping
	// RPC with a 10-second timeout (RunClientPing): Teleport's own canary
	// of the peering mesh, from PeerPingsSince on.
	MetricPeerPings        = "teleport_proxy_peer_client_pings_total"
	MetricPeerPingFailures = "teleport_proxy_peer_client_failed_pings_total"
	// MetricProxySessions is the sessions in flight through a proxy
	// (gauge; MetricProxySSHSessions).
	MetricProxySessions = "proxy_ssh_sessions_total"
	// MetricCacheHealth is 1 while a service's cache is healthy, by
	// cache_component (gauge; lib/cache, Teleport 17.3 and later).
	MetricCacheHealth = "teleport_cache_health"
	// MetricBackendReadFailures and MetricBackendWriteFailures count the
	// auth servers' failed requests to the cluster state backend
	// (counters; lib/backend, MetricBackendFailedReadRequests and
	// MetricBackendWriteFailedRequests); MetricBackendReads and
	// MetricBackendWrites all of them.
	MetricBackendReadFailures  = "backend_read_requests_failed_total"
	MetricBackendWriteFailures = "backend_write_requests_failed_total"
	MetricBackendReads         = "backend_read_requests_total"
	MetricBackendWrites        = "backend_write_requests_total"
	// MetricHeartbeatsMissed is the heartbeats the auth server missed from
	// the cluster's instances (gauge; lib/auth, MetricHeartbeatsMissed).
	MetricHeartbeatsMissed = "heartbeats_missed_total"
	// MetricConnectedResources is the instances connected to an auth
	// server's inventory by heartbeat, by type (gauge;
	// MetricConnectedResources).
	MetricConnectedResources = "teleport_connected_resources"
)

// PeerPingsSince is the first release whose proxies ping their peers
// ("Added periodic health checks between proxies in proxy peering",
// CHANGELOG 16.4.8, gravitational/teleport#48929; on v17 #48921, merged
// before 17.0.0's release, so every 17 and 18 release has it).
const PeerPingsSince = "16.4.8"

// Dimensions of the Prometheus metrics: scrape labels the agent adds to
// every series, named after what they hold.
const (
	DimensionCluster = "Cluster"
	DimensionRole    = "Role"
	DimensionRegion  = "Region"
	// DimensionState is the peer connections' own state label (a
	// gRPC connectivity state such as READY or TRANSIENT_FAILURE).
	DimensionState = "state"
)

// PrometheusMetrics are the metrics the agent keeps; every other series of
// /metrics is dropped at the scrape. StateMetrics also carry the state
// dimension.
func PrometheusMetrics() []string {
	return []string{
		MetricTunnelsConnected, MetricPeerDialErrors, MetricPeerPings, MetricPeerPingFailures, MetricProxySessions, MetricCacheHealth,
		MetricBackendReadFailures, MetricBackendWriteFailures, MetricBackendReads, MetricBackendWrites,
		MetricHeartbeatsMissed, MetricConnectedResources,
	}
}

// StateMetrics are the metrics whose state label is a dimension (summing
// connections of every state would mix healthy and failing ones).
func StateMetrics() []string {
	return []string{MetricPeerClientConnections, MetricPeerServerConnections}
}

// MetricDimensions is the dimension set of every Prometheus metric, in the
// order the agent writes it.
func MetricDimensions() []string { return []string{DimensionCluster, DimensionRole, DimensionRegion} }

// Telemetry says where one role's instances in one region ship to.
type Telemetry struct {
	// Cluster, Region: the metrics' dimensions (Role is the user data's).
	Cluster, Region string
	// LogGroup receives the log files; MetricsLogGroup the metrics.
	LogGroup, MetricsLogGroup string
}

// agentConfig is the CloudWatch agent's JSON configuration, the parts used
// here ("Manually create or edit the CloudWatch agent configuration file",
// CloudWatch user guide; the agent's translator/config/schema.json).
type agentConfig struct {
	Agent struct {
		Region string `json:"region"`
		// RunAsUser root: the files it reads are root's (Teleport's log
		// in a 0750 directory). root is also the agent's default.
		RunAsUser string `json:"run_as_user"`
	} `json:"agent"`
	Logs struct {
		LogsCollected struct {
			Files struct {
				CollectList []agentFile `json:"collect_list"`
			} `json:"files"`
		} `json:"logs_collected"`
		MetricsCollected struct {
			Prometheus agentPrometheus `json:"prometheus"`
		} `json:"metrics_collected"`
	} `json:"logs"`
}

type agentFile struct {
	FilePath      string `json:"file_path"`
	LogGroupName  string `json:"log_group_name"`
	LogStreamName string `json:"log_stream_name"`
	Timezone      string `json:"timezone"`
}

type agentPrometheus struct {
	LogGroupName         string `json:"log_group_name"`
	PrometheusConfigPath string `json:"prometheus_config_path"`
	EMFProcessor         struct {
		MetricNamespace        string              `json:"metric_namespace"`
		MetricDeclarationDedup bool                `json:"metric_declaration_dedup"`
		MetricUnit             map[string]string   `json:"metric_unit"`
		MetricDeclaration      []metricDeclaration `json:"metric_declaration"`
	} `json:"emf_processor"`
}

type metricDeclaration struct {
	SourceLabels    []string   `json:"source_labels"`
	LabelMatcher    string     `json:"label_matcher"`
	Dimensions      [][]string `json:"dimensions"`
	MetricSelectors []string   `json:"metric_selectors"`
}

// scrapeJob is the Prometheus job name of Teleport's metrics; declarations
// match it, so that nothing else the agent might scrape becomes a metric.
const scrapeJob = "teleport"

// Render returns the agent's configuration (JSON) and its Prometheus scrape
// configuration (YAML) for role's instances.
func (t Telemetry) Render(role string) (agent, prometheus string, err error) {
	for _, f := range []struct{ name, value string }{{"cluster", t.Cluster}, {"region", t.Region}, {"log group", t.LogGroup}, {"metrics log group", t.MetricsLogGroup}} {
		if f.value == "" {
			return "", "", fmt.Errorf("telemetry of %s: no %s", role, f.name)
		}
	}
	var c agentConfig
	c.Agent.Region = t.Region
	c.Agent.RunAsUser = "root"
	for _, f := range []struct{ path, stream string }{
		{TeleportLogPath, "teleport"}, {BootLogPath, "boot"}, {JobsLogPath, "jobs"},
	} {
		c.Logs.LogsCollected.Files.CollectList = append(c.Logs.LogsCollected.Files.CollectList, agentFile{
			FilePath: f.path, LogGroupName: t.LogGroup, LogStreamName: "{instance_id}/" + f.stream, Timezone: "UTC",
		})
	}
	p := &c.Logs.MetricsCollected.Prometheus
	p.LogGroupName = t.MetricsLogGroup
	p.PrometheusConfigPath = PrometheusConfigPath
	p.EMFProcessor.MetricNamespace = MetricNamespace
	// Dedup never drops data points: the agent's older (telegraf) pipeline
	// merges a metric that several declarations match (its
	// structuredlogscommon dedupRules; the two declarations below select
	// different metrics), and its OpenTelemetry pipeline ignores the flag
	// and always removes repeated dimension sets (awsemfexporter,
	// dedupDimensions). Each labelled series (one per peer, tunnel type,
	// ...) stays its own event, and CloudWatch sums their values under the
	// shared dimensions.
	p.EMFProcessor.MetricDeclarationDedup = true
	p.EMFProcessor.MetricUnit = map[string]string{}
	for _, m := range append(PrometheusMetrics(), StateMetrics()...) {
		p.EMFProcessor.MetricUnit[m] = "Count"
	}
	p.EMFProcessor.MetricDeclaration = []metricDeclaration{
		{SourceLabels: []string{"job"}, LabelMatcher: "^" + scrapeJob + "$", Dimensions: [][]string{MetricDimensions()}, MetricSelectors: selectors(PrometheusMetrics())},
		{SourceLabels: []string{"job"}, LabelMatcher: "^" + scrapeJob + "$", Dimensions: [][]string{append(MetricDimensions(), DimensionState)}, MetricSelectors: selectors(StateMetrics())},
	}
	out, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("render the CloudWatch agent configuration: %w", err)
	}
	prom, err := marshal(t.scrape(role))
	if err != nil {
		return "", "", err
	}
	return string(out) + "\n", prom, nil
}

func selectors(metrics []string) []string {
	out := make([]string, len(metrics))
	for i, m := range metrics {
		out[i] = "^" + regexp.QuoteMeta(m) + "$"
	}
	return out
}

// scrapeConfig is the subset of Prometheus's configuration file the agent
// reads (standard <scrape_config>, Prometheus documentation).
type scrapeConfig struct {
	Global struct {
		ScrapeInterval string `yaml:"scrape_interval"`
		ScrapeTimeout  string `yaml:"scrape_timeout"`
	} `yaml:"global"`
	ScrapeConfigs []scrapeJobConfig `yaml:"scrape_configs"`
}

type scrapeJobConfig struct {
	JobName              string          `yaml:"job_name"`
	MetricsPath          string          `yaml:"metrics_path"`
	SampleLimit          int             `yaml:"sample_limit"`
	StaticConfigs        []staticConfig  `yaml:"static_configs"`
	MetricRelabelConfigs []relabelConfig `yaml:"metric_relabel_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels"`
}

type relabelConfig struct {
	SourceLabels []string `yaml:"source_labels"`
	Regex        string   `yaml:"regex"`
	Action       string   `yaml:"action"`
}

// scrape is the scrape configuration: Teleport's diagnostic port on the
// instance itself, the dimension labels on every series, and a keep rule
// that drops every series but the selected metrics before they reach the
// agent's pipeline (Prometheus anchors relabel regexes).
func (t Telemetry) scrape(role string) *scrapeConfig {
	var c scrapeConfig
	c.Global.ScrapeInterval = fmt.Sprintf("%ds", ScrapeIntervalSeconds)
	c.Global.ScrapeTimeout = "10s"
	quoted := make([]string, 0, len(PrometheusMetrics())+len(StateMetrics()))
	for _, m := range append(PrometheusMetrics(), StateMetrics()...) {
		quoted = append(quoted, regexp.QuoteMeta(m))
	}
	c.ScrapeConfigs = []scrapeJobConfig{{
		JobName:     scrapeJob,
		MetricsPath: "/metrics",
		// A bound on one scrape (Teleport labels peer metrics per peer
		// proxy): a larger scrape is refused as a whole, not truncated.
		SampleLimit: 10000,
		StaticConfigs: []staticConfig{{
			Targets: []string{hostPort("127.0.0.1", DiagPort)},
			Labels:  map[string]string{DimensionCluster: t.Cluster, DimensionRole: role, DimensionRegion: t.Region},
		}},
		MetricRelabelConfigs: []relabelConfig{{SourceLabels: []string{"__name__"}, Regex: strings.Join(quoted, "|"), Action: "keep"}},
	}}
	return &c
}

// logrotate is the rotation of the shipped log files. Teleport reopens its
// log on a rename; the boot log is held open by the boot, so it is copied
// and truncated instead. The agent follows a renamed file to its end, then
// the new one.
const logrotate = `# Rotation of the logs the CloudWatch agent ships (constructs/teleportconfig, telemetry.go).
` + TeleportLogPath + ` ` + JobsLogPath + ` {
    daily
    maxsize 100M
    rotate 7
    missingok
    notifempty
    compress
    delaycompress
}
` + BootLogPath + ` {
    weekly
    maxsize 20M
    rotate 4
    missingok
    notifempty
    copytruncate
    compress
}
`

// files are the user data's files of role's telemetry.
func (t Telemetry) files(role string) ([]bootFile, error) {
	agent, prom, err := t.Render(role)
	if err != nil {
		return nil, err
	}
	return []bootFile{
		{Path: AgentConfigPath, Mode: "0644", Content: agent},
		{Path: PrometheusConfigPath, Mode: "0644", Content: prom},
		{Path: LogrotatePath, Mode: "0644", Content: logrotate},
	}, nil
}
