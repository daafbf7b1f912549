// Command teleport-multi-region synthesizes the Terraform configuration of a
// Teleport multi-region proxy deployment on AWS: one stack for the auth region
// and one per proxy region. `go run . help` lists its commands; package cli
// holds them.
package main

import (
	_ "embed"
	"os"

	"github.com/example/teleport-multi-region/cli"
)

//go:embed examples/cluster.yaml
var exampleConfig []byte

//go:embed CHANGELOG.md
var changelog []byte

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Example: exampleConfig, Changelog: changelog}))
}
