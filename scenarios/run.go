package scenarios

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// A Target is the handler under test and where to send the cases.
type Target struct {
	// Handler returns the handler under test, built on the fake: the app's
	// own mux behind authrequest.Middleware, typically. It is called once
	// per case, after the case's session is seeded.
	Handler func(f *fakeauth.Fake) http.Handler

	// Path is the route a case requests when it names none: a route that
	// reads the session, for every method the cases send. "/" when empty.
	Path string

	// Paths overrides Path for some methods, for example
	// {"GET": "/api/auth/user"}.
	Paths map[string]string

	// LogoutPath is the sign-out route (POST). Cases aimed at it are
	// skipped when it is empty.
	LogoutPath string

	// BaseURL is the scheme and host of the requests;
	// "https://example.com" when empty.
	BaseURL string

	// Fake configures the fake of each case.
	Fake []fakeauth.Option

	// FreshHandler makes the runner build a new fake and handler for
	// every case instead of reusing them (see [Runner]).
	FreshHandler bool
}

// Result is what happened when a case ran.
type Result struct {
	Case Case
	// Skipped says why the case did not run ("" when it did).
	Skipped string
	// Failures lists each expectation that did not hold, with a
	// (-want +got) diff. An error that kept the case from running is one
	// too.
	Failures []string

	// Request is the request line, such as "POST https://example.com/".
	Request string
	// Status is the response status; with concurrent requests, the
	// first's.
	Status int
	// Cookie is what the response did to the session cookie.
	Cookie authtest.CookieChange
	// Effect is what happened to the stored session.
	Effect Effect
	// Validations and Writes count the store's session reads and writes.
	Validations, Writes int
	// Calls is the store call log of the case.
	Calls []fakeauth.Call

	setCookies []string
	jar        *authtest.Jar
}

// SetCookies returns the response's Set-Cookie lines, tokens redacted.
func (r Result) SetCookies() []string {
	var red authtest.Redactor
	out := make([]string, len(r.setCookies))
	for i, l := range r.setCookies {
		out[i] = red.Redact(l)
	}
	return out
}

// Transcript returns the cookie jar's record of the exchange, tokens
// redacted: the cookie the browser held, then what the response did.
func (r Result) Transcript() string {
	if r.jar == nil {
		return ""
	}
	return r.jar.Transcript()
}

// Passed reports whether the case ran and every expectation held.
func (r Result) Passed() bool { return r.Skipped == "" && len(r.Failures) == 0 }

// Report returns the failure message: what was checked, the diffs, the
// request line and the Set-Cookie lines, tokens redacted.
func (r Result) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %q: %s\n", r.Case.name, r.Case.Describe())
	for _, f := range r.Failures {
		b.WriteString("  " + strings.ReplaceAll(strings.TrimRight(f, "\n"), "\n", "\n  ") + "\n")
	}
	fmt.Fprintf(&b, "  request: %s\n", r.Request)
	fmt.Fprintf(&b, "  status: %d\n", r.Status)
	lines := r.SetCookies()
	if len(lines) == 0 {
		b.WriteString("  Set-Cookie: (none)\n")
	}
	for _, l := range lines {
		fmt.Fprintf(&b, "  Set-Cookie: %s\n", l)
	}
	calls := make([]string, len(r.Calls))
	for i, c := range r.Calls {
		calls[i] = c.String()
	}
	if len(calls) == 0 {
		calls = append(calls, "(none)")
	}
	fmt.Fprintf(&b, "  store calls: %s\n", strings.Join(calls, "; "))
	return b.String()
}

// Run runs each case as a subtest of t, named after the case, against the
// target. Each case runs on a fake of its own (clock, store, faults), so
// subtests run in parallel; Run calls t.Parallel in each. See [Runner] for
// how fakes and handlers are reused.
func Run(t *testing.T, target Target, cases ...Case) {
	t.Helper()
	runner := NewRunner(target)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runner.Execute(context.Background(), c)
			if r.Skipped != "" {
				t.Skip(r.Skipped)
			}
			if !r.Passed() {
				t.Error(r.Report())
			}
		})
	}
}

// malformedToken is a cookie value that can never be a token.
const malformedToken = "not-a-session-token"

// unknownToken is well formed, and the store has never issued it.
const unknownToken = "abcdefghijklmnopqrstuvwxyz234567"

// A Runner runs cases against one target. To keep a table of many cases
// fast, it reuses fakes and the handlers built on them: after a case, the
// fake is reset (store emptied, clock back to its start, no faults, empty
// log) and goes back to a pool with its handler. A handler that keeps
// state of its own between requests should set Target.FreshHandler. A
// Runner is safe for concurrent use.
type Runner struct {
	target Target
	pool   sync.Pool // of *env
}

type env struct {
	f *fakeauth.Fake
	h http.Handler
}

// NewRunner returns a Runner for target.
func NewRunner(target Target) *Runner { return &Runner{target: target} }

// Execute runs one case against the target on a new fake and handler, and
// returns what happened. It never panics on a broken handler: a panic
// becomes a failure.
func Execute(ctx context.Context, target Target, c Case) Result {
	target.FreshHandler = true
	return NewRunner(target).Execute(ctx, c)
}

// Execute runs one case and returns what happened. It never panics on a
// broken handler: a panic becomes a failure.
func (rn *Runner) Execute(ctx context.Context, c Case) (res Result) {
	res.Case = c
	defer func() {
		if p := recover(); p != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("the handler panicked: %v", p))
		}
	}()
	path, skip := rn.target.path(c)
	if skip != "" {
		res.Skipped = skip
		return res
	}
	e, err := rn.env()
	if err != nil {
		res.Failures = append(res.Failures, "making the fake: "+err.Error())
		return res
	}
	res.run(ctx, rn.target, e, c, path)
	if !rn.target.FreshHandler && e.f.ResetAll(ctx) == nil {
		rn.pool.Put(e)
	}
	return res
}

// env returns a fake and its handler, from the pool when it has one.
func (rn *Runner) env() (*env, error) {
	if e, ok := rn.pool.Get().(*env); ok {
		return e, nil
	}
	f, err := fakeauth.New(rn.target.Fake...)
	if err != nil {
		return nil, err
	}
	return &env{f: f, h: rn.target.Handler(f)}, nil
}

// run seeds the case, sends its request(s) and checks what happened.
func (res *Result) run(ctx context.Context, target Target, e *env, c Case, path string) {
	f, h := e.f, e.h
	token, sessionID, err := seed(ctx, f, c)
	if err != nil {
		res.Failures = append(res.Failures, "seeding: "+err.Error())
		return
	}
	before, hadBefore, _ := f.StoredSession(ctx, sessionID)
	f.Clock.Advance(c.advance)
	if c.fault != nil {
		for _, op := range c.fault.ops {
			if c.fault.count < 0 {
				f.Store.FailWhen(op, nil, c.fault.err)
			} else {
				f.Store.FailNext(op, c.fault.count, c.fault.err)
			}
		}
	}
	base := target.BaseURL
	if base == "" {
		base = "https://example.com"
	}
	jar := authtest.NewJar(authtest.WithClock(f.Clock), authtest.WithName(c.name), authtest.WithCookieName(f.Auth.CookieName()))
	if token != "" {
		u, _ := url.Parse(base)
		// The browser holds the cookie the session was last issued with.
		// For a token with no live session (unknown, or expired, which a
		// browser would have dropped) it holds one that is still live, as a
		// client with a skewed clock does, so that the request carries it.
		expires := f.Clock.Now().Add(f.Auth.IdlePeriod())
		if hadBefore && before.IdleExpiresAt.After(f.Clock.Now()) {
			expires = before.IdleExpiresAt
		}
		jar.SetCookies(u, []*http.Cookie{f.Auth.SessionCookie(&auth.Session{Token: token, IdleExpiresAt: expires})})
	}
	f.Store.ClearCalls()

	rb := authtest.NewRequest(c.method, base+path)
	switch c.origin {
	case SameOrigin:
		rb.SameOrigin()
	case CrossSite:
		rb.CrossSite(c.originOr("https://evil.example"))
	case CrossSiteOldBrowser:
		rb.WithHeader("Origin", c.originOr("https://evil.example"))
	case SameSiteSibling:
		rb.SameSite(c.originOr("https://sibling.example.com"))
	case NullOrigin:
		rb.WithHeader("Origin", "null")
	}
	req, err := rb.Request()
	if err != nil {
		res.Failures = append(res.Failures, "building the request: "+err.Error())
		return
	}
	res.Request = c.method + " " + req.URL.String()

	recs := make([]*authtest.Recorder, c.concurrency)
	if c.concurrency == 1 {
		recs[0] = jar.Do(h, req)
	} else {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range recs {
			r := req.Clone(req.Context())
			wg.Go(func() {
				defer func() {
					if p := recover(); p != nil {
						recs[i] = nil
					}
				}()
				<-start
				recs[i] = jar.Do(h, r)
			})
		}
		close(start)
		wg.Wait()
	}
	res.observe(ctx, f, jar, recs, sessionID, before, hadBefore)
	res.check()
}

// path returns where c goes on t, or why it is skipped.
func (t Target) path(c Case) (path, skip string) {
	switch {
	case c.path == logoutPath && t.LogoutPath == "":
		return "", "the target has no LogoutPath"
	case c.path == logoutPath:
		return t.LogoutPath, ""
	case c.path != "":
		return c.path, ""
	}
	if p, ok := t.Paths[c.method]; ok {
		return p, ""
	}
	if t.Path != "" {
		return t.Path, ""
	}
	return "/", ""
}

func (c Case) originOr(def string) string {
	if c.originURL != "" {
		return c.originURL
	}
	return def
}

// seed puts the store and the browser in the case's starting state and
// returns the token the browser holds and its session ID.
func seed(ctx context.Context, f *fakeauth.Fake, c Case) (token, id string, err error) {
	// A user without key or attributes: the cases need none, and each
	// costs a store write and JSON work.
	u, err := f.Auth.CreateUser(ctx, auth.NewUser{ID: "ada"})
	if err != nil {
		return "", "", err
	}
	switch c.start {
	case CookieNone:
		return "", "", nil
	case CookieMalformed:
		return malformedToken, "", nil
	case CookieUnknown:
		return unknownToken, auth.SessionID(unknownToken), nil
	case CookieInvalidated:
		s, err := f.SeedSession(ctx, u.ID, fakeauth.Active)
		if err != nil {
			return "", "", err
		}
		return s.Token, s.ID, f.Auth.InvalidateSession(ctx, s.ID)
	case CookieSession:
		s, err := f.SeedSession(ctx, u.ID, c.state)
		if err != nil {
			return "", "", err
		}
		return s.Token, s.ID, nil
	}
	return "", "", fmt.Errorf("unknown start %v", c.start)
}

// effectChanged is the effect of a request that changed the stored session
// in a way none of the named effects describes (an earlier expiry).
const effectChanged Effect = -1

func (r *Result) observe(ctx context.Context, f *fakeauth.Fake, jar *authtest.Jar, recs []*authtest.Recorder, id string, before auth.SessionRecord, hadBefore bool) {
	first := recs[0]
	if first == nil {
		r.Failures = append(r.Failures, "the handler panicked")
		return
	}
	r.Status = first.Code
	r.Cookie = authtest.SessionChange(first, authtest.WithCookieName(f.Auth.CookieName()))
	r.setCookies = first.Header().Values("Set-Cookie")
	r.Calls = f.Store.Calls()
	for _, call := range r.Calls {
		if call.Op == fakeauth.OpGetSession || call.Op == fakeauth.OpGetSessionAndUser {
			r.Validations++
		}
	}
	r.Writes = f.Store.Writes()
	after, hasAfter, err := f.StoredSession(ctx, id)
	switch {
	case err != nil:
		r.Failures = append(r.Failures, "reading the store after the request: "+err.Error())
	case !hadBefore && !hasAfter:
		r.Effect = NoSession
	case hadBefore && !hasAfter:
		r.Effect = SessionDeleted
	case hadBefore && after.IdleExpiresAt.Equal(before.IdleExpiresAt) && after.ActiveExpiresAt.Equal(before.ActiveExpiresAt):
		r.Effect = SessionKept
	case hadBefore && after.IdleExpiresAt.After(before.IdleExpiresAt):
		r.Effect = SessionRenewed
	default:
		r.Effect = effectChanged
	}
	r.jar = jar

	// With several requests, each response is checked on its own too.
	if len(recs) > 1 {
		for i, rec := range recs {
			if rec == nil {
				r.Failures = append(r.Failures, fmt.Sprintf("request %d: the handler panicked", i+1))
				continue
			}
			ch := authtest.SessionChange(rec, authtest.WithCookieName(f.Auth.CookieName()))
			if ch == authtest.CookieCleared && r.Case.want.Session != SessionDeleted && r.Case.want.Session != NoSession {
				r.Failures = append(r.Failures, fmt.Sprintf("request %d of %d cleared the session cookie", i+1, len(recs)))
			}
			if !r.Case.want.Status.Accepts(rec.Code) {
				r.Failures = append(r.Failures, fmt.Sprintf("request %d of %d: status %d, want %s", i+1, len(recs), rec.Code, r.Case.want.Status))
			}
		}
	}
}

// check compares what happened with what the case wants.
func (r *Result) check() {
	w, n := r.Case.want, r.Case.concurrency
	if w.Session != AnyEffect && r.Effect != w.Session {
		r.Failures = append(r.Failures, "stored session (-want +got):\n"+cmp.Diff(w.Session.String(), r.Effect.String()))
	}
	if w.CheckCookie && n == 1 && r.Cookie != w.Cookie {
		r.Failures = append(r.Failures, "session cookie (-want +got):\n"+cmp.Diff(w.Cookie.String(), r.Cookie.String()))
	}
	if n == 1 && !w.Status.Accepts(r.Status) {
		r.Failures = append(r.Failures, "status (-want +got):\n"+cmp.Diff(w.Status.String(), fmt.Sprint(r.Status)))
	}
	if w.Validations >= 0 && r.Validations != w.Validations*n {
		r.Failures = append(r.Failures, "session reads (-want +got):\n"+cmp.Diff(w.Validations*n, r.Validations))
	}
	if w.Writes >= 0 && r.Writes != w.Writes {
		r.Failures = append(r.Failures, "store writes (-want +got):\n"+cmp.Diff(w.Writes, r.Writes))
	}
}
