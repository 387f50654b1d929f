// Package pgusers is an app that keeps its own users on PostgreSQL and
// uses authkit for sessions only. Its users table (bigint IDs, an email,
// a bcrypt password hash) and its identities table (the OpenID provider
// identities linked to each user) sit beside authkit's auth_sessions
// (pgstore.NewSessions), whose user_id references users ON DELETE
// CASCADE. A visitor signs up and signs in with a password, or "signs in
// with" an OpenID provider (authoidc, whose Config.ResolveUser this app
// answers from its identities table); a signed-in user links a provider
// from the account page. Run it with cmd/pgusers; its tests run authkit's
// scenario tables against it, each case on a PostgreSQL schema of its own
// (auth/pgstore/pgstoretest).
package pgusers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/examples/internal/pages"
)

// The app's tables. A user who only ever signed in with a provider has no
// password hash. One password account per email; a provider account with
// the same email is another user until its owner links it (see resolve).
const tables = `
CREATE TABLE IF NOT EXISTS users (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL,
	password_hash text
);
CREATE UNIQUE INDEX IF NOT EXISTS users_password_email ON users (email) WHERE password_hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS identities (
	provider text NOT NULL,
	subject text NOT NULL,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	PRIMARY KEY (provider, subject)
)`

// Migrate creates the app's tables when they are missing, then authkit's
// (auth_sessions references users), and returns authkit's session store
// for the app's users. It is safe to call on every start, from several
// servers at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (*pgstore.Sessions, error) {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('pgusers migrate'))`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, tables)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgusers: create tables: %w", err)
	}
	sessions, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: "users", IDColumn: "id", IDType: "bigint"})
	if err != nil {
		return nil, err
	}
	if err := sessions.Migrate(ctx); err != nil {
		return nil, err
	}
	return sessions, nil
}

// Config configures the app's handler.
type Config struct {
	// Provider registers the app at an OpenID provider for "Sign in with";
	// none when Provider.Issuer is empty. Its RedirectURL must name the
	// app's /auth/oidc/callback. ResolveUser is the app's: leave it nil.
	Provider authoidc.Config
	// ProviderName names the provider on the page ("Sign in with ...").
	ProviderName string
	// BcryptCost is the cost of new password hashes; bcrypt.DefaultCost
	// when zero.
	BcryptCost int
	// Logger logs failures; nothing is logged when nil.
	Logger *slog.Logger
}

// NewHandler returns the app's handler on pool (migrated with [Migrate])
// and a (on the sessions Migrate returned): "GET /" (the home page),
// "GET /login", "POST /signup", "POST /signin", "POST /signout",
// "GET /account" (signed in only: authrequest.RequireSession sends a
// visitor to /login?next=/account), and with a provider
// "/auth/oidc/start" (GET, or a same-origin POST of link=1 to link the
// provider to the signed-in user) and "GET /auth/oidc/callback", all
// behind authrequest.Middleware.
func NewHandler(pool *pgxpool.Pool, a *auth.Auth, cfg Config) (http.Handler, error) {
	app := &app{db: pool, log: cfg.Logger, cost: cfg.BcryptCost}
	if app.log == nil {
		app.log = slog.New(slog.DiscardHandler)
	}
	if app.cost == 0 {
		app.cost = bcrypt.DefaultCost
	}
	// Signing in as an unknown email costs a hash comparison too, so that
	// the answer's timing does not tell which emails have an account.
	var err error
	if app.noUser, err = bcrypt.GenerateFromPassword([]byte("no such user"), app.cost); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	if cfg.Provider.Issuer != "" {
		pc := cfg.Provider
		pc.ResolveUser = app.resolve
		c, err := authoidc.New(a, pc)
		if err != nil {
			return nil, err
		}
		app.provider = cmp.Or(cfg.ProviderName, "your provider")
		mux.HandleFunc("/auth/oidc/start", c.Start)
		mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
	}
	mux.HandleFunc("GET /{$}", app.home)
	mux.HandleFunc("GET /login", app.home)
	mux.Handle("GET /account", authrequest.RequireSession("/login")(http.HandlerFunc(app.home)))
	mux.HandleFunc("POST /signup", app.signUp)
	mux.HandleFunc("POST /signin", app.signIn)
	mux.HandleFunc("POST /signout", app.signOut)
	return authrequest.MustMiddleware(a)(mux), nil
}

type app struct {
	db       *pgxpool.Pool
	log      *slog.Logger
	cost     int
	noUser   []byte
	provider string // "" without a provider
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>pgusers</title>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
{{if .Email}}
<p>Signed in as <b>{{.Email}}</b>. <a href="/account">Your account</a></p>
{{if .Account}}<p>Signs in with: {{if .Password}}a password{{end}} {{range .Linked}}{{.}} {{end}}</p>
{{with $.Provider}}<form method="post" action="/auth/oidc/start"><input type="hidden" name="link" value="1"><button>Link {{.}}</button></form>{{end}}{{end}}
<form method="post" action="/signout"><button>Sign out</button></form>
{{else}}
<form method="post" action="/signin{{with .Next}}?next={{.}}{{end}}">
<input name="email" type="email" placeholder="email" required> <input name="password" type="password" placeholder="password" required>
<button>Sign in</button> <button formaction="/signup{{with .Next}}?next={{.}}{{end}}">Sign up</button>
</form>
{{with .Provider}}<p><a href="/auth/oidc/start{{with $.Next}}?return_to={{.}}{{end}}">Sign in with {{.}}</a></p>{{end}}
{{end}}`))

type view struct {
	Email, Error, Next, Provider string
	Account, Password            bool
	Linked                       []string
}

func (app *app) render(w http.ResponseWriter, code int, v view) {
	pages.Write(w, app.log, page, code, v)
}

// fail answers err with its status ([authrequest.StatusCode]): 503 for a
// failure of the session store or of the app's database (dbFailure), and
// the cookie is kept, so the user is not signed out by a fault.
func (app *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := pages.Failure(app.log, r, err)
	app.render(w, code, view{Error: msg})
}

// dbFailure reports a failed query of the app's own tables as a store
// failure (nil stays nil): they live in the session store's database, and
// a fault there must not sign anyone out.
func dbFailure(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", auth.ErrStore, err)
}

// home serves "/", "/login" and "/account": the user and, on /account,
// how they sign in, or the sign-in forms.
func (app *app) home(w http.ResponseWriter, r *http.Request) {
	v := view{Provider: app.provider, Next: authrequest.ReturnPath(r, ""), Account: r.URL.Path == "/account"}
	s, err := authrequest.FromContext(r.Context()).Session()
	if err == nil && s != nil {
		var hash *string
		err = dbFailure(app.db.QueryRow(r.Context(), `SELECT email, password_hash FROM users WHERE id = $1`, s.UserID).Scan(&v.Email, &hash))
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil // deleted meanwhile: its sessions went with it (ON DELETE CASCADE)
		}
		v.Password = hash != nil
		if err == nil && v.Account {
			err = dbFailure(app.db.QueryRow(r.Context(), `SELECT coalesce(array_agg(provider ORDER BY provider), '{}') FROM identities WHERE user_id = $1`, s.UserID).Scan(&v.Linked))
		}
	}
	if err != nil {
		app.fail(w, r, err)
		return
	}
	app.render(w, http.StatusOK, v)
}

// credentials reads and checks the form (pages.EmailCredentials), of at
// most 8 KiB.
func credentials(w http.ResponseWriter, r *http.Request) (email, password string, ok bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	return pages.EmailCredentials(r)
}

func (app *app) signUp(w http.ResponseWriter, r *http.Request) {
	email, password, ok := credentials(w, r)
	if !ok {
		app.render(w, http.StatusBadRequest, view{Error: "Enter an email address and a password of 8 to 72 characters.", Provider: app.provider})
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), app.cost)
	if err != nil {
		app.fail(w, r, err)
		return
	}
	var id int64
	err = app.db.QueryRow(r.Context(), `INSERT INTO users (email, password_hash) VALUES ($1, $2)
		ON CONFLICT (email) WHERE password_hash IS NOT NULL DO NOTHING RETURNING id`, email, string(hash)).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		app.render(w, http.StatusConflict, view{Error: "That email address is taken.", Provider: app.provider})
	case err != nil:
		app.fail(w, r, dbFailure(err))
	default:
		app.signInAs(w, r, id)
	}
}

func (app *app) signIn(w http.ResponseWriter, r *http.Request) {
	email, password, ok := credentials(w, r)
	var id int64
	hash := app.noUser
	err := app.db.QueryRow(r.Context(), `SELECT id, password_hash FROM users WHERE email = $1 AND password_hash IS NOT NULL`, email).Scan(&id, &hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		app.fail(w, r, dbFailure(err))
		return
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || !ok {
		app.render(w, http.StatusUnauthorized, view{Error: "Wrong email or password.", Provider: app.provider, Next: authrequest.ReturnPath(r, "")})
		return
	}
	app.signInAs(w, r, id)
}

// signInAs starts the user's session, invalidating whatever session the
// browser had (no session fixation), and sends them on: to the page that
// asked them to sign in, when that is a safe path, or to their account.
func (app *app) signInAs(w http.ResponseWriter, r *http.Request, id int64) {
	if _, err := authrequest.FromContext(r.Context()).SignIn(strconv.FormatInt(id, 10)); err != nil {
		app.fail(w, r, err)
		return
	}
	http.Redirect(w, r, authrequest.ReturnPath(r, "/account"), http.StatusSeeOther)
}

func (app *app) signOut(w http.ResponseWriter, r *http.Request) {
	if err := authrequest.FromContext(r.Context()).SignOut(); err != nil {
		app.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// errRaced: another sign-in recorded the same identity first.
var errRaced = errors.New("pgusers: identity recorded concurrently")

// resolve is the provider sign-in's Config.ResolveUser: the app's user of
// a verified identity. A known identity is its user's. Linking
// (id.LinkUserID: the signed-in user asked, by a same-origin POST of
// link=1) records it for that user, unless another user has it. An
// unknown identity gets a new user. A provider's email never finds a
// password account: whoever holds that email at the provider would take
// the account over.
func (app *app) resolve(ctx context.Context, id authoidc.Identity) (string, error) {
	var linkTo int64
	if id.LinkUserID != "" {
		var err error
		if linkTo, err = strconv.ParseInt(id.LinkUserID, 10, 64); err != nil {
			return "", fmt.Errorf("linking to user %q: %w", id.LinkUserID, err)
		}
	}
	var uid int64
	err := errRaced
	for try := 0; try < 2 && errors.Is(err, errRaced); try++ {
		err = pgx.BeginFunc(ctx, app.db, func(tx pgx.Tx) error {
			err := tx.QueryRow(ctx, `SELECT user_id FROM identities WHERE provider = $1 AND subject = $2`, id.ProviderID, id.Subject).Scan(&uid)
			if !errors.Is(err, pgx.ErrNoRows) {
				return err // found, or failed
			}
			if uid = linkTo; uid == 0 {
				if err := tx.QueryRow(ctx, `INSERT INTO users (email) VALUES ($1) RETURNING id`, id.Email).Scan(&uid); err != nil {
					return err
				}
			}
			// A concurrent first sign-in of the identity that commits first
			// wins: this transaction, and the user it made, roll back.
			tag, err := tx.Exec(ctx, `INSERT INTO identities (provider, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, id.ProviderID, id.Subject, uid)
			if err == nil && tag.RowsAffected() == 0 {
				err = errRaced
			}
			return err
		})
	}
	user := strconv.FormatInt(uid, 10)
	switch {
	case err != nil:
		return "", dbFailure(err) // 503: the database, not the user
	case id.LinkUserID != "" && user != id.LinkUserID:
		return "", fmt.Errorf("%w: %s %s is another user's", authoidc.ErrLinkConflict, id.ProviderID, id.Subject)
	}
	return user, nil
}
