// Package regions composes the constructs into Terraform stacks: one stack for
// the auth region (AuthStack) and one per proxy region (ProxyStack), and Build
// wires them into a cdktf app.
package regions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsroute53zone"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// StateDir is where the local backend keeps state files, relative to a
// stack's working directory (<outdir>/stacks/<stack>): the project root. The
// same relative path is correct from every stack directory, so the remote
// state data sources of consumers find the producers' state, and the JSON
// holds no path of the machine that synthesized it. State survives a
// deleted cdktf.out.
const StateDir = "../../.."

// setUpStack gives a stack its Terraform version constraint, backend and
// default AWS provider.
func setUpStack(stack cdktf.TerraformStack, cfg *config.Cluster, region string) provider.AwsProvider {
	name := *stack.Node().Id()
	// cdktf 0.20 has no setting for it; an older Terraform then stops at
	// init with the constraint instead of failing on a block it cannot read.
	stack.AddOverride(jsii.String("terraform.required_version"), jsii.String(">= "+config.MinTerraform))
	switch cfg.Backend.Type {
	case config.BackendS3:
		s3 := cfg.Backend.S3
		b := &cdktf.S3BackendConfig{
			Bucket:  jsii.String(s3.Bucket),
			Key:     jsii.String(s3.KeyPrefix + "/" + name + ".tfstate"),
			Region:  jsii.String(s3.Region),
			Encrypt: jsii.Bool(true),
		}
		if s3.DynamoDBTable != "" {
			b.DynamodbTable = jsii.String(s3.DynamoDBTable)
		}
		cdktf.NewS3Backend(stack, b)
		if s3.UseLockfile {
			// cdktf 0.20 predates S3-native locking; set it directly.
			stack.AddOverride(jsii.String("terraform.backend.s3.use_lockfile"), true)
		}
	default:
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{
			Path: jsii.String(StateDir + "/terraform." + name + ".tfstate"),
		})
	}
	return newProvider(stack, "aws", cfg, region, "")
}

// newProvider creates an AWS provider for region; alias "" is the default.
func newProvider(scope constructs.Construct, id string, cfg *config.Cluster, region, alias string) provider.AwsProvider {
	tags := map[string]*string{}
	for k, v := range cfg.AllTags() {
		tags[k] = jsii.String(v)
	}
	p := &provider.AwsProviderConfig{
		Region:      jsii.String(region),
		DefaultTags: []provider.AwsProviderDefaultTags{{Tags: &tags}},
	}
	if alias != "" {
		p.Alias = jsii.String(alias)
	}
	return provider.NewAwsProvider(scope, jsii.String(id), p)
}

// output declares a stack output for humans (cdktf output, the deploy log).
func output(scope constructs.Construct, id, description string, value any) {
	cdktf.NewTerraformOutput(scope, jsii.String(id), &cdktf.TerraformOutputConfig{
		Value:       value,
		Description: jsii.String(description),
	})
}

// hostedZoneID returns the id of the public zone holding the records: the
// configured id, or a look-up of the zone by name.
//
// A configured id is read back when Terraform plans, with a postcondition
// that it is the public zone hosted_zone names: an id of another zone (a
// private zone of the same name, a zone of another cluster) would
// otherwise put the records, and the certificate's DNS-01 challenge, where
// no resolver on the internet looks. The AWS provider reads a zone by id
// with GetHostedZone and sets name without the trailing dot and
// private_zone from the zone's config (internal/service/route53,
// hosted_zone_data_source.go).
func hostedZoneID(scope constructs.Construct, cfg *config.Cluster) *string {
	if cfg.HostedZoneID != "" {
		zone := strings.TrimSuffix(cfg.HostedZone, ".")
		dataawsroute53zone.NewDataAwsRoute53Zone(scope, jsii.String("hosted-zone"), &dataawsroute53zone.DataAwsRoute53ZoneConfig{
			ZoneId: jsii.String(cfg.HostedZoneID),
			Lifecycle: &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{{
				Condition: jsii.String(fmt.Sprintf(`${self.name == "%s" && !self.private_zone}`, zone)),
				ErrorMessage: jsii.String(fmt.Sprintf("hosted_zone_id %s is not the public zone %s (hosted_zone): set hosted_zone_id to the id of the public zone %s (aws route53 list-hosted-zones-by-name --dns-name %s), or leave it out to look the zone up by name",
					cfg.HostedZoneID, zone, zone, zone)),
			}}},
		})
		return jsii.String(cfg.HostedZoneID)
	}
	zone := dataawsroute53zone.NewDataAwsRoute53Zone(scope, jsii.String("hosted-zone"), &dataawsroute53zone.DataAwsRoute53ZoneConfig{
		Name:        jsii.String(cfg.HostedZone),
		PrivateZone: jsii.Bool(false),
	})
	return zone.ZoneId()
}

// certificate describes where the cluster certificate lives and how it is
// issued; the auth and proxy boot scripts share it.
func certificate(cfg *config.Cluster) teleportconfig.Certificate {
	return teleportconfig.Certificate{
		Domain:       cfg.Domain,
		Bucket:       cfg.Names().CertsBucket(),
		BucketRegion: cfg.Auth.Region,
		LocksTable:   cfg.Names().LocksTable(),
		Email:        cfg.ACMEEmail,
		Staging:      cfg.ACMEStaging,
	}
}

// regionalProviders creates the aliased providers a stack of a proxy region
// manages resources with in other regions, keyed by region: one for each of
// peers (regions whose side of a connection the stack manages or still has
// in its state, retired ones included: Terraform needs a resource's provider
// to destroy or forget it) and us-east-1, where proxy stacks kept their
// Route 53 health check alarm before the DNS stack held it: a stack
// deployed by an earlier release still has that alarm in its state, and
// Terraform needs its provider to destroy it (docs/operations.md: Moving
// records to the DNS stack).
func regionalProviders(stack cdktf.TerraformStack, cfg *config.Cluster, region string, peers []string) map[string]cdktf.TerraformProvider {
	out := peerProviders(stack, cfg, peers)
	if region != HealthCheckRegion && out[HealthCheckRegion] == nil {
		out[HealthCheckRegion] = newProvider(stack, "aws-"+HealthCheckRegion, cfg, HealthCheckRegion, HealthCheckRegion)
	}
	return out
}

// peerProviders creates one aliased provider per region of peers (alias and
// construct id name the region), in region order, keyed by region.
func peerProviders(stack cdktf.TerraformStack, cfg *config.Cluster, peers []string) map[string]cdktf.TerraformProvider {
	out := map[string]cdktf.TerraformProvider{}
	for _, r := range slices.Sorted(slices.Values(peers)) {
		if out[r] == nil {
			out[r] = newProvider(stack, "aws-"+r, cfg, r, r)
		}
	}
	return out
}

// ownedPeers are the configured proxy regions (retired ones included) whose
// connection with region that region owns, in mesh mode; none otherwise.
func ownedPeers(cfg *config.Cluster, region string) []string {
	if !meshMode(cfg) {
		return nil
	}
	var out []string
	for _, r := range cfg.ProxyRegionNames() {
		if OwnsPeering(region, r) {
			out = append(out, r)
		}
	}
	return out
}
