package playground

import (
	"errors"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// account is what the home page reads about the browser's user: the
// session, its user, the user's devices and sign-in methods.
type account struct {
	session *auth.Session // nil when signed out (or when err is set)
	user    *auth.User
	err     error // reading the session failed

	devices    []*auth.Session
	devicesErr error
	keys       []*auth.Key
	keysErr    error
}

// readAccount reads the account as the app does: the session is validated
// by authrequest (renewed or deleted as the core decides, its cookie
// re-issued or cleared), and every read goes through the fault switches.
func (s *Server) readAccount(r *http.Request) account {
	a := s.fake.Auth
	var acc account
	acc.session, acc.user, acc.err = authrequest.FromContext(r.Context()).SessionUser()
	if acc.session == nil {
		return acc
	}
	acc.devices, acc.devicesErr = a.UserSessions(r.Context(), acc.user.ID)
	acc.keys, acc.keysErr = a.UserKeys(r.Context(), acc.user.ID)
	return acc
}

// peekAccount reads the account around the fault switches, from the
// store behind them, without validating the session: nothing is renewed,
// deleted or re-issued, and no armed fault is used up. A session the core
// would find dead, or whose user is gone, reads as none. It is for the
// page that confirms arming a fault, which is the playground's own and
// not the app's (see home).
func (s *Server) peekAccount(r *http.Request) account {
	token, ok := s.fake.Auth.ReadSessionCookie(r)
	if !ok || !auth.ValidToken(token) {
		return account{}
	}
	ctx := r.Context()
	rec, found, err := s.fake.StoredSession(ctx, auth.SessionID(token))
	switch {
	case err != nil:
		return account{err: err}
	case !found, recordState(rec, s.fake.Clock.Now()) == auth.StateDead:
		return account{}
	}
	user, err := s.peek.GetUser(ctx, rec.UserID)
	switch {
	case errors.Is(err, auth.ErrInvalidUser):
		return account{}
	case err != nil:
		return account{err: err}
	}
	acc := account{session: recordSession(rec), user: user}
	acc.devices, acc.devicesErr = s.peek.UserSessions(ctx, user.ID)
	acc.keys, acc.keysErr = s.peek.UserKeys(ctx, user.ID)
	return acc
}

// recordSession is a stored session as auth.Session, without its token.
func recordSession(rec auth.SessionRecord) *auth.Session {
	return &auth.Session{
		ID: rec.ID, UserID: rec.UserID, CreatedAt: rec.CreatedAt, RenewedAt: rec.RenewedAt,
		ActiveExpiresAt: rec.ActiveExpiresAt, IdleExpiresAt: rec.IdleExpiresAt, ExpiresAt: rec.ExpiresAt,
		UserAgent: rec.UserAgent, ClientIP: rec.ClientIP, BrowserSession: rec.BrowserSession,
	}
}

// providerName names a key's provider for the pages.
func (s *Server) providerName(providerID string) string {
	switch {
	case providerID == usernameProvider:
		return "password"
	case s.oidc.owns(providerID):
		return "fake provider"
	}
	return providerID
}
