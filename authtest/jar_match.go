package authtest

import (
	"net"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// This file holds the matching rules of RFC 6265 section 5.1 as
// browsers apply them: secure contexts, domain and path matching, default
// paths and canonical host names.

func (j *Jar) secureContext(scheme, host string) bool {
	return scheme == "https" || j.loopbackSecure && isLoopback(host)
}

func (e *jarEntry) domainMatches(host string) bool {
	if e.hostOnly {
		return host == e.domain
	}
	return domainMatch(host, e.domain)
}

// domainMatch is RFC 6265 section 5.1.3: host is domain or a name under it.
func domainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return !isIP(host) && strings.HasSuffix(host, "."+domain)
}

// pathMatch is RFC 6265 section 5.1.4.
func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/'
}

// defaultPath is RFC 6265 section 5.1.4: the directory of the request path.
func defaultPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// canonicalHost returns the host of a URL's host[:port] as RFC 6265bis
// section 5.1.2 canonicalises it: without port, brackets or a trailing
// dot, lower case, and a name in its A-label (punycode) form. A name IDNA
// refuses gives "", which no cookie matches.
func canonicalHost(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return canonicalName(strings.TrimSuffix(h, "."))
}

// canonicalName is [canonicalHost] for a name or address without a port,
// brackets or trailing dot: lower case, and a name in its A-label form.
func canonicalName(h string) string {
	if isIP(h) || plainASCII(h) {
		return strings.ToLower(h)
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return ""
	}
	return a
}

// plainASCII reports whether h holds only letters, digits, '-' and '.',
// and no label in punycode: a name IDNA leaves as it is but for case.
func plainASCII(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i] | 0x20
		if !('a' <= c && c <= 'z' || '0' <= h[i] && h[i] <= '9' || h[i] == '-' || h[i] == '.') {
			return false
		}
	}
	return !strings.Contains(h, "xn--") && !strings.Contains(h, "XN--")
}

// publicSuffix reports whether domain is a public suffix: on the list of
// golang.org/x/net/publicsuffix, or, with the list off, a name without a
// dot.
func (j *Jar) publicSuffix(domain string) bool {
	if j.noSuffixList {
		return !strings.Contains(domain, ".")
	}
	ps, _ := publicsuffix.PublicSuffix(domain)
	return ps == domain
}

func isIP(host string) bool { return net.ParseIP(host) != nil }

// isLoopback reports whether host is one that browsers treat as a secure
// context over plain http: localhost, a name under .localhost, or a
// loopback address.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
