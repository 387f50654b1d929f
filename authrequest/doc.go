// Package authrequest connects an [auth.Auth] to net/http: it is Lucia's
// AuthRequest for Go.
//
// An [AuthRequest] serves one request. [AuthRequest.Session] reads the
// session cookie, checks the request's origin, validates the token
// (renewing an idle session and re-issuing its cookie) and clears the
// cookie of a session that is gone. [AuthRequest.SetSession] and
// [AuthRequest.ClearSession] set and clear the cookie; the response carries
// at most one Set-Cookie for the session cookie, the last one asked for.
// [AuthRequest.SignIn] and [AuthRequest.SignOut] are the usual pairs of
// store and cookie changes.
//
// Choices this package makes, each covered by a test:
//
//   - An unsafe request (anything but GET, HEAD, OPTIONS and TRACE) from
//     another origin neither uses nor changes the session: Session returns
//     nil, nil without reading the store, and SetSession, ClearSession,
//     SignIn and SignOut return [ErrCrossOrigin]. A cross-site request
//     never signs anyone in or out. The check follows
//     [http.CrossOriginProtection] (Sec-Fetch-Site, then Origin against
//     Host), refuses several values of either header, and adds a scheme
//     check where the request's scheme is known. [WithStrictOriginCheck]
//     also refuses requests without either header;
//     [WithCrossOriginPassThroughRoutes] exempts routes from the 403 but
//     never gives them the session cookie.
//   - Several session cookies (a sibling subdomain can plant some) are
//     validated in turn, the first live one wins, and when their values
//     disagree no Set-Cookie is written for them: none is cleared, and a
//     renewed session's cookie is not re-issued (the session is renewed
//     in the store, and the next request carrying one value re-issues
//     it). The browser does not say which cookie came from which Domain
//     or Path, so a cookie this app writes might land on the real one: a
//     planted cookie never gets the real one cleared, nor replaced with
//     the planted session. Signing in and out still write the cookie.
//   - Outside [Middleware], [FromContext] returns a nil AuthRequest whose
//     methods return [ErrNoMiddleware].
//   - A store failure is an error, never a logout: the cookie is left as
//     it was, so the session works again once the store is back.
//   - Setting the cookie after the headers were sent returns
//     [ErrHeadersWritten] when the request went through [Middleware],
//     whose writer tracks it. With a bare [New] the package can't know.
//   - ClearSession only clears the cookie, as in Lucia; SignOut also
//     invalidates the stored session.
//
// # Requiring a session, devices, remember me
//
// [RequireSession] (HTML routes) and [RequireSessionAPI] (JSON routes)
// wrap handlers that need a session, behind [Middleware]: a signed-out
// request is redirected to the sign-in page with a return path that
// [SafeReturnPath] accepts (a path on this site; never "//host", "/\host",
// a scheme or an encoded form of those), or answered 401 JSON; a store
// failure answers 503 and keeps the cookie. The sign-in handler sends the
// user back with [ReturnPath]. [AuthRequest.SignInWith] chooses the
// session's lifetime policy ("remember me" or a browser session) and
// attributes; [AuthRequest.InvalidateOwnSession] signs out one device of
// the signed-in user (never another user's), and
// [AuthRequest.InvalidateOtherSessions] every other device. A session records the client IP of the connection, or, with
// [WithTrustedProxyClientIP], the one a trusted proxy's header names:
// X-Forwarded-For is never trusted by default.
//
// # What Session does
//
// [AuthRequest.Session] and [AuthRequest.SessionUser] are memoised per
// request: calling them many times costs one validation, and SetSession,
// ClearSession and an invalidation reset the memo (so SetSession(s) then
// Session() returns s). By what the request carries:
//
//	request carries                  Session returns       cookie in response     store
//	no session cookie                nil, nil              untouched              nothing
//	malformed token                  nil, nil              cleared                nothing
//	unknown or invalidated token     nil, nil              cleared                one read
//	active session                   session, Fresh false  untouched              one read
//	idle session                     renewed, Fresh true   re-issued, later end   one conditional write
//	dead session                     nil, nil              cleared                row deleted
//	session of a deleted user        nil, nil              cleared                (went with the user)
//	unsafe cross-origin request      nil, nil              untouched              nothing
//	store failure                    nil, error            untouched              nothing
//
// The cookie is untouched on a cross-site request because such a request
// must never sign anyone out, and on a store failure because nothing may be
// lost to a transient fault. "Cleared" and "re-issued" are what happens
// when every session cookie the request carries has the same value; when
// the values disagree the cookie is untouched (see the cookie-tossing rule
// above).
package authrequest
