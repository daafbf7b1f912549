package regions

import (
	"fmt"
	"sort"

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
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/constructs/transitgateway"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// ProxyStack is one proxy region: its VPC (peered with the auth VPC and, in
// vpc peering mode, with the proxy VPCs it owns peerings with) and its Proxy
// Service.
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
}

// OwnsPeering reports whether the stack of region a requests the VPC peering
// between proxy regions a and b. The stable rule: the region whose name sorts
// last owns it, so every pair is peered exactly once, the owner reads the
// other's outputs, and dependencies always point from a later name to an
// earlier one (never a cycle), whatever the order of the config file.
func OwnsPeering(a, b string) bool { return a > b }

// NewProxyStack builds the stack of proxy region pr into stack, an empty
// stack named cfg.Names().ProxyStack(region). auth is the auth stack; peers
// are the already-built proxy stacks whose peerings this stack owns (vpc
// mode), in any order.
func NewProxyStack(stack cdktf.TerraformStack, cfg *config.Cluster, pr config.ProxyRegion, auth *AuthStack, peers []*ProxyStack) (*ProxyStack, error) {
	names := cfg.Names()
	region := pr.Region
	public := cfg.PublicPeering()
	setUpStack(stack, cfg, region)
	account := dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("account"), &dataawscalleridentity.DataAwsCallerIdentityConfig{}).AccountId()
	authProvider := newProvider(stack, "aws-auth", cfg, cfg.Auth.Region, "auth")
	// One aliased provider per other region, shared by everything this
	// stack manages there (peerings).
	providers := regionalProviders(stack, cfg, region)

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
		endpoint{Provider: authProvider, Region: cfg.Auth.Region, Network: auth.Network, CIDR: cfg.Auth.VPCCIDR, Gateway: auth.TransitGateway}); err != nil {
		return nil, fmt.Errorf("proxy stack %s: %w", region, err)
	}
	// The auth NLB admits this region's proxies on 3025, and only them.
	// The rule lives here so that adding a region never changes the auth stack.
	firewall.AllowIn(stack, "auth-ingress", auth.Auth.LoadBalancerSecurityGroupID, firewall.Rule{
		Port: teleportconfig.AuthPort, CIDR: network.InstanceRange(pr.VPCCIDR, !public, pr.ExistingVPC != nil), Provider: authProvider,
		Description: "Teleport proxies of " + region,
	})

	if cfg.ProxyPeering() && !public {
		for _, peer := range peers {
			if !OwnsPeering(region, peer.Region) {
				return nil, fmt.Errorf("proxy stack %s: asked to own the peering with %s, which sorts after it", region, peer.Region)
			}
			p, _ := cfg.ProxyRegion(peer.Region)
			// Proxy gateways are peered directly, each pair once, like
			// VPCs: hairpinning every proxy-to-proxy connection through
			// the auth region's gateway would add that detour's latency
			// to every session reached through a peer.
			if err := connect(stack, cfg, connectionIDs{"peering-" + peer.Region, "tgw-peering-" + peer.Region}, names.Prefix(region+"-to-"+peer.Region), self,
				endpoint{Provider: providers[peer.Region], Region: peer.Region, Network: peer.Network, CIDR: p.VPCCIDR, Gateway: peer.TransitGateway}); err != nil {
				return nil, fmt.Errorf("proxy stack %s: %w", region, err)
			}
		}
	}

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
	}.Render()
	if err != nil {
		return nil, fmt.Errorf("proxy stack %s: %w", region, err)
	}
	// KMS keys are regional: each proxy region has its own, for the proxies'
	// volumes and the VPC's flow logs.
	volumeKey := kmskey.New(stack, "volume-key", &kmskey.Props{
		Description:        "Root volumes of the Teleport proxies and VPC flow logs in " + region,
		Alias:              names.ProxyKeyAlias(),
		AccountID:          account,
		Region:             region,
		AutoScalingRoleARN: auth.AutoScalingRoleARN,
		LogGroupARNs:       flowLogGroupARNs(pr.ExistingVPC, region, *account, names.FlowLogGroup("proxy")),
		AlarmTopicARNs:     []string{alarms.TopicARN(region, *account, names.AlertsTopic("proxy"))},
		Protect:            cfg.Protected(),
	})
	if pr.ExistingVPC.FlowLogsOn() {
		flowLogs(stack, cfg, net, "proxy", names.FlowLogRole(region), region, account, volumeKey.ARN)
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
		PeerRanges:         peerRanges(cfg),
		PeerPrefixListName: names.Prefix("proxy-peers"),
		PeerAnywhere:       cfg.PublicPeering(),
		LaunchHook:         instances.LaunchHook(names.ProxyLaunchHook()),
		// The DNS stack publishes a new region's records after this
		// stack's apply: the apply waits for healthy proxies.
		WaitForHealthyOnCreate: true,
		ExtraPolicy: []policy.Statement{
			authstate.ReadStatement("ReadRolloutState", authstate.ARN(cfg.Auth.Region, *account, names.RolloutParameter())),
		},
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
		alarms.Describe(fmt.Sprintf("Fewer than %d healthy proxies behind the NLB of %s", pr.Instances.Count, region),
			"check the group's instances (a new one waiting in its launch hook waits for the auth servers), /var/log/teleport-boot.log, journalctl -u teleport"))
	// No proxy of the region is ready: Route 53 stops sending clients here
	// (package dns, the readiness half of the region's health check).
	ready := &alarms.Props{
		Name: names.Alarm("proxy-none-ready"),
		Description: alarms.Describe("No proxy of "+region+" passes the NLB's readiness check (/readyz): Route 53 sends this region's clients to the other regions",
			"the proxies' /var/log/teleport-boot.log and journalctl -u teleport: lost the auth servers (auth down, peering or routes to the auth VPC) or stuck at a boot gate"),
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

	output(stack, "proxy-nlb-dns-name", "Public NLB of this region's proxies (TCP 443)", proxy.LoadBalancer.DNSName)
	output(stack, "vpc-id", "Proxy VPC of "+region, net.VPCID)
	if tgw != nil {
		output(stack, "transit-gateway-id", "Transit gateway of "+region, tgw.ID)
	}
	return &ProxyStack{Stack: stack, Region: region, Network: net, Proxy: proxy, BootScript: boot, TransitGateway: tgw, ReadyAlarm: ready}, nil
}

// peersOwnedBy returns the built stacks whose peering with region that
// region's stack owns.
func peersOwnedBy(region string, built []*ProxyStack) []*ProxyStack {
	var out []*ProxyStack
	for _, b := range built {
		if OwnsPeering(region, b.Region) {
			out = append(out, b)
		}
	}
	return out
}

// peerRanges are the ranges a proxy admits and dials on 3021 when proxies
// peer over VPC peering: the instance range of every proxy region, its own
// included, since every proxy dials every other proxy of the cluster
// (Teleport Proxy Peering guide), sorted by region. None without proxy
// peering, or with public peering (the internet: public addresses change
// with every instance, and peer connections are mutually authenticated with
// cluster-issued certificates).
func peerRanges(cfg *config.Cluster) []firewall.Range {
	if !cfg.ProxyPeering() || cfg.PublicPeering() {
		return nil
	}
	regions := cfg.ActiveProxyRegions()
	sort.Slice(regions, func(i, j int) bool { return regions[i].Region < regions[j].Region })
	var out []firewall.Range
	for _, p := range regions {
		out = append(out, firewall.Range{CIDR: network.InstanceRange(p.VPCCIDR, true, p.ExistingVPC != nil), Description: "Teleport proxies of " + p.Region})
	}
	return out
}
