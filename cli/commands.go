package cli

import (
	"fmt"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
)

// diff prints what changes between two synthesized outputs and exits 0
// without changes, 2 with changes, 3 with dangerous changes, 1 on error.
func diff(env Env, old, new string) int {
	res, err := report.Diff(old, new)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return report.ExitError
	}
	fmt.Fprint(env.Stdout, res.Markdown)
	return res.ExitStatus()
}

func schema(env Env) int {
	_, err := env.Stdout.Write(config.SchemaFile)
	if err != nil {
		return 1
	}
	return 0
}
