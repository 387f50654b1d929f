package scenarios

import (
	"net/http"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The cases of the absolute lifetime, the lifetime policy chosen at
// sign-in ("remember me" or a browser session), "sign out everywhere
// else" and the require-session middleware of package authrequest. Those
// in LifetimeCases hold for any handler that reads the session on the
// target's path; the others need routes of their own (see each).

// pastAbsoluteEnd is a session kept renewed since its sign-in, one
// nanosecond past its absolute end (auth.Config.MaxLifetime): expired like
// [Expired] however recently it was renewed, deleted when read, and its
// cookie cleared.
func pastAbsoluteEnd() Case {
	return Expired().Session(fakeauth.AbsoluteEndPlus1).Named("past-absolute-end")
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
		for _, c := range []Case{MissingCookie(), Invalidated(), Active(), Idle(), pastAbsoluteEnd()} {
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
// the absolute end's boundary instants and a browser session (a sign-in
// without "remember me"), each with a safe and an unsafe method on the
// target's first routes, answered as each route answers. One nanosecond
// before the absolute end and exactly at it (the end instant is
// inclusive), the session is [Active]: renewal cut its active period to
// the end, so it is kept with no write; one nanosecond past it, it is
// [Expired] however recently it was renewed. An active browser session is
// [Active]; an idle one is [Idle], renewed with the browser-session periods
// and its cookie issued again still without Expires or Max-Age (the policy
// is stored with the session).
func LifetimeCases(t Target) []Case {
	routes, methods := firstRoutes(t)
	var cs []Case
	for _, c := range []Case{
		Active().Session(fakeauth.AbsoluteEndMinus1).Named("absolute-end-1ns"),
		Active().Session(fakeauth.AbsoluteEnd).Named("at-absolute-end"),
		pastAbsoluteEnd(),
		Active().Session(fakeauth.BrowserSession).Named("browser-session"),
		Idle().Session(fakeauth.BrowserSessionIdle).Named("browser-session-idle"),
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
