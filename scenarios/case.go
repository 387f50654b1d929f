package scenarios

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/internal/enumname"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// A Case is one scenario: what the browser holds and the store knows
// (given), the request it sends (when) and what must follow (then).
//
// A Case is a value. Its methods return a changed copy, so that a table
// can start from a named case and adjust it:
//
//	scenarios.Idle().Request("POST", "/settings").WantStatus(http.StatusOK)
type Case struct {
	name string

	// Given.
	state   fakeauth.State // the session the browser holds; 0 for none
	cookie  *string        // without a session: the cookie's value, or nil for no cookie
	advance time.Duration
	fault   *fault

	others  int  // more sessions of the user, on other devices
	foreign bool // a session of another user

	// When.
	method      string
	path        string
	header      http.Header
	bearer      bool
	origin      Origin
	originURL   string
	concurrency int
	creds       *credentialsBody
	action      *actionBody
	retry       bool
	reuse       *reuse

	// Then.
	want Want
}

// credentialsBody is the body of a sign-up or sign-in request.
type credentialsBody struct {
	form     Form
	creds    Credentials
	how      string // "with a wrong password", for Describe
	remember bool   // tick form.RememberMe
	next     string // the return path sent in form.Next
}

// actionBody is the body of a request to an Action.
type actionBody struct {
	action Action
	values valuesOf
}

// valuesOf says what a case fills an Action's body with.
type valuesOf int

const (
	rightPassword valuesOf = iota // the user's password
	wrongPassword                 // a wrong current password
	otherDevice                   // SessionID: the user's other session
	anotherUsers                  // SessionID: another user's session
)

// reuse is a request that presents a session's token to a route of the
// app before the case's request (to be accepted, filling any cache the
// app keeps) and, when after is set, again after it, to the same handler:
// a session the case's request ended must then be refused.
type reuse struct {
	method, path string
	header       http.Header
	bearer       bool
	other        bool   // the token of the user's other session, not the request's
	signedOut    Answer // the route's answer to a request without a session
	expire       bool   // after the first request, move the clock past the session's idle end
	after        bool
}

// Origin is where the request comes from, as its Origin and Sec-Fetch-Site
// headers tell.
type Origin int

// The origins of a request.
const (
	// NoOrigin: neither header, as from curl or a server.
	NoOrigin Origin = iota
	// SameOrigin: a fetch or form post from the app's own pages.
	SameOrigin
	// CrossSite: a forged post from another site, in a current browser
	// (Origin and Sec-Fetch-Site: cross-site).
	CrossSite
	// CrossSiteOldBrowser: the same from a browser without Sec-Fetch-Site
	// (Origin only).
	CrossSiteOldBrowser
	// SameSiteSibling: from a sibling subdomain (Sec-Fetch-Site: same-site).
	SameSiteSibling
	// NullOrigin: "Origin: null", from a sandboxed frame or a data: URL.
	NullOrigin
)

// String returns the origin's name, such as "cross-site".
func (o Origin) String() string {
	return enumname.String(o, "Origin", "no-origin", "same-origin", "cross-site", "cross-site-old-browser", "same-site", "null-origin")
}

type fault struct {
	ops   []fakeauth.Op
	count int // < 0: every call
	err   error
}

// New starts a custom case: no cookie, a GET of the target's path, no
// expectations. Chain methods to say more.
func New(name string) Case {
	return Case{name: name, method: http.MethodGet, concurrency: 1,
		want: Want{Validations: -1, Writes: -1, NewSessions: -1}}
}

// Name returns the case's name.
func (c Case) Name() string { return c.name }

// Named returns c with another name.
func (c Case) Named(name string) Case { c.name = name; return c }

// Session returns c starting with a session seeded in state s, its
// cookie sent. A state whose session is gone (fakeauth.Invalidated,
// fakeauth.DeletedUser) sends the cookie of a session the store no longer
// has.
func (c Case) Session(s fakeauth.State) Case { c.state, c.cookie = s, nil; return c }

// Cookie returns c starting with a session cookie of the given value that
// names no session the case seeded: a value that is not a token
// ([MalformedToken]), or a well-formed token the store never issued
// ([UnknownToken]).
func (c Case) Cookie(value string) Case { c.state, c.cookie = 0, &value; return c }

// NoCookie returns c starting with no session cookie, as [New] does.
func (c Case) NoCookie() Case { c.state, c.cookie = 0, nil; return c }

// Advance returns c with the clock moved by d after the session is seeded
// and before the request.
func (c Case) Advance(d time.Duration) Case { c.advance = d; return c }

// FailStore returns c with the next count calls of op failing (every call
// when count is negative), as a store that is down.
func (c Case) FailStore(op fakeauth.Op, count int) Case {
	c.fault = &fault{ops: []fakeauth.Op{op}, count: count, err: fakeauth.ErrInjected}
	return c
}

// FailSessionReads returns c with the next count session reads failing
// (every one when count is negative), whichever read the handler makes:
// GetSession (for a session alone) or GetSessionAndUser (with its user).
// Like FailStore, it replaces any fault c had.
func (c Case) FailSessionReads(count int) Case {
	c.fault = &fault{ops: sessionReads(), count: count, err: fakeauth.ErrInjected}
	return c
}

// FailSessionOps returns c with the next count calls of every session
// read and of DeleteSession failing (every one when count is negative):
// a store that is down for whatever a request does to a session. Like
// FailStore, it replaces any fault c had.
func (c Case) FailSessionOps(count int) Case {
	c.fault = &fault{ops: append(sessionReads(), fakeauth.OpRenewSession, fakeauth.OpDeleteSession), count: count, err: fakeauth.ErrInjected}
	return c
}

// sessionReads returns the store reads that validate a session.
func sessionReads() []fakeauth.Op {
	return []fakeauth.Op{fakeauth.OpGetSession, fakeauth.OpGetSessionAndUser}
}

// OtherSessions returns c with n more active sessions of the case's user
// (other devices) seeded beside the request's own.
func (c Case) OtherSessions(n int) Case { c.others = max(n, 0); return c }

// ForeignSession returns c with an active session of another user seeded:
// a user made as the case's user is, named "other-" + its name.
func (c Case) ForeignSession() Case { c.foreign = true; return c }

// Header returns c sending the request headers h as well, such as htmx's
// "HX-Request: true".
func (c Case) Header(h http.Header) Case { c.header = h; return c }

// Bearer returns c sending the session's token in an "Authorization:
// Bearer" header instead of the cookie.
func (c Case) Bearer() Case { c.bearer = true; return c }

// Request returns c sending method to path; an empty path means the
// target's path for the method.
func (c Case) Request(method, path string) Case { c.method, c.path = method, path; return c }

// Method returns c sending method to the target's path for it.
func (c Case) Method(method string) Case { c.method = method; return c }

// From returns c sending its request from origin o. For CrossSite,
// CrossSiteOldBrowser and SameSiteSibling the other origin is
// "https://evil.example" or "https://sibling.example.com"; FromOrigin sets
// another.
func (c Case) From(o Origin) Case { c.origin = o; return c }

// FromOrigin returns c sending its request from origin o with the given
// Origin header value.
func (c Case) FromOrigin(o Origin, originURL string) Case {
	c.origin, c.originURL = o, originURL
	return c
}

// Concurrent returns c sending n copies of its request at once.
func (c Case) Concurrent(n int) Case {
	if n < 1 {
		n = 1
	}
	c.concurrency = n
	return c
}

// WantSession returns c expecting effect e on the stored session.
func (c Case) WantSession(e Effect) Case { c.want.Session = e; return c }

// WantCookie returns c expecting the response to do ch to the session
// cookie.
func (c Case) WantCookie(ch authtest.CookieChange) Case {
	c.want.Cookie, c.want.CheckCookie = ch, true
	return c
}

// WantCookieIn returns c expecting the response to make one of the
// changes to the session cookie.
func (c Case) WantCookieIn(changes ...authtest.CookieChange) Case {
	c.want.CookieIn, c.want.CheckCookie = changes, false
	return c
}

// WantPersistence returns c expecting the session cookie the response
// sets to be persistent or to end with the browser.
func (c Case) WantPersistence(p Persistence) Case { c.want.Persistence = p; return c }

// WantOtherSessions returns c expecting effect e on the user's other
// sessions ([Case.OtherSessions]).
func (c Case) WantOtherSessions(e Effect) Case { c.want.OtherSessions = e; return c }

// WantForeignSession returns c expecting effect e on another user's
// session ([Case.ForeignSession]).
func (c Case) WantForeignSession(e Effect) Case { c.want.ForeignSession = e; return c }

// WantStatus returns c expecting exactly code.
func (c Case) WantStatus(code int) Case { c.want.Status = StatusCode(code); return c }

// WantStatusIn returns c expecting a status in s.
func (c Case) WantStatusIn(s Status) Case { c.want.Status = s; return c }

// WantValidations returns c expecting n session reads per request.
func (c Case) WantValidations(n int) Case { c.want.Validations = n; return c }

// WantWrites returns c expecting n store writes in all.
func (c Case) WantWrites(n int) Case { c.want.Writes = n; return c }

// WantNewSessions returns c expecting its requests to create n sessions.
func (c Case) WantNewSessions(n int) Case { c.want.NewSessions = n; return c }

// WantAnswer returns c expecting a response that looks like a.
func (c Case) WantAnswer(a Answer) Case { c.want.Answer = a; return c }

// WantSignedIn returns c expecting the signed-in answer of a route whose
// signed-out answer is signedOut (see [Route.SignedOut]).
func (c Case) WantSignedIn(signedOut Answer) Case { c.want.SignedInAs = &signedOut; return c }

// PostCredentials returns c posting creds to form's route, as a form or
// JSON as form says.
func (c Case) PostCredentials(form Form, creds Credentials) Case {
	c.creds = &credentialsBody{form: form, creds: creds, how: "with " + creds.Username + "'s credentials"}
	c.method, c.path = methodPath(form.Route)
	c.header = form.Header
	return c
}

// postCredentials is PostCredentials described as how.
func (c Case) postCredentials(form Form, creds Credentials, how string) Case {
	c = c.PostCredentials(form, creds)
	c.creds.how = how
	return c
}

// withCredentials returns c with its credentials body changed by edit.
func (c Case) withCredentials(edit func(b *credentialsBody)) Case {
	if c.creds != nil {
		b := *c.creds
		edit(&b)
		c.creds = &b
	}
	return c
}

// post returns c sending a's route a body filled with v.
func (c Case) post(a Action, v valuesOf) Case {
	c.action = &actionBody{action: a, values: v}
	c.method, c.path = methodPath(a.Route)
	c.header = a.Header
	return c
}

// ThenRetry returns c sending its request a second time once the store
// works again (its faults removed): the retry must answer like a success
// of the form c posts to and create one session.
func (c Case) ThenRetry() Case { c.retry = true; return c }

// Want returns what c expects.
func (c Case) Want() Want { return c.want }

// Describe returns the case on one line: given, when, then.
func (c Case) Describe() string {
	var b strings.Builder
	b.WriteString("given ")
	switch {
	case c.state != 0:
		fmt.Fprintf(&b, "a session: %s", c.state)
	case c.cookie != nil:
		fmt.Fprintf(&b, "a cookie %q", *c.cookie)
	default:
		b.WriteString("no-cookie")
	}
	if c.others > 0 {
		fmt.Fprintf(&b, ", %d other session(s) of the user", c.others)
	}
	if c.foreign {
		b.WriteString(", a session of another user")
	}
	if c.reuse != nil {
		fmt.Fprintf(&b, ", its %s accepted by %s %s", c.reuse.token(), c.reuse.method, c.reuse.path)
		if c.reuse.expire {
			b.WriteString(", then the clock past its idle end")
		}
	}
	if c.advance != 0 {
		sign := "+"
		if c.advance < 0 {
			sign = ""
		}
		fmt.Fprintf(&b, ", clock %s%v", sign, c.advance)
	}
	if c.fault != nil {
		ops := make([]string, len(c.fault.ops))
		for i, op := range c.fault.ops {
			ops[i] = string(op)
		}
		if c.fault.count < 0 {
			fmt.Fprintf(&b, ", %s always failing", strings.Join(ops, " or "))
		} else {
			fmt.Fprintf(&b, ", %s failing %d time(s)", strings.Join(ops, " or "), c.fault.count)
		}
	}
	fmt.Fprintf(&b, "; when %s %s", c.method, c.pathOrDefault())
	if c.bearer {
		b.WriteString(" with the token as a bearer token")
	}
	if c.creds != nil {
		b.WriteString(" " + c.creds.how)
		if c.creds.remember {
			b.WriteString(", remember me ticked")
		}
		if c.creds.next != "" {
			fmt.Fprintf(&b, ", return path %q", c.creds.next)
		}
	}
	if c.action != nil && c.action.action.Body != nil {
		b.WriteString(" " + c.action.values.String())
	}
	if c.origin != NoOrigin {
		fmt.Fprintf(&b, " from %s", c.origin)
	}
	if c.concurrency > 1 {
		fmt.Fprintf(&b, " x%d at once", c.concurrency)
	}
	b.WriteString("; then ")
	var then []string
	if c.want.Session != AnyEffect {
		then = append(then, "session "+c.want.Session.String())
	}
	if c.want.CheckCookie {
		then = append(then, "cookie "+c.want.Cookie.String())
	}
	if len(c.want.CookieIn) > 0 {
		names := make([]string, len(c.want.CookieIn))
		for i, ch := range c.want.CookieIn {
			names[i] = ch.String()
		}
		then = append(then, "cookie "+strings.Join(names, " or "))
	}
	if c.want.Persistence != AnyPersistence {
		then = append(then, "cookie "+c.want.Persistence.String())
	}
	if c.want.OtherSessions != AnyEffect {
		then = append(then, "other sessions "+c.want.OtherSessions.String())
	}
	if c.want.ForeignSession != AnyEffect {
		then = append(then, "the other user's session "+c.want.ForeignSession.String())
	}
	if c.want.Status != (Status{}) {
		then = append(then, "status "+c.want.Status.String())
	}
	if c.want.Validations >= 0 {
		then = append(then, fmt.Sprintf("%d validation(s)", c.want.Validations))
	}
	if c.want.Writes >= 0 {
		then = append(then, fmt.Sprintf("%d write(s)", c.want.Writes))
	}
	if c.want.NewSessions >= 0 {
		then = append(then, fmt.Sprintf("%d new session(s)", c.want.NewSessions))
	}
	if !c.want.Answer.IsZero() {
		then = append(then, "answer "+c.want.Answer.String())
	}
	if c.want.SignedInAs != nil {
		then = append(then, "a signed-in answer")
	}
	if c.retry {
		then = append(then, "then a retry succeeds")
	}
	if c.reuse != nil && c.reuse.after {
		then = append(then, "then its "+c.reuse.token()+" refused by "+c.reuse.method+" "+c.reuse.path)
	}
	if len(then) == 0 {
		then = append(then, "nothing checked")
	}
	b.WriteString(strings.Join(then, ", "))
	return b.String()
}

func (c Case) pathOrDefault() string {
	if c.path == "" {
		return "<target path>"
	}
	return c.path
}

// String describes the body, such as "with a wrong current password".
func (v valuesOf) String() string {
	switch v {
	case wrongPassword:
		return "with a wrong current password"
	case otherDevice:
		return "naming the user's other session"
	case anotherUsers:
		return "naming another user's session"
	}
	return "with the user's password"
}

// token names the token r presents.
func (r *reuse) token() string {
	t := "session"
	if r.other {
		t = "other session"
	}
	if r.bearer {
		t += " (bearer)"
	}
	return t
}
