package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/example/teleport-multi-region/deploy"
	"github.com/example/teleport-multi-region/emulator"
	"github.com/example/teleport-multi-region/internal/words"
)

// EmulatorDir holds a local rehearsal: a copy of the synthesized output, its
// Terraform state and logs (never the real state).
const EmulatorDir = ".emulator"

// deployCommand runs plan, apply or destroy over the synthesized stacks:
// against the account of the environment's credentials, or with --local
// against an emulator it starts and stops, or with --endpoint against a
// running one (go run . emulator).
func deployCommand(env Env, action deploy.Action, args []string) int {
	fs, f := deployFlags(string(action))
	fs.SetOutput(env.Stderr)
	local, endpoint, concurrency, only, parallelism, outdir := f.local, f.endpoint, f.concurrency, f.only, f.parallelism, f.outdir
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(env, fmt.Sprintf("%s takes flags only, not %q", action, fs.Arg(0)))
	}
	if *local && *endpoint != "" {
		return usageError(env, "--local and --endpoint exclude each other")
	}
	if *local && action == deploy.Destroy {
		return usageError(env, "destroy --local would destroy nothing: a --local emulator starts empty and stops with the command; rehearse a destroy with go run . emulator and --endpoint")
	}
	dir := *outdir
	if dir == "" {
		dir = env.Getenv("CDKTF_OUTDIR")
	}
	if dir == "" {
		dir = "cdktf.out"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := env.Stderr
	say := func(format string, a ...any) { fmt.Fprintf(log, format+"\n", a...) }

	var onlyStacks []string
	if *only != "" {
		onlyStacks = strings.Split(*only, ",")
	}
	opts := deploy.Options{Only: onlyStacks, Stacks: *concurrency, Parallelism: *parallelism, Progress: log, Getenv: env.Getenv}
	mirror, err := deploy.FindMirror(env.Getenv)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	opts.Mirror = mirror
	if mirror != nil {
		say("provider: hashicorp/aws %s from the mirror %s (%s chooses another)", strings.Join(mirror.Versions, ", "), mirror.Dir, deploy.MirrorEnv)
	}

	rehearsal := *local || *endpoint != ""
	if rehearsal {
		work, err := prepareRehearsal(dir, *local)
		if err != nil {
			fmt.Fprintf(env.Stderr, "error: %v\n", err)
			return 1
		}
		dir = filepath.Join(work, "cdktf.out")
		opts.LocalState = work
		opts.ProviderSettings = emulator.ProviderSettings()
		url := *endpoint
		if *local {
			cfg, _, err := loadConfig(env, "")
			if err != nil {
				fmt.Fprintf(env.Stderr, "error: %v\n", err)
				return 1
			}
			emuLog, err := os.Create(filepath.Join(work, "emulator.log"))
			if err != nil {
				fmt.Fprintf(env.Stderr, "error: %v\n", err)
				return 1
			}
			defer emuLog.Close()
			say("emulator: starting moto with the shim, seeded for %s (log: %s)", cfg.ClusterName, emuLog.Name())
			emu, err := emulator.Start(ctx, emulator.SeedFor(cfg), emulator.Options{Log: emuLog, Getenv: env.Getenv})
			if err != nil {
				fmt.Fprintf(env.Stderr, "error: %v\n", err)
				return 1
			}
			defer emu.Stop()
			url = emu.Endpoint
		}
		opts.Env = emulator.EnvFor(url)
		say("emulator: %s; state in %s/", url, work)
	}

	m, err := deploy.ReadManifest(dir)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	if action != deploy.Destroy {
		check, err := UnmovedCheck(dir)
		if err != nil {
			fmt.Fprintf(env.Stderr, "error: %v\n", err)
			return 1
		}
		opts.CheckPlan = check
	}
	waves, _ := m.Order()
	say("%s: %s in %s from %s", action, words.Plural(len(m.Stacks), "stack"), words.Plural(len(waves), "wave"), dir)
	res, err := deploy.Run(ctx, m, action, opts)
	if res != nil {
		fmt.Fprint(env.Stdout, res.Summary())
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	if action == deploy.Plan {
		if res.Changes().Any() || len(res.Names(deploy.StatusPlanned)) > 0 || len(res.Names(deploy.StatusWaiting)) > 0 {
			return 2
		}
		return 0
	}
	if *local && action == deploy.Apply {
		// The rehearsal's point: a second plan of what was just applied
		// shows no changes, or Terraform would change it on every apply.
		say("apply: done; planning again, which must show no changes")
		again, err := deploy.Run(ctx, m, deploy.Plan, opts)
		if again != nil {
			fmt.Fprint(env.Stdout, "\nSecond plan:\n\n"+again.Summary())
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "error: %v\n", err)
			return 1
		}
		if names := again.Names(deploy.StatusPlanned); len(names) > 0 {
			fmt.Fprintf(env.Stderr, "error: the second plan has changes in %s (logs: %s/stacks/<stack>/terraform-plan.log)\n", strings.Join(names, ", "), dir)
			return 2
		}
	}
	return 0
}

// prepareRehearsal copies the synthesized output into EmulatorDir, where its
// state lives (a fresh state for a self-contained --local run).
func prepareRehearsal(outdir string, fresh bool) (string, error) {
	if _, err := os.Stat(filepath.Join(outdir, "manifest.json")); err != nil {
		return "", fmt.Errorf("no synthesized output in %s (synthesize first: go run .): %w", outdir, err)
	}
	work, err := filepath.Abs(EmulatorDir)
	if err != nil {
		return "", err
	}
	if fresh {
		if err := os.RemoveAll(work); err != nil {
			return "", err
		}
	}
	copyDir := filepath.Join(work, "cdktf.out")
	if err := os.RemoveAll(copyDir); err != nil {
		return "", err
	}
	if err := copyTree(outdir, copyDir); err != nil {
		return "", err
	}
	return work, nil
}

// copyTree copies the regular files of src to dst, leaving Terraform's
// working directories (.terraform) behind.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".tfplan") {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// deployFlagValues are the flags of plan, apply and destroy.
type deployFlagValues struct {
	local                    *bool
	endpoint, only, outdir   *string
	concurrency, parallelism *int
}

// deployFlags declares the flags of plan, apply and destroy (the usage
// text lists each: TestUsageListsEveryFlag).
func deployFlags(name string) (*flag.FlagSet, deployFlagValues) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var f deployFlagValues
	f.local = fs.Bool("local", false, "rehearse against a local AWS emulator started for this command (state in "+EmulatorDir+"/, thrown away)")
	f.endpoint = fs.String("endpoint", "", "rehearse against a running emulator (go run . emulator); state kept in "+EmulatorDir+"/ between commands")
	f.concurrency = fs.Int("concurrency", 4, "stacks run side by side (those that do not depend on each other)")
	f.only = fs.String("only", "", "comma-separated stacks to run (the others are left as they are)")
	f.parallelism = fs.Int("parallelism", 10, "terraform -parallelism per stack")
	f.outdir = fs.String("outdir", "", "synthesized output (default $CDKTF_OUTDIR, else cdktf.out)")
	return fs, f
}

// emulatorFlags declares the flags of the emulator command.
func emulatorFlags() (*flag.FlagSet, *int) {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	return fs, fs.Int("port", 0, "loopback port (default: a free one)")
}

// emulatorCommand starts a seeded emulator and keeps it until interrupted,
// for rehearsals of several steps (apply, change, apply --endpoint).
func emulatorCommand(env Env, args []string) int {
	fs, port := emulatorFlags()
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, source, err := loadConfig(env, "")
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	emu, err := emulator.Start(ctx, emulator.SeedFor(cfg), emulator.Options{Port: *port, Log: io.Discard, Getenv: env.Getenv})
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return 1
	}
	defer emu.Stop()
	fmt.Fprintf(env.Stdout, "emulator: %s, seeded for %s (%s)\nrehearse with: go run . apply --endpoint %s\nstop with Ctrl-C (everything it holds is gone; remove %s/ too)\n",
		emu.Endpoint, cfg.ClusterName, source, emu.Endpoint, EmulatorDir)
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return 0
	}
	return 1
}
