// Command schemagen writes config/cluster.schema.json and the configuration
// reference, docs/configuration.md, from the config's Go types and their
// doc comments (make schema). Run it from the repository root.
package main

import (
	"fmt"
	"os"

	"github.com/example/teleport-multi-region/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run() error {
	docs, err := config.FieldDocs("config")
	if err != nil {
		return err
	}
	schema, err := config.SchemaFor(docs)
	if err != nil {
		return err
	}
	reference, err := config.ReferenceFor(docs)
	if err != nil {
		return err
	}
	if err := os.WriteFile("config/cluster.schema.json", schema, 0o644); err != nil {
		return err
	}
	return os.WriteFile(config.ReferencePath, reference, 0o644)
}
