// Package loadbalancer provides the Network Load Balancer construct used in
// front of both the Auth Service (internal, 3025) and the Proxy Service
// (internet-facing, 443): Layer 4 only, TCP listeners that pass TLS through
// untouched, cross-zone load balancing on, and a target group whose health
// check asks Teleport's diagnostic endpoint whether the process is ready.
package loadbalancer

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lb"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lbtargetgroup"
)

// Props configures a LoadBalancer.
type Props struct {
	// Name names the load balancer and its target group (at most 32
	// characters each; config validation guarantees it).
	Name string
	// Internal makes the load balancer reachable only from inside the VPC
	// and its peers.
	Internal bool
	// VPCID and SubnetIDs place it, one subnet per availability zone.
	VPCID     *string
	SubnetIDs []*string
	// Port is both the listener and the target port (TCP).
	Port int
	// ProxyProtocolV2 prepends a PROXY v2 header so that targets see the
	// client's address.
	ProxyProtocolV2 bool
	// HealthCheckPort and HealthCheckPath locate the HTTP health endpoint.
	HealthCheckPort int
	HealthCheckPath string
}

// LoadBalancer exposes what DNS records and Auto Scaling groups need.
type LoadBalancer struct {
	constructs.Construct
	// DNSName is the load balancer's DNS name.
	DNSName *string
	// ZoneID is its Route 53 hosted zone id (for alias records).
	ZoneID *string
	// TargetGroupARN is the target group to register instances with.
	TargetGroupARN *string
}

// New creates the load balancer, its target group and TCP listener.
func New(scope constructs.Construct, id string, props *Props) *LoadBalancer {
	c := constructs.NewConstruct(scope, jsii.String(id))
	nlb := lb.NewLb(c, jsii.String("nlb"), &lb.LbConfig{
		Name:                         jsii.String(props.Name),
		LoadBalancerType:             jsii.String("network"),
		Internal:                     jsii.Bool(props.Internal),
		Subnets:                      &props.SubnetIDs,
		EnableCrossZoneLoadBalancing: jsii.Bool(true),
		IpAddressType:                jsii.String("ipv4"),
	})
	tg := lbtargetgroup.NewLbTargetGroup(c, jsii.String("targets"), &lbtargetgroup.LbTargetGroupConfig{
		Name:            jsii.String(props.Name),
		Port:            jsii.Number(float64(props.Port)),
		Protocol:        jsii.String("TCP"),
		VpcId:           props.VPCID,
		TargetType:      jsii.String("instance"),
		ProxyProtocolV2: jsii.Bool(props.ProxyProtocolV2),
		// Long-lived tunnels drain for up to five minutes on scale-in.
		DeregistrationDelay: jsii.String("300"),
		HealthCheck: &lbtargetgroup.LbTargetGroupHealthCheck{
			Enabled:            jsii.Bool(true),
			Protocol:           jsii.String("HTTP"),
			Port:               jsii.String(fmt.Sprint(props.HealthCheckPort)),
			Path:               jsii.String(props.HealthCheckPath),
			Matcher:            jsii.String("200"),
			Interval:           jsii.Number(10),
			HealthyThreshold:   jsii.Number(3),
			UnhealthyThreshold: jsii.Number(3),
		},
	})
	lblistener.NewLbListener(c, jsii.String("listener"), &lblistener.LbListenerConfig{
		LoadBalancerArn: nlb.Arn(),
		Port:            jsii.Number(float64(props.Port)),
		Protocol:        jsii.String("TCP"),
		DefaultAction: []lblistener.LbListenerDefaultAction{{
			Type:           jsii.String("forward"),
			TargetGroupArn: tg.Arn(),
		}},
	})
	return &LoadBalancer{Construct: c, DNSName: nlb.DnsName(), ZoneID: nlb.ZoneId(), TargetGroupARN: tg.Arn()}
}
