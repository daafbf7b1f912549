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

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/example/teleport-multi-region/constructs/policy"
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

// Props configures an alarm.
type Props struct {
	// Name is the alarm name, unique in the region; Description says what
	// failed and what to do (README: Alarms).
	Name, Description string
	Metric            Metric
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

// New creates the alarm.
func New(scope constructs.Construct, id string, props *Props) {
	op := "GreaterThanThreshold"
	if props.Below {
		op = "LessThanThreshold"
	}
	missing := "notBreaching"
	if props.MissingIsBreaching {
		missing = "breaching"
	}
	dims := props.Metric.Dimensions
	actions := &[]*string{props.Topic.ARN}
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(scope, jsii.String(id), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		Provider:           props.Provider,
		AlarmName:          jsii.String(props.Name),
		AlarmDescription:   jsii.String(props.Description),
		Namespace:          jsii.String(props.Metric.Namespace),
		MetricName:         jsii.String(props.Metric.Name),
		Dimensions:         &dims,
		Statistic:          jsii.String(props.Metric.Statistic),
		Period:             jsii.Number(float64(props.Metric.PeriodSeconds)),
		EvaluationPeriods:  jsii.Number(float64(props.Periods)),
		DatapointsToAlarm:  jsii.Number(float64(props.Periods)),
		ComparisonOperator: jsii.String(op),
		Threshold:          jsii.Number(props.Threshold),
		TreatMissingData:   jsii.String(missing),
		AlarmActions:       actions,
		OkActions:          actions,
	})
}

// Describe formats an alarm description: what it means, what to do.
func Describe(what, todo string) string {
	return fmt.Sprintf("%s. What to do: %s (README: Alarms).", what, todo)
}
