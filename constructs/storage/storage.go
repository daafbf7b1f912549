// Package storage provides the Auth Service's durable state, encrypted with a
// customer managed KMS key: the DynamoDB tables for cluster state, audit
// events and certificate-renewal locks, and the S3 buckets for session
// recordings and the cluster's TLS certificate, and a bucket for exports of
// the cluster state taken before upgrades.
package storage

import (
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtableexport"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/lifecycle"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// CertVersionDays is how long replaced certificate and key versions stay in
// the certs bucket.
const CertVersionDays = 7

// Props configures Storage.
type Props struct {
	// StateTable, EventsTable and LocksTable are DynamoDB table names.
	// EventsTable empty creates no events table: the audit log lives
	// elsewhere (Athena).
	StateTable, EventsTable, LocksTable string
	// RecordingsBucket, CertsBucket and BackupsBucket are S3 bucket names.
	RecordingsBucket, CertsBucket, BackupsBucket string
	// Key is the customer managed KMS key encrypting the tables and
	// buckets; the roles that use them are granted it by their own
	// constructs (package kmskey), the deployer here.
	Key *kmskey.Key
	// Region is the tables' and buckets' region.
	Region string
	// Protect sets Terraform's prevent_destroy on the tables, the buckets
	// and every resource guarding the buckets, and the tables' own
	// deletion protection: a plan that would destroy or replace one fails.
	Protect bool
}

// Storage exposes the names and ARNs that IAM policies and teleport.yaml need.
type Storage struct {
	constructs.Construct
	// StateTableARN, EventsTableARN and LocksTableARN are the tables' ARNs
	// (EventsTableARN nil without an events table).
	StateTableARN, EventsTableARN, LocksTableARN *string
	// Recordings, Certs and Backups are the buckets.
	Recordings, Certs, Backups *Bucket

	keyARN *string
	key    *kmskey.Key
	region string
}

// New creates the tables and buckets.
func New(scope constructs.Construct, id string, props *Props) *Storage {
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &Storage{Construct: c, keyARN: props.Key.ARN, key: props.Key, region: props.Region}
	// The deployer creates the tables with the key: DynamoDB uses the
	// caller's rights through the service ("How Amazon DynamoDB uses AWS
	// KMS", DynamoDB developer guide).
	props.Key.Grant(kmskey.Grant{Sid: "DeployerCreatesTables", ViaServices: []string{kmskey.ViaService("dynamodb", props.Region)}})

	encrypted := &dynamodbtable.DynamodbTableServerSideEncryption{Enabled: jsii.Bool(true), KmsKeyArn: s.keyARN}
	pitr := &dynamodbtable.DynamodbTablePointInTimeRecovery{Enabled: jsii.Bool(true)}
	ttl := &dynamodbtable.DynamodbTableTtl{AttributeName: jsii.String("Expires"), Enabled: jsii.Bool(true)}

	state := dynamodbtable.NewDynamodbTable(c, jsii.String("state"), &dynamodbtable.DynamodbTableConfig{
		Name:        jsii.String(props.StateTable),
		BillingMode: jsii.String("PAY_PER_REQUEST"),
		HashKey:     jsii.String("HashKey"),
		RangeKey:    jsii.String("FullPath"),
		Attribute: []dynamodbtable.DynamodbTableAttribute{
			{Name: jsii.String("HashKey"), Type: jsii.String("S")},
			{Name: jsii.String("FullPath"), Type: jsii.String("S")},
		},
		// Teleport watches the stream to propagate changes between auth
		// and proxy caches.
		StreamEnabled:             jsii.Bool(true),
		StreamViewType:            jsii.String("NEW_IMAGE"),
		Ttl:                       ttl,
		ServerSideEncryption:      encrypted,
		PointInTimeRecovery:       pitr,
		DeletionProtectionEnabled: jsii.Bool(props.Protect),
		Lifecycle:                 lifecycle.PreventDestroy(props.Protect),
	})
	s.StateTableARN = state.Arn()

	if props.EventsTable != "" {
		events := dynamodbtable.NewDynamodbTable(c, jsii.String("events"), &dynamodbtable.DynamodbTableConfig{
			Name:        jsii.String(props.EventsTable),
			BillingMode: jsii.String("PAY_PER_REQUEST"),
			HashKey:     jsii.String("SessionID"),
			RangeKey:    jsii.String("EventIndex"),
			Attribute: []dynamodbtable.DynamodbTableAttribute{
				{Name: jsii.String("SessionID"), Type: jsii.String("S")},
				{Name: jsii.String("EventIndex"), Type: jsii.String("N")},
				{Name: jsii.String("CreatedAtDate"), Type: jsii.String("S")},
				{Name: jsii.String("CreatedAt"), Type: jsii.String("N")},
			},
			// The index Teleport searches audit events by date with.
			GlobalSecondaryIndex: []dynamodbtable.DynamodbTableGlobalSecondaryIndex{{
				Name:           jsii.String("timesearchV2"),
				HashKey:        jsii.String("CreatedAtDate"),
				RangeKey:       jsii.String("CreatedAt"),
				ProjectionType: jsii.String("ALL"),
			}},
			Ttl:                       ttl,
			ServerSideEncryption:      encrypted,
			PointInTimeRecovery:       pitr,
			DeletionProtectionEnabled: jsii.Bool(props.Protect),
			Lifecycle:                 lifecycle.PreventDestroy(props.Protect),
		})
		s.EventsTableARN = events.Arn()
	}

	locks := dynamodbtable.NewDynamodbTable(c, jsii.String("locks"), &dynamodbtable.DynamodbTableConfig{
		Name:        jsii.String(props.LocksTable),
		BillingMode: jsii.String("PAY_PER_REQUEST"),
		HashKey:     jsii.String("Lock"),
		Attribute: []dynamodbtable.DynamodbTableAttribute{
			{Name: jsii.String("Lock"), Type: jsii.String("S")},
		},
		Ttl:                       ttl,
		ServerSideEncryption:      encrypted,
		PointInTimeRecovery:       pitr,
		DeletionProtectionEnabled: jsii.Bool(props.Protect),
		Lifecycle:                 lifecycle.PreventDestroy(props.Protect),
	})
	s.LocksTableARN = locks.Arn()

	s.Recordings = NewBucket(c, "recordings", &BucketProps{Name: props.RecordingsBucket, KeyARN: s.keyARN, Protect: props.Protect})
	// Every renewal writes a new private key; replaced versions are kept
	// a week (to roll back a bad certificate), then deleted.
	s.Certs = NewBucket(c, "certs", &BucketProps{Name: props.CertsBucket, KeyARN: s.keyARN, NoncurrentVersionDays: CertVersionDays, Protect: props.Protect})
	// The exports hold the cluster state, CA private keys included: they
	// expire once they are too old to roll an upgrade back to.
	s.Backups = NewBucket(c, "backups", &BucketProps{Name: props.BackupsBucket, KeyARN: s.keyARN, Protect: props.Protect, ExpireDays: StateExportDays})
	return s
}

// TableActions are what Teleport's Auth Service does with its tables
// (Teleport's DynamoDB backend reference, minus table creation: Terraform
// owns the tables).
var TableActions = []string{
	"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
	"dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive", "dynamodb:GetItem",
	"dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem",
}

// EndpointPolicy is the policy of the auth VPC's DynamoDB gateway
// endpoint: principals of account may use the cluster's tables (and the
// events index) through it, and nothing else, so nothing in the VPC can
// copy data to a table of another account through the endpoint. The
// instances' roles grant no DynamoDB action on other tables either.
func (s *Storage) EndpointPolicy(account *string) []policy.Statement {
	tables := []*string{s.StateTableARN}
	if s.EventsTableARN != nil { // none with the Athena audit backend
		tables = append(tables, s.EventsTableARN, jsii.String(*s.EventsTableARN+"/index/*"))
	}
	return []policy.Statement{{
		Sid:        "ClusterTablesOnly",
		Actions:    TableActions,
		Resources:  append(tables, s.LocksTableARN),
		Principals: []policy.Principal{{Type: "*", Identifiers: []*string{jsii.String("*")}}},
		Conditions: []policy.Condition{{Test: "StringEquals", Variable: "aws:PrincipalAccount", Values: []*string{account}}},
	}}
}

// StateExportDays is how long the state exports taken before each release
// are kept: long enough to roll an upgrade back, short enough that copies of
// the CA keys do not pile up (point-in-time recovery keeps 35 days of the
// table itself, and backup plans keep their own copies).
const StateExportDays = 90

// BackupPrefix is where the export of the cluster state taken before
// release is, in the backups bucket.
func BackupPrefix(release string) string { return "state/" + release + "/" }

// BackupStateBefore exports the cluster state table to the backups bucket
// (DynamoDB export to S3, from point-in-time recovery; "Requesting a table
// export", DynamoDB developer guide) under BackupPrefix(release), and
// returns the export for depends_on: whatever starts release must wait for
// it. The export is keyed on the release: a new release creates a new one,
// which Terraform waits for (aws_dynamodb_table_export waits until the
// export completes, 60 minutes at most), and the previous one leaves the
// state without touching its files (its delete is a no-op in the provider,
// internal/service/dynamodb/table_export.go). Restoring is an import from
// S3 into a new table (DynamoDB "Import from Amazon S3"), or a
// point-in-time restore (the table keeps 35 days).
//
// The provider's wait ends on COMPLETED or FAILED and records either as
// created, so a postcondition fails the apply on anything but COMPLETED:
// the release does not start without its backup. The bucket is named by
// reference, so the export of a new cluster's first release waits for it.
func (s *Storage) BackupStateBefore(release string) cdktf.ITerraformDependable {
	// DynamoDB writes the export to S3 with the caller's rights, and S3
	// (bucket keys on) names the bucket in the encryption context.
	s.key.Grant(kmskey.Grant{Sid: "DeployerExportsState", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"},
		ViaServices:       []string{kmskey.ViaService("s3", s.region)},
		EncryptionContext: kmskey.ContextValue("aws:s3:arn", "arn:aws:s3:::"+s.Backups.Name)})
	return dynamodbtableexport.NewDynamodbTableExport(s.Construct, jsii.String("state-export-"+strings.ReplaceAll(release, ".", "-")), &dynamodbtableexport.DynamodbTableExportConfig{
		Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{{
			Condition: jsii.String(`${self.export_status == "COMPLETED"}`),
			ErrorMessage: jsii.String("the export of the cluster state before Teleport " + release + " did not complete, so the release does not roll out: " +
				"see why with aws dynamodb describe-export --export-arn <this resource's id>, fix it, then replace the export " +
				"(terraform -chdir=cdktf.out/stacks/<auth stack> apply -replace=<this address>) and apply again"),
		}}},
		TableArn:       s.StateTableARN,
		S3Bucket:       s.Backups.Ref,
		S3Prefix:       jsii.String(BackupPrefix(release)),
		S3SseAlgorithm: jsii.String("KMS"),
		S3SseKmsKeyId:  s.keyARN,
		ExportFormat:   jsii.String("DYNAMODB_JSON"),
	})
}

// MetricLatency is the table's average server-side latency of operation op
// (e.g. "Query", "PutItem") over five minutes, in milliseconds (AWS/DynamoDB
// SuccessfulRequestLatency): the auth servers' backend latency as DynamoDB
// sees it. Teleport's own backend latencies are histograms, which the
// CloudWatch agent does not ship (package teleportconfig, telemetry.go).
func MetricLatency(table, op string) alarms.Metric {
	return alarms.Metric{Namespace: "AWS/DynamoDB", Name: "SuccessfulRequestLatency", Statistic: "Average", PeriodSeconds: 300,
		Dimensions: map[string]*string{"TableName": jsii.String(table), "Operation": jsii.String(op)}}
}

// MetricThrottleEvents is the number of requests DynamoDB throttled on the
// table named table in five minutes; op is "Read" or "Write"
// (AWS/DynamoDB ReadThrottleEvents, WriteThrottleEvents).
func MetricThrottleEvents(table, op string) alarms.Metric {
	return alarms.Metric{Namespace: "AWS/DynamoDB", Name: op + "ThrottleEvents", Statistic: "Sum", PeriodSeconds: 300,
		Dimensions: map[string]*string{"TableName": jsii.String(table)}}
}
