package regions

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/athenaaudit"
	"github.com/example/teleport-multi-region/constructs/authcluster"
	"github.com/example/teleport-multi-region/constructs/authstate"
	"github.com/example/teleport-multi-region/constructs/backup"
	"github.com/example/teleport-multi-region/constructs/flowlogs"
	"github.com/example/teleport-multi-region/constructs/instances"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/privatezone"
	"github.com/example/teleport-multi-region/constructs/storage"
	"github.com/example/teleport-multi-region/constructs/telemetry"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/example/teleport-multi-region/constructs/transitgateway"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// AuthStack is the auth region: network, storage and the Auth Service. Its
// fields are what proxy stacks read from it (as cross-stack references); it
// never reads anything from a proxy stack.
type AuthStack struct {
	Stack   cdktf.TerraformStack
	Network *network.Network
	Storage *storage.Storage
	Auth    *authcluster.AuthCluster
	// Key is the cluster key: tables, buckets, recordings, auth volumes.
	Key *kmskey.Key
	// BootScript is the rendered user data of the auth instances.
	BootScript string
	// AutoScalingRoleARN is the cluster's Auto Scaling service-linked role,
	// which every group launches instances with.
	AutoScalingRoleARN *string
	// TransitGateway is the auth region's transit gateway (connectivity
	// mode transit_gateway), else nil.
	TransitGateway *transitgateway.TransitGateway
	// HealthCheckTopic is the us-east-1 topic the proxies' Route 53 health
	// check alarms notify.
	HealthCheckTopic *alarms.Topic
	// AuthZone is the private hosted zone holding the Auth Service's stable
	// address; every proxy stack associates its VPC with it.
	AuthZone *privatezone.Zone
	// Backup is the state's AWS Backup plan and vaults.
	Backup *backup.Backup
	// Telemetry is where the auth servers ship logs and metrics.
	Telemetry *telemetry.Telemetry
}

// NewAuthStack builds the auth region stack into stack, an empty stack
// named cfg.Names().AuthStack(region) (see Build for why stacks are
// created before they are filled).
func NewAuthStack(stack cdktf.TerraformStack, cfg *config.Cluster) (*AuthStack, error) {
	names := cfg.Names()
	region := cfg.Auth.Region
	setUpStack(stack, cfg, region)
	account := dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("account"), &dataawscalleridentity.DataAwsCallerIdentityConfig{})

	net := network.New(stack, "network", &network.Props{
		Name:           names.Prefix("auth"),
		CIDR:           cfg.Auth.VPCCIDR,
		Zones:          cfg.Auth.ZoneList(),
		PrivateSubnets: true,
		Given:          givenNetwork(cfg.Auth.ExistingVPC, false),
	})
	// IAM is global: the auth stack creates the cluster's Auto Scaling
	// role once and every proxy stack reads it.
	asgRole := instances.NewAutoScalingRole(stack, "autoscaling-role", names.AutoScalingRoleSuffix())
	pinARN := authstate.ARN(region, *account.AccountId(), names.CAPinParameter())
	// The Athena audit backend replaces the events table; its topic,
	// queues and buckets use the cluster key.
	audit := athenaProps(cfg, region, account.AccountId())
	eventsTable, auditURI := names.EventsTable(), ""
	var auditServices, queueTopics, queues []string
	if audit != nil {
		eventsTable, auditURI = "", athenaaudit.URI(region, teleportconfig.PlaceholderAccountID, audit)
		auditServices = []string{"sns", "sqs"}
		queueTopics = []string{athenaaudit.TopicARN(region, *account.AccountId(), audit.Topic)}
		queues = []string{athenaaudit.QueueARN(region, *account.AccountId(), audit.Queue)}
	}
	// Who may use the key is granted by the constructs that own the roles
	// and resources (kmskey.Key.Grant): the auth cluster, the proxies, the
	// storage, the CA pin and the backups.
	key := kmskey.New(stack, "key", &kmskey.Props{
		Description:        "Teleport cluster state, audit log, session recordings, TLS certificate, CA pin, auth volumes and flow logs",
		Alias:              names.KeyAlias(),
		AccountID:          account.AccountId(),
		Region:             region,
		AutoScalingRoleARN: asgRole,
		DynamoDB:           true,
		LogGroupARNs: append(flowLogGroupARNs(cfg.Auth.ExistingVPC, region, *account.AccountId(), names.FlowLogGroup("auth")),
			telemetry.LogGroupARNs(region, *account.AccountId(), names.InstanceLogGroup("auth"), names.MetricsLogGroup("auth"))...),
		AlarmTopicARNs: []string{alarms.TopicARN(region, *account.AccountId(), names.AlertsTopic("auth"))},
		QueueTopicARNs: queueTopics,
		QueueARNs:      queues,
		Protect:        cfg.Protected(),
	})
	tel := instanceTelemetry(stack, cfg, "auth", region, account.AccountId(), key.ARN)
	var auditPolicy []policy.Statement
	// The audit log's durable store, backed up with the cluster state: the
	// events table, or the Athena backend's Parquet bucket.
	var auditStore *string
	if audit != nil {
		audit.KeyARN = key.ARN
		backend := athenaaudit.New(stack, "audit", audit)
		auditPolicy, auditStore = backend.AuthPolicy(), backend.Events.ARN
	}
	if cfg.Auth.ExistingVPC.FlowLogsOn() {
		flowLogs(stack, cfg, net, "auth", names.FlowLogRole("auth"), region, account.AccountId(), key.ARN)
	}
	pin := authstate.NewCAPin(stack, "ca-pin", &authstate.Props{Name: names.CAPinParameter(), Key: key, Region: region})
	release, err := config.ParseVersion(cfg.Auth.TeleportVersion)
	if err != nil {
		return nil, fmt.Errorf("auth stack: %w", err)
	}
	rollout := authstate.NewRollout(stack, "rollout", names.RolloutParameter(), release)
	store := storage.New(stack, "storage", &storage.Props{
		StateTable:       names.StateTable(),
		EventsTable:      eventsTable,
		LocksTable:       names.LocksTable(),
		RecordingsBucket: names.RecordingsBucket(),
		CertsBucket:      names.CertsBucket(),
		BackupsBucket:    names.BackupsBucket(),
		Key:              key,
		Region:           region,
		Protect:          cfg.Protected(),
	})
	// The audit log's durable store is a table, or the Athena bucket.
	tables, buckets := []*string{store.StateTableARN}, []*string{}
	if auditStore == nil {
		tables = append(tables, store.EventsTableARN)
	} else {
		buckets = append(buckets, auditStore)
	}
	buckets = append(buckets, store.Recordings.ARN)
	backups := stateBackup(stack, cfg, account.AccountId(), tables, buckets, key)

	net.AddGatewayEndpoints(&network.EndpointProps{Region: region, Name: names.Prefix("auth"), DynamoDB: store.EndpointPolicy(account.AccountId())})

	boot, err := teleportconfig.AuthUserData{
		Install: teleportconfig.Install{Version: cfg.Auth.TeleportVersion, Edition: cfg.Edition, Preinstalled: cfg.AMI.Source == config.AMISourceTeleport},
		Config: teleportconfig.AuthConfig(teleportconfig.AuthParams{
			ClusterName:          cfg.Domain,
			Region:               region,
			StateTable:           names.StateTable(),
			EventsTable:          eventsTable,
			AuditEventsURI:       auditURI,
			RecordingsBucket:     names.RecordingsBucket(),
			ProxyPeering:         cfg.ProxyPeering(),
			AgentConnectionCount: cfg.AgentConnectionCount,
			Enterprise:           cfg.Edition == config.EditionEnterprise,
		}),
		// The group is named like the cluster's other auth resources
		// (authcluster.Props.Name below).
		GroupName:        names.Prefix("auth"),
		LaunchHook:       names.AuthLaunchHook(),
		LicenseParameter: cfg.LicenseSSMParameter,
		JoinToken:        names.ProxyJoinToken(),
		CAPinParameter:   pin.Name,
		RolloutParameter: rollout.Name,
		AMIGeneration:    cfg.AMIGeneration(),
		ProxyRolesPath:   names.ProxyRolesPath(),
		ProxyRolePrefix:  names.ProxyRolePrefix(),
		Cert:             certificate(cfg),
		Telemetry:        tel.Params(),
	}.Render()
	if err != nil {
		return nil, fmt.Errorf("auth stack: %w", err)
	}

	auth := authcluster.New(stack, "auth", &authcluster.Props{
		Name:              names.Prefix("auth"),
		RoleName:          names.AuthRole(),
		LoadBalancerName:  names.AuthLoadBalancer(),
		Region:            region,
		AccountID:         account.AccountId(),
		Network:           net,
		Storage:           store,
		Instances:         cfg.Auth.Instances,
		Image:             cfg.ImageFor(region, cfg.Auth.Instances.Type, cfg.Auth.TeleportVersion),
		BootScript:        boot,
		LaunchHook:        instances.LaunchHook(names.AuthLaunchHook()),
		LicenseParameter:  cfg.LicenseSSMParameter,
		LicenseKeyARN:     cfg.LicenseKMSKeyARN,
		CAPinParameterARN: pinARN,
		ExtraPolicy: append(append(authcluster.CertificateRenewalStatements(store, hostedZoneID(stack, cfg), cfg.Domain),
			authstate.PublishStatement("PublishRolloutState", authstate.ARN(region, *account.AccountId(), rollout.Name)),
			authstate.ListStatement("ListProxyRoles", authstate.ARN(region, *account.AccountId(), names.ProxyRolesPath()))),
			append(auditPolicy, tel.Statements()...)...),
		AuditKeyServices:   auditServices,
		Key:                key,
		AutoScalingRoleARN: asgRole,
		// The state is exported before the first auth server of a new
		// release starts (Teleport's Backup and Restore guide: back up the
		// cluster state backend; upgrades run auth servers first).
		StartsAfter: []cdktf.ITerraformDependable{store.BackupStateBefore(cfg.Auth.TeleportVersion)},
	})

	regional, healthCheckTopic := authAlerts(stack, cfg, account.AccountId(), key, auth, backups)
	tel.Alarms(stack, "alarm-auth-telemetry", &telemetry.AlarmProps{Name: names.Alarm("auth"), Topic: regional})
	natAlarms(stack, regional, net, func(zone string) string { return names.Alarm("auth-nat-" + zone) }, region)

	tgw, err := newGateway(stack, cfg, names.Prefix("auth"), region, true, net, net.PrivateSubnetIDs)
	if err != nil {
		return nil, fmt.Errorf("auth stack: %w", err)
	}
	if tgw != nil {
		output(stack, "transit-gateway-id", "Transit gateway of the auth VPC", tgw.ID)
	}

	zone := privatezone.New(stack, "auth-zone", &privatezone.Props{
		Name: names.AuthZone(), RecordName: names.AuthAddress(), VPCID: net.VPCID, Region: region,
		TargetDNSName: auth.LoadBalancer.DNSName, TargetZoneID: auth.LoadBalancer.ZoneID,
	})
	output(stack, "auth-nlb-dns-name", "Internal address of the Auth Service (port 3025), reachable from peered proxy VPCs", auth.LoadBalancerDNSName)
	output(stack, "vpc-id", "Auth VPC", net.VPCID)
	output(stack, "vpc-cidr", "Auth VPC range", net.CIDR)
	output(stack, "recordings-bucket", "Session recordings (records/ prefix)", store.Recordings.Name)
	output(stack, "certs-bucket", "TLS certificate for the proxies", store.Certs.Name)
	return &AuthStack{Stack: stack, Network: net, Storage: store, Auth: auth, Key: key, BootScript: boot, AuthZone: zone,
		AutoScalingRoleARN: asgRole, TransitGateway: tgw, HealthCheckTopic: healthCheckTopic, Backup: backups, Telemetry: tel}, nil
}

// athenaProps names the Athena audit backend of the auth region, or is nil
// when the audit log is in DynamoDB.
func athenaProps(cfg *config.Cluster, region string, account *string) *athenaaudit.Props {
	if !cfg.Athena() {
		return nil
	}
	n := cfg.Names()
	return &athenaaudit.Props{
		Region: region, AccountID: account,
		EventsBucket: n.AthenaEventsBucket(), LargeEventsBucket: n.AthenaLargeEventsBucket(), ResultsBucket: n.AthenaResultsBucket(),
		Topic: n.AthenaTopic(), Queue: n.AthenaQueue(), DeadLetterQueue: n.AthenaDeadLetterQueue(),
		Database: n.AthenaDatabase(), Table: n.AthenaTable(), Workgroup: n.AthenaWorkgroup(),
		Protect: cfg.Protected(),
	}
}

// flowLogGroupARNs is the flow log group the stack's key admits
// CloudWatch Logs for: none when the VPC has no flow log.
func flowLogGroupARNs(existing *config.ExistingVPC, region, account, group string) []string {
	if !existing.FlowLogsOn() {
		return nil
	}
	return []string{flowlogs.LogGroupARN(region, account, group)}
}

// givenNetwork describes an existing VPC to the network construct, or is
// nil when the stack creates its VPC. publicInstances is true when the
// instances live in the public subnets (proxies with public peering).
func givenNetwork(e *config.ExistingVPC, publicInstances bool) *network.Given {
	if e == nil {
		return nil
	}
	return &network.Given{
		VPCID:                 e.VPCID,
		PrivateSubnetIDs:      e.PrivateSubnetIDs,
		PublicSubnetIDs:       e.PublicSubnetIDs,
		InstanceRouteTableIDs: e.InstanceRouteTableIDs(publicInstances),
	}
}

// instanceTelemetry creates the log groups where role's instances in region
// ship their logs and metrics, encrypted with the stack's key.
func instanceTelemetry(stack cdktf.TerraformStack, cfg *config.Cluster, role, region string, account, keyARN *string) *telemetry.Telemetry {
	names := cfg.Names()
	return telemetry.New(stack, role+"-telemetry", &telemetry.Props{
		Cluster: names.Cluster(), Role: role, Region: region, AccountID: account, KeyARN: keyARN,
		LogGroup: names.InstanceLogGroup(role), MetricsLogGroup: names.MetricsLogGroup(role), RetentionDays: cfg.Logs.RetentionDays,
	})
}

// flowLogs adds the flow logs of a stack's VPC, encrypted with the stack's key.
func flowLogs(stack constructs.Construct, cfg *config.Cluster, net *network.Network, vpc, roleName, region string, account, keyARN *string) {
	flowlogs.New(stack, "flow-logs", &flowlogs.Props{
		VPCID:         net.VPCID,
		Name:          cfg.Names().Prefix(vpc + "-flow-logs"),
		LogGroupName:  cfg.Names().FlowLogGroup(vpc),
		RoleName:      roleName,
		Region:        region,
		AccountID:     account,
		KeyARN:        keyARN,
		TrafficType:   cfg.FlowLogs.TrafficType,
		RetentionDays: cfg.FlowLogs.RetentionDays,
	})
}

// stateBackup backs up the state table, the audit log (the events table,
// or the Athena events bucket) and the recordings
// (package backup), copying every recovery point to backup.copy_region
// when it is set, through a provider of that region.
func stateBackup(stack cdktf.TerraformStack, cfg *config.Cluster, account *string, tables, buckets []*string, key *kmskey.Key) *backup.Backup {
	names := cfg.Names()
	var copyProvider cdktf.TerraformProvider
	if r := cfg.Backup.CopyRegion; r != "" {
		copyProvider = newProvider(stack, "aws-backup-copy", cfg, r, "backup-copy")
	}
	return backup.New(stack, "backup", &backup.Props{
		Name:          names.BackupVault(),
		RoleName:      names.BackupRole(),
		KeyAlias:      names.BackupKeyAlias(),
		AccountID:     account,
		Region:        cfg.Auth.Region,
		RetentionDays: cfg.Backup.RetentionDays,
		Tables:        tables,
		Buckets:       buckets,
		SourceKey:     key,
		CopyRegion:    cfg.Backup.CopyRegion,
		CopyProvider:  copyProvider,
		Protect:       cfg.Protected(),
	})
}
