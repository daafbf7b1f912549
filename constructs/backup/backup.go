// Package backup provides the AWS Backup of the cluster's state: a vault
// encrypted with a customer managed key of its own, a daily plan keeping
// each recovery point RetentionDays, a selection of the resources to back
// up, the IAM role AWS Backup runs the jobs with, and, optionally, a vault
// in another region that every recovery point is copied to.
//
// Point-in-time recovery restores a DynamoDB table only in its own region
// and account, into a new table; AWS Backup keeps copies outside the auth
// region. Account-wide settings this package neither reads nor sets: the
// auth region opts in to DynamoDB and S3 (the default for both), and AWS
// Backup's advanced features for DynamoDB, which cross-region copies of
// DynamoDB backups need, are on by default for accounts that created no
// vault before November 2021 and are turned on by the first backup a plan
// makes ("Advanced DynamoDB backup", AWS Backup developer guide: "Opting
// in"). The provider has no data source for them, and its
// aws_backup_region_settings resource writes every service's opt-in of the
// region at once (resource_type_opt_in_preference is required; its delete
// leaves what it set: internal/service/backup/region_settings.go), which
// would take them over from other users of AWS Backup in the account. A
// copy that fails for want of them notifies through the backup-job rule
// (package alarms). S3 backups need versioning on the bucket ("Amazon S3
// backups", same guide); the recordings bucket is versioned (package
// storage).
package backup

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/backupplan"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/backupselection"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/backupvault"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/example/teleport-multi-region/constructs/alarms"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/lifecycle"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Schedule is when the daily backup starts: 05:00 UTC, away from the
// usual working hours of most regions.
const Schedule = "cron(0 5 * * ? *)"

// ManagedPolicies are the AWS managed policies of the role: backups and
// restores of DynamoDB (the service-role policies) and of S3, which has
// policies of its own ("AWS managed policies for AWS Backup", AWS Backup
// developer guide).
var ManagedPolicies = []string{
	"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
	"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
	"arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
	"arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
}

// keyGrant is what AWS Backup does with a key through the role: read the
// resources it backs up, and write the ones it restores, through DynamoDB
// and S3 and itself (services in region). The role's own side of it is the
// AWS managed policies (ManagedPolicies), which allow KMS use through these
// services for any key: Key.Grant's statement for the role is not needed.
func keyGrant(roleName string, services []string, region string) kmskey.Grant {
	var via []string
	for _, s := range services {
		via = append(via, kmskey.ViaService(s, region))
	}
	return kmskey.Grant{Sid: "AWSBackupUsesKey", Role: roleName, ViaServices: via}
}

// Props configures a Backup.
type Props struct {
	// Name names the vaults, the plan and the selection.
	Name string
	// RoleName names the IAM role of the jobs.
	RoleName string
	// KeyAlias is the alias of each vault's key.
	KeyAlias string
	// AccountID and Region locate the vault.
	AccountID *string
	Region    string
	// RetentionDays is how long each recovery point (and copy) is kept.
	RetentionDays int
	// Tables and Buckets are the ARNs backed up (DynamoDB tables, S3
	// buckets), encrypted with SourceKey, which the role is granted.
	Tables, Buckets []*string
	SourceKey       *kmskey.Key
	// CopyRegion and CopyProvider, when set, add a vault there that every
	// recovery point is copied to.
	CopyRegion   string
	CopyProvider cdktf.TerraformProvider
	// Protect sets prevent_destroy on the vaults and their keys.
	Protect bool
}

// Backup is the plan and its vaults.
type Backup struct {
	constructs.Construct
	// VaultARN is the auth region's vault; CopyVaultARN the copy region's
	// (nil without one).
	VaultARN, CopyVaultARN *string
	// PlanID identifies the plan.
	PlanID *string
	// VaultName names the vaults.
	VaultName string
	// ResourceTypes are AWS Backup's names of the types of resource the
	// plan backs up (ResourceDynamoDB, ResourceS3), in that order.
	ResourceTypes []string
}

// AWS Backup's names of the resource types the plan backs up: the
// ResourceType of its jobs and of its CloudWatch metrics' dimension.
const (
	ResourceDynamoDB = "DynamoDB"
	ResourceS3       = "S3"
)

// NoBackupAlarmHours is how long without a completed backup job of a
// resource type before its alarm fires: the daily schedule's day, plus its
// one-hour start window, plus an hour for a job that takes longer than the
// day before (a bucket's backup runs for as long as it has new objects to
// copy), so that an ordinary day never fires it.
const NoBackupAlarmHours = 26

// MetricJobsCompleted is the number of backup jobs of resourceType that
// completed into vault, hourly. AWS Backup publishes NumberOfBackupJobs*
// in AWS/Backup every 5 minutes, with the dimensions BackupVaultName and
// BackupVaultName plus ResourceType, and only while the value is nonzero
// ("AWS Backup metrics with Amazon CloudWatch", AWS Backup developer guide;
// the dimension sets: "Supported metrics for resource tags for telemetry",
// CloudWatch user guide): an hour without a completed job has no data
// point, which an alarm on it must count as breaching. Jobs, not
// NumberOfRecoveryPointsCompleted: the guide counts recovery points per
// state held in the vault (cold ones included), which the retention keeps
// above zero for weeks after the last backup.
func MetricJobsCompleted(vault, resourceType string) alarms.Metric {
	return alarms.Metric{Namespace: "AWS/Backup", Name: "NumberOfBackupJobsCompleted", Statistic: "Sum", PeriodSeconds: 3600,
		Dimensions: map[string]*string{"BackupVaultName": jsii.String(vault), "ResourceType": jsii.String(resourceType)}}
}

// New creates the role, the vaults and their keys, the plan and the
// selection.
func New(scope constructs.Construct, id string, props *Props) *Backup {
	c := constructs.NewConstruct(scope, jsii.String(id))
	assume := policy.Document(c, "assume-role", policy.Statement{
		Sid:        "AWSBackupAssumesRole",
		Actions:    []string{"sts:AssumeRole"},
		Principals: []policy.Principal{{Type: "Service", Identifiers: []*string{jsii.String("backup.amazonaws.com")}}},
	})
	role := iamrole.NewIamRole(c, jsii.String("role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(props.RoleName),
		AssumeRolePolicy: assume.Json(),
	})
	for i, arn := range ManagedPolicies {
		iamrolepolicyattachment.NewIamRolePolicyAttachment(c, jsii.String(fmt.Sprintf("policy-%d", i)), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
			Role:      role.Name(),
			PolicyArn: jsii.String(arn),
		})
	}
	props.SourceKey.Grant(keyGrant(props.RoleName, []string{"dynamodb", "s3", "backup"}, props.Region))
	b := &Backup{Construct: c, VaultName: props.Name}
	if len(props.Tables) > 0 {
		b.ResourceTypes = append(b.ResourceTypes, ResourceDynamoDB)
	}
	if len(props.Buckets) > 0 {
		b.ResourceTypes = append(b.ResourceTypes, ResourceS3)
	}
	main := vault(c, "vault", props, props.Region, nil)
	b.VaultARN = main.Arn()

	rule := backupplan.BackupPlanRule{
		RuleName:        jsii.String("daily"),
		TargetVaultName: main.Name(),
		Schedule:        jsii.String(Schedule),
		// An hour to start, a day to finish: a large table or bucket
		// takes hours, and the next day's job must not overlap it.
		StartWindow:      jsii.Number(60),
		CompletionWindow: jsii.Number(24 * 60),
		Lifecycle:        &backupplan.BackupPlanRuleLifecycle{DeleteAfter: jsii.Number(float64(props.RetentionDays))},
	}
	if props.CopyRegion != "" {
		b.CopyVaultARN = vault(c, "copy-vault", props, props.CopyRegion, props.CopyProvider).Arn()
		rule.CopyAction = []backupplan.BackupPlanRuleCopyAction{{
			DestinationVaultArn: b.CopyVaultARN,
			Lifecycle:           &backupplan.BackupPlanRuleCopyActionLifecycle{DeleteAfter: jsii.Number(float64(props.RetentionDays))},
		}}
	}
	plan := backupplan.NewBackupPlan(c, jsii.String("plan"), &backupplan.BackupPlanConfig{
		Name: jsii.String(props.Name),
		Rule: []backupplan.BackupPlanRule{rule},
	})
	resources := append(append([]*string{}, props.Tables...), props.Buckets...)
	backupselection.NewBackupSelection(c, jsii.String("selection"), &backupselection.BackupSelectionConfig{
		Name:       jsii.String(props.Name),
		PlanId:     plan.Id(),
		IamRoleArn: role.Arn(),
		Resources:  &resources,
	})
	b.PlanID = plan.Id()
	return b
}

// vault creates a vault in region (provider nil: the default) with a key of
// its own, which the backup role may use through AWS Backup only.
func vault(c constructs.Construct, id string, props *Props, region string, provider cdktf.TerraformProvider) backupvault.BackupVault {
	key := kmskey.New(c, id+"-key", &kmskey.Props{
		Description: "AWS Backup vault " + props.Name + " in " + region + ": recovery points of the Teleport cluster state",
		Alias:       props.KeyAlias,
		AccountID:   props.AccountID,
		Region:      region,
		Provider:    provider,
		Protect:     props.Protect,
	})
	key.Grant(keyGrant(props.RoleName, []string{"backup"}, region))
	// Creating a vault with a customer managed key takes the caller's
	// kms:Decrypt and kms:GenerateDataKey besides the grant and describe
	// rights the account already has ("Backup vault creation and
	// deletion", AWS Backup developer guide: required permissions). The
	// deployer (any principal of the account its IAM policy allows) gets
	// exactly those, through AWS Backup in this region only.
	key.Grant(kmskey.Grant{Sid: "DeployerCreatesVault", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"},
		ViaServices: []string{kmskey.ViaService("backup", region)}})
	v := backupvault.NewBackupVault(c, jsii.String(id), &backupvault.BackupVaultConfig{
		Provider:  provider,
		Name:      jsii.String(props.Name),
		KmsKeyArn: key.ARN,
		Lifecycle: lifecycle.PreventDestroy(props.Protect),
	})
	return v
}
