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
	_, rec, err := s.storedSession(r)
	switch {
	case err != nil:
		return account{err: err}
	case rec == nil, recordState(*rec, s.fake.Clock.Now()) == auth.StateDead:
		return account{}
	}
	ctx := r.Context()
	user, err := s.peek.GetUser(ctx, rec.UserID)
	switch {
	case errors.Is(err, auth.ErrInvalidUser):
		return account{}
	case err != nil:
		return account{err: err}
	}
	acc := account{session: recordSession(*rec), user: user}
	acc.devices, acc.devicesErr = s.peek.UserSessions(ctx, user.ID)
	acc.keys, acc.keysErr = s.peek.UserKeys(ctx, user.ID)
	return acc
}

// storedSession finds the stored record of the session the request
// presents, by the rule the middleware validates by
// ([authrequest.SessionCookies.Find]): of the tokens of its session
// cookies, the first whose record is live on the playground clock. It
// reads the store behind the fault switches and validates nothing: nothing
// is renewed or deleted, and no armed fault is used up. state is what the
// store holds for that session or, when none is live, for the first token:
// "" without a session cookie, "malformed", "not stored", or the record's
// state; rec is the record state describes, when there is one.
func (s *Server) storedSession(r *http.Request) (state string, rec *auth.SessionRecord, err error) {
	c := authrequest.ReadSessionCookies(s.fake.Auth, r)
	switch {
	case !c.Sent:
		return "", nil, nil
	case len(c.Tokens) == 0:
		return "malformed", nil, nil
	}
	now := s.fake.Clock.Now()
	first := true
	_, err = c.Find(func(token string) (*auth.Session, error) {
		got, found, err := s.fake.StoredSession(r.Context(), auth.SessionID(token))
		if err != nil {
			return nil, err
		}
		live := found && recordState(got, now) != auth.StateDead
		if first || live {
			first, state, rec = false, "not stored", nil
			if found {
				state, rec = recordState(got, now).String(), &got
			}
		}
		if !live {
			return nil, nil
		}
		return recordSession(got), nil
	})
	if err != nil {
		return "", nil, err
	}
	return state, rec, nil
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
