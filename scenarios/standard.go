package scenarios

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The named cases below expect what the table of package authrequest's doc
// (What Session does) says of a handler that reads the session on every
// request and answers a store failure with a 5xx status. Each returns a Case to adjust further.

// Active is an active session sent with a GET: the session is kept, the
// cookie untouched, one read and no write.
func Active() Case {
	return read(New("active").Session(fakeauth.Active), SessionKept, authtest.Untouched, 1, 0)
}

// Idle is an idle session sent with a GET: it is renewed in place with
// one conditional write and its cookie is issued again with the new expiry.
func Idle() Case {
	return read(New("idle").Session(fakeauth.Idle), SessionRenewed, authtest.Renewed, 1, 1)
}

// Expired is a session past its idle period: it is deleted when read and
// the cookie is cleared.
func Expired() Case {
	return read(New("expired").Session(fakeauth.Dead), SessionDeleted, authtest.Cleared, 1, 1)
}

// Invalidated is the cookie of a session invalidated elsewhere (signed out on
// another device): the cookie is cleared, nothing is written.
func Invalidated() Case {
	return read(New("invalidated").Session(fakeauth.Invalidated), NoSession, authtest.Cleared, 1, 0)
}

// MissingCookie is a request without a session cookie: nothing is read,
// nothing is set.
func MissingCookie() Case {
	return read(New("missing-cookie"), NoSession, authtest.Untouched, 0, 0)
}

// MalformedToken is a cookie that can't be a token: it is cleared without a
// store read.
func MalformedToken() Case {
	return read(New("malformed-token").Cookie(malformedToken), NoSession, authtest.Cleared, 0, 0)
}

// UnknownToken is a well-formed token the store never issued: one read,
// then the cookie is cleared.
func UnknownToken() Case {
	return read(New("unknown-token").Cookie(unknownToken), NoSession, authtest.Cleared, 1, 0)
}

// DeletedUser is the session of a user deleted since: the cookie is
// cleared.
func DeletedUser() Case {
	return read(New("deleted-user").Session(fakeauth.DeletedUser), NoSession, authtest.Cleared, 1, 0)
}

// CrossOrigin is an active session sent with a forged POST from another
// site: refused with 403 before the store is read, the cookie untouched.
// A cross-site request must never sign anyone in or out.
func CrossOrigin() Case {
	return New("cross-origin").Session(fakeauth.Active).Method(http.MethodPost).From(CrossSite).
		WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatus(http.StatusForbidden).
		WantValidations(0).WantWrites(0)
}

// StoreDown is an active session while the store fails every read: the
// handler answers 5xx and leaves the cookie alone, so that the session
// works again when the store is back.
func StoreDown() Case {
	return New("store-down").Session(fakeauth.Active).FailSessionReads(-1).
		WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(ServerError()).
		WantWrites(0)
}

// ConcurrentIdle is an idle session sent by 16 requests at once: every
// one gets through, none clears the cookie, and exactly one store write
// renews the session.
func ConcurrentIdle() Case {
	return New("concurrent-idle").Session(fakeauth.Idle).Concurrent(16).
		WantSession(SessionRenewed).WantStatusIn(NotServerError()).
		WantValidations(-1).WantWrites(1)
}

// Logout is a same-origin POST of an active session to a sign-out route:
// the session is invalidated and the cookie cleared.
func Logout() Case {
	return New("logout").Session(fakeauth.Active).Method(http.MethodPost).From(SameOrigin).
		WantSession(SessionDeleted).WantCookie(authtest.Cleared).WantStatusIn(NotServerError()).
		WantWrites(1)
}

// read is c answered as a handler that reads the session answers: effect e
// on the stored session, cookie change ch, a status that is not 5xx, and
// that many session reads and store writes.
func read(c Case, e Effect, ch authtest.CookieChange, validations, writes int) Case {
	return c.WantSession(e).WantCookie(ch).WantStatusIn(NotServerError()).WantValidations(validations).WantWrites(writes)
}

// unsafeMethods returns the methods the origin check applies to.
func unsafeMethods() []string {
	return []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
}

func isUnsafe(m string) bool { return slices.Contains(unsafeMethods(), m) }

// A Family makes the cases of one concern for a target: its sessions on
// every route, forged requests, store failures, sign-in...
type Family func(t Target) []Case

// Families returns the families [Standard] is made of, in order. A new
// family of cases joins the standard table as one more entry here.
func Families() []Family {
	return []Family{
		SessionCases, BoundaryCases, CrossOriginCases, StoreDownCases, ConcurrencyCases,
		SignUpCases, SignInCases, SignOutCases, LifetimeCases, SignOutOthersCases,
		ChangePasswordCases, DeleteAccountCases, RevokeSessionCases, BearerCases, ReuseCases,
	}
}

// Standard returns the standard table for the target, generated from its
// description ([Target]): every family of [Families], then the extra
// families given. For each protected route and each method it takes,
// every start (no cookie, a broken one, a session active, idle, expired,
// of a deleted user) with the route's signed-out or signed-in answer;
// boundary instants of the lifetime rules; forged requests of every unsafe
// method the routes take, in current and old browsers; store failures on
// each operation a request uses; concurrent renewal; and, for the routes
// the target has, sign-up, sign-in (including one that replaces a planted
// session, and one after the store failed) and sign-out (including one on
// a cross-site GET).
//
// The cases expect a handler that reads the session on every request of
// a protected route and answers a store failure with a 5xx status.
func Standard(t Target, extra ...Family) []Case {
	var cs []Case
	for _, fam := range append(Families(), extra...) {
		if fam != nil {
			cs = append(cs, fam(t)...)
		}
	}
	return cs
}

// signedOutStarts and signedInStarts are the starts of a request, by what
// it should be answered.
func signedOutStarts() []Case {
	return []Case{MissingCookie(), MalformedToken(), UnknownToken(), Invalidated(), Expired(), DeletedUser()}
}

func signedInStarts() []Case { return []Case{Active(), Idle()} }

// readMethods returns the methods of r that only read the session: those
// of a route the target also names as one that changes the account or its
// sessions (sign-in, sign-out, "sign out everywhere else"...) are left to
// that route's own family, whose expectations are not read-only ones.
func (t Target) readMethods(r Route) []string {
	var changing []string
	for _, f := range []*Form{t.SignUp, t.SignIn} {
		if f != nil {
			changing = append(changing, f.Route)
		}
	}
	for _, so := range t.signOuts() {
		changing = append(changing, so.Route)
	}
	for _, a := range []*Action{t.ChangePassword, t.DeleteAccount, t.RevokeSession} {
		if a != nil {
			changing = append(changing, a.Route)
		}
	}
	if t.SignOutOthers != "" {
		changing = append(changing, t.SignOutOthers)
	}
	var ms []string
	for _, m := range r.Methods() {
		if !slices.ContainsFunc(changing, func(route string) bool {
			cm, cp := methodPath(route)
			return cm == m && cp == r.path()
		}) {
			ms = append(ms, m)
		}
	}
	return ms
}

// signOuts returns the target's sign-out routes: SignOut, then
// MoreSignOuts.
func (t Target) signOuts() []SignOut {
	var sos []SignOut
	if t.SignOut != nil {
		sos = append(sos, *t.SignOut)
	}
	return append(sos, t.MoreSignOuts...)
}

// onRoute aims c at route r with method m, from the same origin for an
// unsafe method, with the route's headers, and names it after them:
// "active/GET /profile".
func onRoute(c Case, r Route, m string) Case {
	c = c.Request(m, r.path()).Header(r.Header)
	if isUnsafe(m) {
		c = c.From(SameOrigin)
	}
	return c.Named(c.name + "/" + m + " " + r.path())
}

// expectFor adds what route r answers: its signed-out answer when want is
// NoSession or SessionDeleted, a signed-in answer otherwise.
func expectFor(c Case, r Route) Case {
	switch c.want.Session {
	case NoSession, SessionDeleted:
		return c.WantAnswer(r.SignedOut)
	}
	return c.WantSignedIn(r.SignedOut)
}

// SessionCases is every start on every route, with each method it takes.
func SessionCases(t Target) []Case {
	var cs []Case
	for _, r := range t.Routes {
		for _, m := range t.readMethods(r) {
			for _, c := range append(signedOutStarts(), signedInStarts()...) {
				cs = append(cs, expectFor(onRoute(c, r, m), r))
			}
		}
	}
	return cs
}

// firstRoutes returns a route taking a safe method and one taking an
// unsafe method (GET and POST, typically), with those methods; either may
// be missing.
func firstRoutes(t Target) (routes []Route, methods []string) {
	for _, want := range []func(string) bool{func(m string) bool { return !isUnsafe(m) }, isUnsafe} {
	find:
		for _, r := range t.Routes {
			for _, m := range t.readMethods(r) {
				if want(m) {
					routes, methods = append(routes, r), append(methods, m)
					break find
				}
			}
		}
	}
	return routes, methods
}

// BoundaryCases is each boundary instant of the lifetime rules (package
// auth's doc) with a safe and an unsafe method.
func BoundaryCases(t Target) []Case {
	var cs []Case
	routes, methods := firstRoutes(t)
	for _, st := range []fakeauth.State{
		fakeauth.ActiveEndMinus1, fakeauth.ActiveEnd, fakeauth.ActiveEndPlus1,
		fakeauth.IdleEndMinus1, fakeauth.IdleEnd, fakeauth.IdleEndPlus1,
	} {
		base := Active()
		switch st {
		case fakeauth.ActiveEndPlus1, fakeauth.IdleEndMinus1, fakeauth.IdleEnd:
			base = Idle()
		case fakeauth.IdleEndPlus1:
			base = Expired()
		}
		base = base.Session(st).Named(st.String())
		for i, r := range routes {
			cs = append(cs, expectFor(onRoute(base, r, methods[i]), r))
		}
	}
	return cs
}

// CrossOriginCases is forged requests: every unsafe method a route takes,
// with an active and an idle session, from another site in current and
// old browsers, and from a sibling subdomain and a null origin; and a
// cross-site GET, which is answered as any GET.
func CrossOriginCases(t Target) []Case {
	var cs []Case
	for _, r := range t.Routes {
		for _, m := range t.readMethods(r) {
			if !isUnsafe(m) {
				continue
			}
			for _, st := range []fakeauth.State{fakeauth.Active, fakeauth.Idle} {
				for _, o := range []Origin{CrossSite, CrossSiteOldBrowser} {
					cs = append(cs, CrossOrigin().Session(st).Request(m, r.path()).Header(r.Header).From(o).
						Named(fmt.Sprintf("cross-origin/%s/%s %s/%s", o, m, r.path(), st)))
				}
			}
		}
	}
	routes, methods := firstRoutes(t)
	for i, r := range routes {
		m := methods[i]
		where := m + " " + r.path()
		if isUnsafe(m) {
			cs = append(cs,
				CrossOrigin().Request(m, r.path()).Header(r.Header).From(SameSiteSibling).Named("cross-origin/same-site-sibling/"+where),
				CrossOrigin().Request(m, r.path()).Header(r.Header).From(NullOrigin).Named("cross-origin/null-origin/"+where),
				CrossOrigin().Request(m, r.path()).Header(r.Header).NoCookie().WantSession(NoSession).Named("cross-origin/no-cookie/"+where))
			continue
		}
		cs = append(cs,
			expectFor(Active().Request(m, r.path()).Header(r.Header).From(CrossSite).Named("cross-origin/"+where+"/active"), r),
			expectFor(Idle().Request(m, r.path()).Header(r.Header).From(CrossSite).Named("cross-origin/"+where+"/idle"), r))
	}
	return cs
}

// StoreDownCases is store failures on each operation a request uses: the
// session read (with a safe and an unsafe method), the renewal of an idle
// session, the deletion of an expired one, and a single failed read.
func StoreDownCases(t Target) []Case {
	var cs []Case
	routes, methods := firstRoutes(t)
	for i, r := range routes {
		m := methods[i]
		on := func(c Case, name string) Case {
			c = c.Request(m, r.path()).Header(r.Header)
			if isUnsafe(m) {
				c = c.From(SameOrigin)
			}
			return c.Named(name + "/" + m + " " + r.path())
		}
		cs = append(cs, on(StoreDown(), "store-down/read"))
		if i > 0 {
			continue
		}
		cs = append(cs,
			on(StoreDown().Session(fakeauth.Idle), "store-down/read/idle"),
			on(StoreDown().Session(fakeauth.Idle).FailStore(fakeauth.OpRenewSession, -1).WantValidations(1), "store-down/renew"),
			on(StoreDown().Session(fakeauth.Dead).FailStore(fakeauth.OpDeleteSession, -1).WantValidations(1), "store-down/delete-expired"),
			on(StoreDown().FailSessionReads(1).WantValidations(1), "store-down/one-failure"))
	}
	return cs
}

// ConcurrencyCases is 16 requests renewing one idle session at once.
func ConcurrencyCases(t Target) []Case {
	routes, methods := firstRoutes(t)
	if len(routes) == 0 {
		return nil
	}
	r, m := routes[0], methods[0]
	return []Case{ConcurrentIdle().Request(m, r.path()).Header(r.Header).Named("concurrent-idle/" + m + " " + r.path() + " x16")}
}

// SignUpCases is the sign-up route: a new user is signed in; an empty
// password, a taken name and a forged request create no session; a store
// failure is a 5xx and creates none.
func SignUpCases(t Target) []Case {
	if t.SignUp == nil {
		return nil
	}
	f := *t.SignUp
	cu := t.creds()
	newUser := Credentials{Username: "new-" + cu.Username, Password: cu.Password}
	ok := New("sign-up").PostCredentials(f, newUser).From(SameOrigin).
		WantCookie(authtest.Set).WantAnswer(f.Success.or(Answer{Status: Status{200, 399}})).WantNewSessions(1)
	refused := ok.WantCookie(authtest.Untouched).WantAnswer(Answer{Status: NotServerError()}).WantNewSessions(0)
	return []Case{
		ok.Named("sign-up/ok"),
		refused.postCredentials(f, Credentials{Username: newUser.Username}, "with an empty password").Named("sign-up/empty-password"),
		refused.postCredentials(f, Credentials{Password: newUser.Password}, "with an empty username").Named("sign-up/empty-username"),
		refused.postCredentials(f, cu, "with the name of a user who exists").Named("sign-up/taken"),
		refused.From(CrossSite).WantStatus(http.StatusForbidden).Named("sign-up/cross-origin"),
		// A retry of the same sign-up would find the name taken: no retry.
		refused.FailStore(fakeauth.OpCreateSession, 1).WantAnswer(Answer{Status: ServerError()}).Named("sign-up/store-down"),
	}
}

// SignInCases is the sign-in route: the right password signs in; one
// that replaces a planted session invalidates it and sets another token
// (no session fixation); a wrong password, a forged request and a store
// failure create no session, and after the failure a retry works.
func SignInCases(t Target) []Case {
	if t.SignIn == nil {
		return nil
	}
	f := *t.SignIn
	cu := t.creds()
	ok := New("sign-in").postCredentials(f, cu, "with "+cu.Username+"'s password").From(SameOrigin).
		WantCookie(authtest.Set).WantAnswer(f.Success.or(Answer{Status: Status{200, 399}})).WantNewSessions(1)
	refused := ok.WantCookie(authtest.Untouched).WantAnswer(Answer{Status: NotServerError()}).WantNewSessions(0)
	cs := []Case{
		ok.WantSession(NoSession).Named("sign-in/ok"),
		ok.Session(fakeauth.Active).WantSession(SessionDeleted).WantCookie(authtest.Rotated).Named("sign-in/replaces-planted-session"),
		refused.postCredentials(f, Credentials{Username: cu.Username, Password: cu.Password + "!"}, "with a wrong password").Named("sign-in/wrong-password"),
		refused.postCredentials(f, Credentials{Username: cu.Username}, "with an empty password").Named("sign-in/empty-password"),
		refused.postCredentials(f, Credentials{Username: "unknown-" + cu.Username, Password: cu.Password}, "as a user who does not exist").Named("sign-in/unknown-user"),
		refused.From(CrossSite).WantStatus(http.StatusForbidden).Named("sign-in/cross-origin"),
		refused.FailStore(fakeauth.OpCreateSession, 1).WantAnswer(Answer{Status: ServerError()}).ThenRetry().Named("sign-in/store-down"),
	}
	if f.RememberMe != "" {
		cs = append(cs,
			ok.withCredentials(func(b *credentialsBody) { b.remember = true }).WantPersistence(Persistent).Named("sign-in/remember-me"),
			ok.WantPersistence(EndsWithBrowser).Named("sign-in/without-remember-me"))
	}
	if f.Next != "" {
		for _, rp := range returnPaths() {
			c := ok.withCredentials(func(b *credentialsBody) { b.next = rp.path })
			if _, safe := authrequest.SafeReturnPath(rp.path); safe {
				// It leads where the return path says, not where the
				// form's success leads by default.
				c = c.WantAnswer(Answer{Status: f.Success.or(Answer{Status: Status{200, 399}}).Status})
			}
			cs = append(cs, c.Named("sign-in/next/"+rp.name))
		}
	}
	return cs
}

// A returnPath is a value of the sign-in's return path, named.
type returnPath struct{ name, path string }

// returnPaths returns the return paths the sign-in cases send: ways
// browsers are led off the site (RFC 3986 §4.2 network-path references,
// the WHATWG URL parser's backslashes and stripped tabs, encoded
// slashes an app decodes once more, schemes) and a safe path, which must
// be followed. authrequest.SafeReturnPath decides which is which.
func returnPaths() []returnPath {
	return []returnPath{
		{"scheme-relative", "//evil.example"},
		{"absolute-url", "https://evil.example/"},
		{"backslash", "/\\evil.example"},
		{"encoded-slashes", "/%2F%2Fevil.example"},
		{"encoded-backslash", "/%5Cevil.example"},
		{"tab", "/\t/evil.example"},
		{"javascript", "javascript:alert(1)"},
		{"safe", "/account?tab=devices"},
	}
}

// SignOutCases is the sign-out routes (SignOut, then each of
// MoreSignOuts, whose cases are named after its route): an active or idle
// session is invalidated and its cookie cleared; without a session the
// route answers its NoSession answer; a forged POST, a cross-site GET and
// a store failure sign no one out.
func SignOutCases(t Target) []Case {
	var cs []Case
	for i, so := range t.signOuts() {
		m, p := methodPath(so.Route)
		prefix := "sign-out/"
		if i > 0 || t.SignOut == nil {
			prefix = "sign-out/" + m + " " + p + "/"
		}
		cs = append(cs, signOutCases(so, prefix)...)
	}
	return cs
}

// signOutCases is the cases of one sign-out route, named prefix + what.
func signOutCases(so SignOut, prefix string) []Case {
	m, p := methodPath(so.Route)
	success := so.Success.or(Answer{Status: Status{200, 399}})
	out := Logout().Request(m, p).Header(so.Header).WantAnswer(success)
	return []Case{
		out.Named(prefix + "active"),
		// Reading an idle session renews it before it is deleted: two writes.
		out.Session(fakeauth.Idle).WantWrites(-1).Named(prefix + "idle"),
		// Without a session, clearing the cookie anyway is harmless: the
		// cookie is not checked.
		New(prefix+"no-session").Request(m, p).Header(so.Header).From(SameOrigin).WantSession(NoSession).WantWrites(0).
			WantAnswer(so.NoSession.or(Answer{Status: NotServerError()})),
		CrossOrigin().Request(m, p).Header(so.Header).Named(prefix + "cross-origin"),
		New(prefix+"cross-site-GET").Session(fakeauth.Active).Request(http.MethodGet, p).Header(so.Header).From(CrossSite).
			WantSession(SessionKept).WantCookie(authtest.Untouched).WantStatusIn(NotServerError()).WantWrites(0),
		// Every session operation fails: a sign-out may read the session
		// first (APIHandler does) or delete it by its ID at once (SignOut).
		StoreDown().Request(m, p).Header(so.Header).From(SameOrigin).FailSessionOps(-1).Named(prefix + "store-down"),
		StoreDown().Request(m, p).Header(so.Header).From(SameOrigin).FailStore(fakeauth.OpDeleteSession, -1).Named(prefix + "store-down-on-delete"),
	}
}
