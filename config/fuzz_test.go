package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary documents to the loader: it must never panic,
// and a rejection is either a document-level error (empty, not YAML, not a
// mapping, several documents) or a list of problems that each name a field.
// Seeds: testdata/fuzz/FuzzParse plus the shipped configs.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../examples/cluster.yaml", "../testdata/configs/public-four-regions.yaml"} {
		if data, err := os.ReadFile(filepath.FromSlash(p)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(valid))
	f.Add([]byte(strings.Replace(valid, "10.2.0.0/16", "10.0.0.0/17", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz")
		if err == nil {
			if c == nil || c.Validate() != nil {
				t.Fatal("accepted config does not validate")
			}
			return
		}
		var verr *ValidationError
		if !errors.As(err, &verr) {
			return
		}
		if len(verr.Problems) == 0 {
			t.Fatal("validation error without problems")
		}
		for _, p := range verr.Problems {
			if p.Path == "" || strings.ContainsAny(p.Error(), "\n\r") {
				t.Fatalf("problem without a field path, or on several lines: %q", p.Error())
			}
		}
	})
}
