package playground

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// Limits on what a sign-up or sign-in may send. They keep a request from
// costing more than it should (a password is hashed with argon2id) and keep
// usernames readable in the pages.
const (
	// MaxBodyBytes is the largest JSON or form body the playground reads.
	MaxBodyBytes = 8 << 10
	// MaxUsernameBytes is the longest username, in bytes of UTF-8.
	MaxUsernameBytes = 64
	// MaxPasswordBytes is the longest password, in bytes of UTF-8.
	MaxPasswordBytes = 1024
)

// The routes of the app part: what an app built on authkit serves.
const (
	// SessionPath reads the request's session for any method: 200 with the
	// session and its user, 401 without a session, 503 when the store
	// fails. It is the route the scenario lab sends unsafe methods to.
	SessionPath = "/api/session"
	// UserPath and LogoutPath are authrequest.APIHandler's routes.
	UserPath   = "/api/auth/user"
	LogoutPath = "/api/auth/logout"
	// SignupPath and LoginPath take {"username": ..., "password": ...}.
	SignupPath = "/api/signup"
	LoginPath  = "/api/login"
	// AccountPath is a page behind authrequest.RequireSession, which sends
	// a signed-out visitor to SignInPagePath; AccountAPIPath is JSON
	// behind authrequest.RequireSessionAPI (401 signed out).
	AccountPath    = "/account/"
	AccountAPIPath = "/api/account"
	SignInPagePath = "/login"
	// SignOutOthersPath signs out every other device of the user.
	SignOutOthersPath = "/account/sign-out-others"
)

// usernameProvider is the key provider of username-and-password accounts.
const usernameProvider = "username"

// App returns the app part of the playground on a: the routes an
// application built on authkit would serve, behind
// authrequest.Middleware (which answers cross-site unsafe requests with
// 403):
//
//	POST /api/signup      {"username", "password"} -> 200 {"user": {...}} and a session cookie
//	POST /api/login       {"username", "password"} -> 200 {"user": {...}} and a session cookie
//	GET  /api/auth/user   authrequest.APIHandler
//	POST /api/auth/logout authrequest.APIHandler
//	*    /api/session     the session and its user, for any method
//	GET  /account/        a page behind authrequest.RequireSession (303 to /login when signed out)
//	GET  /api/account     JSON behind authrequest.RequireSessionAPI (401 when signed out)
//	POST /account/sign-out-others  signs out every other device of the user: 200 {"sessions": 1}
//
// The scenario lab runs the standard scenarios against it, each on a fake
// of its own; the live server mounts the same routes on its own fake.
func App(a *auth.Auth) http.Handler {
	mux := http.NewServeMux()
	registerApp(mux, a)
	return authrequest.MustMiddleware(a, authrequest.WithCrossOriginHandler(http.HandlerFunc(crossOrigin)))(mux)
}

// registerApp adds the app part's routes to mux. Callers put mux behind
// authrequest.Middleware.
func registerApp(mux *http.ServeMux, a *auth.Auth) {
	app := &app{a: a}
	mux.Handle("/api/auth/", authrequest.APIHandler(a))
	mux.HandleFunc("POST "+SignupPath, requireJSON(app.signInWith(createUser)))
	mux.HandleFunc(SignupPath, methodNotAllowed("POST"))
	mux.HandleFunc("POST "+LoginPath, requireJSON(app.signInWith(checkLogin)))
	mux.HandleFunc(LoginPath, methodNotAllowed("POST"))
	mux.HandleFunc(SessionPath, app.session)
	mux.Handle("GET "+AccountPath, authrequest.RequireSession(SignInPagePath)(http.HandlerFunc(app.account)))
	mux.Handle("GET "+AccountAPIPath, authrequest.RequireSessionAPI()(http.HandlerFunc(app.session)))
	mux.HandleFunc("POST "+SignOutOthersPath, app.signOutOthers)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
}

type app struct {
	a *auth.Auth
}

// credentials is the body of a sign-up or sign-in. Remember, when given
// false, makes the session a browser session (no "remember me"); it is a
// persistent one by default.
type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Remember *bool  `json:"remember,omitempty"`
}

// errBadRequest marks an error whose text can be shown to the client as
// the reason for a 400.
var errBadRequest = errors.New("bad request")

// check returns an error wrapping errBadRequest if c breaks a limit.
func (c credentials) check() error {
	switch {
	case c.Username == "":
		return fmt.Errorf("%w: username is empty", errBadRequest)
	case len(c.Username) > MaxUsernameBytes:
		return fmt.Errorf("%w: username is longer than %d bytes", errBadRequest, MaxUsernameBytes)
	case !utf8.ValidString(c.Username) || strings.ContainsFunc(c.Username, unicode.IsControl):
		return fmt.Errorf("%w: username has control characters or invalid UTF-8", errBadRequest)
	case c.Password == "":
		return fmt.Errorf("%w: password is empty", errBadRequest)
	case len(c.Password) > MaxPasswordBytes:
		return fmt.Errorf("%w: password is longer than %d bytes", errBadRequest, MaxPasswordBytes)
	}
	return nil
}

// requireJSON answers 415 Unsupported Media Type to a request whose body
// is not declared application/json: a Content-Type of another type, or a
// body without one. A simple cross-site form post (text/plain,
// application/x-www-form-urlencoded, multipart/form-data) needs no CORS
// preflight, and a browser old enough to send neither Origin nor
// Sec-Fetch-Site passes the origin check with it, so a JSON route must
// refuse it rather than parse it. A request with no body and no
// Content-Type (a bare fetch) is let through: a form post always has one.
func requireJSON(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Values("Content-Type")
		var mt string
		if len(ct) == 1 {
			mt, _, _ = mime.ParseMediaType(ct[0])
		}
		if len(ct) > 1 || len(ct) == 1 && mt != "application/json" || len(ct) == 0 && r.ContentLength != 0 {
			writeError(w, http.StatusUnsupportedMediaType, "the body must be JSON, with Content-Type: application/json")
			return
		}
		next(w, r)
	}
}

// decodeJSON reads one JSON object of at most MaxBodyBytes into dst. Unknown
// fields and trailing data are errors: a strict API tells a client its
// mistake instead of guessing. Every error wraps errBadRequest.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return fmt.Errorf("%w: body is larger than %d bytes", errBadRequest, MaxBodyBytes)
		}
		return fmt.Errorf("%w: %s", errBadRequest, jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: malformed JSON: data after the object", errBadRequest)
	}
	return nil
}

// jsonProblem says what is wrong with a body in the client's terms: the
// field and the type it wants, or where the syntax breaks, never Go's
// own names ("Go struct field credentials.username of type string").
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		want := typeErr.Type.Kind().String()
		if want == "ptr" {
			want = typeErr.Type.Elem().Kind().String()
		}
		if want == "bool" {
			want = "boolean"
		}
		return fmt.Sprintf("field %q must be a %s, not a %s", typeErr.Field, want, typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("the body must be a JSON object, not a %s", typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return "the body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends too soon"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f
	}
	return "malformed JSON"
}

func (app *app) readCredentials(w http.ResponseWriter, r *http.Request) (credentials, bool) {
	var c credentials
	err := decodeJSON(w, r, &c)
	if err == nil {
		err = c.check()
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
		return c, false
	}
	return c, true
}

// findUser is how a sign-in finds its user from the credentials:
// createUser for a sign-up, checkLogin for a login.
type findUser func(r *http.Request, a *auth.Auth, c credentials) (*auth.User, error)

// signInWith answers the JSON sign-up or login: it reads the credentials,
// finds their user with find and signs them in.
func (app *app) signInWith(find findUser) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := app.readCredentials(w, r)
		if !ok {
			return
		}
		u, err := find(r, app.a, c)
		if err != nil {
			app.fail(w, r, err)
			return
		}
		app.signIn(w, r, u, c)
	}
}

// createUser creates the user of a sign-up, with its username key.
func createUser(r *http.Request, a *auth.Auth, c credentials) (*auth.User, error) {
	return a.CreateUser(r.Context(), auth.NewUser{
		Attributes: map[string]any{"username": c.Username},
		Key:        &auth.NewKey{ProviderID: usernameProvider, ProviderUserID: c.Username, Password: c.Password},
	})
}

// checkLogin returns the user whose username and password c holds.
func checkLogin(r *http.Request, a *auth.Auth, c credentials) (*auth.User, error) {
	key, err := a.UseKey(r.Context(), usernameProvider, c.Username, c.Password)
	if err != nil {
		return nil, err
	}
	return a.GetUser(r.Context(), key.UserID)
}

// signIn starts a session for u and answers 200 {"user": ...}. On a
// failure nothing is set: the answer carries no session cookie.
func (app *app) signIn(w http.ResponseWriter, r *http.Request, u *auth.User, c credentials) {
	opts := auth.SessionOptions{BrowserSession: c.Remember != nil && !*c.Remember}
	if _, err := authrequest.FromContext(r.Context()).SignInWith(u.ID, opts); err != nil {
		app.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": authrequest.UserJSON(u)})
}

// account is the page behind RequireSession: it is only reached with a
// session.
func (app *app) account(w http.ResponseWriter, r *http.Request) {
	s, _ := authrequest.FromContext(r.Context()).Session()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "the account page of user %s\n", s.UserID)
}

// signOutOthers signs out every other device of the request's user:
// 200 {"sessions": n}, the sessions left (this one).
func (app *app) signOutOthers(w http.ResponseWriter, r *http.Request) {
	ar := authrequest.FromContext(r.Context())
	err := ar.InvalidateOtherSessions()
	var left []*auth.Session
	if err == nil {
		s, _ := ar.Session()
		left, err = app.a.UserSessions(r.Context(), s.UserID)
	}
	if err != nil {
		app.fail(w, r, err) // 401 without a session
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"sessions": len(left)})
}

func (app *app) session(w http.ResponseWriter, r *http.Request) {
	s, u, err := authrequest.FromContext(r.Context()).SessionUser()
	switch {
	case err != nil:
		app.fail(w, r, err)
	case s == nil:
		writeError(w, http.StatusUnauthorized, "not signed in")
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"session": sessionJSON(s, app.a.Now()),
			"user":    authrequest.UserJSON(u),
		})
	}
}

// SessionJSON is a session as the JSON API shows it: never with its
// token.
type SessionJSON struct {
	ID              string    `json:"id"`
	UserID          string    `json:"user_id"`
	State           string    `json:"state"`
	CreatedAt       time.Time `json:"created_at"`
	RenewedAt       time.Time `json:"renewed_at"`
	ActiveExpiresAt time.Time `json:"active_expires_at"`
	IdleExpiresAt   time.Time `json:"idle_expires_at"`
	// ExpiresAt is the absolute end; left out when the session has none.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// BrowserSession is set for a sign-in without "remember me".
	BrowserSession bool `json:"browser_session"`
	// UserAgent and ClientIP are those of the sign-in that created the
	// session; left out when unknown.
	UserAgent string `json:"user_agent,omitempty"`
	ClientIP  string `json:"client_ip,omitempty"`
	// Fresh is set for the session of a request that created or renewed
	// it; listings of stored sessions leave it out.
	Fresh *bool `json:"fresh,omitempty"`
}

func sessionJSON(s *auth.Session, now time.Time) SessionJSON {
	fresh := s.Fresh
	v := SessionJSON{
		ID: s.ID, UserID: s.UserID, State: s.State(now).String(),
		CreatedAt: s.CreatedAt.UTC(), RenewedAt: s.RenewedAt.UTC(),
		ActiveExpiresAt: s.ActiveExpiresAt.UTC(), IdleExpiresAt: s.IdleExpiresAt.UTC(),
		BrowserSession: s.BrowserSession,
		UserAgent:      s.UserAgent, ClientIP: s.ClientIP,
		Fresh: &fresh,
	}
	if !s.ExpiresAt.IsZero() {
		e := s.ExpiresAt.UTC()
		v.ExpiresAt = &e
	}
	return v
}

func recordJSON(rec auth.SessionRecord, now time.Time) SessionJSON {
	v := sessionJSON(recordSession(rec), now)
	v.Fresh = nil // a listing of stored sessions: no request made them
	return v
}

// fail answers an error of the app part with its status and logs what
// the client is not told. A store failure is a 503 that leaves the cookie
// alone: the session works again once the store is back.
func (app *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := classify(err)
	if code >= 500 {
		app.a.Config().Logger.ErrorContext(r.Context(), "playground: request failed",
			"method", r.Method, "path", r.URL.Path, "error", err)
	}
	writeError(w, code, msg)
}

// classify maps an error to its status, [authrequest.StatusCode] (400 for
// the playground's own bad requests), and a message fit for the client.
func classify(err error) (int, string) {
	if errors.Is(err, errBadRequest) {
		return http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": ")
	}
	code := authrequest.StatusCode(err)
	switch code {
	case http.StatusUnauthorized:
		if errors.Is(err, authrequest.ErrNotSignedIn) {
			return code, "not signed in"
		}
		return code, "wrong username or password"
	case http.StatusConflict:
		return code, "that username is taken"
	case http.StatusForbidden:
		return code, "cross-origin request"
	case http.StatusNotFound:
		return code, "no such session"
	case http.StatusServiceUnavailable:
		return code, "the session store failed; try again"
	}
	return code, "internal error"
}

// crossOrigin answers an unsafe request from another site, which
// Middleware refuses: JSON for the API and control routes, text for pages.
func crossOrigin(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/_play/") {
		writeError(w, http.StatusForbidden, "cross-origin request")
		return
	}
	http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// writeJSON answers code with v as JSON. v is always a value this package
// built, so encoding can fail only on a broken connection, which the
// client sees anyway.
func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		code, body = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	// A failed write means the client has gone: there is no one left to
	// tell, and the request log records the short byte count.
	_, _ = w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
