package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/example/teleport-multi-region/cli"
	"github.com/example/teleport-multi-region/config"
)

// version reports the release CHANGELOG.md states: the binary embeds the
// file as it is in the repository, and the command prints its newest
// release (jsii-free).
func TestVersionIsTheChangelogs(t *testing.T) {
	file, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, changelog) {
		t.Fatal("the embedded changelog is not CHANGELOG.md")
	}
	want, err := cli.ChangelogVersion(file)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := cli.Main([]string{"version"}, cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Changelog: changelog}); code != 0 {
		t.Fatalf("version: exit %d: %s", code, errOut.String())
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if !strings.HasPrefix(first, "teleport-multi-region "+want+" ") && first != "teleport-multi-region "+want {
		t.Errorf("version says %q; CHANGELOG.md's newest release is %s", first, want)
	}
}

// config.PinnedAWSProvider (which validation and `version` state) is the
// provider release every synthesized stack requires.
func TestPinnedProviderVersion(t *testing.T) {
	for _, stack := range stackNames(t, "example") {
		var doc struct {
			Terraform struct {
				RequiredProviders map[string]struct {
					Version string `json:"version"`
				} `json:"required_providers"`
			} `json:"terraform"`
		}
		if err := json.Unmarshal(synthOf(t, "example").files["stacks/"+stack+"/cdk.tf.json"], &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Terraform.RequiredProviders["aws"].Version; got != config.PinnedAWSProvider {
			t.Errorf("%s requires aws %q; config.PinnedAWSProvider is %q", stack, got, config.PinnedAWSProvider)
		}
	}
}

// Every stack of every golden config declares the oldest Terraform that
// runs it (config.MinTerraform), so an older one stops at init instead of
// failing on the S3 backend's use_lockfile or the ephemeral license check.
func TestRequiredVersion(t *testing.T) {
	for name := range goldenConfigs {
		for _, stack := range stackNames(t, name) {
			var doc struct {
				Terraform struct {
					RequiredVersion string `json:"required_version"`
				} `json:"terraform"`
			}
			if err := json.Unmarshal(synthOf(t, name).files["stacks/"+stack+"/cdk.tf.json"], &doc); err != nil {
				t.Fatal(err)
			}
			if want := ">= " + config.MinTerraform; doc.Terraform.RequiredVersion != want {
				t.Errorf("%s/%s: required_version %q, want %q", name, stack, doc.Terraform.RequiredVersion, want)
			}
		}
	}
}
