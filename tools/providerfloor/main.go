// Command providerfloor synthesizes an app that holds nothing but the AWS
// provider, into a temporary directory: the fixed cost of every synth
// (Node.js start, jsii, loading the provider), which tools/synthbench times
// beside the app's. It loads the provider as the app does (lazily unless
// SYNTH_LAZY_PROVIDERS=false).
package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/example/teleport-multi-region/internal/nodeopts"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "providerfloor:", err)
		os.Exit(1)
	}
}

func run() error {
	if _, err := nodeopts.Setup(os.LookupEnv, os.Setenv); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "providerfloor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	defer jsii.Close()
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(dir)})
	stack := cdktf.NewTerraformStack(app, jsii.String("floor"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-west-2")})
	app.Synth()
	return nil
}
