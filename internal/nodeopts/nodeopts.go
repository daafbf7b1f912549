// Package nodeopts makes the Node.js processes that jsii starts load the
// prebuilt cdktf providers lazily.
//
// Why: jsii's kernel loads @cdktf/provider-aws, whose lib/index.js is 2,087
// lines of `exports.x = require("./x")`: every resource and data source of
// the provider (about 2,000 namespaces) is compiled when the kernel starts,
// although this app uses about 60. That was nearly all of a synth's time and
// memory. cdktf's maintainers planned lazy namespaces for the prebuilt
// providers (hashicorp/terraform-cdk #3011, PR #3012), but it never reached
// the Go packages, and cdktf is archived.
//
// How: Setup adds to NODE_OPTIONS an ES module passed as a data: URL
// (`--import=data:text/javascript;base64,...`, Node.js 20.6 and later; no
// file is written). It wraps Module.prototype._compile for exactly the
// files node_modules/@cdktf/provider-*/lib/index.js and rewrites each
// `exports.x = require("./x");` line into a getter that requires the
// namespace on first access and then replaces itself by the value (see
// lazyproviders.mjs). jsii's kernel finds a type by walking its FQN through
// the namespaces (`closure[name]`, Kernel._findSymbol), which the getters
// serve unchanged; the synthesized output is byte-identical (the root
// package's TestLazyProvidersSameOutput). A file with a single line of
// another shape is compiled as it is, so a future provider version can
// only lose the speed-up, never break synth.
//
// Set SYNTH_LAZY_PROVIDERS=false to load the providers eagerly, as jsii
// does by itself.
package nodeopts

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// SwitchVar is the environment variable that turns the lazy loading off
// ("false" or "0") or on ("", "true" or "1", the default).
const SwitchVar = "SYNTH_LAZY_PROVIDERS"

// jsiiDefault is what jsii-runtime-go gives Node.js when NODE_OPTIONS is
// unset (internal/kernel/process/process.go of v1.142.0); a NODE_OPTIONS
// of ours replaces it, so it is kept.
const jsiiDefault = "--max-old-space-size=4069"

//go:embed lazyproviders.mjs
var preload []byte

// ImportFlag is the Node.js option that loads the preload module.
func ImportFlag() string {
	return "--import=data:text/javascript;base64," + base64.StdEncoding.EncodeToString(preload)
}

// Options returns the NODE_OPTIONS value for jsii's Node.js processes,
// given the current one (set says whether NODE_OPTIONS is set at all) and
// whether the preload is on: the user's options are kept, and jsii's
// default heap limit is added when there were none, as jsii would have done.
// Off, it removes the preload (a parent process may have passed it on).
func Options(current string, set, on bool) string {
	flag := ImportFlag()
	var kept []string
	for _, f := range strings.Fields(current) {
		if f != flag {
			kept = append(kept, f)
		}
	}
	if !on {
		if len(kept) == len(strings.Fields(current)) {
			return current
		}
		return strings.Join(kept, " ")
	}
	if !set {
		kept = []string{jsiiDefault}
	}
	return strings.Join(append(kept, flag), " ")
}

// Enabled reads SwitchVar's value.
func Enabled(value string) (bool, error) {
	switch value {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: want true or false (false loads the provider eagerly, as jsii does by itself)", SwitchVar, value)
}

// Setup sets NODE_OPTIONS for the Node.js processes of jsii as SwitchVar
// says, and reports whether the preload is on. It must run before the
// first jsii call that reaches Node.js (the first construct): the
// generated Go packages register their types with jsii in init functions,
// which already creates jsii's client and captures the environment for its
// process, so Setup closes that client, not started yet, and the next jsii
// call creates one with the new environment (the behaviour jsii.Close
// documents).
func Setup(lookup func(string) (string, bool), setenv func(string, string) error) (bool, error) {
	switchValue, _ := lookup(SwitchVar)
	on, err := Enabled(switchValue)
	if err != nil {
		return false, err
	}
	current, set := lookup("NODE_OPTIONS")
	if !on && !set {
		return false, nil // jsii's own default applies
	}
	if value := Options(current, set, on); !set || value != current {
		if err := setenv("NODE_OPTIONS", value); err != nil {
			return false, fmt.Errorf("set NODE_OPTIONS: %w", err)
		}
		jsii.Close()
	}
	return on, nil
}
