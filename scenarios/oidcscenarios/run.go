package oidcscenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// The provider users every case's provider has. Alice's email is
// verified, Eve's is not.
const (
	Alice = "alice"
	Eve   = "eve"
)

// The registration of the app at every case's provider.
const (
	ClientID     = "authkit-app"
	ClientSecret = "authkit-app-secret"
)

// Env is what a case's app is built on: a fake auth, a fake provider on a
// real listener sharing the fake's clock, and the app's registration.
type Env struct {
	Fake     *fakeauth.Fake
	Provider *fakeoidc.Provider
	// ClientID, ClientSecret and RedirectURL are the app's registration.
	ClientID, ClientSecret, RedirectURL string
	// HTTPClient is the client the app must call the provider with: its
	// one-second timeout is what the provider-timeout case outlasts.
	HTTPClient *http.Client
}

// A Target is the app under test: its handler, built on an [Env], and its
// routes.
type Target struct {
	// Handler returns the app's handler: its sign-in routes behind
	// authrequest.Middleware on env.Fake.Auth, configured with the
	// provider's issuer, the registration and HTTPClient of env, and
	// requiring a verified email. It is called once per case.
	Handler func(env *Env) (http.Handler, error)
	// StartPath starts a sign-in (GET); StartPath?link=1 links the
	// identity to the signed-in user. "/auth/oidc/start" when empty.
	StartPath string
	// CallbackPath is the redirect URL's path; "/auth/oidc/callback"
	// when empty.
	CallbackPath string
	// BaseURL is the app's scheme and host; "https://example.com" when
	// empty.
	BaseURL string
}

func (t Target) withDefaults() Target {
	if t.StartPath == "" {
		t.StartPath = "/auth/oidc/start"
	}
	if t.CallbackPath == "" {
		t.CallbackPath = "/auth/oidc/callback"
	}
	if t.BaseURL == "" {
		t.BaseURL = "https://example.com"
	}
	return t
}

// Result is what happened when a case ran.
type Result struct {
	Case Case
	// Failures lists each expectation that did not hold; an error that
	// kept the case from running is one too.
	Failures []string
	// Request is the callback's request line, codes and state redacted.
	Request string
	// Status is the callback's response status.
	Status int
	// SetCookies are the callback's Set-Cookie lines, values redacted.
	SetCookies []string
	// StoreCalls is the store's call log during the callback.
	StoreCalls []fakeauth.Call
	// ProviderCalls is the provider's call log of the whole case.
	ProviderCalls []fakeoidc.Call
}

// Passed reports whether every expectation held.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// Report returns the failure message: the case, what failed, the request
// line, the status, the Set-Cookie lines and both call logs.
func (r Result) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oidc scenario %q: %s\n", r.Case.name, r.Case.Describe())
	for _, f := range r.Failures {
		b.WriteString("  " + strings.ReplaceAll(strings.TrimRight(f, "\n"), "\n", "\n  ") + "\n")
	}
	fmt.Fprintf(&b, "  callback: %s\n  status: %d\n", r.Request, r.Status)
	if len(r.SetCookies) == 0 {
		b.WriteString("  Set-Cookie: (none)\n")
	}
	for _, l := range r.SetCookies {
		fmt.Fprintf(&b, "  Set-Cookie: %s\n", l)
	}
	calls := make([]string, len(r.StoreCalls))
	for i, c := range r.StoreCalls {
		calls[i] = c.String()
	}
	fmt.Fprintf(&b, "  store calls: %s\n", strings.Join(calls, "; "))
	for _, c := range r.ProviderCalls {
		fmt.Fprintf(&b, "  provider: %s\n", c)
	}
	return b.String()
}

// Run runs each case as a parallel subtest of t against the target.
func Run(t *testing.T, target Target, cases ...Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if r := Execute(context.Background(), target, c); !r.Passed() {
				t.Error(r.Report())
			}
		})
	}
}

// run is one case in progress.
type run struct {
	ctx     context.Context
	target  Target
	env     *Env
	srv     *httptest.Server
	h       http.Handler
	jar     *authtest.Jar
	base    *url.URL
	res     *Result
	cookie  string // the session cookie's name
	prior   *auth.Session
	bob     *auth.User
	flowURL *url.URL // the callback URL the provider sent
	flow    []*http.Cookie
}

func (r *run) failf(format string, args ...any) {
	r.res.Failures = append(r.res.Failures, fmt.Sprintf(format, args...))
}

// Execute runs one case on a fake auth and a fake provider of its own,
// and returns what happened.
func Execute(ctx context.Context, target Target, c Case) (res Result) {
	res.Case = c
	target = target.withDefaults()
	r := &run{ctx: ctx, target: target, res: &res}
	err := r.setup()
	if r.srv != nil {
		defer r.srv.Close() // the case is over: nothing calls the provider later
	}
	if err != nil {
		r.failf("setup: %v", err)
		return res
	}
	defer func() { res.ProviderCalls = r.env.Provider.Calls() }()
	if err := r.given(c); err != nil {
		r.failf("given: %v", err)
		return res
	}
	if err := r.startFlow(c.link); err != nil {
		r.failf("start: %v", err)
		return res
	}
	if c.when != nil {
		if err := c.when(r); err != nil {
			r.failf("when: %v", err)
			return res
		}
	}
	r.callbackAndCheck(c)
	return res
}

func (r *run) setup() error {
	f, err := fakeauth.New()
	if err != nil {
		return err
	}
	base, err := url.Parse(r.target.BaseURL)
	if err != nil {
		return err
	}
	r.base = base
	redirect := r.target.BaseURL + r.target.CallbackPath
	p, err := fakeoidc.New(
		fakeoidc.WithClock(f.Clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: Alice, Claims: map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}}),
		fakeoidc.WithUser(fakeoidc.User{Subject: Eve, Claims: map[string]any{"email": "eve@example.com", "email_verified": false, "name": "Eve"}}),
		fakeoidc.WithClient(fakeoidc.Client{ID: ClientID, Secret: ClientSecret, RedirectURIs: []string{redirect}}),
	)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(p)
	if err := p.SetIssuer(srv.URL); err != nil {
		srv.Close()
		return err
	}
	r.srv = srv
	r.env = &Env{Fake: f, Provider: p, ClientID: ClientID, ClientSecret: ClientSecret, RedirectURL: redirect,
		HTTPClient: &http.Client{Timeout: time.Second}}
	h, err := r.target.Handler(r.env)
	if err != nil {
		return err
	}
	r.h = h
	r.jar = authtest.NewJar(authtest.WithClock(f.Clock), authtest.WithCookieName(f.Auth.CookieName()))
	r.cookie = f.Auth.CookieName()
	return nil
}

func (r *run) given(c Case) error {
	f := r.env.Fake
	if err := r.env.Provider.SetLogin(c.login); err != nil {
		return err
	}
	if c.priorSignIn {
		// Alice signed in once before, in another browser: she is a
		// returning user and the app holds the provider's keys.
		other := &run{ctx: r.ctx, target: r.target, env: r.env, h: r.h, jar: authtest.NewJar(authtest.WithClock(f.Clock), authtest.WithCookieName(r.cookie)), base: r.base, res: &Result{}, cookie: r.cookie}
		if err := other.startFlow(false); err != nil {
			return fmt.Errorf("prior sign-in: %w", err)
		}
		rec := other.callback()
		if rec.Code/100 != 3 {
			return fmt.Errorf("prior sign-in: callback status %d: %s", rec.Code, strings.TrimSpace(rec.Body.String()))
		}
	}
	if c.rotate {
		if err := r.env.Provider.RotateKey(); err != nil {
			return err
		}
	}
	switch c.session {
	case signedIn:
		u, err := f.SeedUser(r.ctx, "bob", "bob's password")
		if err != nil {
			return err
		}
		r.bob = u
		if r.prior, err = f.SeedSession(r.ctx, u.ID, fakeauth.Active); err != nil {
			return err
		}
	case planted:
		u, err := f.SeedUser(r.ctx, "mallory", "mallory's password")
		if err != nil {
			return err
		}
		if r.prior, err = f.SeedSession(r.ctx, u.ID, fakeauth.Active); err != nil {
			return err
		}
	}
	if r.prior != nil {
		r.jar.SetCookies(r.base, []*http.Cookie{f.Auth.SessionCookie(r.prior)})
	}
	for _, ft := range c.faults {
		if err := r.env.Provider.FailNext(ft.ep, 1, ft.fault); err != nil {
			return err
		}
	}
	return nil
}

// noRedirect returns a client that shows redirects instead of following
// them, as the browser's view of the provider.
func noRedirect() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// startFlow requests the start route in the browser, follows it to the
// provider, and keeps the callback URL the provider redirects to.
func (r *run) startFlow(link bool) error {
	path := r.target.StartPath
	if link {
		path += "?link=1"
	}
	before := r.jar.All()
	req, err := authtest.NewRequest("GET", r.target.BaseURL+path).Request()
	if err != nil {
		return err
	}
	rec := r.jar.Serve(r.h, req)
	if rec.Code != http.StatusFound && rec.Code != http.StatusSeeOther {
		return fmt.Errorf("GET %s: status %d, want a redirect to the provider: %s", path, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	r.flow = nil
	for _, c := range r.jar.All() {
		if c.Name != r.cookie && !slices.ContainsFunc(before, func(b *http.Cookie) bool { return b.Name == c.Name && b.Value == c.Value }) {
			r.flow = append(r.flow, c)
		}
	}
	if len(r.flow) == 0 {
		return fmt.Errorf("GET %s set no flow cookie", path)
	}
	resp, err := noRedirect().Get(rec.Header().Get("Location"))
	if err != nil {
		return fmt.Errorf("provider: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("provider's authorization endpoint: status %d, want 302", resp.StatusCode)
	}
	if r.flowURL, err = url.Parse(resp.Header.Get("Location")); err != nil {
		return err
	}
	return nil
}

func (r *run) callback() *authtest.Recorder {
	req, err := authtest.NewRequest("GET", r.flowURL.String()).Request()
	if err != nil {
		rec := authtest.Serve(nil, nil)
		rec.Body.WriteString(err.Error())
		return rec
	}
	return r.jar.Serve(r.h, req)
}

// callbackAndCheck sends the callback and checks the outcome.
func (r *run) callbackAndCheck(c Case) {
	f := r.env.Fake
	f.Store.ClearCalls()
	rec := r.callback()
	res := r.res
	res.Status = rec.Code
	res.StoreCalls = f.Store.Calls()
	q := r.flowURL.Query()
	for _, k := range []string{"code", "state"} {
		if q.Has(k) {
			q.Set(k, "<"+k+">")
		}
	}
	u := *r.flowURL
	u.RawQuery = q.Encode()
	res.Request = "GET " + u.String()
	var sessionLines []string
	for _, l := range rec.Header().Values("Set-Cookie") {
		name, rest, _ := strings.Cut(l, "=")
		val, attrs, _ := strings.Cut(rest, ";")
		if val != "" {
			val = "<redacted>"
		}
		res.SetCookies = append(res.SetCookies, name+"="+val+";"+attrs)
		if name == r.cookie {
			sessionLines = append(sessionLines, l)
		}
	}
	created := f.Store.Count(fakeauth.OpCreateSession)
	// Single use: after the callback the browser holds no flow cookie.
	for _, fc := range r.flow {
		if got, ok := r.jar.Cookie(fc.Name); ok && got.Value != "" {
			r.failf("the flow cookie %q survived the callback", fc.Name)
		}
	}
	if !c.want.signedIn {
		if c.want.status != 0 && rec.Code != c.want.status {
			r.failf("status: want %d (%s), got %d: %s", c.want.status, c.want.why, rec.Code, snippet(rec.Body.String()))
		} else if rec.Code < 400 {
			r.failf("status: want a failure (%s), got %d", c.want.why, rec.Code)
		}
		if created != 0 {
			r.failf("a failed sign-in created %d session(s)", created)
		}
		if len(sessionLines) != 0 {
			r.failf("a failed sign-in touched the session cookie: %d Set-Cookie line(s)", len(sessionLines))
		}
		if r.prior != nil {
			if s, err := f.Auth.ValidateSession(r.ctx, r.prior.Token); err != nil || s.UserID != r.prior.UserID {
				r.failf("the session held before a failed sign-in is gone: %v", err)
			}
		}
		return
	}
	if rec.Code/100 != 3 {
		r.failf("status: want a redirect after signing in, got %d: %s", rec.Code, snippet(rec.Body.String()))
		return
	}
	if created != 1 {
		r.failf("sign-in created %d sessions, want 1", created)
	}
	ck, ok := r.jar.Cookie(r.cookie)
	if !ok || len(sessionLines) == 0 {
		r.failf("sign-in set no session cookie")
		return
	}
	s, err := f.Auth.ValidateSession(r.ctx, ck.Value)
	if err != nil {
		r.failf("the new session cookie names no session: %v", err)
		return
	}
	if r.prior != nil {
		if r.prior.Token == ck.Value {
			r.failf("sign-in kept the session the browser held before (session fixation)")
		}
		if _, err := f.Auth.ValidateSession(r.ctx, r.prior.Token); !errors.Is(err, auth.ErrInvalidSession) {
			r.failf("the session held before sign-in still works after it (want it invalidated): %v", err)
		}
	}
	keys, err := f.Auth.UserKeys(r.ctx, s.UserID)
	if err != nil {
		r.failf("user keys: %v", err)
		return
	}
	if !slices.ContainsFunc(keys, func(k *auth.Key) bool { return k.ProviderUserID == c.login }) {
		r.failf("the signed-in user %s has no key of provider user %q", s.UserID, c.login)
	}
	if c.link && (r.bob == nil || s.UserID != r.bob.ID) {
		r.failf("linking signed in user %s, want the linking user (bob)", s.UserID)
	}
}

func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
