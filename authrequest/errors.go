package authrequest

import "errors"

// Sentinel errors, for [errors.Is].
var (
	// ErrCrossOrigin reports that an unsafe request (POST, PUT, PATCH,
	// DELETE, ...) came from another origin, so it may not use or change
	// the session cookie. A cross-site request must never sign anyone in
	// or out.
	ErrCrossOrigin = errors.New("authrequest: cross-origin request rejected")

	// ErrHeadersWritten reports that a cookie could not be set because the
	// response headers were already sent. Set or clear the session before
	// writing the body. Detecting it needs the writer of [Middleware].
	ErrHeadersWritten = errors.New("authrequest: response headers already written; the session cookie can't be set")

	// ErrInvalidOption reports an option that can't work, such as a
	// trusted origin no browser could ever send: [NewMiddleware] and
	// [NewWithOptions] return it, [Middleware] and [APIHandler] panic with
	// it while the server is being set up.
	ErrInvalidOption = errors.New("authrequest: invalid option")

	// ErrNoMiddleware reports a method called on the nil *AuthRequest that
	// [FromContext] returns for a request that did not go through
	// [Middleware]: mount the handler behind Middleware, or make the
	// AuthRequest with [New].
	ErrNoMiddleware = errors.New("authrequest: no AuthRequest in the request's context (is the handler behind authrequest.Middleware?)")

	// ErrNotSignedIn reports an operation that needs the request's
	// session, such as [AuthRequest.InvalidateOtherSessions], on a request
	// without one.
	ErrNotSignedIn = errors.New("authrequest: the request has no session")

	// ErrSessionNotFound reports that a session ID given to
	// [AuthRequest.InvalidateOwnSession] names no live session of the
	// request's user: it is unknown, gone, or another user's.
	ErrSessionNotFound = errors.New("authrequest: no session of the signed-in user has this ID")

	// ErrNoToken reports that a session can't be set because it carries no
	// token (sessions listed from the store have none).
	ErrNoToken = errors.New("authrequest: session has no token")
)
