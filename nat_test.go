package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Every NAT gateway of every stack has its alarm: PacketsDropCount of that
// gateway, above 0 in three 5-minute periods in a row, named by its role and
// zone, notifying the stack's topic; and the runbook has the alarm's row.
func TestNATGatewayAlarms(t *testing.T) {
	doc, err := os.ReadFile("docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"`<cluster>-auth-nat-<zone>`", "`<cluster>-proxy-nat-<zone>`"} {
		if !strings.Contains(string(doc), "\n| "+row) && !strings.Contains(string(doc), ", "+row) {
			t.Errorf("docs/operations.md has no runbook row for %s", row)
		}
	}
	for _, synth := range []string{"example", "transit-gateway", "existing-vpc"} {
		cfg := synthOf(t, synth).cfg
		gateways := 0
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			nats := s.resources("aws_nat_gateway")
			gateways += len(nats)
			watched := map[string]bool{}
			for id, a := range s.resources("aws_cloudwatch_metric_alarm") {
				if a["namespace"] != "AWS/NATGateway" {
					continue
				}
				ref := fmt.Sprint(get(a, "dimensions", "NatGatewayId"))
				role := strings.SplitN(stack, "-", 2)[0]
				if a["metric_name"] != "PacketsDropCount" || a["statistic"] != "Sum" || a["period"] != 300.0 || a["evaluation_periods"] != 3.0 ||
					a["datapoints_to_alarm"] != 3.0 || a["threshold"] != 0.0 || a["comparison_operator"] != "GreaterThanThreshold" ||
					a["treat_missing_data"] != "notBreaching" || !strings.HasPrefix(fmt.Sprint(a["alarm_name"]), cfg.ClusterName+"-"+role+"-nat-") ||
					!strings.Contains(fmt.Sprint(a["alarm_actions"]), "aws_sns_topic.") {
					t.Errorf("%s/%s: NAT alarm %s: %v", synth, stack, id, a)
				}
				for nat := range nats {
					if ref == "${aws_nat_gateway."+nat+".id}" {
						watched[nat] = true
					}
				}
			}
			for nat := range nats {
				if !watched[nat] {
					t.Errorf("%s/%s: NAT gateway %s has no alarm", synth, stack, nat)
				}
			}
		}
		if gateways == 0 {
			t.Errorf("%s: no NAT gateway to check", synth)
		}
	}
}
