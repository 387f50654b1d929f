package oidcscenarios

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
	"github.com/authkit-dev/authkit/scenarios/internal/outcome"
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

// Env is what a case's app is built on: a fake auth, a provider sharing
// the fake's clock, and the app's registration.
type Env struct {
	Fake *fakeauth.Fake
	// Provider is the case's provider: a fakeoidc.Provider of its own
	// unless [Target.NewProvider] says otherwise.
	Provider Provider
	// ClientID, ClientSecret and RedirectURL are the app's registration.
	ClientID, ClientSecret, RedirectURL string
	// HTTPClient is the client the app must call the provider with (with
	// the fake, its one-second timeout is what the provider-timeout case
	// outlasts).
	HTTPClient *http.Client
	// App is whatever the Target's Handler keeps for its SeedUser and
	// UserOf, such as the app's own users table; the runner never reads
	// it.
	App any
}

// A Target is the app under test: its handler, built on an [Env], and its
// routes.
type Target struct {
	// Handler returns the app's handler: its sign-in routes behind
	// authrequest.Middleware on env.Fake.Auth, configured with the
	// provider's issuer, the registration and HTTPClient of env, and
	// requiring a verified email. It is called once per case.
	Handler func(env *Env) (http.Handler, error)
	// StartPath starts a sign-in (GET); a same-origin POST of link=1 to
	// it links the identity to the signed-in user. "/auth/oidc/start"
	// when empty.
	StartPath string
	// CallbackPath is the redirect URL's path; "/auth/oidc/callback"
	// when empty.
	CallbackPath string
	// BaseURL is the app's scheme and host; "https://example.com" when
	// empty.
	BaseURL string

	// NewFake returns the fake auth of one case; fakeauth.New() when nil.
	// An app with its own users table returns a fake on a sessions-only
	// store (fakeauth.WithAppUsers, or WithStore of a real one), a new one
	// for each case.
	NewFake func() (*fakeauth.Fake, error)
	// SeedUser creates a password user of the app (the cases' bob and
	// mallory) and returns its ID; fakeauth's SeedUser when nil.
	SeedUser func(ctx context.Context, env *Env, name string) (userID string, err error)
	// UserOf returns the ID of the app's user that the provider user with
	// this subject signs in as, "" when there is none; when nil, the user
	// holding the key ("oidc:" + issuer, subject) in the Auth's user store
	// (authoidc's default provider ID).
	UserOf func(ctx context.Context, env *Env, subject string) (userID string, err error)

	// NewProvider starts the provider of one case on clock, with [Users]
	// and the app registered at redirectURL; close is called when the case
	// ends. [FakeProvider] when nil. A provider shared by several cases
	// must be run one case at a time ([Execute] in a loop, not [Run]).
	NewProvider func(clock auth.Clock, redirectURL string) (p Provider, close func(), err error)
}

func (t Target) withDefaults() Target {
	t.StartPath = cmp.Or(t.StartPath, "/auth/oidc/start")
	t.CallbackPath = cmp.Or(t.CallbackPath, "/auth/oidc/callback")
	t.BaseURL = cmp.Or(t.BaseURL, "https://example.com")
	return t
}

// Result is what happened when a case ran.
type Result struct {
	Case Case
	// NotExpressible says why the case could not run against its
	// provider (a fault only a fake can inject); Failures is then empty
	// and there is no verdict.
	NotExpressible string
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

// Passed reports whether every expectation held. A case that its
// provider cannot express has not passed.
func (r Result) Passed() bool { return len(r.Failures) == 0 && r.NotExpressible == "" }

// Verdict returns the outcome in a few words: "signed in", "refused 400",
// or "not expressible" (with [Result.NotExpressible]'s reason), and
// "FAILED: ..." when an expectation did not hold. Two runs of a case
// against two providers agree when their verdicts are equal.
func (r Result) Verdict() string {
	ok := fmt.Sprintf("refused %d", r.Status)
	if r.Case.want.signedIn {
		ok = "signed in"
	}
	return outcome.Verdict(r.NotExpressible, r.Failures, ok)
}

// Report returns the failure message: the case, why it can't be
// expressed or what failed, the request line, the status, the Set-Cookie
// lines and both call logs.
func (r Result) Report() string {
	details := []string{"callback: " + r.Request, fmt.Sprintf("status: %d", r.Status)}
	if len(r.SetCookies) == 0 {
		details = append(details, "Set-Cookie: (none)")
	}
	for _, l := range r.SetCookies {
		details = append(details, "Set-Cookie: "+l)
	}
	calls := make([]string, len(r.StoreCalls))
	for i, c := range r.StoreCalls {
		calls[i] = c.String()
	}
	details = append(details, "store calls: "+strings.Join(calls, "; "))
	for _, c := range r.ProviderCalls {
		details = append(details, "provider: "+c.String())
	}
	return outcome.Report("oidc scenario", r.Case, r.NotExpressible, r.Failures, details)
}

// Run runs each case as a parallel subtest of t against the target. A
// case its provider can't express is skipped with the reason.
func Run(t *testing.T, target Target, cases ...Case) {
	t.Helper()
	outcome.RunParallel(t, cases, Case.Name, func(c Case) (string, []string, func() string) {
		r := Execute(context.Background(), target, c)
		return r.NotExpressible, r.Failures, r.Report
	})
}

// run is one case in progress.
type run struct {
	ctx           context.Context
	target        Target
	env           *Env
	closeProvider func()
	h             http.Handler
	jar           *authtest.Jar
	base          *url.URL
	res           *Result
	cookie        string // the session cookie's name
	prior         *auth.Session
	bobID         string
	flowURL       *url.URL // the callback URL the provider sent
	flow          []*http.Cookie
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
	if r.closeProvider != nil {
		defer r.closeProvider() // the case is over: nothing calls the provider later
	}
	if err != nil {
		r.failf("setup: %v", err)
		return res
	}
	if logged, ok := r.env.Provider.(interface{ Calls() []fakeoidc.Call }); ok {
		defer func() { res.ProviderCalls = logged.Calls() }()
	}
	if err := r.given(c); err != nil {
		if errors.Is(err, ErrNotExpressible) {
			res.NotExpressible = err.Error()
			return res
		}
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
	f, err := outcome.NewFake(r.target.NewFake)
	if err != nil {
		return err
	}
	base, err := url.Parse(r.target.BaseURL)
	if err != nil {
		return err
	}
	r.base = base
	redirect := r.target.BaseURL + r.target.CallbackPath
	newProvider := r.target.NewProvider
	if newProvider == nil {
		newProvider = func(clock auth.Clock, redirectURL string) (Provider, func(), error) {
			return FakeProvider(clock, redirectURL)
		}
	}
	p, closeProvider, err := newProvider(f.Clock, redirect)
	if err != nil {
		return err
	}
	r.closeProvider = closeProvider
	r.env = &Env{Fake: f, Provider: p, ClientID: ClientID, ClientSecret: ClientSecret, RedirectURL: redirect,
		HTTPClient: p.Client()}
	h, err := r.target.Handler(r.env)
	if err != nil {
		return err
	}
	r.h = h
	r.jar = authtest.NewJar(authtest.WithClock(f.Clock), authtest.WithCookieName(f.Auth.CookieName()))
	r.cookie = f.Auth.CookieName()
	return nil
}

// seedUser creates one of the cases' password users.
func (r *run) seedUser(name string) (string, error) {
	if r.target.SeedUser != nil {
		return r.target.SeedUser(r.ctx, r.env, name)
	}
	u, err := r.env.Fake.SeedUser(r.ctx, name, name+"'s password")
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// userOf returns the app's user the provider user signs in as.
func (r *run) userOf(subject string) (string, error) {
	if r.target.UserOf != nil {
		return r.target.UserOf(r.ctx, r.env, subject)
	}
	k, err := r.env.Fake.Auth.GetKey(r.ctx, "oidc:"+strings.TrimSuffix(r.env.Provider.Issuer(), "/"), subject)
	if errors.Is(err, auth.ErrInvalidKey) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return k.UserID, nil
}

func (r *run) given(c Case) error {
	f := r.env.Fake
	if err := r.env.Provider.SetLogin(c.login); err != nil {
		return err
	}
	if c.priorSignIn {
		// Alice signed in once before, in another browser: she is a
		// returning user and the app knows her identity.
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
	var name string
	switch c.session {
	case signedIn:
		name = "bob"
	case planted:
		name = "mallory"
	}
	if name != "" {
		id, err := r.seedUser(name)
		if err != nil {
			return err
		}
		if c.session == signedIn {
			r.bobID = id
		}
		if r.prior, err = f.SeedSession(r.ctx, id, fakeauth.Active); err != nil {
			return err
		}
		r.jar.SetCookies(r.base, []*http.Cookie{f.Auth.SessionCookie(r.prior)})
	}
	for _, ft := range c.faults {
		if err := r.env.Provider.Fail(ft.ep, ft.fault); err != nil {
			return err
		}
	}
	return nil
}

// startFlow starts a sign-in in the browser (GET the start route, or for
// linking a same-origin POST of link=1 to it), follows it through the
// provider, and keeps the callback URL the provider redirects to.
func (r *run) startFlow(link bool) error {
	path := r.target.StartPath
	b := authtest.BuildRequest("GET", r.target.BaseURL+path)
	if link {
		b = authtest.BuildRequest("POST", r.target.BaseURL+path).WithForm(url.Values{"link": {"1"}}).SameOrigin()
	}
	before := r.jar.All()
	req, err := b.Request()
	if err != nil {
		return err
	}
	rec := r.jar.Serve(r.h, req)
	if rec.Code != http.StatusFound && rec.Code != http.StatusSeeOther {
		return fmt.Errorf("%s %s: status %d, want a redirect to the provider: %s", req.Method, path, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	r.flow = nil
	for _, c := range r.jar.All() {
		if c.Name != r.cookie && !slices.ContainsFunc(before, func(b *http.Cookie) bool { return b.Name == c.Name && b.Value == c.Value }) {
			r.flow = append(r.flow, c)
		}
	}
	if len(r.flow) == 0 {
		return fmt.Errorf("%s %s set no flow cookie", req.Method, path)
	}
	if r.flowURL, err = r.env.Provider.Authorize(r.ctx, rec.Header().Get("Location")); err != nil {
		return err
	}
	return nil
}

func (r *run) callback() *authtest.Recorder {
	req, err := authtest.BuildRequest("GET", r.flowURL.String()).Request()
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
	want, err := r.userOf(c.login)
	if err != nil {
		r.failf("the app's user of provider user %q: %v", c.login, err)
		return
	}
	if want != s.UserID {
		r.failf("signed in as user %q, want %q (the app's user of provider user %q)", s.UserID, want, c.login)
	}
	if c.link && (r.bobID == "" || s.UserID != r.bobID) {
		r.failf("linking signed in user %s, want the linking user (bob)", s.UserID)
	}
}

func snippet(s string) string { return outcome.Snippet(s, 200) }
