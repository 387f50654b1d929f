package scenarios

import (
	"fmt"
	"net/http"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The named cases below expect what the table of package authrequest's doc
// (What Session does) says of a handler that reads the session on every
// request and answers a store failure with a 5xx status. Each returns a Case to adjust further.

// Active is an active session sent with a GET: the session is kept, the
// cookie untouched, one read and no write.
func Active() Case {
	return New("active").Session(fakeauth.Active).
		WantSession(SessionKept).WantCookie(authtest.CookieUntouched).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(0)
}

// Renewed is an idle session sent with a GET: it is renewed in place with
// one conditional write and its cookie is issued again with the new expiry.
func Renewed() Case {
	return New("renewed").Session(fakeauth.Idle).
		WantSession(SessionRenewed).WantCookie(authtest.CookieRenewed).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(1)
}

// Expired is a session past its idle period: it is deleted when read and
// the cookie is cleared.
func Expired() Case {
	return New("expired").Session(fakeauth.Dead).
		WantSession(SessionDeleted).WantCookie(authtest.CookieCleared).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(1)
}

// Cleared is the cookie of a session invalidated elsewhere (signed out on
// another device): the cookie is cleared, nothing is written.
func Cleared() Case {
	return New("cleared").Cookie(CookieInvalidated).
		WantSession(NoSession).WantCookie(authtest.CookieCleared).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(0)
}

// MissingCookie is a request without a session cookie: nothing is read,
// nothing is set.
func MissingCookie() Case {
	return New("missing-cookie").Cookie(CookieNone).
		WantSession(NoSession).WantCookie(authtest.CookieUntouched).WantStatusIn(NotServerError()).
		WantValidations(0).WantWrites(0)
}

// CookieMalformed is a cookie that can't be a token: it is cleared without a
// store read.
func MalformedToken() Case {
	return New("malformed-token").Cookie(CookieMalformed).
		WantSession(NoSession).WantCookie(authtest.CookieCleared).WantStatusIn(NotServerError()).
		WantValidations(0).WantWrites(0)
}

// CookieUnknown is a well-formed token the store never issued: one read,
// then the cookie is cleared.
func UnknownToken() Case {
	return New("unknown-token").Cookie(CookieUnknown).
		WantSession(NoSession).WantCookie(authtest.CookieCleared).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(0)
}

// DeletedUser is the session of a user deleted since: the cookie is
// cleared.
func DeletedUser() Case {
	return New("deleted-user").Session(fakeauth.DeletedUser).
		WantSession(NoSession).WantCookie(authtest.CookieCleared).WantStatusIn(NotServerError()).
		WantValidations(1).WantWrites(0)
}

// CrossOrigin is an active session sent with a forged POST from another
// site: refused with 403 before the store is read, the cookie untouched.
// A cross-site request must never sign anyone in or out.
func CrossOrigin() Case {
	return New("cross-origin").Session(fakeauth.Active).Method(http.MethodPost).From(CrossSite).
		WantSession(SessionKept).WantCookie(authtest.CookieUntouched).WantStatus(http.StatusForbidden).
		WantValidations(0).WantWrites(0)
}

// StoreDown is an active session while the store fails every read: the
// handler answers 5xx and leaves the cookie alone, so that the session
// works again when the store is back.
func StoreDown() Case {
	return New("store-down").Session(fakeauth.Active).FailSessionReads(-1).
		WantSession(SessionKept).WantCookie(authtest.CookieUntouched).WantStatusIn(ServerError()).
		WantWrites(0)
}

// ConcurrentRenewal is an idle session sent by 16 requests at once: every
// one gets through, none clears the cookie, and exactly one store write
// renews the session.
func ConcurrentRenewal() Case {
	return New("concurrent-renewal").Session(fakeauth.Idle).Concurrent(16).
		WantSession(SessionRenewed).WantStatusIn(NotServerError()).
		WantValidations(-1).WantWrites(1)
}

// Logout is a same-origin POST of an active session to a sign-out route:
// the session is invalidated and the cookie cleared.
func Logout() Case {
	return New("logout").Session(fakeauth.Active).Method(http.MethodPost).From(SameOrigin).
		WantSession(SessionDeleted).WantCookie(authtest.CookieCleared).WantStatusIn(NotServerError()).
		WantWrites(1)
}

// unsafeMethods returns the methods the origin check applies to.
func unsafeMethods() []string {
	return []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
}

// Standard returns the matrix of the table of package authrequest's doc
// (What Session does), crossed with the boundary instants of the lifetime
// rules (package auth's doc) and with request methods: every start
// with GET and with each unsafe method sent from the same origin; every
// boundary instant with GET and POST; forged requests of every unsafe
// method in current and old browsers; store failures on each operation a
// request uses; concurrent renewal; and, for targets with a logout route
// (Target.LogoutPath), sign-out.
//
// The cases expect a handler that reads the session on every request of
// the target's path and answers a store failure with a 5xx status.
func Standard() []Case {
	var cs []Case
	starts := []Case{MissingCookie(), MalformedToken(), UnknownToken(), Cleared(), Active(), Renewed(), Expired(), DeletedUser()}
	for _, c := range starts {
		cs = append(cs, c.Named(c.name+"/GET"))
		for _, m := range unsafeMethods() {
			cs = append(cs, c.Method(m).From(SameOrigin).Named(c.name+"/"+m))
		}
	}
	for _, st := range []fakeauth.State{
		fakeauth.ActiveEndMinus1, fakeauth.ActiveEnd, fakeauth.ActiveEndPlus1,
		fakeauth.IdleEndMinus1, fakeauth.IdleEnd, fakeauth.IdleEndPlus1,
	} {
		base := Active()
		switch st {
		case fakeauth.ActiveEndPlus1, fakeauth.IdleEndMinus1, fakeauth.IdleEnd:
			base = Renewed()
		case fakeauth.IdleEndPlus1:
			base = Expired()
		}
		base = base.Session(st)
		cs = append(cs,
			base.Named(st.String()+"/GET"),
			base.Method(http.MethodPost).From(SameOrigin).Named(st.String()+"/POST"))
	}
	for _, m := range unsafeMethods() {
		for _, st := range []fakeauth.State{fakeauth.Active, fakeauth.Idle} {
			for _, o := range []Origin{CrossSite, CrossSiteOldBrowser} {
				cs = append(cs, CrossOrigin().Session(st).Method(m).From(o).
					Named(fmt.Sprintf("cross-origin/%s/%s/%s", o, m, st)))
			}
		}
	}
	cs = append(cs,
		CrossOrigin().From(SameSiteSibling).Named("cross-origin/same-site-sibling/POST"),
		CrossOrigin().From(NullOrigin).Named("cross-origin/null-origin/POST"),
		CrossOrigin().Cookie(CookieNone).WantSession(NoSession).Named("cross-origin/POST/no-cookie"),
		Active().From(CrossSite).Named("cross-origin/GET/active"),
		Renewed().From(CrossSite).Named("cross-origin/GET/idle"),
	)
	cs = append(cs,
		StoreDown().Named("store-down/read/GET"),
		StoreDown().Method(http.MethodPost).From(SameOrigin).Named("store-down/read/POST"),
		StoreDown().Session(fakeauth.Idle).Named("store-down/read/GET/idle"),
		StoreDown().Session(fakeauth.Idle).FailStore(fakeauth.OpRenewSession, -1).WantValidations(1).Named("store-down/renew/GET"),
		StoreDown().Session(fakeauth.Dead).FailStore(fakeauth.OpDeleteSession, -1).WantValidations(1).Named("store-down/delete-expired/GET"),
		StoreDown().FailSessionReads(1).WantValidations(1).Named("store-down/one-failure/GET"),
	)
	cs = append(cs, ConcurrentRenewal().Named("concurrent-renewal/GET x16"))
	cs = append(cs,
		Logout().Named("logout/active").Request(http.MethodPost, logoutPath),
		// Reading an idle session renews it before it is deleted: two writes.
		Logout().Session(fakeauth.Idle).WantWrites(-1).Named("logout/idle").Request(http.MethodPost, logoutPath),
		Logout().Cookie(CookieNone).WantSession(NoSession).WantCookie(authtest.CookieUntouched).WantStatus(http.StatusUnauthorized).WantWrites(0).
			Named("logout/no-session").Request(http.MethodPost, logoutPath),
		CrossOrigin().Named("logout/cross-origin").Request(http.MethodPost, logoutPath),
		StoreDown().Method(http.MethodPost).From(SameOrigin).Named("logout/store-down").Request(http.MethodPost, logoutPath),
		StoreDown().Method(http.MethodPost).From(SameOrigin).FailStore(fakeauth.OpDeleteSession, -1).
			Named("logout/store-down-on-delete").Request(http.MethodPost, logoutPath),
	)
	cs = append(cs, lifetimeCases()...)
	return cs
}

// logoutPath stands for the target's Target.LogoutPath; cases that use it
// are skipped for a target without one.
const logoutPath = "<logout>"
