package scenarios

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/authkit-dev/authkit/fakeauth"
)

// A Target is the app under test, described as it is routed: the handler,
// its protected routes with their methods and what each answers to a
// signed-out request, its sign-up, sign-in and sign-out routes, and how
// its users are made. [Standard] generates the table of cases from this
// description, so that a correct app passes every case whatever its style
// (JSON, forms and redirects, pages) and a broken one fails by name.
type Target struct {
	// Handler returns the handler under test, built on the fake: the app's
	// own mux behind authrequest.Middleware, typically. By default it is
	// called once per case, on a fake no other case is using, after the
	// case's user and session are seeded (before, when users are made
	// through the sign-up route: see UsersBySignUp).
	Handler func(f *fakeauth.Fake) http.Handler

	// Routes are the app's routes that read the session. Cases that name
	// no path go to the first route that takes their method.
	Routes []Route

	// SignUp, SignIn and SignOut are the app's own routes of those names;
	// a nil one has no cases.
	SignUp, SignIn *Form
	SignOut        *SignOut

	// MoreSignOuts are the app's other sign-out routes, such as a no-script
	// form beside htmx's hx-delete: each gets the cases of SignOut
	// ([SignOutCases]), named after its route.
	MoreSignOuts []SignOut

	// SignOutOthers is the app's "sign out everywhere else" route, as a
	// ServeMux pattern taking an unsafe method ("POST /account/sign-out-others"),
	// whose handler calls AuthRequest.InvalidateOtherSessions; "" when the
	// app has none. It gets the cases of [SignOutOthersCases] (the other
	// sessions of the user end, the request's own is kept), never those of
	// a route that only reads the session, even when Routes names it too.
	SignOutOthers string

	// ChangePassword, DeleteAccount and RevokeSession are the app's
	// password-change, account-deletion and "sign out this device" routes
	// with their bodies ([Action]); nil when the app has none. Each gets a
	// family: [ChangePasswordCases] (the user's other sessions end),
	// [DeleteAccountCases] (every session of the user ends, the cookie is
	// cleared) and [RevokeSessionCases] (one's own other device is signed
	// out; another user's session ID changes nothing), and [ReuseCases]
	// presents a session they ended again to the same app.
	ChangePassword, DeleteAccount, RevokeSession *Action

	// BearerRoutes are the app's routes that take a session token in an
	// "Authorization: Bearer" header instead of the cookie. [BearerCases]
	// sends each the token of a live session (accepted, and no cookie set:
	// a bearer client keeps its token itself), none, and dead ones
	// (refused as the route's SignedOut answer says).
	BearerRoutes []Route

	// TokensInBody says that the app hands session tokens out in response
	// bodies (a JSON sign-in answering a token for bearer clients). When
	// false, every case checks that no response body holds a session
	// token: one in a page or a JSON answer can be read by any script.
	TokensInBody bool

	// User makes the user each case's session belongs to, as the app makes
	// its users (its own table, a profile), with the credentials given; it
	// runs before the session is seeded and returns the user's ID. When nil,
	// the user is made in the fake's store with the attribute "username"
	// (and, for the cases that sign in, a password key "username"), unless
	// UsersBySignUp is set.
	User func(ctx context.Context, f *fakeauth.Fake, c Credentials) (userID string, err error)

	// Credentials are those of each case's user; [CaseUser] when zero.
	// The sign-up cases sign up "new-" + Credentials.Username, so an email
	// address works as a username.
	Credentials Credentials

	// UsersBySignUp makes each case's user through the SignUp route, as a
	// visitor would: the runner builds the handler first, signs up, and
	// seeds the case's session for the user the sign-up's session belongs
	// to.
	UsersBySignUp bool

	// BaseURL is the scheme and host of the requests;
	// "https://example.com" when empty.
	BaseURL string

	// Fake configures the fake of each case.
	Fake []fakeauth.Option

	// NewFake, when set, makes the fake of each case in place of
	// fakeauth.New(Fake...): one on a store of the case's own, such as a
	// new SQLite database in the test's t.TempDir() with the app's users
	// table (fakeauth.WithStore and sqlitestore.NewSessions), so that the
	// app's own ON DELETE CASCADE runs. It is called once per case, by the
	// goroutine that runs the case, and release (when not nil) once the
	// case is over, to close what NewFake opened. A fake it makes serves
	// one case and is never reused.
	NewFake func(ctx context.Context) (f *fakeauth.Fake, release func(), err error)

	// ReuseHandler makes the runner keep the handler built on a fake for
	// later cases on that fake, which is reset between cases (see
	// [Runner]). Only a handler that keeps no state of its own may be
	// reused; by default each case gets a new handler, built after it is
	// seeded.
	ReuseHandler bool
}

// Credentials are a username and password: those of each case's user
// ([CaseUser]), or of a sign-up.
type Credentials struct {
	Username, Password string
}

// CaseUser returns the credentials of the user each case's session
// belongs to unless Target.Credentials says otherwise: "ada", "correct
// horse battery staple". An app that shows the user's name shows "ada";
// see [PageWithout].
func CaseUser() Credentials {
	return Credentials{Username: "ada", Password: "correct horse battery staple"}
}

// creds returns the case user's credentials.
func (t Target) creds() Credentials {
	if t.Credentials == (Credentials{}) {
		return CaseUser()
	}
	return t.Credentials
}

// A Route is a route of the app that reads the session.
type Route struct {
	// Pattern is the route as registered, in http.ServeMux's syntax:
	// "GET /profile" takes GET (and HEAD) only, "/api/session" every
	// method. Cases are generated for the methods it takes, so a route
	// never meets a method its router answers with 405.
	Pattern string
	// Path is the path requested; the pattern's path when empty. Give one
	// when the pattern has wildcards: "/items/1" for "/items/{id}".
	Path string
	// SignedOut is what the route answers a request without a valid
	// session: [Unauthorized], [RedirectTo] the sign-in page, or a page
	// without the user ([PageWithout]).
	SignedOut Answer
	// Header holds request headers every case sends the route, such as
	// htmx's "HX-Request: true" for a fragment.
	Header http.Header
}

// Methods returns the methods the route takes: the pattern's, or GET,
// POST, PUT, PATCH and DELETE for a pattern without one.
func (r Route) Methods() []string {
	if m, _, ok := strings.Cut(r.Pattern, " "); ok && !strings.HasPrefix(m, "/") {
		return []string{m}
	}
	return []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
}

// path returns the path requested.
func (r Route) path() string {
	if r.Path != "" {
		return r.Path
	}
	p := r.Pattern
	if _, rest, ok := strings.Cut(p, " "); ok && !strings.HasPrefix(p, "/") {
		p = strings.TrimSpace(rest)
	}
	if i := strings.Index(p, "/"); i > 0 {
		p = p[i:] // a host in the pattern
	}
	return strings.TrimSuffix(p, "{$}")
}

// A Form is a sign-up or sign-in route: where the credentials are posted,
// how, and what success answers.
type Form struct {
	// Route is the route, such as "POST /login"; the method is POST when
	// it names none.
	Route string
	// JSON sends the credentials as a JSON object; otherwise as an HTML
	// form (application/x-www-form-urlencoded).
	JSON bool
	// UsernameField and PasswordField name the fields; "username" and
	// "password" when empty.
	UsernameField, PasswordField string
	// Success is what a successful request answers, such as
	// RedirectTo("/") or [OK]; any status below 400 when zero.
	Success Answer

	// Fields are further fields every post sends with the credentials,
	// such as a terms-of-service box the form requires.
	Fields map[string]string

	// RememberMe names the "remember me" field ("remember"): the sign-in
	// cases post it ticked ("on", or true in JSON) and expect a persistent
	// cookie (with Expires or Max-Age), and leave it out and expect a
	// browser-session cookie (with neither). Empty when the form has none:
	// the cookie's persistence is then not checked.
	RememberMe string

	// Next names the return-path field or query parameter
	// (authrequest.ReturnParam, "next"): the sign-in cases send it hostile
	// values ("//evil.example", "https://evil.example", "/\evil.example",
	// "/%2F%2Fevil.example"...), which the answer must not redirect to,
	// and a safe one, which it must; authrequest.SafeReturnPath tells
	// which is which. It is sent in the query string and, for a form, in
	// the body too. Empty when the app has none.
	Next string

	// Header holds request headers every post sends.
	Header http.Header
}

// SignOut is the sign-out route and its answers.
type SignOut struct {
	// Route is the route, such as "POST /logout"; the method is POST when
	// it names none.
	Route string
	// Success is what signing out a session answers; any status below 400
	// when zero.
	Success Answer
	// NoSession is what a sign-out without a session answers; any status
	// below 500 when zero.
	NoSession Answer
	// Header holds request headers every case sends the route, such as
	// htmx's "HX-Request: true" for an hx-delete.
	Header http.Header
}

// An Action is a route of the app that changes the signed-in account or
// its sessions, such as a password change: an unsafe method, the body it
// takes, and what success answers.
type Action struct {
	// Route is the route, such as "POST /account/password"; the method is
	// POST when it names none.
	Route string
	// JSON sends the body as a JSON object; otherwise as an HTML form.
	JSON bool
	// Body returns the fields of the body from the values of the case:
	// for a password change, v.Password is the current password and
	// v.NewPassword the new one; for a revocation, v.SessionID is the
	// session to sign out. A nil Body sends an empty one.
	Body func(v Values) map[string]string
	// Header holds request headers every case sends the route.
	Header http.Header
	// Success is what a successful request answers; any status below 400
	// when zero.
	Success Answer
	// EndsSession says that the request's own session ends too, as the
	// app documents it for a password change that signs the user in
	// again: the session is deleted and its cookie cleared or replaced
	// (rotated). When false it is kept, its cookie untouched. An account
	// deletion always ends it.
	EndsSession bool
}

// Values are what a case fills an [Action]'s body with.
type Values struct {
	// Username and Password are the case user's (a wrong password, for a
	// case that sends one).
	Username, Password string
	// NewPassword is the password a password change sets.
	NewPassword string
	// SessionID is the ID of the session to revoke (auth.Session.ID, as
	// the app's list of devices shows it).
	SessionID string
}

// APISignOut is the sign-out route of authrequest.APIHandler mounted at
// path ("/api/auth/logout"): 200, and 401 without a session.
func APISignOut(path string) *SignOut {
	return &SignOut{Route: "POST " + path, Success: OK(), NoSession: Unauthorized()}
}

// APIUser is the user route of authrequest.APIHandler mounted at path
// ("/api/auth/user"): GET only, answering 200 {"user": null} when signed
// out.
func APIUser(path string) Route {
	return Route{Pattern: "GET " + path, SignedOut: Answer{Status: StatusCode(http.StatusOK), Contains: `"user":null`}}
}

// methodPath splits a route such as "POST /login" into its method (POST
// when it names none) and path.
func methodPath(route string) (method, path string) {
	if m, p, ok := strings.Cut(route, " "); ok && !strings.HasPrefix(route, "/") {
		return m, strings.TrimSpace(p)
	}
	return http.MethodPost, route
}

// An Answer is what a response looks like: a status range, and for a
// redirect where it leads, or text its body holds or lacks. The zero
// Answer accepts every response.
type Answer struct {
	// Status is the accepted range of status codes.
	Status Status
	// Location, when set, is the prefix the Location header must start
	// with.
	Location string
	// Contains, when set, is text the body must hold.
	Contains string
	// Lacks, when set, is text the body must not hold; a signed-in page
	// must hold it (see [PageWithout]).
	Lacks string
}

// Unauthorized is a 401.
func Unauthorized() Answer { return Answer{Status: StatusCode(http.StatusUnauthorized)} }

// RedirectTo is a redirect (a 3xx) whose Location starts with prefix, such
// as "/login".
func RedirectTo(prefix string) Answer {
	return Answer{Status: Status{300, 399}, Location: prefix}
}

// PageWithout is a 200 page whose body lacks text: for a signed-out
// visitor, the page without the user's name (pass CaseUser().Username).
// A signed-in visitor's page must show it.
func PageWithout(text string) Answer {
	return Answer{Status: StatusCode(http.StatusOK), Lacks: text}
}

// OK is any 2xx.
func OK() Answer { return Answer{Status: Status{200, 299}} }

// IsZero reports whether a accepts every response.
func (a Answer) IsZero() bool { return a == Answer{} }

// or returns a, or def when a is zero.
func (a Answer) or(def Answer) Answer {
	if a.IsZero() {
		return def
	}
	return a
}

// String describes the answer, such as "3xx to /login".
func (a Answer) String() string {
	var parts []string
	if a.Status != (Status{}) {
		parts = append(parts, a.Status.String())
	}
	if a.Location != "" {
		parts = append(parts, "to "+a.Location)
	}
	if a.Contains != "" {
		parts = append(parts, "with "+quote(a.Contains))
	}
	if a.Lacks != "" {
		parts = append(parts, "without "+quote(a.Lacks))
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " ")
}

func quote(s string) string { return "\"" + s + "\"" }

// mismatch returns why a response does not look like a, or "".
func (a Answer) mismatch(code int, h http.Header, body string) string {
	switch {
	case !a.Status.Accepts(code):
		return "status " + strconv.Itoa(code) + ", want " + a.Status.String()
	case a.Location != "" && !strings.HasPrefix(h.Get("Location"), a.Location):
		return "Location " + quote(h.Get("Location")) + ", want one starting " + quote(a.Location)
	case a.Contains != "" && !strings.Contains(body, a.Contains):
		return "the body lacks " + quote(a.Contains)
	case a.Lacks != "" && strings.Contains(body, a.Lacks):
		return "the body holds " + quote(a.Lacks)
	}
	return ""
}

// signedInMismatch returns why a response is not a signed-in answer of a
// route whose signed-out answer is a, or "": it must not be a 5xx nor look
// like the signed-out answer, and a page must show the user.
func (a Answer) signedInMismatch(code int, h http.Header, body string) string {
	switch {
	case code >= 500:
		return "status " + strconv.Itoa(code) + ", want a signed-in answer (not 5xx)"
	case a.Lacks != "":
		if code == http.StatusOK && !strings.Contains(body, a.Lacks) {
			return "the signed-in page lacks " + quote(a.Lacks)
		}
		return ""
	case !a.IsZero() && a.mismatch(code, h, body) == "":
		return "status " + strconv.Itoa(code) + ": the signed-out answer (" + a.String() + ") to a signed-in request"
	}
	return ""
}
