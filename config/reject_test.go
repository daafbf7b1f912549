package config

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Configs that can never deploy are rejected before any synth, each with
// the field and the fix (issue 19.6). Each case changes the valid config
// in one place and names the problem's path and a part of its message.
func TestRejectUndeployable(t *testing.T) {
	manyTags := "tags:\n"
	for i := 0; i <= MaxUserTags; i++ {
		manyTags += fmt.Sprintf("  t%d: v\n", i)
	}
	cases := []rejectCase{
		{"bare dash list item", "  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "  -\n", "proxy_regions[1]", "empty list item (a bare - or null); remove the line, or comment out the whole entry including its -"},
		{"null list item", "  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "  - null\n", "proxy_regions[1]", "empty list item"},
		{"null resource region", "", "resource_regions: [us-east-1, ~]\n", "resource_regions[1]", "empty list item"},
		{"CloudFormation tag", "domain: teleport.example.com", "domain: !Ref Domain", "domain", "YAML tag !Ref, which this config does not use"},
		{"tag on a mapping", "auth:\n", "auth: !GetAtt\n", "auth", "YAML tag !GetAtt"},
		{"boolean as a name", "cluster_name: example", "cluster_name: yes", "cluster_name", `YAML 1.1 tools (and many editors) read as a boolean; quote it ("yes")`},
		{"true as a name", "cluster_name: example", "cluster_name: true", "cluster_name", `is the YAML bool true, not a string; quote it ("true")`},
		{"number as a name", "cluster_name: example", "cluster_name: 1234", "cluster_name", "is the YAML int 1234, not a string"},
		{"float as a version", `"18.9.0"`, `17.4`, "teleport_version", "is the YAML float 17.4, not a string"},
		{"huge number as a name", "cluster_name: example", "cluster_name: " + strings.Repeat("9", 10000), "cluster_name", "... (10000 characters)"},
		{"number as a tag value", "", "tags: {cost-center: 0123}\n", "tags.cost-center", "not a string; quote it"},
		{"too many tags", "", manyTags, "tags", fmt.Sprintf("has %d tags; AWS allows 50 per resource and the app sets 3 of them", MaxUserTags+1)},
		{"tag key characters", "", "tags: {\"cost#center\": x}\n", `tags."cost#center"`, "characters AWS tags do not allow"},
		{"tag value characters", "", "tags: {team: \"a;b\"}\n", "tags.team", "value \"a;b\" has characters AWS tags do not allow"},
		{"tag key too long", "", "tags: {" + strings.Repeat("k", 129) + ": v}\n", "tags." + strings.Repeat("k", 40) + "...", "key is 129 characters; AWS allows 1 to 128"},
		{"tag value too long", "", "tags: {team: " + strings.Repeat("v", 257) + "}\n", "tags.team", "value is 257 characters; AWS allows 256"},
		{"tag overrides the app's", "", "tags: {managed-by: terraform}\n", "tags.managed-by", "is a tag the app sets itself"},
		{"tag overrides Name", "", "tags: {Name: x}\n", "tags.Name", "is a tag the app sets itself"},
		{"aws tag value", "", "tags: {team: \"aws:x\"}\n", "tags.team", "values starting with aws: are reserved"},
		{"ssm name with spaces", "/teleport/license", "/teleport/my license", "license_ssm_parameter", "is not an SSM parameter name"},
		{"ssm name reserved", "/teleport/license", "/aws/teleport/license", "license_ssm_parameter", "which Parameter Store reserves (names cannot begin with aws or ssm)"},
		{"ssm name reserved no slash", "/teleport/license", "ssm-license", "license_ssm_parameter", "Parameter Store reserves"},
		{"ssm name without leading slash", "/teleport/license", "teleport/license", "license_ssm_parameter", `has levels but no leading /; Parameter Store needs the full path: "/teleport/license"`},
		{"ssm name too deep", "/teleport/license", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "license_ssm_parameter", "has 16 levels; Parameter Store allows 15"},
		{"ssm name too long", "/teleport/license", "/" + strings.Repeat("a", MaxSSMNameLen), "license_ssm_parameter", "Parameter Store names have at most 1011"},
		{"ami ssm empty level", "", "ami: {ssm_parameter: /aws//service}\n", "ami.ssm_parameter", "has an empty level"},
		{"region after the provider", "region: eu-central-1", "region: ap-east-2", "proxy_regions[1].region", "pinned AWS provider (hashicorp/aws 5.88.0) does not know yet"},
		{"resource region after the provider", "", "resource_regions: [ap-southeast-6]\n", "resource_regions[0].region", "does not know yet"},
		{"zone id not in the region", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  zones: [usw2-az1, usw2-az9]", "auth.zones[1]", `"usw2-az9" is not an AZ ID of us-west-2, whose zones are usw2-az1, usw2-az2, usw2-az3, usw2-az4`},
		{"zone name not in the region", "  vpc_cidr: 10.0.0.0/16", "  vpc_cidr: 10.0.0.0/16\n  zones: [us-west-2a, us-west-2e]", "auth.zones[1]", "is not a zone of us-west-2, whose zone names end in one of a, b, c, d"},
		{"ca-central-1 has no c", "region: eu-central-1", "region: ca-central-1\n    zones: [ca-central-1a, ca-central-1c]", "proxy_regions[1].zones[1]", "end in one of a, b, d"},
		{"release with leading zeros", `"18.9.0"`, `"18.09.0"`, "teleport_version", "without leading zeros"},
		{"release overflows", `"18.9.0"`, `"18.9.99999999999999999999"`, "teleport_version", "each number at most 9999"},
		{"agent connections no cluster can use", "", "agent_connection_count: 100000\n", "agent_connection_count", "more proxies than any cluster can have"},
		{"domain too long for the challenge record", "domain: teleport.example.com", "domain: " + strings.Repeat(strings.Repeat("a", 60)+".", 3) + strings.Repeat("b", 46) + ".example.com", "domain", "_acme-challenge.<domain> fits in DNS's 253"},
		{"domain with a trailing dot", "domain: teleport.example.com", "domain: teleport.example.com.", "domain", "ends with a dot; remove it"},
		{"backend key with ..", "", "backend: {type: s3, s3: {bucket: my-state, region: us-west-2, use_lockfile: true, key_prefix: a/../b}}\n", "backend.s3.key_prefix", "has a . or .. level"},
		{"release with a v", `"18.9.0"`, `"v18.9.0"`, "teleport_version", `write the release without the v: "18.9.0"`},
		{"domain in capitals", "domain: teleport.example.com", "domain: Teleport.Example.com", "domain", `write DNS names in lowercase: "teleport.example.com"`},
		{"quoted boolean", "", "acme_staging: \"true\"\n", "acme_staging", "it is quoted, so YAML reads a string: remove the quotes"},
		{"quoted number", "", "agent_connection_count: \"3\"\n", "agent_connection_count", "remove the quotes"},
		{"merge key in a mapping", "  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  instances:\n    <<: {type: m6i.large}\n", "auth.instances", "YAML merge key (<<), which this config does not support"},
	}
	checkRejects(t, cases)
}

// The app's own tags and Name leave MaxUserTags for the config.
func TestMaxUserTags(t *testing.T) {
	c := &Cluster{ClusterName: "x"}
	if got := len(c.AllTags()) + 1; got != 50-MaxUserTags {
		t.Errorf("the app sets %d tags (with Name); MaxUserTags assumes %d", got, 50-MaxUserTags)
	}
}

// Messages a person can read (issue 19.7).
func TestReadableMessages(t *testing.T) {
	parse := func(doc string) string {
		_, err := Parse([]byte(doc), "c.yaml")
		if err == nil {
			t.Fatalf("accepted:\n%s", doc)
		}
		return err.Error()
	}
	// A typo gets "did you mean"; a zone name given as a region says so.
	if e := parse(strings.Replace(valid, "region: eu-central-1", "region: eu-centrl-1", 1)); !strings.Contains(e, `c.yaml:14:13: proxy_regions[1].region: "eu-centrl-1" is not a commercial AWS region; did you mean "eu-central-1"?`) {
		t.Errorf("typo: %s", e)
	}
	if e := parse(strings.Replace(valid, "region: us-west-2", "region: us-west-2a", 1)); !strings.Contains(e, `auth.region: "us-west-2a" is an availability zone of us-west-2, not a region; use "us-west-2"`) {
		t.Errorf("zone as region: %s", e)
	}
	// The list of regions appears once, after every problem.
	e := parse(strings.Replace(strings.Replace(valid, "region: eu-central-1", "region: mars-north-1", 1), "region: us-west-1", "region: venus-1", 1))
	if n := strings.Count(e, "af-south-1"); n != 1 || !strings.HasSuffix(e, "us-west-2") || !strings.Contains(e, "(the regions are listed below)") {
		t.Errorf("region list shown %d times:\n%s", n, e)
	}
	// A long value is shortened.
	e = parse(strings.Replace(valid, "admin@example.com", strings.Repeat("x", 10000), 1))
	if len(e) > 400 || !strings.Contains(e, "... (10000 characters)") {
		t.Errorf("long value: %d characters: %.300s", len(e), e)
	}
	// At most 20 problems, then how many more.
	doc := valid
	for i := 0; i < 30; i++ {
		doc += fmt.Sprintf("unknown_%d: x\n", i)
	}
	e = parse(doc)
	if strings.Count(e, "\n  c.yaml:") != maxProblemsShown || !strings.Contains(e, "... and 10 more") || !strings.HasPrefix(e, "c.yaml: 30 problems:") {
		t.Errorf("many problems:\n%s", e)
	}
	// A wrong type gives one problem, not a second one derived from the
	// default that replaced it.
	for _, bad := range []string{"edition: [oss]\n", "agent_connection_count: many\n", "peering: public\n", "auth: us-west-2\n"} {
		d := valid + bad
		if strings.HasPrefix(bad, "auth:") {
			d = strings.Replace(valid, "auth:\n  region: us-west-2\n  vpc_cidr: 10.0.0.0/16\n", bad, 1)
		}
		if e := parse(d); !strings.HasPrefix(e, "c.yaml: 1 problem:") {
			t.Errorf("%q gives more than one problem:\n%s", bad, e)
		}
	}
}

// The region table is exactly the commercial regions the pinned provider
// accepts: aws-sdk-go-base v2.0.0-beta.62's endpoints (the provider's
// region check; hashicorp/aws 5.88.0 was built with a release no newer,
// beta.63 came out after it) and aws-sdk-go-v2/service/route53 v1.48.8's
// ResourceRecordSetRegion (the latency regions of records), both read from
// the modules' source. A region added to the table must be in both.
func TestRegionTableMatchesPinnedProvider(t *testing.T) {
	provider := "af-south-1 ap-east-1 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2"
	route53 := provider // the same 32 commercial regions (plus China's, not deployed here)
	if got := strings.Join(RegionNames(), " "); got != provider || got != route53 {
		t.Errorf("region table:\n%s\npinned provider:\n%s", got, provider)
	}
	for r := range regionsAfterProvider {
		if strings.Contains(" "+provider+" ", " "+r+" ") {
			t.Errorf("%s is known to the provider but refused", r)
		}
	}
}

// Names Let's Encrypt will not issue for, or register a contact at, are
// refused at the domain or the e-mail (issue 28.3; Boulder policy/pa.go).
func TestRejectNamesLetsEncryptRefuses(t *testing.T) {
	zone := func(domain, zone string) string {
		return "domain: " + domain + "\nhosted_zone: " + zone
	}
	from := zone("teleport.example.com", "example.com")
	nine := "a.b.c.d.e.f.g.example.com"
	cases := []rejectCase{
		{".internal", from, zone("teleport.corp.internal", "corp.internal"), "domain", `"teleport.corp.internal" ends in .internal, reserved by ICANN for private networks`},
		{".local", from, zone("teleport.office.local", "office.local"), "domain", "ends in .local, multicast DNS"},
		{".localhost", from, zone("teleport.dev.localhost", "dev.localhost"), "domain", "ends in .localhost"},
		{".test", from, zone("teleport.acme.test", "acme.test"), "domain", "ends in .test, reserved for testing"},
		{".invalid", from, zone("teleport.acme.invalid", "acme.invalid"), "domain", "ends in .invalid"},
		{".example", from, zone("teleport.acme.example", "acme.example"), "domain", "ends in .example, reserved for documentation"},
		{".home.arpa", from, zone("teleport.lab.home.arpa", "lab.home.arpa"), "domain", "ends in .home.arpa"},
		{".corp", from, zone("teleport.acme.corp", "acme.corp"), "domain", "ends in .corp, a name-collision string"},
		{"numeric TLD", from, zone("teleport.acme.123", "acme.123"), "domain", "ends in the all-numeric label .123"},
		{"reserved LDH label", from, zone("ab--cd.example.com", "example.com"), "domain", `has the label "ab--cd", with two hyphens in the third and fourth places`},
		{"ten labels", from, zone("x."+nine, "example.com"), "domain", "has 10 labels; Let's Encrypt allows 10 per name and the certificate also covers *.x." + nine + " (one more), so use at most 9"},
		{"contact under .test", "admin@example.com", "admin@acme.test", "acme_email", `"admin@acme.test": its domain ends in .test`},
		{"contact under .internal", "admin@example.com", "ops@mail.corp.internal", "acme_email", "Let's Encrypt refuses to register an account"},
	}
	checkRejects(t, cases)
	// The schema's "not" pattern refuses exactly the TLDs the validator
	// refuses.
	var schema struct {
		Properties map[string]struct {
			Not struct{ Pattern string } `json:"not"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(SchemaFile, &schema); err != nil {
		t.Fatal(err)
	}
	not := regexp.MustCompile(schema.Properties["domain"].Not.Pattern)
	for _, name := range []string{"a.home.arpa", "a.b.7", "a.example.com", "a.arpa", "a.internal-corp.com", "a.co2"} {
		if got, want := not.MatchString(name), acmeNameProblem(name) != ""; got != want {
			t.Errorf("schema refuses %s: %v, validator: %v", name, got, want)
		}
	}
	for tld := range nonPublicTLDs {
		if !not.MatchString("a." + tld) {
			t.Errorf("schema accepts .%s", tld)
		}
	}
	// The names around the rules are accepted: nine labels, an xn-- label,
	// a TLD that merely contains a reserved word or digits.
	for _, ok := range []string{zone(nine, "example.com"), zone("xn--bcher-kva.example.com", "example.com"), zone("teleport.internal-corp.com", "internal-corp.com"), zone("teleport.example.co2", "example.co2")} {
		if _, err := Parse([]byte(strings.Replace(valid, from, ok, 1)), "t"); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// Settings with no effect in the config's mode are refused at their line
// (issue 28.3): "only used with ...; remove it".
func TestRejectUnusedSettings(t *testing.T) {
	oss := strings.Replace(strings.Replace(valid,
		"license_ssm_parameter: /teleport/license\n", "edition: oss\n", 1),
		"  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n", "", 1)
	if _, err := Parse([]byte(oss), "t"); err != nil {
		t.Fatalf("the oss base: %v", err)
	}
	allGivenNoLogs := strings.Replace(strings.Replace(valid,
		"  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  existing_vpc: {vpc_id: vpc-0123456789abcdef0, private_subnet_ids: [subnet-01111111, subnet-02222222], private_route_table_ids: [rtb-01111111], flow_logs: false}\n", 1),
		"  - region: us-west-1\n    vpc_cidr: 10.1.0.0/16\n  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16\n",
		"  - region: us-west-1\n    vpc_cidr: 10.1.0.0/16\n    existing_vpc: {vpc_id: vpc-01234567, private_subnet_ids: [subnet-11111111, subnet-22222222], public_subnet_ids: [subnet-33333333, subnet-44444444], private_route_table_ids: [rtb-11111111], flow_logs: false}\n", 1)
	if _, err := Parse([]byte(allGivenNoLogs), "t"); err != nil {
		t.Fatalf("the existing-VPC base: %v", err)
	}
	cases := []struct {
		name, base, add, path, inMsg string
	}{
		{"agent connections under oss", oss, "agent_connection_count: 2\n", "agent_connection_count", "is only used with edition: enterprise: it is how many proxies each agent keeps a tunnel to under Proxy Peering"},
		{"agent connections under oss, above any bound", oss, "agent_connection_count: 1000000\n", "agent_connection_count", "is only used with edition: enterprise"},
		{"peering mode vpc under oss", oss, "peering: {mode: vpc}\n", "peering.mode", "is only used with edition: enterprise: it says how proxies reach each other"},
		{"events table restore with athena", valid, "audit: {backend: athena}\nrestore: {events_table: example-events-restored}\n", "restore.events_table", "is only used with audit.backend: dynamodb"},
		{"flow log settings without flow logs", allGivenNoLogs, "flow_logs: {retention_days: 30}\n", "flow_logs.retention_days", "is only used by the cluster's VPC flow logs, and it has none"},
		{"flow log traffic without flow logs", allGivenNoLogs, "flow_logs: {traffic_type: REJECT}\n", "flow_logs.traffic_type", "every VPC is an existing_vpc with flow_logs: false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.base + tc.add
			wantProblem(t, doc, tc.path, tc.inMsg)
			// One problem: not also a bound of a setting that does nothing.
			if _, err := Parse([]byte(doc), "test.yaml"); err != nil && !strings.HasPrefix(err.Error(), "test.yaml: 1 problem:") {
				t.Errorf("more than one problem:\n%v", err)
			}
		})
	}
	// The same settings where they act are accepted.
	for _, doc := range []string{valid + "agent_connection_count: 2\npeering: {mode: vpc}\n", valid + "restore: {events_table: example-events-restored}\n", valid + "flow_logs: {retention_days: 30}\n"} {
		if _, err := Parse([]byte(doc), "t"); err != nil {
			t.Errorf("refused where it acts: %v", err)
		}
	}
	// Without a file, a value other than the default counts as given.
	c, err := Parse([]byte(oss), "t")
	if err != nil {
		t.Fatal(err)
	}
	c.AgentConnectionCount = 3
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "agent_connection_count: is only used with edition: enterprise") {
		t.Errorf("Validate: %v", err)
	}
	// A quota where the cluster creates no NAT gateway is a note.
	c, err = Parse([]byte(allGivenNoLogs+"quotas: {elastic_ips: {us-west-2: 10}}\n"), "t")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(c.Notes(), "\n"), "quotas.elastic_ips.us-west-2: the cluster creates no NAT gateway in us-west-2") {
		t.Errorf("notes: %v", c.Notes())
	}
}

// Item 6 of issue 28: an opt-in region gets a note (once), and the opt-in
// list is exactly the regions Teleport publishes no AMI in.
func TestOptInRegionNote(t *testing.T) {
	for _, r := range regionTable {
		if slices.Contains(OptInRegions, r.Name) == slices.Contains(TeleportAMIRegions, r.Name) {
			t.Errorf("%s: opt-in %v, Teleport AMIs %v: want exactly one", r.Name, slices.Contains(OptInRegions, r.Name), slices.Contains(TeleportAMIRegions, r.Name))
		}
	}
	doc := strings.Replace(valid, "region: eu-central-1", "region: af-south-1", 1) + "backup: {copy_region: af-south-1}\n"
	c, err := Parse([]byte(doc), "t")
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(c.Notes(), "\n")
	if strings.Count(notes, "af-south-1 is an opt-in region") != 1 || !strings.Contains(notes, "proxy_regions[1].region: af-south-1 is an opt-in region: the AWS account must enable it") {
		t.Errorf("notes: %v", c.Notes())
	}
	c, err = Parse([]byte(valid), "t")
	if err != nil || strings.Contains(strings.Join(c.Notes(), "\n"), "opt-in") {
		t.Errorf("a default region noted as opt-in: %v %v", err, c.Notes())
	}
}

// Item 5 of issue 28: region-valued fields other than region get the same
// help; a look-alike character is named by its code point; a wrong-typed
// quota is one problem; every suggested fix validates.
func TestRegionHelpAndSuggestedFixes(t *testing.T) {
	cases := []rejectCase{
		{"copy region in capitals", "", "backup: {copy_region: US-East-1}\n", "backup.copy_region", `"US-East-1": region codes are lowercase: "us-east-1"`},
		{"copy region typo", "", "backup: {copy_region: us-esat-1}\n", "backup.copy_region", `did you mean "us-east-1"?`},
		{"quota region typo", "", "quotas: {elastic_ips: {us-esat-1: 10}}\n", "quotas.elastic_ips.us-esat-1", `did you mean "us-east-1"?`},
		{"look-alike region", "region: eu-central-1", "region: eu-c\u0435ntral-1", "proxy_regions[1].region", `holds the non-ASCII character U+0435 at character 5, which only looks like an ASCII letter; region codes are ASCII: type "eu-central-1"`},
		{"agent connections above a one-proxy region", "    vpc_cidr: 10.2.0.0/16\n", "    vpc_cidr: 10.2.0.0/16\n    instances: {count: 1}\n", "agent_connection_count", "give every proxy region at least 2 proxies"},
		{"v and an unsupported release", `"18.9.0"`, `"v14.0.0"`, "teleport_version", "write the release without the v; and"},
		{"host bits and too large", "10.1.0.0/16", "10.1.2.3/8", "proxy_regions[0].vpc_cidr", "is a /8"},
		{"ssm name one short of its leading slash", "/teleport/license", "a/" + strings.Repeat("b", MaxSSMNameLen-2), "license_ssm_parameter", "the leading / of a name with levels included"},
	}
	checkRejects(t, cases)
	for _, bad := range []string{
		valid + "quotas:\n  elastic_ips: {us-west-2: many}\n",
		strings.Replace(valid, "10.1.0.0/16", "10.1.2.3/8", 1),
		strings.Replace(valid, `"18.9.0"`, `"v14.0.0"`, 1),
	} {
		_, err := Parse([]byte(bad), "test.yaml")
		if err == nil || !strings.HasPrefix(err.Error(), "test.yaml: 1 problem:") {
			t.Errorf("want one problem:\n%v", err)
		}
		// The fix a message suggests is not refused in turn.
		for _, m := range regexp.MustCompile(`did you mean ([0-9./]+)\?|without the v: "([^"]+)"|use at most (\d+)`).FindAllStringSubmatch(fmt.Sprint(err), -1) {
			t.Errorf("suggests a fix the validator refuses: %q in %v", m[0], err)
		}
	}
}
