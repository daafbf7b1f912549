// Package authcluster provides the Auth Service of the cluster: its security
// group, its internal Network Load Balancer on 3025 and its Auto Scaling group,
// with an IAM role that can reach exactly the cluster's tables, buckets and key.
package authcluster

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/firewall"
	"github.com/example/teleport-multi-region/constructs/instances"
	"github.com/example/teleport-multi-region/constructs/kmskey"
	"github.com/example/teleport-multi-region/constructs/loadbalancer"
	"github.com/example/teleport-multi-region/constructs/network"
	"github.com/example/teleport-multi-region/constructs/policy"
	"github.com/example/teleport-multi-region/constructs/storage"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configures an AuthCluster.
type Props struct {
	// Name names the security group and Auto Scaling group.
	Name string
	// RoleName names the IAM role and instance profile.
	RoleName string
	// LoadBalancerName names the internal NLB and its target group.
	LoadBalancerName string
	// Region and AccountID locate ARNs built here.
	Region    string
	AccountID *string
	// Network is the auth VPC; instances and the NLB use its private subnets.
	Network *network.Network
	// Storage holds the tables and buckets the role may use.
	Storage *storage.Storage
	// Key is the customer managed key that encrypts Storage, the session
	// recordings, the CA pin and the instances' volumes; the role is
	// granted what it does with it here.
	Key *kmskey.Key
	// Instances sizes the group; Image picks its AMI.
	Instances config.InstanceGroup
	Image     config.Image
	// AuditKeyServices are the services, besides DynamoDB and S3, through
	// which the audit log uses Key (the Athena backend: "sns", "sqs").
	AuditKeyServices []string
	// BootScript is the rendered auth boot script.
	BootScript string
	// LaunchHook holds new instances until their boot script admits them
	// (see instances.Props.LaunchHook). Optional.
	LaunchHook *instances.Hook
	// LicenseParameter, when set, is the SSM parameter the role may read;
	// LicenseKeyARN, when set, the customer managed key it is encrypted
	// with.
	LicenseParameter, LicenseKeyARN string
	// CAPinParameterARN is the SSM parameter the instances publish the
	// cluster CA pin to (encrypted with Key through SSM).
	CAPinParameterARN string
	// ExtraPolicy adds statements to the role (e.g. certificate renewal).
	ExtraPolicy []policy.Statement
	// AutoScalingRoleARN is the service-linked role the group launches
	// instances with; Key encrypts their volumes and must grant it.
	AutoScalingRoleARN *string
	// StartsAfter are what a new launch template version waits for (the
	// backup of the state before a new release, see
	// storage.BackupStateBefore).
	StartsAfter []cdktf.ITerraformDependable
}

// AuthCluster exposes what the proxy regions need.
type AuthCluster struct {
	constructs.Construct
	// SecurityGroupID is the instances' group.
	SecurityGroupID *string
	// LoadBalancerSecurityGroupID is the auth NLB's group; proxy stacks add
	// the 3025 ingress rule of their own proxies to it.
	LoadBalancerSecurityGroupID *string
	// LoadBalancerDNSName is where proxies reach the Auth Service on 3025.
	LoadBalancerDNSName *string
	// RoleARN is the instances' role.
	RoleARN *string
	// LoadBalancer is the internal NLB (its metrics' dimensions).
	LoadBalancer *loadbalancer.LoadBalancer
	// Group is the auth servers' Auto Scaling group.
	Group *instances.Group
}

// New creates the Auth Service.
func New(scope constructs.Construct, id string, props *Props) *AuthCluster {
	c := constructs.NewConstruct(scope, jsii.String(id))
	if props.LicenseParameter != "" {
		checkLicense(c, licenseARN(props))
	}
	sg := firewall.NewGroup(c, "security-group", props.Name, "Teleport Auth Service instances", props.Network.VPCID)
	// 3025 and the health check port are admitted from the NLB only (see
	// package loadbalancer); each proxy stack admits its own proxies on the
	// NLB's group.
	firewall.AllowOut(c, "out-https", sg, firewall.Rule{Port: 443, CIDR: firewall.Anywhere,
		Description: "AWS APIs, Teleport packages and Let's Encrypt over HTTPS"})

	nlb := loadbalancer.New(c, "load-balancer", &loadbalancer.Props{
		Name:            props.LoadBalancerName,
		Internal:        true,
		VPCID:           props.Network.VPCID,
		SubnetIDs:       props.Network.PrivateSubnetIDs,
		Port:            teleportconfig.AuthPort,
		HealthCheckPort: teleportconfig.DiagPort,
		HealthCheckPath: "/readyz",
		// Proxy stacks add the 3025 rules of their own proxies.
		TargetSecurityGroupID: sg,
	})

	group := instances.New(c, "instances", &instances.Props{
		Name:            props.Name,
		RoleName:        props.RoleName,
		Region:          props.Region,
		MetricNamespace: teleportconfig.MetricNamespace,
		AccountID:       props.AccountID,
		// DynamoDB Streams serves at most two readers per shard and every
		// auth server reads the cluster state's stream (gravitational/
		// teleport#25170, #25171; the teleport-cluster Helm chart keeps
		// maxSurge 0 for the same reason): a refresh never runs a third.
		NoSurge:          true,
		InstanceType:     props.Instances.Type,
		Count:            props.Instances.Count,
		VolumeSizeGiB:    props.Instances.VolumeSizeGiB,
		Image:            props.Image,
		SubnetIDs:        props.Network.PrivateSubnetIDs,
		Zones:            props.Network.PrivateZones,
		SecurityGroupIDs: []*string{sg},
		UserDataBase64:   teleportconfig.UserDataBase64(props.BootScript),
		TargetGroupARNs:  []*string{nlb.TargetGroupARN},
		// The recordings key reaches teleport.yaml through the metadata
		// service: its ARN is unknown when the boot script is rendered.
		InstanceTags:            map[string]*string{teleportconfig.SessionsKeyTag: props.Key.ARN},
		Policy:                  append(rolePolicy(props), props.ExtraPolicy...),
		VolumeKeyARN:            props.Key.ARN,
		AutoScalingRoleARN:      props.AutoScalingRoleARN,
		LaunchTemplateDependsOn: props.StartsAfter,
		LaunchHook:              props.LaunchHook,
	})
	return &AuthCluster{Construct: c, SecurityGroupID: sg, LoadBalancerSecurityGroupID: nlb.SecurityGroupID,
		LoadBalancerDNSName: nlb.DNSName, RoleARN: group.RoleARN, LoadBalancer: nlb, Group: group}
}

// rolePolicy is what Teleport's Auth Service documents for DynamoDB and S3,
// minus the table and bucket creation rights: Terraform owns those.
func rolePolicy(p *Props) []policy.Statement {
	s := p.Storage
	tableActions := storage.TableActions
	keyServices := []string{kmskey.ViaService("dynamodb", p.Region), kmskey.ViaService("s3", p.Region)}
	for _, svc := range p.AuditKeyServices {
		keyServices = append(keyServices, kmskey.ViaService(svc, p.Region))
	}
	statements := []policy.Statement{
		{Sid: "ClusterStateTable", Actions: tableActions, Resources: []*string{s.StateTableARN}},
		{Sid: "ClusterStateStream", Actions: []string{
			"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
		}, Resources: []*string{jsii.String(*s.StateTableARN + "/stream/*")}},
		{Sid: "RecordingsBucket", Actions: []string{
			"s3:GetBucketVersioning", "s3:GetEncryptionConfiguration", "s3:ListBucket",
			"s3:ListBucketMultipartUploads", "s3:ListBucketVersions",
		}, Resources: []*string{s.Recordings.ARN}},
		{Sid: "RecordingsObjects", Actions: []string{
			"s3:AbortMultipartUpload", "s3:GetObject", "s3:GetObjectVersion",
			"s3:ListMultipartUploadParts", "s3:PutObject",
		}, Resources: []*string{jsii.String(*s.Recordings.ARN + "/records/*")}},
		// Only through the services that hold the data.
		p.Key.Grant(kmskey.Grant{Sid: "AuthServiceUsesKey", Role: p.RoleName,
			Actions:     []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"},
			ViaServices: keyServices}),
	}
	if s.EventsTableARN != nil {
		// After the state stream, where it always was: a reordered
		// document is a change to review.
		events := policy.Statement{Sid: "AuditEventsTable", Actions: tableActions, Resources: []*string{
			s.EventsTableARN, jsii.String(*s.EventsTableARN + "/index/*"),
		}}
		statements = append(statements[:2], append([]policy.Statement{events}, statements[2:]...)...)
	}
	statements = append(statements,
		policy.Statement{Sid: "PublishCAPin", Actions: []string{"ssm:GetParameter", "ssm:PutParameter"},
			Resources: []*string{jsii.String(p.CAPinParameterARN)}},
		// SecureString values are encrypted by SSM with the caller's rights.
		p.Key.Grant(kmskey.Grant{Sid: "AuthServicePublishesCAPin", Role: p.RoleName, Actions: []string{"kms:Decrypt", "kms:Encrypt"},
			ViaServices:       []string{kmskey.ViaService("ssm", p.Region)},
			EncryptionContext: kmskey.ContextValue("PARAMETER_ARN", p.CAPinParameterARN)}),
	)
	if p.LicenseParameter != "" {
		arn := licenseARN(p)
		statements = append(statements, policy.Statement{
			Sid:       "EnterpriseLicense",
			Actions:   []string{"ssm:GetParameter"},
			Resources: []*string{jsii.String(arn)},
		})
		// A SecureString under a customer managed key is decrypted by SSM
		// with the caller's rights, with the parameter's ARN as encryption
		// context ("How AWS Systems Manager Parameter Store uses AWS KMS").
		if p.LicenseKeyARN != "" {
			statements = append(statements, policy.Statement{
				Sid: "EnterpriseLicenseKey", Actions: []string{"kms:Decrypt"}, Resources: []*string{jsii.String(p.LicenseKeyARN)},
				Conditions: []policy.Condition{
					{Test: "StringEquals", Variable: "kms:ViaService", Values: *jsii.Strings(kmskey.ViaService("ssm", p.Region))},
					{Test: "StringEquals", Variable: "kms:EncryptionContext:PARAMETER_ARN", Values: *jsii.Strings(arn)},
				}})
		}
	}
	return statements
}

// CertificateRenewalStatements are exactly what certbot's DNS-01 challenge and the
// renewal lock (teleport-renew-cert on the auth instances) need: the challenge record in the one hosted zone, the zone
// list (certbot finds the zone by name) and change status, the lock item,
// and the certificate objects.
//
// Record changes are limited with Route 53's condition keys ("Using IAM
// policy conditions for fine-grained access control", Route 53 developer
// guide) to UPSERT and DELETE of TXT records named _acme-challenge.<domain>:
// the challenge of both the domain and its wildcard lives there, and nothing
// else in the company's zone can be changed. ForAllValues: every change of
// a request must match. Names are normalized as the guide says: lowercase,
// no trailing dot (the domain is validated lowercase).
func CertificateRenewalStatements(store *storage.Storage, zoneID *string, domain string) []policy.Statement {
	return []policy.Statement{
		{Sid: "AcmeChallengeRecords", Actions: []string{"route53:ChangeResourceRecordSets"},
			Resources: []*string{jsii.String("arn:aws:route53:::hostedzone/" + *zoneID)},
			Conditions: []policy.Condition{
				{Test: "ForAllValues:StringEquals", Variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
					Values: *jsii.Strings(AcmeChallengeRecord(domain))},
				{Test: "ForAllValues:StringEquals", Variable: "route53:ChangeResourceRecordSetsRecordTypes", Values: *jsii.Strings("TXT")},
				{Test: "ForAllValues:StringEquals", Variable: "route53:ChangeResourceRecordSetsActions", Values: *jsii.Strings("DELETE", "UPSERT")},
			}},
		{Sid: "AcmeFindZone", Actions: []string{"route53:ListHostedZones"}, Resources: []*string{jsii.String("*")}},
		{Sid: "AcmeChangeStatus", Actions: []string{"route53:GetChange"}, Resources: []*string{jsii.String("arn:aws:route53:::change/*")}},
		// The renewal lock, and the auth servers' rollout heartbeats
		// (put, and scanned to publish the rollout state).
		{Sid: "RenewalLockAndHeartbeats", Actions: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"},
			Resources: []*string{store.LocksTableARN}},
		{Sid: "PublishCertificate", Actions: []string{"s3:GetObject", "s3:PutObject"},
			Resources: []*string{jsii.String(*store.Certs.ARN + "/live/*")}},
		// certbot's state (ACME account, lineage) under certbot/, which the
		// proxies cannot read (proxycluster.CertObjectsARN is live/*).
		// Listing the prefix makes a missing object a 404, not a 403: the
		// renewal job tells "no state yet" from "cannot read it".
		{Sid: "KeepCertbotState", Actions: []string{"s3:GetObject", "s3:PutObject"},
			Resources: []*string{jsii.String(*store.Certs.ARN + "/certbot/*")}},
		{Sid: "FindCertbotState", Actions: []string{"s3:ListBucket"}, Resources: []*string{store.Certs.ARN},
			Conditions: []policy.Condition{{Test: "StringLike", Variable: "s3:prefix", Values: *jsii.Strings("certbot/*")}}},
	}
}

// AcmeChallengeRecord is the DNS-01 challenge record of domain and of its
// wildcard (RFC 8555 section 8.4: the wildcard's challenge is on the base
// name).
func AcmeChallengeRecord(domain string) string { return "_acme-challenge." + domain }

// LicenseCheck is the ephemeral resource through which every plan of the
// auth stack reads the license parameter: a parameter that does not exist
// (or that the deployer may not read) fails the plan, instead of an auth
// boot that waits for it. An ephemeral resource is opened at every plan and
// apply and is never written to the state or the plan file (Terraform
// 1.10+), unlike data "aws_ssm_parameter", which keeps the value in the
// state even without decryption (the ciphertext; the plaintext for a
// String). with_decryption = false: the deployer needs ssm:GetParameter on
// the parameter, no KMS right, and nothing decrypted is in Terraform's
// memory. No postcondition on its type: Terraform 1.11's `terraform show
// -json` of a plan panics on a check result of an ephemeral resource
// ("unsupported resource mode"); the boot reads a String as well.
const LicenseCheck = "ephemeral.aws_ssm_parameter.teleport_license"

// licenseARN is the ARN of the license parameter.
func licenseARN(p *Props) string {
	name := p.LicenseParameter
	if name[0] != '/' {
		name = "/" + name
	}
	return "arn:aws:ssm:" + p.Region + ":" + *p.AccountID + ":parameter" + name
}

// checkLicense adds LicenseCheck for the parameter arn. cdktf 0.20 has no
// ephemeral resources, hence the override.
func checkLicense(c constructs.Construct, arn string) {
	cdktf.TerraformStack_Of(c).AddOverride(jsii.String(LicenseCheck), map[string]any{
		"arn":             arn,
		"with_decryption": false,
	})
}
