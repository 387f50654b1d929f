package authoidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// TestLinkStartsOnlyFromSameOriginPost: a top-level cross-site GET carries
// the Lax session cookie, so linking started by one would let another
// site link its provider identity to the victim's account.
func TestLinkStartsOnlyFromSameOriginPost(t *testing.T) {
	r := newRig(t)
	_, s, err := r.f.SeedUserSession(t.Context(), fakeauth.Active)
	if err != nil {
		t.Fatal(err)
	}
	r.jar.SetSession(r.f, s)
	flowSet := func(rec *authtest.Recorder) bool {
		for _, c := range rec.Result().Cookies() {
			if c.Name == r.c.FlowCookieName() && c.Value != "" {
				return true
			}
		}
		return false
	}
	for name, req := range map[string]*http.Request{
		"GET ?link=1":            authtest.BuildRequest("GET", "/auth/oidc/start?link=1").CrossSite("https://evil.example").Build(t),
		"GET ?link=1, no Origin": authtest.BuildRequest("GET", "/auth/oidc/start?link=1").Build(t),
		"cross-site POST":        authtest.BuildRequest("POST", "/auth/oidc/start").WithForm(url.Values{"link": {"1"}}).CrossSite("https://evil.example").Build(t),
	} {
		r.err = nil
		rec := r.jar.Serve(r.h, req)
		// The middleware answers a cross-site POST itself, before Start
		// (and its error handler) runs.
		if rec.Code != http.StatusForbidden || r.err != nil && !errors.Is(r.err, authrequest.ErrCrossOrigin) || flowSet(rec) {
			t.Errorf("%s: %d %v (flow cookie set: %v), want 403 ErrCrossOrigin and no flow", name, rec.Code, r.err, flowSet(rec))
		}
	}
	rec := r.jar.Serve(r.h, authtest.BuildRequest("POST", "/auth/oidc/start").WithForm(url.Values{"link": {"1"}}).SameOrigin().Build(t))
	if rec.Code != http.StatusSeeOther || !flowSet(rec) {
		t.Fatalf("same-origin POST: %d, want 303 to the provider with a flow cookie", rec.Code)
	}
}

// TestReturnToFollowsSafeReturnPath: return_to passes the same rule as
// the middleware's next parameter (authrequest.SafeReturnPath); anything
// else goes to AfterSignIn, and the flow cookie stays small enough for
// every browser (RFC 6265bis §5.6: 4096 bytes for name and value).
func TestReturnToFollowsSafeReturnPath(t *testing.T) {
	hostile := []string{
		"//evil.example/", "https://evil.example/", "/\\evil.example", "evil",
		"/%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example",
		"/a/../..//evil.example", "/./evil", "/a/%2e%2e/b",
		"/\vevil.example", "/\x7fevil", "/x%0d%0aSet-Cookie:%20a=b", "/x\r\nLocation: //evil",
		"/" + strings.Repeat("a", 6000),
	}
	for _, rt := range hostile {
		r := newRig(t)
		start := r.get("/auth/oidc/start?return_to=" + url.QueryEscape(rt))
		for _, c := range start.Result().Cookies() {
			if len(c.Name)+len(c.Value) > 4096 {
				t.Errorf("return_to of %d bytes: a flow cookie of %d bytes, which browsers drop", len(rt), len(c.Name)+len(c.Value))
			}
		}
		done := r.get(r.toProvider(start))
		if got := done.Header().Get("Location"); got != "/" {
			t.Errorf("return_to=%q: redirected to %q, want /", rt, got)
		}
	}
	r := newRig(t)
	done := r.get(r.toProvider(r.get("/auth/oidc/start?return_to=" + url.QueryEscape("/settings/profile?tab=keys"))))
	if got := done.Header().Get("Location"); got != "/settings/profile?tab=keys" {
		t.Errorf("a safe return_to: redirected to %q", got)
	}
}

// TestIssuerParameterChecked: RFC 9207 §2.4, the iss of an authorization
// response must be the provider's, success or error.
func TestIssuerParameterChecked(t *testing.T) {
	for _, tc := range []struct{ name, iss string }{
		{"another issuer", "https://attacker.example"},
		{"the issuer with a trailing slash", "<issuer>/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			cb, _ := url.Parse(r.toProvider(r.get("/auth/oidc/start")))
			q := cb.Query()
			q.Set("iss", strings.ReplaceAll(tc.iss, "<issuer>", r.p.Issuer()))
			cb.RawQuery = q.Encode()
			rec := r.get(cb.String())
			if rec.Code != http.StatusBadRequest || !errors.Is(r.err, authoidc.ErrIssuerMismatch) {
				t.Errorf("%d %v, want 400 ErrIssuerMismatch", rec.Code, r.err)
			}
			authtest.AssertSession(t, rec, authtest.Untouched)
		})
	}
}

// TestUserInfoSubjectMustMatch: OpenID Connect Core §5.3.2, a userinfo
// answer about another subject must not be used.
func TestUserInfoSubjectMustMatch(t *testing.T) {
	f := fakeauth.NewT(t)
	p, err := fakeoidc.New(fakeoidc.WithClock(f.Clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true}}),
		fakeoidc.WithClient(fakeoidc.Client{ID: "app", Secret: "s", RedirectURIs: []string{redirect}}))
	if err != nil {
		t.Fatal(err)
	}
	// The provider puts no claims in the ID token and answers userinfo
	// about mallory.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !strings.HasSuffix(req.URL.Path, "/userinfo") {
			p.ServeHTTP(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"sub": "mallory", "email": "alice@example.com", "email_verified": true})
	}))
	t.Cleanup(srv.Close)
	if err := p.SetIssuer(srv.URL); err != nil {
		t.Fatal(err)
	}
	if err := p.SetLogin("alice"); err != nil {
		t.Fatal(err)
	}
	var got error
	c := newClient(t, f.Auth, authoidc.Config{Issuer: p.Issuer(), ClientID: "app", ClientSecret: "s", RedirectURL: redirect,
		UserAttributes: func(cl authoidc.Claims) map[string]any { return map[string]any{"email": cl.Email} },
		OnError: func(w http.ResponseWriter, req *http.Request, err error) {
			got = err
			authoidc.DefaultErrorHandler(w, req, err)
		}})
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/oidc/start", c.Start)
	mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
	h := authrequest.MustMiddleware(f.Auth)(mux)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	start := jar.Serve(h, authtest.BuildRequest("GET", "/auth/oidc/start").Build(t))
	resp, err := noFollow.Get(start.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec := jar.Serve(h, authtest.BuildRequest("GET", resp.Header.Get("Location")).Build(t))
	claimsInIDToken := got == nil && rec.Code == http.StatusSeeOther
	if claimsInIDToken {
		t.Skip("this fakeoidc puts the claims in the ID token: userinfo is not read")
	}
	if rec.Code != http.StatusBadGateway || !errors.Is(got, authoidc.ErrUserInfo) {
		t.Fatalf("%d %v, want 502 ErrUserInfo", rec.Code, got)
	}
	if n := f.Store.Count(fakeauth.OpCreateSession); n != 0 {
		t.Errorf("%d sessions created", n)
	}
}

// TestAppFailuresLoggedWithCause: a failure that is the app's (its
// resolver) is a 500 logged at Error with its cause through the Auth's
// logger; the person sees no detail.
func TestAppFailuresLoggedWithCause(t *testing.T) {
	var buf bytes.Buffer
	f := fakeauth.NewT(t, fakeauth.WithConfig(auth.Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}))
	r := newRigOn(t, f, func(c *authoidc.Config) {
		c.ResolveUser = func(context.Context, authoidc.Identity) (string, error) {
			return "", errors.New("users table: connection refused")
		}
	})
	rec := r.get(r.toProvider(r.get("/auth/oidc/start")))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "connection refused") {
		t.Fatalf("%d %s: want a 500 that shows no detail", rec.Code, rec.Body)
	}
	var logged bool
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == "ERROR" && strings.Contains(rec["error"].(string), "users table: connection refused") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no Error record with the cause; the log:\n%s", buf.String())
	}
}

// TestLogoutEndsBothSessions: OpenID Connect RP-Initiated Logout 1.0 §2,
// the app's session ends and the browser goes to the provider's end
// session endpoint with the kept ID token as hint, which ends the
// provider's session.
func TestLogoutEndsBothSessions(t *testing.T) {
	const after = "https://example.com/signed-out"
	r := newRig(t, func(c *authoidc.Config) { c.KeepIDToken, c.PostLogoutRedirectURL = true, after })
	if err := r.p.AddClient(fakeoidc.Client{ID: "app", Secret: "s", RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{after}}); err != nil {
		t.Fatal(err)
	}
	if rec := r.get(r.toProvider(r.get("/auth/oidc/start"))); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %v", rec.Code, r.err)
	}
	ck, _ := r.jar.Cookie(r.f.Auth.CookieName())

	for name, req := range map[string]*http.Request{
		"GET":             authtest.BuildRequest("GET", "/auth/oidc/logout").Build(t),
		"cross-site POST": authtest.BuildRequest("POST", "/auth/oidc/logout").CrossSite("https://evil.example").Build(t),
	} {
		rec := r.jar.Serve(r.h, req)
		if rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 405 or 403", name, rec.Code)
		}
		authtest.AssertSession(t, rec, authtest.Untouched)
	}
	if _, err := r.f.Auth.ValidateSession(t.Context(), ck.Value); err != nil {
		t.Fatalf("a refused logout ended the session: %v", err)
	}

	rec := r.jar.Serve(r.h, authtest.BuildRequest("POST", "/auth/oidc/logout").SameOrigin().Build(t))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	authtest.AssertSession(t, rec, authtest.Cleared)
	if _, err := r.f.Auth.ValidateSession(t.Context(), ck.Value); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("the app's session after logout: %v, want ErrInvalidSession", err)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if loc.String() == "" || !strings.HasPrefix(loc.String(), r.p.URL(fakeoidc.EndSession)) || q.Get("client_id") != "app" || q.Get("post_logout_redirect_uri") != after || q.Get("id_token_hint") == "" {
		t.Fatalf("logout redirects to %s: want the end session endpoint with client_id, post_logout_redirect_uri and id_token_hint", loc)
	}
	resp, err := noFollow.Get(loc.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != after {
		t.Errorf("the provider's end session: %d to %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), after)
	}
	var ended bool
	for _, c := range r.p.Calls() {
		ended = ended || c.Endpoint == fakeoidc.EndSession && c.Status == http.StatusFound
	}
	if !ended {
		t.Error("the provider saw no end session")
	}
}

// TestIDTokenOverAttributeLimitNotKept: with KeepIDToken, an ID token
// larger than the Auth's attribute limit still signs in; it is not kept,
// and Logout sends no hint.
func TestIDTokenOverAttributeLimitNotKept(t *testing.T) {
	f := fakeauth.NewT(t, fakeauth.WithConfig(auth.Config{MaxSessionAttributesSize: 64}))
	r := newRigOn(t, f, func(c *authoidc.Config) { c.KeepIDToken = true })
	if rec := r.get(r.toProvider(r.get("/auth/oidc/start"))); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %v", rec.Code, r.err)
	}
	rec := r.jar.Serve(r.h, authtest.BuildRequest("POST", "/auth/oidc/logout").SameOrigin().Build(t))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || loc.Query().Has("id_token_hint") {
		t.Errorf("logout: %d to %s, want 303 without id_token_hint", rec.Code, loc)
	}
}
