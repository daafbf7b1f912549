package moved

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// element is what cdktf records of a resource or data source: its
// construct path.
type element struct {
	Meta struct {
		Metadata struct{ Path string } `json:"metadata"`
	} `json:"//"`
}

// LogicalID computes the id cdktf gave every resource and data source of
// every golden snapshot, from the construct path cdktf records next to it.
func TestLogicalIDMatchesCdktf(t *testing.T) {
	files, err := filepath.Glob("../../testdata/golden/*/stacks/*/cdk.tf.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden stacks: %v", err)
	}
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"resource", "data"} {
			var byType map[string]map[string]element
			if doc[kind] != nil {
				if err := json.Unmarshal(doc[kind], &byType); err != nil {
					t.Fatal(err)
				}
			}
			for _, byID := range byType {
				for id, e := range byID {
					// cdktf's own remote-state inputs have no path.
					if e.Meta.Metadata.Path == "" {
						continue
					}
					path := strings.Split(e.Meta.Metadata.Path, "/")[1:]
					if got := LogicalID(path...); got != id {
						t.Errorf("%s: LogicalID(%v) = %s; cdktf wrote %s", f, path, got, id)
					}
					n++
				}
			}
		}
	}
	if n < 1000 {
		t.Errorf("checked %d ids only", n)
	}
}
