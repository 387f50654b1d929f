package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

func TestSessionCookie(t *testing.T) {
	a, clock, _ := newAuth(t, auth.Config{})
	_, s := newUserSession(t, a)
	c := a.SessionCookie(s)
	line := c.String()
	for _, want := range []string{"auth_session=" + s.Token, "Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=1296000", "Expires=Mon, 16 Mar 2026 12:00:00 GMT"} {
		if !strings.Contains(line, want) {
			t.Errorf("cookie %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "Domain") {
		t.Errorf("cookie %q has a Domain", line)
	}
	// Max-Age counts from the clock, rounded up.
	clock.Set(s.IdleExpiresAt.Add(-1500 * time.Millisecond))
	if got := a.SessionCookie(s).MaxAge; got != 2 {
		t.Errorf("MaxAge 1.5s before expiry = %d, want 2", got)
	}
}

func TestBlankSessionCookie(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{Cookie: auth.CookieConfig{Domain: "example.com", Path: "/app"}})
	c := a.BlankSessionCookie()
	line := c.String()
	for _, want := range []string{"auth_session=", "Path=/app", "Domain=example.com", "Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", "HttpOnly", "Secure"} {
		if !strings.Contains(line, want) {
			t.Errorf("blank cookie %q lacks %q", line, want)
		}
	}
	if c.Value != "" {
		t.Errorf("blank cookie value = %q", c.Value)
	}
}

func TestInsecureCookieOption(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{Cookie: auth.CookieConfig{Insecure: true}})
	_, s := newUserSession(t, a)
	if line := a.SessionCookie(s).String(); strings.Contains(line, "Secure") {
		t.Errorf("Insecure cookie %q still Secure", line)
	}
}

func TestCookieConfigValidation(t *testing.T) {
	tests := []cookieConfigCase{
		{"defaults", auth.CookieConfig{}, true},
		{"__Host- ok", auth.CookieConfig{Name: "__Host-session"}, true},
		{"__Host- insecure", auth.CookieConfig{Name: "__Host-session", Insecure: true}, false},
		{"__Host- domain", auth.CookieConfig{Name: "__Host-session", Domain: "example.com"}, false},
		{"__Host- path", auth.CookieConfig{Name: "__Host-session", Path: "/app"}, false},
		{"__Secure- insecure", auth.CookieConfig{Name: "__Secure-s", Insecure: true}, false},
		{"__Secure- domain ok", auth.CookieConfig{Name: "__Secure-s", Domain: "example.com"}, true},
		{"bad name", auth.CookieConfig{Name: "a b"}, false},
		{"bad name semicolon", auth.CookieConfig{Name: "a;b"}, false},
		{"bad path", auth.CookieConfig{Path: "app"}, false},
		{"path with semicolon", auth.CookieConfig{Path: "/a;b"}, false},
		{"bad domain", auth.CookieConfig{Domain: "exa mple.com"}, false},
		{"leading dot domain", auth.CookieConfig{Domain: ".example.com"}, true},
		{"samesite none insecure", auth.CookieConfig{SameSite: http.SameSiteNoneMode, Insecure: true}, false},
		{"samesite strict", auth.CookieConfig{SameSite: http.SameSiteStrictMode}, true},
	}
	checkCookieConfigs(t, tests)
}

// Browsers match the "__Host-" and "__Secure-" prefixes without regard to
// case (RFC 6265bis §4.1.3; draft-ietf-httpbis-rfc6265bis §5.7, steps 20
// and 21), so a name any browser would refuse must be refused whatever its
// case.
func TestCookiePrefixIgnoresCase(t *testing.T) {
	tests := []cookieConfigCase{
		{"__host- ok", auth.CookieConfig{Name: "__host-session"}, true},
		{"__host- domain", auth.CookieConfig{Name: "__host-session", Domain: "example.com"}, false},
		{"__HOST- insecure", auth.CookieConfig{Name: "__HOST-session", Insecure: true}, false},
		{"__HoSt- path", auth.CookieConfig{Name: "__HoSt-session", Path: "/app"}, false},
		{"__secure- insecure", auth.CookieConfig{Name: "__secure-s", Insecure: true}, false},
		{"__SECURE- insecure", auth.CookieConfig{Name: "__SECURE-s", Insecure: true}, false},
		{"__SECURE- domain ok", auth.CookieConfig{Name: "__SECURE-s", Domain: "example.com"}, true},
		{"prefix later in the name", auth.CookieConfig{Name: "x__host-s", Domain: "example.com", Insecure: true}, true},
		{"no hyphen", auth.CookieConfig{Name: "__hosts", Domain: "example.com", Insecure: true}, true},
	}
	checkCookieConfigs(t, tests)
}

func TestReadBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"", "", false},
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER  abc", "abc", true},
		{"Basic abc", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
	}
	for _, tt := range tests {
		got, ok := auth.ReadBearerToken(&http.Request{Header: http.Header{"Authorization": {tt.header}}})
		if got != tt.want || ok != tt.ok {
			t.Errorf("ReadBearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCheckCookiePrefix(t *testing.T) {
	tests := []struct {
		c  http.Cookie
		ok bool
	}{
		{http.Cookie{Name: "session"}, true},
		{http.Cookie{Name: "__Host-s", Path: "/", Secure: true}, true},
		{http.Cookie{Name: "__host-s", Path: "/", Secure: true}, true},
		{http.Cookie{Name: "__HOST-s", Path: "/", Secure: true, Domain: "example.com"}, false},
		{http.Cookie{Name: "__hOsT-s", Path: "", Secure: true}, false},
		{http.Cookie{Name: "__Host-s", Path: "/"}, false},
		{http.Cookie{Name: "__Secure-s", Secure: true, Domain: "example.com", Path: "/app"}, true},
		{http.Cookie{Name: "__sEcUrE-s"}, false},
		{http.Cookie{Name: "__Secure-"}, false},
		// Only ASCII letters fold: "ſ" (U+017F) is not an "s" to a browser.
		{http.Cookie{Name: "__ſecure-s"}, true},
		{http.Cookie{Name: "__Sec"}, true},
	}
	for _, tt := range tests {
		err := auth.CheckCookiePrefix(&tt.c)
		if (err == nil) != tt.ok {
			t.Errorf("CheckCookiePrefix(%q, Secure %v, Path %q, Domain %q) = %v, want ok=%v", tt.c.Name, tt.c.Secure, tt.c.Path, tt.c.Domain, err, tt.ok)
		}
	}
}

// cookieConfigCase is a cookie configuration and whether New accepts it.
type cookieConfigCase struct {
	name string
	cfg  auth.CookieConfig
	ok   bool
}

// checkCookieConfigs checks, in a subtest each, that New accepts or
// refuses each configuration as the case says.
func checkCookieConfigs(t *testing.T, tests []cookieConfigCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := configError(auth.Config{Cookie: tt.cfg}); (err == nil) != tt.ok {
				t.Errorf("New(%+v) error = %v, want ok=%v", tt.cfg, err, tt.ok)
			}
		})
	}
}
