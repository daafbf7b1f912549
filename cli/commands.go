package cli

import (
	"fmt"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/report"
)

func diff(env Env, old, new string) int {
	out, err := report.Diff(old, new)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	fmt.Fprint(env.Stdout, out)
	return 0
}

func schema(env Env) int {
	_, err := env.Stdout.Write(config.SchemaFile)
	if err != nil {
		return 1
	}
	return 0
}
