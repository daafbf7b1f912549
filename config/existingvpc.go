package config

import (
	"fmt"
	"regexp"
)

// ExistingVPC is a VPC, its subnets and route tables that a region uses
// instead of creating its own network. The stack then creates no VPC,
// subnets, internet or NAT gateways and route tables: its security groups,
// load balancers, instances, endpoints, peerings or transit gateway
// attachments, routes to the other regions and (unless FlowLogs is false)
// flow logs go into what is given. The VPC must give instances egress to
// the internet (NAT or a proxy-free path: they download Teleport, talk to
// Let's Encrypt and AWS APIs), have DNS support and DNS hostnames enabled,
// and leave room in the given route tables for the routes to the other
// regions. Plan-time checks (data sources with postconditions) refuse a VPC
// whose range is not vpc_cidr, subnets outside it or sharing a zone, and
// route tables of another VPC.
type ExistingVPC struct {
	// VPCID is the VPC, e.g. vpc-0123456789abcdef0.
	VPCID string `yaml:"vpc_id"`
	// PrivateSubnetIDs are where instances (and the internal auth NLB) live:
	// at least two, each in a different availability zone. Required, except
	// for proxy regions when peering.mode is public (proxies then live in the
	// public subnets with public addresses).
	PrivateSubnetIDs []string `yaml:"private_subnet_ids,omitempty"`
	// PublicSubnetIDs hold the proxies' internet-facing NLB (and, when
	// peering.mode is public, the proxies): at least two, in distinct zones.
	// Required in proxy regions; not used in the auth region.
	PublicSubnetIDs []string `yaml:"public_subnet_ids,omitempty"`
	// PrivateRouteTableIDs are the route tables of the private subnets:
	// routes to the other regions' VPCs (peerings or transit gateways) go
	// there. Required wherever private_subnet_ids is.
	PrivateRouteTableIDs []string `yaml:"private_route_table_ids,omitempty"`
	// PublicRouteTableIDs are the route tables of the public subnets; only
	// used, and then required, in proxy regions with peering.mode public,
	// where the proxies live in the public subnets.
	PublicRouteTableIDs []string `yaml:"public_route_table_ids,omitempty"`
	// FlowLogs creates a flow log of the VPC like the created VPCs have
	// (default true); set false when the VPC's owner already logs its
	// traffic.
	FlowLogs *bool `yaml:"flow_logs,omitempty"`
}

// MinExistingSubnets is how many subnets of each kind an existing VPC must
// give: load balancers and Auto Scaling groups span at least two zones.
const MinExistingSubnets = 2

// AWS resource ids: the prefix and 8 (older resources) or 17 hexadecimal
// digits.
var (
	vpcIDRe        = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetIDRe     = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	routeTableIDRe = regexp.MustCompile(`^rtb-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// FlowLogsOn reports whether the VPC gets a flow log: always for a created
// VPC, unless turned off for an existing one.
func (e *ExistingVPC) FlowLogsOn() bool { return e == nil || e.FlowLogs == nil || *e.FlowLogs }

// InstanceRouteTableIDs are the given route tables of the subnets the
// instances live in.
func (e *ExistingVPC) InstanceRouteTableIDs(publicInstances bool) []string {
	if publicInstances {
		return e.PublicRouteTableIDs
	}
	return e.PrivateRouteTableIDs
}

// existingVPC checks an existing_vpc block at path. proxy is true for a
// proxy region; publicInstances when its proxies live in the public
// subnets (peering.mode public). azCount and zones must be unset: the
// subnets fix the zones.
func (v *validator) existingVPC(path, region string, e *ExistingVPC, proxy, publicInstances bool, azCount int, zones []string, ids map[string]givenID) {
	if azCount != 0 {
		v.add(path+".az_count", "does not apply with existing_vpc: the given subnets fix the zones; remove it")
	}
	if len(zones) != 0 {
		v.add(path+".zones", "does not apply with existing_vpc: the given subnets fix the zones; remove it")
	}
	ep := path + ".existing_vpc"
	switch {
	case e.VPCID == "":
		v.add(ep+".vpc_id", "is required: the id of the VPC, such as vpc-0123456789abcdef0")
	case !vpcIDRe.MatchString(e.VPCID):
		v.add(ep+".vpc_id", "%q is not a VPC id (vpc- and 8 or 17 hexadecimal digits, such as vpc-0123456789abcdef0)", e.VPCID)
	default:
		v.givenOnce(ep+".vpc_id", path, region, e.VPCID, "VPC", ids)
	}
	// check reports the list field of kind at ep.field: required (at
	// least min ids, why says what for) or, when unused is not "", refused
	// (unused says why it has no effect).
	check := func(field string, list []string, re *regexp.Regexp, kind string, min int, why, unused string) {
		fp := ep + "." + field
		switch {
		case unused != "" && len(list) > 0:
			v.add(fp, "is not used %s; remove it", unused)
			return
		case unused == "" && len(list) < min:
			v.add(fp, "lists %d; give at least %d %s ids %s", len(list), min, kind, why)
		}
		example := map[string]string{"subnet": "subnet-0123456789abcdef0", "route table": "rtb-0123456789abcdef0"}[kind]
		for i, id := range list {
			ip := fmt.Sprintf("%s[%d]", fp, i)
			if !re.MatchString(id) {
				v.add(ip, "%q is not a %s id such as %s", id, kind, example)
				continue
			}
			v.givenOnce(ip, path, region, id, kind, ids)
		}
	}
	privateUnused, publicUnused, publicRTUnused := "", "", "unless peering.mode is public (only then do proxies live in the public subnets)"
	if !proxy {
		publicUnused = "in the auth region, which has no public load balancer"
		publicRTUnused = publicUnused
	}
	if publicInstances {
		privateUnused, publicRTUnused = "when peering.mode is public: the proxies live in the public subnets", ""
	}
	check("private_subnet_ids", e.PrivateSubnetIDs, subnetIDRe, "subnet", MinExistingSubnets,
		"in distinct availability zones: the instances live there (and, in the auth region, the internal NLB)", privateUnused)
	check("private_route_table_ids", e.PrivateRouteTableIDs, routeTableIDRe, "route table", 1,
		"(the route tables of the private subnets: routes to the other regions go there)", privateUnused)
	check("public_subnet_ids", e.PublicSubnetIDs, subnetIDRe, "subnet", MinExistingSubnets,
		"in distinct availability zones: the internet-facing NLB lives there", publicUnused)
	check("public_route_table_ids", e.PublicRouteTableIDs, routeTableIDRe, "route table", 1,
		"(the route tables of the public subnets, where the proxies live with peering.mode public: routes to the other regions go there)", publicRTUnused)
}

// givenID is where an existing_vpc first names an id.
type givenID struct {
	// path is the id's field path; entry is its region's entry (auth,
	// proxy_regions[1]) and region that entry's region.
	path, entry, region string
}

// givenOnce refuses an id that an existing_vpc names a second time: in its
// own entry (a typo), or in another entry. A VPC, subnet or route table
// lives in one region, so it cannot serve two regions; and in one region the
// auth and proxy VPCs are connected to each other (peered, or attached to
// transit gateways with routes between their ranges), which a VPC cannot be
// with itself.
func (v *validator) givenOnce(at, entry, region, id, kind string, ids map[string]givenID) {
	first, dup := ids[id]
	if !dup {
		ids[id] = givenID{path: at, entry: entry, region: region}
		return
	}
	switch {
	case first.entry == entry:
		v.add(at, "%q is already listed at %s; list each once", id, first.path)
	case first.region != region:
		v.add(at, "%q is also given at %s, in %s; a %s belongs to one region, so it cannot serve both %s and %s: give this region's own %s", id, first.path, first.region, kind, first.region, region, kind)
	case kind == "VPC":
		v.add(at, "%q is also given at %s; the auth and proxy VPCs of %s are connected to each other (peered, or attached to transit gateways), which a VPC cannot be with itself, so each needs a VPC of its own: give another one, or remove this existing_vpc to create a VPC", id, first.path, region)
	default:
		v.add(at, "%q is also given at %s; a %s belongs to one VPC, and the auth and proxy entries of %s each need a VPC of their own: give this VPC's own %s", id, first.path, kind, region, kind)
	}
}
