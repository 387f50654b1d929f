package authrequest

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"
)

// FuzzTrustedOrigin parses arbitrary trusted-origin entries and matches
// arbitrary Origin values against them. Properties, beyond not panicking:
//   - a refused entry is an error wrapping ErrInvalidOption;
//   - an accepted entry is in canonical form: lower-case ASCII, and
//     parsing it again gives the same entry;
//   - an exact entry trusts that one Origin string and nothing else;
//   - a pattern never matches a public suffix, a public-suffix sibling
//     of its site (x.other.co.uk for *.example.co.uk), its own apex, or
//     any host outside its registrable domain.
func FuzzTrustedOrigin(f *testing.F) {
	f.Add("https://*.example.co.uk", "https://x.other.co.uk", "other")
	f.Add("https://*.example.com", "https://app.example.com", "evil")
	f.Add("https://*.myapp.github.io", "https://a.myapp.github.io", "other")
	f.Add("https://*.co.uk", "https://x.co.uk", "x")
	f.Add("https://*.bücher.example", "https://a.xn--bcher-kva.example", "b")
	f.Add("http://*.app.example.com:8080", "http://x.app.example.com:8080", "x")
	f.Add("https://app.example.com", "https://app.example.com", "app")
	f.Add("https://*.amazonaws.com", "https://x.s3.amazonaws.com", "s3")
	f.Add("https://*.compute.amazonaws.com", "https://a.b.compute.amazonaws.com", "b")
	f.Add("https://[::1]:8443", "https://[::1]:8443", "")
	f.Fuzz(func(t *testing.T, entry, origin, label string) {
		to, err := parseTrustedOrigin(entry)
		if err != nil {
			if !errors.Is(err, ErrInvalidOption) {
				t.Fatalf("parseTrustedOrigin(%q) = %v, not wrapping ErrInvalidOption", entry, err)
			}
			return
		}
		if !isASCII(to.origin) || strings.ToLower(to.origin) != to.origin {
			t.Fatalf("parseTrustedOrigin(%q) = %q, not lower-case ASCII", entry, to.origin)
		}
		again, err := parseTrustedOrigin(to.origin)
		if err != nil || again != to {
			t.Fatalf("canonical form %q of %q parses to %+v, %v; want %+v", to.origin, entry, again, err, to)
		}
		c, err := newOriginCheck([]string{entry}, "", false, false)
		if err != nil {
			t.Fatalf("newOriginCheck(%q): %v", entry, err)
		}
		if !to.isPattern() {
			if got := c.trusts(origin); got != (origin == to.origin) {
				t.Fatalf("exact entry %q: trusts(%q) = %v", to.origin, origin, got)
			}
			return
		}
		port := ""
		if to.port != "" {
			port = ":" + to.port
		}
		ps, _ := publicsuffix.PublicSuffix(to.suffix)
		label = strings.ToLower(strings.Trim(label, "."))
		mustNot := []string{ps, to.suffix, to.site}
		if sibling := label + "." + ps; label != "" && !strings.HasSuffix(sibling, "."+to.suffix) {
			mustNot = append(mustNot, sibling) // another site under the public suffix, or an ancestor
		}
		for _, h := range mustNot {
			if c.trusts(to.scheme + "://" + h + port) {
				t.Fatalf("pattern %q trusts %q (public suffix %q, site %q)", to.origin, h, ps, to.site)
			}
		}
		// Whatever the fuzzer makes of the Origin, a match is a host
		// strictly below the suffix, in the pattern's registrable domain,
		// and not itself a public suffix.
		for _, o := range []string{origin, to.scheme + "://" + label + "." + to.suffix + port} {
			if !c.trusts(o) {
				continue
			}
			host := strings.TrimSuffix(strings.TrimPrefix(o, to.scheme+"://"), port)
			site, err := publicsuffix.EffectiveTLDPlusOne(host)
			if hps, _ := publicsuffix.PublicSuffix(host); !strings.HasSuffix(host, "."+to.suffix) || err != nil || site != to.site || hps == host {
				t.Fatalf("pattern %q trusts %q: host %q, site %q (want %q), err %v", to.origin, o, host, site, to.site, err)
			}
		}
	})
}
