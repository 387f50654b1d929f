package authe2e

import (
	"net/http"
	"strings"
	"time"
)

// StorageState is Playwright's storage state: what
// browser.newContext({storageState}) loads and
// context.storageState() saves. authkit fills Cookies only.
type StorageState struct {
	Cookies []PlaywrightCookie `json:"cookies"`
	Origins []struct{}         `json:"origins"`
}

// PlaywrightCookie is one cookie of a [StorageState], in Playwright's
// shape: Expires is in Unix seconds, -1 for a cookie that ends with the
// browser session; SameSite is "Strict", "Lax" or "None"; a Domain without
// a leading dot is host-only, as the session cookie without a Domain
// attribute is (RFC 6265bis §5.7, the host-only-flag).
type PlaywrightCookie struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	Domain   string  `json:"domain"`
	Path     string  `json:"path"`
	Expires  float64 `json:"expires"`
	HTTPOnly bool    `json:"httpOnly"`
	Secure   bool    `json:"secure"`
	SameSite string  `json:"sameSite"`
}

// CypressCookie is one cookie as a Cypress test sets it:
//
//	cookies.forEach(c => cy.setCookie(c.name, c.value, c.options))
//
// Options follows cy.setCookie's options: Expiry in Unix seconds (absent
// for a browser-session cookie), SameSite "lax", "strict" or
// "no_restriction".
type CypressCookie struct {
	Name    string         `json:"name"`
	Value   string         `json:"value"`
	Options CypressOptions `json:"options"`
}

// CypressOptions are the options of cy.setCookie that a session cookie
// needs.
type CypressOptions struct {
	Domain   string `json:"domain"`
	Path     string `json:"path"`
	Secure   bool   `json:"secure"`
	HTTPOnly bool   `json:"httpOnly"`
	Expiry   int64  `json:"expiry,omitempty"`
	SameSite string `json:"sameSite"`
}

// playwrightCookie converts c, as the app's Auth built it, for a browser
// that reaches the app at host (a host name or IP, no port).
func playwrightCookie(c *http.Cookie, host string) PlaywrightCookie {
	pc := PlaywrightCookie{
		Name: c.Name, Value: c.Value, Domain: cookieDomain(c, host), Path: cookiePath(c),
		Expires: -1, HTTPOnly: c.HttpOnly, Secure: c.Secure, SameSite: sameSite(c, "Strict", "Lax", "None"),
	}
	if exp, ok := cookieExpiry(c); ok {
		pc.Expires = float64(exp.Unix())
	}
	return pc
}

// cypressCookie converts c as playwrightCookie does, in Cypress's shape.
func cypressCookie(c *http.Cookie, host string) CypressCookie {
	cc := CypressCookie{Name: c.Name, Value: c.Value, Options: CypressOptions{
		Domain: cookieDomain(c, host), Path: cookiePath(c), Secure: c.Secure, HTTPOnly: c.HttpOnly,
		SameSite: sameSite(c, "strict", "lax", "no_restriction"),
	}}
	if exp, ok := cookieExpiry(c); ok {
		cc.Options.Expiry = exp.Unix()
	}
	return cc
}

// cookieDomain is the cookie's Domain attribute with a leading dot (it
// covers subdomains), or the request's host when it has none (host-only).
func cookieDomain(c *http.Cookie, host string) string {
	if c.Domain != "" {
		return "." + strings.TrimPrefix(c.Domain, ".")
	}
	return host
}

func cookiePath(c *http.Cookie) string {
	if c.Path == "" {
		return "/"
	}
	return c.Path
}

// cookieExpiry is when a persistent cookie expires; ok is false for a
// browser-session cookie (neither Expires nor Max-Age).
func cookieExpiry(c *http.Cookie) (time.Time, bool) {
	return c.Expires, !c.Expires.IsZero()
}

// sameSite names c's SameSite mode in the caller's words; a cookie without
// the attribute is Lax, as browsers default it (RFC 6265bis §5.7).
func sameSite(c *http.Cookie, strict, lax, none string) string {
	switch c.SameSite {
	case http.SameSiteStrictMode:
		return strict
	case http.SameSiteNoneMode:
		return none
	default:
		return lax
	}
}
