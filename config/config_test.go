package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// valid is a minimal valid config; cases below break one thing at a time.
const valid = `
cluster_name: example
domain: teleport.example.com
hosted_zone: example.com
teleport_version: "18.9.0"
license_ssm_parameter: /teleport/license
acme_email: admin@example.com
auth:
  region: us-west-2
  vpc_cidr: 10.0.0.0/16
proxy_regions:
  - region: us-west-1
    vpc_cidr: 10.1.0.0/16
  - region: eu-central-1
    vpc_cidr: 10.2.0.0/16
`

func TestParseValidAppliesDefaults(t *testing.T) {
	c, err := Parse([]byte(valid), "test")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.AgentConnectionCount != 2 || c.Edition != "enterprise" || c.Peering.Mode != "vpc" || c.Backend.Type != "local" ||
		c.FlowLogs.TrafficType != "REJECT" || c.FlowLogs.RetentionDays != 90 || c.ElasticIPQuota("us-west-2") != 5 {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c.Auth.Instances.Count != 2 || c.ProxyRegions[1].Instances.Type != DefaultInstanceType || c.ProxyRegions[0].AZCount != 2 {
		t.Errorf("instance defaults not applied: %+v", c.ProxyRegions)
	}
}

func TestExampleFileIsValid(t *testing.T) {
	if _, err := Load(filepath.Join("..", "examples", "cluster.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join("..", "testdata", "configs", "public-four-regions.yaml")); err != nil {
		t.Fatal(err)
	}
}

func TestValidationRules(t *testing.T) {
	cases := []rejectCase{
		{"unknown key", "", "colour: blue\n", "colour", "unknown key"},
		{"unknown key suggests", "acme_email:", "acme_emial:", "acme_emial", `did you mean "acme_email"`},
		{"unknown nested key", "    vpc_cidr: 10.2.0.0/16", "    vpc_cidr: 10.2.0.0/16\n    size: big", "proxy_regions[1].size", "unknown key"},
		{"missing cluster name", "cluster_name: example\n", "", "cluster_name", "is required"},
		{"missing domain", "domain: teleport.example.com\n", "", "domain", "is required"},
		{"missing hosted zone", "hosted_zone: example.com\n", "", "hosted_zone", "is required"},
		{"missing version", "teleport_version: \"18.9.0\"\n", "", "teleport_version", "is required"},
		{"missing email", "acme_email: admin@example.com\n", "", "acme_email", "is required"},
		{"bad email", "admin@example.com", "admin", "acme_email", "not an e-mail"},
		{"missing auth region", "  region: us-west-2\n", "", "auth.region", "is required"},
		{"missing proxy cidr", "    vpc_cidr: 10.1.0.0/16\n", "", "proxy_regions[0].vpc_cidr", "is required"},
		{"no proxy regions", valid[strings.Index(valid, "proxy_regions:"):], "proxy_regions: []\n", "proxy_regions", "at least one"},
		{"unknown region", "region: eu-central-1", "region: eu-middle-9", "proxy_regions[1].region", "not a commercial AWS region"},
		{"uppercase region", "region: eu-central-1", "region: EU-CENTRAL-1", "proxy_regions[1].region", `lowercase: "eu-central-1"`},
		{"duplicate proxy region", "region: eu-central-1", "region: us-west-1", "proxy_regions[1].region", "already listed at proxy_regions[0]"},
		{"malformed cidr", "10.2.0.0/16", "10.2.0/16", "proxy_regions[1].vpc_cidr", "not an IPv4 CIDR"},
		{"host bits", "10.2.0.0/16", "10.2.0.1/16", "proxy_regions[1].vpc_cidr", "did you mean 10.2.0.0/16"},
		{"overlapping cidr", "10.2.0.0/16", "10.0.128.0/17", "proxy_regions[1].vpc_cidr", "overlaps auth.vpc_cidr"},
		{"cidr too small", "10.2.0.0/16", "10.2.0.0/25", "proxy_regions[1].vpc_cidr", "/25"},
		{"cidr too large", "10.2.0.0/16", "10.0.0.0/8", "proxy_regions[1].vpc_cidr", "/8"},
		{"public cidr", "10.2.0.0/16", "8.8.0.0/16", "proxy_regions[1].vpc_cidr", "not a private"},
		{"agent connection count", "", "agent_connection_count: 1\n", "agent_connection_count", "at least 2"},
		{"invalid domain", "domain: teleport.example.com", "domain: tele_port.example.com", "domain", "invalid label"},
		{"single label domain", "domain: teleport.example.com", "domain: teleport", "domain", "at least two labels"},
		{"domain outside zone", "domain: teleport.example.com", "domain: teleport.example.org", "domain", "not inside hosted_zone"},
		{"domain at zone apex", "domain: teleport.example.com", "domain: example.com", "domain", "not inside hosted_zone"},
		{"cluster name too long", "cluster_name: example", "cluster_name: " + strings.Repeat("a", MaxClusterNameLen+1), "cluster_name", "at most 24"},
		{"cluster name charset", "cluster_name: example", "cluster_name: Example_1", "cluster_name", "lowercase letters"},
		{"cluster name trailing hyphen", "cluster_name: example", "cluster_name: example-", "cluster_name", "lowercase letters"},
		{"cluster name with -proxy-", "cluster_name: example", "cluster_name: example-proxy-eu", "cluster_name", "<cluster_name>-proxy-*"},
		{"cluster name ending in -proxy", "cluster_name: example", "cluster_name: acme-proxy", "cluster_name", "choose another name"},
		{"version not exact", `"18.9.0"`, `"17"`, "teleport_version", "MAJOR.MINOR.PATCH"},
		{"version too old", `"18.9.0"`, `"13.0.0"`, "teleport_version", "older than Teleport 15"},
		{"edition", "", "edition: premium\n", "edition", "not an edition"},
		{"enterprise needs license", "license_ssm_parameter: /teleport/license\n", "edition: enterprise\n", "license_ssm_parameter", "is required with edition: enterprise"},
		{"license without enterprise", "", "edition: oss\n", "license_ssm_parameter", "only used with edition: enterprise"},
		{"oss with several proxy regions", "license_ssm_parameter: /teleport/license\n", "edition: oss\n", "edition", "Proxy Peering is Enterprise only"},
		{"oss with public peering", "license_ssm_parameter: /teleport/license\n", "edition: oss\npeering: {mode: public}\n", "peering.mode", "edition oss does not run"},
		{"az count", "    vpc_cidr: 10.2.0.0/16", "    vpc_cidr: 10.2.0.0/16\n    az_count: 5", "proxy_regions[1].az_count", "use 2 or 3"},
		{"az count above region", "    vpc_cidr: 10.1.0.0/16", "    vpc_cidr: 10.1.0.0/16\n    az_count: 3", "proxy_regions[0].az_count", "us-west-1 has 2 zones open to every account (usw1-az1, usw1-az3)"},
		{"zone of another region", "    vpc_cidr: 10.1.0.0/16", "    vpc_cidr: 10.1.0.0/16\n    zones: [use1-az1, usw1-az3]", "proxy_regions[0].zones[0]", "AZ ID of another region"},
		{"zone name of another region", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  zones: [us-west-2a, us-east-1b]", "auth.zones[1]", "neither an AZ ID of us-west-2"},
		{"zones and count differ", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  az_count: 3\n  zones: [usw2-az1, usw2-az2]", "auth.zones", "lists 2 zones but az_count is 3"},
		{"zone twice", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  zones: [usw2-az1, usw2-az1]", "auth.zones[1]", "already listed"},
		{"zone ids and names mixed", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  zones: [usw2-az1, us-west-2b]", "auth.zones", "mixes AZ IDs and zone names"},
		{"elastic ip quota", "  vpc_cidr: 10.0.0.0/16\nproxy_regions:\n", "  vpc_cidr: 10.0.0.0/16\n  az_count: 3\nproxy_regions:\n  - region: us-west-2\n    vpc_cidr: 10.3.0.0/16\n    az_count: 3\n", "proxy_regions[0].az_count", "us-west-2 needs 6 Elastic IPs"},
		{"elastic ip quota declared too low", "", "quotas: {elastic_ips: {us-west-2: 3}}\n", "quotas.elastic_ips.us-west-2", "declare only quotas raised"},
		{"elastic ip quota raised", "", "quotas: {elastic_ips: {us-west-2: 4}}\n", "quotas.elastic_ips.us-west-2", "AWS's default of 5"},
		{"flow log retention", "", "flow_logs: {retention_days: 10}\n", "flow_logs.retention_days", "one of 1, 3, 5"},
		{"log retention", "", "logs: {retention_days: 10}\n", "logs.retention_days", "one of 1, 3, 5"},
		{"flow log traffic type", "", "flow_logs: {traffic_type: ACCEPT}\n", "flow_logs.traffic_type", "not a traffic type"},
		{"instance count", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  instances: {count: 100}", "auth.instances.count", "use 1 to 50"},
		{"more agent connections than the smallest region's proxies", "acme_email:", "agent_connection_count: 3\nacme_email:", "agent_connection_count", "is 3, more than the 2 proxies of us-west-1: an agent reaches only the proxies of its nearest region"},
		{"license key not an ARN", "acme_email:", "license_kms_key_arn: alias/license\nacme_email:", "license_kms_key_arn", `"alias/license" is not a KMS key ARN`},
		{"license key alias ARN", "acme_email:", "license_kms_key_arn: arn:aws:kms:us-west-2:123456789012:alias/license\nacme_email:", "license_kms_key_arn", "is not a KMS key ARN"},
		{"license key in another region", "acme_email:", "license_kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\nacme_email:", "license_kms_key_arn", "is a key in eu-west-1, but the license parameter is in the auth region us-west-2"},
		{"three auth servers on DynamoDB", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  instances: {count: 3}", "auth.instances.count", "is 3; at most 2 auth servers can run on DynamoDB: each one reads the cluster state's DynamoDB stream, and DynamoDB Streams serves at most two readers per shard"},
		{"instance type", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  instances: {type: big}", "auth.instances.type", "not an EC2 instance type"},
		{"volume size", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  instances: {volume_size_gib: 2}", "auth.instances.volume_size_gib", "use 8 to 16384"},
		{"wrong type int", "", "agent_connection_count: two\n", "agent_connection_count", "expected a whole number"},
		{"wrong type list", "proxy_regions:", "proxy_regions: us-west-1\nx:", "proxy_regions", "expected a list"},
		{"wrong type bool", "", "acme_staging: maybe\n", "acme_staging", "expected true or false"},
		{"auth generation too high", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  generation: 100", "auth.generation", "0 (the names of a first deploy) to 99"},
		{"auth generation negative", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  generation: -1", "auth.generation", "is -1"},
		{"backup retention too long", "", "backup: {retention_days: 40000}\n", "backup.retention_days", "keep recovery points 1 to 36500 days"},
		{"backup copy region unknown", "", "backup: {copy_region: mars-1}\n", "backup.copy_region", "not a commercial AWS region"},
		{"backup copy region is the auth region", "", "backup: {copy_region: us-west-2}\n", "backup.copy_region", "is the auth region"},
		{"restore table name", "", "restore: {state_table: \"a b\"}\n", "restore.state_table", "not a DynamoDB table name"},
		{"restore same table twice", "", "restore: {state_table: x-restored, events_table: x-restored}\n", "restore.events_table", "need tables of their own"},
		{"restore bucket name", "", "restore: {recordings_bucket: Bad_Bucket}\n", "restore.recordings_bucket", "not a valid S3 bucket name"},
		{"deletion protection not a bool", "", "deletion_protection: \"off\"\n", "deletion_protection", "expected true or false"},
		{"resource region unknown", "", "resource_regions: [mars-1]\n", "resource_regions[0].region", "not a commercial AWS region"},
		{"resource region duplicate", "", "resource_regions: [us-east-1, us-east-1]\n", "resource_regions[1].region", "already listed"},
		{"resource override unknown", "", "resource_regions: [{region: us-east-1, proxy_region: ap-south-1}]\n", "resource_regions[0].proxy_region", "not one of proxy_regions"},
		{"peering mode", "", "peering: {mode: tunnel}\n", "peering.mode", "not a peering mode"},
		{"hosted zone id", "", "hosted_zone_id: abc\n", "hosted_zone_id", "not a Route 53 zone id"},
		{"ami id", "", "ami: {ids: {us-west-2: ami-xyz}}\n", "ami.ids.us-west-2", "not an AMI id"},
		{"ami region unused", "", "ami: {ids: {ap-south-1: ami-0123456789abcdef0}}\n", "ami.ids.ap-south-1", "neither the auth region"},
		{"ami ssm", "", "ami: {ssm_parameter: latest}\n", "ami.ssm_parameter", "not an SSM parameter path"},
		{"backend type", "", "backend: {type: consul}\n", "backend.type", "not a backend"},
		{"s3 backend missing", "", "backend: {type: s3}\n", "backend.s3", "is required with backend.type: s3"},
		{"s3 backend no lock", "", "backend: {type: s3, s3: {bucket: my-state, region: us-west-2}}\n", "backend.s3", "no state locking"},
		{"s3 backend bad bucket", "", "backend: {type: s3, s3: {bucket: My_State, region: us-west-2, use_lockfile: true}}\n", "backend.s3.bucket", "not a valid S3 bucket name"},
		{"s3 with local", "", "backend: {s3: {bucket: my-state, region: us-west-2}}\n", "backend.s3", "only used with backend.type: s3"},
		{"reserved tag", "", "tags: {\"aws:owner\": me}\n", `tags."aws:owner"`, "reserved by AWS"},
		{"duplicate key", "", "cluster_name: other\n", "cluster_name", "set twice"},
	}
	checkRejects(t, cases)
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope.yaml"), "not found"},
		{"empty", write("empty.yaml", "  \n"), "is empty"},
		{"bad yaml", write("bad.yaml", "cluster_name: [unclosed\n"), "not valid YAML"},
		{"not a mapping", write("list.yaml", "- a\n- b\n"), "must be a mapping"},
		{"two documents", write("two.yaml", valid+"---\n"+valid), "more than one YAML document"},
		{"huge", write("huge.yaml", "# "+strings.Repeat("x", MaxFileBytes)+"\n"), "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestNearestRegion(t *testing.T) {
	proxies := []string{"us-west-1", "eu-central-1", "ap-southeast-1"}
	cases := map[string]string{
		"us-east-1":    "us-west-1",
		"ca-central-1": "us-west-1",
		// Sao Paulo is nearer Frankfurt than California as the crow flies;
		// a config that prefers another route sets proxy_region.
		"sa-east-1":      "eu-central-1",
		"eu-west-1":      "eu-central-1",
		"me-south-1":     "eu-central-1",
		"af-south-1":     "eu-central-1",
		"ap-south-1":     "ap-southeast-1",
		"ap-southeast-2": "ap-southeast-1",
		"ap-northeast-1": "ap-southeast-1",
		"us-west-1":      "us-west-1",
	}
	for from, want := range cases {
		got, _, ok := NearestRegion(from, proxies)
		if !ok || got != want {
			t.Errorf("NearestRegion(%s) = %s; want %s", from, got, want)
		}
	}
}

func TestLatencyRoutesHonourOverride(t *testing.T) {
	c, err := Parse([]byte(valid+"resource_regions: [ap-south-1, {region: us-east-1, proxy_region: eu-central-1}]\n"), "t")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range c.LatencyRoutes() {
		got[r.Region] = r.ProxyRegion
	}
	want := map[string]string{"us-west-1": "us-west-1", "eu-central-1": "eu-central-1", "ap-south-1": "eu-central-1", "us-east-1": "eu-central-1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("route %s -> %s; want %s", k, got[k], v)
		}
	}
}

// A raised Elastic IP quota, declared in the config, admits a region whose
// NAT gateways exceed the default of 5.
func TestDeclaredElasticIPQuota(t *testing.T) {
	doc := strings.Replace(valid, "  vpc_cidr: 10.0.0.0/16\nproxy_regions:\n",
		"  vpc_cidr: 10.0.0.0/16\n  az_count: 3\nproxy_regions:\n  - region: us-west-2\n    vpc_cidr: 10.3.0.0/16\n    az_count: 3\n", 1)
	if _, err := Parse([]byte(doc+"quotas: {elastic_ips: {us-west-2: 10}}\n"), "t"); err != nil {
		t.Fatal(err)
	}
	// Proxies peering over public addresses need no NAT gateway.
	if _, err := Parse([]byte(doc+"peering: {mode: public}\n"), "t"); err != nil {
		t.Fatal(err)
	}
}

// Zones come from the region table or the config, never from AWS at apply
// time; names and IDs are passed through as written.
func TestZones(t *testing.T) {
	cases := []struct {
		region     string
		configured []string
		count      int
		want       string
	}{
		{"us-east-1", nil, 3, "[use1-az1 use1-az2 use1-az4]"},
		{"us-west-1", nil, 2, "[usw1-az1 usw1-az3]"},
		{"eu-central-1", nil, 2, "[euc1-az1 euc1-az2]"},
		{"us-west-2", []string{"usw2-az4", "usw2-az2"}, 2, "[usw2-az4 usw2-az2]"},
		{"us-west-2", []string{"us-west-2c", "us-west-2a"}, 2, "[us-west-2c us-west-2a]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(ZonesOf(c.region, c.configured, c.count)); got != c.want {
			t.Errorf("ZonesOf(%s, %v, %d) = %s; want %s", c.region, c.configured, c.count, got, c.want)
		}
	}
	for _, name := range RegionNames() {
		r, _ := LookupRegion(name)
		if r.AZs() < 2 || r.zoneIDPrefix() == "" {
			t.Errorf("%s: zone table %v", name, r.ZoneIDs)
		}
		for _, id := range r.ZoneIDs {
			if z, why := parseZone(r, id); why != "" || z.ID != id {
				t.Errorf("%s: default zone %s does not parse: %s", name, id, why)
			}
		}
	}
}

// Every region of the table has two transit gateway ASNs (auth, proxy),
// private, and all of them distinct.
func TestTransitGatewayASNs(t *testing.T) {
	seen := map[int64]string{}
	for _, region := range RegionNames() {
		for _, auth := range []bool{false, true} {
			asn, err := TransitGatewayASN(region, auth)
			if err != nil {
				t.Fatal(err)
			}
			if asn < 4200000000 || asn > 4294967294 {
				t.Errorf("%s: ASN %d is not a private 32-bit ASN", region, asn)
			}
			key := fmt.Sprint(region, auth)
			if prev, dup := seen[asn]; dup {
				t.Errorf("ASN %d of %s is also %s's", asn, key, prev)
			}
			seen[asn] = key
		}
	}
	if asn, _ := TransitGatewayASN("us-west-2", true); asn != 4200909021 {
		t.Errorf("us-west-2 auth ASN = %d; the formula changed, which would replace deployed transit gateways", asn)
	}
}

// Version pairs of auth servers and proxies: Teleport upgrades the Auth
// Service first, and a proxy may be at most one major version behind.
func TestVersionSkew(t *testing.T) {
	cases := []struct {
		auth, proxy string
		path, want  string // want "" = accepted
	}{
		{"17.4.8", "17.4.8", "", ""},
		{"17.5.0", "17.4.8", "", ""},
		{"18.0.1", "17.4.8", "", ""},
		{"17.4.9", "17.4.8", "", ""},
		{"17.4.8", "17.4.9", "teleport_version", `proxies would run 17.4.9, newer than the auth servers' 17.4.8: Teleport upgrades the Auth Service first; set auth.teleport_version: "17.4.9", deploy, then raise teleport_version`},
		{"17.4.8", "18.0.0", "teleport_version", "newer than the auth servers' 17.4.8"},
		{"19.0.0", "17.4.8", "teleport_version", "2 major versions behind the auth servers' 19.0.0; Teleport supports one, and upgrades one major at a time: set auth.teleport_version to a release of 18, deploy"},
		{"17.x", "17.4.8", "auth.teleport_version", "must be an exact release"},
		{"14.3.0", "14.3.0", "teleport_version", "older than Teleport 15"},
	}
	for _, c := range cases {
		doc := strings.Replace(valid, `teleport_version: "18.9.0"`, `teleport_version: "`+c.proxy+`"`, 1)
		doc = strings.Replace(doc, "  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  teleport_version: \""+c.auth+"\"\n", 1)
		cfg, err := Parse([]byte(doc), "t")
		if c.want == "" {
			if err != nil {
				t.Errorf("auth %s, proxies %s: %v", c.auth, c.proxy, err)
			} else if cfg.Auth.TeleportVersion != c.auth || cfg.TeleportVersion != c.proxy {
				t.Errorf("versions %s/%s", cfg.Auth.TeleportVersion, cfg.TeleportVersion)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), ": "+c.path+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("auth %s, proxies %s: got %v; want %s: ...%s", c.auth, c.proxy, err, c.path, c.want)
		}
	}
	// Without auth.teleport_version both run teleport_version.
	cfg, err := Parse([]byte(valid), "t")
	if err != nil || cfg.Auth.TeleportVersion != "18.9.0" {
		t.Errorf("default auth version: %v %v", cfg, err)
	}
}

// Every problem carries the file, line and column of its value; problems of
// structure (duplicate or unknown keys, wrong types) do not hide the others.
func TestProblemsCarryPositions(t *testing.T) {
	doc := strings.Replace(valid, "    vpc_cidr: 10.1.0.0/16", "    vpc_cidr: 10.1.0.0/33", 1) +
		"domain: other.example.com\n" + "agent_connection_count: 0\n" + "colour: blue\n" + "auth_x: 1\n"
	_, err := Parse([]byte(doc), "cluster.yaml")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"cluster.yaml:13:15: proxy_regions[0].vpc_cidr: \"10.1.0.0/33\" is not an IPv4 CIDR",
		"cluster.yaml:16:1: domain: set twice",
		"cluster.yaml:17:25: agent_connection_count: is 0, which is never valid here",
		"cluster.yaml:18:1: colour: unknown key",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	// A missing required key is reported at the mapping that lacks it.
	_, err = Parse([]byte(strings.Replace(valid, "    vpc_cidr: 10.2.0.0/16\n", "", 1)), "c.yaml")
	if err == nil || !strings.Contains(err.Error(), "c.yaml:14:5: proxy_regions[1].vpc_cidr: is required") {
		t.Errorf("missing key: %v", err)
	}
}

// An explicit 0 is an error, never silently the default.
func TestExplicitZero(t *testing.T) {
	for _, set := range []string{"agent_connection_count: 0\n", "auth: {region: us-west-2, vpc_cidr: 10.0.0.0/16, az_count: 0}\n",
		"flow_logs: {retention_days: 0}\n"} {
		doc := valid
		if strings.HasPrefix(set, "auth:") {
			doc = strings.Replace(doc, "auth:\n  region: us-west-2\n  vpc_cidr: 10.0.0.0/16\n", set, 1)
		} else {
			doc += set
		}
		if _, err := Parse([]byte(doc), "t"); err == nil || !strings.Contains(err.Error(), "is 0, which is never valid here") {
			t.Errorf("%q: %v", set, err)
		}
	}
	c, err := Parse([]byte(valid), "t")
	if err != nil || c.AgentConnectionCount != 2 {
		t.Errorf("defaults: %v", err)
	}
}

// Empty and comment-only files say so and show a minimal config.
func TestEmptyFileShowsMinimalConfig(t *testing.T) {
	for _, doc := range []string{"", "  \n", "# just a comment\n# and another\n", "---\n"} {
		_, err := Parse([]byte(doc), "e.yaml")
		if err == nil || !strings.Contains(err.Error(), "is empty") || !strings.Contains(err.Error(), "cluster_name: example") {
			t.Errorf("%q: %v", doc, err)
		}
	}
	if _, err := Parse([]byte(minimalConfig), "minimal"); err != nil {
		t.Errorf("the minimal config shown is invalid: %v", err)
	}
}

// A region listed both as a proxy region and a resource region is accepted:
// its own proxies serve it, and a note says so once.
func TestProxyRegionAlsoResourceRegion(t *testing.T) {
	c, err := Parse([]byte(valid+"resource_regions: [us-west-1, us-east-1]\n"), "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notes()) != 1 || !strings.Contains(c.Notes()[0], "us-west-1 is also a proxy region") {
		t.Errorf("notes: %q", c.Notes())
	}
	n := 0
	for _, r := range c.LatencyRoutes() {
		if r.Region == "us-west-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d routes for us-west-1; want its own only", n)
	}
}

// The committed schema is what the Go types and their doc comments give:
// run make schema after changing them.
// A schema override or required list naming a path that is no field of
// the config fails the generation (a renamed field must keep its bounds).
func TestSchemaOverridesNameFields(t *testing.T) {
	extras := schemaExtras()
	extras["proxy_regions[].instance_count"] = map[string]any{"minimum": 1}
	if _, err := schemaFor(nil, extras); err == nil || !strings.Contains(err.Error(), `"proxy_regions[].instance_count", which is no field`) {
		t.Errorf("bogus override accepted: %v", err)
	}
	if _, err := schemaFor(nil, schemaExtras()); err != nil {
		t.Error(err)
	}
}

// The schema's bounds and enumerations are the validator's: a value just
// outside each bound is rejected by both.
func TestSchemaAndValidatorAgree(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(SchemaFile, &schema); err != nil {
		t.Fatal(err)
	}
	at := func(path ...string) map[string]any {
		var v any = schema
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		return v.(map[string]any)
	}
	vol := at("properties", "auth", "properties", "instances", "properties", "volume_size_gib")
	if vol["minimum"] != float64(MinVolumeSizeGiB) || vol["maximum"] != float64(MaxVolumeSizeGiB) {
		t.Errorf("volume bounds in the schema: %v", vol)
	}
	if m := at("properties", "agent_connection_count")["minimum"]; m != float64(MinAgentConnectionCount) {
		t.Errorf("agent_connection_count minimum %v", m)
	}
	if e := fmt.Sprint(at("properties", "flow_logs", "properties", "traffic_type")["enum"]); e != fmt.Sprint(FlowLogTrafficTypes) {
		t.Errorf("traffic types %s", e)
	}
	for _, c := range []struct{ set, path string }{
		{fmt.Sprintf("agent_connection_count: %d\n", MinAgentConnectionCount-1), "agent_connection_count"},
		{fmt.Sprintf("flow_logs: {traffic_type: %s}\n", "ACCEPT"), "flow_logs.traffic_type"},
	} {
		if _, err := Parse([]byte(valid+c.set), "t"); err == nil || !strings.Contains(err.Error(), c.path+": ") {
			t.Errorf("%q: %v", c.set, err)
		}
	}
	doc := strings.Replace(valid, "  vpc_cidr: 10.0.0.0/16\n", fmt.Sprintf("  vpc_cidr: 10.0.0.0/16\n  instances: {volume_size_gib: %d}\n", MaxVolumeSizeGiB+1), 1)
	if _, err := Parse([]byte(doc), "t"); err == nil || !strings.Contains(err.Error(), "auth.instances.volume_size_gib: ") {
		t.Errorf("volume above the bound: %v", err)
	}
}

func TestSchemaUpToDate(t *testing.T) {
	docs, err := FieldDocs(".")
	if err != nil {
		t.Fatal(err)
	}
	want, err := SchemaFor(docs)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(SchemaFile) {
		t.Error("config/cluster.schema.json is out of date with the Go types: run make schema")
	}
	var schema struct {
		Properties map[string]struct {
			Description string `json:"description"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(SchemaFile, &schema); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"cluster_name", "proxy_regions", "connectivity", "alerts"} {
		if schema.Properties[key].Description == "" {
			t.Errorf("%s has no description", key)
		}
	}
	// Descriptions name fields by their YAML keys: no compound Go field
	// name (TeleportVersion, SSMParameter) appears in any of them.
	var compound []string
	for goName, key := range goFieldKeys() {
		if upper := strings.Count(strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return 'A'
			}
			return -1
		}, goName), "A"); upper >= 2 && strings.ToUpper(goName) != goName && goName != key {
			compound = append(compound, goName)
		}
	}
	if len(compound) < 10 {
		t.Fatalf("only %d compound Go names: %v", len(compound), compound)
	}
	for _, d := range regexp.MustCompile(`"description": "([^"\\]|\\.)*"`).FindAll(SchemaFile, -1) {
		for _, name := range compound {
			if regexp.MustCompile(`\b` + name + `\b`).Match(d) {
				t.Errorf("the Go name %s in %s", name, d)
			}
		}
	}
	// The example starts with the line that lets editors use the schema.
	example, _ := os.ReadFile(filepath.Join("..", "examples", "cluster.yaml"))
	if !strings.HasPrefix(string(example), "# yaml-language-server: $schema=../config/cluster.schema.json\n") {
		t.Error("examples/cluster.yaml does not name the schema")
	}
}

// rejectCase is a config that must be refused: valid with from replaced by
// to (to appended when from is ""), refused with a problem at path whose
// message contains inMsg.
type rejectCase struct {
	name        string
	from, to    string
	path, inMsg string
}

// checkRejects parses each case's config and requires its problem.
func checkRejects(t *testing.T, cases []rejectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := valid + tc.to
			if tc.from != "" {
				if !strings.Contains(valid, tc.from) {
					t.Fatalf("test setup: %q not in the valid config", tc.from)
				}
				doc = strings.Replace(valid, tc.from, tc.to, 1)
			}
			_, err := Parse([]byte(doc), "test.yaml")
			if err == nil {
				t.Fatalf("accepted; want an error at %s", tc.path)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.Contains(line, ": "+tc.path+": ") && strings.Contains(line, tc.inMsg) {
					return
				}
			}
			t.Errorf("error does not name %s with %q:\n%v", tc.path, tc.inMsg, err)
		})
	}
}

// A zone keeps the slot the previous output gave it, whatever its position;
// a new zone takes the lowest slot no zone of the previous output held;
// without a previous output, zone i is in slot i (the positional layout).
func TestZoneSlots(t *testing.T) {
	slots := func(zs []Zone) string {
		var parts []string
		for _, z := range zs {
			parts = append(parts, fmt.Sprintf("%s:%d", z, z.Slot))
		}
		return strings.Join(parts, " ")
	}
	cases := []struct {
		name       string
		configured []string
		count      int
		previous   map[string]int
		want       string
	}{
		{"no previous output", nil, 3, nil, "usw2-az1:0 usw2-az2:1 usw2-az3:2"},
		{"unchanged", nil, 2, map[string]int{"usw2-az1": 0, "usw2-az2": 1}, "usw2-az1:0 usw2-az2:1"},
		{"az_count up", nil, 3, map[string]int{"usw2-az1": 0, "usw2-az2": 1}, "usw2-az1:0 usw2-az2:1 usw2-az3:2"},
		{"reordered", []string{"usw2-az2", "usw2-az1"}, 2, map[string]int{"usw2-az1": 0, "usw2-az2": 1}, "usw2-az2:1 usw2-az1:0"},
		{"middle zone removed", []string{"usw2-az1", "usw2-az3"}, 2, map[string]int{"usw2-az1": 0, "usw2-az2": 1, "usw2-az3": 2}, "usw2-az1:0 usw2-az3:2"},
		{"added after a removal", []string{"usw2-az1", "usw2-az3", "usw2-az4"}, 3, map[string]int{"usw2-az1": 0, "usw2-az3": 2}, "usw2-az1:0 usw2-az3:2 usw2-az4:1"},
		// The refused case (added and removed at once) still never reuses
		// a block the removed zone's subnets hold.
		{"added and removed at once", []string{"usw2-az1", "usw2-az4"}, 2, map[string]int{"usw2-az1": 0, "usw2-az2": 1}, "usw2-az1:0 usw2-az4:2"},
	}
	for _, c := range cases {
		if got := slots(zonesOf("us-west-2", c.configured, c.count, c.previous)); got != c.want {
			t.Errorf("%s: %s; want %s", c.name, got, c.want)
		}
	}
	cfg, err := Parse([]byte(strings.Replace(minimalConfig, "vpc_cidr: 10.1.0.0/16}", "vpc_cidr: 10.1.0.0/16, zones: [usw1-az3, usw1-az1]}", 1)), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RememberZoneSlots("us-west-1", map[string]int{"usw1-az1": 0, "usw1-az3": 1})
	cfg.RememberZoneSlots("auth", map[string]int{"usw2-az2": 0, "usw2-az1": 1})
	if got := slots(cfg.ProxyRegions[0].ZoneList()); got != "usw1-az3:1 usw1-az1:0" {
		t.Errorf("proxy zones %s", got)
	}
	if got := slots(cfg.Auth.ZoneList()); got != "usw2-az1:1 usw2-az2:0" {
		t.Errorf("auth zones %s", got)
	}
}

// Refuse reports problems found outside the config at the field's line and
// column, or at the mapping that would hold a field left out.
func TestRefuseLocatesFields(t *testing.T) {
	cfg, err := Parse([]byte(strings.Replace(minimalConfig, "vpc_cidr: 10.1.0.0/16}", "vpc_cidr: 10.1.0.0/16, zones: [usw1-az3, usw1-az1]}", 1)), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Refuse([]FieldError{
		{Path: "proxy_regions[0].zones", Msg: "zones problem"},
		{Path: "auth.vpc_cidr", Msg: "range problem"},
		{Path: "auth.az_count", Msg: "count problem"},
	})
	want := "c.yaml: 3 problems:\n" +
		"  c.yaml:7:7: auth.az_count: count problem\n" +
		"  c.yaml:7:37: auth.vpc_cidr: range problem\n" +
		"  c.yaml:9:55: proxy_regions[0].zones: zones problem"
	if err == nil || err.Error() != want {
		t.Errorf("Refuse:\n%v\nwant:\n%s", err, want)
	}
	if cfg.Refuse(nil) != nil {
		t.Error("Refuse(nil) is an error")
	}
}
