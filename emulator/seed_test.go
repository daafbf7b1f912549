package emulator

import (
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

func load(t *testing.T, rel string) *config.Cluster {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSeedOfTheExample(t *testing.T) {
	s := SeedFor(load(t, "examples/cluster.yaml"))
	if len(s.HostedZones) != 1 || s.HostedZones[0].Name != "example.com" {
		t.Errorf("zones = %+v", s.HostedZones)
	}
	if len(s.SSMParameters) != 1 || s.SSMParameters[0] != (SeedParameter{Region: "us-west-2", Name: "/teleport/example/license", Type: "SecureString", Value: s.SSMParameters[0].Value}) {
		t.Errorf("parameters = %+v", s.SSMParameters)
	}
	if len(s.VPCs)+len(s.Images)+len(s.Buckets)+len(s.Tables) != 0 {
		t.Errorf("the example needs no VPC, image, bucket or table: %+v", s)
	}
}

// Every id an existing_vpc names exists in the seed, in its VPC's range,
// one subnet per zone round robin, no two subnets overlapping, and every
// subnet in one route table.
func TestSeedOfExistingVPCs(t *testing.T) {
	for _, rel := range []string{"testdata/configs/existing-vpc.yaml", "testdata/configs/existing-vpc-tgw.yaml"} {
		cfg := load(t, rel)
		s := SeedFor(cfg)
		want := 0
		if cfg.Auth.ExistingVPC != nil {
			want++
		}
		for _, p := range cfg.ProxyRegions {
			if p.ExistingVPC != nil {
				want++
			}
		}
		if len(s.VPCs) != want || want == 0 {
			t.Fatalf("%s: %d VPCs seeded, want %d", rel, len(s.VPCs), want)
		}
		for _, v := range s.VPCs {
			vpc := netip.MustParsePrefix(v.CIDR)
			var subnets []netip.Prefix
			routed := map[string]int{}
			for _, rt := range v.RouteTables {
				for _, id := range rt.Subnets {
					routed[id]++
				}
			}
			// The app's plan-time check: the private subnets are in
			// distinct zones.
			zonesUsed := map[string]bool{}
			for _, sub := range v.Subnets[:privateCount(cfg, v.ID)] {
				zonesUsed[sub.Zone+"/"+sub.ZoneID] = true
			}
			if len(zonesUsed) != privateCount(cfg, v.ID) {
				t.Errorf("%s: %d private subnets in %d zones", rel, privateCount(cfg, v.ID), len(zonesUsed))
			}
			for _, sub := range v.Subnets {
				p := netip.MustParsePrefix(sub.CIDR)
				if !vpc.Contains(p.Addr()) || p.Bits() < vpc.Bits() {
					t.Errorf("%s: subnet %s %s outside %s", rel, sub.ID, sub.CIDR, v.CIDR)
				}
				for _, o := range subnets {
					if o.Overlaps(p) {
						t.Errorf("%s: subnet %s overlaps %s", rel, p, o)
					}
				}
				subnets = append(subnets, p)
				if sub.ZoneID == "" && !strings.HasPrefix(sub.Zone, v.Region) {
					t.Errorf("%s: subnet %s in zone %s of another region than %s", rel, sub.ID, sub.Zone, v.Region)
				}
				if routed[sub.ID] != 1 {
					t.Errorf("%s: subnet %s in %d route tables", rel, sub.ID, routed[sub.ID])
				}
			}
		}
	}
}

// privateCount is the number of private subnets the config names for vpc.
func privateCount(cfg *config.Cluster, vpc string) int {
	if e := cfg.Auth.ExistingVPC; e != nil && e.VPCID == vpc {
		return len(e.PrivateSubnetIDs)
	}
	for _, p := range cfg.ProxyRegions {
		if p.ExistingVPC != nil && p.ExistingVPC.VPCID == vpc {
			return len(p.ExistingVPC.PrivateSubnetIDs)
		}
	}
	return 0
}

func TestSeedOfTeleportImages(t *testing.T) {
	cfg := load(t, "testdata/configs/teleport-images.yaml")
	s := SeedFor(cfg)
	if len(s.Images) == 0 {
		t.Fatal("no image seeded for ami.source teleport")
	}
	for _, img := range s.Images {
		if img.Owner != config.TeleportAMIOwner {
			t.Errorf("%s: owner %s", img.Name, img.Owner)
		}
		// The name the app's data source looks up must find it.
		found := cfg.ImageFor(img.Region, "m6i.large", cfg.TeleportVersion).Teleport
		if found == nil {
			t.Fatal("no Teleport image lookup")
		}
		prefix := strings.TrimSuffix(found.NameFilter, "*")
		if !strings.HasPrefix(img.Name, prefix) || !regexp.MustCompile(found.NameRegex).MatchString(img.Name) {
			t.Errorf("%s does not match the filter %s and the regex %s", img.Name, found.NameFilter, found.NameRegex)
		}
	}
	var archs []string
	for _, img := range s.Images {
		archs = append(archs, img.Architecture)
	}
	if !slices.Contains(archs, "arm64") || !slices.Contains(archs, "x86_64") {
		t.Errorf("architectures %v: the config has x86_64 and Graviton groups", archs)
	}
}

func TestSeedKeepsTheConfiguredZoneID(t *testing.T) {
	s := SeedFor(load(t, "testdata/configs/public-four-regions.yaml"))
	if len(s.HostedZones) != 1 || s.HostedZones[0].ID != "Z0123456789ABCDEFGHIJ" || s.HostedZones[0].Name != "globex.example.com" {
		t.Errorf("zones = %+v, want globex.example.com under its configured id", s.HostedZones)
	}
}
