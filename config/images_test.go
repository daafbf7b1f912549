package config

import (
	"regexp"
	"strings"
	"testing"
)

// Graviton types (AWS's Graviton list: C6g[d], M6g[d], R6g[d], T4g, X2gd,
// C6gn, I4g, Im4gn, Is4gen, G5g, C7g[d][n], M7g[d], R7g[d], R8g, plus A1)
// are arm64; everything else, GPU families starting with g included, is
// x86_64.
func TestArchitecture(t *testing.T) {
	arm := []string{"a1.large", "t4g.medium", "m6g.large", "m6gd.xlarge", "m7g.large", "m7gd.2xlarge", "m8g.large",
		"c6g.large", "c6gn.large", "c7g.large", "c7gd.large", "c7gn.large", "c8g.large", "r6g.large", "r7g.large", "r7gd.large", "r8g.large",
		"x2gd.large", "i4g.large", "im4gn.large", "is4gen.large", "g5g.xlarge", "hpc7g.4xlarge"}
	x86 := []string{"m6i.large", "m5.large", "m6a.large", "m7i-flex.large", "c5n.large", "t3.micro", "t3a.small", "r5dn.large",
		"g4dn.xlarge", "g5.xlarge", "g6e.xlarge", "gr6.4xlarge", "x2iedn.xlarge", "z1d.large", "i3en.large", "u-6tb1.metal", "inf2.xlarge", "p4d.24xlarge"}
	for _, typ := range arm {
		if got := Architecture(typ); got != ArchARM {
			t.Errorf("Architecture(%s) = %s; want arm64", typ, got)
		}
	}
	for _, typ := range x86 {
		if got := Architecture(typ); got != ArchX86 {
			t.Errorf("Architecture(%s) = %s; want x86_64", typ, got)
		}
	}
}

func TestImageFor(t *testing.T) {
	c, err := Parse([]byte(valid+"ami: {ids: {us-west-1: ami-0123456789abcdef0}}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		region, typ string
		want        Image
	}{
		{"us-west-2", "m6i.large", Image{SSMParameter: DefaultAMISSMParameter, Architecture: ArchX86}},
		{"us-west-2", "m7g.large", Image{SSMParameter: DefaultAMISSMParameterARM64, Architecture: ArchARM}},
		{"us-west-1", "m7g.large", Image{ID: "ami-0123456789abcdef0", Architecture: ArchARM}},
	}
	for _, tc := range cases {
		if got := c.ImageFor(tc.region, tc.typ, "18.9.0"); got.Teleport != nil || got != tc.want {
			t.Errorf("ImageFor(%s, %s) = %+v; want %+v", tc.region, tc.typ, got, tc.want)
		}
	}

	c, err = Parse([]byte(valid+"ami: {source: teleport}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	img := c.ImageFor("us-west-2", "m7g.large", "18.9.0")
	if img.Teleport == nil || img.Teleport.Owner != "146628656107" || img.Teleport.NameFilter != "teleport-ent-18.9.0-*" || img.Architecture != ArchARM {
		t.Fatalf("teleport image = %+v %+v", img, img.Teleport)
	}
	re := regexp.MustCompile(img.Teleport.NameRegex)
	for name, want := range map[string]bool{
		"teleport-ent-18.9.0-arm64": true, "teleport-ent-18.9.0-x86_64": true,
		"teleport-ent-18.9.0-arm64-fips": false, "teleport-ent-18.9.00-arm64": false, "teleport-ent-17x7.16-arm64": false,
		"teleport-oss-18.9.0-arm64": false,
	} {
		if re.MatchString(name) != want {
			t.Errorf("name regex %s matches %s: %v; want %v", img.Teleport.NameRegex, name, !want, want)
		}
	}
	oss := strings.Replace(valid, "license_ssm_parameter: /teleport/license\n", "edition: oss\n", 1)
	oss = oss[:strings.Index(oss, "  - region: eu-central-1")] + "ami: {source: teleport}\n"
	c, err = Parse([]byte(oss), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ImageFor("us-west-2", "m6i.large", "18.9.0").Teleport.NameFilter; got != "teleport-oss-18.9.0-*" {
		t.Errorf("OSS image name filter %s", got)
	}
}

func TestImageSourceErrors(t *testing.T) {
	cases := []struct{ name, add, path, inMsg string }{
		{"unknown source", "ami: {source: marketplace}\n", "ami.source", "not an image source"},
		{"teleport with ids", "ami: {source: teleport, ids: {us-west-2: ami-0123456789abcdef0}}\n", "ami.ids", "ami.source: teleport does not use"},
		{"teleport with ssm", "ami: {source: teleport, ssm_parameter: /my/images/x86_64}\n", "ami.ssm_parameter", "not used with ami.source: teleport"},
		{"x86 parameter for a Graviton group", "ami: {ssm_parameter: /my/images/al2023-x86_64}\n", "ami.ssm_parameter", "is an arm64 instance type"},
		{"region without Teleport AMIs", "ami: {source: teleport}\n", "proxy_regions[1].region", "af-south-1 has no Teleport AMI"},
		{"arm64 parameter for an x86 group", "ami: {ssm_parameter: /my/images/arm64}\n", "ami.ssm_parameter", "is an x86_64 instance type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := valid + tc.add
			if strings.Contains(tc.name, "without Teleport") {
				doc = strings.Replace(valid, "region: eu-central-1", "region: af-south-1", 1) + tc.add
			}
			if strings.Contains(tc.name, "Graviton") {
				doc = strings.Replace(valid, "  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  instances: {type: m7g.large}\n", 1) + tc.add
			}
			wantProblem(t, doc, tc.path, tc.inMsg)
		})
	}
}
