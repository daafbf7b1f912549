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
// Its work is bounded by the size of the document (see bounds.go).
// Seeds: testdata/fuzz/FuzzParse plus the shipped configs.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../examples/cluster.yaml", "../testdata/configs/public-four-regions.yaml"} {
		if data, err := os.ReadFile(filepath.FromSlash(p)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(valid))
	f.Add([]byte(strings.Replace(valid, "10.2.0.0/16", "10.0.0.0/17", 1)))
	f.Add([]byte(laughs()))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The work is bounded by the document's size: the values visited
		// (aliases followed) and the bytes allocated, not the wall time.
		visited, allocated, _ := parseWork(data)
		if visited > aliasBudget(len(data)) {
			t.Fatalf("visited %d values for %d bytes, more than the alias budget %d", visited, len(data), aliasBudget(len(data)))
		}
		if allocated > maxParseAlloc(len(data)) {
			t.Fatalf("allocated %d bytes for %d bytes, more than %d", allocated, len(data), maxParseAlloc(len(data)))
		}
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
