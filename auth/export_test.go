package auth

import "time"

// Expiries exposes the renewal rule to the tests of package auth_test.
func Expiries(a *Auth, t time.Time, browserSession bool, expiresAt time.Time) (activeExpiresAt, idleExpiresAt time.Time) {
	return a.expiries(t, browserSession, expiresAt)
}

// NewCode exposes the code generator to the tests of package auth_test.
func NewCode(n int) string { return newCode(n) }
