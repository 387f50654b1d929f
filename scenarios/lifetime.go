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

// PastAbsoluteEnd is a session kept renewed since its sign-in, one
// nanosecond past its absolute end (auth.Config.MaxLifetime): it is dead
// however recently it was renewed, deleted when read, and its cookie
// cleared.
func PastAbsoluteEnd() Case {
	return read(New("past-absolute-end").Session(fakeauth.AbsoluteEndPlus1), SessionDeleted, authtest.Cleared, 1, 1)
}

// AtAbsoluteEnd is a session exactly at its absolute end: still
// alive (the end instant is inclusive) and active, since renewal cut its
// active period to the end: kept, with no write.
func AtAbsoluteEnd() Case {
	return read(New("at-absolute-end").Session(fakeauth.AbsoluteEnd), SessionKept, authtest.Untouched, 1, 0)
}

// BrowserSession is an active browser session (a sign-in without
// "remember me"): kept, cookie untouched, no write.
func BrowserSession() Case {
	return read(New("browser-session").Session(fakeauth.BrowserSession), SessionKept, authtest.Untouched, 1, 0)
}

// BrowserSessionIdle is an idle browser session: renewed with the
// browser-session periods, and its cookie re-issued still without
// Expires or Max-Age (the policy is stored with the session).
func BrowserSessionIdle() Case {
	return read(New("browser-session-idle").Session(fakeauth.BrowserSessionIdle), SessionRenewed, authtest.Renewed, 1, 1)
}

// OtherDevicesSignedOut is a same-origin POST with an active session to
// a route that calls AuthRequest.InvalidateOtherSessions (give it with
// [Case.Request]; [SignOutOthersCases] does, on Target.SignOutOthers):
// the request's own session is kept and its cookie untouched; the user's
// other sessions are deleted (one write each: a target seeding other
// sessions sets WantWrites).
func OtherDevicesSignedOut() Case {
	return New("other-devices-signed-out").Session(fakeauth.Active).Method(http.MethodPost).From(SameOrigin).
		WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(NotServerError())
}

// RequireSessionCases are the answers of the target's routes behind
// authrequest.RequireSession or RequireSessionAPI: those whose signed-out
// answer refuses (a redirect, or a status outside 2xx). On each, with its
// first method: signed out, invalidated and past the absolute end, the
// route's signed-out answer; active and idle, the handler's signed-in
// answer; the store down, 503 with the cookie kept.
func RequireSessionCases(t Target) []Case {
	var cs []Case
	for _, r := range t.Routes {
		if !refuses(r.SignedOut) {
			continue
		}
		methods := t.readMethods(r)
		if len(methods) == 0 {
			continue
		}
		for _, c := range []Case{MissingCookie(), Invalidated(), Active(), Idle(), PastAbsoluteEnd()} {
			cs = append(cs, expectFor(onRoute(c.Named("require-session/"+c.name), r, methods[0]), r))
		}
		cs = append(cs, onRoute(StoreDown().Named("require-session/store-down"), r, methods[0]).WantStatus(http.StatusServiceUnavailable))
	}
	return cs
}

// refuses reports whether a signed-out answer keeps a visitor out: a
// redirect, or a status that is not 2xx.
func refuses(a Answer) bool {
	return a.Location != "" || a.Status != (Status{}) && !a.Status.Accepts(http.StatusOK)
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
		AtAbsoluteEnd().Session(fakeauth.AbsoluteEndMinus1).Named("absolute-end-1ns"),
		AtAbsoluteEnd(), PastAbsoluteEnd(),
		BrowserSession(), BrowserSessionIdle(),
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
