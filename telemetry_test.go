package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/telemetry"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/regions"
	"go.yaml.in/yaml/v3"
)

// Where each role's instances ship their logs and metrics, read from the
// synthesized JSON: two encrypted log groups per role and region, kept for
// logs.retention_days, which the stack's key admits CloudWatch Logs for and
// the instance role may write to and nothing more; the agent configuration
// in the user data names those groups, and the alarms and the dashboard
// watch the metrics with exactly the dimensions the agent writes.
func TestTelemetry(t *testing.T) {
	for _, synth := range []string{"example", "oss-single-region", "transit-gateway", "public-four-regions"} {
		cfg := synthOf(t, synth).cfg
		names := cfg.Names()
		dashboard := dashboardBody(t, synth)
		for _, stack := range stackNames(t, synth) {
			role, region, ok := strings.Cut(stack, "-")
			if role != "auth" && role != "proxy" || !ok {
				continue
			}
			s := stackOf(t, synth, stack)
			groups := map[string]map[string]any{}
			for _, g := range s.resources("aws_cloudwatch_log_group") {
				groups[fmt.Sprint(g["name"])] = g
			}
			logGroup, metricsGroup := names.InstanceLogGroup(role), names.MetricsLogGroup(role)
			for _, name := range []string{logGroup, metricsGroup} {
				g := groups[name]
				if g == nil || !cmk(g["kms_key_id"]) || g["retention_in_days"] != float64(cfg.Logs.RetentionDays) {
					t.Errorf("%s/%s: log group %s: %v", synth, stack, name, g)
				}
				// The key admits CloudWatch Logs for the group, by its ARN
				// in the encryption context.
				arn := "arn:aws:logs:" + region + ":${data.aws_caller_identity.account.account_id}:log-group:" + name
				if !keyAdmitsLogs(s, region, arn) {
					t.Errorf("%s/%s: the stack's key does not admit CloudWatch Logs for %s", synth, stack, arn)
				}
			}
			// The role writes streams and events to exactly these groups.
			var ship []map[string]any
			for _, doc := range s.section("data", "aws_iam_policy_document") {
				stmts, _ := doc["statement"].([]any)
				for _, st := range stmts {
					m := st.(map[string]any)
					for _, a := range m["actions"].([]any) {
						if strings.HasPrefix(fmt.Sprint(a), "logs:") && m["sid"] != "DeliverToLogGroup" && m["sid"] != "FindLogGroup" {
							ship = append(ship, m)
							break
						}
					}
				}
			}
			if len(ship) != 1 {
				t.Fatalf("%s/%s: %d instance statements with logs actions, want 1", synth, stack, len(ship))
			}
			if acts := fmt.Sprint(ship[0]["actions"]); acts != "[logs:CreateLogStream logs:DescribeLogStreams logs:PutLogEvents]" {
				t.Errorf("%s/%s: the instances may %s", synth, stack, acts)
			}
			res := fmt.Sprint(ship[0]["resources"])
			if !strings.Contains(res, "log-group:"+logGroup+":*") || !strings.Contains(res, "log-group:"+metricsGroup+":*") || strings.Count(res, "log-group:") != 2 {
				t.Errorf("%s/%s: the instances write to %s", synth, stack, res)
			}

			// The user data ships to these groups, with the dimensions the
			// alarms use.
			script, teleportYAML := userData(t, s.one(t, "aws_launch_template"))
			if out := get(teleportYAML, "teleport", "log", "output"); out != teleportconfig.TeleportLogPath {
				t.Errorf("%s/%s: Teleport logs to %v, which the agent does not ship", synth, stack, out)
			}
			files, err := teleportconfig.BootFiles(script)
			if err != nil {
				t.Fatal(err)
			}
			var agent map[string]any
			if err := json.Unmarshal([]byte(files[teleportconfig.AgentConfigPath]), &agent); err != nil {
				t.Fatalf("%s/%s: agent configuration: %v", synth, stack, err)
			}
			if g := get(agent, "logs", "metrics_collected", "prometheus", "log_group_name"); g != metricsGroup {
				t.Errorf("%s/%s: metrics go to %v, want %s", synth, stack, g, metricsGroup)
			}
			for i := 0; i < 3; i++ {
				if g := get(agent, "logs", "logs_collected", "files", "collect_list", i, "log_group_name"); g != logGroup {
					t.Errorf("%s/%s: file %d goes to %v", synth, stack, i, g)
				}
			}
			var prom struct {
				ScrapeConfigs []struct {
					StaticConfigs []struct {
						Labels map[string]string `yaml:"labels"`
					} `yaml:"static_configs"`
				} `yaml:"scrape_configs"`
			}
			if err := yaml.Unmarshal([]byte(files[teleportconfig.PrometheusConfigPath]), &prom); err != nil {
				t.Fatal(err)
			}
			labels := prom.ScrapeConfigs[0].StaticConfigs[0].Labels
			want := map[string]string{teleportconfig.DimensionCluster: cfg.ClusterName, teleportconfig.DimensionRole: role, teleportconfig.DimensionRegion: region}
			if fmt.Sprint(labels) != fmt.Sprint(want) {
				t.Errorf("%s/%s: metrics labelled %v, want %v", synth, stack, labels, want)
			}

			// The alarms on what the agent ships.
			byName := map[string]map[string]any{}
			for _, a := range s.resources("aws_cloudwatch_metric_alarm") {
				byName[fmt.Sprint(a["alarm_name"])] = a
			}
			stopped := byName[names.Alarm(role+"-telemetry-stopped")]
			if stopped == nil || stopped["metric_name"] != "IncomingLogEvents" || get(stopped, "dimensions", "LogGroupName") != metricsGroup ||
				stopped["comparison_operator"] != "LessThanThreshold" || stopped["treat_missing_data"] != "breaching" {
				t.Errorf("%s/%s: telemetry-stopped alarm %v", synth, stack, stopped)
			}
			wantAlarms := map[string]string{}
			if role == "proxy" {
				wantAlarms[names.Alarm("proxy-tunnels-zero")] = teleportconfig.MetricTunnelsConnected
				if cfg.ProxyPeering() {
					wantAlarms[names.Alarm("proxy-peer-dial-errors")] = teleportconfig.MetricPeerDialErrors
				} else if byName[names.Alarm("proxy-peer-dial-errors")] != nil {
					t.Errorf("%s/%s: a peer dial errors alarm without proxy peering", synth, stack)
				}
			} else {
				wantAlarms[names.Alarm("auth-backend-read-errors")] = teleportconfig.MetricBackendReadFailures
				wantAlarms[names.Alarm("auth-backend-write-errors")] = teleportconfig.MetricBackendWriteFailures
			}
			for name, metric := range wantAlarms {
				a := byName[name]
				if a == nil || a["metric_name"] != metric || a["namespace"] != teleportconfig.MetricNamespace || a["treat_missing_data"] != "notBreaching" {
					t.Errorf("%s/%s: alarm %s: %v", synth, stack, name, a)
					continue
				}
				if dims := fmt.Sprint(a["dimensions"]); dims != fmt.Sprint(map[string]any{"Cluster": cfg.ClusterName, "Region": region, "Role": role}) {
					t.Errorf("%s/%s: alarm %s watches %s; the agent writes %v", synth, stack, name, dims, labels)
				}
				if !slices.Contains(append(teleportconfig.PrometheusMetrics(), teleportconfig.StateMetrics()...), metric) {
					t.Errorf("%s/%s: alarm %s watches %s, which the agent does not ship", synth, stack, name, metric)
				}
				// Its graph is on the dashboard, with the same dimensions.
				if !dashboard[fmt.Sprint(teleportconfig.MetricNamespace, "/", metric, labels)] {
					t.Errorf("%s: the dashboard has no graph of %s for %s", synth, metric, stack)
				}
			}
			// Every alarm is in the runbook table.
			for name := range wantAlarms {
				runbook(t, name, cfg.ClusterName)
			}
			runbook(t, stopped["alarm_name"].(string), cfg.ClusterName)
		}
	}
}

// keyAdmitsLogs reports whether the stack's key policy lets CloudWatch Logs
// of region use the key for the log group arn.
func keyAdmitsLogs(s stackJSON, region, arn string) bool {
	for id, doc := range s.section("data", "aws_iam_policy_document") {
		if !strings.Contains(id, "key-policy") {
			continue
		}
		for _, st := range doc["statement"].([]any) {
			m := st.(map[string]any)
			if m["sid"] != "CloudWatchLogsEncryptsLogGroups" || !strings.Contains(fmt.Sprint(m["principals"]), "logs."+region+".amazonaws.com") {
				continue
			}
			for _, c := range m["condition"].([]any) {
				cond := c.(map[string]any)
				if cond["variable"] == "kms:EncryptionContext:aws:logs:arn" && slices.Contains(cond["values"].([]any), any(arn)) {
					return true
				}
			}
		}
	}
	return false
}

// dashboardBody is the set of "namespace/name map[dimensions]" the DNS
// stack's dashboard graphs (map syntax as fmt prints a map[string]string).
func dashboardBody(t *testing.T, synth string) map[string]bool {
	t.Helper()
	d := stackOf(t, synth, regions.DNSStackName).one(t, "aws_cloudwatch_dashboard")
	var body struct {
		Widgets []struct {
			Properties struct {
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(d["dashboard_body"].(string)), &body); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, w := range body.Widgets {
		for _, row := range w.Properties.Metrics {
			dims := map[string]string{}
			for i := 2; i+1 < len(row); i += 2 {
				k, ok := row[i].(string)
				if !ok {
					break
				}
				dims[k] = fmt.Sprint(row[i+1])
			}
			out[fmt.Sprint(row[0], "/", row[1], dims)] = true
		}
	}
	return out
}

// runbook fails unless docs/operations.md's alarm table has a row for the
// alarm (named with <cluster> for the cluster name).
func runbook(t *testing.T, alarm, cluster string) {
	t.Helper()
	doc, err := os.ReadFile("docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	name := "`<cluster>" + strings.TrimPrefix(alarm, cluster) + "`"
	if !regexp.MustCompile(`(?m)^\| .*` + regexp.QuoteMeta(name)).Match(doc) {
		t.Errorf("docs/operations.md has no runbook row for %s", name)
	}
}

// The proxy-peering canary, read from the synthesized JSON: where proxies
// peer, each proxy region alarms when no peer proxy answers its proxies'
// pings (metric math: pings sent minus failed; no pings, as in a cluster of
// one proxy, is no news) and when some peer keeps failing them, on the metrics the agent ships with the dimensions it
// writes; both are graphed and in the runbook. Without proxy peering there
// is nothing to ping and no canary.
func TestPeeringCanary(t *testing.T) {
	for _, synth := range []string{"example", "oss-single-region", "public-four-regions"} {
		cfg := synthOf(t, synth).cfg
		names := cfg.Names()
		dashboard := dashboardBody(t, synth)
		for _, p := range cfg.ActiveProxyRegions() {
			stack := names.ProxyStack(p.Region)
			byName := map[string]map[string]any{}
			for _, a := range stackOf(t, synth, stack).resources("aws_cloudwatch_metric_alarm") {
				byName[fmt.Sprint(a["alarm_name"])] = a
			}
			unreachable, failing := byName[names.Alarm("proxy-peers-unreachable")], byName[names.Alarm("proxy-peer-pings-failing")]
			if !cfg.ProxyPeering() {
				if unreachable != nil || failing != nil {
					t.Errorf("%s/%s: a peering canary without proxy peering", synth, stack)
				}
				continue
			}
			dims := fmt.Sprint(map[string]any{"Cluster": cfg.ClusterName, "Region": p.Region, "Role": "proxy"})
			if unreachable == nil || unreachable["comparison_operator"] != "LessThanThreshold" || unreachable["threshold"] != float64(1) ||
				unreachable["treat_missing_data"] != "notBreaching" || unreachable["evaluation_periods"] != float64(3) || unreachable["metric_name"] != nil {
				t.Fatalf("%s/%s: peers-unreachable alarm %v", synth, stack, unreachable)
			}
			inputs, result := map[string]string{}, ""
			for _, q := range unreachable["metric_query"].([]any) {
				q := q.(map[string]any)
				if q["expression"] != nil {
					if q["return_data"] != true || result != "" {
						t.Errorf("%s/%s: peers-unreachable returns %v", synth, stack, q)
					}
					result = q["expression"].(string)
					continue
				}
				m := q["metric"].(map[string]any)
				if q["return_data"] != false || m["namespace"] != teleportconfig.MetricNamespace || m["stat"] != "Sum" || m["period"] != float64(300) || fmt.Sprint(m["dimensions"]) != dims {
					t.Errorf("%s/%s: peers-unreachable input %v, want Sum over 300 s of %s %s", synth, stack, q, teleportconfig.MetricNamespace, dims)
				}
				inputs[q["id"].(string)] = m["metric_name"].(string)
			}
			// The expression subtracts the failures from the pings.
			if inputs["pings"] != teleportconfig.MetricPeerPings || inputs["failed"] != teleportconfig.MetricPeerPingFailures || len(inputs) != 2 ||
				!regexp.MustCompile(`^pings - FILL\(failed, 0\)$`).MatchString(result) {
				t.Errorf("%s/%s: peers-unreachable computes %q from %v", synth, stack, result, inputs)
			}
			if failing == nil || failing["metric_name"] != teleportconfig.MetricPeerPingFailures || failing["statistic"] != "Sum" || fmt.Sprint(failing["dimensions"]) != dims ||
				failing["comparison_operator"] != "GreaterThanThreshold" || failing["threshold"] != float64(0) ||
				failing["evaluation_periods"] != float64(4) || failing["datapoints_to_alarm"] != float64(4) || failing["treat_missing_data"] != "notBreaching" {
				t.Errorf("%s/%s: peer-pings-failing alarm %v", synth, stack, failing)
			}
			// With another region's proxies to reach, the DNS stack's
			// isolation alarm in the region watches its ready peer
			// connections, which Route 53's check of the region reads
			// (TestDNSStack): below its own proxies' connections to each
			// other plus half a connection, in 5 minutes (one report a
			// minute per proxy); missing data keeps the region's clients.
			var isolated map[string]any
			for _, a := range stackOf(t, synth, regions.DNSStackName).resources("aws_cloudwatch_metric_alarm") {
				if a["alarm_name"] == names.Alarm("proxy-peering-isolated") && a["provider"] == "aws."+p.Region {
					isolated = a
				}
			}
			if len(cfg.ActiveProxyRegions()) == 1 {
				if isolated != nil {
					t.Errorf("%s/%s: an isolation alarm with no other region", synth, stack)
				}
			} else if c := float64(p.Instances.Count); isolated == nil || isolated["metric_name"] != teleportconfig.MetricPeerClientConnections || isolated["statistic"] != "Sum" || isolated["period"] != float64(300) ||
				fmt.Sprint(isolated["dimensions"]) != fmt.Sprint(map[string]any{"Cluster": cfg.ClusterName, "Region": p.Region, "Role": "proxy", "state": "READY"}) ||
				isolated["comparison_operator"] != "LessThanThreshold" || isolated["threshold"] != 5*c*(c-1)+2.5 ||
				isolated["evaluation_periods"] != float64(4) || isolated["treat_missing_data"] != "notBreaching" ||
				!strings.Contains(fmt.Sprint(isolated["alarm_actions"]), "arn:aws:sns:"+p.Region+":") {
				t.Errorf("%s/%s: peering-isolated alarm %v", synth, stack, isolated)
			}
			if isolated != nil {
				runbook(t, names.Alarm("proxy-peering-isolated"), cfg.ClusterName)
			}
			labels := fmt.Sprint(map[string]string{"Cluster": cfg.ClusterName, "Region": p.Region, "Role": "proxy"})
			for _, metric := range []string{teleportconfig.MetricPeerPings, teleportconfig.MetricPeerPingFailures} {
				if !slices.Contains(teleportconfig.PrometheusMetrics(), metric) {
					t.Errorf("the agent does not ship %s", metric)
				}
				if !dashboard[teleportconfig.MetricNamespace+"/"+metric+labels] {
					t.Errorf("%s: the dashboard has no graph of %s for %s", synth, metric, stack)
				}
			}
			runbook(t, names.Alarm("proxy-peers-unreachable"), cfg.ClusterName)
			runbook(t, names.Alarm("proxy-peer-pings-failing"), cfg.ClusterName)
		}
	}
}

// Clock drift, read from the synthesized JSON: a metric filter on the auth
// servers' log group counts the line Teleport logs for an instance whose
// clock is more than a minute off, into the metric the auth stack's alarm
// watches; the alarm is in the runbook.
func TestClockDriftAlarm(t *testing.T) {
	cfg := synthOf(t, "example").cfg
	names := cfg.Names()
	s := stackOf(t, "example", names.AuthStack(cfg.Auth.Region))
	filter := s.one(t, "aws_cloudwatch_log_metric_filter")
	groupID := ""
	for id, g := range s.section("resource", "aws_cloudwatch_log_group") {
		if g["name"] == names.InstanceLogGroup("auth") {
			groupID = id
		}
	}
	if groupID == "" || filter["log_group_name"] != "${aws_cloudwatch_log_group."+groupID+".name}" {
		t.Fatalf("the clock drift filter reads %v, not the auth log group %s", filter["log_group_name"], groupID)
	}
	if filter["pattern"] != `"`+telemetry.ClockDriftMessage+`"` {
		t.Errorf("the clock drift filter matches %v", filter["pattern"])
	}
	tr := filter["metric_transformation"].(map[string]any)
	var alarm map[string]any
	for _, a := range s.resources("aws_cloudwatch_metric_alarm") {
		if a["alarm_name"] == names.Alarm("auth-clock-drift") {
			alarm = a
		}
	}
	if alarm == nil || alarm["metric_name"] != tr["name"] || alarm["namespace"] != tr["namespace"] || tr["value"] != "1" ||
		alarm["comparison_operator"] != "GreaterThanThreshold" || alarm["threshold"] != float64(0) || alarm["treat_missing_data"] != "notBreaching" || alarm["statistic"] != "Sum" {
		t.Errorf("clock drift alarm %v on the filter's %v", alarm, tr)
	}
	runbook(t, names.Alarm("auth-clock-drift"), cfg.ClusterName)
}
