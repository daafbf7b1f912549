package config

import (
	"strings"
	"testing"
)

// fixCase is a config that can never deploy (issue 28): its problem at
// path, with inMsg in the message, and the config with the fix the message
// suggests, which must validate.
type fixCase struct {
	name        string
	from, to    string
	path, inMsg string
	// fixed replaces to in the fixed config ("" when the fix is to remove
	// the line: then to is removed).
	fixed string
}

func checkFixes(t *testing.T, cases []fixCase) {
	t.Helper()
	var rejects []rejectCase
	for _, c := range cases {
		rejects = append(rejects, rejectCase{c.name, c.from, c.to, c.path, c.inMsg})
	}
	checkRejects(t, rejects)
	for _, c := range cases {
		t.Run(c.name+"/fixed", func(t *testing.T) {
			doc := valid + c.fixed
			if c.from != "" {
				doc = strings.Replace(valid, c.from, c.fixed, 1)
			}
			if _, err := Parse([]byte(doc), "fixed.yaml"); err != nil {
				t.Errorf("the suggested fix does not validate:\n%s\n%v", doc, err)
			}
		})
	}
}

func TestRefuseRestoreTargets(t *testing.T) {
	checkFixes(t, []fixCase{
		{"state onto the own state table", "", "restore: {state_table: example-state}\n", "restore.state_table", `"example-state" is the name of the cluster's own state table, which the cluster creates itself; restore into a table of another name (such as "example-state-restored")`, "restore: {state_table: example-state-restored}\n"},
		{"state onto the events table", "", "restore: {state_table: example-events}\n", "restore.state_table", "cluster's own events table", "restore: {state_table: example-events-restored}\n"},
		{"events onto the locks table", "", "restore: {events_table: example-locks}\n", "restore.events_table", "cluster's own locks table", "restore: {events_table: example-locks-restored}\n"},
		{"recordings onto the certificate bucket", "", "restore: {recordings_bucket: " + (&Cluster{ClusterName: "example", Domain: "teleport.example.com"}).Names().CertsBucket() + "}\n", "restore.recordings_bucket", "cluster's own certificate bucket", "restore: {recordings_bucket: example-recordings-restored}\n"},
		{"recordings onto the athena bucket", "", "restore: {recordings_bucket: " + (&Cluster{ClusterName: "example", Domain: "teleport.example.com"}).Names().AthenaResultsBucket() + "}\n", "restore.recordings_bucket", "Athena query results bucket", "restore: {recordings_bucket: example-recordings-restored}\n"},
		{"restore bucket with adjacent dots", "", "restore: {recordings_bucket: a..b}\n", "restore.recordings_bucket", "two adjacent dots", "restore: {recordings_bucket: a.b}\n"},
		{"restore bucket like an IP address", "", "restore: {recordings_bucket: 192.168.1.1}\n", "restore.recordings_bucket", "formatted as an IP address", "restore: {recordings_bucket: recordings-192-168-1-1}\n"},
		{"restore bucket reserved prefix", "", "restore: {recordings_bucket: xn--recordings}\n", "restore.recordings_bucket", "starts with xn--, a prefix S3 reserves", "restore: {recordings_bucket: recordings}\n"},
		{"restore bucket reserved suffix", "", "restore: {recordings_bucket: recordings-s3alias}\n", "restore.recordings_bucket", "ends with -s3alias, a suffix S3 reserves", "restore: {recordings_bucket: recordings}\n"},
		{"backend bucket reserved suffix", "", "backend: {type: s3, s3: {bucket: state--ol-s3, region: us-west-2, use_lockfile: true}}\n", "backend.s3.bucket", "ends with --ol-s3", "backend: {type: s3, s3: {bucket: state, region: us-west-2, use_lockfile: true}}\n"},
	})
}

func TestRefuseTagKeysDifferingInCase(t *testing.T) {
	checkFixes(t, []fixCase{
		{"two keys", "", "tags: {team: a, Team: b}\n", "tags.team", "differs only in case from tags.Team; AWS refuses tag keys that differ only in case (IAM among others): keep one of them", "tags: {team: a}\n"},
		{"the app's key", "", "tags: {Managed-By: me}\n", "tags.Managed-By", "differs only in case from managed-by, a tag the app sets itself", "tags: {owner: me}\n"},
		{"Name", "", "tags: {NAME: x}\n", "tags.NAME", "differs only in case from Name, a tag the app sets itself", "tags: {label: x}\n"},
	})
}

func TestRefuseEmptyExistingVPC(t *testing.T) {
	const at = "  vpc_cidr: 10.0.0.0/16\n"
	checkFixes(t, []fixCase{
		{"null body", at, at + "  existing_vpc:\n", "auth.existing_vpc", "is empty (null), which would create a new VPC as if the key were absent; give the existing VPC's vpc_id and subnets under it, or remove existing_vpc to create a VPC", at},
		{"explicit null", at, at + "  existing_vpc: null\n", "auth.existing_vpc", "would create a new VPC", at},
		{"proxy region", "    vpc_cidr: 10.1.0.0/16\n", "    vpc_cidr: 10.1.0.0/16\n    existing_vpc: ~\n", "proxy_regions[0].existing_vpc", "would create a new VPC", "    vpc_cidr: 10.1.0.0/16\n"},
	})
}

func TestRefuseBackendKeyPrefix(t *testing.T) {
	backend := func(prefix string) string {
		return "backend: {type: s3, s3: {bucket: my-state, region: us-west-2, use_lockfile: true, key_prefix: " + prefix + "}}\n"
	}
	checkFixes(t, []fixCase{
		{"interpolation", "", backend(`"a/${var.x}"`), "backend.s3.key_prefix", "holds a NUL, a line break or ${", backend("teams/acme")},
		{"newline", "", backend(`"a\nb"`), "backend.s3.key_prefix", "holds a NUL, a line break or ${", backend("teams/acme")},
		{"NUL", "", backend(`"a\0b"`), "backend.s3.key_prefix", "holds a NUL", backend("teams/acme")},
		{"too long", "", backend(strings.Repeat("k", 1000)), "backend.s3.key_prefix", "is 1000 bytes; state keys (<key_prefix>/proxy-<region>.tfstate) must fit S3's 1024-byte key limit: use a prefix of at most 995 bytes", backend(strings.Repeat("k", 995))},
	})
}
