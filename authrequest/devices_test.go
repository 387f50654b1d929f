package authrequest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// clientIPOf signs in through a Middleware with opts and returns the
// client IP the new session recorded.
func clientIPOf(t *testing.T, remote string, header http.Header, opts ...authrequest.Option) string {
	t.Helper()
	f := fakeauth.NewT(t)
	u := seedUser(t, f, "ada")
	var got string
	h := authrequest.MustMiddleware(f.Auth, opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := authrequest.FromContext(r.Context()).SignIn(u.ID)
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
		got = s.ClientIP
	}))
	r := httptest.NewRequest(http.MethodGet, "https://app.example/", nil)
	r.RemoteAddr = remote
	for k, vs := range header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	h.ServeHTTP(httptest.NewRecorder(), r)
	return got
}

func TestClientIP(t *testing.T) {
	xff := func(vs ...string) http.Header { return http.Header{"X-Forwarded-For": vs} }
	proxy := authrequest.WithTrustedProxyClientIP("X-Forwarded-For", "10.0.0.0/8", "::1")
	for _, tc := range []struct {
		name   string
		remote string
		header http.Header
		opts   []authrequest.Option
		want   string
	}{
		{"connection", "198.51.100.7:5555", nil, nil, "198.51.100.7"},
		{"connection/IPv6", "[2001:db8::9]:443", nil, nil, "2001:db8::9"},
		{"default ignores X-Forwarded-For (spoofed)", "198.51.100.7:5555", xff("203.0.113.1"), nil, "198.51.100.7"},
		{"trusted proxy", "10.1.2.3:80", xff("203.0.113.1"), []authrequest.Option{proxy}, "203.0.113.1"},
		{"trusted proxy, IPv6 loopback", "[::1]:80", xff("2001:db8::1"), []authrequest.Option{proxy}, "2001:db8::1"},
		{"untrusted peer sends the header (spoofed)", "198.51.100.7:5555", xff("203.0.113.1"), []authrequest.Option{proxy}, "198.51.100.7"},
		{"client prepends a fake hop (spoofed)", "10.1.2.3:80", xff("1.2.3.4, 203.0.113.1"), []authrequest.Option{proxy}, "203.0.113.1"},
		{"chain of trusted proxies", "10.1.2.3:80", xff("203.0.113.1, 10.9.9.9", "10.8.8.8"), []authrequest.Option{proxy}, "203.0.113.1"},
		{"garbage in the header", "10.1.2.3:80", xff("203.0.113.1, not-an-ip"), []authrequest.Option{proxy}, "10.1.2.3"},
		{"only proxies in the header", "10.1.2.3:80", xff("10.0.0.5"), []authrequest.Option{proxy}, "10.1.2.3"},
		{"no header", "10.1.2.3:80", nil, []authrequest.Option{proxy}, "10.1.2.3"},
		{"single-address header", "10.1.2.3:80", http.Header{"X-Real-Ip": {"203.0.113.8"}},
			[]authrequest.Option{authrequest.WithTrustedProxyClientIP("X-Real-IP", "10.1.2.3")}, "203.0.113.8"},
		{"other header not read", "10.1.2.3:80", http.Header{"X-Real-Ip": {"203.0.113.8"}}, []authrequest.Option{proxy}, "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientIPOf(t, tc.remote, tc.header, tc.opts...); got != tc.want {
				t.Errorf("recorded client IP %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTrustedProxyClientIPInvalid(t *testing.T) {
	f := fakeauth.NewT(t)
	for _, opt := range []authrequest.Option{
		authrequest.WithTrustedProxyClientIP("X-Forwarded-For"),
		authrequest.WithTrustedProxyClientIP("", "10.0.0.1"),
		authrequest.WithTrustedProxyClientIP("X-Forwarded-For", "10.0.0.0/33"),
		authrequest.WithTrustedProxyClientIP("X-Forwarded-For", "proxy.internal"),
	} {
		if _, err := authrequest.Middleware(f.Auth, opt); !errors.Is(err, authrequest.ErrInvalidOption) {
			t.Errorf("Middleware: error = %v, want ErrInvalidOption", err)
		}
	}
}

// A sign-in without "remember me" sets a browser-session cookie, and its
// renewal keeps the policy: no Expires or Max-Age either time.
func TestSignInWithBrowserSession(t *testing.T) {
	f := fakeauth.NewT(t)
	u := seedUser(t, f, "ada")
	var s *auth.Session
	h := authrequest.MustMiddleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		if r.Method == http.MethodPost {
			var err error
			s, err = ar.SignInWith(u.ID, auth.SessionOptions{BrowserSession: true, Attributes: map[string]any{"device": "laptop"}})
			if err != nil {
				t.Fatalf("SignInWith: %v", err)
			}
			return
		}
		if _, err := ar.Session(); err != nil {
			t.Fatalf("Session: %v", err)
		}
	}))
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "https://app.example/login", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("User-Agent", "TestBrowser/1.0")
	h.ServeHTTP(rec, r)
	line := strings.Join(rec.Result().Header.Values("Set-Cookie"), "\n")
	if strings.Contains(line, "Expires") || strings.Contains(line, "Max-Age") || line == "" {
		t.Errorf("browser session cookie %q has an expiry, want none", line)
	}
	if !s.BrowserSession || s.UserAgent != "TestBrowser/1.0" || string(s.Attributes) != `{"device":"laptop"}` {
		t.Errorf("session = %+v", s)
	}
	active := f.Auth.Config().BrowserSessionActivePeriod
	f.Clock.Advance(active + 1)
	rec = httptest.NewRecorder()
	r = httptest.NewRequest(http.MethodGet, "https://app.example/", nil)
	r.AddCookie(f.Auth.SessionCookie(s))
	h.ServeHTTP(rec, r)
	line = strings.Join(rec.Result().Header.Values("Set-Cookie"), "\n")
	if !strings.HasPrefix(line, "auth_session="+s.Token) || strings.Contains(line, "Expires") || strings.Contains(line, "Max-Age") {
		t.Errorf("renewed browser session cookie %q: want the token re-issued with no expiry", line)
	}
}

func TestInvalidateOtherSessions(t *testing.T) {
	f := fakeauth.NewT(t)
	ctx := context.Background()
	u, cur := seedUserSession(t, f, fakeauth.Active)
	var others []*auth.Session
	for range 3 {
		others = append(others, seedSession(t, f, u.ID, fakeauth.Active))
	}
	var err error
	h := authrequest.MustMiddleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err = authrequest.FromContext(r.Context()).InvalidateOtherSessions()
	}))
	r := httptest.NewRequest(http.MethodPost, "https://app.example/devices/sign-out-others", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(f.Auth.SessionCookie(cur))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if err != nil {
		t.Fatalf("InvalidateOtherSessions: %v", err)
	}
	if left, err := f.Auth.UserSessions(ctx, u.ID); err != nil || len(left) != 1 || left[0].ID != cur.ID {
		t.Errorf("sessions left: %v, %v; want the current one only", left, err)
	}
	if len(rec.Result().Header.Values("Set-Cookie")) != 0 {
		t.Errorf("the current session's cookie changed: %v", rec.Result().Header.Values("Set-Cookie"))
	}
	if _, err := f.Auth.ValidateSession(ctx, cur.Token); err != nil {
		t.Errorf("current session: %v", err)
	}
	for _, s := range others {
		if _, err := f.Auth.ValidateSession(ctx, s.Token); !errors.Is(err, auth.ErrInvalidSession) {
			t.Errorf("other session: error = %v, want ErrInvalidSession", err)
		}
	}
	// Without a session, and from another site: refused.
	r = httptest.NewRequest(http.MethodPost, "https://app.example/devices/sign-out-others", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if !errors.Is(err, authrequest.ErrNotSignedIn) {
		t.Errorf("without a session: error = %v, want ErrNotSignedIn", err)
	}
	if err := (*authrequest.AuthRequest)(nil).InvalidateOtherSessions(); !errors.Is(err, authrequest.ErrNoMiddleware) {
		t.Errorf("nil AuthRequest: error = %v, want ErrNoMiddleware", err)
	}
}

func TestSignInRecordsTheDevice(t *testing.T) {
	for _, tt := range []struct{ remote, wantIP string }{
		{"192.0.2.7:51234", "192.0.2.7"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"pipe", "pipe"}, // no port: kept as it is
	} {
		e := newEnv(t)
		r := request("POST", "http://example.com/login", "")
		r.Header.Set("Origin", "http://example.com")
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
		r.RemoteAddr = tt.remote
		s, err := authrequest.New(e.a, httptest.NewRecorder(), r).SignIn(e.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec, ok := e.stored(t, s.ID)
		if !ok || rec.UserAgent != "Mozilla/5.0 (X11; Linux x86_64)" || rec.ClientIP != tt.wantIP {
			t.Errorf("RemoteAddr %q: stored user agent %q, client IP %q; want the request's, %q", tt.remote, rec.UserAgent, rec.ClientIP, tt.wantIP)
		}
		if s.UserAgent != rec.UserAgent || s.ClientIP != rec.ClientIP {
			t.Errorf("returned session %q %q differs from the stored one", s.UserAgent, s.ClientIP)
		}
	}
}
