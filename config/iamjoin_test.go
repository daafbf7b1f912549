package config

import (
	"strings"
	"testing"
)

// A proxy region whose STS endpoint the auth release does not accept for
// IAM joins is refused at the region, naming the first releases that do;
// the auth servers' release is the one that counts; retired regions
// deploy no proxies.
func TestIAMJoinRegions(t *testing.T) {
	cases := []struct {
		region, proxy, auth string
		retired             bool
		want                string // "" = accepted
	}{
		{"ap-southeast-5", "18.9.0", "", false, ""},
		{"ap-southeast-5", "18.6.4", "", false, ""},
		{"ap-southeast-5", "18.6.3", "", false, `proxy_regions[1].region: "ap-southeast-5": proxies there could never join the cluster: they join the auth servers by IAM, and auth servers at Teleport 18.6.3 refuse IAM joins from ap-southeast-5 (gravitational/teleport#62593; CHANGELOG 17.7.13 and 18.6.4: "Added IAM joining support from new AWS regions in asia"); the first releases that accept them are 18.6.4: raise auth.teleport_version`},
		{"ap-southeast-7", "17.7.12", "", false, "the first releases that accept them are 17.7.13 or 18.6.4"},
		{"ap-southeast-7", "17.7.13", "", false, ""},
		{"ap-southeast-5", "16.5.18", "", false, "auth servers at Teleport 16.5.18 refuse IAM joins from ap-southeast-5"},
		{"ap-southeast-5", "17.7.12", "18.6.4", false, ""},
		{"ap-southeast-5", "18.6.3", "", true, ""},
		{"ap-southeast-5", "18.9.0", "19.0.0", false, ""},
		{"mx-central-1", "18.9.0", "", false, `proxy_regions[1].region: "mx-central-1": proxies there could never join the cluster: they join the auth servers by IAM, and no Teleport release checked accepts IAM joins from mx-central-1`},
		{"ap-southeast-4", "15.5.3", "", false, ""},
		{"ca-west-1", "15.5.3", "", false, ""},
		{"il-central-1", "15.5.3", "", false, ""},
	}
	for _, c := range cases {
		doc := strings.Replace(withVersions("enterprise", c.proxy, c.auth), "region: eu-central-1", "region: "+c.region, 1)
		if c.retired {
			doc = strings.Replace(doc, "    vpc_cidr: 10.2.0.0/16\n", "    vpc_cidr: 10.2.0.0/16\n    retired: true\n", 1)
		}
		_, err := Parse([]byte(doc), "t")
		if c.want == "" {
			if err != nil {
				t.Errorf("%s at %s/%s: %v", c.region, c.proxy, c.auth, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), "\n  t:") != 1 {
			t.Errorf("%s at %s/%s: got %v; want one problem containing %q", c.region, c.proxy, c.auth, err, c.want)
		}
	}
}

// Every region of the IAM join table is one the app deploys to, with its
// source; the releases are on lines the app accepts.
func TestIAMJoinTable(t *testing.T) {
	for _, j := range IAMJoinRegions {
		if _, ok := LookupRegion(j.Region); !ok || j.Source == "" {
			t.Errorf("%s: not a region of the table, or no source", j.Region)
		}
		for major, v := range j.Since {
			if _, ok := LineOf(major); !ok || v.Major != major {
				t.Errorf("%s: %d: %s", j.Region, major, v)
			}
		}
	}
}

// The regions proxies can run in are the table's, less those no release
// accepts IAM joins from; every one of them validates as a proxy region at
// the default release.
func TestJoinableRegionNames(t *testing.T) {
	names := JoinableRegionNames()
	if len(names) != len(RegionNames())-1 || strings.Contains(strings.Join(names, " "), "mx-central-1") {
		t.Errorf("joinable regions %v", names)
	}
	auth := mustVersion(DefaultTeleportVersion)
	for _, name := range names {
		if msg := iamJoinProblem(name, auth); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
}
