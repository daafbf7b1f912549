package network

import (
	"net/netip"
	"testing"
)

// InstanceRange covers exactly the subnets instances live in: the private
// blocks 4-7 or the public blocks 0-3.
func TestInstanceRange(t *testing.T) {
	cases := []struct {
		cidr    string
		private bool
		want    string
	}{
		{"10.1.0.0/16", true, "10.1.128.0/17"},
		{"10.1.0.0/16", false, "10.1.0.0/17"},
		{"10.14.0.0/24", true, "10.14.0.128/25"},
		{"172.16.16.0/20", true, "172.16.24.0/21"},
	}
	for _, c := range cases {
		got := InstanceRange(c.cidr, c.private, false)
		if got != c.want {
			t.Errorf("InstanceRange(%s, %v) = %s; want %s", c.cidr, c.private, got, c.want)
		}
		r := netip.MustParsePrefix(got)
		vpc := netip.MustParsePrefix(c.cidr)
		for i := 0; i < 8; i++ {
			sub := Subnet(vpc, i)
			inside := r.Contains(sub.Addr())
			if wantInside := (i >= privateBlockOffset) == c.private; inside != wantInside {
				t.Errorf("%s: block %d (%s) inside %s = %v", c.cidr, i, sub, got, inside)
			}
		}
	}
}

// A given VPC's subnets may sit anywhere in its range: the whole range.
func TestInstanceRangeOfGivenVPC(t *testing.T) {
	for _, private := range []bool{true, false} {
		if got := InstanceRange("10.30.0.0/16", private, true); got != "10.30.0.0/16" {
			t.Errorf("InstanceRange(10.30.0.0/16, %v, given) = %s; want the whole range", private, got)
		}
	}
}
