package authrequest

import (
	"errors"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

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
	// trusted origin no browser could ever send: [Middleware] and
	// [NewWithOptions] return it, [MustMiddleware] panics with it while the
	// server is being set up.
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

// StatusCode returns the HTTP status that answers err, an error of
// package auth or of this package, as a handler built on authkit should:
//
//	200 nil
//	503 auth.ErrStore (whatever else it wraps)
//	403 ErrCrossOrigin
//	401 ErrNotSignedIn, auth.ErrInvalidSession, auth.ErrInvalidKey, auth.ErrInvalidPassword
//	404 ErrSessionNotFound
//	409 auth.ErrDuplicateKey, auth.ErrDuplicateUser, auth.ErrSessionChanged
//	500 anything else
//
// A store failure is a 503, never a 401 or a sign-in page: the handler
// leaves the session cookie alone, as [AuthRequest] does, so the session
// works again once the store is back. Wrap a failure of the app's own
// database in [auth.ErrStore] (fmt.Errorf("%w: %w", auth.ErrStore, err))
// to have it answered the same way. [APIHandler], [RequireSession] and
// [RequireSessionAPI] answer with it; package authoidc's StatusCode builds
// on it.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, auth.ErrStore):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrCrossOrigin):
		return http.StatusForbidden
	case errors.Is(err, ErrNotSignedIn), errors.Is(err, auth.ErrInvalidSession),
		errors.Is(err, auth.ErrInvalidKey), errors.Is(err, auth.ErrInvalidPassword):
		return http.StatusUnauthorized
	case errors.Is(err, ErrSessionNotFound):
		return http.StatusNotFound
	case errors.Is(err, auth.ErrDuplicateKey), errors.Is(err, auth.ErrDuplicateUser), errors.Is(err, auth.ErrSessionChanged):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}
