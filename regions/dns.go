package regions

import (
	"sort"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/dns"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// DNSStackName is the name of the stack holding every latency record.
const DNSStackName = "dns"

// DNSStack holds the cluster's Route 53 latency routing: every record (root
// and wildcard, per client region), every proxy region's health check and
// the health checks' alarms. Route 53 is global and health check metrics
// exist only in us-east-1, so its default provider is us-east-1's.
type DNSStack struct {
	Stack cdktf.TerraformStack
	// HealthChecks are the proxy regions' health checks, by region.
	HealthChecks map[string]*dns.HealthCheck
}

// NewDNSStack builds the DNS stack into stack (see Build for when it is
// created). Its records point at the load balancers of proxies, the active
// proxy stacks; it reads their names as cross-stack references, so it
// deploys after every one of them, and a new region's records appear only
// once that region's apply finished, which waits until its proxies are
// healthy behind their load balancer (package instances,
// WaitForHealthyOnCreate).
//
// Records are addressed by client region ("records-<region>"), health
// checks and alarms by proxy region: when a client region moves to another
// proxy region (a nearer region added, its region retired), the same
// resource changes target and health check in place.
func NewDNSStack(stack cdktf.TerraformStack, cfg *config.Cluster, auth *AuthStack, proxies []*ProxyStack) *DNSStack {
	names := cfg.Names()
	setUpStack(stack, cfg, HealthCheckRegion)
	zone := hostedZoneID(stack, cfg)
	byRegion := map[string]*ProxyStack{}
	checks := map[string]*dns.HealthCheck{}
	for _, p := range proxies {
		byRegion[p.Region] = p
		hc := dns.NewHealthCheck(stack, "health-check-"+p.Region, &dns.HealthCheckProps{
			Name: names.Prefix("proxy-" + p.Region), LoadBalancerDNSName: p.Proxy.LoadBalancer.DNSName,
			ReadyAlarm: p.ReadyAlarm, ReadyAlarmRegion: p.Region,
		})
		checks[p.Region] = hc
		alarms.New(stack, "alarm-health-check-"+p.Region, &alarms.Props{
			Name: names.Alarm("proxy-" + p.Region + "-health-check"),
			Description: alarms.Describe("Route 53's health check of the proxies of "+p.Region+" fails (HTTPS to its NLB, or no proxy ready): latency records no longer send clients there",
				"check the region's NLB, proxies and its <cluster>-proxy-none-ready alarm; clients are served by the other regions meanwhile"),
			Metric: hc.MetricStatus(),
			Below:  true, Threshold: 1, Periods: 3, MissingIsBreaching: true, Topic: auth.HealthCheckTopic,
		})
	}
	routes := cfg.LatencyRoutes()
	sort.Slice(routes, func(i, j int) bool { return routes[i].Region < routes[j].Region })
	for _, r := range routes {
		p := byRegion[r.ProxyRegion]
		dns.NewLatencyRecords(stack, "records-"+r.Region, &dns.RecordsProps{
			ZoneID: zone, Domain: cfg.Domain, ClientRegion: r.Region,
			Target: p.Proxy.LoadBalancer.DNSName, HealthCheckID: checks[r.ProxyRegion].ID,
		})
	}
	return &DNSStack{Stack: stack, HealthChecks: checks}
}
