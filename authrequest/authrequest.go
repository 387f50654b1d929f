package authrequest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/authkit-dev/authkit/auth"
)

// An AuthRequest is the session side of one HTTP request: it reads the
// session cookie, checks the request's origin, renews idle sessions and
// sets or clears the cookie on the response. Make one per request with
// [New], or get the one [Middleware] made with [FromContext].
//
// It is not safe for concurrent use, like the request it serves.
//
// A nil *AuthRequest, which [FromContext] returns outside [Middleware], is
// safe to call: every method that returns an error returns
// [ErrNoMiddleware], so a handler mounted without the middleware fails
// with a clear error instead of a nil dereference.
type AuthRequest struct {
	a   *auth.Auth
	w   http.ResponseWriter
	r   *http.Request
	set *settings
	rw  *responseWriter // the Middleware's writer, when there is one

	originDone bool
	originErr  error

	// The memo: one validation per request.
	validated  bool
	session    *auth.Session
	user       *auth.User
	userLoaded bool
	err        error
	tokens     [maxSessionCookies]string // the buffer of readSessionCookies
	// disagree records that the request carried session cookies of
	// different values, so the one a clearing cookie would delete can't
	// be told: then nothing is cleared.
	disagree bool
}

// New returns the AuthRequest for r, answering on w, with the default
// options: origin check on, no trusted origins. Use [NewWithOptions] for
// others, or [Middleware], which builds its options once.
func New(a *auth.Auth, w http.ResponseWriter, r *http.Request) *AuthRequest {
	ar := &AuthRequest{a: a, w: w, r: r}
	ar.rw, _ = w.(*responseWriter)
	return ar
}

// NewWithOptions is [New] with options. Building options costs more than
// a request: prefer [Middleware] on a hot path.
func NewWithOptions(a *auth.Auth, w http.ResponseWriter, r *http.Request, opts ...Option) (*AuthRequest, error) {
	set, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	ar := New(a, w, r)
	ar.set = set
	return ar, nil
}

// Request returns the request the AuthRequest serves, or nil for a nil
// AuthRequest.
func (ar *AuthRequest) Request() *http.Request {
	if ar == nil {
		return nil
	}
	return ar.r
}

// Auth returns the Auth the AuthRequest uses, or nil for a nil
// AuthRequest.
func (ar *AuthRequest) Auth() *auth.Auth {
	if ar == nil {
		return nil
	}
	return ar.a
}

// CheckOrigin returns nil if the request may use the session cookie: it
// has a safe method (GET, HEAD, OPTIONS, TRACE) or comes from the app's
// own origin or a trusted one. Otherwise it returns an error wrapping
// [ErrCrossOrigin].
func (ar *AuthRequest) CheckOrigin() error {
	if ar == nil {
		return ErrNoMiddleware
	}
	if !ar.originDone {
		ar.originDone = true
		if !isSafeMethod(ar.r.Method) {
			if ar.set == nil {
				// Only unsafe requests pay for building the default check.
				set, err := newSettings(nil)
				if err != nil {
					return err
				}
				ar.set = set
			}
			ar.originErr = ar.set.origin.check(ar.r)
		}
	}
	return ar.originErr
}

// Session returns the request's session, or nil if it has none.
//
// It follows the table in the package doc (What Session does). With no session cookie, or
// on an unsafe cross-origin request, it returns nil, nil and leaves the
// cookie alone. A malformed, unknown, expired or orphaned token gives nil,
// nil and clears the cookie. An active session is returned as it is; an
// idle one is renewed (Fresh true) and its cookie re-issued. A store
// failure returns nil and an error wrapping [auth.ErrStore], and leaves
// the cookie alone so that nothing is lost on a transient fault.
//
// The result is memoised: calling Session or SessionUser again costs
// nothing. If the cookie had to change but the headers were already sent,
// the error wraps [ErrHeadersWritten] (the session, when there is one, is
// still returned).
func (ar *AuthRequest) Session() (*auth.Session, error) {
	if ar == nil {
		return nil, ErrNoMiddleware
	}
	if !ar.validated {
		ar.validate(false)
	}
	return ar.session, ar.err
}

// SessionUser is [AuthRequest.Session] that also returns the session's
// user, fetched in the same store round trip. Call it first when you need
// both: after Session, it costs one more read.
func (ar *AuthRequest) SessionUser() (*auth.Session, *auth.User, error) {
	if ar == nil {
		return nil, nil, ErrNoMiddleware
	}
	if !ar.validated {
		ar.validate(true)
	}
	if ar.session != nil && !ar.userLoaded && ar.err == nil {
		u, err := ar.a.GetUser(ar.r.Context(), ar.session.UserID)
		switch {
		case errors.Is(err, auth.ErrInvalidUser):
			// Deleted since the session was read: no session after all.
			ar.session, ar.err = nil, ar.clearStale()
		case err != nil:
			return nil, nil, err
		default:
			ar.user = u
		}
		ar.userLoaded = true
	}
	if ar.session == nil {
		return nil, nil, ar.err
	}
	return ar.session, ar.user, ar.err
}

func (ar *AuthRequest) validate(withUser bool) {
	ar.validated = true
	if ar.CheckOrigin() != nil {
		return // a cross-site request neither uses nor changes the session
	}
	c := readSessionCookies(ar.a, ar.r, &ar.tokens)
	if !c.Sent {
		return
	}
	ar.disagree = !c.Agree
	// Several cookies of the name: a sibling subdomain may have planted
	// some, which browsers send before the real one. The first live one is
	// the session; the others are left alone.
	ctx := ar.r.Context()
	var u *auth.User
	s, err := c.Find(func(token string) (*auth.Session, error) {
		if withUser {
			var s *auth.Session
			var err error
			s, u, err = ar.a.ValidateSessionUser(ctx, token)
			return s, err
		}
		return ar.a.ValidateSession(ctx, token)
	})
	switch {
	case err != nil:
		ar.err = err // a store failure: keep the cookie
	case s == nil:
		ar.err = ar.clearStale()
	default:
		ar.session, ar.user, ar.userLoaded = s, u, withUser
		// A renewal re-issues the cookie, unless the cookies disagree:
		// the browser does not say which cookie carried s, and the
		// re-issued one (this app's Name, Path and Domain) would replace
		// the cookie stored there, maybe the real one, with s, maybe a
		// session a sibling planted. The session is renewed in the store
		// all the same; a request with one value re-issues its cookie.
		if s.Fresh && !ar.disagree {
			ar.err = ar.writeCookie(ar.a.SessionCookie(s))
		}
	}
}

// clearStale clears the cookie of a session that is gone, unless the
// request's session cookies disagree: the clearing cookie (this app's
// Name, Path and Domain) might then delete a real cookie in place of a
// planted one.
func (ar *AuthRequest) clearStale() error {
	if ar.disagree {
		return nil
	}
	return ar.clearCookie()
}

// ValidateBearerToken returns the session of the request's
// "Authorization: Bearer <token>" header, with the same lifetime rules as
// the cookie (an idle session is renewed). It needs no origin check and
// sets no cookie: a client that sends a bearer token keeps it itself. It
// returns nil, nil when there is no such header, and an error wrapping
// [auth.ErrInvalidSession] for a token that names no live session. It is
// not memoised.
func (ar *AuthRequest) ValidateBearerToken() (*auth.Session, error) {
	if ar == nil {
		return nil, ErrNoMiddleware
	}
	token, ok := auth.ReadBearerToken(ar.r)
	if !ok {
		return nil, nil
	}
	return ar.a.ValidateSession(ar.r.Context(), token)
}

// SetSession sets the session cookie to carry s, replacing any session
// cookie set earlier in this response, and makes s the request's session:
// Session returns it from now on. A nil s clears the cookie instead.
//
// It returns an error wrapping [ErrCrossOrigin] on an unsafe cross-origin
// request (that would be login CSRF), [ErrNoToken] if s has no token, and
// [ErrHeadersWritten] if the response headers were already sent.
func (ar *AuthRequest) SetSession(s *auth.Session) error {
	if ar == nil {
		return ErrNoMiddleware
	}
	if s == nil {
		return ar.ClearSession()
	}
	if err := ar.CheckOrigin(); err != nil {
		return err
	}
	if s.Token == "" {
		return ErrNoToken
	}
	return ar.setCookie(ar.a.SessionCookie(s), s)
}

// ClearSession sets the blank cookie, which makes the browser forget the
// session cookie, replacing any session cookie set earlier in this
// response. Session returns nil from now on.
//
// It does not invalidate the stored session: to sign out, use
// [AuthRequest.SignOut], or [auth.Auth.InvalidateSession] and then
// ClearSession. It returns an error wrapping [ErrCrossOrigin] on an unsafe
// cross-origin request and [ErrHeadersWritten] if the headers were sent.
func (ar *AuthRequest) ClearSession() error {
	if err := ar.CheckOrigin(); err != nil {
		return err
	}
	return ar.setCookie(ar.a.BlankSessionCookie(), nil)
}

// SignIn starts a new session for the user and sets its cookie: a
// persistent session with the default options (see [AuthRequest.SignInWith]
// for "remember me" and attributes). The session records the device: the
// request's User-Agent and the IP address it came from
// ([AuthRequest.ClientIP]). Whatever
// session the request carried is invalidated, so a session ID planted
// before sign-in is worthless after it (no session fixation). Call it after
// checking the credentials, for example with [auth.Auth.UseKey], and again
// when the user's privileges change.
//
// On a store failure nothing changes: the old session and the cookie stay
// as they were.
func (ar *AuthRequest) SignIn(userID string) (*auth.Session, error) {
	return ar.SignInWith(userID, auth.SessionOptions{})
}

// SignInWith is [AuthRequest.SignIn] with the session's options: its
// lifetime policy (BrowserSession true for a sign-in without "remember
// me"), attributes and absolute lifetime. UserAgent and ClientIP, when
// empty, are the request's.
func (ar *AuthRequest) SignInWith(userID string, opts auth.SessionOptions) (*auth.Session, error) {
	if err := ar.CheckOrigin(); err != nil { // ErrNoMiddleware for a nil ar
		return nil, err
	}
	if ar.rw != nil && ar.rw.wroteHeader {
		return nil, ErrHeadersWritten
	}
	ctx := ar.r.Context()
	if opts.UserAgent == "" {
		opts.UserAgent = ar.r.UserAgent()
	}
	if opts.ClientIP == "" {
		opts.ClientIP = ar.ClientIP()
	}
	s, err := ar.a.CreateSessionWith(ctx, userID, opts)
	if err != nil {
		return nil, err
	}
	if err := ar.invalidatePresented(); err != nil {
		// Leave no unused session behind; if this fails too, it expires.
		_ = ar.a.InvalidateSession(ctx, s.ID)
		return nil, err
	}
	if err := ar.SetSession(s); err != nil {
		return nil, err
	}
	return s, nil
}

// InvalidateOtherSessions signs the user out everywhere else: it deletes
// every session of the request's user but the request's own, which stays
// signed in with its cookie untouched. It returns an error wrapping
// [ErrCrossOrigin] on an unsafe cross-origin request, [ErrNotSignedIn]
// without a session, and one wrapping [auth.ErrStore] on a store failure.
func (ar *AuthRequest) InvalidateOtherSessions() error {
	s, err := ar.signedIn()
	if err != nil {
		return err
	}
	return ar.a.InvalidateOtherSessions(ar.r.Context(), s.UserID, s.ID)
}

// signedIn checks the origin of a request that changes its user's
// sessions and returns the request's session: an error wrapping
// ErrCrossOrigin or ErrNoMiddleware (a nil ar), the session's error, or
// ErrNotSignedIn without one.
func (ar *AuthRequest) signedIn() (*auth.Session, error) {
	if err := ar.CheckOrigin(); err != nil {
		return nil, err
	}
	s, err := ar.Session()
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ErrNotSignedIn
	}
	return s, nil
}

// InvalidateOwnSession signs out one device of the request's user: it
// invalidates the session with the given ID (the [auth.Session.ID] that
// [auth.Auth.UserSessions] lists, never a token) only if it is a live
// session of that user. It is the safe "sign out this device" handler:
// [auth.Auth.InvalidateSession] takes any session ID, so a handler that
// passes it an ID from the request lets one user sign out another.
//
// Revoking the request's own session also clears its cookie, as
// [AuthRequest.SignOut] does, unless the request carried session cookies
// of different values (see the package doc on cookie tossing); revoking
// another leaves the cookie alone. It returns an error wrapping [ErrCrossOrigin] on an unsafe
// cross-origin request, [ErrNotSignedIn] without a session,
// [ErrSessionNotFound] when the ID names no live session of the user (an
// unknown ID and another user's session are not told apart, so the answer
// says nothing about other users), [ErrHeadersWritten] when the cookie
// would have to be cleared after the headers were sent, and one wrapping
// [auth.ErrStore] on a store failure. On every error nothing changes.
func (ar *AuthRequest) InvalidateOwnSession(sessionID string) error {
	current, err := ar.signedIn()
	if err != nil {
		return err
	}
	ctx := ar.r.Context()
	own, err := ar.a.UserSessions(ctx, current.UserID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(own, func(s *auth.Session) bool { return s.ID == sessionID }) {
		return ErrSessionNotFound
	}
	if sessionID != current.ID {
		return ar.a.InvalidateSession(ctx, sessionID)
	}
	if ar.rw != nil && ar.rw.wroteHeader {
		return ErrHeadersWritten
	}
	if err := ar.a.InvalidateSession(ctx, sessionID); err != nil {
		return err
	}
	// Its cookie goes too, unless the request's cookies disagree: then
	// the clearing cookie might delete another one, maybe the real one.
	if err := ar.clearStale(); err != nil {
		return err
	}
	ar.remember(nil)
	return nil
}

// SignOut invalidates the request's session in the store and clears the
// cookie. A request without a session only gets the cookie cleared.
func (ar *AuthRequest) SignOut() error {
	if err := ar.CheckOrigin(); err != nil {
		return err
	}
	if err := ar.invalidatePresented(); err != nil {
		return err
	}
	return ar.ClearSession()
}

// invalidatePresented deletes the sessions named by the request's
// cookies, live or not, without validating (and so without renewing)
// them. With several cookies (some planted by a sibling subdomain) it
// deletes each, so that signing out never leaves the real session alive.
func (ar *AuthRequest) invalidatePresented() error {
	ctx := ar.r.Context()
	memoised := false
	for _, token := range readSessionCookies(ar.a, ar.r, &ar.tokens).Tokens {
		id := auth.SessionID(token)
		if err := ar.a.InvalidateSession(ctx, id); err != nil {
			return err
		}
		memoised = memoised || ar.session != nil && ar.session.ID == id
	}
	// The memoised session differs from the cookies' after SetSession.
	if ar.session != nil && !memoised {
		if err := ar.a.InvalidateSession(ctx, ar.session.ID); err != nil {
			return err
		}
	}
	ar.Reset()
	return nil
}

// Reset drops the memoised session, so that the next Session or
// SessionUser validates the request's cookie again. Use it after changing
// the session behind the AuthRequest's back, for example with
// [auth.Auth.InvalidateSession].
func (ar *AuthRequest) Reset() {
	if ar == nil {
		return
	}
	ar.validated, ar.session, ar.user, ar.userLoaded, ar.err, ar.disagree = false, nil, nil, false, nil, false
}

// remember makes s the memoised result without a store read.
func (ar *AuthRequest) remember(s *auth.Session) {
	ar.validated, ar.session, ar.user, ar.userLoaded, ar.err = true, s, nil, false, nil
}

// setCookie writes c and, once it is written, makes s the memoised
// session: the session c carries, or nil for the blank cookie.
func (ar *AuthRequest) setCookie(c *http.Cookie, s *auth.Session) error {
	if err := ar.writeCookie(c); err != nil {
		return err
	}
	ar.remember(s)
	return nil
}

func (ar *AuthRequest) clearCookie() error {
	return ar.writeCookie(ar.a.BlankSessionCookie())
}

// writeCookie sets c as the response's only Set-Cookie of its name, leaving
// other cookies alone.
func (ar *AuthRequest) writeCookie(c *http.Cookie) error {
	if ar.rw != nil && ar.rw.wroteHeader {
		return fmt.Errorf("%w (cookie %q)", ErrHeadersWritten, c.Name)
	}
	line := c.String()
	if line == "" {
		return fmt.Errorf("authrequest: cookie %q is not valid", c.Name)
	}
	h := ar.w.Header()
	prefix := c.Name + "="
	kept := h["Set-Cookie"][:0]
	for _, l := range h["Set-Cookie"] {
		if !strings.HasPrefix(l, prefix) {
			kept = append(kept, l)
		}
	}
	h["Set-Cookie"] = append(kept, line)
	return nil
}

type ctxKey struct{}

// FromContext returns the AuthRequest that [Middleware] put in ctx, or nil
// when there is none. The nil AuthRequest is safe to use: its methods
// return [ErrNoMiddleware] (and Request and Auth return nil), so that the
// usual pattern, authrequest.FromContext(r.Context()).Session(), reports a
// handler mounted without Middleware as an error the handler already
// handles rather than a nil dereference. A panic would take the request
// down over a wiring mistake, and a usable AuthRequest made on the fly
// would silently run without the middleware's options.
func FromContext(ctx context.Context) *AuthRequest {
	ar, _ := ctx.Value(ctxKey{}).(*AuthRequest)
	return ar
}

// NewContext returns a copy of ctx that carries ar, for [FromContext].
func NewContext(ctx context.Context, ar *AuthRequest) context.Context {
	return context.WithValue(ctx, ctxKey{}, ar)
}
