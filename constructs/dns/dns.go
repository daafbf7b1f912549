// Package dns provides the cluster's Route 53 latency routing: a health check
// per proxy region (HTTPS on the region's public load balancer) and, per
// client region, a CNAME for the cluster domain and one for its wildcard,
// latency-routed in that region to one proxy region and guarded by that
// region's health check.
//
// Records are addressed by client region, not by the proxy region they point
// at: moving a client region to another proxy region changes the record's
// target and health check in place. Route 53 holds one latency record per
// name, type and region, and aws_route53_record issues CREATE (it fails when
// the record exists) unless allow_overwrite is set, so a record that changed
// resource address would be created while its old address still holds it.
package dns

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53healthcheck"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/example/teleport-multi-region/constructs/alarms"
)

// RecordTTL is short so that a failed-over region stops receiving traffic
// quickly once Route 53 marks it unhealthy.
const RecordTTL = 60

// HealthCheckProps configures a HealthCheck.
type HealthCheckProps struct {
	// Name tags the health check.
	Name string
	// LoadBalancerDNSName is the proxy NLB probed.
	LoadBalancerDNSName *string
	// ReadyAlarm is the region's alarm that no proxy is ready, in
	// AlarmRegion.
	ReadyAlarm *alarms.Props
	// IsolatedAlarm, unless nil, is the region's alarm that its proxies
	// reach no proxy of another region, in AlarmRegion.
	IsolatedAlarm *alarms.Props
	AlarmRegion   string
}

// HealthCheck is Route 53's check of one proxy region: healthy while the
// region answers HTTPS, at least one of its proxies is ready and, with
// IsolatedAlarm, its proxies reach another region's.
type HealthCheck struct {
	constructs.Construct
	// ID is the health check id, which records and alarms name.
	ID *string
}

// NewHealthCheck creates the health check: an HTTPS check of the region's
// NLB, a check of its readiness alarm and, with IsolatedAlarm, a check of
// that alarm, combined (CALCULATED, all must be healthy). The HTTPS check
// alone passes while every proxy of the region is up but not ready (lost
// the auth servers): an NLB whose targets all fail their health check
// routes to all of them ("Target group health", Elastic Load Balancing:
// fail open), and /webapi/ping answers without the auth servers. The
// readiness alarm reads the NLB's HealthyHostCount, which counts targets
// whose /readyz answers. Neither sees a region cut off from the other
// regions' proxies (its proxies stay ready): the isolation alarm does, from
// Teleport's peer pings, and a region that reaches nobody else serves its
// clients only the agents connected to it, so its clients, and its
// agents (they follow the same records), are better served elsewhere. If
// every region fails, Route 53 answers as if all were healthy ("How Amazon
// Route 53 chooses records when health checking is configured").
//
// Route 53 reads a CloudWatch alarm's configuration when the check is
// created or updated with its AlarmIdentifier, not afterwards ("Monitoring
// a CloudWatch alarm", Route 53 developer guide): triggers holds the
// alarm's settings, so that a change of them updates the check
// (internal/service/route53/health_check.go re-sends the AlarmIdentifier
// when triggers change).
func NewHealthCheck(scope constructs.Construct, id string, props *HealthCheckProps) *HealthCheck {
	c := constructs.NewConstruct(scope, jsii.String(id))
	// HTTPS on /webapi/ping succeeds only when a proxy behind the NLB
	// completes TLS and answers Teleport's own ping endpoint: a TCP check
	// would pass as long as any target accepts a connection, even one whose
	// Teleport process is stuck. Route 53 does not validate the certificate,
	// so the NLB name can be probed directly.
	hc := route53healthcheck.NewRoute53HealthCheck(c, jsii.String("health-check"), &route53healthcheck.Route53HealthCheckConfig{
		Type:             jsii.String("HTTPS"),
		Fqdn:             props.LoadBalancerDNSName,
		Port:             jsii.Number(443),
		ResourcePath:     jsii.String("/webapi/ping"),
		RequestInterval:  jsii.Number(30),
		FailureThreshold: jsii.Number(3),
		MeasureLatency:   jsii.Bool(false),
		Tags:             &map[string]*string{"Name": jsii.String(props.Name)},
	})
	// A new check has no last status and starts healthy; a metric that
	// stops (the NLB gone) keeps the last one.
	ready := alarmCheck(c, "ready", props.ReadyAlarm, props.AlarmRegion, "LastKnownStatus", props.Name+"-ready")
	children := []*string{hc.Id(), ready.Id()}
	if props.IsolatedAlarm != nil {
		// Its missing data is not breaching (telemetry that stops is no
		// reason to move clients); a new alarm without data is healthy.
		isolated := alarmCheck(c, "peering", props.IsolatedAlarm, props.AlarmRegion, "Healthy", props.Name+"-peering")
		children = append(children, isolated.Id())
	}
	all := route53healthcheck.NewRoute53HealthCheck(c, jsii.String("combined"), &route53healthcheck.Route53HealthCheckConfig{
		Type:                 jsii.String("CALCULATED"),
		ChildHealthchecks:    &children,
		ChildHealthThreshold: jsii.Number(float64(len(children))),
		Tags:                 &map[string]*string{"Name": jsii.String(props.Name + "-serving")},
	})
	return &HealthCheck{Construct: c, ID: all.Id()}
}

// alarmCheck is a CLOUDWATCH_METRIC check of alarm in region.
func alarmCheck(scope constructs.Construct, id string, alarm *alarms.Props, region, insufficientData, name string) route53healthcheck.Route53HealthCheck {
	settings := alarm.Settings()
	return route53healthcheck.NewRoute53HealthCheck(scope, jsii.String(id), &route53healthcheck.Route53HealthCheckConfig{
		Type:                         jsii.String("CLOUDWATCH_METRIC"),
		CloudwatchAlarmName:          jsii.String(alarm.Name),
		CloudwatchAlarmRegion:        jsii.String(region),
		InsufficientDataHealthStatus: jsii.String(insufficientData),
		Triggers:                     &settings,
		Tags:                         &map[string]*string{"Name": jsii.String(name)},
	})
}

// MetricStatus is the check's HealthCheckStatus (1 healthy, 0 not), worst
// of each minute. Route 53 publishes it in us-east-1 only ("Monitoring
// health checks using CloudWatch", Route 53 developer guide): alarms on it
// must live there.
func (h *HealthCheck) MetricStatus() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/Route53", Name: "HealthCheckStatus", Statistic: "Minimum", PeriodSeconds: 60,
		Dimensions: map[string]*string{"HealthCheckId": h.ID}}
}

// RecordsProps configures LatencyRecords.
type RecordsProps struct {
	// ZoneID is the public hosted zone holding the records.
	ZoneID *string
	// Domain is the cluster's public name; "*." + Domain is added too.
	Domain string
	// ClientRegion is the AWS region whose clients the records answer.
	ClientRegion string
	// Target is the DNS name of the proxy NLB serving them.
	Target *string
	// HealthCheckID is the health check of that NLB's region.
	HealthCheckID *string
}

// NewLatencyRecords creates the root and wildcard records of one client
// region.
func NewLatencyRecords(scope constructs.Construct, id string, props *RecordsProps) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	for _, rec := range []struct{ id, name string }{
		{"root", props.Domain},
		{"wildcard", "*." + props.Domain},
	} {
		route53record.NewRoute53Record(c, jsii.String(rec.id), &route53record.Route53RecordConfig{
			ZoneId:               props.ZoneID,
			Name:                 jsii.String(rec.name),
			Type:                 jsii.String("CNAME"),
			Ttl:                  jsii.Number(RecordTTL),
			Records:              &[]*string{props.Target},
			SetIdentifier:        jsii.String(SetIdentifier(props.ClientRegion)),
			LatencyRoutingPolicy: &route53record.Route53RecordLatencyRoutingPolicy{Region: jsii.String(props.ClientRegion)},
			HealthCheckId:        props.HealthCheckID,
		})
	}
}

// SetIdentifier is the unique set identifier of a latency record: one record
// per latency region and name, so the region itself is unique.
func SetIdentifier(latencyRegion string) string { return "latency-" + latencyRegion }
