// Package instances provides the Auto Scaling group construct shared by the
// Auth and Proxy Services: an IAM role and instance profile, a launch template
// (IMDSv2 only, root volume encrypted with a customer managed key, boot
// script) and the group itself,
// spread over the given subnets and registered with load balancer target
// groups.
//
// Every group uses EC2 health checks: the load balancers' /readyz checks
// only route traffic. Teleport's /readyz turns 503 as soon as one heartbeat
// to the Auth Service fails and stays so for about a minute after it
// recovers (Teleport "Health Monitoring" guide; lib/service/state.go), so
// ELB health checks would replace every proxy of every region during any
// auth or DynamoDB hiccup longer than the target group's ~30 s; Teleport's
// own examples/aws/terraform/ha-autoscale-cluster uses EC2 checks too. An
// instance whose Teleport is really dead is replaced by its own watchdog
// (/healthz failing for minutes, see package teleportconfig), which marks
// it Unhealthy with autoscaling:SetInstanceHealth on its own group only.
//
// Every role may run the Session Manager agent and nothing more of Systems
// Manager: operators reach instances with aws ssm start-session, with no
// key pair and no inbound rule (docs/first-deploy.md: Day 0).
package instances

import (
	"fmt"
	"sort"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/autoscalinggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/autoscalinglifecyclehook"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iaminstanceprofile"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/launchtemplate"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configures a Group.
type Props struct {
	// Name names the group, its launch template and its instances.
	Name string
	// RoleName names the IAM role and instance profile (IAM names are global).
	RoleName string
	// Region and AccountID locate the group's ARN, to which the role's Auto
	// Scaling actions (its own health, its own lifecycle actions) are
	// limited.
	Region    string
	AccountID *string
	// MetricNamespace is the only CloudWatch namespace the instances may
	// publish metrics to.
	MetricNamespace string
	// InstanceType, Count and VolumeSizeGiB size the group. The group keeps
	// Count instances; during instance refreshes and replacements it may
	// grow to twice that (each new instance launches before an old one is
	// terminated), unless NoSurge is set (see RefreshPercentages).
	InstanceType  string
	Count         int
	VolumeSizeGiB int
	// NoSurge keeps the group at Count instances or fewer at every moment:
	// its maximum size is Count, and instance refreshes and replacements
	// terminate an instance before launching the next, one at a time (see
	// RefreshPercentages).
	NoSurge bool
	// Image says where the AMI comes from (a pinned id, an SSM parameter or
	// Teleport's published image) and which architecture it must have.
	Image config.Image
	// SubnetIDs are the subnets to spread over, one per availability zone.
	SubnetIDs []*string
	// Zones are the zones of SubnetIDs, where InstanceType must be offered
	// (checked at plan time, see checkOffered).
	Zones []network.Zone
	// SecurityGroupIDs are attached to every instance.
	SecurityGroupIDs []*string
	// UserDataBase64 is the boot script, already base64-encoded.
	UserDataBase64 string
	// TargetGroupARNs register the instances with load balancers; the group
	// then replaces instances that fail the load balancer health check.
	TargetGroupARNs []*string
	// PublicIP gives each instance a public IPv4 address.
	PublicIP bool
	// InstanceTags are added to the instances and exposed to them through
	// the metadata service (how values known only after another stack is
	// applied reach the boot script).
	InstanceTags map[string]*string
	// Policy is the role's only permissions.
	Policy []policy.Statement
	// VolumeKeyARN is the customer managed KMS key encrypting the root
	// volumes. Optional: without it the account's default EBS key is used.
	VolumeKeyARN *string
	// AutoScalingRoleARN is the service-linked role the group launches
	// instances with; the volume key's policy must grant it the key.
	// Optional: without it the account's default Auto Scaling role is used.
	AutoScalingRoleARN *string
	// LaunchHook, when set, is a launch lifecycle hook that holds every new
	// instance in Pending:Wait until its boot script completes the action
	// (or the hook times out and the instance is abandoned). Waiting there,
	// an instance is not yet subject to health checks, so the group does
	// not replace it, and an instance refresh waits for it.
	LaunchHook *Hook
	// LaunchTemplateDependsOn are resources a new launch template version
	// (a new release, a new boot script) waits for, e.g. a backup that must
	// exist before the first instance of a new release starts.
	LaunchTemplateDependsOn []cdktf.ITerraformDependable
	// TerminationHook, when set, is a termination lifecycle hook that holds
	// every instance being terminated (scale-in, instance refresh,
	// replacement) in Terminating:Wait until the instance completes the
	// action, or the heartbeat timeout passes; either way the termination
	// then continues (DefaultResult CONTINUE: a termination hook cannot
	// keep an instance, only delay it).
	TerminationHook *Hook
	// WaitForHealthyOnCreate makes the apply that creates the group wait,
	// up to CreateWaitTimeout, until Count instances are InService and
	// healthy in every target group (min_elb_capacity), so that whatever
	// deploys after this stack (the DNS stack's records) finds serving
	// instances. Later applies never wait for load balancer health, and
	// wait for Count InService instances only when the count changes.
	WaitForHealthyOnCreate bool
}

// CreateWaitTimeout bounds the wait of WaitForHealthyOnCreate: a new proxy
// boots, installs Teleport, waits in its launch hook for the auth servers'
// CA pin (on a new cluster: their boot and first certificate) and passes 3
// health checks 10 s apart. A timeout fails the apply and taints the group
// (terraform untaint it once the proxies are healthy; docs/first-deploy.md:
// Deploy order).
const CreateWaitTimeout = "30m"

// Hook is a lifecycle hook created with the group.
type Hook struct {
	// Name names the hook; the instance completes it by name.
	Name string
	// HeartbeatTimeoutSeconds is how long the instance may wait without a
	// heartbeat; the whole wait is limited to 100 times that, at most 48 h
	// ("Amazon EC2 Auto Scaling lifecycle hooks", Auto Scaling user guide:
	// RecordLifecycleActionHeartbeat, CompleteLifecycleAction).
	HeartbeatTimeoutSeconds int
}

// LaunchHook is a group's launch hook named name: 15 minutes between
// heartbeats (the boot scripts send one a minute while they wait), so at
// most 25 hours in all (100 times that).
func LaunchHook(name string) *Hook { return &Hook{Name: name, HeartbeatTimeoutSeconds: 900} }

// Group is the Auto Scaling group and its role.
type Group struct {
	constructs.Construct
	// RoleARN and RoleName identify the instances' IAM role.
	RoleARN, RoleName *string
	// Name is the Auto Scaling group name.
	Name *string
	// Resource is the group itself, for depends_on.
	Resource cdktf.ITerraformDependable

	asg                    autoscalinggroup.AutoscalingGroup
	minHealthy, maxHealthy int
}

// New creates the role, launch template and Auto Scaling group.
func New(scope constructs.Construct, id string, props *Props) *Group {
	c := constructs.NewConstruct(scope, jsii.String(id))

	assume := policy.Document(c, "assume-role", policy.Statement{
		Sid:        "EC2AssumesRole",
		Actions:    []string{"sts:AssumeRole"},
		Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("ec2.amazonaws.com")}}},
	})
	role := iamrole.NewIamRole(c, jsii.String("role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(props.RoleName),
		AssumeRolePolicy: assume.Json(),
	})
	perms := policy.Document(c, "permissions", append(ownStatements(props), props.Policy...)...)
	iamrolepolicy.NewIamRolePolicy(c, jsii.String("role-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String(props.RoleName),
		Role:   role.Id(),
		Policy: perms.Json(),
	})
	profile := iaminstanceprofile.NewIamInstanceProfile(c, jsii.String("profile"), &iaminstanceprofile.IamInstanceProfileConfig{
		Name: jsii.String(props.RoleName),
		Role: role.Name(),
	})

	image := machineImage(c, props.Image, props.InstanceType)
	checkOffered(c, props.Region, props.InstanceType, props.Zones)

	tags := map[string]*string{"Name": jsii.String(props.Name)}
	for k, v := range props.InstanceTags {
		tags[k] = v
	}
	var ltDeps *[]cdktf.ITerraformDependable
	if len(props.LaunchTemplateDependsOn) > 0 {
		ltDeps = &props.LaunchTemplateDependsOn
	}
	lt := launchtemplate.NewLaunchTemplate(c, jsii.String("launch-template"), &launchtemplate.LaunchTemplateConfig{
		DependsOn:            ltDeps,
		Name:                 jsii.String(props.Name),
		ImageId:              image,
		InstanceType:         jsii.String(props.InstanceType),
		UserData:             jsii.String(props.UserDataBase64),
		UpdateDefaultVersion: jsii.Bool(true),
		IamInstanceProfile:   &launchtemplate.LaunchTemplateIamInstanceProfile{Arn: profile.Arn()},
		MetadataOptions: &launchtemplate.LaunchTemplateMetadataOptions{
			HttpEndpoint: jsii.String("enabled"),
			HttpTokens:   jsii.String("required"),
			// One hop: nothing on the instance proxies metadata requests on.
			HttpPutResponseHopLimit: jsii.Number(1),
			InstanceMetadataTags:    jsii.String("enabled"),
		},
		BlockDeviceMappings: []launchtemplate.LaunchTemplateBlockDeviceMappings{{
			DeviceName: jsii.String("/dev/xvda"),
			Ebs: &launchtemplate.LaunchTemplateBlockDeviceMappingsEbs{
				VolumeSize:          jsii.Number(float64(props.VolumeSizeGiB)),
				VolumeType:          jsii.String("gp3"),
				Encrypted:           jsii.String("true"),
				KmsKeyId:            props.VolumeKeyARN,
				DeleteOnTermination: jsii.String("true"),
			},
		}},
		NetworkInterfaces: []launchtemplate.LaunchTemplateNetworkInterfaces{{
			DeviceIndex:              jsii.Number(0),
			AssociatePublicIpAddress: jsii.String(fmt.Sprint(props.PublicIP)),
			SecurityGroups:           &props.SecurityGroupIDs,
			DeleteOnTermination:      jsii.String("true"),
		}},
		Monitoring: &launchtemplate.LaunchTemplateMonitoring{Enabled: jsii.Bool(true)},
		TagSpecifications: []launchtemplate.LaunchTemplateTagSpecifications{
			{ResourceType: jsii.String("instance"), Tags: &tags},
			{ResourceType: jsii.String("volume"), Tags: &map[string]*string{"Name": jsii.String(props.Name)}},
		},
	})

	hooks := props.hooks()
	waitForCapacity := (*string)(nil)
	minELBCapacity := (*float64)(nil)
	if props.LaunchHook != nil {
		// Instances may wait on the hook for longer than Terraform's
		// default 10 minutes: do not block the apply on them.
		waitForCapacity = jsii.String("0")
	}
	var initialHooks interface{} // absent unless there is a hook
	if len(hooks) > 0 {
		initial := make([]autoscalinggroup.AutoscalingGroupInitialLifecycleHook, len(hooks))
		for i, h := range hooks {
			initial[i] = autoscalinggroup.AutoscalingGroupInitialLifecycleHook{
				Name: h.config.Name, LifecycleTransition: h.config.LifecycleTransition,
				HeartbeatTimeout: h.config.HeartbeatTimeout, DefaultResult: h.config.DefaultResult,
			}
		}
		initialHooks = initial
	}
	maxSize := 2 * props.Count
	if props.NoSurge {
		maxSize = props.Count
	}
	minHealthy, maxHealthy := RefreshPercentages(props.Count, props.NoSurge)
	if props.WaitForHealthyOnCreate {
		// AWS provider 5.88, internal/service/autoscaling/group.go: on
		// create it waits (if wait_for_capacity_timeout > 0) for
		// desired_capacity InService healthy instances and
		// min_elb_capacity of them healthy in every target group; on
		// update it waits only when desired_capacity or min_size change,
		// and then for load balancer health only with
		// wait_for_elb_capacity, which is left unset. So routine applies
		// (a new launch template version rolls by instance refresh, which
		// the provider starts and does not wait for) never block on
		// instances held in the launch hook.
		waitForCapacity = jsii.String(CreateWaitTimeout)
		minELBCapacity = jsii.Number(float64(props.Count))
	}
	asg := autoscalinggroup.NewAutoscalingGroup(c, jsii.String("group"), &autoscalinggroup.AutoscalingGroupConfig{
		// The hooks twice, on purpose. initial_lifecycle_hook is the only
		// form that holds the group's very first instances (a hook put
		// after CreateAutoScalingGroup misses the instances it launched),
		// but every attribute of it forces the replacement of the whole
		// group, every instance at once (AWS provider,
		// internal/service/autoscaling/group.go: ForceNew on the block and
		// each field). So it is read only when the group is created
		// (ignore_changes), and the aws_autoscaling_lifecycle_hook
		// resources below own the hooks from then on: PutLifecycleHook is
		// an upsert, and only their name forces a new hook
		// (internal/service/autoscaling/lifecycle_hook.go). A hook added
		// to an existing group (the auth launch hook of clusters older
		// than it) is created by its resource, without touching the
		// group.
		InitialLifecycleHook: initialHooks,
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			IgnoreChanges: &[]*string{jsii.String("initial_lifecycle_hook")},
		},
		WaitForCapacityTimeout: waitForCapacity,
		MinElbCapacity:         minELBCapacity,
		Name:                   jsii.String(props.Name),
		MinSize:                jsii.Number(float64(props.Count)),
		MaxSize:                jsii.Number(float64(maxSize)),
		DesiredCapacity:        jsii.Number(float64(props.Count)),
		VpcZoneIdentifier:      &props.SubnetIDs,
		TargetGroupArns:        &props.TargetGroupARNs,
		// EC2, never ELB: see the package comment.
		HealthCheckType:        jsii.String("EC2"),
		HealthCheckGracePeriod: jsii.Number(600),
		ServiceLinkedRoleArn:   props.AutoScalingRoleARN,
		LaunchTemplate: &autoscalinggroup.AutoscalingGroupLaunchTemplate{
			Id:      lt.Id(),
			Version: cdktf.Token_AsString(lt.LatestVersion(), nil),
		},
		// Replacements of unhealthy instances keep the same bounds as
		// refreshes.
		InstanceMaintenancePolicy: &autoscalinggroup.AutoscalingGroupInstanceMaintenancePolicy{
			MinHealthyPercentage: jsii.Number(float64(minHealthy)),
			MaxHealthyPercentage: jsii.Number(float64(maxHealthy)),
		},
		InstanceRefresh: refresh(minHealthy, maxHealthy, nil),
		Tag:             sortedTags(map[string]string{"Name": props.Name}),
	})
	for _, h := range hooks {
		h.config.AutoscalingGroupName = asg.Name()
		autoscalinglifecyclehook.NewAutoscalingLifecycleHook(c, jsii.String(h.id), &h.config)
	}
	return &Group{Construct: c, RoleARN: role.Arn(), RoleName: role.Name(), Name: asg.Name(), Resource: asg,
		asg: asg, minHealthy: minHealthy, maxHealthy: maxHealthy}
}

// refresh is the group's instance refresh: a new launch template version
// (new Teleport release, new boot script) rolls the group. A refresh that
// fails (an instance abandoned by its launch hook because Teleport never
// became ready, an instance that cannot launch) or during which one of
// alarms fires rolls back by itself: AWS replaces what it has deployed so
// far with the previous launch template version ("Undo changes with a
// manual or auto rollback", Auto Scaling user guide; rollback needs a
// numbered launch template version and an AMI id, not $Latest or an SSM
// alias, which is what New writes; the provider sends the launch template
// as the refresh's desired configuration). The group then runs the
// previous version while Terraform's state names the new one, so the next
// plan shows the group's launch_template as a change: the rollout to
// retry, once its cause is fixed.
func refresh(minHealthy, maxHealthy int, alarms []*string) *autoscalinggroup.AutoscalingGroupInstanceRefresh {
	prefs := &autoscalinggroup.AutoscalingGroupInstanceRefreshPreferences{
		MinHealthyPercentage: jsii.Number(float64(minHealthy)),
		MaxHealthyPercentage: jsii.Number(float64(maxHealthy)),
		InstanceWarmup:       jsii.String("300"),
		AutoRollback:         jsii.Bool(true),
	}
	if len(alarms) > 0 {
		prefs.AlarmSpecification = &autoscalinggroup.AutoscalingGroupInstanceRefreshPreferencesAlarmSpecification{Alarms: &alarms}
	}
	return &autoscalinggroup.AutoscalingGroupInstanceRefresh{Strategy: jsii.String("Rolling"), Preferences: prefs}
}

// MaxRollbackAlarms is how many alarms an instance refresh may watch
// (AlarmSpecification, Auto Scaling API reference: up to 10).
const MaxRollbackAlarms = 10

// RollBackOn makes the group's instance refreshes fail, and roll back, when
// one of the alarms fires while they run: the alarms that mean "this
// release is bad" (no healthy target, fewer than the count, a boot that
// failed). Only alarms that a healthy refresh never trips belong here: an
// alarm already firing when a refresh starts fails it at once. Referencing
// the alarms' names orders them before the group.
func (g *Group) RollBackOn(alarmNames ...*string) {
	if len(alarmNames) > MaxRollbackAlarms {
		panic(fmt.Sprintf("instances: %d rollback alarms, at most %d", len(alarmNames), MaxRollbackAlarms))
	}
	g.asg.PutInstanceRefresh(refresh(g.minHealthy, g.maxHealthy, alarmNames))
}

// hook is one lifecycle hook: its construct id and its settings without the
// group name.
type hook struct {
	id     string
	config autoscalinglifecyclehook.AutoscalingLifecycleHookConfig
}

// hooks are the group's lifecycle hooks. A launch hook's instance that
// never completes the action (its Teleport never became ready, its boot
// died) is terminated (ABANDON); a termination hook can only delay the
// termination (CONTINUE).
func (p *Props) hooks() []hook {
	var out []hook
	for _, h := range []struct {
		id, transition, result string
		hook                   *Hook
	}{
		{"launch-hook", "autoscaling:EC2_INSTANCE_LAUNCHING", "ABANDON", p.LaunchHook},
		{"termination-hook", "autoscaling:EC2_INSTANCE_TERMINATING", "CONTINUE", p.TerminationHook},
	} {
		if h.hook == nil {
			continue
		}
		out = append(out, hook{h.id, autoscalinglifecyclehook.AutoscalingLifecycleHookConfig{
			Name:                jsii.String(h.hook.Name),
			LifecycleTransition: jsii.String(h.transition),
			HeartbeatTimeout:    jsii.Number(float64(h.hook.HeartbeatTimeoutSeconds)),
			DefaultResult:       jsii.String(h.result),
		}})
	}
	return out
}

// RefreshPercentages are the minimum and maximum healthy percentages of a
// group's instance refreshes and replacements ("Instance maintenance
// policies" and "How an instance refresh works", Auto Scaling user guide:
// both are percentages of the desired capacity; the group stays between
// them while it replaces instances; the maximum is 100 to 200 and at most
// 100 above the minimum).
//
// With surge (the default), 100/200: every replacement launches first and the group keeps
// its capacity (up to twice Count for a moment). With noSurge, the maximum
// is 100 (never more than Count instances) and the minimum leaves room for
// exactly one instance out of service: with Count 2, 50/100 terminates one,
// launches its replacement, waits for it, then does the other; with Count
// 1, 0/100.
func RefreshPercentages(count int, noSurge bool) (minHealthy, maxHealthy int) {
	if !noSurge {
		return 100, 200
	}
	return 100 * (count - 1) / count, 100
}

// GroupARN is the ARN pattern of the Auto Scaling group name in region and
// account (the group's id is generated: "arn:aws:autoscaling:region:account:
// autoScalingGroup:<uuid>:autoScalingGroupName/<name>", Service Authorization
// Reference, Amazon EC2 Auto Scaling, resource type autoScalingGroup).
func GroupARN(region, account, name string) string {
	return "arn:aws:autoscaling:" + region + ":" + account + ":autoScalingGroup:*:autoScalingGroupName/" + name
}

// SessionManagerActions are the only Systems Manager actions an instance
// role gets: what the SSM agent needs for Session Manager sessions ("Create
// a custom IAM role for Session Manager", Systems Manager user guide:
// ssm:UpdateInstanceInformation and the four ssmmessages channel actions;
// ec2messages serves Run Command, not sessions). These actions have no
// resource-level permissions that name the instance in advance, so the
// guide grants them on "*"; AmazonSSMManagedInstanceCore is not used: it
// also grants ssm:GetParameter(s) on every parameter, the license included.
var SessionManagerActions = []string{
	"ssm:UpdateInstanceInformation",
	"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
	"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
}

// ownStatements are what every instance needs of the group it belongs to:
// the Session Manager agent, its own health (the watchdog), and its own
// lifecycle actions when the group has hooks. The Auto Scaling actions
// support the autoScalingGroup resource type, so they are limited to this
// group's ARN.
func ownStatements(p *Props) []policy.Statement {
	group := jsii.String(GroupARN(p.Region, *p.AccountID, p.Name))
	out := []policy.Statement{
		{Sid: "SessionManagerAgent", Actions: SessionManagerActions, Resources: []*string{jsii.String("*")}},
		{Sid: "ReportOwnHealth", Actions: []string{"autoscaling:SetInstanceHealth"}, Resources: []*string{group}},
		// Boot waits and failures, certificates: PutMetricData has no
		// resource-level permission; the namespace condition is what
		// limits it ("Using condition keys to limit access to CloudWatch
		// namespaces", CloudWatch user guide).
		{Sid: "PublishMetrics", Actions: []string{"cloudwatch:PutMetricData"}, Resources: []*string{jsii.String("*")},
			Conditions: []policy.Condition{{Test: "StringEquals", Variable: "cloudwatch:namespace", Values: []*string{jsii.String(p.MetricNamespace)}}}},
	}
	if p.LaunchHook != nil || p.TerminationHook != nil {
		out = append(out, policy.Statement{Sid: "CompleteOwnLifecycleActions",
			Actions:   []string{"autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"},
			Resources: []*string{group}})
	}
	return out
}

func sortedTags(m map[string]string) []autoscalinggroup.AutoscalingGroupTag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []autoscalinggroup.AutoscalingGroupTag
	for _, k := range keys {
		out = append(out, autoscalinggroup.AutoscalingGroupTag{
			Key: jsii.String(k), Value: jsii.String(m[k]), PropagateAtLaunch: jsii.Bool(true),
		})
	}
	return out
}
