package scenarios

import (
	"net/http"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The families of the routes that change the signed-in account or its
// sessions (Target.ChangePassword, DeleteAccount, RevokeSession), of the
// bearer-token routes, and of sessions presented again after they ended.

// onAction aims c at action a with values v, from the same origin.
func onAction(c Case, a Action, v valuesOf) Case { return c.post(a, v).From(SameOrigin) }

// ChangePasswordCases is the family of Target.ChangePassword: the right
// current password ends every other session of the user (whoever knew the
// old password is out), and the request's own as Action.EndsSession says,
// while another user's session is kept; a wrong current password and a
// forged request change nothing.
func ChangePasswordCases(t Target) []Case {
	if t.ChangePassword == nil {
		return nil
	}
	a := *t.ChangePassword
	ok := onAction(New("change-password/ends-other-sessions").Session(fakeauth.Active), a, rightPassword).
		OtherSessions(2).ForeignSession().
		WantOtherSessions(SessionDeleted).WantForeignSession(SessionKept).
		WantAnswer(a.Success.or(Answer{Status: Status{200, 399}}))
	if a.EndsSession {
		ok = ok.WantSession(SessionDeleted).WantCookieIn(authtest.Cleared, authtest.Rotated)
	} else {
		ok = ok.WantSession(SessionKept).WantCookie(authtest.Untouched)
	}
	unchanged := onAction(New("").Session(fakeauth.Active), a, wrongPassword).OtherSessions(1).
		WantSession(SessionKept).WantOtherSessions(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(NotServerError())
	return []Case{
		ok,
		unchanged.Named("change-password/wrong-current-password"),
		unchanged.post(a, rightPassword).From(CrossSite).WantStatus(http.StatusForbidden).Named("change-password/cross-origin"),
	}
}

// DeleteAccountCases is the family of Target.DeleteAccount: every session
// of the user ends, the request's own with its cookie cleared, while
// another user's is kept; a forged request deletes nothing.
func DeleteAccountCases(t Target) []Case {
	if t.DeleteAccount == nil {
		return nil
	}
	a := *t.DeleteAccount
	return []Case{
		onAction(New("delete-account/ends-every-session").Session(fakeauth.Active), a, rightPassword).
			OtherSessions(2).ForeignSession().
			WantSession(SessionDeleted).WantCookie(authtest.Cleared).
			WantOtherSessions(SessionDeleted).WantForeignSession(SessionKept).
			WantAnswer(a.Success.or(Answer{Status: Status{200, 399}})),
		onAction(New("delete-account/cross-origin").Session(fakeauth.Active), a, rightPassword).From(CrossSite).OtherSessions(1).
			WantSession(SessionKept).WantOtherSessions(SessionKept).WantCookie(authtest.Untouched).WantStatus(http.StatusForbidden),
	}
}

// RevokeSessionCases is the family of Target.RevokeSession ("sign out this
// device", authrequest.AuthRequest.InvalidateOwnSession): naming one's own
// other session ends it and keeps the request's; naming another user's
// session fails (4xx) and changes nothing, since a session ID from the
// request must not let one user sign out another; a forged request changes
// nothing.
func RevokeSessionCases(t Target) []Case {
	if t.RevokeSession == nil {
		return nil
	}
	a := *t.RevokeSession
	return []Case{
		onAction(New("revoke-session/other-device").Session(fakeauth.Active), a, otherDevice).OtherSessions(1).
			WantSession(SessionKept).WantCookie(authtest.Untouched).WantOtherSessions(SessionDeleted).
			WantAnswer(a.Success.or(Answer{Status: Status{200, 399}})),
		onAction(New("revoke-session/another-users-session").Session(fakeauth.Active), a, anotherUsers).ForeignSession().
			WantSession(SessionKept).WantCookie(authtest.Untouched).WantForeignSession(SessionKept).
			WantStatusIn(Status{400, 499}).WantWrites(0),
		onAction(New("revoke-session/cross-origin").Session(fakeauth.Active), a, otherDevice).From(CrossSite).OtherSessions(1).
			WantSession(SessionKept).WantCookie(authtest.Untouched).WantOtherSessions(SessionKept).WantStatus(http.StatusForbidden),
	}
}

// BearerCases is the family of Target.BearerRoutes: for each method of
// each route, the token of an active session in an "Authorization: Bearer"
// header is accepted and an idle one renewed, in both cases without a
// cookie set (a bearer client keeps its token itself, and a cookie would
// turn it into a browser session); no token, an unknown one and an expired
// one get the route's signed-out answer, again with the cookie untouched.
func BearerCases(t Target) []Case {
	var cs []Case
	for _, r := range t.BearerRoutes {
		for _, m := range r.Methods() {
			on := func(c Case, name string) Case {
				return expectFor(c.Bearer().Request(m, r.path()).Header(r.Header).
					WantCookie(authtest.Untouched).WantValidations(-1).Named("bearer/"+name+"/"+m+" "+r.path()), r)
			}
			cs = append(cs,
				on(Active(), "active"),
				on(Idle(), "idle"),
				on(MissingCookie(), "no-token"),
				on(UnknownToken(), "unknown-token"),
				on(Expired(), "expired"))
		}
	}
	return cs
}

// ReuseCases is sessions that ended and are presented again to the same
// handler, which served them before (and may have remembered them): each
// must then be refused, with the route's signed-out answer. A session is
// used on the target's first route, then its idle period runs out; or it
// is used, then ended through each route the target has that ends
// sessions (sign-out, "sign out everywhere else", a password change, an
// account deletion, a device revocation), and presented again; for a
// bearer route, a token is used as a bearer token, its session signed out
// (with the cookie), and the token sent again.
func ReuseCases(t Target) []Case {
	var cs []Case
	routes, methods := firstRoutes(t)
	if len(routes) > 0 && !isUnsafe(methods[0]) {
		r, m := routes[0], methods[0]
		use := &reuse{method: m, path: r.path(), header: r.Header, signedOut: r.SignedOut, after: true}
		expire := *use
		expire.expire, expire.after = true, false
		cs = append(cs, expectFor(New("reuse/after-idle-end/"+m+" "+r.path()).Session(fakeauth.Active).
			Request(m, r.path()).Header(r.Header).withReuse(expire).
			WantSession(SessionDeleted).WantCookie(authtest.Cleared).WantStatusIn(NotServerError()), r))
		if sos := t.signOuts(); len(sos) > 0 {
			sm, sp := methodPath(sos[0].Route)
			cs = append(cs, Logout().Request(sm, sp).Header(sos[0].Header).WantAnswer(sos[0].Success.or(Answer{Status: Status{200, 399}})).
				withReuse(*use).Named("reuse/after-sign-out"))
		}
		other := *use
		other.other = true
		if t.SignOutOthers != "" {
			sm, sp := methodPath(t.SignOutOthers)
			cs = append(cs, New("reuse/after-sign-out-others").Session(fakeauth.Active).OtherSessions(1).
				Request(sm, sp).From(SameOrigin).withReuse(other).WantOtherSessions(SessionDeleted))
		}
		for _, x := range []struct {
			name string
			a    *Action
			v    valuesOf
		}{
			{"reuse/after-change-password", t.ChangePassword, rightPassword},
			{"reuse/after-delete-account", t.DeleteAccount, rightPassword},
			{"reuse/after-revoke-session", t.RevokeSession, otherDevice},
		} {
			if x.a != nil {
				cs = append(cs, onAction(New(x.name).Session(fakeauth.Active).OtherSessions(1), *x.a, x.v).
					withReuse(other).WantOtherSessions(SessionDeleted))
			}
		}
	}
	if sos := t.signOuts(); len(sos) > 0 {
		sm, sp := methodPath(sos[0].Route)
		for _, r := range t.BearerRoutes {
			for _, m := range r.Methods() {
				if isUnsafe(m) {
					continue
				}
				use := reuse{method: m, path: r.path(), header: r.Header, bearer: true, signedOut: r.SignedOut, after: true}
				cs = append(cs, Logout().Request(sm, sp).Header(sos[0].Header).WantAnswer(sos[0].Success.or(Answer{Status: Status{200, 399}})).
					withReuse(use).Named("reuse/bearer-after-sign-out/"+m+" "+r.path()))
				break
			}
		}
	}
	return cs
}

// withReuse returns c presenting a session before and after its request,
// as u says.
func (c Case) withReuse(u reuse) Case { c.reuse = &u; return c }
