// Command bootfiles extracts the files that rendered user data writes (the
// boot scripts, the role's environment file, teleport.yaml), so that make
// shellcheck lints the heredoc bodies too: shellcheck does not look inside
// them.
//
//	go run ./tools/bootfiles -out DIR USER-DATA.sh...
//
// Each user data's files go to DIR/<parent>-<name>/ under their base names
// (scripts source lib.sh from beside them); it prints the paths of the
// shell files, one a line.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/example/teleport-multi-region/constructs/teleportconfig"
)

func main() {
	out := flag.String("out", "", "directory to extract into")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: bootfiles -out DIR USER-DATA.sh...")
		os.Exit(2)
	}
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "bootfiles:", err)
		os.Exit(1)
	}
}

func run(out string, inputs []string) error {
	for _, in := range inputs {
		raw, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		files, err := teleportconfig.BootFiles(string(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		dir := filepath.Join(out, filepath.Base(filepath.Dir(filepath.Dir(in)))+"-"+strings.TrimSuffix(filepath.Base(in), ".sh"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		paths := make([]string, 0, len(files))
		for p := range files {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			name := filepath.Base(p)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(files[p]), 0o644); err != nil {
				return err
			}
			if isShell(p, files[p]) {
				fmt.Println(filepath.Join(dir, name))
			}
		}
	}
	return nil
}

// isShell tells the scripts, the library and the environment file from
// teleport.yaml, tokens and systemd units.
func isShell(p, body string) bool {
	return strings.HasPrefix(body, "#!/bin/bash") || strings.HasSuffix(p, ".sh") || p == teleportconfig.EnvPath
}
