package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// An existing VPC next to a created one, in both connectivity modes: the
// given ids are used as given, routes go into the given route tables, the
// firewall admits the whole given range, and the created region is
// unchanged.
func TestExistingVPCs(t *testing.T) {
	for _, synth := range []string{"existing-vpc", "existing-vpc-tgw"} {
		t.Run(synth, func(t *testing.T) {
			tgw := strings.HasSuffix(synth, "-tgw")
			auth := stackOf(t, synth, "auth-us-east-1")
			given := stackOf(t, synth, "proxy-eu-west-1")
			created := stackOf(t, synth, "proxy-us-west-2")
			// us-west-2 owns the connection with eu-west-1: its mesh stack.
			mesh := stackOf(t, synth, "mesh-us-west-2")

			authSubnets := []any{"subnet-0a00000000000a001", "subnet-0a00000000000a002", "subnet-0a00000000000a003"}
			for id, lb := range auth.resources("aws_lb") {
				if !slices.Equal(asList(lb["subnets"]), authSubnets) {
					t.Errorf("auth NLB %s subnets %v; want the given private subnets", id, lb["subnets"])
				}
			}
			for _, asg := range auth.resources("aws_autoscaling_group") {
				if !slices.Equal(asList(asg["vpc_zone_identifier"]), authSubnets) {
					t.Errorf("auth group subnets %v", asg["vpc_zone_identifier"])
				}
			}
			for _, lb := range given.resources("aws_lb") {
				if !slices.Equal(asList(lb["subnets"]), []any{"subnet-0b00000000000b101", "subnet-0b00000000000b102"}) {
					t.Errorf("proxy NLB subnets %v; want the given public subnets", lb["subnets"])
				}
			}
			for _, asg := range given.resources("aws_autoscaling_group") {
				if !slices.Equal(asList(asg["vpc_zone_identifier"]), []any{"subnet-0b00000000000b001", "subnet-0b00000000000b002"}) {
					t.Errorf("proxy group subnets %v; want the given private subnets", asg["vpc_zone_identifier"])
				}
			}
			// Flow logs: on by default in the given auth VPC, off where
			// flow_logs: false (and the key then admits no log group).
			if fl := auth.resources("aws_flow_log"); len(fl) != 1 || fmt.Sprint(fl[sortedKeys(fl)[0]]["vpc_id"]) != "vpc-0a1b2c3d4e5f60718" {
				t.Errorf("auth flow logs %v; want one of the given VPC", fl)
			}
			flowGroups := 0
			for _, g := range given.resources("aws_cloudwatch_log_group") {
				if strings.Contains(fmt.Sprint(g["name"]), "vpc-flow-logs") {
					flowGroups++
				}
			}
			if n := len(given.resources("aws_flow_log")) + flowGroups; n != 0 {
				t.Errorf("eu-west-1 has flow_logs: false but %d flow log resources", n)
			}
			for _, d := range given.section("data", "aws_iam_policy_document") {
				if strings.Contains(fmt.Sprint(d), "vpc-flow-logs") {
					t.Errorf("eu-west-1's key still admits a flow log group: %v", d)
				}
			}
			if len(created.resources("aws_vpc")) != 1 || len(created.resources("aws_flow_log")) != 1 {
				t.Error("us-west-2 no longer creates its VPC with a flow log")
			}

			// Routes to the auth VPC in the given proxy route table, and
			// back into the given auth route tables from both proxy stacks.
			routes := func(s stackJSON) map[string]string {
				out := map[string]string{}
				for _, r := range s.resources("aws_route") {
					if r["destination_cidr_block"] == "0.0.0.0/0" {
						continue
					}
					via := "peering"
					if r["transit_gateway_id"] != nil {
						via = "tgw"
					}
					out[fmt.Sprint(r["provider"], " ", r["route_table_id"], " ", r["destination_cidr_block"])] = via
				}
				return out
			}
			want := "peering"
			if tgw {
				want = "tgw"
			}
			for _, c := range []struct {
				s    stackJSON
				keys []string
			}{
				{given, []string{"<nil> rtb-0b00000000000b001 10.40.0.0/16", "aws.auth rtb-0a00000000000a001 10.41.0.0/20", "aws.auth rtb-0a00000000000a002 10.41.0.0/20"}},
				{created, []string{"aws.auth rtb-0a00000000000a001 10.42.0.0/16", "aws.auth rtb-0a00000000000a002 10.42.0.0/16"}},
				{mesh, []string{"aws.eu-west-1 rtb-0b00000000000b001 10.42.0.0/16"}},
			} {
				got := routes(c.s)
				for _, k := range c.keys {
					if got[k] != want {
						t.Errorf("no %s route %s; routes: %v", want, k, got)
					}
				}
			}
			if tgw {
				for _, a := range auth.resources("aws_ec2_transit_gateway_vpc_attachment") {
					if a["vpc_id"] != "vpc-0a1b2c3d4e5f60718" || !slices.Equal(asList(a["subnet_ids"]), authSubnets) {
						t.Errorf("auth attachment %v %v; want the given VPC and subnets", a["vpc_id"], a["subnet_ids"])
					}
				}
			} else {
				for _, p := range given.resources("aws_vpc_peering_connection") {
					if p["vpc_id"] != "vpc-0b1b2c3d4e5f60718" || p["peer_vpc_id"] != "vpc-0a1b2c3d4e5f60718" {
						t.Errorf("peering %v -> %v; want the given VPCs, as literals", p["vpc_id"], p["peer_vpc_id"])
					}
				}
			}
			// The auth NLB admits the whole given range (its subnets may
			// sit anywhere in it), the created region's private half.
			ranges := map[string]bool{}
			for _, s := range []stackJSON{given, created} {
				for _, r := range s.resources("aws_vpc_security_group_ingress_rule") {
					if r["from_port"] == 3025.0 {
						ranges[fmt.Sprint(r["cidr_ipv4"])] = true
					}
				}
			}
			if !ranges["10.41.0.0/20"] || !ranges["10.42.128.0/17"] || len(ranges) != 2 {
				t.Errorf("3025 admits %v; want 10.41.0.0/20 (given) and 10.42.128.0/17 (created)", ranges)
			}
		})
	}
}
