package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// audit.backend: athena builds Teleport's Athena backend in the auth stack,
// all of it encrypted with the cluster key, with no events table, and
// teleport.yaml names exactly those resources.
func TestAthenaAudit(t *testing.T) {
	s := stackOf(t, "athena-audit", "auth-us-east-2")
	key := func(v any) bool { return strings.HasPrefix(fmt.Sprint(v), "${aws_kms_key.key_") }
	for id, tbl := range s.resources("aws_dynamodb_table") {
		if strings.Contains(fmt.Sprint(tbl["name"]), "events") {
			t.Errorf("events table %s exists with the Athena backend", id)
		}
	}
	topics := s.resources("aws_sns_topic")
	var topic map[string]any
	for _, tp := range topics {
		if tp["name"] == "ledger-audit-events" {
			topic = tp
		}
	}
	if topic == nil || !key(topic["kms_master_key_id"]) {
		t.Fatalf("no events topic encrypted with the cluster key: %v", topics)
	}
	queues := map[string]map[string]any{}
	for _, q := range s.resources("aws_sqs_queue") {
		queues[fmt.Sprint(q["name"])] = q
	}
	q, dlq := queues["ledger-audit-events"], queues["ledger-audit-events-dlq"]
	if q == nil || dlq == nil || !key(q["kms_master_key_id"]) || !key(dlq["kms_master_key_id"]) ||
		!strings.Contains(fmt.Sprint(q["redrive_policy"]), "aws_sqs_queue.audit_dead-letter-queue") || dlq["message_retention_seconds"] != 1209600.0 {
		t.Errorf("queues: %v", queues)
	}
	sqsSubs := 0
	for _, sub := range s.resources("aws_sns_topic_subscription") {
		if sub["protocol"] != "sqs" {
			continue
		}
		sqsSubs++
		if sub["raw_message_delivery"] != true || !strings.Contains(fmt.Sprint(sub["topic_arn"]), "aws_sns_topic.audit_topic") {
			t.Errorf("subscription %v", sub)
		}
	}
	if sqsSubs != 1 {
		t.Errorf("%d queue subscriptions; want 1", sqsSubs)
	}
	var tableParams map[string]any
	for _, tbl := range s.resources("aws_glue_catalog_table") {
		tableParams, _ = tbl["parameters"].(map[string]any)
		if get(tbl, "partition_keys", 0, "name") != "event_date" || get(tbl, "partition_keys", 0, "type") != "date" ||
			get(tbl, "storage_descriptor", "ser_de_info", "serialization_library") != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" {
			t.Errorf("table %v", tbl)
		}
	}
	for k, want := range map[string]string{
		"projection.enabled": "true", "projection.event_date.type": "date", "projection.event_date.format": "yyyy-MM-dd",
		"projection.event_date.interval": "1", "projection.event_date.interval.unit": "DAYS", "projection.event_date.range": "NOW-4YEARS,NOW",
		"storage.location.template": "s3://ledger-audit-events-018d7f09/events/$${event_date}/", "classification": "parquet", "parquet.compression": "SNAPPY",
	} {
		if tableParams[k] != want {
			t.Errorf("table parameter %s = %v; want %s", k, tableParams[k], want)
		}
	}
	for _, wg := range s.resources("aws_athena_workgroup") {
		if get(wg, "configuration", "result_configuration", "output_location") != "s3://ledger-audit-results-018d7f09/results/" {
			t.Errorf("workgroup results %v", get(wg, "configuration", "result_configuration"))
		}
	}
	// The key admits SNS delivering to the queue, and the auth role
	// through SNS and SQS.
	policies := fmt.Sprint(s.section("data", "aws_iam_policy_document"))
	for _, want := range []string{"SNSDeliversToQueues", "kms:EncryptionContext:aws:sqs:arn", "sns.us-east-2.amazonaws.com", "sqs.us-east-2.amazonaws.com",
		"AuditPublish", "AuditConsume", "AuditQueries", "AuditCatalog", "arn:aws:athena:us-east-2:${data.aws_caller_identity.account.account_id}:workgroup/ledger-audit"} {
		if !strings.Contains(policies, want) {
			t.Errorf("policies lack %s", want)
		}
	}

	boot := string(synthOf(t, "athena-audit").files["teleport/auth-us-east-2-user-data.sh"])
	i := strings.Index(boot, "athena://")
	if i < 0 {
		t.Fatal("no athena:// audit_events_uri in the auth boot script")
	}
	u, err := url.Parse(strings.Fields(boot[i:])[0])
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "ledger_audit.events" {
		t.Errorf("database.table %s", u.Host)
	}
	for k, want := range map[string]string{
		"topicArn":      "arn:aws:sns:us-east-2:__ACCOUNT_ID__:ledger-audit-events",
		"largeEventsS3": "s3://ledger-audit-large-018d7f09/large_payloads",
		"locationS3":    "s3://ledger-audit-events-018d7f09/events",
		"workgroup":     "ledger-audit",
		"queueURL":      "https://sqs.us-east-2.amazonaws.com/__ACCOUNT_ID__/ledger-audit-events",
	} {
		if got := u.Query().Get(k); got != want {
			t.Errorf("audit_events_uri %s = %q; want %q", k, got, want)
		}
	}
	if strings.Contains(boot, "dynamodb://") {
		t.Error("the auth config still names a DynamoDB events table")
	}
	// The default keeps the events table and its alarm.
	if !strings.Contains(string(synthOf(t, "example").files["teleport/auth-us-west-2-user-data.sh"]), "dynamodb://example-events") {
		t.Error("the default backend no longer writes to the events table")
	}
}
