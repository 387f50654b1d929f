package authtest

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// maxCookieLifetime caps Max-Age and Expires, as RFC 6265bis asks of
// browsers (400 days). It also keeps huge Max-Age values from overflowing.
const maxCookieLifetime = 400 * 24 * time.Hour

// Jar is an [http.CookieJar] that behaves as a browser's does and remembers
// what it received. It stores every attribute of a cookie and applies the
// storage and retrieval rules of RFC 6265bis (draft-ietf-httpbis-rfc6265bis,
// which browsers follow, rather than RFC 6265 itself): host-only and Domain
// cookies, path matching, Secure cookies only from and to a secure context
// (section 5.7: an insecure origin can neither set nor overwrite a Secure
// cookie), the __Secure- and __Host- prefixes, Max-Age before Expires, a
// lifetime capped at 400 days, deletion by Max-Age of zero or less or an
// Expires in the past, and replacement by name, domain and path. Expiry is
// read from the jar's clock (see [WithClock]), so a fake clock expires its
// cookies without sleeping.
//
// Hosts are canonicalised as browsers do (section 5.1.2): lower case, and
// an internationalised name in its A-label form with
// [golang.org/x/net/idna], so that "bücher.test" and "xn--bcher-kva.test"
// are one host. A Domain attribute that is a public suffix (section 5.7,
// step 9, with the list of [golang.org/x/net/publicsuffix]), such as
// "co.uk" or "github.io", is refused, except from the host that is that
// suffix itself, where the cookie becomes host-only: Domain=com set by
// host com is a cookie for com alone, not for every name under it.
// [WithoutPublicSuffixList] turns the list off; a dotless Domain is then
// the only suffix refused. A Domain that does not domain-match the host is
// refused (RFC 6265 section 5.3, step 6), as [net/http/cookiejar] refuses
// it: one with a port ("example.com:8888"), and on a request to an IP
// address anything but that address as written (".192.0.2.1" too).
//
// Every Set-Cookie line it receives becomes an [Event] of its timeline,
// labelled with the [CookieChange] it made. [Jar.Transcript] renders the
// timeline for a golden file.
//
// A Jar works in three ways: with handlers called in process through
// [Jar.Do]; with a real server through the client of [Jar.Client]; or as
// the Jar field of any [http.Client]. It is safe for concurrent use.
// SameSite is kept but not enforced: the jar does not know which site a
// request comes from.
type Jar struct {
	name           string
	cookieName     string
	clock          auth.Clock
	loopbackSecure bool
	noSuffixList   bool
	maxRedirects   int
	start          time.Time

	mu        sync.Mutex
	entries   []*jarEntry
	seq       uint64
	exchanges []*exchange
}

// jarEntry is one stored cookie.
type jarEntry struct {
	cookie     *http.Cookie // as received, with Raw
	name       string
	domain     string // canonical: lower case, no leading dot
	hostOnly   bool
	path       string
	persistent bool
	expires    time.Time // zero when not persistent
	created    time.Time
	seq        uint64
}

// NewJar returns an empty jar. [WithName], [WithClock], [WithCookieName],
// [WithLoopbackSecure], [WithoutPublicSuffixList] and [WithMaxRedirects]
// configure it; without options it is an unnamed jar on the system clock
// that treats loopback hosts as secure, refuses Domain attributes that are
// public suffixes and follows up to 10 redirects.
func NewJar(opts ...JarOption) *Jar {
	s := applyOptions(settings{cookieName: auth.DefaultCookieName}, opts)
	j := &Jar{
		name:           s.jarName,
		cookieName:     s.cookieName,
		clock:          s.clock,
		loopbackSecure: s.loopbackSecure == nil || *s.loopbackSecure,
		noSuffixList:   s.noSuffixList,
		maxRedirects:   defaultMaxRedirects,
	}
	if s.maxRedirects != nil {
		j.maxRedirects = max(*s.maxRedirects, 0)
	}
	if j.cookieName == "" {
		j.cookieName = auth.DefaultCookieName
	}
	if j.clock == nil {
		j.clock = auth.SystemClock{}
	}
	j.start = j.clock.Now()
	return j
}

// now reads the jar's clock; a Jar made without NewJar has none and
// uses the system's.
func (j *Jar) now() time.Time {
	if j.clock == nil {
		return time.Now()
	}
	return j.clock.Now()
}

// Name returns the name given by [WithName], or "".
func (j *Jar) Name() string { return j.name }

// Cookies returns the cookies to send in a request to u, as
// [http.CookieJar] asks: the live cookies whose domain and path match u,
// Secure ones only in a secure context, longest path first and then
// oldest first. Only Name, Value and Quoted are set, which is all a Cookie
// header carries; [Jar.All] shows the attributes.
func (j *Jar) Cookies(u *url.URL) []*http.Cookie {
	if u == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cookiesLocked(u, j.now())
}

func (j *Jar) cookiesLocked(u *url.URL, now time.Time) []*http.Cookie {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil
	}
	host := canonicalHost(u.Host)
	if host == "" {
		return nil
	}
	j.evictLocked(now)
	secure := j.secureContext(u.Scheme, host)
	path := u.Path
	if path == "" {
		path = "/"
	}
	var picked []*jarEntry
	for _, e := range j.entries {
		if e.cookie.Secure && !secure {
			continue
		}
		if !e.domainMatches(host) || !pathMatch(path, e.path) {
			continue
		}
		picked = append(picked, e)
	}
	slices.SortStableFunc(picked, func(a, b *jarEntry) int {
		if c := cmp.Compare(len(b.path), len(a.path)); c != 0 {
			return c
		}
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]*http.Cookie, len(picked))
	for i, e := range picked {
		out[i] = &http.Cookie{Name: e.name, Value: e.cookie.Value, Quoted: e.cookie.Quoted}
	}
	return out
}

// SetCookies stores cookies received in a response from u, as
// [http.CookieJar] asks. An [http.Client] calls it without telling the
// request's method or status; the timeline records the exchange with
// what it knows.
func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if u == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	x := j.beginLocked("", u, nil)
	for _, c := range cookies {
		if c == nil {
			continue
		}
		line := c.Raw
		if line == "" {
			line = c.String()
		}
		c2 := *c
		c2.Raw = line
		x.events = append(x.events, j.storeLocked(x, &c2, line))
	}
}

// All returns every live cookie in the jar, ordered by domain, path and
// name, with all attributes as received and Raw holding the Set-Cookie
// line. Domain is the domain the cookie is stored for (the host, for a
// host-only cookie), and Expires the expiry the jar computed (zero for a
// session cookie).
func (j *Jar) All() []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.evictLocked(j.now())
	es := slices.Clone(j.entries)
	slices.SortStableFunc(es, func(a, b *jarEntry) int {
		return cmp.Or(cmp.Compare(a.domain, b.domain), cmp.Compare(a.path, b.path), cmp.Compare(a.name, b.name))
	})
	out := make([]*http.Cookie, len(es))
	for i, e := range es {
		c := *e.cookie
		c.Domain, c.Path, c.Expires = e.domain, e.path, e.expires
		c.Unparsed = slices.Clone(c.Unparsed)
		out[i] = &c
	}
	return out
}

// Cookie returns the live cookie called name, with its attributes as in
// [Jar.All]. When several domains or paths hold one, it returns the first
// in the order of All. It is the quick way to read the session token a
// login left: jar.Cookie("auth_session").
func (j *Jar) Cookie(name string) (*http.Cookie, bool) {
	for _, c := range j.All() {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// Timeline returns every Set-Cookie line the jar received, oldest first.
func (j *Jar) Timeline() []Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Event
	for _, x := range j.exchanges {
		for _, e := range x.events {
			e.Cookie, e.Previous = cloneCookie(e.Cookie), cloneCookie(e.Previous)
			out = append(out, e)
		}
	}
	return out
}

func cloneCookie(c *http.Cookie) *http.Cookie {
	if c == nil {
		return nil
	}
	c2 := *c
	c2.Unparsed = slices.Clone(c.Unparsed)
	return &c2
}

// defaultMaxRedirects is how many redirects Do follows, as http.Client.
const defaultMaxRedirects = 10

// receive records one full exchange and stores its Set-Cookie lines.
func (j *Jar) receive(r *http.Request, u *url.URL, sent []*http.Cookie, status int, header http.Header) {
	j.mu.Lock()
	defer j.mu.Unlock()
	x := j.beginLocked(r.Method, u, r.Header)
	x.sent, x.sentKnown = sent, true
	x.status = status
	if loc := header.Get("Location"); loc != "" {
		x.header.Set("Location", loc)
	}
	for _, line := range header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			x.events = append(x.events, j.eventLocked(x, line, nil, nil, Rejected, "malformed: "+err.Error()))
			continue
		}
		x.events = append(x.events, j.storeLocked(x, c, line))
	}
}

// beginLocked opens the record of an exchange.
func (j *Jar) beginLocked(method string, u *url.URL, reqHeader http.Header) *exchange {
	u2 := *u
	u2.User = nil
	x := &exchange{time: j.now(), method: method, url: &u2, header: http.Header{}}
	if j.start.IsZero() {
		j.start = x.time
	}
	for _, h := range []string{"Origin", "Sec-Fetch-Site", "Authorization"} {
		if v := reqHeader.Get(h); v != "" {
			x.header.Set(h, v)
		}
	}
	j.exchanges = append(j.exchanges, x)
	return x
}

func (j *Jar) eventLocked(x *exchange, line string, c, prev *http.Cookie, ch CookieChange, reason string) Event {
	return Event{
		Time:     x.time,
		Method:   x.method,
		URL:      x.url.String(),
		Line:     line,
		Cookie:   cloneCookie(c),
		Previous: cloneCookie(prev),
		Change:   ch,
		Reason:   reason,
	}
}

// storeLocked applies RFC 6265bis section 5.7 (the storage model) to one
// received cookie.
func (j *Jar) storeLocked(x *exchange, c *http.Cookie, line string) Event {
	reject := func(format string, args ...any) Event {
		return j.eventLocked(x, line, c, nil, Rejected, fmt.Sprintf(format, args...))
	}
	u, now := x.url, x.time
	if u.Scheme != "http" && u.Scheme != "https" {
		return reject("scheme %q carries no cookies", u.Scheme)
	}
	host := canonicalHost(u.Host)
	if host == "" {
		return reject("request URL has no host")
	}
	if c.Name == "" {
		return reject("no cookie name")
	}
	secure := j.secureContext(u.Scheme, host)
	if c.Secure && !secure {
		return reject("Secure cookie from an insecure origin (%s://%s)", u.Scheme, host)
	}
	lname := strings.ToLower(c.Name)
	if strings.HasPrefix(lname, "__secure-") && !c.Secure {
		return reject("a __Secure- cookie must be Secure")
	}
	if strings.HasPrefix(lname, "__host-") && (!c.Secure || c.Domain != "" || c.Path != "/") {
		return reject("a __Host- cookie must be Secure, with Path=/ and no Domain")
	}

	e := &jarEntry{name: c.Name, domain: host, hostOnly: true}
	if c.Domain != "" {
		d, hostOnly, refused := j.cookieDomain(c.Domain, host)
		if refused != "" {
			return reject("%s", refused)
		}
		e.domain, e.hostOnly = d, hostOnly
	}
	if strings.HasPrefix(c.Path, "/") {
		e.path = c.Path
	} else {
		e.path = defaultPath(u.Path)
	}

	// Max-Age wins over Expires (RFC 6265 section 5.3, step 3).
	deleted := false
	switch {
	case c.MaxAge < 0:
		deleted = true
	case c.MaxAge > 0:
		e.persistent = true
		d := maxCookieLifetime
		if int64(c.MaxAge) < int64(maxCookieLifetime/time.Second) {
			d = time.Duration(c.MaxAge) * time.Second
		}
		e.expires = now.Add(d)
	case !c.Expires.IsZero():
		e.persistent = true
		e.expires = c.Expires
		if !e.expires.After(now) {
			deleted = true
		} else if e.expires.Sub(now) > maxCookieLifetime {
			e.expires = now.Add(maxCookieLifetime)
		}
	}

	// RFC 6265bis section 5.7, step 16: an insecure origin can't shadow
	// a Secure cookie.
	if !secure {
		for _, old := range j.entries {
			if old.name == c.Name && old.cookie.Secure &&
				(domainMatch(old.domain, e.domain) || domainMatch(e.domain, old.domain)) &&
				pathMatch(e.path, old.path) {
				return reject("would overwrite a Secure cookie from an insecure origin")
			}
		}
	}

	j.evictLocked(now)
	var prev *jarEntry
	idx := slices.IndexFunc(j.entries, func(old *jarEntry) bool {
		return old.name == e.name && old.domain == e.domain && old.path == e.path
	})
	if idx >= 0 {
		prev = j.entries[idx]
		j.entries = slices.Delete(j.entries, idx, idx+1)
	}
	var prevCookie *http.Cookie
	if prev != nil {
		prevCookie = prev.cookie
	}

	var change CookieChange
	switch {
	case deleted || c.Value == "":
		change = Cleared
	case prev == nil:
		change = Set
	case prev.cookie.Value != c.Value:
		change = Rotated
	case laterBySecond(prev, e):
		change = Renewed
	default:
		change = Unchanged
	}

	if !deleted {
		j.seq++
		e.seq = j.seq
		e.created = now
		if prev != nil {
			e.created = prev.created
		}
		e.cookie = cloneCookie(c)
		e.cookie.Raw = line
		j.entries = append(j.entries, e)
	}
	return j.eventLocked(x, line, c, prevCookie, change, "")
}

// cookieDomain applies RFC 6265bis section 5.7, steps 8 to 10 (RFC 6265
// section 5.3, steps 5 and 6), to the Domain attribute attr of a cookie
// received from host: it returns the domain the cookie is stored for and
// whether the cookie is host-only, or why the cookie is refused.
func (j *Jar) cookieDomain(attr, host string) (domain string, hostOnly bool, refused string) {
	if isIP(host) {
		// An address has no subdomains: the only Domain it may set is
		// itself, as written. The leading dot that section 5.2.3 drops
		// from a name makes no domain of an address, and Go's
		// net/http/cookiejar and browsers refuse it. The cookie is
		// host-only, as browsers keep it.
		if a := strings.TrimSuffix(strings.TrimPrefix(attr, "["), "]"); strings.ToLower(a) != host {
			return "", false, fmt.Sprintf("Domain %q on a request to the address %s", attr, host)
		}
		return host, true, ""
	}
	name := strings.TrimPrefix(attr, ".") // section 5.2.3
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return "", false, fmt.Sprintf("malformed Domain %q", attr)
	}
	if strings.Contains(name, ":") {
		// A port is no part of a domain: "home.example.org:8888" never
		// domain-matches a host (http-state DOMAIN0027).
		return "", false, fmt.Sprintf("Domain %q has a port", attr)
	}
	d := canonicalName(name)
	switch {
	case d == "":
		return "", false, fmt.Sprintf("malformed Domain %q", attr)
	case d != host && !strings.HasSuffix(host, "."+d):
		return "", false, fmt.Sprintf("Domain %q does not match the host %s", attr, host)
	case j.publicSuffix(d):
		// Step 9: a public suffix names the request host itself
		// (host-only) or is refused.
		if d != host {
			return "", false, fmt.Sprintf("Domain %q is a public suffix", attr)
		}
		return host, true, ""
	}
	return d, false, ""
}

// laterBySecond reports whether next expires at least a second after
// prev. A session cookie (not persistent) counts as expiring last.
func laterBySecond(prev, next *jarEntry) bool {
	switch {
	case !next.persistent:
		return prev.persistent
	case !prev.persistent:
		return false
	default:
		return next.expires.Sub(prev.expires) >= time.Second
	}
}

// evictLocked drops the cookies that expired by now.
func (j *Jar) evictLocked(now time.Time) {
	j.entries = slices.DeleteFunc(j.entries, func(e *jarEntry) bool {
		return e.persistent && !e.expires.After(now)
	})
}
