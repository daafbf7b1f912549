package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/deploy"
	tfjson "github.com/hashicorp/terraform-json"
)

// changes lists, for every managed resource a stack's plan acts on, the
// stack, address and actions ("create", "delete", "update", "replace").
func changes(applied *deploy.Result) [][3]string {
	var out [][3]string
	for _, s := range applied.Stacks {
		if s.Plan == nil || s.Status != deploy.StatusApplied {
			continue
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
				continue
			}
			a := rc.Change.Actions
			act := ""
			switch {
			case a.Replace():
				act = "replace"
			case a.Create():
				act = "create"
			case a.Delete():
				act = "delete"
			case a.Update():
				act = "update"
			default:
				continue
			}
			out = append(out, [3]string{s.Stack.Name, rc.Address, act})
		}
	}
	return out
}

// checkMigration: the example deployed by the release before mesh stacks
// and zone names moves to both at once: its proxy-to-proxy connections
// between stacks (import and removed blocks) and its zones' resources to
// ids named by zone (moved blocks), nothing created, destroyed or replaced;
// their tags change in place, which also stores their create_before_destroy
// in the state.
func checkMigration(t *testing.T, applied *deploy.Result) {
	nothingReplaced(t, applied)
	moved := 0
	for _, s := range applied.Stacks {
		if s.Plan == nil {
			continue
		}
		for _, rc := range s.Plan.ResourceChanges {
			if rc.PreviousAddress != "" {
				moved++
			}
		}
	}
	// 8 per zone of each VPC (3 VPCs of 2 zones), and the routes of each
	// proxy region's peering with auth (2 each side); the routes between
	// the proxies are imported by the mesh stack, not moved.
	if moved != 56 {
		t.Errorf("moved %d resources; want 56", moved)
	}
}

// zoneOnly returns a check that the plans create (or delete) want resources,
// all the zone's, and that nothing else is created, deleted or replaced.
func zoneOnly(zone, act string, want int) func(*testing.T, *deploy.Result) {
	return func(t *testing.T, applied *deploy.Result) {
		n := 0
		for _, c := range changes(applied) {
			switch {
			case c[2] == act && strings.Contains(c[1], zone):
				n++
			case c[2] != "update":
				t.Errorf("%s %s: %s %s", act, zone, c[0]+" "+c[1], c[2])
			}
		}
		if n != want {
			t.Errorf("%s %s: %d resources; want %d", act, zone, n, want)
		}
	}
}

// checkAuthZoneRemoved: only the zone's resources go, the auth NLB (and its
// listener) is replaced, since the provider cannot remove a subnet from a
// network load balancer in place, and its private alias record follows it,
// in place; Terraform updates the Auto Scaling group, the gateway endpoints
// and the load balancer before it destroys the zone's subnets and route
// table (create_before_destroy in their state), as the apply log shows.
//
// The zone's 8 network resources and its NAT gateway alarm go; the proxy stacks' routes to its route
// table went with the table (AWS deletes a table's routes with it), and
// their refresh finds them gone: Terraform plans nothing for them there.
func checkAuthZoneRemoved(t *testing.T, applied *deploy.Result) {
	zoneOnly("usw2-az2", "delete", 9)(t, filterOut(applied, "aws_lb.", "aws_lb_listener."))
	replaced := map[string]bool{}
	record := false
	for _, c := range changes(applied) {
		if c[2] == "replace" {
			replaced[strings.SplitN(c[1], ".", 2)[0]] = true
		}
		if c[0] == "auth-us-west-2" && strings.HasPrefix(c[1], "aws_route53_record.") && c[2] == "update" {
			record = true
		}
	}
	if len(replaced) != 2 || !replaced["aws_lb"] || !replaced["aws_lb_listener"] || !record {
		t.Errorf("replaced %v, alias record updated %v; want the auth NLB and its listener, and the record in place", replaced, record)
	}
	for _, s := range applied.Stacks {
		if s.Stack.Name != "auth-us-west-2" {
			continue
		}
		log, err := os.ReadFile(s.Log)
		if err != nil {
			t.Fatal(err)
		}
		text := string(log)
		at := func(prefix, event string) int {
			for i, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, prefix) && strings.Contains(line, event) {
					return i
				}
			}
			t.Errorf("the apply log has no %q ... %q", prefix, event)
			return -1
		}
		for _, user := range []string{"aws_autoscaling_group.", "aws_vpc_endpoint.network_dynamodb-endpoint", "aws_vpc_endpoint.network_s3-endpoint"} {
			if done, gone := at(user, "Modifications complete"), at("aws_subnet.network_private-usw2-az2", "Destroying..."); done < 0 || gone < 0 || done > gone {
				t.Errorf("%s was updated (line %d) after the zone's subnet started to go (line %d)", user, done, gone)
			}
		}
		if done, gone := at("aws_lb.auth_load-balancer_nlb", "Destruction complete"), at("aws_subnet.network_public-usw2-az2", "Destroying..."); done < 0 || gone < 0 || done > gone {
			t.Errorf("the old NLB went (line %d) after the zone's public subnet started to go (line %d)", done, gone)
		}
		if done, gone := at("aws_vpc_endpoint.network_s3-endpoint", "Modifications complete"), at("aws_route_table.network_private-usw2-az2", "Destroying..."); done > gone {
			t.Errorf("the S3 endpoint left the zone's route table (line %d) after it started to go (line %d)", done, gone)
		}
	}
}

// filterOut returns applied without the plans' changes to resources whose
// address starts with one of prefixes.
func filterOut(applied *deploy.Result, prefixes ...string) *deploy.Result {
	out := &deploy.Result{}
	for _, s := range applied.Stacks {
		c := s
		if s.Plan != nil {
			p := *s.Plan
			p.ResourceChanges = nil
			for _, rc := range s.Plan.ResourceChanges {
				keep := true
				for _, pre := range prefixes {
					keep = keep && !strings.HasPrefix(rc.Address, pre)
				}
				if keep {
					p.ResourceChanges = append(p.ResourceChanges, rc)
				}
			}
			c.Plan = &p
		}
		out.Stacks = append(out.Stacks, c)
	}
	return out
}
