package playground_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

// signInWithProvider goes from the button to the provider's consent page,
// picks the user there, and returns the callback's response.
func (b *browser) signInWithProvider(subject string) *authtest.Recorder {
	b.t.Helper()
	rec := b.getOne(playground.OIDCStartPath)
	if rec.Code != http.StatusFound {
		b.t.Fatalf("start: %d %s", rec.Code, rec.Body)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil || loc.Host != "127.0.0.1:8080" || loc.Path != playground.OIDCIssuerPath+"/authorize" {
		b.t.Fatalf("start redirected to %q, want the provider on the playground", rec.Header().Get("Location"))
	}
	page := b.getOne(loc.RequestURI())
	html := authtest.ParseHTML(b.t, page.Body.String())
	if !html.Has(`#consent button[value="` + subject + `"]`) {
		b.t.Fatalf("the consent page offers no %q:\n%s", subject, page.Body)
	}
	form := html.Form("#consent").Fields // the page's own form, submitted with the user's button
	form.Set("login", subject)
	rec = b.jar.Serve(b.srv, authtest.BuildRequest("POST", base+playground.OIDCIssuerPath+"/authorize").WithForm(form).SameOrigin().Build(b.t))
	if rec.Code != http.StatusFound {
		b.t.Fatalf("consent: %d %s", rec.Code, rec.Body)
	}
	cb, _ := url.Parse(rec.Header().Get("Location"))
	return b.getOne(cb.RequestURI())
}

func TestSignInWithFakeProvider(t *testing.T) {
	srv := newServer(t)
	b := newBrowser(t, srv, "ada")
	home := b.page("/", http.StatusOK)
	if got := home.Attr("#oidc-signin-link", "href"); got != playground.OIDCStartPath {
		t.Fatalf("the sign-in button links to %q", got)
	}
	if home.Has("#oidc-link-form") {
		t.Error("a signed-out page offers to link the provider")
	}
	rec := b.signInWithProvider("alice")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("callback: %d %s", rec.Code, rec.Body)
	}
	authtest.AssertSession(t, rec, authtest.Set)
	home = b.page("/", http.StatusOK)
	home.AssertText("#username", "alice@example.com")
	// Signed in, the page still offers the provider: to sign in again, and
	// to link it, by a same-origin POST of link=1 (authoidc links from
	// nothing else).
	if got := home.Attr("#oidc-signin-link", "href"); got != playground.OIDCStartPath {
		t.Errorf("signed in, the sign-in link goes to %q", got)
	}
	if f := home.Form("#oidc-link-form"); f.Method != http.MethodPost || f.Action != playground.OIDCStartPath || f.Fields.Get("link") != "1" {
		t.Errorf("link form %+v, want POST %s with link=1", f, playground.OIDCStartPath)
	}
	home.AssertText("#keys .key", "fake provider: alice (oidc:http://127.0.0.1:8080/oidc)")

	// The provider's faults sit beside the store's: a token endpoint
	// failure is a clear error, and the session is kept.
	before, _ := b.jar.Cookie(srv.Fake().Auth.CookieName())
	arm := b.jar.Serve(srv, authtest.BuildRequest("POST", base+playground.OIDCFaultsPath).
		WithJSON(map[string]any{"endpoint": "token", "fault": "server-error:503"}).Build(t))
	if arm.Code != http.StatusOK || !strings.Contains(arm.Body.String(), `"fault":"server-error:503"`) {
		t.Fatalf("arming a provider fault: %d %s", arm.Code, arm.Body)
	}
	if !b.page("/", http.StatusOK).Has("#oidc-pending-faults li.oidc-fault") {
		t.Error("the page does not list the pending provider fault")
	}
	rec = b.signInWithProvider("alice")
	b.wantSignInFailed(rec, "oidc-unavailable")
	authtest.AssertSession(t, rec, authtest.Untouched)
	home = b.page("/", http.StatusOK)
	if got := home.Text("#notice.error"); !strings.HasPrefix(got, "Sign-in with the fake provider failed: the provider is unavailable (status 502).") {
		t.Errorf("after the failed sign-in the home page says %q", got)
	}
	home.AssertText("#username", "alice@example.com")
	if after, _ := b.jar.Cookie(srv.Fake().Auth.CookieName()); after.Value != before.Value {
		t.Error("a failed sign-in changed the session cookie")
	}
	if got := len(srv.Fake().Store.Calls()); got == 0 {
		t.Error("no store calls logged")
	}

	// An unverified email is refused.
	eve := newBrowser(t, srv, "eve")
	eve.wantSignInFailed(eve.signInWithProvider("eve"), "oidc-email")
}

// wantSignInFailed checks the answer of a failed sign-in with the
// provider: a redirect (303) home, whose notice names the failure.
func (b *browser) wantSignInFailed(rec *authtest.Recorder, notice string) {
	b.t.Helper()
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		b.t.Fatalf("failed sign-in: %d to %q, want 303 to /\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if got := noticeOf(rec); got != notice {
		b.t.Errorf("failed sign-in: notice %q, want %q", got, notice)
	}
}

// TestProviderOnPlaygroundClock moves the playground clock past the
// provider's code lifetime between consent and callback: one time machine
// drives both, so the code has expired.
func TestProviderOnPlaygroundClock(t *testing.T) {
	srv := newServer(t)
	b := newBrowser(t, srv, "ada")
	rec := b.getOne(playground.OIDCStartPath)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	form := authtest.ParseHTML(t, b.getOne(loc.RequestURI()).Body.String()).Form("#consent").Fields
	form.Set("login", "alice")
	rec = b.jar.Serve(srv, authtest.BuildRequest("POST", base+playground.OIDCIssuerPath+"/authorize").WithForm(form).SameOrigin().Build(t))
	cb, _ := url.Parse(rec.Header().Get("Location"))
	srv.Fake().Clock.Advance(2 * time.Minute)
	b.wantSignInFailed(b.getOne(cb.RequestURI()), "oidc-exchange")
}

func TestProviderFaultsAPI(t *testing.T) {
	srv := newServer(t)
	do := func(method string, body any) *authtest.Recorder {
		b := authtest.BuildRequest(method, base+playground.OIDCFaultsPath)
		if body != nil {
			b = b.WithJSON(body)
		}
		return authtest.Serve(srv, b.Build(t))
	}
	for _, tc := range []struct {
		body any
		want int
	}{
		{map[string]any{"endpoint": "token", "fault": "server-error:503", "count": 2}, 200},
		{map[string]any{"endpoint": "userinfo", "fault": "wrong-audience"}, 400}, // an ID token fault elsewhere
		{map[string]any{"endpoint": "nope", "fault": "malformed-body"}, 400},
		{map[string]any{"endpoint": "token", "fault": "nope"}, 400},
		{map[string]any{"endpoint": "token", "fault": "malformed-body", "count": 1001}, 400},
		{map[string]any{"endpoint": "token", "bogus": 1}, 400},
	} {
		if rec := do("POST", tc.body); rec.Code != tc.want {
			t.Errorf("POST %v: %d, want %d: %s", tc.body, rec.Code, tc.want, rec.Body)
		}
	}
	form := authtest.BuildRequest("POST", base+playground.OIDCFaultsPath).WithForm(url.Values{"endpoint": {"token"}}).Build(t)
	if rec := authtest.Serve(srv, form); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a form post to the JSON route: %d, want 415", rec.Code)
	}
	if rec := do("GET", nil); !strings.Contains(rec.Body.String(), `{"endpoint":"token","fault":"server-error:503","count":2}`) {
		t.Errorf("GET: %s", rec.Body)
	}
	if rec := authtest.Serve(srv, authtest.BuildRequest("POST", base+"/_play/reset").WithJSON(map[string]any{}).Build(t)); rec.Code != 200 {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	if rec := do("GET", nil); strings.TrimSpace(rec.Body.String()) != `{"faults":[]}` {
		t.Errorf("after a reset: %s", rec.Body)
	}
	do("POST", map[string]any{"endpoint": "authorize", "fault": "oauth-error:access_denied"})
	if rec := authtest.Serve(srv, authtest.BuildRequest("DELETE", base+playground.OIDCFaultsPath).Build(t)); strings.TrimSpace(rec.Body.String()) != `{"faults":[]}` {
		t.Errorf("DELETE: %d %s", rec.Code, rec.Body)
	}
	cross := authtest.BuildRequest("POST", base+playground.OIDCFaultsPath).WithJSON(map[string]any{"endpoint": "token", "fault": "malformed-body"}).CrossSite("https://evil.example").Build(t)
	if rec := authtest.Serve(srv, cross); rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site POST: %d, want 403", rec.Code)
	}
}

// getOne sends one GET and does not follow its redirect: the sign-in
// flow's hops go to the provider and back, each checked on its own.
func (b *browser) getOne(path string) *authtest.Recorder {
	b.t.Helper()
	return b.jar.Serve(b.srv, authtest.BuildRequest("GET", base+path).Build(b.t))
}
