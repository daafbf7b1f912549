package regions

import (
	"path/filepath"

	"github.com/example/teleport-multi-region/config"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Stacks are the stacks Build added to an app.
type Stacks struct {
	Auth *AuthStack
}

// Build adds every stack of cfg to app. cfg must be validated.
func Build(app cdktf.App, cfg *config.Cluster) (*Stacks, error) {
	auth, err := NewAuthStack(app, cfg)
	if err != nil {
		return nil, err
	}
	return &Stacks{Auth: auth}, nil
}

// Names returns the stack names, auth first, then proxies in config order.
func (s *Stacks) Names() []string {
	names := []string{*s.Auth.Stack.Node().Id()}
	return names
}

// StackFile is the path of a synthesized stack's Terraform JSON.
func StackFile(outdir, stack string) string {
	return filepath.Join(outdir, "stacks", stack, "cdk.tf.json")
}
