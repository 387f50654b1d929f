package authrequest_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
)

// TestHostileInput sends requests an attacker or a broken client could
// send through the Middleware to a handler that reads the session. Each
// gets a clear outcome: the session (only where the request is in fact
// same-origin and carries the real token), no session, or 403. None
// panics, none writes to the store, and a refused request never touches
// the cookie.
func TestHostileInput(t *testing.T) {
	const (
		session   = "session"
		none      = "no session"
		forbidden = "403"
	)
	type tc struct {
		name   string
		raw    func(tok string) string // the request as it arrives on the wire
		want   string
		cookie string // "untouched", "cleared", or "" for either
		opts   []authrequest.Option
	}
	// wire is the request raw, with TOKEN standing for the session token.
	wire := func(raw string) func(string) string {
		return func(tok string) string { return strings.ReplaceAll(raw, "TOKEN", tok) }
	}
	get := func(cookie string, extra ...string) func(string) string {
		return wire("GET / HTTP/1.1\r\nHost: app.example\r\nCookie: " + cookie + "\r\n" + strings.Join(extra, "") + "\r\n")
	}
	post := func(host, origin string, extra ...string) func(string) string {
		return func(tok string) string {
			h := "POST / HTTP/1.1\r\n"
			if host != "-" {
				h += "Host: " + host + "\r\n"
			}
			if origin != "-" {
				h += "Origin: " + origin + "\r\n"
			}
			return h + "Cookie: auth_session=" + tok + "\r\n" + strings.Join(extra, "") + "Content-Length: 0\r\n\r\n"
		}
	}
	postTo := func(path, host, origin string, extra ...string) func(string) string {
		return func(tok string) string {
			return strings.Replace(post(host, origin, extra...)(tok), "POST / ", "POST "+path+" ", 1)
		}
	}
	upper := func(tok string) string { return strings.ToUpper(tok) }
	pattern := []authrequest.Option{authrequest.WithTrustedOrigins("https://*.app.example", "https://*.example.co.uk")}
	exempt := []authrequest.Option{authrequest.WithCrossOriginPassThroughRoutes("POST /hooks/{name}")}
	strict := []authrequest.Option{authrequest.WithStrictOriginCheck()}
	sameSite := "Sec-Fetch-Site: same-site\r\n"
	crossSite := "Sec-Fetch-Site: cross-site\r\n"
	tests := []tc{
		// Cookies.
		{"8 KB cookie", get("auth_session=" + strings.Repeat("a", 8192)), none, "cleared", nil},
		{"8 KB of other cookies before the session", get(strings.Repeat("x=1; ", 1600) + "auth_session=TOKEN"), session, "untouched", nil},
		{"duplicate cookies, garbage first", get("auth_session=garbage; auth_session=TOKEN"), session, "untouched", nil},
		{"duplicate cookies, real first", get("auth_session=TOKEN; auth_session=garbage"), session, "untouched", nil},
		{"duplicate cookies, both garbage (they disagree: nothing cleared)", get("auth_session=x; auth_session=y"), none, "untouched", nil},
		{"duplicate cookies in two headers", get("auth_session=garbage", "Cookie: auth_session=TOKEN\r\n"), session, "untouched", nil},
		{"non-ASCII in the token", get("auth_session=TOKENé"), none, "cleared", nil},
		{"NUL byte in the token", get("auth_session=TOKEN\x00"), none, "", nil},
		{"quoted token", get(`auth_session="TOKEN"`), session, "untouched", nil},
		{"quoted garbage", get(`auth_session="a;b"`), none, "cleared", nil},
		{"right length, upper case", func(tok string) string { return get("auth_session=" + upper(tok))(tok) }, none, "cleared", nil},
		{"right length, digits 0 1 8 9", get("auth_session=" + strings.Repeat("0189", 8)), none, "cleared", nil},
		{"right length, base64 symbols", get("auth_session=" + strings.Repeat("+/ab", 8)), none, "cleared", nil},
		{"token one char short", func(tok string) string { return get("auth_session=" + tok[:31])(tok) }, none, "cleared", nil},
		{"token one char long", get("auth_session=TOKENa"), none, "cleared", nil},
		{"empty cookie value", get("auth_session="), none, "cleared", nil},
		{"cookie name differs in case", get("Auth_Session=TOKEN"), none, "untouched", nil},
		{"cookie name with spaces", get("auth_session = TOKEN"), none, "", nil},
		{"the session ID instead of the token", func(tok string) string { return get("auth_session=" + sessionIDOf(tok))(tok) }, none, "cleared", nil},
		{"bearer token in the cookie header", get("Bearer TOKEN"), none, "untouched", nil},
		// Origins on unsafe requests.
		{"same origin", post("app.example", "https://app.example"), session, "untouched", nil},
		{"no Origin (not a browser)", post("app.example", "-"), session, "untouched", nil},
		{"Origin: null", post("app.example", "null"), forbidden, "untouched", nil},
		{"Origin: empty", post("app.example", ""), session, "untouched", nil},
		{"Origin garbage", post("app.example", "%%%"), forbidden, "untouched", nil},
		{"Origin other site", post("app.example", "https://evil.example"), forbidden, "untouched", nil},
		{"Origin sibling subdomain", post("app.example", "https://evil.app.example"), forbidden, "untouched", nil},
		{"Origin suffix trick", post("app.example", "https://app.example.evil.example"), forbidden, "untouched", nil},
		{"Origin IDN host", post("xn--bcher-kva.example", "https://bücher.example"), forbidden, "untouched", nil},
		{"Origin punycode of another host", post("bucher.example", "https://xn--bcher-kva.example"), forbidden, "untouched", nil},
		{"Origin with trailing dot", post("app.example", "https://app.example."), forbidden, "untouched", nil},
		{"Host with trailing dot", post("app.example.", "https://app.example"), forbidden, "untouched", nil},
		{"Origin other port", post("app.example", "https://app.example:8443"), forbidden, "untouched", nil},
		{"Origin explicit default port", post("app.example", "https://app.example:443"), forbidden, "untouched", nil},
		{"Origin with userinfo", post("app.example", "https://user:pw@app.example"), forbidden, "untouched", nil},
		{"Origin with path", post("app.example", "https://app.example/login"), forbidden, "untouched", nil},
		{"two Origin headers", post("app.example", "https://app.example", "Origin: https://evil.example\r\n"), forbidden, "untouched", nil},
		{"Sec-Fetch-Site cross-site", post("app.example", "-", "Sec-Fetch-Site: cross-site\r\n"), forbidden, "untouched", nil},
		{"Sec-Fetch-Site same-site", post("app.example", "-", "Sec-Fetch-Site: same-site\r\n"), forbidden, "untouched", nil},
		{"Sec-Fetch-Site garbage", post("app.example", "-", "Sec-Fetch-Site: \x7fzzz\r\n"), forbidden, "untouched", nil},
		{"Sec-Fetch-Site same-origin, Origin evil", post("app.example", "https://evil.example", "Sec-Fetch-Site: same-origin\r\n"), forbidden, "untouched", nil},
		{"IPv6 host, same origin", post("[::1]:8080", "http://[::1]:8080"), session, "untouched", nil},
		{"IPv6 host, other port", post("[::1]:8080", "http://[::1]:9090"), forbidden, "untouched", nil},
		{"IPv6 zone in Origin", post("[::1]:8080", "http://[fe80::1%25eth0]:8080"), forbidden, "untouched", nil},
		{"missing Host (HTTP/1.0)", wire("POST / HTTP/1.0\r\nOrigin: https://app.example\r\nCookie: auth_session=TOKEN\r\nContent-Length: 0\r\n\r\n"), forbidden, "untouched", nil},
		{"HTTP/1.0 GET with cookie", wire("GET / HTTP/1.0\r\nCookie: auth_session=TOKEN\r\n\r\n"), session, "untouched", nil},
		{"lower-case method", wire("post / HTTP/1.1\r\nHost: app.example\r\nOrigin: https://evil.example\r\nCookie: auth_session=TOKEN\r\nContent-Length: 0\r\n\r\n"), forbidden, "untouched", nil},
		{"unknown method", wire("PROPFIND / HTTP/1.1\r\nHost: app.example\r\nOrigin: https://evil.example\r\nCookie: auth_session=TOKEN\r\n\r\n"), forbidden, "untouched", nil},
		{"two Sec-Fetch-Site, same-origin first, no Origin", post("app.example", "-", "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Site: cross-site\r\n"), forbidden, "untouched", nil},
		{"upper-case Host, no Sec-Fetch-Site", post("APP.EXAMPLE", "https://app.example"), session, "untouched", nil},
		{"upper-case Host, Sec-Fetch-Site same-origin", post("APP.EXAMPLE", "https://app.example", "Sec-Fetch-Site: same-origin\r\n"), session, "untouched", nil},
		// Trusted subdomain patterns.
		{"pattern: subdomain", post("app.example", "https://api.app.example", sameSite), session, "untouched", pattern},
		{"pattern: deep subdomain", post("app.example", "https://a.b.c.app.example", sameSite), session, "untouched", pattern},
		{"pattern: apex of another host", post("api.app.example", "https://app.example", sameSite), forbidden, "untouched", pattern},
		{"pattern: look-alike", post("app.example", "https://evilapp.example", crossSite), forbidden, "untouched", pattern},
		{"pattern: suffix trick", post("app.example", "https://x.app.example.evil.example", crossSite), forbidden, "untouched", pattern},
		{"pattern: other scheme", post("app.example", "http://api.app.example", sameSite), forbidden, "untouched", pattern},
		{"pattern: other port", post("app.example", "https://api.app.example:8443", sameSite), forbidden, "untouched", pattern},
		{"pattern: upper case", post("app.example", "https://API.app.example", sameSite), forbidden, "untouched", pattern},
		{"pattern: trailing dot", post("app.example", "https://api.app.example.", sameSite), forbidden, "untouched", pattern},
		{"pattern: empty label", post("app.example", "https://.app.example", sameSite), forbidden, "untouched", pattern},
		{"pattern: userinfo", post("app.example", "https://u@api.app.example", sameSite), forbidden, "untouched", pattern},
		{"pattern: public-suffix sibling", post("app.example", "https://x.other.co.uk", crossSite), forbidden, "untouched", pattern},
		{"pattern: the public suffix itself", post("app.example", "https://co.uk", crossSite), forbidden, "untouched", pattern},
		{"pattern: under a public-suffix pattern's site", post("app.example", "https://shop.example.co.uk", crossSite), session, "untouched", pattern},
		// Exempt routes.
		{"exempt route, cross-site", postTo("/hooks/pay", "app.example", "https://evil.example", crossSite), none, "untouched", exempt},
		{"exempt route, cross-site, garbage cookie", func(tok string) string {
			return postTo("/hooks/pay", "app.example", "https://evil.example", crossSite)("garbage")
		}, none, "untouched", exempt},
		{"exempt route, cross-site, no Sec-Fetch-Site", postTo("/hooks/pay", "app.example", "https://evil.example"), none, "untouched", exempt},
		{"exempt route, same origin", postTo("/hooks/pay", "app.example", "https://app.example"), session, "untouched", exempt},
		{"exempt route, unclean path", postTo("/hooks/../admin", "app.example", "https://evil.example", crossSite), forbidden, "untouched", exempt},
		{"exempt route, encoded slash", postTo("/hooks/a%2F..%2F..%2Fadmin", "app.example", "https://evil.example", crossSite), none, "untouched", exempt},
		{"exempt route, deeper path", postTo("/hooks/pay/more", "app.example", "https://evil.example", crossSite), forbidden, "untouched", exempt},
		{"exempt route, other method", func(tok string) string {
			return strings.Replace(postTo("/hooks/pay", "app.example", "https://evil.example", crossSite)(tok), "POST ", "PUT ", 1)
		}, forbidden, "untouched", exempt},
		{"not an exempt route", postTo("/account", "app.example", "https://evil.example", crossSite), forbidden, "untouched", exempt},
		// Strict mode.
		{"strict: neither Origin nor Sec-Fetch-Site", post("app.example", "-"), forbidden, "untouched", strict},
		{"strict: empty Origin", post("app.example", ""), forbidden, "untouched", strict},
		{"strict: Sec-Fetch-Site same-origin only", post("app.example", "-", "Sec-Fetch-Site: same-origin\r\n"), session, "untouched", strict},
		{"strict: Sec-Fetch-Site none only", post("app.example", "-", "Sec-Fetch-Site: none\r\n"), session, "untouched", strict},
		{"strict: same Origin", post("app.example", "https://app.example"), session, "untouched", strict},
		{"strict: bearer token, no browser headers", post("app.example", "-", "Authorization: Bearer abcdefghijklmnopqrstuvwxyz234567\r\n"), none, "untouched", strict},
		{"strict: Authorization not bearer", post("app.example", "-", "Authorization: Basic YTpi\r\n"), forbidden, "untouched", strict},
		{"strict: GET", get("auth_session=TOKEN"), session, "untouched", strict},
	}
	if len(tests) < 60 {
		t.Fatalf("only %d hostile requests, want at least 60", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s := newSignedIn(t)
			h := authrequest.MustMiddleware(e.a, tt.opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, err := authrequest.FromContext(r.Context()).Session()
				switch {
				case err != nil:
					http.Error(w, err.Error(), http.StatusInternalServerError)
				case got == nil:
					io.WriteString(w, none)
				case got.ID != s.ID:
					http.Error(w, "someone else's session", http.StatusInternalServerError)
				default:
					io.WriteString(w, session)
				}
			}))
			raw := tt.raw(s.Token)
			r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
			if err != nil {
				// net/http refuses it before any handler runs: as clear an
				// outcome as any, and nothing of ours was reached.
				if tt.want == session {
					t.Fatalf("the request did not parse: %v", err)
				}
				return
			}
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				h.ServeHTTP(rec, r)
			}()
			got := rec.Body.String()
			if rec.Code == http.StatusForbidden {
				got = forbidden
			}
			if strings.TrimSpace(got) != tt.want {
				t.Errorf("outcome %q (status %d), want %q", got, rec.Code, tt.want)
			}
			if w := e.store.Writes(); w != 0 {
				t.Errorf("%d store writes: %v", w, e.store.Calls())
			}
			if tt.cookie != "" && cookieOutcome(t, rec) != tt.cookie {
				t.Errorf("cookie %s, want %s", cookieOutcome(t, rec), tt.cookie)
			}
		})
	}
}

// sessionIDOf returns the first 32 characters of the token's session ID:
// the length of a token, in hex.
func sessionIDOf(tok string) string { return fmt.Sprintf("%.32s", authSessionID(tok)) }
