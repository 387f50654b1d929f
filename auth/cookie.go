package auth

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultCookieName is the session cookie's name when [CookieConfig.Name]
// is empty.
const DefaultCookieName = "auth_session"

// CookieConfig sets the attributes of the session cookie. The zero value
// gives the secure defaults: name "auth_session", Path "/", no Domain,
// HttpOnly, Secure, SameSite=Lax.
type CookieConfig struct {
	// Name of the cookie; DefaultCookieName when empty. A name starting
	// with "__Host-" requires Path "/", no Domain and Secure; a name
	// starting with "__Secure-" requires Secure. The prefixes match in any
	// case ("__host-" too), as in browsers; [New] enforces both with
	// [CheckCookiePrefix].
	Name string

	// Domain, when set, lets subdomains receive the cookie too.
	Domain string

	// Path of the cookie; "/" when empty.
	Path string

	// SameSite mode; http.SameSiteLaxMode when zero. SameSite=None
	// requires Secure.
	SameSite http.SameSite

	// Insecure drops the Secure attribute, so that the cookie also travels
	// over plain HTTP. It is for development on http://localhost only:
	// never set it in production.
	Insecure bool
}

// withDefaults fills the empty fields and checks the result.
func (c CookieConfig) withDefaults() (CookieConfig, error) {
	if c.Name == "" {
		c.Name = DefaultCookieName
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	if !isCookieName(c.Name) {
		return c, fmt.Errorf("auth: cookie name %q has characters a cookie name can't have", c.Name)
	}
	if !strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, ";\x00\r\n") {
		return c, fmt.Errorf("auth: cookie path %q must start with / and hold no ';' or control bytes", c.Path)
	}
	c.Domain = strings.TrimPrefix(c.Domain, ".")
	if c.Domain != "" && !isCookieDomain(c.Domain) {
		return c, fmt.Errorf("auth: cookie domain %q is not a host name", c.Domain)
	}
	if err := CheckCookiePrefix(&http.Cookie{Name: c.Name, Path: c.Path, Domain: c.Domain, Secure: !c.Insecure}); err != nil {
		return c, err
	}
	if c.SameSite == http.SameSiteNoneMode && c.Insecure {
		return c, fmt.Errorf("auth: SameSite=None requires Secure; browsers drop the cookie otherwise")
	}
	return c, nil
}

// CheckCookiePrefix returns an error if a browser would refuse c for the
// prefix of its name: a name starting with "__Secure-" needs Secure; one
// starting with "__Host-" needs Secure, Path "/" and no Domain. Browsers
// match the prefixes without regard to case (RFC 6265bis §4.1.3;
// draft-ietf-httpbis-rfc6265bis §5.7, storage steps 20 and 21), so
// "__host-session" follows the "__Host-" rules too. Only Name, Secure,
// Path and Domain are read; a name without either prefix is always
// accepted. [New] applies it to the session cookie; any other cookie an
// app or package sets (a sign-in flow's cookie, say) should be checked
// with it too, so that a configuration browsers refuse fails at start-up,
// not as a sign-in that never sticks.
func CheckCookiePrefix(c *http.Cookie) error {
	switch {
	case hasPrefixFold(c.Name, "__Host-"):
		if !c.Secure || c.Path != "/" || c.Domain != "" {
			return fmt.Errorf("auth: cookie %q has the __Host- prefix: it must be Secure, with Path \"/\" and no Domain, or browsers refuse it", c.Name)
		}
	case hasPrefixFold(c.Name, "__Secure-"):
		if !c.Secure {
			return fmt.Errorf("auth: cookie %q has the __Secure- prefix: it must be Secure, or browsers refuse it", c.Name)
		}
	}
	return nil
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case
// only, as browsers compare (strings.EqualFold would also fold "ſ" to "s").
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != lowerASCII(prefix[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// SessionCookie returns the cookie that carries s to the browser. Its
// Expires and Max-Age follow [Session.CookieExpires] (s.IdleExpiresAt,
// never past s.ExpiresAt), read against the Auth's clock; a browser
// session's cookie has neither, so it ends with the browser. s.Token must
// be set.
func (a *Auth) SessionCookie(s *Session) *http.Cookie {
	c := a.baseCookie()
	c.Value = s.Token
	if exp, ok := s.CookieExpires(); ok {
		c.Expires = exp
		c.MaxAge = maxAge(exp.Sub(a.clock.Now()))
	}
	return c
}

// BlankSessionCookie returns the cookie that clears the session cookie: the
// same Name, Path and Domain, an empty value, Max-Age=0 and an Expires in
// the past.
func (a *Auth) BlankSessionCookie() *http.Cookie {
	c := a.baseCookie()
	c.Expires = time.Unix(0, 0).UTC()
	c.MaxAge = -1 // net/http writes "Max-Age=0"
	return c
}

// CookieName returns the name of the session cookie.
func (a *Auth) CookieName() string { return a.cookie.Name }

func (a *Auth) baseCookie() *http.Cookie {
	return &http.Cookie{
		Name:     a.cookie.Name,
		Path:     a.cookie.Path,
		Domain:   a.cookie.Domain,
		Secure:   !a.cookie.Insecure,
		HttpOnly: true,
		SameSite: a.cookie.SameSite,
	}
}

// maxAge converts the time left to whole seconds, rounded up so that a
// session with time left never gets the "delete now" value; none left
// gives -1, which net/http writes as "Max-Age=0".
func maxAge(d time.Duration) int {
	if d <= 0 {
		return -1
	}
	return int((d + time.Second - 1) / time.Second)
}

// ReadBearerToken returns the token of an "Authorization: Bearer <token>"
// header. The scheme name is matched without regard to case (RFC 9110).
// It does not check the token's form: see [ValidToken].
func ReadBearerToken(r *http.Request) (token string, ok bool) {
	h := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	return token, token != ""
}

// isCookieName reports whether s is an RFC 6265 cookie-name (an RFC 7230
// token).
func isCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// isCookieDomain reports whether s is a plausible host name: labels of
// letters, digits and hyphens separated by dots.
func isCookieDomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
