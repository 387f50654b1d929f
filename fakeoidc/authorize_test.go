package fakeoidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/fakeoidc"
)

// TestPromptNone checks Core 3.1.2.1: with prompt=none the provider never
// shows a page. Signed in, it approves; signed out, it answers
// login_required (Core 3.1.2.6) with the state and iss, unless a
// login_hint names a user.
func TestPromptNone(t *testing.T) {
	e := newEnv(t)
	none := oauth2.SetAuthURLParam("prompt", "none")
	v := oauth2.GenerateVerifier()
	if cb := e.authorize(t, "s", "n", v, none); cb.Get("code") == "" {
		t.Errorf("prompt=none signed in: %v, want a code", cb)
	}
	if err := e.p.SetLogin(""); err != nil {
		t.Fatal(err)
	}
	cb := e.authorize(t, "s", "n", v, none)
	if cb.Get("error") != "login_required" || cb.Get("state") != "s" || cb.Get("iss") != e.p.Issuer() || cb.Get("code") != "" {
		t.Errorf("prompt=none signed out: %v, want error=login_required, the state and iss", cb)
	}
	if cb := e.authorize(t, "s", "n", v, none, oauth2.SetAuthURLParam("login_hint", "alice")); cb.Get("code") == "" {
		t.Errorf("prompt=none with a login_hint: %v, want a code", cb)
	}
	if cb := e.authorize(t, "s", "n", v, oauth2.SetAuthURLParam("prompt", "none login")); cb.Get("error") != "invalid_request" {
		t.Errorf("prompt=none login: %v, want invalid_request", cb)
	}
}

// TestPromptLoginRenewsAuthTime checks that the ID token's auth_time is
// when the user signed in at the provider (SetLogin), and that
// prompt=login makes them authenticate again (Core 3.1.2.1): auth_time
// becomes now, for that request and the next ones.
func TestPromptLoginRenewsAuthTime(t *testing.T) {
	e := newEnv(t)
	signedIn := e.clock.Now()
	e.clock.Advance(10 * time.Minute)
	if _, _, claims := e.signIn(t); !authTime(t, claims).Equal(signedIn) {
		t.Errorf("auth_time %v, want the sign-in at %v", authTime(t, claims), signedIn)
	}
	again := e.clock.Now()
	if _, _, claims := e.signIn(t, oauth2.SetAuthURLParam("prompt", "login")); !authTime(t, claims).Equal(again) {
		t.Errorf("prompt=login: auth_time %v, want now %v", authTime(t, claims), again)
	}
	e.clock.Advance(time.Minute)
	if _, _, claims := e.signIn(t); !authTime(t, claims).Equal(again) {
		t.Errorf("after prompt=login: auth_time %v, want the new authentication at %v", authTime(t, claims), again)
	}

	// Signed out, prompt=login shows the page, as without it.
	if err := e.p.SetLogin(""); err != nil {
		t.Fatal(err)
	}
	resp, err := noRedirect.Get(e.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "login")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("prompt=login signed out: %d, want the consent page", resp.StatusCode)
	}
}

// TestMaxAge checks Core 3.1.2.1: a session older than max_age
// authenticates again (auth_time becomes now), a younger one does not,
// and with prompt=none an old session answers login_required.
func TestMaxAge(t *testing.T) {
	e := newEnv(t)
	signedIn := e.clock.Now()
	e.clock.Advance(10 * time.Minute)
	maxAge := func(s string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam("max_age", s) }
	if _, _, claims := e.signIn(t, maxAge("3600")); !authTime(t, claims).Equal(signedIn) {
		t.Errorf("max_age=3600 ten minutes after sign-in: auth_time %v, want %v", authTime(t, claims), signedIn)
	}
	cb := e.authorize(t, "s", "n", oauth2.GenerateVerifier(), maxAge("60"), oauth2.SetAuthURLParam("prompt", "none"))
	if cb.Get("error") != "login_required" || cb.Get("iss") != e.p.Issuer() {
		t.Errorf("max_age=60 and prompt=none ten minutes after sign-in: %v, want login_required", cb)
	}
	now := e.clock.Now()
	if _, _, claims := e.signIn(t, maxAge("60")); !authTime(t, claims).Equal(now) {
		t.Errorf("max_age=60 ten minutes after sign-in: auth_time %v, want now %v", authTime(t, claims), now)
	}
	e.clock.Advance(30 * time.Second)
	if _, _, claims := e.signIn(t, maxAge("60")); !authTime(t, claims).Equal(now) {
		t.Errorf("max_age=60 thirty seconds after authenticating: auth_time %v, want %v", authTime(t, claims), now)
	}
	if cb := e.authorize(t, "s", "n", oauth2.GenerateVerifier(), maxAge("-1")); cb.Get("error") != "invalid_request" {
		t.Errorf("max_age=-1: %v, want invalid_request", cb)
	}
}

// TestAuthorizationResponseCarriesIssuer checks RFC 9207: iss on success
// and on every error redirect, and its flag in discovery.
func TestAuthorizationResponseCarriesIssuer(t *testing.T) {
	e := newEnv(t)
	var meta map[string]any
	if err := e.op.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if meta["authorization_response_iss_parameter_supported"] != true {
		t.Errorf("discovery: authorization_response_iss_parameter_supported %v, want true", meta["authorization_response_iss_parameter_supported"])
	}
	v := oauth2.GenerateVerifier()
	if cb := e.authorize(t, "s", "n", v); cb.Get("code") == "" || cb.Get("iss") != e.p.Issuer() {
		t.Errorf("success: %v, want a code and iss=%s", cb, e.p.Issuer())
	}
	if err := e.p.FailNext(fakeoidc.Authorize, 1, fakeoidc.OAuthError("temporarily_unavailable")); err != nil {
		t.Fatal(err)
	}
	if cb := e.authorize(t, "s", "n", v); cb.Get("error") != "temporarily_unavailable" || cb.Get("iss") != e.p.Issuer() {
		t.Errorf("injected error: %v, want iss=%s", cb, e.p.Issuer())
	}
	if cb := e.authorize(t, "s", "n", v, oauth2.SetAuthURLParam("response_type", "token")); cb.Get("error") != "unsupported_response_type" || cb.Get("iss") != e.p.Issuer() {
		t.Errorf("unsupported response type: %v, want iss=%s", cb, e.p.Issuer())
	}
}

// TestAuthorizeByPost checks Core 3.1.2.1: an authorization request sent
// by POST is answered as the same request sent by GET, approved as the
// signed-in user or the login_hint's.
func TestAuthorizeByPost(t *testing.T) {
	e := newEnv(t, fakeoidc.WithUser(fakeoidc.User{Subject: "bob", Claims: map[string]any{"email": "bob@example.com"}}))
	post := func(v string, opts ...oauth2.AuthCodeOption) url.Values {
		t.Helper()
		opts = append(opts, oauth2.S256ChallengeOption(v))
		u, err := url.Parse(e.conf.AuthCodeURL("s", opts...))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := noRedirect.PostForm(e.p.URL(fakeoidc.Authorize), u.Query())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), redirectURI+"?") {
			t.Fatalf("POST authorize: %d to %q, want a redirect to the client", resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc.Query()
	}
	for _, tc := range []struct {
		name, login, hint, want string
	}{
		{"signed in", "alice", "", "alice"},
		{"login_hint over the session", "alice", "bob", "bob"},
		{"login_hint signed out", "", "bob", "bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.p.SetLogin(tc.login); err != nil {
				t.Fatal(err)
			}
			var opts []oauth2.AuthCodeOption
			if tc.hint != "" {
				opts = append(opts, oauth2.SetAuthURLParam("login_hint", tc.hint))
			}
			v := oauth2.GenerateVerifier()
			cb := post(v, opts...)
			if cb.Get("state") != "s" || cb.Get("code") == "" {
				t.Fatalf("callback %v, want a code and the state", cb)
			}
			if _, idt, _ := e.exchange(t, cb.Get("code"), v); idt.Subject != tc.want {
				t.Errorf("signed in as %q, want %q", idt.Subject, tc.want)
			}
		})
	}
}
