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
