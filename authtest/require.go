package authtest

import (
	"testing"
	"time"
)

// RequireSessionSet is [AssertSessionSet] that stops the test on failure.
func RequireSessionSet[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkChange(viewOf(res), opts, CookieSet))
}

// RequireSessionRenewed is [AssertSessionRenewed] that stops the test on
// failure.
func RequireSessionRenewed[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkChange(viewOf(res), opts, CookieRenewed))
}

// RequireSessionRotated is [AssertSessionRotated] that stops the test on
// failure.
func RequireSessionRotated[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkChange(viewOf(res), opts, CookieRotated))
}

// RequireSessionCleared is [AssertSessionCleared] that stops the test on
// failure.
func RequireSessionCleared[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkChange(viewOf(res), opts, CookieCleared))
}

// RequireSessionUntouched is [AssertSessionUntouched] that stops the test
// on failure.
func RequireSessionUntouched[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkChange(viewOf(res), opts, CookieUntouched))
}

// RequireOneSessionCookie is [AssertOneSessionCookie] that stops the test
// on failure.
func RequireOneSessionCookie[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkCount(viewOf(res), opts, 1))
}

// RequireSessionAttrs is [AssertSessionAttrs] that stops the test on
// failure.
func RequireSessionAttrs[R Response](t testing.TB, res R, want CookieAttrs, opts ...Option) {
	t.Helper()
	report(t, true, checkAttrs(viewOf(res), opts, want))
}

// RequireSessionExpiry is [AssertSessionExpiry] that stops the test on
// failure.
func RequireSessionExpiry[R Response](t testing.TB, res R, opts ...Option) {
	t.Helper()
	report(t, true, checkExpiry(viewOf(res), opts))
}

// RequireSessionExpiresAt is [AssertSessionExpiresAt] that stops the test
// on failure.
func RequireSessionExpiresAt[R Response](t testing.TB, res R, want time.Time, opts ...Option) {
	t.Helper()
	report(t, true, checkExpiresAt(viewOf(res), opts, want))
}

// RequireSessionHistory is [AssertSessionHistory] that stops the test on
// failure.
func RequireSessionHistory(t testing.TB, jar *Jar, want ...CookieChange) {
	t.Helper()
	report(t, true, checkHistory(jar, want))
}
