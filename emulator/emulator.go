// Package emulator runs a local AWS API emulator (moto, with the gaps this
// app meets filled by moto_shim.py) on a loopback port, seeded with what an
// account holds before a first deploy, so that the deploy commands can
// rehearse a deploy or a change without an AWS account.
//
// What it proves: every stack applies against AWS's APIs in dependency order,
// the provider accepts every argument, cross-stack references resolve, a
// second plan shows no changes, and destroy order and prevent_destroy hold.
// What it does not: IAM and KMS policy evaluation, Route 53 latency answers,
// instance boot, real quotas and timings (moto evaluates no policy and runs no
// instance).
package emulator

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed moto_shim.py
var shim []byte

// PythonEnv names the Python that has moto installed (default python3).
const PythonEnv = "EMULATOR_PYTHON"

// AccountID is the account moto answers as.
const AccountID = "123456789012"

// Emulator is a running emulator.
type Emulator struct {
	// Endpoint is its URL (http://127.0.0.1:PORT).
	Endpoint string
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	exited   chan error
	dir      string
}

// Options configure Start.
type Options struct {
	// Python is the interpreter; "" reads $EMULATOR_PYTHON, else python3.
	Python string
	// Port is the loopback port; 0 picks a free one.
	Port int
	// Log receives the emulator's request log; nil discards it.
	Log io.Writer
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
}

// Start starts the emulator and seeds it; it returns once the emulator
// answers with the seed in place. Stop it with Stop (it also stops when this
// process exits: the emulator watches its stdin).
func Start(ctx context.Context, seed *Seed, opts Options) (*Emulator, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	python := opts.Python
	if python == "" {
		python = getenv(PythonEnv)
	}
	if python == "" {
		python = "python3"
	}
	if _, err := exec.LookPath(python); err != nil {
		return nil, fmt.Errorf("the local emulator needs Python with moto (pip install 'moto[server]' boto3): %w", err)
	}
	port := opts.Port
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		port = p
	}
	dir, err := os.MkdirTemp("", "teleport-emulator-")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "moto_shim.py")
	if err := os.WriteFile(script, shim, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := []string{script, "--port", strconv.Itoa(port)}
	if seed != nil {
		data, err := json.Marshal(seed)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		path := filepath.Join(dir, "seed.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		args = append(args, "--seed", path)
	}
	cmd := exec.Command(python, args...)
	// AWS managed policies (AWSBackupServiceRolePolicyForBackup and the
	// like) exist in every account; moto loads them only when asked.
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "PYTHONUNBUFFERED=1")
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	e := &Emulator{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, stdin: stdin, exited: make(chan error, 1), dir: dir}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		got := false
		for sc.Scan() {
			if !got && strings.HasPrefix(sc.Text(), "ready ") {
				got = true
				ready <- nil
				continue
			}
			fmt.Fprintln(log, sc.Text())
		}
		if !got {
			ready <- errors.New("the emulator exited before it was ready")
		}
		e.exited <- cmd.Wait()
	}()
	select {
	case err := <-ready:
		if err != nil {
			e.Stop()
			return nil, fmt.Errorf("%w (is moto 5 installed for %s? its log says why)", err, python)
		}
	case <-time.After(2 * time.Minute):
		e.Stop()
		return nil, errors.New("the emulator did not answer within 2 minutes")
	case <-ctx.Done():
		e.Stop()
		return nil, ctx.Err()
	}
	return e, nil
}

// Stop stops the emulator; everything it held is gone.
func (e *Emulator) Stop() error {
	defer os.RemoveAll(e.dir)
	e.stdin.Close()
	select {
	case <-e.exited:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.exited
	}
	return nil
}

// EnvFor is the environment that points Terraform's AWS provider at the
// emulator at endpoint with dummy credentials; the variables that could
// select a real account (profiles, tokens) are blanked.
func EnvFor(endpoint string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":            endpoint,
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_DEFAULT_PROFILE":         "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_REGION":                  "us-east-1",
	}
}

// ProviderSettings are the AWS provider arguments the emulator needs beside
// the endpoint: S3 by path, as a loopback address has no bucket subdomains.
func ProviderSettings() map[string]any {
	return map[string]any{"s3_use_path_style": true}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
