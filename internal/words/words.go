// Package words writes counts for people: "1 resource", "2 resources".
// Every report, progress line and error that counts something uses it, so
// none reads "1 resources".
package words

import "fmt"

// Count is n followed by the singular noun when n is 1 and the plural
// otherwise (0 included: "0 resources").
func Count(n int, singular, plural string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, plural)
}

// Plural is Count with a plural made by adding "s" ("resource",
// "stack", "wave", "proxy region").
func Plural(n int, singular string) string { return Count(n, singular, singular+"s") }
