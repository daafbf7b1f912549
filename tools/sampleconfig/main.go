// Command sampleconfig prints a valid cluster config with n proxy regions
// (package sample): the input of make mermaid's largest diagram, or of a
// synth at any size.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/internal/sample"
)

func main() {
	n := flag.Int("regions", len(config.JoinableRegionNames()), "proxy regions (at most every region of the table)")
	connectivity := flag.String("connectivity", "", "connectivity.mode (default: vpc_peering)")
	flag.Parse()
	doc, err := sample.Regions(*n, sample.Options{Connectivity: *connectivity})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sampleconfig:", err)
		os.Exit(2)
	}
	fmt.Print(doc)
}
