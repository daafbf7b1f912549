// Package dns provides the Route 53 latency records of one proxy region: a
// health check on the region's proxy load balancer and, for every latency
// region routed to it, a CNAME for the cluster domain and one for its
// wildcard, both guarded by that health check.
package dns

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53healthcheck"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// RecordTTL is short so that a failed-over region stops receiving traffic
// quickly once Route 53 marks it unhealthy.
const RecordTTL = 60

// Props configures LatencyRecords.
type Props struct {
	// ZoneID is the public hosted zone holding the records.
	ZoneID *string
	// Domain is the cluster's public name; "*." + Domain is added too.
	Domain string
	// LatencyRegions are the AWS regions whose clients this proxy region
	// serves: its own region and any resource regions routed to it.
	LatencyRegions []string
	// LoadBalancerDNSName is the proxy NLB the records point at.
	LoadBalancerDNSName *string
	// HealthCheckName tags the health check.
	HealthCheckName string
	// DependsOn are resources the records are created after and destroyed
	// before (the proxies that serve them). Optional.
	DependsOn []cdktf.ITerraformDependable
}

// LatencyRecords are the records and health check of one proxy region.
type LatencyRecords struct {
	constructs.Construct
	// HealthCheckID is the Route 53 health check on the proxy NLB.
	HealthCheckID *string
}

// New creates the health check and records.
func New(scope constructs.Construct, id string, props *Props) *LatencyRecords {
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
		Tags:             &map[string]*string{"Name": jsii.String(props.HealthCheckName)},
	})
	for _, region := range props.LatencyRegions {
		for _, rec := range []struct{ id, name string }{
			{"root", props.Domain},
			{"wildcard", "*." + props.Domain},
		} {
			route53record.NewRoute53Record(c, jsii.String(rec.id+"-"+region), &route53record.Route53RecordConfig{
				ZoneId:               props.ZoneID,
				Name:                 jsii.String(rec.name),
				Type:                 jsii.String("CNAME"),
				Ttl:                  jsii.Number(RecordTTL),
				Records:              &[]*string{props.LoadBalancerDNSName},
				SetIdentifier:        jsii.String(SetIdentifier(region)),
				LatencyRoutingPolicy: &route53record.Route53RecordLatencyRoutingPolicy{Region: jsii.String(region)},
				HealthCheckId:        hc.Id(),
				DependsOn:            dependsOn(props.DependsOn),
			})
		}
	}
	return &LatencyRecords{Construct: c, HealthCheckID: hc.Id()}
}

func dependsOn(deps []cdktf.ITerraformDependable) *[]cdktf.ITerraformDependable {
	if len(deps) == 0 {
		return nil
	}
	return &deps
}

// SetIdentifier is the unique set identifier of a latency record: one record
// per latency region and name, so the region itself is unique.
func SetIdentifier(latencyRegion string) string { return "latency-" + latencyRegion }
