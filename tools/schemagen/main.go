// Command schemagen writes config/cluster.schema.json from the config's Go
// types and their doc comments (make schema). Run it from the repository
// root.
package main

import (
	"fmt"
	"os"

	"github.com/example/teleport-multi-region/config"
)

func main() {
	docs, err := config.FieldDocs("config")
	if err == nil {
		var schema []byte
		if schema, err = config.SchemaFor(docs); err == nil {
			err = os.WriteFile("config/cluster.schema.json", schema, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}
