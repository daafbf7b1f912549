package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Transit gateway ASNs are private 32-bit ASNs (4200000000-4294967294),
// derived from the region's name so that they never change when regions are
// added or removed (a transit gateway's ASN cannot change without replacing
// it), and differ between every pair of transit gateways of the cluster, as
// AWS recommends for peered transit gateways ("Transit gateway peering
// attachments", Amazon VPC Transit Gateways guide):
//
//	4200000000 + geography*100000 + direction*1000 + number*10 + role
//
// with role 1 for the auth region's transit gateway and 0 for a proxy
// region's (both may be in one region).
const asnBase = 4200000000

var (
	asnGeographies = []string{"af", "ap", "ca", "eu", "il", "me", "mx", "sa", "us"}
	asnDirections  = []string{"central", "east", "north", "northeast", "northwest", "south", "southeast", "southwest", "west"}
)

// TransitGatewayASN returns the Amazon side ASN of the transit gateway of
// the auth (auth true) or a proxy stack in region, a region of the table.
func TransitGatewayASN(region string, auth bool) (int64, error) {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return 0, fmt.Errorf("region %q: not geography-direction-number", region)
	}
	geo, dir := indexOf(asnGeographies, parts[0]), indexOf(asnDirections, parts[1])
	num, err := strconv.Atoi(parts[2])
	if geo < 0 || dir < 0 || err != nil || num < 1 || num > 99 {
		return 0, fmt.Errorf("region %q: no transit gateway ASN rule for it; extend config/asn.go", region)
	}
	asn := int64(asnBase + (geo+1)*100000 + (dir+1)*1000 + num*10)
	if auth {
		asn++
	}
	return asn, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
