// Command synthbench times whole runs of the synthesizing app (Node.js
// start-up included: what a user waits for) and their peak memory: a
// provider-only app (the floor), the embedded example, and sample configs
// of several sizes. Each case runs with the provider loaded lazily (the
// default) and eagerly (SYNTH_LAZY_PROVIDERS=false), interleaved, so that
// a shared machine's load falls on both alike; it prints the medians and
// the median of the per-pair ratios, and the ratio of the largest to the
// smallest size (synth time must grow linearly with the proxy regions).
//
//	go build -o .bench/app . && go build -o .bench/floor ./tools/providerfloor
//	go run ./tools/synthbench -app .bench/app -floor .bench/floor -sizes 9,21,32 -runs 3
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
	"syscall"
	"time"

	"github.com/example/teleport-multi-region/internal/nodeopts"
	"github.com/example/teleport-multi-region/internal/sample"
)

func main() {
	app := flag.String("app", "./app", "the built app")
	floor := flag.String("floor", "", "the built tools/providerfloor (optional)")
	sizes := flag.String("sizes", "9,21,32", "numbers of proxy regions")
	runs := flag.Int("runs", 3, "runs per case and loading mode; medians are reported")
	modes := flag.String("connectivity", "vpc_peering", "connectivity modes, comma separated")
	flag.Parse()
	if err := run(*app, *floor, *sizes, *modes, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "synthbench:", err)
		os.Exit(1)
	}
}

// benchCase is one thing to time: a binary, run in a fresh directory with
// config (if any) as its CLUSTER_CONFIG.
type benchCase struct {
	name, bin, config string
}

// measurement is one run: wall time and the peak resident memory of the largest
// process of its tree (Node.js).
type measurement struct {
	wall time.Duration
	peak int64 // bytes
}

func run(app, floor, sizes, modes string, runs int) error {
	bin, err := filepath.Abs(app)
	if err != nil {
		return err
	}
	var cases []benchCase
	if floor != "" {
		f, err := filepath.Abs(floor)
		if err != nil {
			return err
		}
		cases = append(cases, benchCase{name: "provider only (floor)", bin: f})
	}
	cases = append(cases, benchCase{name: "example", bin: bin})
	type sized struct {
		mode string
		n    int
	}
	var scale []sized
	for _, mode := range strings.Split(modes, ",") {
		for _, s := range strings.Split(sizes, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("size %q: %w", s, err)
			}
			doc, err := sample.Regions(n, sample.Options{Connectivity: mode})
			if err != nil {
				return err
			}
			cases = append(cases, benchCase{name: fmt.Sprintf("%s %d proxy regions", mode, n), bin: bin, config: doc})
			scale = append(scale, sized{mode, n})
		}
	}
	fmt.Printf("whole runs, median of %d each, lazy and eager (%s=false) interleaved\n", runs, nodeopts.SwitchVar)
	fmt.Printf("%-32s %17s %17s %22s\n", "", "lazy", "eager", "lazy/eager (median)")
	fmt.Printf("%-32s %8s %8s %8s %8s %11s %10s\n", "case", "time", "peak", "time", "peak", "time", "peak")
	medians := map[string][2]time.Duration{}
	for _, c := range cases {
		var lazy, eager []measurement
		var timeRatios, peakRatios []float64
		for i := 0; i < runs; i++ {
			l, err := measure(c, true)
			if err != nil {
				return err
			}
			e, err := measure(c, false)
			if err != nil {
				return err
			}
			lazy, eager = append(lazy, l), append(eager, e)
			timeRatios = append(timeRatios, l.wall.Seconds()/e.wall.Seconds())
			peakRatios = append(peakRatios, float64(l.peak)/float64(e.peak))
		}
		lw, lp := median(lazy)
		ew, ep := median(eager)
		medians[c.name] = [2]time.Duration{lw, ew}
		fmt.Printf("%-32s %6.2f s %4d MiB %6.2f s %4d MiB %11.2f %10.2f\n", c.name, lw.Seconds(), lp>>20, ew.Seconds(), ep>>20,
			medianOf(timeRatios), medianOf(peakRatios))
	}
	for _, mode := range strings.Split(modes, ",") {
		var first, last string
		for _, s := range scale {
			if s.mode == mode {
				if first == "" {
					first = fmt.Sprintf("%s %d proxy regions", mode, s.n)
				}
				last = fmt.Sprintf("%s %d proxy regions", mode, s.n)
			}
		}
		if first == "" || first == last {
			continue
		}
		a, b := medians[first], medians[last]
		fmt.Printf("%s t(largest)/t(smallest): lazy %.2f, eager %.2f\n", mode, b[0].Seconds()/a[0].Seconds(), b[1].Seconds()/a[1].Seconds())
	}
	return nil
}

// measure runs c once in a fresh directory, with the provider loaded
// lazily or not.
func measure(c benchCase, lazy bool) (measurement, error) {
	dir, err := os.MkdirTemp("", "synthbench-")
	if err != nil {
		return measurement{}, err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), nodeopts.SwitchVar+"="+strconv.FormatBool(lazy))
	if c.config != "" {
		cfg := filepath.Join(dir, "cluster.yaml")
		if err := os.WriteFile(cfg, []byte(c.config), 0o644); err != nil {
			return measurement{}, err
		}
		env = append(env, "CLUSTER_CONFIG="+cfg)
	}
	cmd := exec.Command(c.bin)
	cmd.Dir = dir
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return measurement{}, fmt.Errorf("%s (lazy %v): %v\n%s", c.name, lazy, err, out)
	}
	// On Linux the rusage of a waited-for child holds the largest maximum
	// resident set of it and of the descendants it waited for (Node.js).
	var peak int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = ru.Maxrss << 10 // KiB
	}
	return measurement{wall: wall, peak: peak}, nil
}

func median(ms []measurement) (time.Duration, int64) {
	walls := make([]time.Duration, len(ms))
	peaks := make([]int64, len(ms))
	for i, m := range ms {
		walls[i], peaks[i] = m.wall, m.peak
	}
	slices.Sort(walls)
	slices.Sort(peaks)
	return walls[len(walls)/2], peaks[len(peaks)/2]
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
