// Package formapp is a server-rendered app on authkit: HTML forms to sign
// up, sign in and sign out, an account page, users and sessions in SQLite
// (auth/sqlitestore). It is written as a careful user would: input is
// validated, a store failure is answered 503 and keeps the cookie, a taken
// name is reported as taken and every other error as an error. Run it with
// cmd/formapp; its tests run the scenarios table against it.
package formapp

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/examples/internal/pages"
)

// The limits of the sign-up form.
const (
	MaxUsername = 64
	MinPassword = 8
	MaxPassword = 1024
)

// Open opens (and migrates) the SQLite database at path and returns an
// Auth on it with cfg, and a function that closes the database.
func Open(ctx context.Context, path string, cfg auth.Config) (*auth.Auth, func() error, error) {
	store, err := OpenStore(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	a, err := auth.New(store, cfg)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return a, store.Close, nil
}

// OpenStore opens and migrates the SQLite database at path.
func OpenStore(ctx context.Context, path string) (*sqlitestore.Store, error) {
	store, err := sqlitestore.Open(path)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

// SeedUser returns the ID of the user called name, creating it (without a
// password) if there is none: how an end-to-end test signs a user in
// without the sign-in form (see cmd/formapp's end-to-end build).
func SeedUser(ctx context.Context, a *auth.Auth, name string) (string, error) {
	k, err := a.GetKey(ctx, "username", name)
	if err == nil {
		return k.UserID, nil
	}
	if !errors.Is(err, auth.ErrInvalidKey) {
		return "", err
	}
	u, err := a.CreateUser(ctx, auth.NewUser{
		Attributes: map[string]any{"username": name},
		Key:        &auth.NewKey{ProviderID: "username", ProviderUserID: name},
	})
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>authkit form app</title>
<h1>authkit form app</h1>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
{{if .User}}
<p>Signed in as <b>{{or .User.Attributes.username .User.Attributes.email}}</b>.</p>
<form method="post" action="/logout"><button>Sign out</button></form>
{{else}}
<form method="post" action="/login">
<input name="username" placeholder="username" required maxlength="64">
<input name="password" type="password" placeholder="password" required>
<button>Sign in</button> <button formaction="/signup">Sign up</button>
</form>
{{if .Accounts}}
<h2>With your email address</h2>
<form method="post" action="/sign-in" id="email-sign-in">
<input name="email" type="email" placeholder="email" required>
<input name="password" type="password" placeholder="password" required>
<button>Sign in</button> <button formaction="/sign-up">Sign up</button>
</form>
<form method="post" action="/reset-password/request" id="forgot">
<input name="email" type="email" placeholder="email" required>
<button>Forgot your password?</button>
</form>
{{end}}
{{end}}
`))

type view struct {
	User     *auth.User
	Error    string
	Accounts bool
}

// An Option adds to the app.
type Option func(*app)

// WithAccounts adds accounts people can recover (package authaccount):
// sign-up by email with verification, password reset and sign-in by
// email, at authaccount's default paths, and throttles the username
// sign-in with ac's policy. ac's Pages should send form posts back to
// "/account".
func WithAccounts(ac *authaccount.Accounts) Option {
	return func(app *app) { app.accounts = ac }
}

// NewHandler returns the app's handler on a: "GET /" (the home page, with
// the forms or the user), "GET /account" (signed in only: a redirect to
// /login otherwise), "GET /login", "POST /signup", "POST /login" and
// "POST /logout", behind authrequest.Middleware.
func NewHandler(a *auth.Auth, log *slog.Logger, opts ...Option) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	app := &app{a: a, log: log}
	for _, opt := range opts {
		opt(app)
	}
	mux := http.NewServeMux()
	if app.accounts != nil {
		app.accounts.Mount(mux)
	}
	mux.HandleFunc("GET /{$}", app.home)
	mux.HandleFunc("GET /login", app.loginPage)
	mux.HandleFunc("GET /account", app.account)
	mux.HandleFunc("POST /signup", app.signUp)
	mux.HandleFunc("POST /login", app.signIn)
	mux.HandleFunc("POST /logout", app.signOut)
	return authrequest.MustMiddleware(a)(mux)
}

type app struct {
	a        *auth.Auth
	log      *slog.Logger
	accounts *authaccount.Accounts // nil without WithAccounts
}

func (app *app) render(w http.ResponseWriter, code int, v view) {
	v.Accounts = app.accounts != nil
	pages.Write(w, app.log, page, code, v)
}

// fail answers an error with its status ([authrequest.StatusCode]): 503
// for a store failure (the cookie is kept, and the user can try again).
func (app *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := pages.Failure(app.log, r, err)
	app.render(w, code, view{Error: msg})
}

// refuse answers err, if not nil, and reports whether it did: one of
// expected is the visitor's mistake, answered with code and msg on the
// page; any other error is a failure (see fail).
func (app *app) refuse(w http.ResponseWriter, r *http.Request, err error, code int, msg string, expected ...error) bool {
	if err == nil {
		return false
	}
	for _, e := range expected {
		if errors.Is(err, e) {
			app.render(w, code, view{Error: msg})
			return true
		}
	}
	app.fail(w, r, err)
	return true
}

func (app *app) home(w http.ResponseWriter, r *http.Request) {
	_, u, err := authrequest.FromContext(r.Context()).SessionUser()
	if err != nil {
		app.fail(w, r, err)
		return
	}
	app.render(w, http.StatusOK, view{User: u})
}

func (app *app) loginPage(w http.ResponseWriter, r *http.Request) {
	app.render(w, http.StatusOK, view{})
}

func (app *app) account(w http.ResponseWriter, r *http.Request) {
	s, u, err := authrequest.FromContext(r.Context()).SessionUser()
	switch {
	case err != nil:
		app.fail(w, r, err)
	case s == nil:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	default:
		app.render(w, http.StatusOK, view{User: u})
	}
}

// credentials reads and checks the form: a name of 1 to MaxUsername bytes
// of UTF-8, a password of MinPassword to MaxPassword bytes.
func credentials(w http.ResponseWriter, r *http.Request) (name, password, problem string) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return "", "", "The form could not be read."
	}
	name, password = r.PostForm.Get("username"), r.PostForm.Get("password")
	switch {
	case name == "" || len(name) > MaxUsername || !utf8.ValidString(name):
		return "", "", "Choose a username of 1 to 64 characters."
	case len(password) < MinPassword || len(password) > MaxPassword:
		return "", "", "Choose a password of 8 to 1024 characters."
	}
	return name, password, ""
}

func (app *app) signUp(w http.ResponseWriter, r *http.Request) {
	name, password, problem := credentials(w, r)
	if problem != "" {
		app.render(w, http.StatusBadRequest, view{Error: problem})
		return
	}
	u, err := app.a.CreateUser(r.Context(), auth.NewUser{
		Attributes: map[string]any{"username": name},
		Key:        &auth.NewKey{ProviderID: "username", ProviderUserID: name, Password: password},
	})
	if app.refuse(w, r, err, http.StatusConflict, "That username is taken.", auth.ErrDuplicateKey, auth.ErrDuplicateUser) {
		return
	}
	app.startSession(w, r, u.ID)
}

func (app *app) signIn(w http.ResponseWriter, r *http.Request) {
	name, password, problem := credentials(w, r)
	if problem != "" {
		app.render(w, http.StatusUnauthorized, view{Error: "Wrong username or password."})
		return
	}
	if app.accounts != nil { // throttled per account and client IP, as authaccount's own sign-in
		var te *authaccount.ThrottledError
		if err := app.accounts.Throttle().AllowSignIn(r, name); errors.As(err, &te) {
			w.Header().Set("Retry-After", strconv.Itoa(te.RetryAfterSeconds()))
			app.render(w, http.StatusTooManyRequests, view{Error: "Too many attempts; try again later."})
			return
		} else if err != nil {
			app.fail(w, r, err)
			return
		}
	}
	key, err := app.a.UseKey(r.Context(), "username", name, password)
	if app.refuse(w, r, err, http.StatusUnauthorized, "Wrong username or password.", auth.ErrInvalidKey, auth.ErrInvalidPassword) {
		return
	}
	if app.accounts != nil {
		_ = app.accounts.Throttle().SignedIn(r, name) // the owner's typos do not add up
	}
	app.startSession(w, r, key.UserID)
}

// startSession signs the user in, replacing any session the browser had,
// and sends them to their account.
func (app *app) startSession(w http.ResponseWriter, r *http.Request, userID string) {
	if _, err := authrequest.FromContext(r.Context()).SignIn(userID); err != nil {
		app.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (app *app) signOut(w http.ResponseWriter, r *http.Request) {
	if err := authrequest.FromContext(r.Context()).SignOut(); err != nil {
		app.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
