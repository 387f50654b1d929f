package fakeauth

import (
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// SessionCookie returns the session cookie of s as the fake's Auth issues
// it, so that a fake can hand a seeded session to a cookie jar:
// jar.SetSession(f, s).
func (f *Fake) SessionCookie(s *auth.Session) *http.Cookie {
	return f.Auth.SessionCookie(s)
}
