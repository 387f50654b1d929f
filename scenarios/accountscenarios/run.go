package accountscenarios

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakemail"
	"github.com/authkit-dev/authkit/internal/syncbuf"
	"github.com/authkit-dev/authkit/scenarios/internal/outcome"
)

// Result is what happened when a case ran.
type Result struct {
	Case Case
	// NotExpressible says why the case could not run against the target
	// (a hook it needs is nil, or a limit it checks is not claimed);
	// Failures is then empty and there is no verdict.
	NotExpressible string
	// Failures lists each expectation that did not hold; an error that
	// kept the case from running is one too.
	Failures []string
	// Exchanges are the case's requests, one line each with the status,
	// the secrets of its tokens replaced by <token> and <code>.
	Exchanges []string
}

// Passed reports whether every expectation held. A case the target can't
// express has not passed.
func (r Result) Passed() bool { return len(r.Failures) == 0 && r.NotExpressible == "" }

// Verdict returns the outcome in a few words: "passed", "not expressible"
// or "FAILED: " and the first failure. Two apps agree on a case when their
// verdicts are equal.
func (r Result) Verdict() string {
	return outcome.Verdict(r.NotExpressible, r.Failures, "passed")
}

// Report returns the failure message: the case, what failed, and the
// exchanges.
func (r Result) Report() string {
	return outcome.Report("account scenario", r.Case, r.NotExpressible, r.Failures, r.Exchanges)
}

// Run runs each case as a parallel subtest of t against the target. A
// case the target can't express is skipped with the reason.
func Run(t *testing.T, target Target, cases ...Case) {
	t.Helper()
	outcome.RunParallel(t, cases, Case.Name, func(c Case) (string, []string, func() string) {
		r := Execute(context.Background(), target, c)
		return r.NotExpressible, r.Failures, r.Report
	})
}

// Execute runs one case on a fake auth and an outbox of its own, and
// returns what happened.
func Execute(ctx context.Context, target Target, c Case) (res Result) {
	res.Case = c
	r := &run{ctx: ctx, t: target.withDefaults(), res: &res}
	if err := r.setup(); err != nil {
		r.failf("setup: %v", err)
		return res
	}
	defer func() {
		for i, e := range res.Exchanges {
			res.Exchanges[i] = r.redact(e)
		}
		for i, f := range res.Failures {
			res.Failures[i] = r.redact(f)
		}
	}()
	if c.run == nil {
		r.failf("the case has nothing to run")
		return res
	}
	if err := c.run(r); err != nil {
		if errors.Is(err, ErrNotExpressible) {
			res.NotExpressible = err.Error()
			res.Failures = nil
			return res
		}
		r.failf("%v", err)
	}
	return res
}

// run is one case in progress.
type run struct {
	ctx  context.Context
	t    Target
	env  *Env
	out  *outbox
	log  *syncbuf.Buffer // the app's log output, written concurrently
	h    http.Handler
	base *url.URL
	res  *Result
	// secrets are the link tokens and codes the app mailed, for the
	// secrets cases and for redaction.
	secrets []secret
	// answers are every response of the case, for the secrets cases.
	answers []*authtest.Recorder
}

type secret struct{ value, kind string }

func (r *run) failf(format string, args ...any) {
	r.res.Failures = append(r.res.Failures, fmt.Sprintf(format, args...))
}

func (r *run) redact(s string) string {
	for _, sc := range r.secrets {
		if sc.value != "" {
			s = strings.ReplaceAll(s, sc.value, "<"+sc.kind+">")
		}
	}
	return s
}

func (r *run) setup() error {
	if r.t.Handler == nil {
		return errors.New("Target.Handler is nil")
	}
	if r.t.SeedAccount == nil {
		return errors.New("Target.SeedAccount is nil")
	}
	f, err := outcome.NewFake(r.t.NewFake)
	if err != nil {
		return err
	}
	if r.base, err = url.Parse(r.t.BaseURL); err != nil {
		return err
	}
	r.out = newOutbox(f.Clock)
	r.log = &syncbuf.Buffer{}
	r.env = &Env{Fake: f, Sender: r.out, BaseURL: r.t.BaseURL,
		Logger: slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if r.h, err = r.t.Handler(r.env); err != nil {
		return err
	}
	return nil
}

// browser returns a new browser on the fake's clock.
func (r *run) browser() *authtest.Jar {
	return authtest.NewJar(authtest.WithClock(r.env.Fake.Clock), authtest.WithCookieName(r.env.Fake.Auth.CookieName()))
}

// seed creates an account.
func (r *run) seed(a Account) (string, error) {
	id, err := r.t.SeedAccount(r.ctx, r.env, a)
	if err != nil {
		return "", fmt.Errorf("seeding %s: %w", a.Email, err)
	}
	return id, nil
}

// send sends one request from the browser: a GET with fields in the
// query, or a same-origin POST of fields as JSON, both asking for JSON;
// or, with Target.Form, as a browser's link and form post.
func (r *run) send(jar *authtest.Jar, method, path string, fields map[string]string) *authtest.Recorder {
	return r.sendTo(jar, method, r.t.BaseURL, path, fields)
}

func (r *run) sendTo(jar *authtest.Jar, method, base, path string, fields map[string]string) *authtest.Recorder {
	target := base + path
	var b *authtest.RequestBuilder
	if method == http.MethodGet {
		q := url.Values{}
		for k, v := range fields {
			q.Set(k, v)
		}
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		b = authtest.BuildRequest(method, target)
	} else if r.t.Form {
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, v)
		}
		b = authtest.BuildRequest(method, target).WithForm(form).SameOrigin()
	} else {
		b = authtest.BuildRequest(method, target).WithJSON(fields).SameOrigin()
	}
	if !r.t.Form {
		b.WithHeader("Accept", "application/json")
	}
	req, err := b.Request()
	var rec *authtest.Recorder
	if err != nil {
		rec = authtest.Serve(nil, nil)
		rec.Body.WriteString(err.Error())
	} else {
		rec = jar.Serve(r.h, req)
	}
	r.answers = append(r.answers, rec)
	line := fmt.Sprintf("%s %s → %d", method, strings.TrimPrefix(target, r.t.BaseURL), rec.Code)
	if ra := rec.Header().Get("Retry-After"); ra != "" {
		line += " Retry-After: " + ra
	}
	if body := snippet(rec.Body.String()); body != "" {
		line += " " + body
	}
	r.res.Exchanges = append(r.res.Exchanges, line)
	return rec
}

func snippet(s string) string { return outcome.Snippet(s, 160) }

// keep records a mail's secrets.
func (r *run) keep(m fakemail.Message) {
	if tok := m.Token(); tok != "" && !slices.ContainsFunc(r.secrets, func(s secret) bool { return s.value == tok }) {
		r.secrets = append(r.secrets, secret{tok, "token"})
	}
	if code := m.Code(); code != "" && !slices.ContainsFunc(r.secrets, func(s secret) bool { return s.value == code }) {
		r.secrets = append(r.secrets, secret{code, "code"})
	}
}

// lastMail returns the newest message delivered to addr.
func (r *run) lastMail(addr string) (fakemail.Message, error) {
	ms := r.out.To(addr)
	if len(ms) == 0 {
		sent, refused := r.out.count()
		return fakemail.Message{}, fmt.Errorf("no message was delivered to %s (%d delivered to others, %d refused)", addr, sent, refused)
	}
	m := ms[len(ms)-1]
	r.keep(m)
	return m, nil
}

// sessionOf returns the user of the browser's session, "" when it has
// none that validates.
func (r *run) sessionOf(jar *authtest.Jar) string {
	c, ok := jar.Cookie(r.env.Fake.Auth.CookieName())
	if !ok || c.Value == "" {
		return ""
	}
	s, err := r.env.Fake.Auth.ValidateSession(r.ctx, c.Value)
	if err != nil {
		return ""
	}
	return s.UserID
}

func ok2xx3xx(code int) bool { return code >= 200 && code < 400 }

// compare checks that two answers that must not tell known from unknown
// accounts are the same: status, body byte for byte, and headers (Date
// aside; Set-Cookie with values hidden, since random values tell nothing).
func (r *run) compare(what string, known, unknown *authtest.Recorder) {
	if known.Code != unknown.Code {
		r.failf("%s: status %d for a known address, %d for an unknown one (account enumeration)", what, known.Code, unknown.Code)
	}
	if kb, ub := known.Body.String(), unknown.Body.String(); kb != ub {
		r.failf("%s: the body differs between a known and an unknown address (account enumeration):\n-known   %q\n+unknown %q", what, kb, ub)
	}
	kh, uh := headerLines(known.Header()), headerLines(unknown.Header())
	if !slices.Equal(kh, uh) {
		r.failf("%s: the headers differ between a known and an unknown address (account enumeration):\n-known   %q\n+unknown %q", what, kh, uh)
	}
}

func headerLines(h http.Header) []string {
	var lines []string
	for k, vs := range h {
		if k == "Date" {
			continue
		}
		for _, v := range vs {
			if k == "Set-Cookie" {
				name, rest, _ := strings.Cut(v, "=")
				_, attrs, _ := strings.Cut(rest, ";")
				v = name + "=<value>;" + attrs
			}
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines)
	return lines
}

// notExpressible returns an error wrapping ErrNotExpressible.
func notExpressible(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotExpressible, fmt.Sprintf(format, args...))
}

// validSession reports whether the session with this token still works.
func (r *run) validSession(s *auth.Session) bool {
	_, err := r.env.Fake.Auth.ValidateSession(r.ctx, s.Token)
	return err == nil
}
