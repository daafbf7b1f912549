package main

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/constructs/backup"
)

// A role's use of a key of the app takes a statement on each side, the
// key policy's and the role's own (package kmskey: Key.Grant writes both).
// Over every golden config's synthesized JSON: every kms: statement of a
// role on a key of the app has its key-policy statement (same actions,
// principal = that role or a pattern matching it, same kms:ViaService and
// encryption context conditions), and every key-policy statement that
// names a role has a role that uses it so. The deployer's statements
// (kms:CallerAccount) pair with deployer-policy.json (TestDeployerPolicy).
func TestKMSGrantsAgree(t *testing.T) {
	for _, name := range sortedKeys(goldenConfigs) {
		stacks := map[string]stackJSON{}
		for _, st := range stackNames(t, name) {
			stacks[st] = stackOf(t, name, st)
		}
		checked, problems := kmsGrantMismatches(stacks)
		if checked == 0 {
			t.Errorf("%s: no role uses a key of the app: the test reads nothing", name)
		}
		problems = append(problems, deployerGrantMismatches(stacks, synthOf(t, name).files)...)
		for _, p := range problems {
			t.Errorf("%s: %s", name, p)
		}
	}
}

// The check finds a one-sided change on either side.
func TestKMSGrantsAgreeCatchesMismatches(t *testing.T) {
	base := func() map[string]stackJSON {
		out := map[string]stackJSON{}
		for _, st := range stackNames(t, "example") {
			out[st] = copyStack(t, stackOf(t, "example", st))
		}
		return out
	}
	auth := "auth-us-west-2"
	edit := func(stacks map[string]stackJSON, stack, sid string, keyPolicy bool, change func(st map[string]any)) {
		t.Helper()
		for doc, d := range stacks[stack].section("data", "aws_iam_policy_document") {
			// The cluster key's policy, or a role's.
			if keyPolicy != strings.HasPrefix(doc, "key_key-policy") || !keyPolicy && strings.Contains(doc, "key-policy") {
				continue
			}
			for _, st := range asList(d["statement"]) {
				if m := st.(map[string]any); m["sid"] == sid {
					change(m)
					return
				}
			}
		}
		t.Fatalf("no statement %s in %s", sid, stack)
	}
	cases := []struct {
		name, stack, sid string
		keyPolicy        bool
		change           func(map[string]any)
		want             string
	}{
		{"role asks for more", auth, "AuthServiceUsesKey", false, func(m map[string]any) {
			m["actions"] = append(asList(m["actions"]), "kms:ReEncryptFrom")
		}, "has no key-policy statement"},
		{"key grants more", auth, "AuthServiceUsesKey", true, func(m map[string]any) {
			m["actions"] = append(asList(m["actions"]), "kms:ReEncryptFrom")
		}, "no role uses it"},
		{"other service on the role", "proxy-eu-central-1", "ProxiesReadCertificate", false, func(m map[string]any) {
			get(m, "condition", 0).(map[string]any)["values"] = []any{"sqs.us-west-2.amazonaws.com"}
		}, "has no key-policy statement"},
		{"other parameter in the key policy", auth, "ProxiesReadCAPin", true, func(m map[string]any) {
			get(m, "condition", 2).(map[string]any)["values"] = []any{"arn:aws:ssm:us-west-2:1:parameter/other"}
		}, "no role uses it"},
		{"other role", auth, "AuthServicePublishesCAPin", true, func(m map[string]any) {
			get(m, "condition", 0).(map[string]any)["values"] = []any{"arn:aws:iam::1:role/example-proxy-x"}
		}, "no role uses it"},
	}
	if _, problems := kmsGrantMismatches(base()); len(problems) > 0 {
		t.Fatalf("the unchanged example: %v", problems)
	}
	// The deployer's side: a statement the deployer policy lost.
	files := map[string][]byte{}
	for f, data := range synthOf(t, "example").files {
		if strings.HasPrefix(f, "deployer-policy-") {
			var doc struct{ Statement []map[string]any }
			if json.Unmarshal(data, &doc) == nil {
				doc.Statement = slices.DeleteFunc(doc.Statement, func(st map[string]any) bool { return st["Sid"] == "DeployerExportsState" })
				files[f], _ = json.Marshal(doc)
			}
		}
	}
	if p := deployerGrantMismatches(base(), files); len(p) != 1 || !strings.Contains(p[0], "DeployerExportsState") {
		t.Errorf("a deployer statement dropped from the policy: %v", p)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stacks := base()
			edit(stacks, c.stack, c.sid, c.keyPolicy, c.change)
			_, problems := kmsGrantMismatches(stacks)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.sid) && strings.Contains(p, c.want) }) {
				t.Errorf("not found (%q): %v", c.want, problems)
			}
		})
	}
}

// appKey is a KMS key of the app: its stack, resource and policy.
type appKey struct {
	id, alias  string
	statements []any
}

// grantSide is a statement reduced to what must agree across the two
// sides: actions, and the service and encryption-context conditions.
func grantSide(st any) string {
	var actions []string
	for _, a := range asList(get(st, "actions")) {
		actions = append(actions, fmt.Sprint(a))
	}
	slices.Sort(actions)
	var conds []string
	for _, c := range asList(get(st, "condition")) {
		v := fmt.Sprint(get(c, "variable"))
		if v != "kms:ViaService" && !strings.HasPrefix(v, "kms:EncryptionContext:") {
			continue
		}
		var vals []string
		for _, x := range asList(get(c, "values")) {
			vals = append(vals, fmt.Sprint(x))
		}
		slices.Sort(vals)
		conds = append(conds, fmt.Sprintf("%s %s %v", v, get(c, "test"), vals))
	}
	slices.Sort(conds)
	return fmt.Sprintf("%v %v", actions, conds)
}

// keysOf maps every reference to a key of the app (within its stack, and
// through a cross-stack output from any other) to that key.
func keysOf(stacks map[string]stackJSON) map[string]*appKey {
	refs := map[string]*appKey{}
	for _, stack := range sortedKeys(stacks) {
		s := stacks[stack]
		aliases := map[string]string{}
		for _, a := range s.resources("aws_kms_alias") {
			aliases[fmt.Sprint(a["target_key_id"])] = fmt.Sprint(a["name"])
		}
		for name, k := range s.resources("aws_kms_key") {
			statements, _ := statementsOf(s, k["policy"])
			key := &appKey{id: stack + "/" + name, alias: aliases["${aws_kms_key."+name+".key_id}"], statements: statements}
			own := "${aws_kms_key." + name + ".arn}"
			refs[stack+" "+own] = key
			outputs, _ := s["output"].(map[string]any)
			for out, o := range outputs {
				if get(o, "value") == own {
					for consumer := range stacks {
						refs[consumer+" ${data.terraform_remote_state.cross-stack-reference-input-"+stack+".outputs."+out+"}"] = key
					}
				}
			}
		}
	}
	return refs
}

// kmsGrantMismatches pairs the two sides of every key grant to a role; it
// returns how many role statements it paired and what does not pair.
func kmsGrantMismatches(stacks map[string]stackJSON) (int, []string) {
	keys := keysOf(stacks)
	type roleUse struct{ role, stack, sid, side string }
	uses := map[*appKey][]roleUse{}
	managed := map[string][]string{} // role name -> managed policies
	var problems []string
	checked := 0
	for _, stack := range sortedKeys(stacks) {
		s := stacks[stack]
		roles := s.resources("aws_iam_role")
		roleName := func(ref any) string {
			r := fmt.Sprint(ref)
			for id, role := range roles {
				if r == "${aws_iam_role."+id+".id}" || r == "${aws_iam_role."+id+".name}" {
					return fmt.Sprint(role["name"])
				}
			}
			return r
		}
		for _, a := range s.resources("aws_iam_role_policy_attachment") {
			n := roleName(a["role"])
			managed[n] = append(managed[n], fmt.Sprint(a["policy_arn"]))
		}
		for _, id := range sortedKeys(s.resources("aws_iam_role_policy")) {
			rp := s.resources("aws_iam_role_policy")[id]
			statements, _ := statementsOf(s, rp["policy"])
			for _, st := range statements {
				if !slices.ContainsFunc(asList(get(st, "actions")), func(a any) bool { return strings.HasPrefix(fmt.Sprint(a), "kms:") }) {
					continue
				}
				for _, r := range asList(get(st, "resources")) {
					key := keys[stack+" "+fmt.Sprint(r)]
					if key == nil {
						// A key that is not the app's (the license's
						// customer managed key): its policy is the
						// customer's, first-deploy.md says what it needs.
						if !strings.HasPrefix(fmt.Sprint(r), "arn:aws:kms:") {
							problems = append(problems, fmt.Sprintf("%s: %s uses %v, neither a key of the app nor a key ARN", stack, get(st, "sid"), r))
						}
						continue
					}
					checked++
					uses[key] = append(uses[key], roleUse{roleName(rp["role"]), stack, fmt.Sprint(get(st, "sid")), grantSide(st)})
				}
			}
		}
	}
	// principalRole is the role name (or pattern) a key-policy statement
	// admits through aws:PrincipalArn, and whether it is a pattern.
	principalRole := func(st any) (string, bool, bool) {
		for _, c := range asList(get(st, "condition")) {
			if get(c, "variable") == "aws:PrincipalArn" {
				arn := fmt.Sprint(get(c, "values", 0))
				_, name, _ := strings.Cut(arn, ":role/")
				return name, get(c, "test") == "ArnLike", true
			}
		}
		return "", false, false
	}
	matches := func(pattern string, like bool, role string) bool {
		if !like {
			return pattern == role
		}
		ok, _ := path.Match(pattern, role)
		return ok
	}
	paired := map[string]bool{}
	for _, key := range slices.SortedFunc(func(yield func(*appKey) bool) {
		seen := map[*appKey]bool{}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				if !yield(k) {
					return
				}
			}
		}
	}, func(a, b *appKey) int { return strings.Compare(a.id, b.id) }) {
		for _, u := range uses[key] {
			found := false
			for i, st := range key.statements {
				pattern, like, ok := principalRole(st)
				if ok && matches(pattern, like, u.role) && grantSide(st) == u.side {
					found = true
					paired[fmt.Sprint(key.id, i)] = true
				}
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s: role %s's statement %s on key %s (%s) has no key-policy statement admitting the role with the same actions and conditions", u.stack, u.role, u.sid, key.id, u.side))
			}
		}
		for i, st := range key.statements {
			pattern, like, ok := principalRole(st)
			if !ok || paired[fmt.Sprint(key.id, i)] {
				continue
			}
			// AWS Backup's role gets its side from AWS managed policies
			// (backup.ManagedPolicies allow KMS use through the services
			// it backs up, for any key): its role has no inline kms:
			// statement to pair.
			if slices.ContainsFunc(sortedKeys(managed), func(role string) bool {
				return matches(pattern, like, role) && slices.Equal(slices.Sorted(slices.Values(managed[role])), slices.Sorted(slices.Values(backup.ManagedPolicies)))
			}) {
				continue
			}
			problems = append(problems, fmt.Sprintf("key %s: statement %s admits role %s (%s), but no role uses it with the same actions and conditions", key.id, get(st, "sid"), pattern, grantSide(st)))
		}
	}
	return checked, problems
}

// deployerGrantMismatches pairs the key policies' statements for the
// deployer (kms:CallerAccount) with the deployer policy's statements that
// use a key through a service, both ways. The deployer policy names the
// account with IAM's ${aws:PrincipalAccount}, the stacks with their caller
// identity.
func deployerGrantMismatches(stacks map[string]stackJSON, files map[string][]byte) []string {
	account := regexp.MustCompile(`\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}`)
	norm := func(side string) string { return account.ReplaceAllString(side, "${aws:PrincipalAccount}") }
	keySides := map[string]string{}
	for _, key := range keysOf(stacks) {
		for _, st := range key.statements {
			if slices.ContainsFunc(asList(get(st, "condition")), func(c any) bool { return get(c, "variable") == "kms:CallerAccount" }) {
				keySides[norm(grantSide(st))] = fmt.Sprintf("key %s: %s", key.id, get(st, "sid"))
			}
		}
	}
	policySides := map[string]string{}
	for _, f := range sortedKeys(files) {
		if !strings.HasPrefix(f, "deployer-policy-") {
			continue
		}
		var doc struct {
			Statement []struct {
				Sid       string
				Action    []string
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal(files[f], &doc); err != nil {
			return []string{f + ": " + err.Error()}
		}
		for _, st := range doc.Statement {
			// The same shape as a synthesized statement, for grantSide.
			m := map[string]any{"actions": toAny(st.Action)}
			var conds []any
			for test, vars := range st.Condition {
				for v, vals := range vars {
					list, ok := vals.([]any)
					if !ok {
						list = []any{vals}
					}
					conds = append(conds, map[string]any{"test": test, "variable": v, "values": list})
				}
			}
			m["condition"] = conds
			if !slices.ContainsFunc(conds, func(c any) bool { return get(c, "variable") == "kms:ViaService" }) {
				continue
			}
			policySides[grantSide(m)] = f + ": " + st.Sid
		}
	}
	var problems []string
	for side, where := range keySides {
		if _, ok := policySides[side]; !ok {
			problems = append(problems, fmt.Sprintf("%s lets the deployer use the key (%s), but no deployer-policy statement does", where, side))
		}
	}
	for side, where := range policySides {
		if _, ok := keySides[side]; !ok {
			problems = append(problems, fmt.Sprintf("%s uses a key through a service (%s) that no key policy lets the deployer use", where, side))
		}
	}
	slices.Sort(problems)
	return problems
}

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}
