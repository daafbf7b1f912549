package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Let's Encrypt issues the cluster's certificate (the domain and its
// wildcard, DNS-01) and registers acme_email as the account's contact.
// Its CA, Boulder, refuses names by syntax before any challenge
// (letsencrypt/boulder policy/pa.go, validDomain and ValidEmail):
//
//   - a name must end in a suffix of the ICANN section of the Public Suffix
//     List (iana.ExtractSuffix), which no special-use or private TLD is;
//   - at most 10 labels (maxLabels); the wildcard *.<domain> is checked as
//     x.<domain>, so the domain itself may have at most 9;
//   - no reserved LDH label (two hyphens in the third and fourth places)
//     unless it is an xn-- label (errInvalidRLDH);
//   - an IP address (and so an all-numeric last label) is no domain.
//
// The app cannot ship the Public Suffix List (it changes, and a stale copy
// would refuse new TLDs), so it refuses the TLDs that are certain never to
// be in it: those below. Other names that Boulder refuses by its block
// lists (high-value names) are policy data the app cannot know.

// MaxACMELabels is the most labels the domain may have: Boulder allows 10,
// and checks the wildcard as one more label.
const MaxACMELabels = 10 - 1

// nonPublicTLDs are the last labels that are not, and will not be, public
// TLDs, each with why.
var nonPublicTLDs = map[string]string{
	"test":      "reserved for testing (RFC 6761)",
	"example":   "reserved for documentation (RFC 2606, RFC 6761)",
	"invalid":   "reserved as never valid (RFC 6761)",
	"localhost": "the loopback name (RFC 6761)",
	"local":     "multicast DNS on a local link (RFC 6762)",
	"onion":     "Tor onion services (RFC 7686)",
	"alt":       "reserved for non-DNS name systems (RFC 9476)",
	"internal":  "reserved by ICANN for private networks and never delegated (ICANN board, July 2024, after SSAC's SAC113)",
	// Name-collision strings the ICANN board decided in February 2018 not
	// to delegate.
	"corp": "a name-collision string ICANN will not delegate",
	"home": "a name-collision string ICANN will not delegate",
	"mail": "a name-collision string ICANN will not delegate",
	// Private-network conventions, not in the root zone.
	"lan":         "a private-network convention, not a public TLD",
	"localdomain": "a private-network convention, not a public TLD",
	"intranet":    "a private-network convention, not a public TLD",
	"private":     "a private-network convention, not a public TLD",
}

// allDigitsRe is an all-numeric label: no TLD is one (RFC 3696 section 2),
// and a name ending in one reads as an IP address.
var allDigitsRe = regexp.MustCompile(`^[0-9]+$`)

// acmeNameProblem says why Let's Encrypt will not issue for (or register a
// contact at) name, a valid lowercase DNS name, or returns "".
func acmeNameProblem(name string) string {
	labels := strings.Split(name, ".")
	tld := labels[len(labels)-1]
	if len(labels) >= 2 && labels[len(labels)-2]+"."+tld == "home.arpa" {
		return "ends in .home.arpa, reserved for home networks (RFC 8375)"
	}
	if why, ok := nonPublicTLDs[tld]; ok {
		return fmt.Sprintf("ends in .%s, %s", tld, why)
	}
	if allDigitsRe.MatchString(tld) {
		return fmt.Sprintf("ends in the all-numeric label .%s, which no public TLD is (RFC 3696)", tld)
	}
	for _, l := range labels {
		if len(l) >= 4 && l[2:4] == "--" && l[:2] != "xn" {
			return fmt.Sprintf("has the label %q, with two hyphens in the third and fourth places, which only internationalised (xn--) labels may have", l)
		}
	}
	return ""
}

// acmeDomain checks the domain against Let's Encrypt's rules for the
// certificate's names (the domain and *.domain).
func (v *validator) acmeDomain(domain string) {
	if why := acmeNameProblem(domain); why != "" {
		v.add("domain", "%q %s: Let's Encrypt issues certificates only for names under a public TLD (Boulder policy/pa.go), so the cluster would never get its certificate; use a name under a public domain you own", domain, why)
		return
	}
	if n := strings.Count(domain, ".") + 1; n > MaxACMELabels {
		v.add("domain", "%q has %d labels; Let's Encrypt allows 10 per name and the certificate also covers *.%s (one more), so use at most %d", domain, n, domain, MaxACMELabels)
	}
}

// forbiddenContactDomains are the contact domains Boulder refuses outright
// (policy/pa.go forbiddenMailDomains: RFC 2606 documentation names, "frequently
// used when copy-pasting example configurations").
var forbiddenContactDomains = []string{"example.com", "example.net", "example.org"}

// acmeEmail checks the domain of the Let's Encrypt contact address, which
// Boulder validates like a certificate name (ValidEmail). A contact at a
// documentation domain is a warning, not an error: the shipped example uses
// one, like its placeholder domain, and must synthesize.
func (v *validator) acmeEmail(c *Cluster) {
	email := c.ACMEEmail
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	if why := acmeNameProblem(domain); why != "" {
		v.add("acme_email", "%q: its domain %s, and Let's Encrypt refuses to register an account whose contact is not under a public TLD (Boulder policy/pa.go ValidEmail); use an address that receives mail", email, why)
		return
	}
	if slices.Contains(forbiddenContactDomains, domain) {
		c.warnings = append(c.warnings, fmt.Sprintf("acme_email: %q is at %s, a documentation domain: Let's Encrypt refuses to register an account with that contact (Boulder forbiddenMailDomains), so the auth servers would never get the cluster's certificate; set an address that receives mail before you deploy", email, domain))
	}
}

// nonPublicTLDPattern matches the names acmeNameProblem refuses for their
// last labels, for the JSON Schema (a "not" pattern).
func nonPublicTLDPattern() string {
	tlds := sortedKeys(nonPublicTLDs)
	tlds = slices.Insert(tlds, 0, `home\.arpa`)
	return `\.(` + strings.Join(tlds, "|") + `|[0-9]+)$`
}
