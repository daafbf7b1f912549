package emulator

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/example/teleport-multi-region/config"
)

// Seed is what an account holds before the first deploy of a cluster: the
// prerequisites docs/first-deploy.md's checklist has the user create. The
// shim creates it through the emulator's AWS API before it reports ready.
type Seed struct {
	HostedZones   []SeedZone      `json:"hosted_zones,omitempty"`
	SSMParameters []SeedParameter `json:"ssm_parameters,omitempty"`
	VPCs          []SeedVPC       `json:"vpcs,omitempty"`
	Images        []SeedImage     `json:"images,omitempty"`
	Buckets       []SeedBucket    `json:"buckets,omitempty"`
	Tables        []SeedTable     `json:"tables,omitempty"`
}

// SeedZone is a public hosted zone.
type SeedZone struct {
	Name string `json:"name"`
	// ID is the zone's id when the config names it (hosted_zone_id).
	ID string `json:"id,omitempty"`
}

// SeedParameter is an SSM parameter (the license).
type SeedParameter struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

// SeedVPC is an existing VPC with its subnets and route tables, under the ids
// the config names.
type SeedVPC struct {
	Region          string           `json:"region"`
	ID              string           `json:"id"`
	CIDR            string           `json:"cidr"`
	InternetGateway bool             `json:"internet_gateway"`
	Subnets         []SeedSubnet     `json:"subnets"`
	RouteTables     []SeedRouteTable `json:"route_tables"`
}

// SeedSubnet is a subnet of a SeedVPC, in the zone named Zone or with the
// zone ID ZoneID.
type SeedSubnet struct {
	ID     string `json:"id"`
	CIDR   string `json:"cidr"`
	Zone   string `json:"zone,omitempty"`
	ZoneID string `json:"zone_id,omitempty"`
}

// SeedRouteTable is a route table of a SeedVPC and the subnets it serves.
type SeedRouteTable struct {
	ID              string   `json:"id"`
	Subnets         []string `json:"subnets,omitempty"`
	InternetGateway bool     `json:"internet_gateway,omitempty"`
}

// SeedImage is a machine image published by another account (Teleport's).
type SeedImage struct {
	Region       string `json:"region"`
	Name         string `json:"name"`
	Owner        string `json:"owner"`
	Architecture string `json:"architecture"`
}

// SeedBucket is an S3 bucket (the state bucket of an s3 backend).
type SeedBucket struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

// SeedTable is a DynamoDB table keyed by LockID (a state lock table).
type SeedTable struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

// SeedFor returns the prerequisites of a validated config: its public
// hosted zone, its license parameter, the VPCs its existing_vpc entries
// name, Teleport's images for ami.source teleport, and an s3 backend's
// bucket and lock table.
func SeedFor(cfg *config.Cluster) *Seed {
	s := &Seed{HostedZones: []SeedZone{{Name: cfg.HostedZone, ID: cfg.HostedZoneID}}}
	if cfg.LicenseSSMParameter != "" {
		s.SSMParameters = append(s.SSMParameters, SeedParameter{
			Region: cfg.Auth.Region, Name: cfg.LicenseSSMParameter, Type: "SecureString",
			Value: "-----BEGIN CERTIFICATE-----\nlocal emulator: not a license\n-----END CERTIFICATE-----\n",
		})
	}
	if e := cfg.Auth.ExistingVPC; e != nil {
		s.VPCs = append(s.VPCs, existingVPC(cfg.Auth.Region, cfg.Auth.VPCCIDR, e, cfg.Auth.Zones))
	}
	for _, p := range cfg.ProxyRegions {
		if p.ExistingVPC != nil {
			s.VPCs = append(s.VPCs, existingVPC(p.Region, p.VPCCIDR, p.ExistingVPC, p.Zones))
		}
	}
	if cfg.AMI.Source == config.AMISourceTeleport {
		add := func(region, instanceType, version string) {
			img := cfg.ImageFor(region, instanceType, version)
			if img.Teleport == nil {
				return
			}
			// Teleport's names end in the architecture
			// (teleport-ent-18.9.0-x86_64, -arm64).
			name := img.Teleport.NameFilter[:len(img.Teleport.NameFilter)-1] + img.Architecture
			si := SeedImage{Region: region, Name: name, Owner: img.Teleport.Owner, Architecture: img.Architecture}
			if !slices.Contains(s.Images, si) {
				s.Images = append(s.Images, si)
			}
		}
		add(cfg.Auth.Region, cfg.Auth.Instances.Type, cfg.Auth.TeleportVersion)
		for _, p := range cfg.ProxyRegions {
			add(p.Region, p.Instances.Type, cfg.TeleportVersion)
		}
	}
	if cfg.Backend.Type == config.BackendS3 {
		b := cfg.Backend.S3
		s.Buckets = append(s.Buckets, SeedBucket{Region: b.Region, Name: b.Bucket})
		if b.DynamoDBTable != "" {
			s.Tables = append(s.Tables, SeedTable{Region: b.Region, Name: b.DynamoDBTable})
		}
	}
	return s
}

// existingVPC lays out an existing VPC as the app requires it (its plan-time
// checks: DNS support and hostnames, one zone per subnet): its subnets cut
// from the VPC's range in order (private, then public), the private ones in
// distinct zones (the configured zones, else the region's table), the
// private route tables sharing the private subnets round robin, and public
// subnets routed to an internet gateway.
func existingVPC(region, cidr string, e *config.ExistingVPC, configured []string) SeedVPC {
	zones := config.ZonesOf(region, configured, max(len(e.PrivateSubnetIDs), len(e.PublicSubnetIDs)))
	v := SeedVPC{Region: region, ID: e.VPCID, CIDR: cidr, InternetGateway: len(e.PublicSubnetIDs) > 0}
	prefix, _ := netip.ParsePrefix(cidr)
	// /24s (or the VPC's own size split in 16) from the start of the range.
	bits := max(prefix.Bits()+4, 24)
	next := prefix.Masked().Addr()
	cut := func() string {
		p := netip.PrefixFrom(next, bits)
		// Advance by one subnet.
		a := next.As4()
		step := uint32(1) << (32 - bits)
		n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		n += step
		next = netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		return p.String()
	}
	subnet := func(i int, id string) SeedSubnet {
		sub := SeedSubnet{ID: id, CIDR: cut()}
		if len(zones) == 0 {
			sub.Zone = region + "a"
			return sub
		}
		sub.Zone, sub.ZoneID = zones[i%len(zones)].Name, zones[i%len(zones)].ID
		return sub
	}
	for i, id := range e.PrivateSubnetIDs {
		v.Subnets = append(v.Subnets, subnet(i, id))
	}
	for i, id := range e.PublicSubnetIDs {
		v.Subnets = append(v.Subnets, subnet(i, id))
	}
	for i, id := range e.PrivateRouteTableIDs {
		rt := SeedRouteTable{ID: id}
		for j, sub := range e.PrivateSubnetIDs {
			if j%len(e.PrivateRouteTableIDs) == i {
				rt.Subnets = append(rt.Subnets, sub)
			}
		}
		v.RouteTables = append(v.RouteTables, rt)
	}
	if len(e.PublicSubnetIDs) > 0 {
		ids := e.PublicRouteTableIDs
		if len(ids) == 0 {
			ids = []string{fmt.Sprintf("rtb-0%016x", len(v.Subnets))}
		}
		for i, id := range ids {
			rt := SeedRouteTable{ID: id, InternetGateway: true}
			for j, sub := range e.PublicSubnetIDs {
				if j%len(ids) == i {
					rt.Subnets = append(rt.Subnets, sub)
				}
			}
			v.RouteTables = append(v.RouteTables, rt)
		}
	}
	return v
}
