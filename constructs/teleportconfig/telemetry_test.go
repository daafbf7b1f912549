package teleportconfig

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The rendered agent configuration, read back as the agent reads it: every
// selected metric survives the scrape's keep rule and nothing else does,
// every dimension is a label the scrape sets (or the metric's own), the
// logs go to the role's group with a stream per instance and file.
func TestTelemetryConfig(t *testing.T) {
	tel := Telemetry{Cluster: "x", Region: "eu-west-1", LogGroup: "/teleport/x/proxy", MetricsLogGroup: "/teleport/x/proxy-metrics"}
	agentJSON, promYAML, err := tel.Render("proxy")
	if err != nil {
		t.Fatal(err)
	}
	var agent struct {
		Agent map[string]any `json:"agent"`
		Logs  struct {
			LogsCollected struct {
				Files struct {
					CollectList []map[string]string `json:"collect_list"`
				} `json:"files"`
			} `json:"logs_collected"`
			MetricsCollected struct {
				Prometheus struct {
					LogGroupName         string `json:"log_group_name"`
					PrometheusConfigPath string `json:"prometheus_config_path"`
					EMF                  struct {
						Namespace    string            `json:"metric_namespace"`
						Dedup        bool              `json:"metric_declaration_dedup"`
						Units        map[string]string `json:"metric_unit"`
						Declarations []struct {
							SourceLabels []string   `json:"source_labels"`
							LabelMatcher string     `json:"label_matcher"`
							Dimensions   [][]string `json:"dimensions"`
							Selectors    []string   `json:"metric_selectors"`
						} `json:"metric_declaration"`
					} `json:"emf_processor"`
				} `json:"prometheus"`
			} `json:"metrics_collected"`
		} `json:"logs"`
	}
	dec := json.NewDecoder(strings.NewReader(agentJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&agent); err != nil {
		t.Fatalf("agent configuration: %v\n%s", err, agentJSON)
	}
	if agent.Agent["region"] != "eu-west-1" {
		t.Errorf("agent region %v", agent.Agent["region"])
	}
	files := map[string]string{}
	for _, f := range agent.Logs.LogsCollected.Files.CollectList {
		if f["log_group_name"] != tel.LogGroup {
			t.Errorf("%s goes to %s, want %s", f["file_path"], f["log_group_name"], tel.LogGroup)
		}
		files[f["file_path"]] = f["log_stream_name"]
	}
	for path, stream := range map[string]string{TeleportLogPath: "{instance_id}/teleport", BootLogPath: "{instance_id}/boot", JobsLogPath: "{instance_id}/jobs"} {
		if files[path] != stream {
			t.Errorf("%s: stream %q, want %q", path, files[path], stream)
		}
	}
	p := agent.Logs.MetricsCollected.Prometheus
	if p.LogGroupName != tel.MetricsLogGroup || p.PrometheusConfigPath != PrometheusConfigPath || p.EMF.Namespace != MetricNamespace {
		t.Errorf("prometheus section: %+v", p)
	}

	var prom struct {
		Global        map[string]string `yaml:"global"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string          `yaml:"targets"`
				Labels  map[string]string `yaml:"labels"`
			} `yaml:"static_configs"`
			Relabel []struct {
				SourceLabels []string `yaml:"source_labels"`
				Regex        string   `yaml:"regex"`
				Action       string   `yaml:"action"`
			} `yaml:"metric_relabel_configs"`
			SampleLimit int `yaml:"sample_limit"`
		} `yaml:"scrape_configs"`
	}
	yd := yaml.NewDecoder(strings.NewReader(promYAML))
	yd.KnownFields(true)
	if err := yd.Decode(&prom); err != nil {
		t.Fatalf("prometheus.yaml: %v\n%s", err, promYAML)
	}
	if len(prom.ScrapeConfigs) != 1 || len(prom.ScrapeConfigs[0].StaticConfigs) != 1 || len(prom.ScrapeConfigs[0].Relabel) != 1 {
		t.Fatalf("want one job, one target group, one relabel rule:\n%s", promYAML)
	}
	job := prom.ScrapeConfigs[0]
	if want := []string{"127.0.0.1:3000"}; !slices.Equal(job.StaticConfigs[0].Targets, want) || job.MetricsPath != "/metrics" {
		t.Errorf("scrapes %v %s, want Teleport's diagnostic port %v /metrics", job.StaticConfigs[0].Targets, job.MetricsPath, want)
	}
	labels := job.StaticConfigs[0].Labels
	if labels[DimensionCluster] != "x" || labels[DimensionRole] != "proxy" || labels[DimensionRegion] != "eu-west-1" {
		t.Errorf("scrape labels %v", labels)
	}
	// Prometheus anchors relabel regexes (^(?:regex)$).
	keep := regexp.MustCompile("^(?:" + job.Relabel[0].Regex + ")$")
	if job.Relabel[0].Action != "keep" || !slices.Equal(job.Relabel[0].SourceLabels, []string{"__name__"}) {
		t.Errorf("relabel rule %+v, want keep on __name__", job.Relabel[0])
	}
	selected := append(PrometheusMetrics(), StateMetrics()...)
	for _, m := range selected {
		if !keep.MatchString(m) {
			t.Errorf("%s is selected but dropped at the scrape", m)
		}
		if p.EMF.Units[m] == "" {
			t.Errorf("%s has no unit", m)
		}
	}
	// What Teleport exposes besides: never shipped (histogram series, Go
	// runtime, per-request backend counters).
	for _, m := range []string{"go_goroutines", "backend_read_seconds_bucket", "backend_requests", "proxy_peer_client_rpc_total", "teleport_reverse_tunnels_connected_total"} {
		if keep.MatchString(m) {
			t.Errorf("%s would be shipped", m)
		}
	}
	// Each selected metric is declared exactly once, with dimensions that
	// are scrape labels or, for peer connections, the metric's state.
	declared := map[string]int{}
	for _, d := range p.EMF.Declarations {
		if !slices.Equal(d.SourceLabels, []string{"job"}) || !regexp.MustCompile(d.LabelMatcher).MatchString(job.JobName) {
			t.Errorf("declaration %+v does not match job %q", d, job.JobName)
		}
		for _, set := range d.Dimensions {
			for _, dim := range set {
				if _, ok := labels[dim]; !ok && dim != DimensionState {
					t.Errorf("dimension %s is no label of the scrape", dim)
				}
			}
		}
		for _, m := range selected {
			for _, sel := range d.Selectors {
				if regexp.MustCompile(sel).MatchString(m) {
					declared[m]++
				}
			}
		}
	}
	for _, m := range selected {
		if declared[m] != 1 {
			t.Errorf("%s matches %d declarations, want 1", m, declared[m])
		}
	}
	if _, _, err := (Telemetry{Cluster: "x", Region: "eu-west-1"}).Render("proxy"); err == nil {
		t.Error("rendered without log groups")
	}
}

// withAgent adds the CloudWatch agent's control script, which the package
// installs under the root.
func withAgent(s *sandbox) {
	s.write("/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl", stubPrelude+"exit 0\n", 0o755)
}

// The boot installs the agent, holds it, and starts it with the rendered
// configuration before it installs Teleport (so that the rest of the boot
// is shipped), and Teleport logs into a directory that exists.
func TestBootStartsTelemetry(t *testing.T) {
	for _, role := range []string{"auth", "proxy"} {
		t.Run(role, func(t *testing.T) {
			userData, aws := testProxyUserData(t, true), proxyAWS(1, rolloutState(2, "17.4.8", "gen1", 0))
			if role == "auth" {
				userData, aws = testAuthUserData(t, "/teleport/license"), authAWS
			}
			s := newSandbox(t, userData, map[string]string{"aws": aws, "rpm": `echo 1.300057.1`})
			withAgent(s)
			out, code := s.run("/usr/local/bin/teleport-boot-" + role)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			s.mustCall("dnf install -y -q amazon-cloudwatch-agent logrotate")
			s.mustCall("dnf versionlock add amazon-cloudwatch-agent-1.300057.1")
			s.mustCall("systemctl enable --now logrotate.timer")
			s.mustCall("amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:" + s.root + AgentConfigPath)
			s.before([]string{"amazon-cloudwatch-agent-ctl"}, []string{"install.sh"})
			if !s.exists(TeleportLogDir) {
				t.Errorf("no %s for Teleport's log", TeleportLogDir)
			}
			if !strings.Contains(s.read(ConfigPath), "output: "+TeleportLogPath) {
				t.Errorf("teleport.yaml does not log to %s:\n%s", TeleportLogPath, s.read(ConfigPath))
			}
			if !strings.Contains(out, "shipping logs and metrics with amazon-cloudwatch-agent 1.300057.1") {
				t.Errorf("boot output:\n%s", out)
			}
		})
	}
}

// Telemetry is never worth an instance: an agent that cannot be installed,
// or is older than the minimum, is logged, not started, and the boot goes
// on without a boot failure.
func TestBootGoesOnWithoutTelemetry(t *testing.T) {
	for _, tc := range []struct{ name, dnf, version, says string }{
		{"install fails", `case "$*" in *amazon-cloudwatch-agent*) exit 1 ;; esac`, "1.300057.1", "could not install amazon-cloudwatch-agent"},
		{"agent too old", `exit 0`, "1.247350.0", "amazon-cloudwatch-agent 1.247350.0 is older than " + CloudWatchAgentMinVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t, testProxyUserData(t, true), map[string]string{"aws": proxyAWS(1, rolloutState(2, "17.4.8", "gen1", 0)),
				"dnf": tc.dnf, "rpm": "echo " + tc.version})
			withAgent(s)
			out, code := s.run("/usr/local/bin/teleport-boot-proxy")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			s.mustNotCall("amazon-cloudwatch-agent-ctl")
			s.mustNotCall("aws cloudwatch put-metric-data", "BootFailures")
			s.mustCall("systemctl restart teleport")
			if !strings.Contains(out, "WARNING: "+tc.says) || !strings.Contains(out, "ships no logs or metrics") {
				t.Errorf("boot output does not say %q:\n%s", tc.says, out)
			}
		})
	}
}
