package authtest

import (
	"time"

	"github.com/stretchr/testify/require"
)

// RequireSession is [AssertSession] that stops the test on failure.
func RequireSession[R Response](t require.TestingT, res R, want CookieChange, opts ...CheckOption) {
	helper(t)
	report(t, true, checkChange(viewOf(res), opts, want))
}

// RequireOneSessionCookie is [AssertOneSessionCookie] that stops the test
// on failure.
func RequireOneSessionCookie[R Response](t require.TestingT, res R, opts ...CheckOption) {
	helper(t)
	report(t, true, checkCount(viewOf(res), opts, 1))
}

// RequireSessionAttrs is [AssertSessionAttrs] that stops the test on
// failure.
func RequireSessionAttrs[R Response](t require.TestingT, res R, want CookieAttrs, opts ...CheckOption) {
	helper(t)
	report(t, true, checkAttrs(viewOf(res), opts, want))
}

// RequireSessionExpiry is [AssertSessionExpiry] that stops the test on
// failure.
func RequireSessionExpiry[R Response](t require.TestingT, res R, opts ...CheckOption) {
	helper(t)
	report(t, true, checkExpiry(viewOf(res), opts))
}

// RequireSessionExpiresAt is [AssertSessionExpiresAt] that stops the test
// on failure.
func RequireSessionExpiresAt[R Response](t require.TestingT, res R, want time.Time, opts ...CheckOption) {
	helper(t)
	report(t, true, checkExpiresAt(viewOf(res), opts, want))
}

// RequireSessionHistory is [AssertSessionHistory] that stops the test on
// failure.
func RequireSessionHistory(t require.TestingT, jar *Jar, want ...CookieChange) {
	helper(t)
	report(t, true, checkHistory(jar, want))
}
