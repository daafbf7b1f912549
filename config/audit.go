package config

import "strings"

// Audit log backends (Audit.Backend).
const (
	// AuditDynamoDB keeps audit events in a DynamoDB table (the default).
	AuditDynamoDB = "dynamodb"
	// AuditAthena keeps them as Parquet files in S3, queried with Athena:
	// Teleport's recommended backend for large clusters, and the one Access
	// Monitoring needs.
	AuditAthena = "athena"
)

// Audit configures the audit log.
type Audit struct {
	// Backend is "dynamodb" (default: a DynamoDB events table) or "athena"
	// (SNS, SQS, S3 and Athena, as Teleport's Athena guide builds them; no
	// events table). Switching moves new events only: the old backend's
	// events stay where they are (see docs/architecture.md: Athena audit log).
	Backend string `yaml:"backend,omitempty"`
}

// Athena reports whether the audit log is kept in Athena.
func (c *Cluster) Athena() bool { return c.Audit.Backend == AuditAthena }

// AthenaEventsBucket holds the audit log's Parquet files (long term).
func (n Names) AthenaEventsBucket() string { return n.Prefix("audit-events-" + n.suffix + n.gen) }

// AthenaLargeEventsBucket holds events too large for SNS until they are
// batched into Parquet.
func (n Names) AthenaLargeEventsBucket() string { return n.Prefix("audit-large-" + n.suffix + n.gen) }

// AthenaResultsBucket holds Athena's query results.
func (n Names) AthenaResultsBucket() string { return n.Prefix("audit-results-" + n.suffix + n.gen) }

// AthenaTopic is the SNS topic the auth servers publish events to; the
// queue of the same name subscribes to it, AthenaDeadLetterQueue takes what
// the batcher could not handle.
func (n Names) AthenaTopic() string { return n.Prefix("audit-events") }

// AthenaQueue is the SQS queue subscribed to AthenaTopic.
func (n Names) AthenaQueue() string { return n.Prefix("audit-events") }

// AthenaDeadLetterQueue receives messages AthenaQueue could not deliver.
func (n Names) AthenaDeadLetterQueue() string { return n.Prefix("audit-events-dlq") }

// AthenaDatabase is the Glue database: Teleport accepts only letters,
// digits and underscores in it (lib/events/athena: "Database name can
// contains only alphanumeric or underscore characters").
func (n Names) AthenaDatabase() string { return strings.ReplaceAll(n.cluster, "-", "_") + "_audit" }

// AthenaTable is the Glue table of the events.
func (n Names) AthenaTable() string { return "events" }

// AthenaWorkgroup is the Athena workgroup Teleport's queries run in.
func (n Names) AthenaWorkgroup() string { return n.Prefix("audit") }

func (v *validator) audit(c *Cluster) {
	switch c.Audit.Backend {
	case AuditDynamoDB, AuditAthena:
	default:
		v.add("audit.backend", "%q is not an audit backend; use %q (a DynamoDB events table, the default) or %q (Parquet in S3 queried with Athena, Teleport's choice for large clusters)", c.Audit.Backend, AuditDynamoDB, AuditAthena)
	}
}
