package report

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/network"
)

// VPC is what an output says of the VPC a stack created (constructs/network;
// a given VPC is not created and has no entry).
type VPC struct {
	// CIDR is the VPC's range.
	CIDR string
	// Slots maps each zone, as the config named it (AZ ID or name), to its
	// slot: the block of its public subnet.
	Slots map[string]int
	// Legacy is true when the zones' resources have the ids numbered by
	// position that outputs had before zones named them: their state has
	// no create_before_destroy yet, and a removed zone's subnets would be
	// destroyed before the resources that use them are updated.
	Legacy bool
}

// legacySubnetRe matches the id of a public subnet numbered by position.
var legacySubnetRe = regexp.MustCompile(`^network_public-[0-9]+_[0-9A-F]{8}$`)

// VPCs returns the VPC each stack of o created, by stack name.
func (o *Output) VPCs() map[string]VPC {
	out := map[string]VPC{}
	for name, s := range o.Stacks {
		var vpc VPC
		for id, body := range blocks(s, "resource") {
			if strings.HasPrefix(id, "aws_vpc.network_vpc_") {
				vpc.CIDR, _ = body["cidr_block"].(string)
			}
		}
		prefix, err := netip.ParsePrefix(vpc.CIDR)
		if err != nil {
			continue
		}
		vpc.Slots = map[string]int{}
		for addr, body := range blocks(s, "resource") {
			id, ok := strings.CutPrefix(addr, "aws_subnet.network_public-")
			if !ok {
				continue
			}
			zone, _ := body["availability_zone_id"].(string)
			if zone == "" {
				zone, _ = body["availability_zone"].(string)
			}
			cidr, _ := body["cidr_block"].(string)
			for slot := 0; slot < 2*config.ZoneSlots; slot++ {
				if network.Subnet(prefix, slot).String() == cidr {
					vpc.Slots[zone] = slot
				}
			}
			if legacySubnetRe.MatchString("network_public-" + id) {
				vpc.Legacy = true
			}
		}
		out[name] = vpc
	}
	return out
}
