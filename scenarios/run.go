package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// Run runs each case as a subtest of t, named after the case, against the
// target, in the subtest's context (t.Context). Each case runs on a fake
// and a handler of its own (clock, store, faults, the handler's state), so
// subtests run in parallel; Run calls t.Parallel in each. With no cases it
// runs the target's standard table, Standard(target).
func Run(t *testing.T, target Target, cases ...Case) {
	t.Helper()
	if len(cases) == 0 {
		cases = Standard(target)
	}
	runner := NewRunner(target)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runner.Execute(t.Context(), c)
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

// A Runner runs cases against one target. Each case gets a fake as
// fakeauth.New makes it and, by default, a new handler built on it after
// the case is seeded. Fakes are recycled: after a case the fake is reset
// (fakeauth.Fake.Reset: store emptied, clock back to its start, no
// faults, empty log), which leaves nothing of the case behind and keeps a
// large table fast; a fake on a store of the caller's (fakeauth.WithStore)
// can't be emptied and is never reused. With Target.ReuseHandler the
// handler is recycled with its fake too, built before the first case it
// serves is seeded. A Runner is safe for concurrent use.
type Runner struct {
	target Target
	pool   sync.Pool // of *env
}

type env struct {
	f       *fakeauth.Fake
	h       http.Handler
	once    bool   // made by Target.NewFake: serves one case
	release func() // Target.NewFake's, or nil
}

// NewRunner returns a Runner for target.
func NewRunner(target Target) *Runner { return &Runner{target: target} }

// Execute runs one case against the target on a new fake and handler, and
// returns what happened. It never panics on a broken handler: a panic
// becomes a failure. A [Runner] runs many cases faster.
func Execute(ctx context.Context, target Target, c Case) Result {
	target.ReuseHandler = false
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
	if rn.target.Handler == nil {
		res.Failures = append(res.Failures, "the target has no Handler")
		return res
	}
	e, err := rn.env(ctx)
	if err != nil {
		res.Failures = append(res.Failures, "making the fake: "+err.Error())
		return res
	}
	res.run(ctx, rn.target, e, c, rn.target.path(c))
	if !rn.target.ReuseHandler {
		e.h = nil
	}
	if e.release != nil {
		e.release()
	}
	if !e.once && e.f.Reset(ctx) == nil {
		rn.pool.Put(e)
	}
	return res
}

// env returns a fake, and its handler when it is reused, from the pool
// when it has one.
func (rn *Runner) env(ctx context.Context) (*env, error) {
	if e, ok := rn.pool.Get().(*env); ok {
		return e, nil
	}
	var f *fakeauth.Fake
	var release func()
	var err error
	if rn.target.NewFake != nil {
		f, release, err = rn.target.NewFake(ctx)
		if err == nil && f == nil {
			err = errors.New("Target.NewFake returned no fake")
		}
	} else {
		f, err = fakeauth.New(rn.target.Fake...)
	}
	if err != nil {
		return nil, err
	}
	e := &env{f: f, once: rn.target.NewFake != nil, release: release}
	if rn.target.ReuseHandler {
		e.h = rn.target.Handler(f)
	}
	return e, nil
}

// run seeds the case, sends its request(s) and checks what happened.
func (res *Result) run(ctx context.Context, target Target, e *env, c Case, path string) {
	f := e.f
	base := target.BaseURL
	if base == "" {
		base = "https://example.com"
	}
	if target.UsersBySignUp && e.h == nil {
		e.h = target.Handler(f)
	}
	cu := target.creds()
	userID, err := makeUser(ctx, target, e.h, f, c, base, cu)
	if err != nil {
		res.Failures = append(res.Failures, "making the case's user: "+err.Error())
		return
	}
	token, sessionID, err := seed(ctx, f, c, userID)
	if err != nil {
		res.Failures = append(res.Failures, "seeding: "+err.Error())
		return
	}
	var others []*auth.Session
	for range c.others {
		s, err := f.SeedSession(ctx, userID, fakeauth.Active)
		if err != nil {
			res.Failures = append(res.Failures, "seeding another session of the user: "+err.Error())
			return
		}
		others = append(others, s)
	}
	var foreign *auth.Session
	if c.foreign {
		other := Credentials{Username: "other-" + cu.Username, Password: cu.Password}
		id, err := makeUser(ctx, target, e.h, f, c, base, other)
		if err == nil {
			foreign, err = f.SeedSession(ctx, id, fakeauth.Active)
		}
		if err != nil {
			res.Failures = append(res.Failures, "seeding another user's session: "+err.Error())
			return
		}
	}
	h := e.h
	if h == nil {
		h = target.Handler(f) // after seeding, as Target.Handler says
	}
	reused, reusedID := token, sessionID
	if c.reuse != nil && c.reuse.other && len(others) > 0 {
		reused, reusedID = others[0].Token, others[0].ID
	}
	if c.reuse != nil {
		// The first use of the session: accepted, and remembered by any
		// cache the app keeps.
		rec := present(ctx, h, f, base, c.reuse, reused)
		if why := c.reuse.signedOut.signedInMismatch(rec.Code, rec.Header(), rec.Body.String()); why != "" {
			res.Failures = append(res.Failures, "the session's first use, "+c.reuse.method+" "+c.reuse.path+": "+why)
		}
		if c.reuse.expire {
			if rec, ok, _ := f.StoredSession(ctx, reusedID); ok {
				f.Clock.Set(rec.IdleExpiresAt.Add(time.Nanosecond))
			}
		}
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
	jar := authtest.NewJar(authtest.WithClock(f.Clock), authtest.WithName(c.name), authtest.WithCookieName(f.Auth.CookieName()))
	if token != "" && !c.bearer {
		u, _ := url.Parse(base)
		// The browser holds the cookie the session was last issued with.
		// For a token with no live session (unknown, or expired, which a
		// browser would have dropped) it holds one that is still live, as a
		// client with a skewed clock does, so that the request carries it.
		expires := f.Clock.Now().Add(f.Auth.Config().IdlePeriod)
		if hadBefore && before.IdleExpiresAt.After(f.Clock.Now()) {
			expires = before.IdleExpiresAt
		}
		jar.SetCookies(u, []*http.Cookie{f.Auth.SessionCookie(&auth.Session{Token: token, IdleExpiresAt: expires})})
	}
	f.Store.ClearCalls()

	v := Values{Username: cu.Username, Password: cu.Password, NewPassword: "new " + cu.Password}
	if c.action != nil {
		switch c.action.values {
		case wrongPassword:
			v.Password += "!"
		case otherDevice:
			if len(others) > 0 {
				v.SessionID = others[0].ID
			}
		case anotherUsers:
			if foreign != nil {
				v.SessionID = foreign.ID
			}
		}
	}
	req, err := c.request(ctx, base, path, v)
	if err != nil {
		res.Failures = append(res.Failures, "building the request: "+err.Error())
		return
	}
	if c.bearer && token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res.Request = c.method + " " + req.URL.String()

	recs := make([]*authtest.Recorder, c.concurrency)
	if c.concurrency == 1 {
		recs[0] = jar.Serve(h, req)
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
				recs[i] = jar.Serve(h, r)
			})
		}
		close(start)
		wg.Wait()
	}
	res.observe(ctx, f, jar, recs, sessionID, before, hadBefore)
	if recs[0] != nil {
		tokens := []string{token, reused}
		for _, s := range others {
			tokens = append(tokens, s.Token)
		}
		res.checkResponse(f, base, recs[0], target.TokensInBody, tokens)
	}
	res.observeOthers(ctx, f, others, foreign)
	res.check()
	if c.retry && recs[0] != nil {
		res.retry(ctx, f, jar, h, c, base, path, v)
	}
	if c.reuse != nil && c.reuse.after {
		rec := present(ctx, h, f, base, c.reuse, reused)
		if why := c.reuse.signedOut.mismatch(rec.Code, rec.Header(), rec.Body.String()); why != "" {
			res.Failures = append(res.Failures, "the ended session presented again to the same app, "+c.reuse.method+" "+c.reuse.path+": "+why+
				" (want the signed-out answer, "+c.reuse.signedOut.String()+")")
		}
	}
}

// present sends the reuse request with token, alone (no jar), to h.
func present(ctx context.Context, h http.Handler, f *fakeauth.Fake, base string, u *reuse, token string) *authtest.Recorder {
	rb := authtest.BuildRequest(u.method, base+u.path).WithContext(ctx)
	if isUnsafe(u.method) {
		rb.SameOrigin()
	}
	for k, vs := range u.header {
		for _, v := range vs {
			rb.WithHeader(k, v)
		}
	}
	if u.bearer {
		rb.WithBearer(token)
	} else {
		rb.WithCookie(&http.Cookie{Name: f.Auth.CookieName(), Value: token})
	}
	req, err := rb.Request()
	if err != nil {
		req = nil // Serve answers 500
	}
	return authtest.NewJar(authtest.WithCookieName(f.Auth.CookieName())).Serve(h, req)
}

// request builds the case's request to base+path, its body filled with v.
func (c Case) request(ctx context.Context, base, path string, v Values) (*http.Request, error) {
	if b := c.creds; b != nil && b.form.Next != "" && b.next != "" {
		path += "?" + url.Values{b.form.Next: {b.next}}.Encode()
	}
	rb := authtest.BuildRequest(c.method, base+path).WithContext(ctx)
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
	for k, vs := range c.header {
		for _, v := range vs {
			rb.WithHeader(k, v)
		}
	}
	if b := c.creds; b != nil {
		uf, pf := b.form.UsernameField, b.form.PasswordField
		if uf == "" {
			uf = "username"
		}
		if pf == "" {
			pf = "password"
		}
		fields := map[string]any{uf: b.creds.Username, pf: b.creds.Password}
		for k, v := range b.form.Fields {
			fields[k] = v
		}
		if b.remember && b.form.RememberMe != "" {
			fields[b.form.RememberMe] = "on"
			if b.form.JSON {
				fields[b.form.RememberMe] = true
			}
		}
		if b.next != "" && b.form.Next != "" && !b.form.JSON {
			fields[b.form.Next] = b.next
		}
		sendBody(rb, b.form.JSON, fields)
	}
	if a := c.action; a != nil && a.action.Body != nil {
		fields := map[string]any{}
		for k, v := range a.action.Body(v) {
			fields[k] = v
		}
		sendBody(rb, a.action.JSON, fields)
	}
	return rb.Request()
}

// sendBody sets fields as the request's body: a JSON object, or a form.
func sendBody(rb *authtest.RequestBuilder, asJSON bool, fields map[string]any) {
	if asJSON {
		rb.WithJSON(fields)
		return
	}
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, fmt.Sprint(v))
	}
	rb.WithForm(form)
}

// retry sends the case's request again once the store works, and checks
// that it succeeds as the form's success and creates one session.
func (res *Result) retry(ctx context.Context, f *fakeauth.Fake, jar *authtest.Jar, h http.Handler, c Case, base, path string, v Values) {
	f.Store.ClearFaults()
	f.Store.ClearCalls()
	req, err := c.request(ctx, base, path, v)
	if err != nil {
		res.Failures = append(res.Failures, "building the retry: "+err.Error())
		return
	}
	rec := jar.Serve(h, req)
	success := Answer{Status: Status{200, 399}}
	if c.creds != nil {
		success = c.creds.form.Success.or(success)
	}
	if why := success.mismatch(rec.Code, rec.Header(), rec.Body.String()); why != "" {
		res.Failures = append(res.Failures, "the retry once the store works: "+why)
	}
	if n := newSessions(f.Store.Calls()); n != 1 {
		res.Failures = append(res.Failures, "the retry once the store works: new sessions (-want +got):\n"+cmp.Diff(1, n))
	}
	if ch := authtest.SessionChange(rec, authtest.CheckCookieName(f.Auth.CookieName())); ch != authtest.Set && ch != authtest.Rotated {
		res.Failures = append(res.Failures, "the retry once the store works: session cookie (-want +got):\n"+cmp.Diff(authtest.Set.String(), ch.String()))
	}
}

// newSessions counts the sessions the calls created.
func newSessions(calls []fakeauth.Call) int {
	n := 0
	for _, c := range calls {
		if c.Op == fakeauth.OpCreateSession && c.Wrote {
			n++
		}
	}
	return n
}

// makeUser makes the user of cu as the target says and returns its ID.
func makeUser(ctx context.Context, t Target, h http.Handler, f *fakeauth.Fake, c Case, base string, cu Credentials) (string, error) {
	switch {
	case t.User != nil:
		id, err := t.User(ctx, f, cu)
		if err != nil {
			return "", err
		}
		// The fake's store keeps sessions of users it knows: an app-owned
		// user gets a bare twin there.
		if _, err := f.Store.Inner().GetUser(ctx, id); errors.Is(err, auth.ErrNotFound) {
			_, err = f.Auth.CreateUser(ctx, auth.NewUser{ID: id})
			return id, err
		}
		return id, nil
	case t.UsersBySignUp:
		if t.SignUp == nil {
			return "", errors.New("UsersBySignUp needs a SignUp route")
		}
		up := New("sign-up").PostCredentials(*t.SignUp, cu).From(SameOrigin)
		req, err := up.request(ctx, base, up.path, Values{})
		if err != nil {
			return "", err
		}
		f.Store.ClearCalls()
		rec := authtest.NewJar().Serve(h, req)
		for _, call := range f.Store.Calls() {
			if call.Op == fakeauth.OpCreateSession && call.Wrote {
				return call.UserID, nil
			}
		}
		return "", fmt.Errorf("signing up through %s %s made no session (status %d)", up.method, up.path, rec.Code)
	case c.creds != nil || c.action != nil:
		// The cases that post credentials need a password key.
		u, err := f.SeedUser(ctx, cu.Username, cu.Password)
		if err != nil {
			return "", err
		}
		return u.ID, nil
	}
	// A user without a key, written to the store as a record: it costs no
	// password hashing, no random ID and no JSON encoding.
	rec := auth.UserRecord{ID: cu.Username, Attributes: json.RawMessage(`{"username":` + strconv.Quote(cu.Username) + `}`)}
	if err := f.Store.Inner().CreateUser(ctx, rec, nil); err != nil {
		return "", err
	}
	return rec.ID, nil
}

// path returns where c goes on t: its own path, else the first route that
// takes its method, else "/".
func (t Target) path(c Case) string {
	if c.path != "" {
		return c.path
	}
	for _, r := range t.Routes {
		if slices.Contains(r.Methods(), c.method) {
			return r.path()
		}
	}
	return "/"
}

func (c Case) originOr(def string) string {
	if c.originURL != "" {
		return c.originURL
	}
	return def
}

// seed puts the store and the browser in the case's starting state and
// returns the token the browser holds and its session ID.
func seed(ctx context.Context, f *fakeauth.Fake, c Case, userID string) (token, id string, err error) {
	switch {
	case c.state != 0:
		s, err := f.SeedSession(ctx, userID, c.state)
		if err != nil {
			return "", "", err
		}
		return s.Token, s.ID, nil
	case c.cookie != nil:
		if auth.ValidToken(*c.cookie) {
			return *c.cookie, auth.SessionID(*c.cookie), nil
		}
		return *c.cookie, "", nil
	}
	return "", "", nil
}

// effectChanged is the effect of a request that changed the stored session
// in a way none of the named effects describes (an earlier expiry).
const effectChanged Effect = -1
