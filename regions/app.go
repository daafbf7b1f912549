package regions

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/jsii-runtime-go"
	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/constructs/teleportconfig"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Stacks are the stacks Build added to an app.
type Stacks struct {
	Auth *AuthStack
	// Proxies are in region-name order.
	Proxies []*ProxyStack
	// Meshes are the active proxy regions' mesh stacks in region-name
	// order (mesh mode only, see MeshStack).
	Meshes []*MeshStack
	// DNS holds every latency record and health check.
	DNS *DNSStack
	// Retired are the stacks of retired proxy regions, empty, by region
	// name, each followed by its mesh stack (mesh mode).
	Retired []cdktf.TerraformStack
}

// Build adds every stack of cfg to app. cfg must be validated; moves says
// what an existing cluster's stacks hand over to others (nil: nothing).
//
// The deploy order it gives the manifest: the auth stack; every proxy stack
// (each reads only auth); every mesh stack (each reads its own proxy stack
// and those of the regions it connects with); the DNS stack (reads every
// proxy stack, after every mesh stack); retired stacks. Four stacks deep
// at any number of regions.
//
// The stacks are created empty first, in the reverse of the order they are
// filled, so that cdktf prepares every stack before the stacks it reads.
// Each cross-stack reference makes cdktf call addDependency, which first
// walks every path of the dependency graph below the producer
// (TerraformStack.dependsOn in cdktf's lib/terraform-stack.js, not
// memoised). Stacks are prepared in creation order: created in dependency
// order, a stack reading many stacks that each read many others would make
// that walk visit exponentially many paths (measured when each proxy stack
// read every proxy stack before it: 29 regions 78 s, 33 regions more than 5
// minutes). Created consumers first, each producer is still unprepared,
// without dependencies, when its consumers are prepared, and every walk is
// short: synth time grows linearly (see BenchmarkSynthRegions). The
// synthesized output does not depend on this order.
//
// So the DNS stack, which reads every proxy stack and the auth stack, is
// created first, then the mesh stacks, then the proxy stacks, then auth.
// Explicit dependencies (DNS on the mesh stacks, retired stacks on DNS and
// mesh stacks) are added before any stack is prepared: short walks too.
func Build(app cdktf.App, cfg *config.Cluster, moves *Moves) (*Stacks, error) {
	names := cfg.Names()
	regions := append([]config.ProxyRegion(nil), cfg.ProxyRegions...)
	sort.Slice(regions, func(i, j int) bool { return regions[i].Region < regions[j].Region })
	mesh := meshMode(cfg)
	dnsStack := cdktf.NewTerraformStack(app, jsii.String(DNSStackName))
	meshStacks := map[string]cdktf.TerraformStack{}
	if mesh {
		for i := len(regions) - 1; i >= 0; i-- {
			meshStacks[regions[i].Region] = cdktf.NewTerraformStack(app, jsii.String(names.MeshStack(regions[i].Region)))
		}
	}
	proxyStacks := map[string]cdktf.TerraformStack{}
	for i := len(regions) - 1; i >= 0; i-- {
		name := names.ProxyStack(regions[i].Region)
		proxyStacks[regions[i].Region] = cdktf.NewTerraformStack(app, jsii.String(name))
	}
	authStack := cdktf.NewTerraformStack(app, jsii.String(names.AuthStack(cfg.Auth.Region)))

	auth, err := NewAuthStack(authStack, cfg)
	if err != nil {
		return nil, err
	}
	s := &Stacks{Auth: auth}
	for _, pr := range regions {
		if pr.Retired {
			continue
		}
		p, err := NewProxyStack(proxyStacks[pr.Region], cfg, pr, auth, moves)
		if err != nil {
			return nil, err
		}
		s.Proxies = append(s.Proxies, p)
	}
	if mesh {
		for _, p := range s.Proxies {
			m, err := NewMeshStack(meshStacks[p.Region], cfg, p, s.Proxies, moves)
			if err != nil {
				return nil, err
			}
			s.Meshes = append(s.Meshes, m)
		}
	}
	s.DNS = NewDNSStack(dnsStack, cfg, auth, s.Proxies, s.Meshes)
	for _, pr := range regions {
		if !pr.Retired {
			continue
		}
		ownMesh := meshStacks[pr.Region]
		if ownMesh != nil {
			NewRetiredMeshStack(ownMesh, cfg, pr.Region, dnsStack)
		}
		s.Retired = append(s.Retired, NewRetiredStack(proxyStacks[pr.Region], cfg, pr.Region, s.Meshes, ownMesh, dnsStack))
		if ownMesh != nil {
			s.Retired = append(s.Retired, ownMesh)
		}
	}
	return s, nil
}

// Names returns the stack names, auth first, then proxies by region name,
// then mesh stacks, then the DNS stack, then retired stacks.
func (s *Stacks) Names() []string {
	names := []string{*s.Auth.Stack.Node().Id()}
	for _, p := range s.Proxies {
		names = append(names, *p.Stack.Node().Id())
	}
	for _, m := range s.Meshes {
		names = append(names, *m.Stack.Node().Id())
	}
	names = append(names, *s.DNS.Stack.Node().Id())
	for _, r := range s.Retired {
		names = append(names, *r.Node().Id())
	}
	return names
}

// StackFile is the path of a synthesized stack's Terraform: cdk.tf.json,
// or cdk.tf when cdktf renders HCL (SYNTH_HCL_OUTPUT=true).
func StackFile(outdir, stack string) string {
	name := "cdk.tf.json"
	if os.Getenv("SYNTH_HCL_OUTPUT") == "true" {
		name = "cdk.tf"
	}
	return filepath.Join(outdir, "stacks", stack, name)
}

// ReviewFiles returns files that show reviewers what the base64 user data
// and the agents hold, keyed by path relative to the output directory:
// each stack's boot script and an example agent configuration.
func (s *Stacks) ReviewFiles(cfg *config.Cluster) (map[string]string, error) {
	agent, err := teleportconfig.AgentConfig(cfg.Domain)
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		filepath.Join(ReviewDir, "agent-teleport.yaml"):                     agent,
		filepath.Join(ReviewDir, *s.Auth.Stack.Node().Id()+"-user-data.sh"): s.Auth.BootScript,
	}
	for _, p := range s.Proxies {
		files[filepath.Join(ReviewDir, *p.Stack.Node().Id()+"-user-data.sh")] = p.BootScript
	}
	return files, nil
}

// BootScripts returns each stack's boot script by stack name.
func (s *Stacks) BootScripts() map[string]string {
	out := map[string]string{*s.Auth.Stack.Node().Id(): s.Auth.BootScript}
	for _, p := range s.Proxies {
		out[*p.Stack.Node().Id()] = p.BootScript
	}
	return out
}

// ReviewDir is the folder, inside the output directory, of ReviewFiles.
const ReviewDir = "teleport"
