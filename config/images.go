package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Image sources (AMI.Source).
const (
	// AMISourceSSM boots the image an SSM parameter resolves to (Amazon
	// Linux 2023 by default), or an image pinned in ami.ids; the boot
	// scripts download and install Teleport.
	AMISourceSSM = "ssm"
	// AMISourceTeleport boots Teleport's published AMI of the exact release:
	// Teleport is installed, so a boot does not depend on Teleport's CDN.
	AMISourceTeleport = "teleport"
)

// Architectures of instance types and images, as EC2 names them.
const (
	ArchX86 = "x86_64"
	ArchARM = "arm64"
)

// DefaultAMISSMParameterARM64 is the arm64 twin of DefaultAMISSMParameter,
// used for Graviton instance types while ssm_parameter is the default.
const DefaultAMISSMParameterARM64 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

// TeleportAMIOwner is the AWS account that publishes Teleport's public AMIs
// (gravitational/teleport assets/aws/Makefile: "AWS account ID which hosts
// the public Teleport AMIs"; examples/aws/terraform/ha-autoscale-cluster
// data.tf looks the image up with owners = [146628656107]).
const TeleportAMIOwner = "146628656107"

// TeleportAMIRegions are the regions Teleport publishes its AMIs in
// (gravitational/teleport assets/aws/Makefile DESTINATION_REGIONS: "limit
// AMI publishing to non opt-in regions"; examples/aws/terraform/AMIS.md
// lists the same 17).
var TeleportAMIRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// instanceFamilyRe splits an instance type's family: series letters,
// generation digits, then the processor and capability letters.
var instanceFamilyRe = regexp.MustCompile(`^([a-z]+)([0-9]+)([a-z-]*)\.`)

// Architecture returns the CPU architecture of an EC2 instance type. AWS's
// naming ("Amazon EC2 instance type naming conventions", EC2 Instance Types
// guide) puts the processor family right after the generation digit: "g"
// is AWS Graviton (t4g, m6g, m7gd, c7gn, r8g, x2gd, im4gn, is4gen, g5g,
// hpc7g), "a" AMD, "i" Intel; no letter is Intel or AMD. a1, the first
// Graviton generation, predates the rule. Everything else is x86_64.
func Architecture(instanceType string) string {
	if strings.HasPrefix(instanceType, "a1.") {
		return ArchARM
	}
	if m := instanceFamilyRe.FindStringSubmatch(instanceType); m != nil && strings.HasPrefix(m[3], "g") {
		return ArchARM
	}
	return ArchX86
}

// Image is how one Auto Scaling group finds its AMI: exactly one of ID,
// SSMParameter or Teleport is set.
type Image struct {
	// ID is a pinned AMI id.
	ID string
	// SSMParameter is a public parameter resolving to the AMI id.
	SSMParameter string
	// Teleport describes Teleport's published AMI of one release.
	Teleport *TeleportImage
	// Architecture is the instance type's, which the image must match.
	Architecture string
}

// TeleportImage identifies Teleport's published AMI of one release, edition
// and architecture. Teleport names them teleport-<ent|oss>-<version>-<arch>
// (examples/aws/terraform READMEs: "teleport-ent-15.2.0-arm64"; FIPS
// images end in "-fips", which NameRegex excludes), owned by
// TeleportAMIOwner.
type TeleportImage struct {
	// Owner is the publishing account.
	Owner string
	// NameFilter is the EC2 name filter (wildcards: * and ?) of the
	// release's images; NameRegex keeps the exact name, no FIPS variant.
	NameFilter, NameRegex string
}

// ImageFor returns the image source of a group of instanceType in region
// running Teleport version. Call it on a validated config.
func (c *Cluster) ImageFor(region, instanceType, version string) Image {
	arch := Architecture(instanceType)
	img := Image{Architecture: arch}
	switch {
	case c.AMI.Source == AMISourceTeleport:
		edition := "ent"
		if c.Edition == EditionOSS {
			edition = "oss"
		}
		prefix := "teleport-" + edition + "-" + version + "-"
		img.Teleport = &TeleportImage{
			Owner:      TeleportAMIOwner,
			NameFilter: prefix + "*",
			// [.] rather than \.: cdktf's HCL rendering does not escape
			// backslashes.
			NameRegex: "^" + strings.ReplaceAll(prefix, ".", "[.]") + "[a-z0-9_]+$",
		}
	case c.AMI.IDs[region] != "":
		img.ID = c.AMI.IDs[region]
	case c.AMI.SSMParameter == DefaultAMISSMParameter && arch == ArchARM:
		img.SSMParameter = DefaultAMISSMParameterARM64
	default:
		img.SSMParameter = c.AMI.SSMParameter
	}
	return img
}

// imageSource checks ami.source and what goes with it.
func (v *validator) imageSource(c *Cluster) {
	switch c.AMI.Source {
	case AMISourceSSM:
		// A custom parameter serves every group: its name must not say
		// another architecture than a group's instance type.
		if c.AMI.SSMParameter == DefaultAMISSMParameter {
			return
		}
		groups := map[string]string{"auth.instances.type": c.Auth.Instances.Type}
		for i, p := range c.ProxyRegions {
			groups[fmt.Sprintf("proxy_regions[%d].instances.type", i)] = p.Instances.Type
		}
		for _, path := range sortedKeys(groups) {
			arch := Architecture(groups[path])
			other := map[string]string{ArchX86: "arm64", ArchARM: "x86_64"}[arch]
			if strings.Contains(c.AMI.SSMParameter, other) {
				v.add("ami.ssm_parameter", "%q names %s images, but %s %q is an %s instance type; use a parameter of %s images, or leave ssm_parameter out (Amazon Linux 2023 of each group's architecture)", c.AMI.SSMParameter, other, path, groups[path], arch, arch)
				return
			}
		}
	case AMISourceTeleport:
		if c.AMI.SSMParameter != DefaultAMISSMParameter {
			v.add("ami.ssm_parameter", "is not used with ami.source: teleport (Teleport's published image of teleport_version is used); remove it")
		}
		if len(c.AMI.IDs) > 0 {
			v.add("ami.ids", "pins images, which ami.source: teleport does not use; remove ami.ids, or set ami.source: ssm to boot the pinned images")
		}
		regions := map[string]string{"auth.region": c.Auth.Region}
		for i, p := range c.ProxyRegions {
			if !p.Retired {
				regions[fmt.Sprintf("proxy_regions[%d].region", i)] = p.Region
			}
		}
		for _, path := range sortedKeys(regions) {
			if r := regions[path]; r != "" && !slices.Contains(TeleportAMIRegions, r) {
				v.add(path, "%s has no Teleport AMI (Teleport publishes them in %s); use ami.source: ssm there, or another region", r, strings.Join(TeleportAMIRegions, ", "))
			}
		}
	default:
		v.add("ami.source", "%q is not an image source; use %q (an SSM parameter or pinned ids, the default) or %q (Teleport's published AMI of the release)", c.AMI.Source, AMISourceSSM, AMISourceTeleport)
	}
}
