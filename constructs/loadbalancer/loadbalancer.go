// Package loadbalancer provides the Network Load Balancer construct used in
// front of both the Auth Service (internal, 3025) and the Proxy Service
// (internet-facing, 443): Layer 4 only, TCP listeners that pass TLS through
// untouched, cross-zone load balancing on, and a target group whose health
// check asks Teleport's diagnostic endpoint whether the process is ready.
//
// Every load balancer has a security group of its own, and its targets admit
// the listener and health-check ports only from that group: nobody can reach
// an instance around its load balancer. An NLB created without a security
// group can never get one without being replaced ("Security groups for your
// Network Load Balancer", Elastic Load Balancing user guide), so the group is
// there from the first apply. With instance targets the client address is
// preserved, and a target rule that references the load balancer's group
// admits that traffic (same guide): client access is decided by the load
// balancer's own ingress rules.
package loadbalancer

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lb"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lbtargetgroup"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/firewall"
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
	// TargetSecurityGroupID is the targets' group: it gets the rules that
	// admit Port and HealthCheckPort from the load balancer's group.
	TargetSecurityGroupID *string
	// AllowFrom are the client ranges the listener admits. Optional: other
	// stacks may add ingress rules to SecurityGroupID instead.
	AllowFrom []firewall.Rule
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
	// SecurityGroupID is the load balancer's own group; its ingress rules
	// decide which clients reach the listener.
	SecurityGroupID *string
	// ARNSuffix and TargetGroupARNSuffix are the CloudWatch dimensions
	// (LoadBalancer, TargetGroup) of the load balancer's metrics.
	ARNSuffix, TargetGroupARNSuffix *string
}

// New creates the load balancer, its target group and TCP listener.
func New(scope constructs.Construct, id string, props *Props) *LoadBalancer {
	c := constructs.NewConstruct(scope, jsii.String(id))
	sg := firewall.NewGroup(c, "security-group", props.Name+"-nlb", "Network Load Balancer "+props.Name, props.VPCID)
	for _, r := range props.AllowFrom {
		r.Port = props.Port
		firewall.AllowIn(c, firewall.RuleID("in", r.Port, r.CIDR), sg, r)
	}
	ports := []int{props.Port}
	if props.HealthCheckPort != props.Port {
		ports = append(ports, props.HealthCheckPort)
	}
	for _, port := range ports {
		firewall.AllowOut(c, fmt.Sprintf("out-%d-targets", port), sg, firewall.Rule{Port: port, Group: props.TargetSecurityGroupID,
			Description: "forwarded connections and health checks to the targets"})
		firewall.AllowIn(c, fmt.Sprintf("targets-in-%d", port), props.TargetSecurityGroupID, firewall.Rule{Port: port, Group: sg,
			Description: "only through the load balancer " + props.Name})
	}
	nlb := lb.NewLb(c, jsii.String("nlb"), &lb.LbConfig{
		Name:                         jsii.String(props.Name),
		LoadBalancerType:             jsii.String("network"),
		Internal:                     jsii.Bool(props.Internal),
		Subnets:                      &props.SubnetIDs,
		SecurityGroups:               &[]*string{sg},
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
	return &LoadBalancer{Construct: c, DNSName: nlb.DnsName(), ZoneID: nlb.ZoneId(), TargetGroupARN: tg.Arn(), SecurityGroupID: sg,
		ARNSuffix: nlb.ArnSuffix(), TargetGroupARNSuffix: tg.ArnSuffix()}
}

// MetricUnHealthyHostCount is the number of targets failing the health
// check, the highest of each minute (AWS/NetworkELB UnHealthyHostCount).
func (lb *LoadBalancer) MetricUnHealthyHostCount() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/NetworkELB", Name: "UnHealthyHostCount", Statistic: "Maximum", PeriodSeconds: 60,
		Dimensions: map[string]*string{"LoadBalancer": lb.ARNSuffix, "TargetGroup": lb.TargetGroupARNSuffix}}
}

// MetricNewFlows is the number of new TCP connections a minute
// (AWS/NetworkELB NewFlowCount).
func (lb *LoadBalancer) MetricNewFlows() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/NetworkELB", Name: "NewFlowCount", Statistic: "Sum", PeriodSeconds: 60,
		Dimensions: map[string]*string{"LoadBalancer": lb.ARNSuffix}}
}

// MetricTargetResets is the number of resets targets sent a minute
// (AWS/NetworkELB TCP_Target_Reset_Count): a proxy closing connections.
func (lb *LoadBalancer) MetricTargetResets() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/NetworkELB", Name: "TCP_Target_Reset_Count", Statistic: "Sum", PeriodSeconds: 60,
		Dimensions: map[string]*string{"LoadBalancer": lb.ARNSuffix}}
}

// MetricHealthyHostCount is the number of healthy targets behind the load
// balancer, the lowest of each minute (AWS/NetworkELB HealthyHostCount,
// by load balancer and target group).
func (lb *LoadBalancer) MetricHealthyHostCount() alarms.Metric {
	return alarms.Metric{Namespace: "AWS/NetworkELB", Name: "HealthyHostCount", Statistic: "Minimum", PeriodSeconds: 60,
		Dimensions: map[string]*string{"LoadBalancer": lb.ARNSuffix, "TargetGroup": lb.TargetGroupARNSuffix}}
}
