package scenarios

import (
	"fmt"

	"github.com/authkit-dev/authkit/internal/enumname"

	"github.com/authkit-dev/authkit/authtest"
)

// Effect is what a request did to the stored session.
type Effect int

// The effects on the stored session.
const (
	// AnyEffect: not checked.
	AnyEffect Effect = iota
	// NoSession: there was no stored session for the request's cookie,
	// and there is none after.
	NoSession
	// SessionKept: the session is stored with the expiries it had.
	SessionKept
	// SessionRenewed: the session is stored with later expiries.
	SessionRenewed
	// SessionDeleted: the session was stored and is not any more.
	SessionDeleted
)

// String returns the effect's name, such as "renewed".
func (e Effect) String() string {
	if e == effectChanged {
		return "changed otherwise"
	}
	return enumname.String(e, "Effect", "any", "no session", "kept", "renewed", "deleted")
}

// Status is the range of HTTP status codes a case accepts.
type Status struct{ Min, Max int }

// StatusCode accepts exactly code.
func StatusCode(code int) Status { return Status{code, code} }

// AnyStatus accepts every status.
func AnyStatus() Status { return Status{} }

// ServerError accepts 500 to 599: what a handler should answer when the
// session store fails.
func ServerError() Status { return Status{500, 599} }

// NotServerError accepts 100 to 499.
func NotServerError() Status { return Status{100, 499} }

// Accepts reports whether code is in the range; the zero Status accepts
// every code.
func (s Status) Accepts(code int) bool {
	return s == Status{} || s.Min <= code && code <= s.Max
}

// String returns the range, such as "403", "5xx" or "any".
func (s Status) String() string {
	switch {
	case s == Status{}:
		return "any"
	case s.Min == s.Max:
		return fmt.Sprint(s.Min)
	case s == ServerError():
		return "5xx"
	case s == NotServerError():
		return "not 5xx"
	}
	return fmt.Sprintf("%d-%d", s.Min, s.Max)
}

// Persistence is whether a session cookie outlives the browser.
type Persistence int

// The persistences of a session cookie.
const (
	// AnyPersistence: not checked.
	AnyPersistence Persistence = iota
	// Persistent: the cookie has Expires or Max-Age ("remember me").
	Persistent
	// EndsWithBrowser: the cookie has neither (a browser session).
	EndsWithBrowser
)

// String returns the persistence's name, such as "persistent".
func (p Persistence) String() string {
	return enumname.String(p, "Persistence", "any", "persistent", "ends with the browser")
}

// Want is what a case expects. A field at its zero value is not checked,
// except Cookie, whose zero value is authtest.Untouched: set
// CheckCookie false to skip it.
//
// Whatever a case wants, a session cookie a response sets must be
// HttpOnly, Secure (unless the Auth is configured without), SameSite Lax
// or Strict (or None where the Auth is configured so), with the Auth's
// Path ("/") and no Domain unless the Auth is configured with one (RFC
// 6265bis §4.1.2);
// and unless Target.TokensInBody, no response body may hold a session
// token.
type Want struct {
	// Session is the effect on the stored session.
	Session Effect
	// Cookie is what the response does to the session cookie.
	Cookie      authtest.CookieChange
	CheckCookie bool
	// CookieIn, when not empty, are the changes the response may make to
	// the session cookie, one of them (Cookie is then not checked).
	CookieIn []authtest.CookieChange
	// Persistence is whether the session cookie the response sets
	// outlives the browser.
	Persistence Persistence
	// OtherSessions is the effect on the user's other sessions (see
	// [Case.OtherSessions]): SessionDeleted when every one is gone,
	// SessionKept when every one is still stored.
	OtherSessions Effect
	// ForeignSession is the effect on another user's session (see
	// [Case.ForeignSession]).
	ForeignSession Effect
	// Status is the accepted range of response status codes.
	Status Status
	// Validations is how many session reads (store GetSession and
	// GetSessionAndUser calls) each request may make; -1 means not checked. A handler that
	// validates twice makes two.
	Validations int
	// Writes is how many store writes the whole case may make in all; -1
	// means not checked. An active session must cost none; a renewal
	// exactly one, however many requests race.
	Writes int
	// NewSessions is how many sessions the case's requests may create;
	// -1 means not checked. A sign-in creates one; a refused one none.
	NewSessions int
	// Answer is what the response must look like; the zero Answer accepts
	// any.
	Answer Answer
	// SignedInAs, when set, makes the response the signed-in answer of a
	// route whose signed-out answer is this: not a 5xx, not the signed-out
	// answer, and a page shows the user.
	SignedInAs *Answer
}
