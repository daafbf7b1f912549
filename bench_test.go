package main

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// BenchmarkSynthExample measures a full synth of the example config (all
// stacks, review files), with Node.js already started.
func BenchmarkSynthExample(b *testing.B) {
	benchSynth(b, func() (*config.Cluster, error) { return config.Load("examples/cluster.yaml") })
}

// benchSynth synthesizes the config load returns b.N times.
func benchSynth(b *testing.B, load func() (*config.Cluster, error)) {
	cfg, err := load()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if _, err := cli.Synthesize(cfg, dir); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
}

// BenchmarkSynthProviderOnly is the floor: an app with one stack holding
// only the AWS provider. The difference to BenchmarkSynthExample is the cost
// of this project's constructs.
func BenchmarkSynthProviderOnly(b *testing.B) {
	for i := 0; i < b.N; i++ {
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(b.TempDir())})
		stack := cdktf.NewTerraformStack(app, jsii.String("floor"))
		provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-west-2")})
		app.Synth()
	}
}
