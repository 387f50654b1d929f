package authtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
)

// The assertions come in two forms, as in testify, and take testify's
// TestingT, which a *testing.T and a suite's T() satisfy: AssertX reports
// a failure with t.Errorf and returns whether the check passed, so that
// the test goes on; RequireX reports it, then calls t.FailNow, which stops
// the test. There is one function per thing checked: what happened to the
// cookie is a value ([CookieChange]), not a name.
// A failure message says what was checked, shows a (-want +got) diff, the
// request line, the cookie the request sent and the Set-Cookie lines of
// the session cookie, with tokens replaced by placeholders (see
// [Redactor]).

// sessionOutcome is what the change assertions compare.
type sessionOutcome struct {
	Change         string
	SetCookieLines int
}

// CookieAttrs are the attributes of the session cookie that
// [AssertSessionAttrs] compares. Expiry is checked apart, by
// [AssertSessionExpiry] and [AssertSessionExpiresAt].
type CookieAttrs struct {
	// Path is the Path attribute as written.
	Path string
	// Domain is the Domain attribute; case and a leading dot don't count.
	Domain string
	// Secure, HttpOnly and Partitioned are the flags of those names.
	Secure, HttpOnly, Partitioned bool
	// SameSite is the SameSite attribute; zero means none was written.
	SameSite http.SameSite
}

// DefaultCookieAttrs returns the attributes authkit gives the session
// cookie by default: Path "/", no Domain, Secure, HttpOnly and
// SameSite=Lax.
func DefaultCookieAttrs() CookieAttrs {
	return CookieAttrs{Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// attrsView is CookieAttrs with SameSite spelled out, so that a diff
// reads "Lax" rather than 2.
type attrsView struct {
	Path        string
	Domain      string
	Secure      bool
	HttpOnly    bool
	SameSite    string
	Partitioned bool
}

func (a CookieAttrs) view() attrsView {
	return attrsView{
		Path:        a.Path,
		Domain:      strings.ToLower(strings.TrimPrefix(a.Domain, ".")),
		Secure:      a.Secure,
		HttpOnly:    a.HttpOnly,
		SameSite:    sameSiteName(a.SameSite),
		Partitioned: a.Partitioned,
	}
}

func sameSiteName(s http.SameSite) string {
	switch s {
	case 0:
		return "(unset)"
	case http.SameSiteDefaultMode:
		return "(invalid value)"
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return fmt.Sprintf("SameSite(%d)", int(s))
}

// failure builds a failure message: a headline, the context of the
// exchange, then notes and a diff. Tokens in all of it go through one
// Redactor, so a token has one placeholder in the whole message.
type failure struct {
	red   Redactor
	lines []string
}

func newFailure(v view, s settings, headline string) *failure {
	f := &failure{}
	f.lines = append(f.lines, "authtest: "+headline)
	if s.jarName != "" {
		f.add("jar", s.jarName)
	}
	if v.req == nil {
		f.add("request", "(request unknown: use authtest.Serve or Jar.Do to keep it)")
	} else {
		f.add("request", requestLine(v.req))
		if cookies := v.req.Header.Values("Cookie"); len(cookies) > 0 {
			f.add("cookie", f.red.Redact(strings.Join(cookies, "; ")))
		} else {
			f.add("cookie", "(none)")
		}
	}
	if v.status != 0 {
		f.add("status", statusText(v.status))
	}
	lines := v.sessionLines(s.cookieName)
	if len(lines) == 0 {
		f.add("set-cookie", fmt.Sprintf("(none for %s)", s.cookieName))
	}
	for _, l := range lines {
		f.add("set-cookie", f.red.Redact(l))
	}
	var others []string
	for _, l := range v.header.Values("Set-Cookie") {
		if n := setCookieName(l); n != s.cookieName {
			others = append(others, n)
		}
	}
	if len(others) > 0 {
		f.add("also set", strings.Join(others, ", "))
	}
	return f
}

func (f *failure) add(label, value string) {
	f.lines = append(f.lines, fmt.Sprintf("    %-11s %s", label+":", value))
}

func (f *failure) note(format string, args ...any) *failure {
	f.lines = append(f.lines, "  "+fmt.Sprintf(format, args...))
	return f
}

func (f *failure) diff(d string) *failure {
	f.lines = append(f.lines, "  (-want +got):")
	for _, l := range strings.Split(strings.TrimRight(f.red.Redact(d), "\n"), "\n") {
		f.lines = append(f.lines, "  "+l)
	}
	return f
}

func (f *failure) String() string { return strings.Join(f.lines, "\n") }

func requestLine(r *http.Request) string {
	if r.URL == nil {
		return r.Method
	}
	return r.Method + " " + r.URL.RequestURI()
}

// report reports f, if any: with Errorf, or when fatal with Fatalf where
// t has it (a testing.TB) and else as testify does, Errorf then FailNow.
func report(t assert.TestingT, fatal bool, f *failure) bool {
	if f == nil {
		return true
	}
	helper(t)
	if !fatal {
		t.Errorf("%s", f)
		return false
	}
	if tb, ok := t.(interface{ Fatalf(string, ...any) }); ok {
		tb.Fatalf("%s", f)
		return false
	}
	t.Errorf("%s", f)
	if n, ok := t.(interface{ FailNow() }); ok {
		n.FailNow()
	}
	return false
}

// helper marks the caller as a test helper when t can say so, as
// testing.TB and testify's suites can.
func helper(t assert.TestingT) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// checkChange checks that the response makes exactly one Set-Cookie line
// for the session cookie and that it makes the change want.
func checkChange(v view, opts []CheckOption, want CookieChange) *failure {
	s := settingsFor(v, opts)
	got := sessionOutcome{Change: v.change(s).String(), SetCookieLines: len(v.sessionLines(s.cookieName))}
	w := sessionOutcome{Change: want.String(), SetCookieLines: 1}
	if want == Untouched {
		w.SetCookieLines = 0
	}
	if got == w {
		return nil
	}
	gotDesc := got.Change
	if got.SetCookieLines > 1 {
		gotDesc = fmt.Sprintf("%s in %d Set-Cookie lines", got.Change, got.SetCookieLines)
	}
	f := newFailure(v, s, fmt.Sprintf("session cookie %q: want %s, got %s", s.cookieName, want, gotDesc))
	if got.SetCookieLines > 1 {
		f.note("authkit writes at most one Set-Cookie line per cookie name; the browser keeps the last.")
	}
	if v.req == nil && (want == Renewed || want == Rotated) {
		f.note("The request is unknown, so a re-issued cookie can't be told from a new one.")
	}
	return f.diff(cmp.Diff(w, got))
}

// checkCount checks the number of Set-Cookie lines of the session cookie.
func checkCount(v view, opts []CheckOption, want int) *failure {
	s := settingsFor(v, opts)
	type setCookieLines struct{ Count int }
	got := setCookieLines{len(v.sessionLines(s.cookieName))}
	if got.Count == want {
		return nil
	}
	f := newFailure(v, s, fmt.Sprintf("want %d Set-Cookie line(s) for %q, got %d", want, s.cookieName, got.Count))
	return f.diff(cmp.Diff(setCookieLines{want}, got))
}

// lastSessionCookie returns the parsed last Set-Cookie line of the
// session cookie, or a failure when there is none or it does not parse.
func lastSessionCookie(v view, s settings, what string) (*http.Cookie, *failure) {
	c, found, err := v.lastSessionCookie(s.cookieName)
	if !found {
		return nil, newFailure(v, s, fmt.Sprintf("%s: the response has no Set-Cookie line for %q", what, s.cookieName))
	}
	if err != nil {
		return nil, newFailure(v, s, fmt.Sprintf("%s: the Set-Cookie line for %q does not parse: %v", what, s.cookieName, err))
	}
	return c, nil
}

func checkAttrs(v view, opts []CheckOption, want CookieAttrs) *failure {
	s := settingsFor(v, opts)
	c, f := lastSessionCookie(v, s, "session cookie attributes")
	if f != nil {
		return f
	}
	got := CookieAttrs{
		Path: c.Path, Domain: c.Domain, Secure: c.Secure, HttpOnly: c.HttpOnly,
		SameSite: c.SameSite, Partitioned: c.Partitioned,
	}.view()
	if d := cmp.Diff(want.view(), got); d != "" {
		return newFailure(v, s, fmt.Sprintf("session cookie %q: attributes differ", s.cookieName)).diff(d)
	}
	return nil
}

// expiryView is what AssertSessionExpiry compares.
type expiryView struct {
	MaxAge  string
	Expires string
}

func checkExpiry(v view, opts []CheckOption) *failure {
	s := settingsFor(v, opts)
	c, f := lastSessionCookie(v, s, "session cookie expiry")
	if f != nil {
		return f
	}
	now := s.now(v)
	got := expiryView{MaxAge: "(none)", Expires: "(none)"}
	if c.MaxAge != 0 {
		got.MaxAge = fmt.Sprint(max(c.MaxAge, 0))
	}
	if !c.Expires.IsZero() {
		got.Expires = c.Expires.UTC().Format(http.TimeFormat)
	}
	want := got
	var rule string
	switch {
	case c.MaxAge == 0:
		want.MaxAge = "(a number of seconds)"
		rule = "Max-Age and Expires must both be set"
	case c.MaxAge < 0:
		rule = "a deleting cookie (Max-Age=0) needs an Expires in the past"
		if c.Expires.IsZero() || c.Expires.After(now) {
			want.Expires = "(before " + now.UTC().Format(http.TimeFormat) + ")"
		}
	default:
		rule = "Expires must be now + Max-Age, to the second"
		at := now.Add(time.Duration(c.MaxAge) * time.Second)
		if c.Expires.IsZero() || absDuration(c.Expires.Sub(at)) > time.Second {
			want.Expires = at.UTC().Format(http.TimeFormat)
		}
	}
	if want == got {
		return nil
	}
	f = newFailure(v, s, fmt.Sprintf("session cookie %q: Max-Age and Expires disagree", s.cookieName))
	f.note("%s (now is %s).", rule, now.UTC().Format(http.TimeFormat))
	return f.diff(cmp.Diff(want, got))
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func checkExpiresAt(v view, opts []CheckOption, want time.Time) *failure {
	s := settingsFor(v, opts)
	c, f := lastSessionCookie(v, s, "session cookie expiry")
	if f != nil {
		return f
	}
	var got time.Time
	switch {
	case c.MaxAge > 0:
		got = s.now(v).Add(time.Duration(c.MaxAge) * time.Second)
	case c.MaxAge == 0:
		got = c.Expires
	}
	if !got.IsZero() && absDuration(got.Sub(want)) <= time.Second {
		return nil
	}
	format := func(t time.Time) string {
		if t.IsZero() {
			return "(no expiry)"
		}
		return t.UTC().Format(time.RFC3339)
	}
	f = newFailure(v, s, fmt.Sprintf("session cookie %q: want it to expire at %s", s.cookieName, format(want)))
	f.note("Max-Age is read first, against now; then Expires. Within a second counts as equal.")
	type expiry struct{ ExpiresAt string }
	return f.diff(cmp.Diff(expiry{format(want)}, expiry{format(got)}))
}

func checkHistory(j *Jar, want []CookieChange) *failure {
	if j == nil {
		f := &failure{}
		f.lines = append(f.lines, "authtest: session cookie history: nil jar")
		return f
	}
	var got []string
	for _, e := range j.Timeline() {
		if setCookieName(e.Line) == j.cookieName {
			got = append(got, e.Change.String())
		}
	}
	ws := make([]string, len(want))
	for i, w := range want {
		ws[i] = w.String()
	}
	if slices.Equal(ws, got) {
		return nil
	}
	f := &failure{}
	headline := fmt.Sprintf("authtest: session cookie %q: history differs", j.cookieName)
	if j.name != "" {
		headline = fmt.Sprintf("authtest: jar %s: session cookie %q: history differs", j.name, j.cookieName)
	}
	f.lines = append(f.lines, headline)
	f.diff(cmp.Diff(ws, got))
	f.lines = append(f.lines, "  transcript:")
	for _, l := range strings.Split(strings.TrimRight(j.Transcript(), "\n"), "\n") {
		f.lines = append(f.lines, "    "+l)
	}
	return f
}

// AssertSession checks that the response does want to the session cookie,
// in exactly one Set-Cookie line, or in none for [Untouched]:
//
//	authtest.AssertSession(t, rec, authtest.Renewed)
//
// [Set] is a new cookie where the request had none, [Renewed]
// the token the request sent issued again (pair it with
// [AssertSessionExpiresAt] to check the new expiry), [Rotated]
// another token in its place, [Cleared] the cookie deleted, and
// [Untouched] no Set-Cookie line for it, as when a request is refused
// for its origin or the store fails. It reports a failure with t.Errorf
// and returns whether the check passed; t is a [testing.TB] or anything
// testify's assert package accepts, such as a suite's T().
func AssertSession[R Response](t assert.TestingT, res R, want CookieChange, opts ...CheckOption) bool {
	helper(t)
	return report(t, false, checkChange(viewOf(res), opts, want))
}

// AssertOneSessionCookie checks that exactly one Set-Cookie line of the
// response carries the session cookie name.
func AssertOneSessionCookie[R Response](t assert.TestingT, res R, opts ...CheckOption) bool {
	helper(t)
	return report(t, false, checkCount(viewOf(res), opts, 1))
}

// AssertSessionAttrs checks the attributes of the session cookie the
// response sets (its last Set-Cookie line for the name) against want;
// [DefaultCookieAttrs] gives authkit's defaults.
func AssertSessionAttrs[R Response](t assert.TestingT, res R, want CookieAttrs, opts ...CheckOption) bool {
	helper(t)
	return report(t, false, checkAttrs(viewOf(res), opts, want))
}

// AssertSessionExpiry checks that the session cookie carries both Max-Age
// and Expires and that they agree: Expires is now + Max-Age to the
// second, or, for a deleting cookie (Max-Age=0), in the past. "Now" comes
// from [CheckClock] or the jar's clock, else the Date header, else the
// system clock.
func AssertSessionExpiry[R Response](t assert.TestingT, res R, opts ...CheckOption) bool {
	helper(t)
	return report(t, false, checkExpiry(viewOf(res), opts))
}

// AssertSessionExpiresAt checks that the session cookie expires at want,
// to the second: now + Max-Age when Max-Age is set (as browsers read it),
// else Expires. Pass the session's IdleExpiresAt.
func AssertSessionExpiresAt[R Response](t assert.TestingT, res R, want time.Time, opts ...CheckOption) bool {
	helper(t)
	return report(t, false, checkExpiresAt(viewOf(res), opts, want))
}

// AssertSessionHistory checks the changes the jar's timeline recorded for
// its session cookie, in order; for example
// Set, Renewed, Cleared for a login, a renewal and a
// logout. The failure message shows the jar's transcript.
func AssertSessionHistory(t assert.TestingT, jar *Jar, want ...CookieChange) bool {
	helper(t)
	return report(t, false, checkHistory(jar, want))
}
