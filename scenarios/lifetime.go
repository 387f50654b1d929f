package scenarios

import (
	"net/http"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The cases of the absolute lifetime, the lifetime policy chosen at
// sign-in ("remember me" or a browser session), "sign out everywhere
// else" and the require-session middleware of package authrequest. Those
// in lifetimeCases hold for any handler that reads the session on the
// target's path; the others need routes of their own (see each).

// PastAbsoluteLifetime is a session kept renewed since its sign-in, one
// nanosecond past its absolute end (auth.Config.MaxLifetime): it is dead
// however recently it was renewed, deleted when read, and its cookie
// cleared.
func PastAbsoluteLifetime() Case {
	return New("past-absolute-lifetime").Session(fakeauth.AbsoluteEndPlus1).
		WantSession(SessionDeleted).WantCookie(authtest.Cleared).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(1)
}

// AtAbsoluteLifetime is a session exactly at its absolute end: still
// alive (the end instant is inclusive) and active, since renewal cut its
// active period to the end: kept, with no write.
func AtAbsoluteLifetime() Case {
	return New("at-absolute-lifetime").Session(fakeauth.AbsoluteEnd).
		WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(0)
}

// BrowserSessionCookie is an active browser session (a sign-in without
// "remember me"): kept, cookie untouched, no write.
func BrowserSessionCookie() Case {
	return New("browser-session").Session(fakeauth.BrowserSession).
		WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(0)
}

// RenewalKeepsPolicy is an idle browser session: renewed with the
// browser-session periods, and its cookie re-issued still without
// Expires or Max-Age (the policy is stored with the session).
func RenewalKeepsPolicy() Case {
	return New("renewal-keeps-policy").Session(fakeauth.BrowserSessionIdle).
		WantSession(SessionRenewed).WantCookie(authtest.Renewed).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(1)
}

// The routes the cases below need on a target: a page behind
// authrequest.RequireSession, a JSON route behind
// authrequest.RequireSessionAPI and a same-origin POST that calls
// AuthRequest.InvalidateOtherSessions.
const (
	ProtectedPagePath      = "/account/"
	ProtectedAPIPath       = "/api/account"
	SignOutOthersPath      = "/account/sign-out-others"
	RequireSessionSignInAt = "/login"
)

// OtherDevicesSignedOut is a same-origin POST to [SignOutOthersPath] with
// an active session: the request's own session is kept and its cookie
// untouched; the user's other sessions are deleted (one write each: a
// target seeding other sessions sets WantWrites).
func OtherDevicesSignedOut() Case {
	return New("other-devices-signed-out").Session(fakeauth.Active).
		Request(http.MethodPost, SignOutOthersPath).From(SameOrigin).
		WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(NotServerError())
}

// RequireSessionCases are the require-session middleware's answers on
// [ProtectedPagePath] and [ProtectedAPIPath]: signed out, a redirect to
// the sign-in page (303) or 401; signed in, the handler (200); the store
// down, 503 with the cookie kept.
func RequireSessionCases() []Case {
	signedOut := New("").Cookie(CookieNone).WantSession(NoSession).WantCookie(authtest.Untouched).WantWrites(0)
	return []Case{
		signedOut.Request(http.MethodGet, ProtectedPagePath).WantStatus(http.StatusSeeOther).Named("require-session/page/signed-out"),
		signedOut.Request(http.MethodGet, ProtectedAPIPath).WantStatus(http.StatusUnauthorized).Named("require-session/api/signed-out"),
		Cleared().Request(http.MethodGet, ProtectedPagePath).WantStatus(http.StatusSeeOther).Named("require-session/page/invalidated"),
		Active().Request(http.MethodGet, ProtectedPagePath).WantStatus(http.StatusOK).Named("require-session/page/active"),
		Renewed().Request(http.MethodGet, ProtectedAPIPath).WantStatus(http.StatusOK).Named("require-session/api/renewed"),
		PastAbsoluteLifetime().Request(http.MethodGet, ProtectedPagePath).WantStatus(http.StatusSeeOther).Named("require-session/page/past-absolute-lifetime"),
		StoreDown().Request(http.MethodGet, ProtectedPagePath).WantStatus(http.StatusServiceUnavailable).Named("require-session/page/store-down"),
		StoreDown().Request(http.MethodGet, ProtectedAPIPath).WantStatus(http.StatusServiceUnavailable).Named("require-session/api/store-down"),
	}
}

// LifetimeCases is the family of the lifetime rules added to sign-in:
// the absolute end's boundary instants (one nanosecond before, at, and one
// after it) and a browser session, active and idle (renewal keeps its
// policy), each with a safe and an unsafe method on the target's first
// routes, answered as each route answers.
func LifetimeCases(t Target) []Case {
	routes, methods := firstRoutes(t)
	var cs []Case
	for _, c := range []Case{
		AtAbsoluteLifetime().Session(fakeauth.AbsoluteEndMinus1).Named("absolute-end-1ns"),
		AtAbsoluteLifetime(), PastAbsoluteLifetime(),
		BrowserSessionCookie(), RenewalKeepsPolicy(),
	} {
		for i, r := range routes {
			cs = append(cs, expectFor(onRoute(c, r, methods[i]), r))
		}
	}
	return cs
}

// SignOutOthersCases is the family of Target.SignOutOthers, when the
// target has that route: a same-origin request keeps the request's own
// session and cookie ([OtherDevicesSignedOut]) and ends the user's other
// sessions, never another user's; a cross-site one is refused before
// anything is read, and ends none.
func SignOutOthersCases(t Target) []Case {
	if t.SignOutOthers == "" {
		return nil
	}
	r := Route{Pattern: t.SignOutOthers}
	for _, m := range r.Methods() {
		if isUnsafe(m) {
			name := "sign-out-others/" + m + " " + r.path()
			return []Case{
				OtherDevicesSignedOut().Request(m, r.path()).OtherSessions(2).ForeignSession().
					WantOtherSessions(SessionDeleted).WantForeignSession(SessionKept).Named(name),
				CrossOrigin().Request(m, r.path()).OtherSessions(1).WantOtherSessions(SessionKept).Named(name + "/cross-site"),
			}
		}
	}
	return nil
}
