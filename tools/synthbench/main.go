// Command synthbench times whole runs of the synthesizing app (Node.js
// start-up included: what a user waits for) on sample configs of several
// sizes and prints the figures and the ratio of the largest to the
// smallest. Synth time must grow linearly with the number of proxy regions.
//
//	go build -o app . && go run ./tools/synthbench -app ./app -sizes 9,21,33 -runs 3
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/example/teleport-multi-region/internal/sample"
)

func main() {
	app := flag.String("app", "./app", "the built app")
	sizes := flag.String("sizes", "9,21,33", "numbers of proxy regions")
	runs := flag.Int("runs", 3, "runs per size; the median is reported")
	modes := flag.String("connectivity", "vpc_peering", "connectivity modes, comma separated")
	flag.Parse()
	if err := run(*app, *sizes, *modes, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "synthbench:", err)
		os.Exit(1)
	}
}

func run(app, sizes, modes string, runs int) error {
	bin, err := filepath.Abs(app)
	if err != nil {
		return err
	}
	for _, mode := range strings.Split(modes, ",") {
		var first, last time.Duration
		for _, s := range strings.Split(sizes, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("size %q: %w", s, err)
			}
			median, files, err := measure(bin, n, mode, runs)
			if err != nil {
				return err
			}
			if first == 0 {
				first = median
			}
			last = median
			fmt.Printf("synth %-12s %2d proxy regions: %6.2f s (median of %d runs), %d files\n", mode, n, median.Seconds(), runs, files)
		}
		fmt.Printf("synth %-12s t(largest)/t(smallest) = %.2f\n", mode, last.Seconds()/first.Seconds())
	}
	return nil
}

// measure runs the app runs times on a sample config and returns the median
// wall time and the number of files written.
func measure(bin string, n int, mode string, runs int) (time.Duration, int, error) {
	doc, err := sample.Regions(n, sample.Options{Connectivity: mode})
	if err != nil {
		return 0, 0, err
	}
	var times []time.Duration
	files := 0
	for i := 0; i < runs; i++ {
		dir, err := os.MkdirTemp("", "synthbench-")
		if err != nil {
			return 0, 0, err
		}
		cfg := filepath.Join(dir, "cluster.yaml")
		if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
			return 0, 0, err
		}
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CLUSTER_CONFIG="+cfg)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		times = append(times, time.Since(start))
		if err != nil {
			os.RemoveAll(dir)
			return 0, 0, fmt.Errorf("%d regions: %v\n%s", n, err, out)
		}
		files = 0
		filepath.WalkDir(filepath.Join(dir, "cdktf.out"), func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files++
			}
			return nil
		})
		os.RemoveAll(dir)
	}
	slices.Sort(times)
	return times[len(times)/2], files, nil
}
