package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/example/teleport-multi-region/config"
	"github.com/example/teleport-multi-region/internal/words"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Action is what the runner does to every stack.
type Action string

const (
	// Plan plans every stack; nothing changes.
	Plan Action = "plan"
	// Apply plans and applies every stack with changes, in dependency order.
	Apply Action = "apply"
	// Destroy plans and applies the destruction of every stack, dependents
	// first.
	Destroy Action = "destroy"
)

// BinaryEnv names the Terraform binary (e.g. tofu for OpenTofu); default
// terraform on PATH.
const BinaryEnv = "TERRAFORM_BINARY"

// Options configure a run.
type Options struct {
	// Outdir is the synthesized output directory (holds manifest.json).
	Outdir string
	// Binary is the terraform executable; "" looks up $TERRAFORM_BINARY,
	// else terraform on PATH.
	Binary string
	// Mirror is the provider mirror for terraform init; nil uses the
	// registry.
	Mirror *Mirror
	// Env is added to the environment Terraform runs in (credentials,
	// AWS_ENDPOINT_URL for an emulator).
	Env map[string]string
	// ProviderSettings are set on every AWS provider block through the
	// override file (the emulator's s3_use_path_style).
	ProviderSettings map[string]any
	// LocalState, when set, keeps every stack's state in this directory
	// (terraform.<stack>.tfstate), whatever backend the stacks declare, and
	// points their remote-state reads at it: an emulator rehearsal never
	// touches the real state.
	LocalState string
	// NoRefresh plans apply and destroy without refreshing state first
	// (terraform plan -refresh=false): only for harnesses in which nothing
	// but Terraform changes the resources, and which plan again with a
	// refresh to check. Plan always refreshes.
	NoRefresh bool
	// Only, when set, limits the run to these stacks; the others are
	// taken as they are (their dependencies must be deployed already).
	Only []string
	// Stacks is how many stacks run at once (default 4).
	Stacks int
	// Parallelism is Terraform's -parallelism per stack (default 10, as
	// Terraform's own).
	Parallelism int
	// Progress receives one line per stack event; nil discards them.
	Progress io.Writer
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// CheckPlan, when set, reads each stack's saved plan of a plan or an
	// apply (not a destroy) before anything of the stack is applied: an
	// error fails the stack with it, so nothing of it is applied (the
	// caller's checks of what a plan must never do).
	CheckPlan func(stack string, plan *tfjson.Plan) error
}

// Changes counts a plan's actions on managed resources.
type Changes struct {
	Add, Change, Replace, Destroy int
	// Import and Forget count resources that move between stacks: the
	// stack that held one forgets it (a removed block), the stack that
	// holds it now imports it; nothing in AWS is created or destroyed.
	Import, Forget int
}

// Any says whether anything changes.
func (c Changes) Any() bool {
	return c.Add+c.Change+c.Replace+c.Destroy+c.Import+c.Forget > 0
}

func (c Changes) String() string {
	s := fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy", c.Add, c.Change, c.Replace, c.Destroy)
	if c.Import+c.Forget > 0 {
		s += fmt.Sprintf(" (%d to import, %d to forget: moved between stacks)", c.Import, c.Forget)
	}
	return s
}

// Status is where a stack ended.
type Status string

const (
	StatusNoChanges Status = "no changes"
	StatusPlanned   Status = "planned"
	StatusApplied   Status = "applied"
	StatusDestroyed Status = "destroyed"
	StatusFailed    Status = "failed"
	// StatusWaiting: not planned, since a stack it depends on has changes
	// to apply first (plan only).
	StatusWaiting Status = "waits"
	// StatusSkipped: not started, after another stack failed.
	StatusSkipped Status = "not started"
	// StatusNotSelected: left out by Options.Only.
	StatusNotSelected Status = "not selected"
)

// StackResult is what happened to one stack.
type StackResult struct {
	Stack   Stack
	Status  Status
	Changes Changes
	// Plan is the stack's plan as Terraform reports it (terraform show
	// -json); nil when it was not planned.
	Plan *tfjson.Plan
	// Elapsed is the stack's wall time.
	Elapsed time.Duration
	// Err is Terraform's error for a failed stack; the reason for a
	// waiting one.
	Err error
	// Log is the file that holds Terraform's output for the stack.
	Log string
}

// Result is a whole run.
type Result struct {
	Action  Action
	Stacks  []StackResult // in manifest order
	Elapsed time.Duration
}

// Failed returns the first failed stack, or nil.
func (r *Result) Failed() *StackResult {
	for i := range r.Stacks {
		if r.Stacks[i].Status == StatusFailed {
			return &r.Stacks[i]
		}
	}
	return nil
}

// Changes sums every stack's changes.
func (r *Result) Changes() Changes {
	var c Changes
	for _, s := range r.Stacks {
		c.Add += s.Changes.Add
		c.Change += s.Changes.Change
		c.Replace += s.Changes.Replace
		c.Destroy += s.Changes.Destroy
		c.Import += s.Changes.Import
		c.Forget += s.Changes.Forget
	}
	return c
}

// Summary is the combined plan, a line per stack and a total, as Markdown.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| stack | %s | add | change | replace | destroy | time |\n|---|---|--:|--:|--:|--:|--:|\n", r.Action)
	for _, s := range r.Stacks {
		status := string(s.Status)
		if s.Status == StatusWaiting && s.Err != nil {
			status += ": " + s.Err.Error()
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s |\n", s.Stack.Name, status,
			s.Changes.Add, s.Changes.Change, s.Changes.Replace, s.Changes.Destroy, s.Elapsed.Round(time.Second))
	}
	c := r.Changes()
	fmt.Fprintf(&b, "| **total** | | %d | %d | %d | %d | %s |\n", c.Add, c.Change, c.Replace, c.Destroy, r.Elapsed.Round(time.Second))
	if c.Import+c.Forget > 0 {
		fmt.Fprintf(&b, "\nMoved between stacks, nothing replaced: %d to import, %d to forget.\n", c.Import, c.Forget)
	}
	return b.String()
}

// Run does action to every stack of the manifest: init, then a saved plan
// (terraform plan -out, read with terraform show -json), then for apply and
// destroy the apply of exactly that plan.
//
// Apply: a stack starts once every stack it depends on is applied; up to
// Options.Stacks run side by side. Plan: every stack plans at once (a plan
// changes nothing). Destroy: every stack's destroy is planned first, and
// nothing is destroyed unless every plan succeeds (prevent_destroy refuses
// a plan, so a protected cluster loses nothing, not even the DNS stack that
// is destroyed first); then the saved plans are applied, a stack once every
// stack that depends on it is destroyed.
//
// After the first failure no stack starts; the running ones finish
// (interrupting Terraform mid-apply would leave resources it does not
// record). ctx cancellation interrupts Terraform gracefully (SIGINT, as
// terraform-exec sends).
func Run(ctx context.Context, m *Manifest, action Action, opts Options) (*Result, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	bin, err := binary(opts.Binary, getenv)
	if err != nil {
		return nil, err
	}
	for _, name := range opts.Only {
		if m.Stack(name) == nil {
			return nil, fmt.Errorf("no stack %s in %s (stacks: %s)", name, m.Outdir, strings.Join(m.names(), ", "))
		}
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	start := time.Now()
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(progress, "[%6.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	r := &run{m: m, action: action, bin: bin, env: environ(opts.Env), opts: opts, say: say, jobs: map[string]*job{}}
	if r.opts.Stacks <= 0 {
		r.opts.Stacks = 4
	}
	if r.opts.Parallelism <= 0 {
		r.opts.Parallelism = 10
	}
	var selected []string
	for _, s := range m.Stacks {
		j := &job{res: &StackResult{Stack: s, Status: StatusSkipped}}
		r.jobs[s.Name] = j
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, s.Name) {
			j.res.Status = StatusNotSelected
			continue
		}
		selected = append(selected, s.Name)
	}
	defer func() {
		for _, j := range r.jobs {
			j.close()
		}
	}()

	planOnly := func(ctx context.Context, j *job) { r.plan(ctx, j) }
	switch action {
	case Plan:
		r.phase(ctx, selected, nil, false, planOnly)
		r.markWaiting()
	case Apply:
		r.phase(ctx, selected, func(s Stack) []string { return s.Dependencies }, true, func(ctx context.Context, j *job) {
			if r.plan(ctx, j) {
				r.apply(ctx, j)
			}
		})
	case Destroy:
		if r.phase(ctx, selected, nil, true, planOnly) {
			r.phase(ctx, selected, func(s Stack) []string { return m.dependents(s.Name) }, true, r.apply)
		}
	default:
		return nil, fmt.Errorf("unknown action %q", action)
	}

	out := &Result{Action: action, Elapsed: time.Since(start)}
	for _, s := range m.Stacks {
		out.Stacks = append(out.Stacks, *r.jobs[s.Name].res)
	}
	if f := out.Failed(); f != nil {
		what := ""
		if action == Destroy && len(out.Names(StatusDestroyed)) == 0 {
			what = " (nothing was destroyed: every destroy is planned before any is applied)"
		}
		return out, fmt.Errorf("stack %s: %s failed%s (log: %s):\n%w", f.Stack.Name, action, what, f.Log, f.Err)
	}
	if ctx.Err() != nil {
		return out, ctx.Err()
	}
	return out, nil
}

// run is one Run.
type run struct {
	m      *Manifest
	action Action
	bin    string
	env    map[string]string
	opts   Options
	say    func(string, ...any)
	jobs   map[string]*job
}

// job is one stack's Terraform working directory during a run.
type job struct {
	res      *StackResult
	tf       *tfexec.Terraform
	log      *os.File
	planFile string
	changed  bool
	begin    time.Time
	// refused: Options.CheckPlan refused the plan (a failure of its own,
	// never "waiting for a producer").
	refused bool
}

func (j *job) close() {
	if j.log != nil {
		j.log.Close()
	}
	if j.planFile != "" {
		os.Remove(j.planFile)
	}
}

// phase runs work on the named stacks, a stack once every stack of
// blockers(stack) that is in names is done, up to Options.Stacks at once.
// With stopOnFailure no stack starts after one fails. It reports whether
// every stack succeeded.
func (r *run) phase(ctx context.Context, names []string, blockers func(Stack) []string, stopOnFailure bool, work func(context.Context, *job)) bool {
	finished := map[string]bool{}
	started := map[string]bool{}
	failed := false
	done := make(chan string)
	running := 0
	for {
		if !(failed && stopOnFailure) && ctx.Err() == nil {
			for _, name := range names {
				if running >= r.opts.Stacks || started[name] {
					continue
				}
				j := r.jobs[name]
				ready := true
				if blockers != nil {
					for _, b := range blockers(j.res.Stack) {
						ready = ready && (finished[b] || !slices.Contains(names, b))
					}
				}
				if !ready {
					continue
				}
				started[name] = true
				running++
				go func() {
					begin := time.Now()
					work(ctx, j)
					j.res.Elapsed += time.Since(begin)
					done <- name
				}()
			}
		}
		if running == 0 {
			break
		}
		name := <-done
		running--
		finished[name] = true
		if r.jobs[name].res.Status == StatusFailed {
			failed = true
		}
	}
	return !failed && ctx.Err() == nil
}

func (r *run) fail(j *job, err error) {
	j.res.Status, j.res.Err = StatusFailed, err
	r.say("%s: %s failed after %s", j.res.Stack.Name, r.action, time.Since(j.begin).Round(time.Second))
}

// plan inits the stack and saves its plan (a destroy plan for Destroy); it
// reports whether there is something to apply.
func (r *run) plan(ctx context.Context, j *job) bool {
	s := j.res.Stack
	j.begin = time.Now()
	r.say("%s: %s started (%s)", s.Name, r.action, words.Plural(s.Resources, "resource"))
	j.res.Log = filepath.Join(s.Dir, "terraform-"+string(r.action)+".log")
	log, err := os.Create(j.res.Log)
	if err != nil {
		r.fail(j, err)
		return false
	}
	j.log = log
	if err := writeOverride(s.Dir, r.opts.Mirror, r.opts.ProviderSettings, r.opts.LocalState); err != nil {
		r.fail(j, err)
		return false
	}
	tf, err := tfexec.NewTerraform(s.Dir, r.bin)
	if err != nil {
		r.fail(j, err)
		return false
	}
	if err := tf.SetEnv(r.env); err != nil {
		r.fail(j, err)
		return false
	}
	tf.SetStdout(log)
	tf.SetStderr(log)
	j.tf = tf
	initOpts := []tfexec.InitOption{tfexec.Upgrade(false), tfexec.Reconfigure(r.opts.LocalState != "")}
	if r.opts.Mirror != nil {
		initOpts = append(initOpts, tfexec.PluginDir(r.opts.Mirror.Dir))
	}
	if err := tf.Init(ctx, initOpts...); err != nil {
		r.fail(j, fmt.Errorf("terraform init: %w", err))
		return false
	}
	j.planFile = filepath.Join(s.Dir, string(r.action)+".tfplan")
	planOpts := []tfexec.PlanOption{tfexec.Out(j.planFile), tfexec.Parallelism(r.opts.Parallelism), tfexec.Lock(true),
		tfexec.Refresh(!(r.opts.NoRefresh && r.action != Plan))}
	if r.action == Destroy {
		planOpts = append(planOpts, tfexec.Destroy(true))
	}
	changed, err := tf.Plan(ctx, planOpts...)
	if err != nil {
		r.fail(j, fmt.Errorf("terraform plan: %w", err))
		return false
	}
	// terraform show -json would copy the whole plan into the log.
	tf.SetStdout(io.Discard)
	plan, err := tf.ShowPlanFile(ctx, j.planFile)
	tf.SetStdout(log)
	if err != nil {
		r.fail(j, fmt.Errorf("terraform show: %w", err))
		return false
	}
	j.res.Plan = plan
	j.res.Changes = CountChanges(plan)
	// A resource that went with what held it, in a stack applied before
	// this one (the routes a stack keeps in another stack's route table of
	// a removed zone: AWS deletes a table with its routes), is gone from
	// the refreshed state only: Terraform plans nothing for it and reports
	// no changes, so the stack's state would keep it, and a plan without a
	// refresh would try to delete it again and fail. Applying the saved
	// plan writes the refreshed state.
	if n := GoneOnRefresh(plan); !changed && n > 0 && r.action == Apply {
		changed = true
		r.say("%s: the refresh found %d resources gone: applying the plan records that in the state", s.Name, n)
	}
	j.changed = changed
	if r.opts.CheckPlan != nil && r.action != Destroy {
		if err := r.opts.CheckPlan(s.Name, plan); err != nil {
			j.refused = true
			r.fail(j, fmt.Errorf("its plan is refused, nothing of it applied: %w", err))
			return false
		}
	}
	if !changed {
		j.res.Status = StatusNoChanges
		r.say("%s: no changes (%s)", s.Name, time.Since(j.begin).Round(time.Second))
		return false
	}
	j.res.Status = StatusPlanned
	r.say("%s: planned %s (%s)", s.Name, j.res.Changes, time.Since(j.begin).Round(time.Second))
	return true
}

// apply applies the stack's saved plan, if it has changes (output-only
// changes too, so that consumers read them).
func (r *run) apply(ctx context.Context, j *job) {
	if j.tf == nil || !j.changed {
		return
	}
	s := j.res.Stack
	r.say("%s: applying %s", s.Name, j.res.Changes)
	if err := j.tf.Apply(ctx, tfexec.DirOrPlan(j.planFile), tfexec.Parallelism(r.opts.Parallelism)); err != nil {
		r.fail(j, fmt.Errorf("terraform apply: %w", err))
		return
	}
	j.res.Status = StatusApplied
	if r.action == Destroy {
		j.res.Status = StatusDestroyed
	}
	r.say("%s: %s in %s: %s", s.Name, j.res.Status, time.Since(j.begin).Round(time.Second), j.res.Changes)
}

// markWaiting: in a plan, a stack planned against a producer that has
// changes to apply (a first deploy, a new output) may fail only for that:
// it waits for the producer's apply rather than failing the plan.
func (r *run) markWaiting() {
	for _, s := range r.m.Stacks {
		res := r.jobs[s.Name].res
		if res.Status != StatusFailed || r.jobs[s.Name].refused {
			continue
		}
		var pending []string
		for _, d := range r.m.upstream(s.Name) {
			if r.jobs[d].res.Status == StatusPlanned {
				pending = append(pending, d)
			}
		}
		if len(pending) > 0 {
			res.Status = StatusWaiting
			res.Err = fmt.Errorf("needs %s applied first", strings.Join(pending, ", "))
			r.say("%s: not planned: reads %s, which has changes to apply first", s.Name, strings.Join(pending, ", "))
		}
	}
}

// GoneOnRefresh counts the managed resources a plan's refresh found deleted
// outside this stack's Terraform (the plan's resource drift).
func GoneOnRefresh(plan *tfjson.Plan) int {
	n := 0
	for _, rc := range plan.ResourceDrift {
		if rc.Mode == tfjson.ManagedResourceMode && rc.Change != nil && rc.Change.Actions.Delete() {
			n++
		}
	}
	return n
}

// CountChanges counts the actions of a plan on managed resources (data
// sources are read, not changed).
func CountChanges(plan *tfjson.Plan) Changes {
	var c Changes
	for _, rc := range plan.ResourceChanges {
		if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		if rc.Change.Importing != nil {
			c.Import++
		}
		switch {
		case a.Forget():
			c.Forget++
		case a.Replace():
			c.Replace++
		case a.Create():
			c.Add++
		case a.Update():
			c.Change++
		case a.Delete():
			c.Destroy++
		}
	}
	return c
}

// binary returns the Terraform executable: name, else $TERRAFORM_BINARY,
// else terraform, looked up on PATH.
func binary(name string, getenv func(string) string) (string, error) {
	if name == "" {
		name = getenv(BinaryEnv)
	}
	if name == "" {
		name = "terraform"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("%s not found on PATH: install Terraform >= %s (or OpenTofu >= %s and set %s=tofu)", name, config.MinTerraform, config.MinOpenTofu, BinaryEnv)
		}
		return "", err
	}
	return path, nil
}

// environ is the process environment with extra set over it.
func environ(extra map[string]string) map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	// terraform-exec refuses to pass variables it sets itself.
	for _, k := range tfexec.ProhibitedEnv(env) {
		delete(env, k)
	}
	maps.Copy(env, extra)
	return env
}

// Names returns the names of results with status st, sorted.
func (r *Result) Names(st Status) []string {
	var out []string
	for _, s := range r.Stacks {
		if s.Status == st {
			out = append(out, s.Stack.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Validate runs terraform init and terraform validate in every stack of the
// manifest, up to opts.Stacks at once, with the real provider's schema: it
// needs no credentials and no state. It returns one error per invalid stack,
// with Terraform's diagnostics.
func Validate(ctx context.Context, m *Manifest, opts Options) []error {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	bin, err := binary(opts.Binary, getenv)
	if err != nil {
		return []error{err}
	}
	width := max(opts.Stacks, 1)
	env := environ(opts.Env)
	sem := make(chan struct{}, width)
	errs := make([]error, len(m.Stacks))
	var wg sync.WaitGroup
	for i, s := range m.Stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = validateStack(ctx, s, bin, env, opts)
		}()
	}
	wg.Wait()
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

func validateStack(ctx context.Context, s Stack, bin string, env map[string]string, opts Options) error {
	if err := writeOverride(s.Dir, opts.Mirror, opts.ProviderSettings, opts.LocalState); err != nil {
		return fmt.Errorf("stack %s: %w", s.Name, err)
	}
	tf, err := tfexec.NewTerraform(s.Dir, bin)
	if err != nil {
		return err
	}
	if err := tf.SetEnv(env); err != nil {
		return err
	}
	initOpts := []tfexec.InitOption{tfexec.Backend(false)}
	if opts.Mirror != nil {
		initOpts = append(initOpts, tfexec.PluginDir(opts.Mirror.Dir))
	}
	if err := tf.Init(ctx, initOpts...); err != nil {
		return fmt.Errorf("stack %s: terraform init: %w", s.Name, err)
	}
	out, err := tf.Validate(ctx)
	if err != nil {
		return fmt.Errorf("stack %s: terraform validate: %w", s.Name, err)
	}
	var problems []string
	for _, d := range out.Diagnostics {
		if d.Severity != tfjson.DiagnosticSeverityError && d.Severity != tfjson.DiagnosticSeverityWarning {
			continue
		}
		where := ""
		if d.Range != nil {
			where = fmt.Sprintf(" (%s:%d)", d.Range.Filename, d.Range.Start.Line)
		}
		problems = append(problems, fmt.Sprintf("%s: %s: %s%s", d.Severity, d.Summary, d.Detail, where))
	}
	if !out.Valid || len(problems) > 0 {
		return fmt.Errorf("stack %s: %s", s.Name, strings.Join(problems, "; "))
	}
	return nil
}
