package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Whole numbers are written in plain decimal digits. YAML 1.1 and 1.2
// disagree on every other spelling: 010 is 8 in YAML 1.1 (and to this
// loader) but 10 in YAML 1.2; 0b1000000 and 1_000 are numbers in 1.1 and
// strings in 1.2; 0o10 the reverse; 1:30 is 1.1's base-60 number 90. A
// value that changes meaning with the reader is refused like the YAML 1.1
// booleans (yaml11Bools), saying what it would mean.
var (
	plainDecimalRe = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)$`)
	leadingZeroRe  = regexp.MustCompile(`^[-+]?0[0-9_]+$`)
	sexagesimalRe  = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+$`)
	prefixedRe     = regexp.MustCompile(`^[-+]?0[bBoOxX][0-9a-fA-F_]+$`)
)

// numberSpelling explains a plain scalar that some YAML reader takes for a
// whole number not written in plain decimal digits, or returns "".
func numberSpelling(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return ""
	}
	text := n.Value
	if plainDecimalRe.MatchString(text) {
		return ""
	}
	sign, digits := "", strings.ReplaceAll(text, "_", "")
	if digits != "" && (digits[0] == '-' || digits[0] == '+') {
		sign, digits = strings.TrimPrefix(digits[:1], "+"), digits[1:]
	}
	switch {
	case sexagesimalRe.MatchString(text):
		v := int64(0)
		for _, part := range strings.Split(digits, ":") {
			d, err := strconv.ParseInt(part, 10, 64)
			if err != nil || v > (1<<62)/60 {
				return ""
			}
			v = v*60 + d
		}
		return fmt.Sprintf("is %s, which YAML 1.1 tools read as the base-60 number %s%d and YAML 1.2 tools as a string; write the number in decimal digits (%s%d), or quote the text", text, sign, v, sign, v)
	case prefixedRe.MatchString(text):
		v, err := strconv.ParseInt(sign+digits, 0, 64)
		if err != nil {
			return ""
		}
		switch strings.ToLower(digits[:2]) {
		case "0b":
			return fmt.Sprintf("is %s, a YAML 1.1 binary number (%d) that YAML 1.2 tools read as a string; write it in decimal digits: %d", text, v, v)
		case "0o":
			return fmt.Sprintf("is %s, a YAML 1.2 octal number (%d) that YAML 1.1 tools read as a string; write it in decimal digits: %d", text, v, v)
		default:
			return fmt.Sprintf("is %s, a hexadecimal number (%d); write it in decimal digits: %d", text, v, v)
		}
	case leadingZeroRe.MatchString(text):
		dec, err := strconv.ParseInt(sign+digits, 10, 64)
		if err != nil {
			return ""
		}
		if oct, err := strconv.ParseInt(sign+digits, 8, 64); err == nil && oct != dec {
			return fmt.Sprintf("is %s, a number with a leading zero: YAML 1.1 tools (and this loader) read it as the octal number %d, YAML 1.2 tools as %d; write the one you mean without the leading zero: %d or %d", text, oct, dec, oct, dec)
		}
		return fmt.Sprintf("is %s, a number with a leading zero, which YAML 1.1 tools read as octal (or as a string when it is no octal number); write it without the leading zero: %d", text, dec)
	case strings.Contains(text, "_") && plainDecimalRe.MatchString(sign+digits):
		v, err := strconv.ParseInt(sign+digits, 10, 64)
		if err != nil {
			return ""
		}
		return fmt.Sprintf("is %s, which YAML 1.1 tools read as the number %d and YAML 1.2 tools as a string; write it without the underscores: %d", text, v, v)
	}
	return ""
}
