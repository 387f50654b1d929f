package authrequest_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
)

// serveWith runs r through Middleware with opts, to a handler that reports
// what the AuthRequest allowed, and returns the recorder and that report.
func serveWith(t testing.TB, e *env, r *http.Request, opts ...authrequest.Option) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var report []string
	h := authrequest.MustMiddleware(e.a, opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		s, err := ar.Session()
		switch {
		case err != nil:
			report = append(report, "error "+err.Error())
		case s == nil:
			report = append(report, "no session")
		default:
			report = append(report, "session")
		}
		if b, err := ar.ValidateBearerToken(); err == nil && b != nil {
			report = append(report, "bearer")
		}
		if ar.CheckOrigin() != nil {
			// The cookie has no say: every write must be refused.
			s, _ := e.a.CreateSession(r.Context(), e.user.ID)
			for name, err := range map[string]error{
				"SetSession":   ar.SetSession(s),
				"ClearSession": ar.ClearSession(),
				"SignIn":       func() error { _, err := ar.SignIn(e.user.ID); return err }(),
				"SignOut":      ar.SignOut(),
			} {
				if !errors.Is(err, authrequest.ErrCrossOrigin) {
					report = append(report, name+" allowed")
				}
			}
		}
		io.WriteString(w, strings.Join(report, ", "))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code == http.StatusForbidden {
		return rec, "403"
	}
	return rec, rec.Body.String()
}

// TestStrictOriginCheck: with WithStrictOriginCheck an unsafe request
// without Origin or Sec-Fetch-Site is refused, except that a bearer-token
// request still reaches the handler (without the cookie).
func TestStrictOriginCheck(t *testing.T) {
	for _, tc := range []struct {
		name, method string
		header       map[string]string
		strict       bool
		want         string
	}{
		{"no headers, default", "POST", nil, false, "session"},
		{"no headers, strict", "POST", nil, true, "403"},
		{"empty Origin, strict", "POST", map[string]string{"Origin": ""}, true, "403"},
		{"GET, strict", "GET", nil, true, "session"},
		{"same Origin, strict", "POST", map[string]string{"Origin": "https://app.example"}, true, "session"},
		{"Sec-Fetch-Site same-origin, strict", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, true, "session"},
		{"bearer, strict", "POST", map[string]string{"Authorization": "Bearer TOKEN"}, true, "no session, bearer"},
		{"bearer, default", "POST", map[string]string{"Authorization": "Bearer TOKEN"}, false, "session, bearer"},
		{"bearer cross-site, strict", "POST", map[string]string{"Authorization": "Bearer TOKEN", "Sec-Fetch-Site": "cross-site"}, true, "403"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			s := e.newSession(t)
			r := request(tc.method, "https://app.example/", s.Token)
			for k, v := range tc.header {
				r.Header.Set(k, strings.ReplaceAll(v, "TOKEN", s.Token))
			}
			var opts []authrequest.Option
			if tc.strict {
				opts = append(opts, authrequest.WithStrictOriginCheck())
			}
			rec, got := serveWith(t, e, r, opts...)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if c := cookieOutcome(t, rec); c != "untouched" {
				t.Errorf("cookie %s, want untouched", c)
			}
		})
	}
}

// TestCrossOriginPassThroughRoutes: an exempt route takes cross-site
// posts, but the session cookie never has a say in them: no session, no
// store read, every cookie write refused, no Set-Cookie.
func TestCrossOriginPassThroughRoutes(t *testing.T) {
	opts := []authrequest.Option{authrequest.WithCrossOriginPassThroughRoutes("POST /webhooks/{provider}", "/callbacks/pay")}
	for _, tc := range []struct {
		name, method, target, site string
		want                       string
	}{
		{"cross-site POST to a webhook", "POST", "/webhooks/stripe", "cross-site", "no session"},
		{"cross-site PUT to a POST-only exempt route", "PUT", "/webhooks/stripe", "cross-site", "403"},
		{"cross-site DELETE to an any-method exempt route", "DELETE", "/callbacks/pay", "cross-site", "no session"},
		{"same-origin POST to a webhook", "POST", "/webhooks/stripe", "same-origin", "session"},
		{"cross-site POST elsewhere", "POST", "/account/delete", "cross-site", "403"},
		{"cross-site POST to a path the mux would redirect", "POST", "/webhooks/../account/delete", "cross-site", "403"},
		{"cross-site POST below an exact route", "POST", "/callbacks/pay/more", "cross-site", "403"},
		{"cross-site GET", "GET", "/account", "cross-site", "session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			s := e.newSession(t)
			r := request(tc.method, "https://app.example"+tc.target, s.Token)
			r.Header.Set("Sec-Fetch-Site", tc.site)
			if tc.site == "cross-site" {
				r.Header.Set("Origin", "https://payments.example")
			}
			rec, got := serveWith(t, e, r, opts...)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if c := cookieOutcome(t, rec); c != "untouched" {
				t.Errorf("cookie %s, want untouched", c)
			}
			if _, ok := e.stored(t, s.ID); !ok {
				t.Error("the session was invalidated")
			}
		})
	}
	e := newEnv(t)
	for _, bad := range [][]string{{"GET /x", "GET /x"}, {"POST /a/{"}, {""}, {"webhooks"}} {
		if _, err := authrequest.Middleware(e.a, authrequest.WithCrossOriginPassThroughRoutes(bad...)); !errors.Is(err, authrequest.ErrInvalidOption) {
			t.Errorf("routes %q: %v, want ErrInvalidOption", bad, err)
		}
	}
}
