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
	}
	get := func(cookie string, extra ...string) func(string) string {
		return func(tok string) string {
			return "GET / HTTP/1.1\r\nHost: app.example\r\nCookie: " + strings.ReplaceAll(cookie+"\r\n"+strings.Join(extra, ""), "TOKEN", tok) + "\r\n"
		}
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
	upper := func(tok string) string { return strings.ToUpper(tok) }
	tests := []tc{
		// Cookies.
		{"8 KB cookie", get("auth_session=" + strings.Repeat("a", 8192)), none, "cleared"},
		{"8 KB of other cookies before the session", get(strings.Repeat("x=1; ", 1600) + "auth_session=TOKEN"), session, "untouched"},
		{"duplicate cookies, garbage first", get("auth_session=garbage; auth_session=TOKEN"), session, "untouched"},
		{"duplicate cookies, real first", get("auth_session=TOKEN; auth_session=garbage"), session, "untouched"},
		{"duplicate cookies, both garbage (they disagree: nothing cleared)", get("auth_session=x; auth_session=y"), none, "untouched"},
		{"duplicate cookies in two headers", get("auth_session=garbage", "Cookie: auth_session=TOKEN\r\n"), session, "untouched"},
		{"non-ASCII in the token", get("auth_session=TOKENé"), none, "cleared"},
		{"NUL byte in the token", get("auth_session=TOKEN\x00"), none, ""},
		{"quoted token", get(`auth_session="TOKEN"`), session, "untouched"},
		{"quoted garbage", get(`auth_session="a;b"`), none, "cleared"},
		{"right length, upper case", func(tok string) string { return get("auth_session=" + upper(tok))(tok) }, none, "cleared"},
		{"right length, digits 0 1 8 9", get("auth_session=" + strings.Repeat("0189", 8)), none, "cleared"},
		{"right length, base64 symbols", get("auth_session=" + strings.Repeat("+/ab", 8)), none, "cleared"},
		{"token one char short", func(tok string) string { return get("auth_session=" + tok[:31])(tok) }, none, "cleared"},
		{"token one char long", get("auth_session=TOKENa"), none, "cleared"},
		{"empty cookie value", get("auth_session="), none, "cleared"},
		{"cookie name differs in case", get("Auth_Session=TOKEN"), none, "untouched"},
		{"cookie name with spaces", get("auth_session = TOKEN"), none, ""},
		{"the session ID instead of the token", func(tok string) string { return get("auth_session=" + sessionIDOf(tok))(tok) }, none, "cleared"},
		{"bearer token in the cookie header", get("Bearer TOKEN"), none, "untouched"},
		// Origins on unsafe requests.
		{"same origin", post("app.example", "https://app.example"), session, "untouched"},
		{"no Origin (not a browser)", post("app.example", "-"), session, "untouched"},
		{"Origin: null", post("app.example", "null"), forbidden, "untouched"},
		{"Origin: empty", post("app.example", ""), session, "untouched"},
		{"Origin garbage", post("app.example", "%%%"), forbidden, "untouched"},
		{"Origin other site", post("app.example", "https://evil.example"), forbidden, "untouched"},
		{"Origin sibling subdomain", post("app.example", "https://evil.app.example"), forbidden, "untouched"},
		{"Origin suffix trick", post("app.example", "https://app.example.evil.example"), forbidden, "untouched"},
		{"Origin IDN host", post("xn--bcher-kva.example", "https://bücher.example"), forbidden, "untouched"},
		{"Origin punycode of another host", post("bucher.example", "https://xn--bcher-kva.example"), forbidden, "untouched"},
		{"Origin with trailing dot", post("app.example", "https://app.example."), forbidden, "untouched"},
		{"Host with trailing dot", post("app.example.", "https://app.example"), forbidden, "untouched"},
		{"Origin other port", post("app.example", "https://app.example:8443"), forbidden, "untouched"},
		{"Origin explicit default port", post("app.example", "https://app.example:443"), forbidden, "untouched"},
		{"Origin with userinfo", post("app.example", "https://user:pw@app.example"), forbidden, "untouched"},
		{"Origin with path", post("app.example", "https://app.example/login"), forbidden, "untouched"},
		{"two Origin headers", post("app.example", "https://app.example", "Origin: https://evil.example\r\n"), forbidden, "untouched"},
		{"Sec-Fetch-Site cross-site", post("app.example", "-", "Sec-Fetch-Site: cross-site\r\n"), forbidden, "untouched"},
		{"Sec-Fetch-Site same-site", post("app.example", "-", "Sec-Fetch-Site: same-site\r\n"), forbidden, "untouched"},
		{"Sec-Fetch-Site garbage", post("app.example", "-", "Sec-Fetch-Site: \x7fzzz\r\n"), forbidden, "untouched"},
		{"Sec-Fetch-Site same-origin, Origin evil", post("app.example", "https://evil.example", "Sec-Fetch-Site: same-origin\r\n"), forbidden, "untouched"},
		{"IPv6 host, same origin", post("[::1]:8080", "http://[::1]:8080"), session, "untouched"},
		{"IPv6 host, other port", post("[::1]:8080", "http://[::1]:9090"), forbidden, "untouched"},
		{"IPv6 zone in Origin", post("[::1]:8080", "http://[fe80::1%25eth0]:8080"), forbidden, "untouched"},
		{"missing Host (HTTP/1.0)", func(tok string) string {
			return "POST / HTTP/1.0\r\nOrigin: https://app.example\r\nCookie: auth_session=" + tok + "\r\nContent-Length: 0\r\n\r\n"
		}, forbidden, "untouched"},
		{"HTTP/1.0 GET with cookie", func(tok string) string {
			return "GET / HTTP/1.0\r\nCookie: auth_session=" + tok + "\r\n\r\n"
		}, session, "untouched"},
		{"lower-case method", func(tok string) string {
			return "post / HTTP/1.1\r\nHost: app.example\r\nOrigin: https://evil.example\r\nCookie: auth_session=" + tok + "\r\nContent-Length: 0\r\n\r\n"
		}, forbidden, "untouched"},
		{"unknown method", func(tok string) string {
			return "PROPFIND / HTTP/1.1\r\nHost: app.example\r\nOrigin: https://evil.example\r\nCookie: auth_session=" + tok + "\r\n\r\n"
		}, forbidden, "untouched"},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d hostile requests, want at least 40", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			s := e.newSession(t)
			h := authrequest.Middleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
