package config

import (
	"strings"
	"testing"
)

// withExisting is valid with an existing VPC in the auth region and in
// proxy_regions[0].
var withExisting = strings.Replace(strings.Replace(valid,
	"  vpc_cidr: 10.0.0.0/16\n", `  vpc_cidr: 10.0.0.0/16
  existing_vpc:
    vpc_id: vpc-0123456789abcdef0
    private_subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    private_route_table_ids: [rtb-0123456789abcdef0]
`, 1),
	"    vpc_cidr: 10.1.0.0/16\n", `    vpc_cidr: 10.1.0.0/16
    existing_vpc:
      vpc_id: vpc-01234567
      private_subnet_ids: [subnet-11111111, subnet-22222222]
      public_subnet_ids: [subnet-33333333, subnet-44444444]
      private_route_table_ids: [rtb-11111111, rtb-22222222]
      flow_logs: false
`, 1)

func TestExistingVPCValid(t *testing.T) {
	c, err := Parse([]byte(withExisting), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.AZCount != 0 || c.ProxyRegions[0].AZCount != 0 || c.ProxyRegions[1].AZCount != DefaultAZCount {
		t.Errorf("az_count defaulted for an existing VPC, or not for a created one: %d %d %d", c.Auth.AZCount, c.ProxyRegions[0].AZCount, c.ProxyRegions[1].AZCount)
	}
	if !c.Auth.ExistingVPC.FlowLogsOn() || c.ProxyRegions[0].ExistingVPC.FlowLogsOn() || !c.ProxyRegions[1].ExistingVPC.FlowLogsOn() {
		t.Error("flow logs: want on by default (and for created VPCs), off where flow_logs: false")
	}
	// No NAT gateway in an existing VPC: 3 zones in the auth VPC and 3 in
	// a created proxy VPC of the same region fit the default quota of 5
	// only because the auth VPC needs no Elastic IP.
	same := strings.Replace(withExisting, "  - region: eu-central-1\n    vpc_cidr: 10.2.0.0/16", "  - region: us-west-2\n    vpc_cidr: 10.2.0.0/16\n    az_count: 3", 1)
	if _, err := Parse([]byte(same), "test.yaml"); err != nil {
		t.Errorf("an existing auth VPC counted against the Elastic IP quota: %v", err)
	}
	public := strings.Replace(strings.Replace(withExisting,
		"      private_subnet_ids: [subnet-11111111, subnet-22222222]\n", "", 1),
		"      private_route_table_ids: [rtb-11111111, rtb-22222222]\n", "      public_route_table_ids: [rtb-11111111]\n", 1) + "peering: {mode: public}\n"
	c, err = Parse([]byte(public), "test.yaml")
	if err != nil {
		t.Fatalf("public peering with an existing proxy VPC: %v", err)
	}
	if got := c.ProxyRegions[0].ExistingVPC.InstanceRouteTableIDs(true); len(got) != 1 || got[0] != "rtb-11111111" {
		t.Errorf("instance route tables with public proxies = %v", got)
	}
}

func TestExistingVPCErrors(t *testing.T) {
	cases := []struct {
		name, from, to, path, inMsg string
	}{
		{"vpc id missing", "      vpc_id: vpc-01234567\n", "", "proxy_regions[0].existing_vpc.vpc_id", "is required"},
		{"vpc id format", "vpc-01234567\n", "vpc-0123\n", "proxy_regions[0].existing_vpc.vpc_id", "not a VPC id"},
		{"vpc id uppercase", "vpc-0123456789abcdef0", "vpc-0123456789ABCDEF0", "auth.existing_vpc.vpc_id", "not a VPC id"},
		{"one private subnet", "[subnet-0123456789abcdef0, subnet-0123456789abcdef1]", "[subnet-0123456789abcdef0]", "auth.existing_vpc.private_subnet_ids", "give at least 2 subnet ids"},
		{"no private subnets", "      private_subnet_ids: [subnet-11111111, subnet-22222222]\n", "", "proxy_regions[0].existing_vpc.private_subnet_ids", "lists 0"},
		{"one public subnet", "[subnet-33333333, subnet-44444444]", "[subnet-33333333]", "proxy_regions[0].existing_vpc.public_subnet_ids", "internet-facing NLB"},
		{"subnet format", "subnet-22222222", "sn-22222222", "proxy_regions[0].existing_vpc.private_subnet_ids[1]", "not a subnet id"},
		{"subnet twice", "subnet-44444444", "subnet-11111111", "proxy_regions[0].existing_vpc.public_subnet_ids[1]", "already listed at proxy_regions[0].existing_vpc.private_subnet_ids[0]"},
		{"route tables required", "    private_route_table_ids: [rtb-0123456789abcdef0]\n", "", "auth.existing_vpc.private_route_table_ids", "routes to the other regions go there"},
		{"route table format", "rtb-22222222", "rt-22222222", "proxy_regions[0].existing_vpc.private_route_table_ids[1]", "not a route table id"},
		{"public subnets in auth", "    private_route_table_ids: [rtb-0123456789abcdef0]\n", "    private_route_table_ids: [rtb-0123456789abcdef0]\n    public_subnet_ids: [subnet-55555555, subnet-66666666]\n", "auth.existing_vpc.public_subnet_ids", "no public load balancer"},
		{"public route tables without public peering", "      flow_logs: false\n", "      public_route_table_ids: [rtb-33333333]\n", "proxy_regions[0].existing_vpc.public_route_table_ids", "unless peering.mode is public"},
		{"az count with existing", "  existing_vpc:\n", "  az_count: 3\n  existing_vpc:\n", "auth.az_count", "does not apply with existing_vpc"},
		{"zones with existing", "    existing_vpc:\n", "    zones: [usw1-az1, usw1-az3]\n    existing_vpc:\n", "proxy_regions[0].zones", "does not apply with existing_vpc"},
		{"vpc cidr still required", "    vpc_cidr: 10.1.0.0/16\n", "", "proxy_regions[0].vpc_cidr", "is required"},
		{"existing cidr overlaps", "    vpc_cidr: 10.1.0.0/16\n", "    vpc_cidr: 10.0.0.0/20\n", "proxy_regions[0].vpc_cidr", "overlaps auth.vpc_cidr"},
		{"unknown key", "      flow_logs: false\n", "      flow_log: false\n", "proxy_regions[0].existing_vpc.flow_log", `did you mean "flow_logs"`},
		{"flow logs not a bool", "      flow_logs: false\n", "      flow_logs: sometimes\n", "proxy_regions[0].existing_vpc.flow_logs", "expected true or false"},
		{"public peering needs public route tables", "", "peering: {mode: public}\n", "proxy_regions[0].existing_vpc.public_route_table_ids", "lists 0"},
		{"public peering private subnets unused", "", "peering: {mode: public}\n", "proxy_regions[0].existing_vpc.private_subnet_ids", "not used when peering.mode is public"},
		// One VPC, subnet or route table given to two regions (issue 28.3).
		{"one VPC in two regions", "      vpc_id: vpc-01234567\n", "      vpc_id: vpc-0123456789abcdef0\n", "proxy_regions[0].existing_vpc.vpc_id", "is also given at auth.existing_vpc.vpc_id, in us-west-2; a VPC belongs to one region, so it cannot serve both us-west-2 and us-west-1: give this region's own VPC"},
		{"one subnet in two regions", "[subnet-11111111, subnet-22222222]", "[subnet-0123456789abcdef1, subnet-22222222]", "proxy_regions[0].existing_vpc.private_subnet_ids[0]", "a subnet belongs to one region"},
		{"one route table in two regions", "[rtb-11111111, rtb-22222222]", "[rtb-11111111, rtb-0123456789abcdef0]", "proxy_regions[0].existing_vpc.private_route_table_ids[1]", "a route table belongs to one region"},
		{"auth and proxy VPC of one region are one", sameRegionFrom, sameRegionTo, "proxy_regions[0].existing_vpc.vpc_id", "the auth and proxy VPCs of us-west-2 are connected to each other (peered, or attached to transit gateways), which a VPC cannot be with itself"},
		{"auth and proxy of one region share a subnet", sameRegionFrom, strings.Replace(sameRegionTo, "vpc-0123456789abcdef0", "vpc-0fedcba9876543210", 1) + "      private_subnet_ids: [subnet-0123456789abcdef0, subnet-22222222]\n", "proxy_regions[0].existing_vpc.private_subnet_ids[0]", "a subnet belongs to one VPC, and the auth and proxy entries of us-west-2 each need a VPC of their own"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := withExisting + tc.to
			if tc.from != "" {
				if !strings.Contains(withExisting, tc.from) {
					t.Fatalf("test setup: %q not in the config", tc.from)
				}
				doc = strings.Replace(withExisting, tc.from, tc.to, 1)
			}
			wantProblem(t, doc, tc.path, tc.inMsg)
		})
	}
}

// A proxy entry moved into the auth region, on the auth VPC.
const (
	sameRegionFrom = "  - region: us-west-1\n    vpc_cidr: 10.1.0.0/16\n    existing_vpc:\n      vpc_id: vpc-01234567\n      private_subnet_ids: [subnet-11111111, subnet-22222222]\n"
	sameRegionTo   = "  - region: us-west-2\n    vpc_cidr: 10.0.0.0/16\n    existing_vpc:\n      vpc_id: vpc-0123456789abcdef0\n"
)

// One VPC given twice is one problem, at its vpc_id: not also an overlap
// of its vpc_cidr with itself.
func TestExistingVPCGivenTwiceOneProblem(t *testing.T) {
	doc := strings.Replace(withExisting, sameRegionFrom, sameRegionTo+"      private_subnet_ids: [subnet-11111111, subnet-22222222]\n", 1)
	_, err := Parse([]byte(doc), "test.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "test.yaml: 1 problem:") || !strings.Contains(err.Error(), "proxy_regions[0].existing_vpc.vpc_id") {
		t.Errorf("want one problem at the vpc_id:\n%v", err)
	}
}

// wantProblem parses doc and expects a problem at path, located in the
// file, whose message contains inMsg.
func wantProblem(t *testing.T, doc, path, inMsg string) {
	t.Helper()
	_, err := Parse([]byte(doc), "test.yaml")
	if err == nil {
		t.Fatalf("accepted; want an error at %s", path)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.Contains(line, "test.yaml:") && strings.Contains(line, ": "+path+": ") && strings.Contains(line, inMsg) {
			return
		}
	}
	t.Errorf("error does not name %s with %q:\n%v", path, inMsg, err)
}
