// Package athenaaudit provides Teleport's Athena audit log backend as its
// Athena guide and gravitational/teleport examples/athena/athena.tf build
// it: the auth servers publish events to an SNS topic (events over 256 KB
// go to a large-events bucket first), an SQS queue subscribed to the topic
// (with a dead-letter queue) feeds the auth servers' batcher, which writes
// Parquet files by day to a long-term bucket, and Teleport searches them
// with Athena through a Glue table with partition projection, in a
// workgroup whose results go to a results bucket. Everything is encrypted
// with the cluster key.
package athenaaudit

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/athenaworkgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/gluecatalogdatabase"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/gluecatalogtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/storage"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Retention of the scratch data, in days: large events wait in their bucket
// until the batcher has written them to Parquet (minutes), or while their
// message waits in the dead-letter queue (DeadLetterRetentionSeconds);
// query results are read once, right after the query.
const (
	LargeEventsDays = 30
	ResultsDays     = 7
	// QueueRetentionSeconds is SQS's default (4 days); the dead-letter
	// queue keeps messages the maximum, 14 days, for an operator to
	// redrive.
	QueueRetentionSeconds      = 4 * 24 * 3600
	DeadLetterRetentionSeconds = 14 * 24 * 3600
	// MaxReceiveCount is how many times the batcher may fail on a message
	// before SQS moves it to the dead-letter queue.
	MaxReceiveCount = 10
	// KeyReuseSeconds is how long SQS reuses a data key (fewer KMS
	// calls), as Teleport's example sets it.
	KeyReuseSeconds = 300
)

// Props configures the backend. Names come from config.Names.
type Props struct {
	// Region and AccountID place the resources (ARNs and the queue URL are
	// predictable, so that teleport.yaml can be rendered at synth time).
	Region    string
	AccountID *string
	// EventsBucket, LargeEventsBucket and ResultsBucket are bucket names.
	EventsBucket, LargeEventsBucket, ResultsBucket string
	// Topic, Queue and DeadLetterQueue name the SNS topic and SQS queues.
	Topic, Queue, DeadLetterQueue string
	// Database, Table and Workgroup name the Glue database and table and
	// the Athena workgroup.
	Database, Table, Workgroup string
	// KeyARN is the cluster key; its policy must admit the auth role
	// through S3, SNS, SQS and Athena, and SNS delivering to the queue (see
	// TopicARN and the kmskey package).
	KeyARN *string
	// Protect sets prevent_destroy on the buckets and what guards them: the
	// audit log must survive a routine change. The Glue database and table
	// hold only metadata (partitions are projected), recreated as they were.
	Protect bool
}

// Backend is the created backend.
type Backend struct {
	constructs.Construct
	props *Props
	// Events, LargeEvents and Results are the buckets.
	Events, LargeEvents, Results *storage.Bucket
}

// TopicARN is the ARN of the events topic.
func TopicARN(region, account, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

// QueueARN and QueueURL identify an SQS queue.
func QueueARN(region, account, name string) string {
	return "arn:aws:sqs:" + region + ":" + account + ":" + name
}

// QueueURL is the URL of the SQS queue name.
func QueueURL(region, account, name string) string {
	return "https://sqs." + region + ".amazonaws.com/" + account + "/" + name
}

// EventsLocation is where the batcher writes Parquet files (locationS3):
// one prefix per day below it, as the Glue table's projection expects.
func EventsLocation(bucket string) string { return "s3://" + bucket + "/events" }

// LargeEventsLocation is largeEventsS3.
func LargeEventsLocation(bucket string) string { return "s3://" + bucket + "/large_payloads" }

// ResultsLocation is the workgroup's result location.
func ResultsLocation(bucket string) string { return "s3://" + bucket + "/results/" }

// URI is Teleport's audit_events_uri for the backend (Teleport's storage
// reference, lib/events/athena Config.SetFromURL): athena://<database>.
// <table> with topicArn, largeEventsS3, locationS3, workgroup and queueURL.
// Query results go where the workgroup says (its configuration is
// enforced). account is the account id or a placeholder the boot fills in.
func URI(region, account string, p *Props) string {
	return fmt.Sprintf("athena://%s.%s?topicArn=%s&largeEventsS3=%s&locationS3=%s&workgroup=%s&queueURL=%s",
		p.Database, p.Table, TopicARN(region, account, p.Topic), LargeEventsLocation(p.LargeEventsBucket),
		EventsLocation(p.EventsBucket), p.Workgroup, QueueURL(region, account, p.Queue))
}

// New creates the backend.
func New(scope constructs.Construct, id string, props *Props) *Backend {
	c := constructs.NewConstruct(scope, jsii.String(id))
	b := &Backend{Construct: c, props: props}
	account := *props.AccountID
	topicARN := TopicARN(props.Region, account, props.Topic)

	b.Events = storage.NewBucket(c, "events", &storage.BucketProps{Name: props.EventsBucket, KeyARN: props.KeyARN, Protect: props.Protect})
	// Large events are audit events not yet in Parquet: as protected as the
	// rest; results are protected like every bucket (emptied by expiry).
	b.LargeEvents = storage.NewBucket(c, "large-events", &storage.BucketProps{Name: props.LargeEventsBucket, KeyARN: props.KeyARN, ExpireDays: LargeEventsDays, Protect: props.Protect})
	b.Results = storage.NewBucket(c, "results", &storage.BucketProps{Name: props.ResultsBucket, KeyARN: props.KeyARN, ExpireDays: ResultsDays, Protect: props.Protect})

	topic := snstopic.NewSnsTopic(c, jsii.String("topic"), &snstopic.SnsTopicConfig{
		Name:           jsii.String(props.Topic),
		KmsMasterKeyId: props.KeyARN,
	})
	dlq := sqsqueue.NewSqsQueue(c, jsii.String("dead-letter-queue"), &sqsqueue.SqsQueueConfig{
		Name:                         jsii.String(props.DeadLetterQueue),
		KmsMasterKeyId:               props.KeyARN,
		KmsDataKeyReusePeriodSeconds: jsii.Number(KeyReuseSeconds),
		MessageRetentionSeconds:      jsii.Number(DeadLetterRetentionSeconds),
	})
	queue := sqsqueue.NewSqsQueue(c, jsii.String("queue"), &sqsqueue.SqsQueueConfig{
		Name:                         jsii.String(props.Queue),
		KmsMasterKeyId:               props.KeyARN,
		KmsDataKeyReusePeriodSeconds: jsii.Number(KeyReuseSeconds),
		MessageRetentionSeconds:      jsii.Number(QueueRetentionSeconds),
		// jsonencode rather than a JSON string around the token: cdktf's
		// HCL rendering does not escape quotes inside a string.
		RedrivePolicy: cdktf.Fn_Jsonencode(map[string]interface{}{"deadLetterTargetArn": dlq.Arn(), "maxReceiveCount": MaxReceiveCount}),
	})
	// The topic may deliver to the queue, and nothing else may send to it
	// (the ARN condition of Teleport's example; SNS's "Sending Amazon SNS
	// messages to an Amazon SQS queue").
	sendDoc := policy.Document(c, "queue-policy", policy.Statement{
		Sid: "TopicDelivers", Actions: []string{"sqs:SendMessage"}, Resources: []*string{queue.Arn()},
		Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("sns.amazonaws.com")}}},
		Conditions: []policy.Condition{{Test: "ArnEquals", Variable: "aws:SourceArn", Values: []*string{jsii.String(topicARN)}}},
	})
	sqsqueuepolicy.NewSqsQueuePolicy(c, jsii.String("queue-send"), &sqsqueuepolicy.SqsQueuePolicyConfig{
		QueueUrl: queue.Url(),
		Policy:   sendDoc.Json(),
	})
	snstopicsubscription.NewSnsTopicSubscription(c, jsii.String("subscription"), &snstopicsubscription.SnsTopicSubscriptionConfig{
		TopicArn:           topic.Arn(),
		Protocol:           jsii.String("sqs"),
		Endpoint:           queue.Arn(),
		RawMessageDelivery: jsii.Bool(true),
	})

	db := gluecatalogdatabase.NewGlueCatalogDatabase(c, jsii.String("database"), &gluecatalogdatabase.GlueCatalogDatabaseConfig{
		Name: jsii.String(props.Database),
	})
	col := func(name, typ string) *gluecatalogtable.GlueCatalogTableStorageDescriptorColumns {
		return &gluecatalogtable.GlueCatalogTableStorageDescriptorColumns{Name: jsii.String(name), Type: jsii.String(typ)}
	}
	// The table exactly as Teleport's example defines it: Parquet
	// (Snappy), one partition per day found by projection (no crawler, no
	// partitions to add), four years back.
	gluecatalogtable.NewGlueCatalogTable(c, jsii.String("table"), &gluecatalogtable.GlueCatalogTableConfig{
		Name:         jsii.String(props.Table),
		DatabaseName: db.Name(),
		TableType:    jsii.String("EXTERNAL_TABLE"),
		Parameters: &map[string]*string{
			"EXTERNAL":                            jsii.String("TRUE"),
			"projection.enabled":                  jsii.String("true"),
			"projection.event_date.type":          jsii.String("date"),
			"projection.event_date.format":        jsii.String("yyyy-MM-dd"),
			"projection.event_date.interval":      jsii.String("1"),
			"projection.event_date.interval.unit": jsii.String("DAYS"),
			"projection.event_date.range":         jsii.String("NOW-4YEARS,NOW"),
			// $${ is Terraform's escape: Athena, not Terraform, fills in
			// ${event_date}.
			"storage.location.template": jsii.String(EventsLocation(props.EventsBucket) + "/$${event_date}/"),
			"classification":            jsii.String("parquet"),
			"parquet.compression":       jsii.String("SNAPPY"),
		},
		StorageDescriptor: &gluecatalogtable.GlueCatalogTableStorageDescriptor{
			Location:     jsii.String("s3://" + props.EventsBucket),
			InputFormat:  jsii.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
			OutputFormat: jsii.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
			SerDeInfo: &gluecatalogtable.GlueCatalogTableStorageDescriptorSerDeInfo{
				Name:                 jsii.String(props.Table),
				Parameters:           &map[string]*string{"serialization.format": jsii.String("1")},
				SerializationLibrary: jsii.String("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
			},
			Columns: &[]*gluecatalogtable.GlueCatalogTableStorageDescriptorColumns{
				col("uid", "string"), col("session_id", "string"), col("event_type", "string"),
				col("event_time", "timestamp"), col("event_data", "string"), col("user", "string"),
			},
		},
		PartitionKeys: &[]*gluecatalogtable.GlueCatalogTablePartitionKeys{{Name: jsii.String("event_date"), Type: jsii.String("date")}},
	})

	athenaworkgroup.NewAthenaWorkgroup(c, jsii.String("workgroup"), &athenaworkgroup.AthenaWorkgroupConfig{
		Name: jsii.String(props.Workgroup),
		Configuration: &athenaworkgroup.AthenaWorkgroupConfiguration{
			EnforceWorkgroupConfiguration:   jsii.Bool(true),
			PublishCloudwatchMetricsEnabled: jsii.Bool(true),
			EngineVersion:                   &athenaworkgroup.AthenaWorkgroupConfigurationEngineVersion{SelectedEngineVersion: jsii.String("Athena engine version 3")},
			ResultConfiguration: &athenaworkgroup.AthenaWorkgroupConfigurationResultConfiguration{
				OutputLocation: jsii.String(ResultsLocation(props.ResultsBucket)),
				EncryptionConfiguration: &athenaworkgroup.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration{
					EncryptionOption: jsii.String("SSE_KMS"),
					KmsKeyArn:        props.KeyARN,
				},
			},
		},
	})
	return b
}

// AuthPolicy is what the Auth Service needs to run the backend: publish,
// read and delete queued events, write and read the buckets, query with
// Athena in the workgroup and read the Glue table (Athena reads the
// catalog and S3 with the caller's rights). KMS use is in the key policy.
func (b *Backend) AuthPolicy() []policy.Statement {
	p := b.props
	account := *p.AccountID
	arn := func(service, resource string) *string {
		return jsii.String("arn:aws:" + service + ":" + p.Region + ":" + account + ":" + resource)
	}
	objects := func(bk *storage.Bucket) *string { return jsii.String(*bk.ARN + "/*") }
	return []policy.Statement{
		{Sid: "AuditPublish", Actions: []string{"sns:Publish"}, Resources: []*string{jsii.String(TopicARN(p.Region, account, p.Topic))}},
		{Sid: "AuditConsume", Actions: []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
			Resources: []*string{jsii.String(QueueARN(p.Region, account, p.Queue))}},
		{Sid: "AuditObjects", Actions: []string{"s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"},
			Resources: []*string{objects(b.Events), objects(b.LargeEvents), objects(b.Results)}},
		{Sid: "AuditBuckets", Actions: []string{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"},
			Resources: []*string{b.Events.ARN, b.LargeEvents.ARN, b.Results.ARN}},
		{Sid: "AuditQueries", Actions: []string{"athena:GetQueryExecution", "athena:GetQueryResults", "athena:StartQueryExecution", "athena:StopQueryExecution"},
			Resources: []*string{arn("athena", "workgroup/"+p.Workgroup)}},
		{Sid: "AuditCatalog", Actions: []string{"glue:GetDatabase", "glue:GetPartitions", "glue:GetTable"},
			Resources: []*string{arn("glue", "catalog"), arn("glue", "database/"+p.Database), arn("glue", "table/"+p.Database+"/"+p.Table)}},
	}
}
