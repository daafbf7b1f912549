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
	// Proxies are in region-name order (the order they are built in, so that
	// each can own its peerings with the ones before it).
	Proxies []*ProxyStack
	// DNS holds every latency record and health check.
	DNS *DNSStack
	// Retired are the stacks of retired proxy regions, empty, by region
	// name.
	Retired []cdktf.TerraformStack
}

// Build adds every stack of cfg to app. cfg must be validated.
//
// The stacks are created empty first, in the reverse of the order they are
// filled, so that cdktf prepares every stack before the stacks it reads.
// Each cross-stack reference makes cdktf call addDependency, which first
// walks every path of the dependency graph below the producer
// (TerraformStack.dependsOn in cdktf's lib/terraform-stack.js, not
// memoised). Stacks are prepared in creation order: filled in dependency
// order, each proxy stack in vpc mode would depend on the auth stack and on
// every proxy stack before it, and that walk visits 2^N paths (measured: 29
// regions 78 s, 33 regions more than 5 minutes). Created consumers first,
// each producer is still unprepared, without dependencies, when its
// consumers are prepared, and every walk is short: synth time grows
// linearly (see BenchmarkSynthRegions). The synthesized output does not
// depend on this order.
//
// So the DNS stack, which reads every proxy stack and the auth stack, is
// created first; retired stacks depend on it explicitly, which is a short
// walk too, since Build adds that dependency before any stack is prepared.
func Build(app cdktf.App, cfg *config.Cluster) (*Stacks, error) {
	names := cfg.Names()
	regions := append([]config.ProxyRegion(nil), cfg.ProxyRegions...)
	sort.Slice(regions, func(i, j int) bool { return regions[i].Region < regions[j].Region })
	dnsStack := cdktf.NewTerraformStack(app, jsii.String(DNSStackName))
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
		var peers []*ProxyStack
		if cfg.ProxyPeering() && !cfg.PublicPeering() {
			peers = peersOwnedBy(pr.Region, s.Proxies)
		}
		p, err := NewProxyStack(proxyStacks[pr.Region], cfg, pr, auth, peers)
		if err != nil {
			return nil, err
		}
		s.Proxies = append(s.Proxies, p)
	}
	s.DNS = NewDNSStack(dnsStack, cfg, auth, s.Proxies)
	for _, pr := range regions {
		if pr.Retired {
			s.Retired = append(s.Retired, NewRetiredStack(proxyStacks[pr.Region], cfg, pr.Region, s.Proxies, dnsStack))
		}
	}
	return s, nil
}

// Names returns the stack names, auth first, then proxies by region name,
// then the DNS stack, then retired stacks.
func (s *Stacks) Names() []string {
	names := []string{*s.Auth.Stack.Node().Id()}
	for _, p := range s.Proxies {
		names = append(names, *p.Stack.Node().Id())
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
