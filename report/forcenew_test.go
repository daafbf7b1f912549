package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Every resource type the app emits (read from the golden snapshots) has an
// entry in forceNew: a new type must state which of its attributes force
// replacement before the diff can classify its changes.
func TestEveryEmittedTypeIsKnown(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/*/stacks/*/cdk.tf.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden stacks: %v", err)
	}
	emitted := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Resource map[string]any `json:"resource"`
		}
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		for typ := range s.Resource {
			emitted[typ] = f
		}
	}
	var missing []string
	for typ, f := range emitted {
		if s, ok := schemas[typ]; !ok || !strings.HasSuffix(s.src, ".go") {
			missing = append(missing, typ+" (in "+f+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("resource type %s has no schemas entry: add its provider file and the attributes that force its replacement (AWS provider internal/service/*: ForceNew, RequiresReplace)", m)
	}
	if len(emitted) < 40 {
		t.Errorf("only %d emitted types found", len(emitted))
	}
}
