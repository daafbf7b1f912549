package config

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// withoutProxies is the valid config without its proxy_regions block, and
// authLast the valid config with its auth block last.
var (
	withoutProxies = valid[:strings.Index(valid, "proxy_regions:")]
	authBlock      = "auth:\n  region: us-west-2\n  vpc_cidr: 10.0.0.0/16\n"
	authLast       = strings.Replace(valid, authBlock, "", 1) + authBlock
)

// laughs is a "billion laughs": 10^12 values from 700 bytes of nested
// aliases, the last alias at line 13, column 7.
func laughs() string {
	s := "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 12; i++ {
		s += fmt.Sprintf("a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return s + "tags: *a11\n"
}

// hostileInputs are documents of about size bytes built to make the loader
// do work out of proportion to their size, by name.
func hostileInputs(size int) map[string]string {
	fill := func(head, unit string) string {
		var b strings.Builder
		b.WriteString(head)
		for b.Len()+len(unit) < size {
			b.WriteString(unit)
		}
		return b.String()
	}
	proxy := "proxy_regions:\n  - &r {region: us-west-1, vpc_cidr: 10.1.0.0/16, instances: {type: m6i.large, count: 2, volume_size_gib: 50}, zones: [usw1-az1, usw1-az3]}\n"
	return map[string]string{
		"billion laughs": fill(laughs(), "#\n"),
		// A block of values aliased as often as the value count allows.
		"wide aliases": fill("big: &b ["+strings.Repeat("x, ", 2000)+"x]\nlist: ["+strings.Repeat("*b, ", 8000)+"*b]\n", "#\n"),
		// Structs re-walked through an alias in a typed list.
		"aliased proxy entries": fill(withoutProxies+proxy, "  - *r\n"),
		// Every entry the same range: one overlap per pair, unbounded.
		"one range for every proxy": fill(withoutProxies+"proxy_regions:\n", "  - {region: us-west-1, vpc_cidr: 10.1.0.0/16}\n"),
		// Under the value count: the list cap comes before pairwise checks.
		"3000 proxies, one range": withoutProxies + "proxy_regions:\n" + strings.Repeat("  - {region: us-west-1, vpc_cidr: 10.1.0.0/16}\n", 3000),
		"many resource regions":   fill(valid+"resource_regions:\n", "  - {region: us-east-1, proxy_region: us-west-1}\n"),
		"many zones":              fill(authLast+"  zones:\n", "  - usw2-az1\n"),
		"many unknown keys":       fill(valid, "k: x\n"),
		"many tags":               fill(valid+"tags:\n", "  k: v\n"),
		"many values in one line": fill(valid+"tags: {", "k: v, ") + "k: v}\n",
		"a long region name":      strings.Replace(valid, "region: us-west-2", "region: us-west-2"+strings.Repeat("x", size-len(valid)-20), 1),
		"a long key":              valid + strings.Repeat("k", size-len(valid)-10) + ": x\n",
		"many subnets":            fill(authLast+"  existing_vpc:\n    vpc_id: vpc-0123456789abcdef0\n    private_route_table_ids: [rtb-0123456789abcdef0]\n    private_subnet_ids:\n", "    - subnet-0123456789abcdef0\n"),
		"deep nesting":            valid + "tags: " + strings.Repeat("[", 11000) + strings.Repeat("]", 11000) + "\n",
		"comments":                fill(valid, "# a comment, with: separators - [ { * & !\n"),
	}
}

// BenchmarkParseHostile parses each hostile 1 MiB document (issue 28:
// validate stays under 100 ms and 50 MB on any input up to 1 MiB; compare
// ns/op and B/op with those limits).
func BenchmarkParseHostile(b *testing.B) {
	inputs := hostileInputs(MaxFileBytes)
	for _, name := range sortedKeys(inputs) {
		data := []byte(inputs[name])
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				Parse(data, "hostile.yaml")
			}
		})
	}
}

// maxParseAlloc bounds the memory Parse may allocate for a document of
// size bytes: a small multiple of the document, whatever it holds.
func maxParseAlloc(size int) uint64 { return 40*uint64(size) + 8<<20 }

// parseWork parses data and returns how many values the loader visited
// (aliases followed) and how many bytes it allocated.
func parseWork(data []byte) (visited int, allocated uint64, err error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Parse(data, "work.yaml")
	runtime.ReadMemStats(&after)
	if _, _, pos, derr := decode(data); derr == nil {
		visited = len(pos)
	}
	return visited, after.TotalAlloc - before.TotalAlloc, err
}

// Every hostile document is refused with a few problems that say what is
// wrong, visiting and allocating in proportion to its size.
func TestHostileInputsBounded(t *testing.T) {
	tooMany := fmt.Sprintf("the file holds more than %d values by here", MaxValues)
	want := map[string]string{
		"billion laughs":            "work.yaml:7:10: the file's aliases repeat values more than 141071 times in all (for a file of 1048575 bytes); this alias, *a5, repeats more than 141071 values; write the values out, or alias small values only",
		"wide aliases":              "work.yaml:2:8: the file's aliases repeat values more than 141071 times in all (for a file of 1048575 bytes); this alias, *b, repeats 2002 values",
		"aliased proxy entries":     tooMany,
		"3000 proxies, one range":   "proxy_regions: lists 3000 entries",
		"one range for every proxy": tooMany,
		"many resource regions":     tooMany,
		"many zones":                tooMany,
		"many unknown keys":         tooMany,
		"many tags":                 tooMany,
		"many values in one line":   tooMany,
		"a long region name":        "is not a commercial AWS region",
		"a long key":                "not valid YAML",
		"many subnets":              tooMany,
		"deep nesting":              "not valid YAML: exceeded max depth of 10000",
		"comments":                  "", // valid
	}
	inputs := hostileInputs(MaxFileBytes)
	for _, name := range sortedKeys(inputs) {
		t.Run(name, func(t *testing.T) {
			data := []byte(inputs[name])
			visited, allocated, err := parseWork(data)
			if (err == nil) != (want[name] == "") || err != nil && !strings.Contains(err.Error(), want[name]) {
				t.Errorf("want %q; got %.600v", want[name], err)
			}
			if visited > aliasBudget(len(data)) {
				t.Errorf("visited %d values, more than the budget %d", visited, aliasBudget(len(data)))
			}
			if allocated > maxParseAlloc(len(data)) {
				t.Errorf("allocated %d MiB for %d KiB", allocated>>20, len(data)>>10)
			}
		})
	}
}

// Overlapping ranges are reported once per VPC, at the first earlier VPC
// each overlaps.
func TestOverlapOncePerVPC(t *testing.T) {
	doc := strings.NewReplacer("10.1.0.0/16", "10.0.0.0/16", "10.2.0.0/16", "10.0.0.0/16").Replace(valid)
	_, err := Parse([]byte(doc), "c.yaml")
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 2 ||
		!strings.Contains(err.Error(), "proxy_regions[0].vpc_cidr: 10.0.0.0/16 overlaps auth.vpc_cidr") ||
		!strings.Contains(err.Error(), "proxy_regions[1].vpc_cidr: 10.0.0.0/16 overlaps auth.vpc_cidr") {
		t.Errorf("want two overlaps, each at the auth VPC; got %v", err)
	}
}

// A config written with aliases within the budget is read as if written
// out: anchors of whole values work.
func TestAliasesWithinBudget(t *testing.T) {
	doc := strings.Replace(valid, "  vpc_cidr: 10.0.0.0/16\n", "  vpc_cidr: 10.0.0.0/16\n  instances: &size {type: m6i.xlarge, count: 2}\n", 1) +
		"resource_regions: [us-east-1, us-east-2]\n"
	doc = strings.Replace(doc, "    vpc_cidr: 10.1.0.0/16\n", "    vpc_cidr: 10.1.0.0/16\n    instances: *size\n", 1)
	c, err := Parse([]byte(doc), "c.yaml")
	if err != nil || c.ProxyRegions[0].Instances.Type != "m6i.xlarge" {
		t.Fatalf("aliases refused: %v", err)
	}
}

// A list longer than AWS allows is refused whole, with one problem, before
// any pairwise check.
func TestListCaps(t *testing.T) {
	repeat := func(head, unit string, n int) string { return head + strings.Repeat(unit, n) }
	cases := []struct{ name, doc, want string }{
		{"proxy regions", repeat(withoutProxies+"proxy_regions:\n", "  - {region: us-west-1, vpc_cidr: 10.1.0.0/16}\n", 33), "c.yaml:12:3: proxy_regions: lists 33 entries; there are 32 regions this app deploys to and each is listed once, so list at most 32"},
		{"resource regions", repeat(valid+"resource_regions:\n", "  - us-east-1\n", 40), "c.yaml:17:3: resource_regions: lists 40 entries; there are 32 regions"},
		{"zones", authLast + "  zones: [usw2-az1, usw2-az2, usw2-az3, usw2-az4]\n", "c.yaml:16:10: auth.zones: lists 4 entries; a VPC spans at most 3 availability zones, so list at most 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc), "c.yaml")
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) != 1 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want one problem %q; got %v", c.want, err)
			}
		})
	}
	// Validate states the same caps for a config built in Go.
	c, err := Parse([]byte(valid), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 31; i++ {
		c.ProxyRegions = append(c.ProxyRegions, c.ProxyRegions[0])
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "proxy_regions: lists 33 entries") || strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("Validate of 33 proxy regions: %v", err)
	}
}

// The value count refuses exactly the documents over MaxValues, whatever
// their comments.
func TestValueCount(t *testing.T) {
	under := "tags: {" + strings.Repeat("k: v, ", 100) + "}\n# " + strings.Repeat("a, b: [c] ", 10000) + "\n"
	if err := checkValueCount([]byte(valid + under)); err != nil {
		t.Errorf("a small config with a long comment refused: %v", err)
	}
	over := strings.Repeat("- x\n", MaxValues+1)
	if err := checkValueCount([]byte(over)); err == nil || err.Line != MaxValues/2+1 { // two values a line
		t.Errorf("%d values: %v", MaxValues+1, err)
	}
}
