package storage

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/example/teleport-multi-region/constructs/lifecycle"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// BucketProps configures a Bucket.
type BucketProps struct {
	// Name is the globally unique bucket name.
	Name string
	// KeyARN is the KMS key for default encryption (SSE-KMS).
	KeyARN *string
	// NoncurrentVersionDays, when above 0, deletes object versions that
	// many days after a newer version replaced them. Default 0: keep.
	NoncurrentVersionDays int
	// ExpireDays, when above 0, expires objects that many days after they
	// were written (scratch data such as query results). Default 0: keep.
	ExpireDays int
	// Protect sets prevent_destroy on the bucket and on every resource
	// guarding it (versioning, encryption, public-access block, ownership
	// controls, policy, lifecycle rules): destroying the versioning
	// resource alone suspends versioning, and destroying the others
	// removes the bucket's protections before the bucket itself stops at
	// BucketNotEmpty.
	Protect bool
}

// IncompleteUploadDays is when unfinished multipart uploads (an instance
// that died mid-upload) are aborted, so their parts stop costing storage.
const IncompleteUploadDays = 7

// Bucket is a private S3 bucket: versioned, encrypted with a customer managed
// key, all four public-access blocks on, ACLs disabled (bucket owner
// enforced), and a policy that refuses any request not made over TLS.
type Bucket struct {
	constructs.Construct
	// Name is the bucket name.
	Name string
	// Ref is the bucket name as a reference to the bucket: what names the
	// bucket through it is ordered after the bucket exists.
	Ref *string
	// ARN is the bucket ARN; object ARNs are ARN + "/key".
	ARN *string
}

// NewBucket creates the bucket and its protections.
func NewBucket(scope constructs.Construct, id string, props *BucketProps) *Bucket {
	c := constructs.NewConstruct(scope, jsii.String(id))
	lc := lifecycle.PreventDestroy(props.Protect)
	b := s3bucket.NewS3Bucket(c, jsii.String("bucket"), &s3bucket.S3BucketConfig{
		Bucket:    jsii.String(props.Name),
		Lifecycle: lc,
	})
	versioning := s3bucketversioning.NewS3BucketVersioningA(c, jsii.String("versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  b.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
		Lifecycle:               lc,
	})
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(c, jsii.String("encryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: b.Id(),
		Rule: []s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
				SseAlgorithm:   jsii.String("aws:kms"),
				KmsMasterKeyId: props.KeyARN,
			},
			// Bucket keys cut KMS requests (and cost) by orders of magnitude.
			BucketKeyEnabled: jsii.Bool(true),
		}},
		Lifecycle: lc,
	})
	block := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(c, jsii.String("public-access-block"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                b.Id(),
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
		Lifecycle:             lc,
	})
	s3bucketownershipcontrols.NewS3BucketOwnershipControls(c, jsii.String("ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket:    b.Id(),
		Rule:      &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
		Lifecycle: lc,
	})
	doc := policy.Document(c, "tls-only", policy.Statement{
		Sid:        "DenyInsecureTransport",
		Deny:       true,
		Actions:    []string{"s3:*"},
		Resources:  []*string{b.Arn(), jsii.String(*b.Arn() + "/*")},
		Principals: []policy.Principal{{Type: "*", Identifiers: []*string{jsii.String("*")}}},
		Conditions: []policy.Condition{{Test: "Bool", Variable: "aws:SecureTransport", Values: []*string{jsii.String("false")}}},
	})
	s3bucketpolicy.NewS3BucketPolicy(c, jsii.String("policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: b.Id(),
		Policy: doc.Json(),
		// S3 rejects a bucket policy while the public access block is
		// being changed; order them.
		DependsOn: &[]cdktf.ITerraformDependable{block},
		Lifecycle: lc,
	})
	rule := s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
		Id:     jsii.String("abort-incomplete-uploads"),
		Status: jsii.String("Enabled"),
		Filter: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
		AbortIncompleteMultipartUpload: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{
			DaysAfterInitiation: jsii.Number(IncompleteUploadDays),
		}},
	}
	rules := []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{rule}
	if props.NoncurrentVersionDays > 0 {
		rules = append(rules, s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
			Id:     jsii.String("expire-replaced-versions"),
			Status: jsii.String("Enabled"),
			Filter: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
			NoncurrentVersionExpiration: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{
				NoncurrentDays: jsii.Number(float64(props.NoncurrentVersionDays)),
			}},
			// Delete markers left once every version has expired.
			Expiration: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
				ExpiredObjectDeleteMarker: jsii.Bool(true),
			}},
		})
	}
	if props.ExpireDays > 0 {
		rules = append(rules, s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
			Id:     jsii.String("expire-objects"),
			Status: jsii.String("Enabled"),
			Filter: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
			Expiration: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
				Days: jsii.Number(float64(props.ExpireDays)),
			}},
			// The versions expiry leaves behind.
			NoncurrentVersionExpiration: []s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{
				NoncurrentDays: jsii.Number(1),
			}},
		})
	}
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(c, jsii.String("lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: b.Id(),
		Rule:   &rules,
		// Lifecycle rules that expire versions need versioning first.
		DependsOn: &[]cdktf.ITerraformDependable{versioning},
		Lifecycle: lc,
	})
	return &Bucket{Construct: c, Name: props.Name, Ref: b.Bucket(), ARN: b.Arn()}
}
