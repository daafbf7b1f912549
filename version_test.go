package main

import (
	"encoding/json"
	"testing"

	"github.com/example/teleport-multi-region/config"
)

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
