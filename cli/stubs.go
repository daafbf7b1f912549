package cli

import "fmt"

func diff(env Env, old, new string) int {
	fmt.Fprintln(env.Stderr, "error: diff is not implemented yet")
	return 1
}

func schema(env Env) int {
	fmt.Fprintln(env.Stderr, "error: schema is not implemented yet")
	return 1
}
