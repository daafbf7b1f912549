package regions

import (
	"fmt"
	"sort"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/backup"
	"github.com/example/teleport-multi-region/constructs/dashboard"
	"github.com/example/teleport-multi-region/constructs/dns"
	"github.com/example/teleport-multi-region/constructs/storage"
	"github.com/example/teleport-multi-region/constructs/telemetry"
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
	// Dashboard is the cluster's CloudWatch dashboard.
	Dashboard *dashboard.Dashboard
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
//
// It also deploys after every mesh stack: a new region's proxies reach the
// other proxies (and the agents connected to them) before clients arrive.
func NewDNSStack(stack cdktf.TerraformStack, cfg *config.Cluster, auth *AuthStack, proxies []*ProxyStack, meshes []*MeshStack) *DNSStack {
	names := cfg.Names()
	setUpStack(stack, cfg, HealthCheckRegion)
	for _, m := range meshes {
		stack.AddDependency(m.Stack)
	}
	zone := hostedZoneID(stack, cfg)
	byRegion := map[string]*ProxyStack{}
	checks := map[string]*dns.HealthCheck{}
	isolated := isolationAlarms(stack, cfg, proxies)
	for _, p := range proxies {
		byRegion[p.Region] = p
		hc := dns.NewHealthCheck(stack, "health-check-"+p.Region, &dns.HealthCheckProps{
			Name: names.Prefix("proxy-" + p.Region), LoadBalancerDNSName: p.Proxy.LoadBalancer.DNSName,
			ReadyAlarm: p.ReadyAlarm, IsolatedAlarm: isolated[p.Region], AlarmRegion: p.Region,
		})
		checks[p.Region] = hc
		alarms.New(stack, "alarm-health-check-"+p.Region, &alarms.Props{
			Name: names.Alarm("proxy-" + p.Region + "-health-check"),
			Description: alarms.Describe("Route 53's health check of the proxies of "+p.Region+" fails (HTTPS to its NLB, no proxy ready, or its proxies cut off from the other regions' proxies): latency records no longer send clients there",
				"check the region's NLB, proxies and its <cluster>-proxy-none-ready and <cluster>-proxy-peering-isolated alarms; clients are served by the other regions meanwhile"),
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
	board := clusterDashboard(stack, cfg, auth, proxies, checks)
	return &DNSStack{Stack: stack, HealthChecks: checks, Dashboard: board}
}

// isolationAlarms creates, in each proxy region, the alarm that its proxies
// reach no proxy of another region (telemetry.IsolationAlarm), which the
// region's health check watches: with the peering canary and another
// region that runs proxies, by region. They live here, not in the proxy
// stacks, because only this stack sees every region: a proxy stack does not
// change when another region is added or retired. The stack has a provider
// for every configured proxy region, retired ones too, so that the alarm of
// a region being retired (or left alone) is destroyed with its provider
// still there.
func isolationAlarms(stack cdktf.TerraformStack, cfg *config.Cluster, proxies []*ProxyStack) map[string]*alarms.Props {
	var regionsOf []string
	for _, p := range cfg.ProxyRegions {
		regionsOf = append(regionsOf, p.Region)
	}
	providers := peerProviders(stack, cfg, regionsOf)
	out := map[string]*alarms.Props{}
	if canary, err := peerCanary(cfg); err != nil || !canary || len(proxies) < 2 {
		return out
	}
	account := dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("account"), &dataawscalleridentity.DataAwsCallerIdentityConfig{}).AccountId()
	names := cfg.Names()
	for _, p := range proxies {
		pr, _ := cfg.ProxyRegion(p.Region)
		props := p.Telemetry.IsolationAlarm(&telemetry.IsolationProps{
			Name: names.Alarm("proxy-peering-isolated"), RegionProxies: pr.Instances.Count, Provider: providers[p.Region],
			Topic: &alarms.Topic{ARN: jsii.String(alarms.TopicARN(p.Region, *account, names.AlertsTopic("proxy")))},
		})
		alarms.New(stack, "alarm-peering-isolated-"+p.Region, props)
		out[p.Region] = props
	}
	return out
}

// clusterDashboard lays out the cluster's dashboard: what clients are
// routed by, then each proxy region, then the auth region. It lives in the
// DNS stack, which reads every proxy stack already, so that adding a region
// never changes the auth stack; it is created in the auth region.
func clusterDashboard(stack cdktf.TerraformStack, cfg *config.Cluster, auth *AuthStack, proxies []*ProxyStack, checks map[string]*dns.HealthCheck) *dashboard.Dashboard {
	names := cfg.Names()
	one := func(v float64) *float64 { return &v }
	zero := func() *float64 { return one(0) }
	routing := dashboard.Graph{Title: "Route 53 health check per proxy region (1 = receives its clients)", Region: HealthCheckRegion, Threshold: one(1)}
	var sections []dashboard.Section
	for _, p := range proxies {
		routing.Lines = append(routing.Lines, dashboard.Line{Metric: checks[p.Region].MetricStatus(), Label: p.Region})
		lb := p.Proxy.LoadBalancer
		t := p.Telemetry
		pr, _ := cfg.ProxyRegion(p.Region)
		group := names.Prefix("proxy")
		sections = append(sections, dashboard.Section{Heading: "Proxies in " + p.Region, Graphs: []dashboard.Graph{
			{Title: "Ready proxies behind the NLB (alarm below the count)", Region: p.Region, Threshold: one(float64(pr.Instances.Count)),
				Lines: []dashboard.Line{{Metric: lb.MetricHealthyHostCount(), Label: "ready"}, {Metric: lb.MetricUnHealthyHostCount(), Label: "not ready"}}},
			{Title: "Client connections through the NLB", Region: p.Region,
				Lines: []dashboard.Line{{Metric: lb.MetricNewFlows(), Label: "new connections"}, {Metric: lb.MetricTargetResets(), Label: "resets by proxies"}}},
			{Title: "Boot failures and days left on the served certificate", Region: p.Region,
				Lines: []dashboard.Line{{Metric: alarms.BootFailures(group), Label: "boot failures"}, {Metric: alarms.ServedCertificateDays(group), Label: "certificate days left"}}},
			{Title: "Reverse tunnels from agents (alarm when they drop to none)", Region: p.Region,
				Lines: []dashboard.Line{{Metric: t.TunnelsTotal(), Label: "tunnels, all proxies"},
					{Metric: t.Tunnels(), Label: "most on one proxy"}}},
			{Title: "Proxy peering: connections and dial errors", Region: p.Region, Threshold: zero(),
				Lines: []dashboard.Line{{Metric: t.PeerDialErrors(), Label: "dial errors"},
					{Metric: t.PeerConnections(true), Label: "to peers, ready"},
					{Metric: t.PeerConnections(false), Label: "from peers, ready"}}},
			{Title: "Proxy peering canary: pings to peer proxies per 5 minutes (alarms on failures)", Region: p.Region, Threshold: zero(),
				Lines: []dashboard.Line{{Metric: t.PeerPings(), Label: "pings sent"},
					{Metric: t.PeerPingFailures(), Label: "pings failed"}}},
			{Title: "Sessions, cache health and shipped metric events", Region: p.Region,
				Lines: []dashboard.Line{{Metric: t.Sessions(), Label: "sessions, all proxies"},
					{Metric: t.CacheHealth(), Label: "cache health (1 healthy)"},
					{Metric: t.MetricIngestedEvents(), Label: "metric events shipped"}}},
		}})
	}
	lb := auth.Auth.LoadBalancer
	at := auth.Telemetry
	state := names.StateTable()
	sections = append([]dashboard.Section{{Heading: "Routing", Graphs: []dashboard.Graph{routing}}}, sections...)
	sections = append(sections, dashboard.Section{Heading: "Auth servers in " + cfg.Auth.Region, Graphs: []dashboard.Graph{
		{Title: "Ready auth servers behind the internal NLB", Region: cfg.Auth.Region, Threshold: one(float64(cfg.Auth.Instances.Count)),
			Lines: []dashboard.Line{{Metric: lb.MetricHealthyHostCount(), Label: "ready"}, {Metric: lb.MetricUnHealthyHostCount(), Label: "not ready"}}},
		{Title: "Cluster state table: throttled requests", Region: cfg.Auth.Region,
			Lines: []dashboard.Line{{Metric: storage.MetricThrottleEvents(state, "Read"), Label: "reads"}, {Metric: storage.MetricThrottleEvents(state, "Write"), Label: "writes"}}},
		{Title: "Boot failures and days left on the published certificate", Region: cfg.Auth.Region,
			Lines: []dashboard.Line{{Metric: alarms.BootFailures(names.Prefix("auth")), Label: "boot failures"}, {Metric: alarms.CertificateDays(cfg.Domain), Label: "certificate days left"}}},
		{Title: "Cluster state backend: failed requests (alarm above 0 for 15 minutes)", Region: cfg.Auth.Region, Threshold: zero(),
			Lines: []dashboard.Line{{Metric: at.BackendFailures("Read"), Label: "failed reads"}, {Metric: at.BackendFailures("Write"), Label: "failed writes"}}},
		{Title: "Cluster state table latency (DynamoDB, ms)", Region: cfg.Auth.Region,
			Lines: []dashboard.Line{{Metric: storage.MetricLatency(state, "Query"), Label: "Query"}, {Metric: storage.MetricLatency(state, "GetItem"), Label: "GetItem"},
				{Metric: storage.MetricLatency(state, "PutItem"), Label: "PutItem"}}},
		{Title: "Heartbeats, cache health and shipped metric events", Region: cfg.Auth.Region,
			Lines: []dashboard.Line{{Metric: at.HeartbeatsMissed(), Label: "heartbeats missed"},
				{Metric: at.ConnectedInstances(), Label: "instances connected (one auth server)"},
				{Metric: at.CacheHealth(), Label: "cache health (1 healthy)"},
				{Metric: at.MetricIngestedEvents(), Label: "metric events shipped"}}},
		backupGraph(auth.Backup, cfg.Auth.Region),
	}})
	return dashboard.New(stack, "dashboard", &dashboard.Props{
		Provider: newProvider(stack, "aws-auth", cfg, cfg.Auth.Region, "auth"),
		Name:     names.Dashboard(), Region: cfg.Auth.Region,
		Intro: fmt.Sprintf("# Teleport %s (%s)\nEach graph shows what an alarm of the cluster watches; what to do when one fires: docs/operations.md, Alarms. "+
			"Logs: CloudWatch Logs groups %s and %s in their regions (a stream per instance and file: <instance id>/teleport, /boot, /jobs).", cfg.Domain, cfg.ClusterName, names.InstanceLogGroup("auth"), names.InstanceLogGroup("proxy")),
		Sections: sections,
	})
}

// backupGraph shows the backup jobs completed per hour for each resource
// type the plan backs up: what the backup-missing alarms watch.
func backupGraph(b *backup.Backup, region string) dashboard.Graph {
	g := dashboard.Graph{Title: fmt.Sprintf("Backup jobs completed per hour (alarm: none for %d hours)", backup.NoBackupAlarmHours), Region: region}
	for _, rt := range b.ResourceTypes {
		g.Lines = append(g.Lines, dashboard.Line{Metric: backup.MetricJobsCompleted(b.VaultName, rt), Label: rt})
	}
	return g
}
