package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/teleport-multi-region/internal/words"
	"github.com/example/teleport-multi-region/report"
	tfjson "github.com/hashicorp/terraform-json"
)

// UnmovedCheck is the plan check of plan and apply (deploy.Options.CheckPlan;
// the emulator run applies with it too) that catches a move to mesh stacks
// without its blocks: a proxy stack whose
// plan destroys a resource that its region's mesh stack declares at the
// same address. The move (regions.Moves) makes the proxy stack forget such
// resources and the mesh stack import them; a synth into a fresh
// output directory cannot know the cluster was deployed in the old layout
// (cli/moves.go reads the previous output, not the state), so it writes no
// blocks, and the proxy stack would destroy the proxy-to-proxy connections
// and routes that the mesh stacks then create again: an outage of proxy
// peering between those regions. Nothing of such a stack is applied.
//
// Only the region's own mesh stack counts: every move goes from proxy-R to
// mesh-R, and construct ids (so addresses) repeat across regions' stacks (a
// region retired in the same synth destroys its own connection with a peer
// that another region's mesh stack declares under the same address).
// Legitimate destroys in a proxy stack are never declared by its mesh
// stack: a connection with a retired peer leaves it, and a moved resource
// is forgotten (Terraform's "forget" action), not deleted.
func UnmovedCheck(outdir string) (func(string, *tfjson.Plan) error, error) {
	out, err := report.ReadOutput(outdir)
	if err != nil {
		return nil, err
	}
	return func(stack string, plan *tfjson.Plan) error {
		region, ok := strings.CutPrefix(stack, "proxy-")
		if !ok {
			return nil
		}
		mesh := "mesh-" + region
		declared := asMap(out.Stacks[mesh]["resource"])
		var lost []string
		for _, rc := range plan.ResourceChanges {
			if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil || !(rc.Change.Actions.Delete() || rc.Change.Actions.Replace()) {
				continue
			}
			if _, ok := asMap(declared[rc.Type])[rc.Name]; ok {
				lost = append(lost, rc.Type+"."+rc.Name)
			}
		}
		if len(lost) == 0 {
			return nil
		}
		slices.Sort(lost)
		return fmt.Errorf("it destroys %s that %s now declares (%s): the cluster was deployed before mesh stacks, "+
			"but this output was synthesized without the output it was deployed from, so it has no blocks that move them "+
			"and the mesh stacks would create them again (proxy peering between those regions down meanwhile). "+
			"Synthesize over the cdktf.out the cluster was deployed from, or rebuild that output first with the release it was deployed with "+
			"(docs/operations.md: Moving a cluster to mesh stacks)",
			words.Plural(len(lost), "resource"), mesh, strings.Join(lost, ", "))
	}, nil
}
