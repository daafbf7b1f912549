// Package alarms provides what tells an operator that a region is failing
// before the users do: a KMS-encrypted SNS topic per region that has alarms,
// optionally subscribed by e-mail, and CloudWatch metric alarms that notify
// it when they fire and when they recover.
//
// CloudWatch publishes to an encrypted topic as the service principal
// cloudwatch.amazonaws.com, so the topic's key must let that principal use
// it for this topic (the key's policy names the topic in the encryption
// context kms:EncryptionContext:aws:sns:topicArn; see package kmskey), and
// the topic policy admits it for alarms of this account only.
package alarms

import (
	"fmt"
	"sort"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// TopicARN is the ARN of the topic name in region and account: known at
// synth time, so that the key policy can name it before the topic exists.
func TopicARN(region, accountID, name string) string {
	return "arn:aws:sns:" + region + ":" + accountID + ":" + name
}

// TopicProps configures a Topic.
type TopicProps struct {
	// Name is the topic name, unique in its region.
	Name string
	// Region and AccountID locate the topic.
	Region    string
	AccountID *string
	// KeyARN encrypts the topic; its policy must admit CloudWatch for it.
	KeyARN *string
	// Email, when set, is subscribed (the address must confirm).
	Email string
	// Provider manages the topic in another region; nil is the default.
	Provider cdktf.TerraformProvider
}

// Topic is an encrypted alarm topic.
type Topic struct {
	constructs.Construct
	// ARN is what alarm actions name.
	ARN *string
}

// NewTopic creates the topic, its policy and the optional subscription.
func NewTopic(scope constructs.Construct, id string, props *TopicProps) *Topic {
	c := constructs.NewConstruct(scope, jsii.String(id))
	topic := snstopic.NewSnsTopic(c, jsii.String("topic"), &snstopic.SnsTopicConfig{
		Provider:       props.Provider,
		Name:           jsii.String(props.Name),
		KmsMasterKeyId: props.KeyARN,
	})
	arn := TopicARN(props.Region, *props.AccountID, props.Name)
	doc := policy.Document(c, "topic-policy", policy.Statement{
		Sid:        "EventBridgeRulesPublish",
		Actions:    []string{"sns:Publish"},
		Resources:  []*string{jsii.String(arn)},
		Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("events.amazonaws.com")}}},
		Conditions: []policy.Condition{
			{Test: "StringEquals", Variable: "aws:SourceAccount", Values: []*string{props.AccountID}},
			{Test: "ArnLike", Variable: "aws:SourceArn", Values: []*string{jsii.String("arn:aws:events:" + props.Region + ":" + *props.AccountID + ":rule/*")}},
		},
	}, policy.Statement{
		Sid:        "CloudWatchAlarmsPublish",
		Actions:    []string{"sns:Publish"},
		Resources:  []*string{jsii.String(arn)},
		Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("cloudwatch.amazonaws.com")}}},
		Conditions: []policy.Condition{
			{Test: "StringEquals", Variable: "aws:SourceAccount", Values: []*string{props.AccountID}},
			{Test: "ArnLike", Variable: "aws:SourceArn", Values: []*string{jsii.String("arn:aws:cloudwatch:" + props.Region + ":" + *props.AccountID + ":alarm:*")}},
		},
	})
	snstopicpolicy.NewSnsTopicPolicy(c, jsii.String("policy"), &snstopicpolicy.SnsTopicPolicyConfig{
		Provider: props.Provider,
		Arn:      topic.Arn(),
		Policy:   doc.Json(),
	})
	if props.Email != "" {
		snstopicsubscription.NewSnsTopicSubscription(c, jsii.String("email"), &snstopicsubscription.SnsTopicSubscriptionConfig{
			Provider: props.Provider,
			TopicArn: topic.Arn(),
			Protocol: jsii.String("email"),
			Endpoint: jsii.String(props.Email),
		})
	}
	return &Topic{Construct: c, ARN: topic.Arn()}
}

// Metric names one CloudWatch metric.
type Metric struct {
	Namespace, Name string
	Dimensions      map[string]*string
	// Statistic is Minimum, Maximum, Sum, Average or SampleCount.
	Statistic string
	// PeriodSeconds is the length of one data point.
	PeriodSeconds int
}

// Math is a metric math expression over metrics ("Create a CloudWatch
// alarm based on a metric math expression", CloudWatch user guide): the
// alarm watches its result, one value per period of its metrics.
type Math struct {
	// Expression names its inputs by their ids in Metrics.
	Expression string
	// Label names the result on the alarm's graph.
	Label string
	// Metrics are the inputs by id (ids start with a lower-case letter).
	Metrics map[string]Metric
}

// mathResultID is the id of the expression's own query: ids of inputs
// must differ from it.
const mathResultID = "result"

// Props configures an alarm.
type Props struct {
	// Name is the alarm name, unique in the region; Description says what
	// failed and what to do (docs/operations.md: Alarms).
	Name, Description string
	// Metric is what the alarm watches, unless Math is set.
	Metric Metric
	// Math, when set, is watched instead of Metric.
	Math *Math
	// Below fires when the statistic is below Threshold, else above it.
	Below     bool
	Threshold float64
	// Periods is how many consecutive data points must breach.
	Periods int
	// MissingIsBreaching treats missing data as a failure (a metric that
	// stops arriving means the thing that reports it is down).
	MissingIsBreaching bool
	// Topic is notified when the alarm fires and when it recovers.
	Topic *Topic
	// Provider manages the alarm in another region; nil is the default.
	Provider cdktf.TerraformProvider
}

// New creates the alarm and returns its name, as a reference (what refers
// to it is ordered after it).
func New(scope constructs.Construct, id string, props *Props) *string {
	op := "GreaterThanThreshold"
	if props.Below {
		op = "LessThanThreshold"
	}
	missing := "notBreaching"
	if props.MissingIsBreaching {
		missing = "breaching"
	}
	actions := &[]*string{props.Topic.ARN}
	cfg := &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		Provider:           props.Provider,
		AlarmName:          jsii.String(props.Name),
		AlarmDescription:   jsii.String(props.Description),
		EvaluationPeriods:  jsii.Number(float64(props.Periods)),
		DatapointsToAlarm:  jsii.Number(float64(props.Periods)),
		ComparisonOperator: jsii.String(op),
		Threshold:          jsii.Number(props.Threshold),
		TreatMissingData:   jsii.String(missing),
		AlarmActions:       actions,
		OkActions:          actions,
	}
	if props.Math != nil {
		cfg.MetricQuery = props.Math.queries()
	} else {
		dims := props.Metric.Dimensions
		cfg.Namespace = jsii.String(props.Metric.Namespace)
		cfg.MetricName = jsii.String(props.Metric.Name)
		cfg.Dimensions = &dims
		cfg.Statistic = jsii.String(props.Metric.Statistic)
		cfg.Period = jsii.Number(float64(props.Metric.PeriodSeconds))
	}
	return cloudwatchmetricalarm.NewCloudwatchMetricAlarm(scope, jsii.String(id), cfg).AlarmName()
}

// queries are the alarm's metric_query blocks: each input, not returned,
// in id order (synth is deterministic), then the expression, the one
// result the alarm evaluates.
func (m *Math) queries() []*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery {
	ids := make([]string, 0, len(m.Metrics))
	for id := range m.Metrics {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery
	for _, id := range ids {
		in := m.Metrics[id]
		dims := in.Dimensions
		out = append(out, &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			Id:         jsii.String(id),
			ReturnData: jsii.Bool(false),
			Metric: &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQueryMetric{
				Namespace: jsii.String(in.Namespace), MetricName: jsii.String(in.Name), Dimensions: &dims,
				Stat: jsii.String(in.Statistic), Period: jsii.Number(float64(in.PeriodSeconds)),
			},
		})
	}
	return append(out, &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
		Id: jsii.String(mathResultID), Expression: jsii.String(m.Expression), Label: jsii.String(m.Label), ReturnData: jsii.Bool(true),
	})
}

// Settings are the alarm's evaluation settings, for the triggers of a Route
// 53 health check that watches it: Route 53 copies an alarm's configuration
// when the check is created or updated with it, so the check must be
// updated when they change. Dimensions are left out: they name the watched
// resource, whose change the check's own arguments follow.
func (p *Props) Settings() map[string]*string {
	return map[string]*string{
		"metric":    jsii.String(p.Metric.Namespace + "/" + p.Metric.Name + "/" + p.Metric.Statistic),
		"period":    jsii.String(fmt.Sprint(p.Metric.PeriodSeconds)),
		"periods":   jsii.String(fmt.Sprint(p.Periods)),
		"threshold": jsii.String(fmt.Sprint(p.Threshold)),
		"below":     jsii.String(fmt.Sprint(p.Below)),
		"missing":   jsii.String(fmt.Sprint(p.MissingIsBreaching)),
	}
}

// KeyStateProps configures a KeyStateRule.
type KeyStateProps struct {
	// Name names the rule, unique in the region.
	Name string
	// KeyARN is the key watched.
	KeyARN *string
	// Topic is notified; its key must admit events.amazonaws.com (see
	// package kmskey).
	Topic *Topic
}

// KeyStateRule notifies Topic when someone disables the key or schedules
// its deletion: an EventBridge rule on KMS's DisableKey and
// ScheduleKeyDeletion calls as CloudTrail records them ("Monitoring AWS
// KMS keys with Amazon EventBridge" and "AWS API Call via CloudTrail"
// events, EventBridge user guide), matched on the key's ARN in the
// record's resources. CloudWatch has no metric for this: KMS's
// SecondsUntilKeyMaterialExpiration is for imported key material only.
// EventBridge receives these events only from a CloudTrail trail logging
// write management events in the key's region (an organization trail
// counts); docs/first-deploy.md says so.
func KeyStateRule(scope constructs.Construct, id string, props *KeyStateProps) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	pattern := cdktf.Fn_Jsonencode(map[string]any{
		"source":      []string{"aws.kms"},
		"detail-type": []string{"AWS API Call via CloudTrail"},
		"detail": map[string]any{
			"eventSource": []string{"kms.amazonaws.com"},
			"eventName":   []string{"DisableKey", "ScheduleKeyDeletion"},
			"resources":   map[string]any{"ARN": []*string{props.KeyARN}},
		},
	})
	rule := cloudwatcheventrule.NewCloudwatchEventRule(c, jsii.String("rule"), &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name:         jsii.String(props.Name),
		Description:  jsii.String(Describe("The cluster key was disabled or scheduled for deletion: every table, bucket and volume it encrypts becomes unreadable", "cancel the deletion (aws kms cancel-key-deletion, then enable-key) within its waiting period, or enable the key (aws kms enable-key)")),
		EventPattern: pattern,
	})
	cloudwatcheventtarget.NewCloudwatchEventTarget(c, jsii.String("target"), &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule: rule.Name(),
		Arn:  props.Topic.ARN,
	})
}

// BackupJobProps configures BackupJobsRule.
type BackupJobProps struct {
	// Name names the rule, unique in the region.
	Name string
	// Topic is notified; its key must admit events.amazonaws.com (see
	// package kmskey).
	Topic *Topic
}

// BackupJobsRule notifies Topic when an AWS Backup job or copy job of the
// region ends without a recovery point: an EventBridge rule on the "Backup
// Job State Change" and "Copy Job State Change" events AWS Backup sends
// directly (no CloudTrail trail needed) with state FAILED, ABORTED or
// EXPIRED ("Monitoring AWS Backup events using Amazon EventBridge", AWS
// Backup developer guide; "AWS Backup events", EventBridge events
// reference). A copy job is reported in the region that starts it, the
// source vault's. The events do not name the backup plan, so in an account
// that runs other backups in the region their failures come too.
func BackupJobsRule(scope constructs.Construct, id string, props *BackupJobProps) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	pattern := cdktf.Fn_Jsonencode(map[string]any{
		"source":      []string{"aws.backup"},
		"detail-type": []string{"Backup Job State Change", "Copy Job State Change"},
		"detail":      map[string]any{"state": []string{"FAILED", "ABORTED", "EXPIRED"}},
	})
	rule := cloudwatcheventrule.NewCloudwatchEventRule(c, jsii.String("rule"), &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name: jsii.String(props.Name),
		Description: jsii.String(Describe("An AWS Backup job or copy job of the cluster state ended without a recovery point",
			"aws backup list-backup-jobs --by-state FAILED (and list-copy-jobs) says why; for a copy of DynamoDB, the account's advanced DynamoDB backup setting must be on")),
		EventPattern: pattern,
	})
	cloudwatcheventtarget.NewCloudwatchEventTarget(c, jsii.String("target"), &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule: rule.Name(),
		Arn:  props.Topic.ARN,
	})
}

// NoBackupProps configures NoBackup.
type NoBackupProps struct {
	// Name names the alarm.
	Name string
	// Vault and ResourceType say whose backups: the plan's vault, AWS
	// Backup's name of the type (DynamoDB, S3).
	Vault, ResourceType string
	// Metric counts the completed backup jobs (package backup), hourly.
	Metric Metric
	// Hours is how long without one before the alarm fires.
	Hours int
	// Topic is notified.
	Topic *Topic
}

// NoBackup alarms when no backup job of Metric completed for Hours hours.
// AWS Backup publishes its job counts only while they are nonzero, so
// missing data is breaching: nothing happening (a plan or selection
// deleted, the resource type opted out of the region, jobs that never
// start) is what this alarm is for; failed jobs also notify through
// BackupJobsRule. A new cluster's alarm is on until its first backup
// completes (the next 05:00 UTC).
func NoBackup(scope constructs.Construct, id string, props *NoBackupProps) {
	New(scope, id, &Props{
		Name: props.Name,
		Description: Describe(fmt.Sprintf("No backup job of the cluster's %s resources completed into the vault %s in %d hours", props.ResourceType, props.Vault, props.Hours),
			"aws backup list-backup-jobs --by-backup-vault-name "+props.Vault+" --by-resource-type "+props.ResourceType+" says which jobs ran and why they ended; a new cluster's alarm is on until its first daily backup completes; check the plan's selection and the region's opt-in (aws backup describe-region-settings)"),
		Metric: props.Metric,
		Below:  true, Threshold: 1, Periods: props.Hours, MissingIsBreaching: true, Topic: props.Topic,
	})
}

// Describe formats an alarm description: what it means, what to do.
func Describe(what, todo string) string {
	return fmt.Sprintf("%s. What to do: %s (docs/operations.md: Alarms).", what, todo)
}

// InstanceProps configures InstanceAlarms.
type InstanceProps struct {
	// GroupName is the Auto Scaling group whose instances publish the
	// metrics (their AutoScalingGroupName dimension).
	GroupName string
	// Name prefixes the alarm names.
	Name string
	// ServedCertificate adds the alarm on the certificate the instances
	// serve (proxies).
	ServedCertificate bool
	// CertificateDays is the remaining validity below which the served
	// certificate alarm fires.
	CertificateDays float64
	// Topic is notified.
	Topic *Topic
	// Provider manages the alarms in another region; nil is the default.
	Provider cdktf.TerraformProvider
}

// BootWaitAlarmSeconds is how long an instance may wait at a boot gate
// (license, CA pin, auth release, certificate) before its alarm fires: a
// proxy waits for the whole auth refresh during an upgrade (about 10
// minutes per auth server), so half an hour means something is stuck.
const BootWaitAlarmSeconds = 1800

// InstanceAlarmNames are the names of a group's InstanceAlarms, as
// references.
type InstanceAlarmNames struct {
	// BootFailed fires when a boot step of an instance failed for good
	// (Teleport never became ready included).
	BootFailed *string
}

// InstanceAlarms are the alarms on what a group's instances publish
// (package teleportconfig): a boot that waits longer than
// BootWaitAlarmSeconds, a boot that failed, and, with ServedCertificate,
// the certificate served. Boot metrics exist only while instances wait or
// fail, so their missing data is not breaching; the served certificate is
// published by every running proxy every few minutes, so an hour without it
// is breaching (no proxy is running its certificate job).
func InstanceAlarms(scope constructs.Construct, id string, props *InstanceProps) InstanceAlarmNames {
	c := constructs.NewConstruct(scope, jsii.String(id))
	New(c, "boot-wait", &Props{
		Name: props.Name + "-boot-waiting",
		Description: Describe(fmt.Sprintf("An instance of %s has waited at a boot gate for more than %d minutes", props.GroupName, BootWaitAlarmSeconds/60),
			"the instance's boot stream in the role's log group says what it waits for (license, CA pin, auth release, certificate)"),
		Metric:    BootWait(props.GroupName),
		Threshold: BootWaitAlarmSeconds, Periods: 1, Topic: props.Topic, Provider: props.Provider,
	})
	names := InstanceAlarmNames{}
	names.BootFailed = New(c, "boot-failures", &Props{
		Name:        props.Name + "-boot-failed",
		Description: Describe("A boot step of an instance of "+props.GroupName+" failed for good", "the FAILED lines of the boot streams in the role's log group"),
		Metric:      BootFailures(props.GroupName),
		Threshold:   0, Periods: 1, Topic: props.Topic, Provider: props.Provider,
	})
	if !props.ServedCertificate {
		return names
	}
	New(c, "served-certificate", &Props{
		Name: props.Name + "-served-certificate-expiring",
		Description: Describe(fmt.Sprintf("A proxy of %s serves a certificate with less than %.0f days left, or no proxy reported for an hour", props.GroupName, props.CertificateDays),
			"the jobs streams (teleport-fetch-cert) of the proxies' log group: the published certificate, the certs bucket and its key; 0 days means the boot-time placeholder is still served"),
		Metric: ServedCertificateDays(props.GroupName),
		Below:  true, Threshold: props.CertificateDays, Periods: 1, MissingIsBreaching: true, Topic: props.Topic, Provider: props.Provider,
	})
	return names
}

// BootWait is the longest an instance of group has waited at a boot gate,
// in seconds, over five minutes (teleportconfig.BootWaitMetric).
func BootWait(group string) Metric {
	return Metric{Namespace: teleportconfig.MetricNamespace, Name: teleportconfig.BootWaitMetric, Statistic: "Maximum", PeriodSeconds: 300, Dimensions: groupDims(group)}
}

// BootFailures is the number of boot steps of group's instances that
// failed for good in five minutes (teleportconfig.BootFailuresMetric).
func BootFailures(group string) Metric {
	return Metric{Namespace: teleportconfig.MetricNamespace, Name: teleportconfig.BootFailuresMetric, Statistic: "Sum", PeriodSeconds: 300, Dimensions: groupDims(group)}
}

// ServedCertificateDays is the fewest days left on the certificate a proxy
// of group serves, hourly (teleportconfig.ServedCertificateDaysMetric).
func ServedCertificateDays(group string) Metric {
	return Metric{Namespace: teleportconfig.MetricNamespace, Name: teleportconfig.ServedCertificateDaysMetric, Statistic: "Minimum", PeriodSeconds: 3600, Dimensions: groupDims(group)}
}

// CertificateDays is the fewest days left on the certificate published for
// domain, hourly (teleportconfig.CertificateDaysMetric).
func CertificateDays(domain string) Metric {
	return Metric{Namespace: teleportconfig.MetricNamespace, Name: teleportconfig.CertificateDaysMetric, Statistic: "Minimum",
		PeriodSeconds: 3600, Dimensions: map[string]*string{"Domain": jsii.String(domain)}}
}

func groupDims(group string) map[string]*string {
	return map[string]*string{"AutoScalingGroupName": jsii.String(group)}
}

// CertificateProps configures PublishedCertificate.
type CertificateProps struct {
	// Name names the alarm.
	Name string
	// Domain is the certificate's name, the metric's Domain dimension.
	Domain string
	// Days is the remaining validity below which the alarm fires.
	Days float64
	// Topic is notified.
	Topic *Topic
}

// PublishedCertificate alarms on the certificate the renewal job publishes
// (teleportconfig.CertificateDaysMetric, reported by every run on the auth
// instances): less than Days left, or an hour without a report (the job
// stopped), which is breaching.
func PublishedCertificate(scope constructs.Construct, id string, props *CertificateProps) {
	New(scope, id, &Props{
		Name: props.Name,
		Description: Describe(fmt.Sprintf("The certificate of %s expires in less than %.0f days, or the renewal job stopped reporting", props.Domain, props.Days),
			"the jobs streams (teleport-renew-cert) of the auth log group: DNS delegation, CAA records, Let's Encrypt rate limits"),
		Metric: CertificateDays(props.Domain),
		Below:  true, Threshold: props.Days, Periods: 1, MissingIsBreaching: true, Topic: props.Topic,
	})
}
