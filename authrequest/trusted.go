package authrequest

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// A trustedOrigin is one entry of [WithTrustedOrigins], checked and put in
// the form browsers send: an exact origin, or a subdomain pattern.
type trustedOrigin struct {
	origin string // the canonical ASCII form: "https://app.example.com" or "https://*.example.com"
	// For a pattern only:
	scheme string // "https"
	suffix string // "example.com": every host ending in ".example.com" matches
	port   string // "" or "8443"
	site   string // the suffix's registrable domain (eTLD+1), which a match must share
}

func (t *trustedOrigin) isPattern() bool { return t.suffix != "" }

// parseTrustedOrigin checks one trusted origin and returns it in canonical
// form. Anything a browser could never send in an Origin header is an error
// wrapping ErrInvalidOption: such an entry would never match and would
// fail in silence. A Unicode host is converted to its ASCII (punycode)
// form, which is what browsers send.
func parseTrustedOrigin(s string) (trustedOrigin, error) {
	bad := func(format string, args ...any) (trustedOrigin, error) {
		return trustedOrigin{}, fmt.Errorf("%w: trusted origin %q: %s", ErrInvalidOption, s, fmt.Sprintf(format, args...))
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return bad(`want "scheme://host[:port]", such as "https://app.example.com"`)
	}
	if scheme != strings.ToLower(scheme) {
		return bad("the scheme must be lower case, as browsers send it: %q", strings.ToLower(scheme)+"://"+rest)
	}
	if !isScheme(scheme) {
		return bad("%q is not a URL scheme", scheme)
	}
	switch scheme {
	case "file", "data", "blob", "about", "javascript":
		return bad("a %s: page sends Origin: null, which is never trusted", scheme)
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return bad("browsers send no path, query or fragment in an origin: %q", scheme+"://"+rest[:i])
	}
	if strings.Contains(rest, "@") {
		return bad("browsers send no user name or password in an origin")
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return bad("%v", err)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		switch {
		case err != nil || port[0] < '0' || port[0] > '9' || n < 1 || n > 65535:
			return bad("port %q is not a number from 1 to 65535", port)
		case port[0] == '0':
			return bad("browsers send the port without leading zeros: %q", scheme+"://"+host+":"+strconv.Itoa(n))
		case scheme == "https" && n == 443, scheme == "http" && n == 80:
			return bad("browsers leave out the default port: %q", scheme+"://"+host)
		}
	}
	hostPort := func(h string) string {
		if port == "" {
			return h
		}
		return h + ":" + port
	}
	pattern := strings.HasPrefix(host, "*.")
	if pattern {
		host = host[2:]
	}
	if strings.Contains(host, "*") {
		return bad(`a wildcard may only be the whole first label, as in "https://*.example.com"`)
	}
	switch {
	case host == "":
		return bad("the host is empty")
	case strings.HasPrefix(host, "["):
		if pattern {
			return bad("a pattern needs a domain name, not an IP address")
		}
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if err != nil || !strings.HasSuffix(host, "]") || !a.Is6() || a.Zone() != "" {
			return bad("%q is not an IPv6 address without a zone", host)
		}
		if want := "[" + a.String() + "]"; want != host {
			return bad("browsers write this address %q", scheme+"://"+hostPort(want))
		}
		return trustedOrigin{origin: scheme + "://" + hostPort(host)}, nil
	}
	if !isASCII(host) {
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return bad("%q is not a valid internationalized domain name: %v", host, err)
		}
		host = ascii
	} else if lower := strings.ToLower(host); lower != host {
		if pattern {
			lower = "*." + lower
		}
		return bad("browsers send host names in lower case: %q", scheme+"://"+hostPort(lower))
	}
	if err := checkDomain(host); err != nil {
		return bad("%v", err)
	}
	if isNumeric(lastLabel(host)) {
		a, err := netip.ParseAddr(host)
		switch {
		case pattern:
			return bad("a pattern needs a domain name, not an IP address")
		case err != nil || !a.Is4():
			return bad("%q is neither a domain name nor an IPv4 address", host)
		case a.String() != host:
			return bad("browsers write this address %q", scheme+"://"+hostPort(a.String()))
		}
	}
	if !pattern {
		return trustedOrigin{origin: scheme + "://" + hostPort(host)}, nil
	}
	if scheme != "http" && scheme != "https" {
		return bad("patterns are for http and https origins")
	}
	// A pattern on a public suffix (ICANN's, such as co.uk, or a private
	// one, such as github.io) would trust every site registered under it.
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if ps, _ := publicsuffix.PublicSuffix(host); err != nil || ps == host {
		return bad("%q is a public suffix: the pattern would trust sites of other owners", host)
	}
	return trustedOrigin{origin: scheme + "://*." + hostPort(host), scheme: scheme, suffix: host, port: port, site: site}, nil
}

// matches reports whether an Origin header value falls under the pattern:
// same scheme and port, a host at any depth below the suffix (not the
// suffix itself), and the same registrable domain, so that no public
// suffix listed below the pattern's suffix lets another site in.
func (t *trustedOrigin) matches(origin string) bool {
	rest, ok := strings.CutPrefix(origin, t.scheme+"://")
	if !ok {
		return false
	}
	host := rest
	if t.port != "" {
		if host, ok = strings.CutSuffix(rest, ":"+t.port); !ok {
			return false
		}
	}
	if len(host) <= len(t.suffix)+1 || host[len(host)-len(t.suffix)-1] != '.' || !strings.HasSuffix(host, t.suffix) {
		return false
	}
	if checkDomain(host) != nil || strings.ToLower(host) != host {
		return false
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	return err == nil && site == t.site
}

// splitHostPort splits "host[:port]"; an IPv6 host keeps its brackets.
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return "", "", fmt.Errorf("%q has no closing bracket", s)
		}
		host, rest := s[:i+1], s[i+1:]
		if rest == "" {
			return host, "", nil
		}
		if rest[0] != ':' || rest == ":" {
			return "", "", fmt.Errorf("%q is not host[:port]", s)
		}
		return host, rest[1:], nil
	}
	host, port, found := strings.Cut(s, ":")
	if found && (port == "" || strings.Contains(port, ":")) {
		return "", "", fmt.Errorf("%q is not host[:port]", s)
	}
	return host, port, nil
}

// checkDomain reports whether host is a lower-case ASCII domain name of
// the form browsers send: non-empty labels of at most 63 letters, digits,
// hyphens and underscores, valid punycode where a label starts with
// "xn--", at most 253 bytes.
func checkDomain(host string) error {
	if len(host) > 253 {
		return fmt.Errorf("host is longer than 253 bytes")
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" {
			return fmt.Errorf("host %q has an empty label (a trailing dot?)", host)
		}
		if len(label) > 63 {
			return fmt.Errorf("host %q has a label longer than 63 bytes", host)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("host %q has a character browsers don't send (%q)", host, c)
			}
		}
		if strings.HasPrefix(label, "xn--") {
			if _, err := idna.Lookup.ToUnicode(label); err != nil {
				return fmt.Errorf("host %q has a label that is not valid punycode: %v", host, err)
			}
		}
	}
	return nil
}

func lastLabel(host string) string { return host[strings.LastIndexByte(host, '.')+1:] }

// isNumeric reports whether a label makes the host an IPv4 address to a
// URL parser: digits, or a 0x hex number.
func isNumeric(label string) bool {
	if rest, ok := strings.CutPrefix(label, "0x"); ok {
		label = rest
		if label == "" {
			return true
		}
		return strings.Trim(label, "0123456789abcdef") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

// isScheme reports whether s is an RFC 3986 scheme in lower case.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
