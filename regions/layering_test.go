package regions

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// regions composes constructs: IAM policy statements and alarm metrics
// belong to the constructs that own what they are about (issue 17.5), so
// none is written here. (Key grants, kmskey.Key.Grant, are written by the
// constructs that own the roles, both sides at once.)
func TestRegionsOnlyComposes(t *testing.T) {
	// A single statement, condition or metric literal; a slice of
	// statements made by constructs ([]policy.Statement{...}) is composition.
	written := regexp.MustCompile(`(^|[^\]])policy\.Statement\{|policy\.Condition\{|alarms\.Metric\{|Namespace:`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := written.FindString(string(src)); m != "" {
			t.Errorf("%s writes %q: give the statement or metric to the construct that owns it", f, m)
		}
	}
}
