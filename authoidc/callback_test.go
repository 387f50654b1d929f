package authoidc_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestFlowCookieAttributes(t *testing.T) {
	r := newRig(t)
	start := r.get("/auth/oidc/start?return_to=/settings")
	var flow *http.Cookie
	for _, c := range start.Result().Cookies() {
		if c.Name == "__Host-authkit-oidc" {
			flow = c
		}
	}
	if flow == nil || !flow.HttpOnly || !flow.Secure || flow.SameSite != http.SameSiteLaxMode || flow.Path != "/" || flow.Domain != "" || flow.MaxAge != 600 {
		t.Fatalf("flow cookie %+v: want __Host-, HttpOnly, Secure, Lax, Path /, no Domain, 10 minutes", flow)
	}
	loc, _ := url.Parse(start.Header().Get("Location"))
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" || strings.Contains(flow.Value, q.Get("state")) {
		t.Errorf("authorize URL %v: want S256, a nonce and a state that the sealed cookie does not show", q)
	}
	done := r.get(r.toProvider(start))
	if done.Code != http.StatusSeeOther || done.Header().Get("Location") != "/settings" {
		t.Errorf("callback: %d to %q, want 303 to /settings", done.Code, done.Header().Get("Location"))
	}
}

// TestStoreFailureIsNotASignOut: a store failure while finding the user
// answers 503, creates no session and keeps the browser's.
func TestStoreFailureIsNotASignOut(t *testing.T) {
	for _, op := range []fakeauth.Op{fakeauth.OpGetKey, fakeauth.OpCreateUser, fakeauth.OpCreateSession} {
		t.Run(string(op), func(t *testing.T) {
			r := newRig(t)
			ctx := t.Context()
			_, s, err := r.f.SeedUserSession(ctx, fakeauth.Active)
			if err != nil {
				t.Fatal(err)
			}
			r.jar.SetCookies(&url.URL{Scheme: "https", Host: "example.com"}, []*http.Cookie{r.f.Auth.SessionCookie(s)})
			cb := r.toProvider(r.get("/auth/oidc/start"))
			r.f.Store.FailNext(op, 1, errors.New("disk on fire"))
			rec := r.get(cb)
			if rec.Code != http.StatusServiceUnavailable || !errors.Is(r.err, auth.ErrStore) {
				t.Fatalf("%d, %v: want 503 and auth.ErrStore", rec.Code, r.err)
			}
			authtest.AssertSession(t, rec, authtest.Untouched)
			if _, err := r.f.Auth.ValidateSession(ctx, s.Token); err != nil {
				t.Errorf("the session is gone after a store failure: %v", err)
			}
		})
	}
}

func TestStartFailures(t *testing.T) {
	r := newRig(t)
	rec := r.jar.Serve(r.h, authtest.BuildRequest("POST", "/auth/oidc/start").WithForm(url.Values{"link": {"1"}}).SameOrigin().Build(t))
	if rec.Code != http.StatusUnauthorized || !errors.Is(r.err, authoidc.ErrNotSignedIn) || len(rec.Result().Cookies()) != 0 {
		t.Errorf("link without a session: %d %v, cookies %v", rec.Code, r.err, rec.Result().Cookies())
	}
	rec = r.jar.Serve(r.h, authtest.BuildRequest("POST", "/auth/oidc/start").CrossSite("https://evil.example").Build(t))
	if rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site POST start: %d, want 403", rec.Code)
	}

	// Discovery fails: 502 and no flow cookie; it is retried next time.
	r = newRig(t)
	if err := r.p.FailNext(fakeoidc.Discovery, 1, fakeoidc.ServerError(500)); err != nil {
		t.Fatal(err)
	}
	rec = r.get("/auth/oidc/start")
	if rec.Code != http.StatusBadGateway || !errors.Is(r.err, authoidc.ErrProviderUnavailable) || len(rec.Result().Cookies()) != 0 {
		t.Errorf("discovery down: %d %v, cookies %v", rec.Code, r.err, rec.Result().Cookies())
	}
	if rec = r.get("/auth/oidc/start"); rec.Code != http.StatusFound {
		t.Errorf("after discovery recovers: %d, want 302", rec.Code)
	}
}

func TestCallbackClearsFlowCookieEvenWithoutOne(t *testing.T) {
	r := newRig(t)
	rec := r.get("/auth/oidc/callback?code=x&state=y")
	if rec.Code != http.StatusBadRequest || !errors.Is(r.err, authoidc.ErrNoFlow) {
		t.Fatalf("%d %v, want 400 ErrNoFlow", rec.Code, r.err)
	}
	if lines := rec.Header().Values("Set-Cookie"); len(lines) != 1 || !strings.HasPrefix(lines[0], "__Host-authkit-oidc=;") {
		t.Errorf("Set-Cookie %q: want the flow cookie cleared", lines)
	}
	if strings.Contains(rec.Body.String(), "authoidc:") {
		t.Errorf("the error page shows the error's details: %s", rec.Body)
	}
}

// TestKeySetCachedAndRefetchedOnRotation: the JWKS is read once for many
// sign-ins, and again when the provider signs with a new key.
func TestKeySetCachedAndRefetchedOnRotation(t *testing.T) {
	r := newRig(t)
	jwks := func() int {
		n := 0
		for _, c := range r.p.Calls() {
			if c.Endpoint == fakeoidc.JWKS {
				n++
			}
		}
		return n
	}
	signIn := func() {
		t.Helper()
		if rec := r.get(r.toProvider(r.get("/auth/oidc/start"))); rec.Code != http.StatusSeeOther {
			t.Fatalf("sign-in: %d %v", rec.Code, r.err)
		}
	}
	signIn()
	signIn()
	if n := jwks(); n != 1 {
		t.Errorf("two sign-ins read the JWKS %d times, want once", n)
	}
	if err := r.p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	signIn()
	if n := jwks(); n != 2 {
		t.Errorf("after a rotation the JWKS was read %d times in all, want 2", n)
	}
}
