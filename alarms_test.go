package main

import (
	"fmt"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/regions"
)

// Every region with alarms has an encrypted topic, every alarm notifies a
// topic when it fires and when it recovers, and each region has the alarms
// an operator needs (docs/operations.md: Alarms).
func TestAlarms(t *testing.T) {
	for _, synth := range []string{"example", "public-four-regions", "oss-single-region", "transit-gateway", "many-regions"} {
		cfg := synthOf(t, synth).cfg
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			if strings.HasPrefix(stack, "mesh-") {
				// Connections only: their failures show in the proxies'
				// own alarms.
				if n := len(s.resources("aws_cloudwatch_metric_alarm")); n != 0 {
					t.Errorf("%s/%s: %d alarms in a mesh stack", synth, stack, n)
				}
				continue
			}
			if stack == regions.DNSStackName {
				// Route 53 health check metrics exist only in us-east-1,
				// the DNS stack's region: one alarm per proxy region,
				// notifying the auth stack's topic there. Beside them, in
				// each proxy region, the isolation alarms its health checks
				// watch (TestPeeringCanary), notifying the region's topic.
				health, isolation := 0, 0
				for id, a := range s.resources("aws_cloudwatch_metric_alarm") {
					if a["metric_name"] == teleportconfig.MetricPeerClientConnections {
						region := strings.TrimPrefix(fmt.Sprint(a["provider"]), "aws.")
						if _, ok := cfg.ProxyRegion(region); !ok || !strings.Contains(fmt.Sprint(a["alarm_actions"]), "arn:aws:sns:"+region+":") {
							t.Errorf("%s/%s: isolation alarm %s: %v", synth, stack, id, a)
						}
						isolation++
						continue
					}
					health++
					if a["provider"] != nil || a["metric_name"] != "HealthCheckStatus" || !strings.Contains(fmt.Sprint(get(a, "dimensions", "HealthCheckId")), "aws_route53_health_check.") ||
						!strings.Contains(fmt.Sprint(a["alarm_actions"]), "cross-stack-reference-input-auth-") {
						t.Errorf("%s/%s: health check alarm %s: %v", synth, stack, id, a)
					}
				}
				if health != len(cfg.ActiveProxyRegions()) || isolation > health {
					t.Errorf("%s: %d health check alarms and %d isolation alarms for %d proxy regions", synth, health, isolation, len(cfg.ActiveProxyRegions()))
				}
				continue
			}
			topics := s.resources("aws_sns_topic")
			if len(topics) == 0 {
				t.Errorf("%s/%s: no alarm topic", synth, stack)
			}
			for id, topic := range topics {
				if !cmk(topic["kms_master_key_id"]) {
					t.Errorf("%s/%s: topic %s is not encrypted with a key of its stack", synth, stack, id)
				}
			}
			if subs := len(s.resources("aws_sns_topic_subscription")); (cfg.Alerts.Email != "") != (subs == len(topics)) || (cfg.Alerts.Email == "" && subs != 0) {
				t.Errorf("%s/%s: %d subscriptions for %d topics with alerts.email %q", synth, stack, subs, len(topics), cfg.Alerts.Email)
			}
			byMetric := map[string]map[string]any{}
			for id, a := range s.resources("aws_cloudwatch_metric_alarm") {
				for _, k := range []string{"alarm_actions", "ok_actions"} {
					actions := fmt.Sprint(a[k])
					if !strings.Contains(actions, "aws_sns_topic.") && !strings.Contains(actions, "cross-stack-reference-input-auth-") {
						t.Errorf("%s/%s: alarm %s %s = %s", synth, stack, id, k, actions)
					}
				}
				key := fmt.Sprint(a["namespace"], "/", a["metric_name"]) + fmt.Sprint(get(a, "dimensions", "TableName"))
				if a["metric_name"] == "HealthyHostCount" && a["evaluation_periods"] != 5.0 {
					key += "/long"
				}
				byMetric[key] = a
			}
			group := cfg.Names().Prefix(strings.SplitN(stack, "-", 2)[0])
			for _, m := range []struct {
				metric, statistic, op string
				threshold             float64
			}{{"BootWaitSeconds", "Maximum", "GreaterThanThreshold", 1800}, {"BootFailures", "Sum", "GreaterThanThreshold", 0}} {
				a := byMetric["Teleport/"+m.metric+"<nil>"]
				if a == nil || a["statistic"] != m.statistic || a["comparison_operator"] != m.op || a["threshold"] != m.threshold ||
					get(a, "dimensions", "AutoScalingGroupName") != group || a["treat_missing_data"] != "notBreaching" {
					t.Errorf("%s/%s: %s alarm %v", synth, stack, m.metric, a)
				}
			}
			if strings.HasPrefix(stack, "proxy-") {
				region := strings.TrimPrefix(stack, "proxy-")
				pr, _ := cfg.ProxyRegion(region)
				healthy := byMetric["AWS/NetworkELB/HealthyHostCount<nil>"]
				if healthy == nil || healthy["threshold"] != float64(pr.Instances.Count) || healthy["comparison_operator"] != "LessThanThreshold" {
					t.Errorf("%s/%s: healthy proxies alarm %v", synth, stack, healthy)
				}
				// The certificate the proxies serve: an hour without it
				// means no proxy runs its certificate job.
				served := byMetric["Teleport/ServedCertificateDaysRemaining<nil>"]
				if served == nil || served["statistic"] != "Minimum" || served["comparison_operator"] != "LessThanThreshold" || served["threshold"] != 14.0 ||
					served["treat_missing_data"] != "breaching" || get(served, "dimensions", "AutoScalingGroupName") != group {
					t.Errorf("%s/%s: served certificate alarm %v", synth, stack, served)
				}
				continue
			}
			if a := byMetric["AWS/NetworkELB/HealthyHostCount<nil>"]; a == nil || a["threshold"] != 1.0 {
				t.Errorf("%s/%s: no alarm for an auth NLB without healthy targets", synth, stack)
			}
			below := byMetric["AWS/NetworkELB/HealthyHostCount<nil>/long"]
			if n := cfg.Auth.Instances.Count; n > 1 && (below == nil || below["threshold"] != float64(n) || below["evaluation_periods"] != 20.0) {
				t.Errorf("%s/%s: auth below its count alarm %v", synth, stack, below)
			}
			// The cluster key disabled or scheduled for deletion, and
			// failed backup and copy jobs: two rules, each to the auth
			// topic.
			rules := s.resources("aws_cloudwatch_event_rule")
			targets := s.resources("aws_cloudwatch_event_target")
			if len(rules) != 2 || len(targets) != 2 {
				t.Errorf("%s/%s: %d event rules, %d targets; want the key-state and backup-job rules", synth, stack, len(rules), len(targets))
			}
			var keyState, backupJobs int
			for _, r := range rules {
				p := fmt.Sprint(r["event_pattern"])
				switch {
				case strings.Contains(p, "DisableKey") && strings.Contains(p, "ScheduleKeyDeletion") && strings.Contains(p, "aws_kms_key.key_"):
					keyState++
				case strings.Contains(p, `"source" = ["aws.backup"]`) && strings.Contains(p, `"Backup Job State Change", "Copy Job State Change"`) &&
					strings.Contains(p, `"state" = ["FAILED", "ABORTED", "EXPIRED"]`):
					backupJobs++
				default:
					t.Errorf("%s/%s: event rule pattern %s", synth, stack, p)
				}
			}
			if keyState != 1 || backupJobs != 1 {
				t.Errorf("%s/%s: %d key-state rules, %d backup-job rules; want one each", synth, stack, keyState, backupJobs)
			}
			for _, tg := range targets {
				if !strings.HasPrefix(fmt.Sprint(tg["arn"]), "${aws_sns_topic.alerts_") {
					t.Errorf("%s/%s: an event rule notifies %v", synth, stack, tg["arn"])
				}
			}
			for _, table := range []string{cfg.Names().StateTable(), cfg.Names().EventsTable()} {
				for _, m := range []string{"ReadThrottleEvents", "WriteThrottleEvents"} {
					if byMetric["AWS/DynamoDB/"+m+table] == nil {
						t.Errorf("%s/%s: no %s alarm on %s", synth, stack, m, table)
					}
				}
			}
			if c := byMetric["Teleport/CertificateDaysRemaining<nil>"]; c == nil || c["threshold"] != 14.0 || c["treat_missing_data"] != "breaching" {
				t.Errorf("%s/%s: certificate alarm %v", synth, stack, c)
			}
		}
	}
	// The renewal job reports the metric the certificate alarm watches.
	script, _ := userData(t, stackOf(t, "example", "auth-us-west-2").one(t, "aws_launch_template"))
	if env := bootEnv(t, script); env["METRIC_NAMESPACE"] != "Teleport" || env["CERTIFICATE_DAYS_METRIC"] != "CertificateDaysRemaining" {
		t.Error("the renewal job does not publish the certificate's remaining days")
	}
}
