package regions

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/authstate"
	"github.com/example/teleport-multi-region/constructs/firewall"
	"github.com/example/teleport-multi-region/constructs/instances"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/privatezone"
	"github.com/example/teleport-multi-region/constructs/proxycluster"
	"github.com/example/teleport-multi-region/constructs/telemetry"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/constructs/transitgateway"
	"github.com/example/teleport-multi-region/internal/words"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// ProxyStack is one proxy region: its VPC (connected with the auth VPC;
// its connections with other proxy regions are in the mesh stacks) and its
// Proxy Service.
type ProxyStack struct {
	Stack   cdktf.TerraformStack
	Region  string
	Network *network.Network
	Proxy   *proxycluster.ProxyCluster
	// BootScript is the rendered user data of the proxy instances.
	BootScript string
	// TransitGateway is the region's transit gateway (connectivity mode
	// transit_gateway), else nil.
	TransitGateway *transitgateway.TransitGateway
	// ReadyAlarm fires when no proxy of the region is ready; the DNS
	// stack's health check of the region watches it.
	ReadyAlarm *alarms.Props
	// Telemetry is where the region's proxies ship logs and metrics.
	Telemetry *telemetry.Telemetry
}

// OwnsPeering reports whether region a owns the connection between proxy
// regions a and b (its mesh stack requests it). The stable rule: the region
// whose name sorts last owns it, so every pair is connected exactly once,
// whatever the order of the config file. Before mesh stacks, the owner's
// proxy stack held it (see Moves).
func OwnsPeering(a, b string) bool { return a > b }

// NewProxyStack builds the stack of proxy region pr into stack, an empty
// stack named cfg.Names().ProxyStack(region). auth is the auth stack, the
// only stack it reads: every proxy stack deploys side by side once auth is
// up. moves says what an earlier layout left in its state (see Moves).
func NewProxyStack(stack cdktf.TerraformStack, cfg *config.Cluster, pr config.ProxyRegion, auth *AuthStack, moves *Moves) (*ProxyStack, error) {
	names := cfg.Names()
	region := pr.Region
	public := cfg.PublicPeering()
	setUpStack(stack, cfg, region)
	account := dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("account"), &dataawscalleridentity.DataAwsCallerIdentityConfig{}).AccountId()
	authProvider := newProvider(stack, "aws-auth", cfg, cfg.Auth.Region, "auth")
	// Aliased providers for what this stack still has in its state in
	// other regions (see regionalProviders).
	regionalProviders(stack, cfg, region, moves.oldPeers(region))

	net := network.New(stack, "network", &network.Props{
		Name:  names.Prefix("proxy-" + region),
		CIDR:  pr.VPCCIDR,
		Zones: pr.ZoneList(),
		// In vpc mode proxies sit in private subnets and reach the
		// internet through NAT; in public mode they need their own
		// public addresses for peering, so public subnets suffice.
		PrivateSubnets: !public,
		Given:          givenNetwork(pr.ExistingVPC, public),
	})

	privatezone.Associate(stack, "auth-zone", auth.AuthZone.ID, net.VPCID, region)
	net.AddGatewayEndpoints(&network.EndpointProps{Region: region, Name: names.Prefix("proxy-" + region)})

	// Proxies reach the internal auth NLB over a peering with the auth VPC,
	// directly or between the regions' transit gateways.
	subnets := net.PrivateSubnetIDs
	if public {
		subnets = net.PublicSubnetIDs
	}
	tgw, err := newGateway(stack, cfg, names.Prefix("proxy-"+region), region, false, net, subnets)
	if err != nil {
		return nil, fmt.Errorf("proxy stack %s: %w", region, err)
	}
	self := endpoint{Region: region, Network: net, CIDR: pr.VPCCIDR, Gateway: tgw, SameStack: true}
	if err := connect(stack, cfg, connectionIDs{"auth-peering", "auth-tgw-peering"}, names.Prefix(region+"-to-auth"), self,
		endpoint{Provider: authProvider, Region: cfg.Auth.Region, Network: auth.Network, CIDR: cfg.Auth.VPCCIDR, Gateway: auth.TransitGateway}, false, nil); err != nil {
		return nil, fmt.Errorf("proxy stack %s: %w", region, err)
	}
	// The auth NLB admits this region's proxies on 3025, and only them.
	// The rule lives here so that adding a region never changes the auth stack.
	firewall.AllowIn(stack, "auth-ingress", auth.Auth.LoadBalancerSecurityGroupID, firewall.Rule{
		Port: teleportconfig.AuthPort, CIDR: network.InstanceRange(pr.VPCCIDR, !public, pr.ExistingVPC != nil), Provider: authProvider,
		Description: "Teleport proxies of " + region,
	})

	// KMS keys are regional: each proxy region has its own, for the proxies'
	// volumes, the VPC's flow logs and the proxies' log groups.
	volumeKey := kmskey.New(stack, "volume-key", &kmskey.Props{
		Description:        "Root volumes of the Teleport proxies and VPC flow logs in " + region,
		Alias:              names.ProxyKeyAlias(),
		AccountID:          account,
		Region:             region,
		AutoScalingRoleARN: auth.AutoScalingRoleARN,
		LogGroupARNs: append(flowLogGroupARNs(pr.ExistingVPC, region, *account, names.FlowLogGroup("proxy")),
			telemetry.LogGroupARNs(region, *account, names.InstanceLogGroup("proxy"), names.MetricsLogGroup("proxy"))...),
		AlarmTopicARNs: []string{alarms.TopicARN(region, *account, names.AlertsTopic("proxy"))},
		Protect:        cfg.Protected(),
	})
	if pr.ExistingVPC.FlowLogsOn() {
		flowLogs(stack, cfg, net, "proxy", names.FlowLogRole(region), region, account, volumeKey.ARN)
	}
	tel := instanceTelemetry(stack, cfg, "proxy", region, account, volumeKey.ARN)
	boot, err := teleportconfig.ProxyUserData{
		Install: teleportconfig.Install{Version: cfg.TeleportVersion, Edition: cfg.Edition, Preinstalled: cfg.AMI.Source == config.AMISourceTeleport},
		Config: teleportconfig.ProxyConfig(teleportconfig.ProxyParams{
			Domain:       cfg.Domain,
			JoinToken:    names.ProxyJoinToken(),
			AuthServer:   auth.AuthZone.Address,
			ProxyPeering: cfg.ProxyPeering(),
		}),
		ProxyPeering:     cfg.ProxyPeering(),
		PublicPeering:    public,
		AuthRegion:       cfg.Auth.Region,
		CAPinParameter:   names.CAPinParameter(),
		RolloutParameter: names.RolloutParameter(),
		AMIGeneration:    cfg.AMIGeneration(),
		LaunchHook:       names.ProxyLaunchHook(),
		GroupName:        names.Prefix("proxy"),
		Cert:             certificate(cfg),
		Telemetry:        tel.Params(),
	}.Render()
	if err != nil {
		return nil, fmt.Errorf("proxy stack %s: %w", region, err)
	}
	proxy := proxycluster.New(stack, "proxy", &proxycluster.Props{
		Name:             names.Prefix("proxy"),
		RoleName:         names.ProxyRole(region),
		Region:           region,
		AccountID:        account,
		LoadBalancerName: names.ProxyLoadBalancer(),
		Network:          net,
		Instances:        pr.Instances,
		Image:            cfg.ImageFor(region, pr.Instances.Type, cfg.TeleportVersion),
		BootScript:       boot,
		// The stable private name, not the NLB's generated one (package
		// privatezone); the boot script still reads it from the tag.
		AuthRange:          network.InstanceRange(cfg.Auth.VPCCIDR, true, cfg.Auth.ExistingVPC != nil),
		PublicAddresses:    public,
		PeerRange:          meshRange(cfg, pr),
		PeerPrefixListName: names.Prefix("proxy-peers"),
		PeerMaxEntries:     maxPeerEntries(),
		PeerAnywhere:       cfg.PublicPeering(),
		LaunchHook:         instances.LaunchHook(names.ProxyLaunchHook()),
		// The DNS stack publishes a new region's records after this
		// stack's apply: the apply waits for healthy proxies.
		WaitForHealthyOnCreate: true,
		ExtraPolicy: append([]policy.Statement{
			authstate.ReadStatement("ReadRolloutState", authstate.ARN(cfg.Auth.Region, *account, names.RolloutParameter())),
		}, tel.Statements()...),
		CAPinParameter:     names.CAPinParameter(),
		CertBucket:         names.CertsBucket(),
		CertKey:            auth.Key,
		RolePattern:        names.ProxyRolePattern(),
		CertRegion:         cfg.Auth.Region,
		VolumeKeyARN:       volumeKey.ARN,
		AutoScalingRoleARN: auth.AutoScalingRoleARN,
	})

	// The auth servers admit exactly the registered roles to join.
	authstate.NewProxyRole(stack, "proxy-role-registration", &authstate.ProxyRoleProps{
		Provider: authProvider, Name: names.ProxyRoleParameter(region), RoleARN: proxy.Group.RoleARN,
	})

	topic := alarms.NewTopic(stack, "alerts", &alarms.TopicProps{
		Name: names.AlertsTopic("proxy"), Region: region, AccountID: account, KeyARN: volumeKey.ARN, Email: cfg.Alerts.Email,
	})
	belowCount := nlbHealthy(stack, "alarm-proxy-targets", topic, proxy.LoadBalancer, names.Alarm("proxy-healthy-below-count"), pr.Instances.Count, alarmMinutes,
		alarms.Describe(fmt.Sprintf("Fewer than %s behind the NLB of %s", words.Count(pr.Instances.Count, "healthy proxy", "healthy proxies"), region),
			"check the group's instances (a new one waiting in its launch hook waits for the auth servers), their boot and teleport streams in the region's proxy log group"))
	// No proxy of the region is ready: Route 53 stops sending clients here
	// (package dns, the readiness half of the region's health check).
	ready := &alarms.Props{
		Name: names.Alarm("proxy-none-ready"),
		Description: alarms.Describe("No proxy of "+region+" passes the NLB's readiness check (/readyz): Route 53 sends this region's clients to the other regions",
			"the proxies' boot and teleport streams in the region's log group: lost the auth servers (auth down, peering or routes to the auth VPC) or stuck at a boot gate"),
		Metric: proxy.LoadBalancer.MetricHealthyHostCount(),
		Below:  true, Threshold: 1, Periods: 2, MissingIsBreaching: true, Topic: topic,
	}
	alarms.New(stack, "alarm-proxy-none-ready", ready)
	instanceAlarms := alarms.InstanceAlarms(stack, "alarm-proxy-instances", &alarms.InstanceProps{GroupName: names.Prefix("proxy"), Name: names.Alarm("proxy"),
		ServedCertificate: true, CertificateDays: CertificateAlarmDays, Topic: topic})
	// A refresh of the proxies launches each new proxy before it retires
	// an old one, and a new one is registered only once its Teleport is
	// ready: fewer healthy proxies than the count, or a failed boot,
	// means the release is bad, and the refresh rolls back.
	proxy.Group.RollBackOn(belowCount, instanceAlarms.BootFailed)
	natAlarms(stack, topic, net, func(zone string) string { return names.Alarm("proxy-nat-" + zone) }, region)
	canary, err := peerCanary(cfg)
	if err != nil {
		return nil, fmt.Errorf("proxy stack %s: %w", region, err)
	}
	tel.Alarms(stack, "alarm-proxy-telemetry", &telemetry.AlarmProps{Name: names.Alarm("proxy"), Topic: topic, ProxyPeering: cfg.ProxyPeering(), PeerCanary: canary})

	output(stack, "proxy-nlb-dns-name", "Public NLB of this region's proxies (TCP 443)", proxy.LoadBalancer.DNSName)
	output(stack, "vpc-id", "Proxy VPC of "+region, net.VPCID)
	if tgw != nil {
		output(stack, "transit-gateway-id", "Transit gateway of "+region, tgw.ID)
	}
	moves.handOver(stack, region, proxy, meshRange(cfg, pr))
	return &ProxyStack{Stack: stack, Region: region, Network: net, Proxy: proxy, BootScript: boot, TransitGateway: tgw, ReadyAlarm: ready, Telemetry: tel}, nil
}

// meshRange is pr's entry in the peer prefix lists when proxies peer over
// the cluster's private connections (VPC peering or transit gateways): the
// instance range of its proxies, which every proxy of the cluster admits and
// dials on 3021, those of its own region included (Teleport Proxy Peering
// guide). Nil without proxy peering, or with public peering (the internet:
// public addresses change with every instance, and peer connections are
// mutually authenticated with cluster-issued certificates).
func meshRange(cfg *config.Cluster, pr config.ProxyRegion) *firewall.Range {
	if !meshMode(cfg) {
		return nil
	}
	return &firewall.Range{CIDR: network.InstanceRange(pr.VPCCIDR, true, pr.ExistingVPC != nil), Description: "Teleport proxies of " + pr.Region}
}

// meshMode reports whether proxy regions are connected with each other
// (proxy peering over VPC peering or transit gateways): then each active
// proxy region has a mesh stack.
func meshMode(cfg *config.Cluster) bool { return cfg.ProxyPeering() && !cfg.PublicPeering() }

// maxPeerEntries sizes every peer prefix list for the most proxy regions a
// cluster can have, one range each: every region of the table. Fixed, so
// that adding or retiring a region changes entries (in the mesh stacks),
// never the lists (in the proxy stacks). AWS counts a referenced list as its
// maximum entries against the rules of a security group (60 inbound and 60
// outbound by default, "Amazon VPC quotas"): the proxies' group has two
// other rules each way.
func maxPeerEntries() int { return len(config.RegionNames()) }

// peerCanary reports whether the cluster's proxies run the peering canary
// (telemetry.PeerCanary).
func peerCanary(cfg *config.Cluster) (bool, error) {
	release, err := config.ParseVersion(cfg.TeleportVersion)
	if err != nil {
		return false, err
	}
	return telemetry.PeerCanary(cfg.ProxyPeering(), release), nil
}
