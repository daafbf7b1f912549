// Package moved writes Terraform moved blocks for resources whose construct
// id changed, so that Terraform moves their state to the new address instead
// of destroying them and creating them again ("Refactoring", Terraform
// language docs: a moved block whose source is not in the state does
// nothing, so the blocks can stay for clusters created after the change).
package moved

import (
	"crypto/md5"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Scope moves resources created in one construct.
type Scope struct {
	// path is the construct's path below its stack.
	path []string
}

// In returns the Scope of the resources created directly in scope.
func In(scope constructs.Construct) Scope {
	stack := *cdktf.TerraformStack_Of(scope).Node().Path()
	rel := strings.TrimPrefix(strings.TrimPrefix(*scope.Node().Path(), stack), "/")
	if rel == "" {
		return Scope{}
	}
	return Scope{path: strings.Split(rel, "/")}
}

// From moves the state of the resource that had id oldID in this scope
// (and res's type) to res.
func (s Scope) From(res cdktf.TerraformResource, oldID string) {
	res.MoveFromId(jsii.String(*res.TerraformResourceType() + "." + LogicalID(append(append([]string(nil), s.path...), oldID)...)))
}

// LogicalID is cdktf's logical id (the name in "type.name") of a resource at
// the construct path components below its stack: makeUniqueId of cdktf
// 0.20's lib/private/unique.js, which TerraformStack.allocateLogicalId
// calls. A human part (the components without duplicates, "_"-joined) and
// the first 8 hex digits, upper case, of the MD5 of the "/"-joined path.
func LogicalID(components ...string) string {
	var kept []string
	for _, c := range components {
		if c != "Default" {
			kept = append(kept, c)
		}
	}
	if len(kept) == 1 {
		if id := disallowed.ReplaceAllString(kept[0], ""); len(id) <= 255 {
			return id
		}
	}
	sum := md5.Sum([]byte(strings.Join(kept, "/")))
	hash := strings.ToUpper(fmt.Sprintf("%x", sum)[:8])
	var human []string
	for _, c := range kept {
		if len(human) > 0 && strings.HasSuffix(human[len(human)-1], c) {
			continue
		}
		human = append(human, c)
	}
	var parts []string
	for _, c := range human {
		if c != "Resource" {
			parts = append(parts, disallowed.ReplaceAllString(c, ""))
		}
	}
	h := strings.Join(parts, "_")
	if len(h) > 240 {
		h = h[:240]
	}
	return h + "_" + hash
}

var disallowed = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// Existing is the set of construct ids (the last component of a resource's
// construct path, e.g. "requester-route-0" or "requester-route-usw1-az1")
// of resources that already exist in AWS and that a construct imports
// instead of creating. An import block whose object does not exist fails
// the plan ("Cannot import non-existent remote object"), so a construct
// that adopts existing resources imports only those in the set: a route
// added later (a new zone's route table) is created.
type Existing map[string]bool

// Has reports whether any of ids (a resource's construct id and the ids it
// had before, see Scope.From) is in e.
func (e Existing) Has(ids ...string) bool {
	for _, id := range ids {
		if e[id] {
			return true
		}
	}
	return false
}
