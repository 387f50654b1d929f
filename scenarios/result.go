package scenarios

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

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
	// NewSessions counts the sessions the request created.
	NewSessions int
	// OtherSessions and ForeignSession are what happened to the user's
	// other sessions and to another user's, when the case seeded them.
	OtherSessions, ForeignSession Effect
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

func (r *Result) observe(ctx context.Context, f *fakeauth.Fake, jar *authtest.Jar, recs []*authtest.Recorder, id string, before auth.SessionRecord, hadBefore bool) {
	first := recs[0]
	if first == nil {
		r.Failures = append(r.Failures, "the handler panicked")
		return
	}
	r.Status = first.Code
	r.Cookie = authtest.SessionChange(first, authtest.CheckCookieName(f.Auth.CookieName()))
	r.setCookies = first.Header().Values("Set-Cookie")
	r.Calls = f.Store.Calls()
	for _, call := range r.Calls {
		if call.Op == fakeauth.OpGetSession || call.Op == fakeauth.OpGetSessionAndUser {
			r.Validations++
		}
	}
	r.Writes = f.Store.Writes()
	r.NewSessions = newSessions(r.Calls)
	w := r.Case.want
	if !w.Answer.IsZero() && r.Case.concurrency == 1 {
		if why := w.Answer.mismatch(first.Code, first.Header(), first.Body.String()); why != "" {
			r.Failures = append(r.Failures, "answer: "+why+" (want "+w.Answer.String()+")")
		}
	}
	if w.SignedInAs != nil && r.Case.concurrency == 1 {
		if why := w.SignedInAs.signedInMismatch(first.Code, first.Header(), first.Body.String()); why != "" {
			r.Failures = append(r.Failures, "answer: "+why)
		}
	}
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
			ch := authtest.SessionChange(rec, authtest.CheckCookieName(f.Auth.CookieName()))
			if ch == authtest.Cleared && r.Case.want.Session != SessionDeleted && r.Case.want.Session != NoSession {
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
	if w.NewSessions >= 0 && r.NewSessions != w.NewSessions {
		r.Failures = append(r.Failures, "new sessions (-want +got):\n"+cmp.Diff(w.NewSessions, r.NewSessions))
	}
	r.checkMore()
}
