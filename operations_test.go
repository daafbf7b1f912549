package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

// Every proxy group holds a terminating proxy in its drain hook (created
// with the group, so its first instances have it too) for longer than the
// drain takes, and continues the termination if nobody completes it; the
// proxies may complete it in their own group only. Every instance role may
// publish metrics to the instances' namespace and nowhere else.
func TestProxiesDrainAndPublishMetrics(t *testing.T) {
	proxies := 0
	for _, synth := range sortedKeys(synths) {
		for _, stack := range stackNames(t, synth) {
			s := stackOf(t, synth, stack)
			for id, g := range s.resources("aws_autoscaling_group") {
				statements, _ := groupRoleStatements(s, g)
				metrics := 0
				for _, st := range statements {
					if !strings.Contains(fmt.Sprint(get(st, "actions")), "cloudwatch:PutMetricData") {
						continue
					}
					metrics++
					if fmt.Sprint(get(st, "actions")) != "[cloudwatch:PutMetricData]" || get(st, "condition", 0, "variable") != "cloudwatch:namespace" ||
						fmt.Sprint(get(st, "condition", 0, "values")) != "["+teleportconfig.MetricNamespace+"]" || get(st, "condition", 0, "test") != "StringEquals" {
						t.Errorf("%s/%s %s: metrics statement %v", synth, stack, id, st)
					}
				}
				if metrics != 1 {
					t.Errorf("%s/%s %s: %d PutMetricData statements; want 1", synth, stack, id, metrics)
				}
				if !strings.HasPrefix(stack, "proxy-") {
					continue
				}
				proxies++
				var drain map[string]any
				hooks, _ := g["initial_lifecycle_hook"].([]any)
				for _, h := range hooks {
					if get(h, "lifecycle_transition") == "autoscaling:EC2_INSTANCE_TERMINATING" {
						drain = h.(map[string]any)
					}
				}
				timeout, _ := drain["heartbeat_timeout"].(float64)
				if drain["name"] != teleportconfig.DrainHookName || drain["default_result"] != "CONTINUE" || timeout <= teleportconfig.DrainTimeoutSeconds {
					t.Errorf("%s/%s %s: drain hook %v; want %s, CONTINUE, heartbeat timeout above %ds", synth, stack, id, drain, teleportconfig.DrainHookName, teleportconfig.DrainTimeoutSeconds)
				}
				complete := false
				for _, st := range statements {
					if strings.Contains(fmt.Sprint(get(st, "actions")), "autoscaling:CompleteLifecycleAction") {
						complete = strings.HasSuffix(fmt.Sprint(get(st, "resources")), fmt.Sprintf(":autoScalingGroupName/%v]", g["name"]))
					}
				}
				if !complete {
					t.Errorf("%s/%s %s: the proxies cannot complete their own drain hook", synth, stack, id)
				}
			}
		}
	}
	if proxies == 0 {
		t.Fatal("no proxy group examined")
	}
}
