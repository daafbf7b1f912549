package config

import (
	"net/netip"
	"strings"
)

// S3's bucket naming rules ("General purpose bucket naming rules", Amazon
// S3 user guide) beyond bucketRe's characters and length: prefixes and
// suffixes S3 reserves for its own kinds of names.
var (
	bucketReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	bucketReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// bucketProblem returns why name breaks S3's bucket naming rules, or "".
func bucketProblem(name string) string {
	switch {
	case !bucketRe.MatchString(name):
		return "is not a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)"
	case strings.Contains(name, ".."):
		return "has two adjacent dots, which S3 bucket names cannot have"
	case isIPv4(name):
		return "is formatted as an IP address, which S3 bucket names cannot be"
	}
	for _, p := range bucketReservedPrefixes {
		if strings.HasPrefix(name, p) {
			return "starts with " + p + ", a prefix S3 reserves; choose another name"
		}
	}
	for _, s := range bucketReservedSuffixes {
		if strings.HasSuffix(name, s) {
			return "ends with " + s + ", a suffix S3 reserves; choose another name"
		}
	}
	return ""
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// bucketName reports at path a bucket name that breaks S3's rules.
func (v *validator) bucketName(path, name string) {
	if why := bucketProblem(name); why != "" {
		v.add(path, "%q %s", name, why)
	}
}
