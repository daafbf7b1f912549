package config

import (
	"strings"
	"testing"
)

// Whole numbers in spellings whose meaning depends on the YAML version are
// refused, saying what each reading gives; the suggested spelling
// validates.
func TestRefuseYAML11Numbers(t *testing.T) {
	const at = "  vpc_cidr: 10.0.0.0/16\n"
	vol := func(v string) string { return at + "  instances: {volume_size_gib: " + v + "}\n" }
	checkFixes(t, []fixCase{
		{"octal", at, vol("010"), "auth.instances.volume_size_gib", "is 010, a number with a leading zero: YAML 1.1 tools (and this loader) read it as the octal number 8, YAML 1.2 tools as 10; write the one you mean without the leading zero: 8 or 10", vol("10")},
		{"octal read as 8 also validates", at, vol("010"), "auth.instances.volume_size_gib", "8 or 10", vol("8")},
		{"leading zero, not octal", at, vol("090"), "auth.instances.volume_size_gib", "is 090, a number with a leading zero, which YAML 1.1 tools read as octal (or as a string when it is no octal number); write it without the leading zero: 90", vol("90")},
		{"binary", at, vol("0b1000000"), "auth.instances.volume_size_gib", "is 0b1000000, a YAML 1.1 binary number (64) that YAML 1.2 tools read as a string; write it in decimal digits: 64", vol("64")},
		{"YAML 1.2 octal", at, vol("0o20"), "auth.instances.volume_size_gib", "is 0o20, a YAML 1.2 octal number (16) that YAML 1.1 tools read as a string; write it in decimal digits: 16", vol("16")},
		{"hexadecimal", at, vol("0x10"), "auth.instances.volume_size_gib", "is 0x10, a hexadecimal number (16); write it in decimal digits: 16", vol("16")},
		{"underscores", at, vol("1_000"), "auth.instances.volume_size_gib", "is 1_000, which YAML 1.1 tools read as the number 1000 and YAML 1.2 tools as a string; write it without the underscores: 1000", vol("1000")},
		{"base 60", at, vol("1:30"), "auth.instances.volume_size_gib", "is 1:30, which YAML 1.1 tools read as the base-60 number 90 and YAML 1.2 tools as a string; write the number in decimal digits (90)", vol("90")},
		{"quota key", "", "quotas: {elastic_ips: {us-west-2: 0x10}}\n", "quotas.elastic_ips.us-west-2", "write it in decimal digits: 16", "quotas: {elastic_ips: {us-west-2: 16}}\n"},
		{"base 60 as a tag value", "", "tags: {window: 1:30}\n", "tags.window", `is 1:30, which YAML 1.1 tools read as a base-60 number; quote it ("1:30")`, "tags: {window: \"1:30\"}\n"},
	})
	// Plain decimal numbers, quoted text and other strings are not touched.
	for _, doc := range []string{strings.Replace(valid, at, vol("+10"), 1), strings.Replace(valid, at, vol("10"), 1), valid + "tags: {window: \"1:30\", build: \"010\", t: 10-20}\n"} {
		if _, err := Parse([]byte(doc), "ok.yaml"); err != nil {
			t.Errorf("refused: %v\n%s", err, doc)
		}
	}
}
