// Package testapp is an app of the shapes real apps on authkit take, with
// the features they add around sessions (remember me, a return path after
// sign-in, devices, "sign out everywhere else", a password change, account
// deletion, bearer tokens) and, on request, the bugs real apps have in
// them. The mutant test of package scenarios runs the generated table
// against each shape, correct and broken, and checks that every bug is
// caught by a named case.
package testapp

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// Style is how the app talks to its clients.
type Style int

// The styles of app.
const (
	// Forms is a server-rendered app: HTML forms, 303 redirects.
	Forms Style = iota
	// HTMX is Forms whose fragments are fetched with htmx: a fragment
	// request (HX-Request: true) without a session is answered 401 with
	// HX-Redirect to the sign-in page, and sign-out is an hx-delete.
	HTMX
	// JSON is a JSON API whose sign-in answers a bearer token too.
	JSON
)

// Bug is a set of the mistakes real apps make; the zero Bug is a correct
// app.
type Bug uint

// The bugs.
const (
	// FollowsAnyNext redirects to the sign-in's return path unchecked:
	// an open redirect.
	FollowsAnyNext Bug = 1 << iota
	// RememberMeInverted makes a browser session when "remember me" is
	// ticked and a persistent one when it is not.
	RememberMeInverted
	// SignOutOthersKeepsAll answers "sign out everywhere else" without
	// signing anyone out.
	SignOutOthersKeepsAll
	// DeleteKeepsOtherSessions anonymises the account and signs out the
	// current session only.
	DeleteKeepsOtherSessions
	// PasswordChangeKeepsSessions changes the password and keeps every
	// session.
	PasswordChangeKeepsSessions
	// CachesSessions keeps each validated token in memory and trusts it
	// afterwards, revoked or expired.
	CachesSessions
	// BearerSetsCookie sets the session cookie on a bearer-token request.
	BearerSetsCookie
	// RevokesAnySession revokes any session ID it is given, another
	// user's too.
	RevokesAnySession
)

// Config is the app's configuration.
type Config struct {
	Style Style
	// DB, when set, holds the app's own users table (UsersTableSQLite),
	// which the sessions reference (sqlitestore.NewSessions); authkit's
	// users otherwise.
	DB   *sql.DB
	Bugs Bug
}

// UsersTableSQLite is the app's own users table.
const UsersTableSQLite = `CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL)`

// New returns the app's handler on a.
func New(a *auth.Auth, cfg Config) http.Handler {
	app := &app{a: a, cfg: cfg, cache: map[string]string{}}
	if cfg.DB != nil {
		app.users = sqlUsers{cfg.DB}
	} else {
		app.users = authUsers{a}
	}
	mux := http.NewServeMux()
	for _, rt := range app.routes() {
		pattern := rt.page
		if cfg.Style == JSON {
			pattern = rt.api
		}
		if pattern != "" {
			mux.HandleFunc(pattern, rt.serve)
		}
	}
	return authrequest.MustMiddleware(a)(mux)
}

type app struct {
	a     *auth.Auth
	cfg   Config
	users users

	mu    sync.Mutex
	cache map[string]string // token → user ID, with CachesSessions
}

// A route is a handler of the app and its pattern in each style: api in
// the JSON API, page in the other styles; "" where a style has none.
type route struct {
	api, page string
	serve     http.HandlerFunc
}

// routes are the app's routes. The styles serve the same handlers, which
// answer in the app's style; only the paths differ.
func (app *app) routes() []route {
	return []route{
		{"", "GET /{$}", app.home},
		{"GET /api/me", "GET /account", app.account},
		{"POST /api/signup", "POST /signup", app.signUp},
		{"POST /api/login", "POST /login", app.signIn},
		{"POST /api/logout", "POST /logout", app.signOut},
		{"", "DELETE /session", app.signOut}, // htmx's hx-delete
		{"POST /api/sessions/sign-out-others", "POST /account/sign-out-others", app.signOutOthers},
		{"POST /api/sessions/revoke", "POST /account/sessions/revoke", app.revoke},
		{"POST /api/password", "POST /account/password", app.changePassword},
		{"DELETE /api/account", "POST /account/delete", app.deleteAccount},
	}
}

func (app *app) has(b Bug) bool { return app.cfg.Bugs&b != 0 }

var page = template.Must(template.New("page").Parse(`<!doctype html>
{{with .Error}}<p>{{.}}</p>{{end}}
{{if .Email}}<p>Signed in as <b>{{.Email}}</b>.</p>{{else}}<form method="post" action="/login">
<input name="email"> <input name="password" type="password"> <input name="remember" type="checkbox">
<input name="next" type="hidden" value="{{.Next}}"><button>Sign in</button></form>{{end}}
`))

// answer writes the answer in the app's style.
func (app *app) answer(w http.ResponseWriter, r *http.Request, code int, email, msg string) {
	if app.cfg.Style == JSON {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		body := map[string]any{}
		if email != "" {
			body["user"] = map[string]string{"email": email}
		}
		if msg != "" {
			body["error"] = msg
		}
		json.NewEncoder(w).Encode(body)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	page.Execute(w, struct{ Email, Error, Next string }{email, msg, r.FormValue("next")})
}

// done answers a successful change: 303 to path for a form, 200 for
// htmx's fragments (HX-Redirect) and JSON.
func (app *app) done(w http.ResponseWriter, r *http.Request, path string) {
	switch {
	case app.cfg.Style == JSON:
		app.answer(w, r, http.StatusOK, "", "")
	case r.Header.Get("HX-Request") == "true":
		w.Header().Set("HX-Redirect", path)
		w.WriteHeader(http.StatusOK)
	default:
		http.Redirect(w, r, path, http.StatusSeeOther)
	}
}

// fail answers err: 403 for a cross-origin request, 503 otherwise.
func (app *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, authrequest.ErrCrossOrigin) {
		app.answer(w, r, http.StatusForbidden, "", "cross-origin request")
		return
	}
	app.answer(w, r, http.StatusServiceUnavailable, "", "try again shortly")
}

// form reads the request's fields, from a form or a JSON object.
func (app *app) form(r *http.Request) map[string]string {
	f := map[string]string{}
	if app.cfg.Style == JSON {
		var v map[string]any
		json.NewDecoder(http.MaxBytesReader(nil, r.Body, 8<<10)).Decode(&v)
		for k, x := range v {
			switch x := x.(type) {
			case string:
				f[k] = x
			case bool:
				f[k] = strconv.FormatBool(x)
			}
		}
		return f
	}
	r.ParseForm()
	for k := range r.PostForm {
		f[k] = r.PostForm.Get(k)
	}
	return f
}

// session returns the request's session (the bearer token's, for a JSON
// request carrying one) and its user's email; nil when signed out.
func (app *app) session(r *http.Request) (*auth.Session, string, error) {
	ar := authrequest.FromContext(r.Context())
	token, bearer := auth.ReadBearerToken(r)
	if !bearer {
		if tokens := authrequest.ReadSessionCookies(app.a, r).Tokens; len(tokens) > 0 {
			token = tokens[0]
		}
	}
	if app.has(CachesSessions) && token != "" {
		app.mu.Lock()
		id, ok := app.cache[token]
		app.mu.Unlock()
		if ok {
			if email, err := app.users.email(r.Context(), id); err == nil {
				return &auth.Session{ID: auth.SessionID(token), UserID: id, Token: token}, email, nil
			}
		}
	}
	var s *auth.Session
	var err error
	if bearer && app.cfg.Style == JSON {
		s, err = ar.ValidateBearerToken()
		if errors.Is(err, auth.ErrInvalidSession) {
			s, err = nil, nil
		}
		if s != nil && app.has(BearerSetsCookie) {
			ar.SetSession(s)
		}
	} else {
		s, err = ar.Session()
	}
	if err != nil || s == nil {
		return nil, "", err
	}
	email, err := app.users.email(r.Context(), s.UserID)
	if errors.Is(err, errNoUser) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if app.has(CachesSessions) {
		app.mu.Lock()
		app.cache[token] = s.UserID
		app.mu.Unlock()
	}
	return s, email, nil
}

func (app *app) home(w http.ResponseWriter, r *http.Request) {
	_, email, err := app.session(r)
	if err != nil {
		app.fail(w, r, err)
		return
	}
	app.answer(w, r, http.StatusOK, email, "")
}

// account is the signed-in page (or JSON): signed out, 401 for JSON, 401
// with HX-Redirect for an htmx fragment request, a redirect to the
// sign-in page otherwise.
func (app *app) account(w http.ResponseWriter, r *http.Request) {
	s, email, err := app.session(r)
	switch {
	case err != nil:
		app.fail(w, r, err)
	case s != nil:
		app.answer(w, r, http.StatusOK, email, "")
	case app.cfg.Style == JSON:
		app.answer(w, r, http.StatusUnauthorized, "", "not signed in")
	case r.Header.Get("HX-Request") == "true":
		w.Header().Set("HX-Redirect", "/login")
		w.WriteHeader(http.StatusUnauthorized)
	default:
		http.Redirect(w, r, "/login?"+authrequest.ReturnParam+"=/account", http.StatusSeeOther)
	}
}

func (app *app) signUp(w http.ResponseWriter, r *http.Request) {
	f := app.form(r)
	if f["email"] == "" || len(f["password"]) < 8 {
		app.answer(w, r, http.StatusBadRequest, "", "enter an email and a password of 8 characters or more")
		return
	}
	if app.cfg.Style != JSON && f["terms"] != "on" {
		app.answer(w, r, http.StatusBadRequest, "", "accept the terms to sign up")
		return
	}
	id, err := app.users.create(r.Context(), f["email"], f["password"])
	app.signInAfter(w, r, f, id, err)
}

func (app *app) signIn(w http.ResponseWriter, r *http.Request) {
	f := app.form(r)
	id, err := app.users.check(r.Context(), f["email"], f["password"])
	app.signInAfter(w, r, f, id, err)
}

// signInAfter answers what the user store said to a sign-up (create) or a
// sign-in (check): its refusal, a taken email or a wrong password, with
// the status and message of each; another error as a failure; and
// success by signing user id in.
func (app *app) signInAfter(w http.ResponseWriter, r *http.Request, f map[string]string, id string, err error) {
	switch {
	case errors.Is(err, errTaken):
		app.answer(w, r, http.StatusConflict, "", "that email is taken")
	case errors.Is(err, errWrong):
		app.answer(w, r, http.StatusUnauthorized, "", "wrong email or password")
	case err != nil:
		app.fail(w, r, err)
	default:
		app.signInAs(w, r, id, f)
	}
}

// signInAs starts the user's session, a browser session unless "remember
// me" was ticked, and sends the user back where the return path says.
func (app *app) signInAs(w http.ResponseWriter, r *http.Request, id string, f map[string]string) {
	remember := f["remember"] == "on" || f["remember"] == "true"
	if app.has(RememberMeInverted) {
		remember = !remember
	}
	s, err := authrequest.FromContext(r.Context()).SignInWith(id, auth.SessionOptions{BrowserSession: !remember})
	if err != nil {
		app.fail(w, r, err)
		return
	}
	if app.cfg.Style == JSON {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": s.Token})
		return
	}
	next := "/account"
	if p := f["next"]; p != "" {
		if safe, ok := authrequest.SafeReturnPath(p); ok {
			next = safe
		} else if app.has(FollowsAnyNext) {
			next = p
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (app *app) signOut(w http.ResponseWriter, r *http.Request) {
	ar := authrequest.FromContext(r.Context())
	if s, _, err := app.session(r); err != nil {
		app.fail(w, r, err)
		return
	} else if s == nil && app.cfg.Style == JSON {
		app.answer(w, r, http.StatusUnauthorized, "", "not signed in")
		return
	}
	if err := ar.SignOut(); err != nil {
		app.fail(w, r, err)
		return
	}
	app.done(w, r, "/")
}

// signedIn returns the request's session, or answers why there is none.
func (app *app) signedIn(w http.ResponseWriter, r *http.Request) *auth.Session {
	if err := authrequest.FromContext(r.Context()).CheckOrigin(); err != nil {
		app.fail(w, r, err)
		return nil
	}
	s, _, err := app.session(r)
	switch {
	case err != nil:
		app.fail(w, r, err)
	case s == nil && app.cfg.Style == JSON:
		app.answer(w, r, http.StatusUnauthorized, "", "not signed in")
	case s == nil:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	return s
}

func (app *app) signOutOthers(w http.ResponseWriter, r *http.Request) {
	if app.signedIn(w, r) == nil {
		return
	}
	if !app.has(SignOutOthersKeepsAll) {
		if err := authrequest.FromContext(r.Context()).InvalidateOtherSessions(); err != nil {
			app.fail(w, r, err)
			return
		}
	}
	app.done(w, r, "/account")
}

func (app *app) revoke(w http.ResponseWriter, r *http.Request) {
	f := app.form(r)
	if app.signedIn(w, r) == nil {
		return
	}
	var err error
	if app.has(RevokesAnySession) {
		err = app.a.InvalidateSession(r.Context(), f["session_id"])
	} else {
		err = authrequest.FromContext(r.Context()).InvalidateOwnSession(f["session_id"])
	}
	switch {
	case errors.Is(err, authrequest.ErrSessionNotFound):
		app.answer(w, r, http.StatusNotFound, "", "no such session")
	case err != nil:
		app.fail(w, r, err)
	default:
		app.done(w, r, "/account")
	}
}

// changePassword checks the current password, sets the new one and signs
// out every other session: whoever knew the old password is out.
func (app *app) changePassword(w http.ResponseWriter, r *http.Request) {
	f := app.form(r)
	s := app.signedIn(w, r)
	if s == nil {
		return
	}
	if len(f["new_password"]) < 8 {
		app.answer(w, r, http.StatusBadRequest, "", "choose a password of 8 characters or more")
		return
	}
	err := checkID(r.Context(), app.users, s.UserID, f["current_password"])
	if errors.Is(err, errWrong) {
		app.answer(w, r, http.StatusForbidden, "", "wrong password")
		return
	}
	if err == nil {
		err = app.users.setPassword(r.Context(), s.UserID, f["new_password"])
	}
	if err == nil && !app.has(PasswordChangeKeepsSessions) {
		err = authrequest.FromContext(r.Context()).InvalidateOtherSessions()
	}
	if err != nil {
		app.fail(w, r, err)
		return
	}
	app.done(w, r, "/account")
}

// deleteAccount deletes the user, which ends every session of theirs
// (authkit's DeleteUser, or the sessions table's ON DELETE CASCADE), and
// clears the cookie.
func (app *app) deleteAccount(w http.ResponseWriter, r *http.Request) {
	s := app.signedIn(w, r)
	if s == nil {
		return
	}
	ar := authrequest.FromContext(r.Context())
	var err error
	if app.has(DeleteKeepsOtherSessions) {
		err = app.users.anonymise(r.Context(), s.UserID)
		if err == nil {
			err = ar.SignOut()
		}
	} else {
		err = app.users.delete(r.Context(), s.UserID)
		if err == nil {
			err = ar.ClearSession()
		}
	}
	if err != nil {
		app.fail(w, r, err)
		return
	}
	app.done(w, r, "/")
}

var (
	errTaken  = errors.New("taken")
	errWrong  = errors.New("wrong email or password")
	errNoUser = errors.New("no such user")
)

// users is where the app keeps its users: authkit's store or its own
// table.
type users interface {
	create(ctx context.Context, email, password string) (id string, err error)
	check(ctx context.Context, email, password string) (id string, err error)
	email(ctx context.Context, id string) (string, error)
	setPassword(ctx context.Context, id, password string) error
	anonymise(ctx context.Context, id string) error
	delete(ctx context.Context, id string) error
}

// checkID checks the password of user id, whichever store keeps the
// users: errWrong when it is not theirs.
func checkID(ctx context.Context, u users, id, password string) error {
	email, err := u.email(ctx, id)
	if err != nil {
		return err
	}
	_, err = u.check(ctx, email, password)
	return err
}

type authUsers struct{ a *auth.Auth }

func (u authUsers) create(ctx context.Context, email, password string) (string, error) {
	nu, err := u.a.CreateUser(ctx, auth.NewUser{
		Attributes: map[string]any{"email": email},
		Key:        &auth.NewKey{ProviderID: "email", ProviderUserID: email, Password: password},
	})
	if errors.Is(err, auth.ErrDuplicateKey) || errors.Is(err, auth.ErrDuplicateUser) {
		return "", errTaken
	}
	if err != nil {
		return "", err
	}
	return nu.ID, nil
}

func (u authUsers) check(ctx context.Context, email, password string) (string, error) {
	k, err := u.a.UseKey(ctx, "email", email, password)
	if errors.Is(err, auth.ErrInvalidKey) || errors.Is(err, auth.ErrInvalidPassword) {
		return "", errWrong
	}
	if err != nil {
		return "", err
	}
	return k.UserID, nil
}

func (u authUsers) email(ctx context.Context, id string) (string, error) {
	usr, err := u.a.GetUser(ctx, id)
	if errors.Is(err, auth.ErrInvalidUser) || errors.Is(err, auth.ErrNotFound) {
		return "", errNoUser
	}
	if err != nil {
		return "", err
	}
	email, _ := usr.Attributes["email"].(string)
	if email == "" {
		email, _ = usr.Attributes["username"].(string) // seeded by the table
	}
	return email, nil
}

func (u authUsers) setPassword(ctx context.Context, id, password string) error {
	email, err := u.email(ctx, id)
	if err != nil {
		return err
	}
	return u.a.UpdateKeyPassword(ctx, "email", email, password)
}

func (u authUsers) anonymise(ctx context.Context, id string) error {
	_, err := u.a.UpdateUserAttributes(ctx, id, map[string]any{"email": "deleted-" + id})
	return err
}

func (u authUsers) delete(ctx context.Context, id string) error { return u.a.DeleteUser(ctx, id) }

type sqlUsers struct{ db *sql.DB }

func (u sqlUsers) create(ctx context.Context, email, password string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return "", err
	}
	var id int64
	err = u.db.QueryRowContext(ctx, `INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id`,
		email, string(hash)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errTaken
	}
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

func (u sqlUsers) check(ctx context.Context, email, password string) (string, error) {
	var id int64
	var hash string
	err := u.db.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE email = $1`, email).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errWrong
	}
	if err != nil {
		return "", err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", errWrong
	}
	return strconv.FormatInt(id, 10), nil
}

func (u sqlUsers) email(ctx context.Context, id string) (string, error) {
	var email string
	err := u.db.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoUser
	}
	return email, err
}

func (u sqlUsers) setPassword(ctx context.Context, id, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	_, err = u.db.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, string(hash), id)
	return err
}

func (u sqlUsers) anonymise(ctx context.Context, id string) error {
	_, err := u.db.ExecContext(ctx, `UPDATE users SET email = $1, password_hash = '' WHERE id = $2`, fmt.Sprintf("deleted-%s", id), id)
	return err
}

func (u sqlUsers) delete(ctx context.Context, id string) error {
	_, err := u.db.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	return err
}
