package regions

import (
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/constructs/firewall"
	"github.com/example/teleport-multi-region/constructs/moved"
	"github.com/example/teleport-multi-region/constructs/proxycluster"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Moves says which resources of an existing cluster change stack in this
// synth, so that the next deploy moves them with Terraform's own blocks and
// destroys or replaces nothing. Before mesh stacks, the proxy stack of the
// region owning a connection (OwnsPeering) held the connection, its routes
// on both sides, and every region's range in its peer prefix list as inline
// entries. Now the mesh stack of that region holds the connection and the
// entries of the other regions, and the proxy stack its own entry:
//
//   - the proxy stack declares each moved resource `removed` with
//     lifecycle destroy = false (Terraform 1.7): it forgets it;
//   - the mesh stack declares the same construct ids (so the same
//     addresses) with `import` blocks whose ids Terraform knows when it
//     plans: data sources find the connection or attachment by its VPCs or
//     gateway, Name tag and state; routes and entries are "<table>_<range>"
//     and "<list>,<range>" of ids the stack already reads.
//
// The manifest deploys every proxy stack before any mesh stack, so a
// resource is forgotten before it is imported. Terraform imports an address
// once: an import block whose address is already in the state is a no-op
// (Terraform's import block documentation), and a removed block whose
// address is not in the state does nothing, so the blocks stay harmless in
// later synths, which keep them (cli reads them back from the previous
// output) until the cluster's regions change the pairs.
//
// The zero value moves nothing: a new cluster.
type Moves struct {
	// Forget holds, by proxy region, the addresses ("type.name") its proxy
	// stack declares removed without destroying them.
	Forget map[string][]string
	// Peers holds, by proxy region, the regions whose side of an old
	// connection its proxy stack still has in state (moved or to be
	// destroyed with a retired peer): it keeps their providers.
	Peers map[string][]string
	// Adopt holds, by owning proxy region, the peer regions whose existing
	// connection its mesh stack imports.
	Adopt map[string][]string
	// AdoptRoutes holds, by owning proxy region and peer region, the
	// construct ids of the adopted connection's routes that exist: the
	// routes the old proxy stack held (at the move), or those the mesh
	// stack imported before (later synths). A route added since, with a
	// zone or a route table, is created: importing it would fail the plan.
	AdoptRoutes map[string]map[string]moved.Existing
	// AdoptEntries holds the proxy regions whose peer prefix list had its
	// entries inline: the proxy stack imports its own entry, and each mesh
	// stack imports the entries of the pairs it adopts.
	AdoptEntries []string
}

func (m *Moves) oldPeers(region string) []string {
	if m == nil {
		return nil
	}
	return m.Peers[region]
}

func (m *Moves) adopts(owner, peer string) bool {
	return m != nil && slices.Contains(m.Adopt[owner], peer)
}

func (m *Moves) adoptedRoutes(owner, peer string) moved.Existing {
	if m == nil {
		return nil
	}
	return m.AdoptRoutes[owner][peer]
}

// pairAdopted reports whether the connection between a and b existed before
// (whichever owns it).
func (m *Moves) pairAdopted(a, b string) bool {
	if OwnsPeering(a, b) {
		return m.adopts(a, b)
	}
	return m.adopts(b, a)
}

func (m *Moves) entriesAdopted(region string) bool {
	return m != nil && slices.Contains(m.AdoptEntries, region)
}

// Active reports whether m moves anything.
func (m *Moves) Active() bool {
	return m != nil && (len(m.Forget) > 0 || len(m.Adopt) > 0 || len(m.AdoptEntries) > 0)
}

// handOver adds the proxy stack's side of the move: the removed blocks, and
// the import of its own prefix list entry (an inline entry before). The
// entry's import id names the list, which is in the state already.
func (m *Moves) handOver(stack cdktf.TerraformStack, region string, proxy *proxycluster.ProxyCluster, own *firewall.Range) {
	if m == nil {
		return
	}
	if forget := m.Forget[region]; len(forget) > 0 {
		var blocks []map[string]any
		for _, addr := range slices.Sorted(slices.Values(forget)) {
			blocks = append(blocks, map[string]any{"from": addr, "lifecycle": map[string]any{"destroy": false}})
		}
		// cdktf 0.20 has no removed block: the stack's override adds it
		// to the JSON as Terraform reads it.
		stack.AddOverride(jsii.String("removed"), blocks)
	}
	if m.entriesAdopted(region) && proxy.PeerSelfEntry != nil && own != nil {
		proxy.PeerSelfEntry.ImportFrom(firewall.PrefixListEntryImportID(proxy.PeerPrefixList.ID, own.CIDR), nil)
	}
}
