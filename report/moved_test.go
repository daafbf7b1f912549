package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A moved block makes the diff compare the resource with its state under the
// old address: references to it, within its stack and through a cross-stack
// output read by another stack, follow it; the same construct path in
// another stack is another resource and stays.
func TestDiffFollowsMovedBlocks(t *testing.T) {
	auth := func(subnet, rt string, moved string) string {
		return `{"resource":{` +
			`"aws_subnet":{"` + subnet + `":{"cidr_block":"10.0.0.0/19","vpc_id":"vpc-1","tags":{"Name":"` + subnet + `"}}},` +
			`"aws_route_table":{"` + rt + `":{"vpc_id":"vpc-1"}},` +
			`"aws_route_table_association":{"a":{"subnet_id":"${aws_subnet.` + subnet + `.id}","route_table_id":"${aws_route_table.` + rt + `.id}"}}},` +
			`"output":{"cross-stack-output-aws_route_table` + rt + `id":{"value":"${aws_route_table.` + rt + `.id}"}}` + moved + `}`
	}
	// The proxy stack's own table has the same id as auth's old one, and
	// its route is in auth's table.
	proxy := func(authRT, route, moved string) string {
		return `{"resource":{"aws_route_table":{"net_private-0-rt_BBBB0000":{"vpc_id":"vpc-2"}},` +
			`"aws_route":{"` + route + `":{"route_table_id":"${data.terraform_remote_state.cross-stack-reference-input-auth.outputs.cross-stack-output-aws_route_table` + authRT + `id}","destination_cidr_block":"10.1.0.0/16"}}}` + moved + `}`
	}
	old := writeOutput(t, map[string]string{
		"auth":  auth("net_public-0_AAAA0000", "net_private-0-rt_BBBB0000", ""),
		"proxy": proxy("net_private-0-rt_BBBB0000", "peer_route-0_CCCC0000", ""),
	})
	cur := writeOutput(t, map[string]string{
		"auth": auth("net_public-az1_DDDD0000", "net_private-az1-rt_EEEE0000", `,"moved":[`+
			`{"from":"aws_subnet.net_public-0_AAAA0000","to":"aws_subnet.net_public-az1_DDDD0000"},`+
			`{"from":"aws_route_table.net_private-0-rt_BBBB0000","to":"aws_route_table.net_private-az1-rt_EEEE0000"}]`),
		"proxy": proxy("net_private-az1-rt_EEEE0000", "peer_route-az1_FFFF0000", `,"moved":[{"from":"aws_route.peer_route-0_CCCC0000","to":"aws_route.peer_route-az1_FFFF0000"}]`),
	})
	res, err := Diff(old, cur)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total[Add]+res.Total[Replace]+res.Total[Destroy] != 0 || res.Total[Change] != 1 {
		t.Errorf("totals %s; want the subnet's tag changed only:\n%s", res.Total, res.Markdown)
	}
	for _, want := range []string{
		"### Stack auth: 0 to add, 1 to change, 0 to replace, 0 to destroy\n\n- **moved** 2 resources to new addresses",
		"- **change** `aws_subnet.net_public-az1_DDDD0000`\n  - `tags.Name`",
		"### Stack proxy: 0 to add, 0 to change, 0 to replace, 0 to destroy\n\n- **moved** 1 resources",
	} {
		if !strings.Contains(res.Markdown, want) {
			t.Errorf("diff lacks %q:\n%s", want, res.Markdown)
		}
	}
	// Without the moved blocks, the same outputs destroy and add.
	bare := writeOutput(t, map[string]string{
		"auth":  auth("net_public-az1_DDDD0000", "net_private-az1-rt_EEEE0000", ""),
		"proxy": proxy("net_private-az1-rt_EEEE0000", "peer_route-az1_FFFF0000", ""),
	})
	// The proxy stack reads auth's outputs: it deploys after it.
	deps := `{"stacks":{"auth":{"dependencies":[]},"proxy":{"dependencies":["auth"]}}}`
	if err := os.WriteFile(filepath.Join(bare, "manifest.json"), []byte(deps), 0o644); err != nil {
		t.Fatal(err)
	}
	// (The proxy stack's old route goes with auth's old table, which auth,
	// applied first, destroys.)
	res, _ = Diff(old, bare)
	if res.Total[Destroy] != 2 || res.Total[Add] != 3 ||
		!strings.Contains(res.Markdown, "- **goes with its route table** `aws_route.peer_route-0_CCCC0000`: stack auth, applied first, destroys `aws_route_table.net_private-0-rt_BBBB0000`") {
		t.Errorf("without moved blocks: %s\n%s", res.Total, res.Markdown)
	}
	// Deployed before auth (a retired stack's peers precede it), the proxy
	// stack deletes its route itself.
	if err := os.WriteFile(filepath.Join(bare, "manifest.json"), []byte(`{"stacks":{"auth":{"dependencies":["proxy"]},"proxy":{"dependencies":[]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, _ = Diff(old, bare); res.Total[Destroy] != 3 || strings.Contains(res.Markdown, "goes with") {
		t.Errorf("proxy stack first: %s\n%s", res.Total, res.Markdown)
	}
}

// VPCs reads each stack's created VPC: its range, every zone's slot from
// its public subnet's block, and whether the subnets are numbered by
// position.
func TestVPCsOfAnOutput(t *testing.T) {
	subnet := func(id, zoneKey, zone, cidr string) string {
		return `"network_public-` + id + `":{"` + zoneKey + `":"` + zone + `","cidr_block":"` + cidr + `"}`
	}
	out := writeOutput(t, map[string]string{
		"auth-us-west-2": `{"resource":{"aws_vpc":{"network_vpc_12345678":{"cidr_block":"10.0.0.0/16"}},"aws_subnet":{` +
			subnet("usw2-az1_11111111", "availability_zone_id", "usw2-az1", "10.0.0.0/19") + `,` +
			subnet("usw2-az3_22222222", "availability_zone_id", "usw2-az3", "10.0.64.0/19") + `,` +
			`"network_private-usw2-az1_33333333":{"availability_zone_id":"usw2-az1","cidr_block":"10.0.128.0/19"}}}}`,
		"proxy-eu-west-2": `{"resource":{"aws_vpc":{"network_vpc_12345678":{"cidr_block":"10.4.0.0/20"}},"aws_subnet":{` +
			subnet("0_44444444", "availability_zone", "eu-west-2b", "10.4.0.0/23") + `,` +
			subnet("1_55555555", "availability_zone", "eu-west-2a", "10.4.2.0/23") + `}}}`,
		"proxy-given": `{"data":{"aws_vpc":{"network_given-vpc_12345678":{"id":"vpc-1"}}}}`,
	})
	o, err := ReadOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	got := o.VPCs()
	if len(got) != 2 {
		t.Fatalf("VPCs %v; want the two created ones", got)
	}
	if v := got["auth-us-west-2"]; v.CIDR != "10.0.0.0/16" || v.Legacy || len(v.Slots) != 2 || v.Slots["usw2-az1"] != 0 || v.Slots["usw2-az3"] != 2 {
		t.Errorf("auth VPC %+v", v)
	}
	if v := got["proxy-eu-west-2"]; v.CIDR != "10.4.0.0/20" || !v.Legacy || v.Slots["eu-west-2b"] != 0 || v.Slots["eu-west-2a"] != 1 {
		t.Errorf("proxy VPC %+v", v)
	}
}
