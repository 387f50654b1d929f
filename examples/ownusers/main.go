// Command ownusers is an app with its own users table (id, email,
// password hash) that uses authkit for sessions only: sign-up writes the
// app's table, and sessions reference it with a foreign key ON DELETE
// CASCADE, so deleting the user row ends its sessions. It runs on SQLite
// or PostgreSQL, chosen by the -db flag:
//
//	go run ./examples/ownusers -db sqlite:app.db
//	go run ./examples/ownusers -db postgres://localhost/app
//
// It serves plain HTTP on localhost, so it uses the development cookie
// option (CookieConfig.Insecure): never do that in production.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/examples/internal/pages"
	"github.com/authkit-dev/authkit/examples/internal/serve"
)

func main() {
	dsn := flag.String("db", "sqlite:ownusers.db", "database: sqlite:PATH or postgres://...")
	serve.Main(func(ctx context.Context, addr string, log *slog.Logger) error {
		app, closeDB, err := open(ctx, *dsn, auth.Config{Cookie: auth.CookieConfig{Insecure: true}, Logger: log}, nil)
		if err != nil {
			return err
		}
		defer closeDB()
		return serve.Serve(ctx, addr, app.handler(), log)
	})
}

// The app's own table. SQLite and PostgreSQL both take $1 placeholders,
// ON CONFLICT and RETURNING, so the queries below serve both.
const (
	usersSQLite   = `CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL)`
	usersPostgres = `CREATE TABLE IF NOT EXISTS users (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL)`
)

// app is the application: its database, and authkit for sessions.
type app struct {
	db         *sql.DB
	auth       *auth.Auth
	bcryptCost int
}

// open connects to dsn, creates the users table and authkit's sessions
// table, and returns the app and a function that closes the database.
// wrap, if not nil, wraps the session store (for metrics, or to count
// calls in tests).
func open(ctx context.Context, dsn string, cfg auth.Config, wrap func(auth.SessionStore) auth.SessionStore) (*app, func(), error) {
	var (
		db       *sql.DB
		sessions auth.SessionStore
		migrate  func(context.Context) error
		closeDB  func()
	)
	users := "users"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, nil, err
		}
		db = stdlib.OpenDBFromPool(pool) // the app's queries share authkit's pool
		closeDB = func() { db.Close(); pool.Close() }
		users = usersPostgres
		s, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: "users", IDColumn: "id", IDType: "bigint"})
		if err != nil {
			closeDB()
			return nil, nil, err
		}
		sessions, migrate = s, s.Migrate
	} else {
		path, ok := strings.CutPrefix(dsn, "sqlite:")
		if !ok {
			return nil, nil, fmt.Errorf("-db %q: want sqlite:PATH or postgres://...", dsn)
		}
		var err error
		if db, err = sqlitestore.OpenDB(path); err != nil {
			return nil, nil, err
		}
		closeDB = func() { db.Close() }
		users = usersSQLite
		s, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
		if err != nil {
			closeDB()
			return nil, nil, err
		}
		sessions, migrate = s, s.Migrate
	}
	// The users table first: authkit's sessions reference it.
	if _, err := db.ExecContext(ctx, users); err != nil {
		closeDB()
		return nil, nil, fmt.Errorf("create users table: %w", err)
	}
	if err := migrate(ctx); err != nil {
		closeDB()
		return nil, nil, err
	}
	if wrap != nil {
		sessions = wrap(sessions)
	}
	a, err := auth.New(sessions, cfg)
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	return &app{db: db, auth: a, bcryptCost: bcrypt.DefaultCost}, closeDB, nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>ownusers</title>
{{if .Email}}
<p>Signed in as <b>{{.Email}}</b>.</p>
<form method="post" action="/signout"><button>Sign out</button></form>
<form method="post" action="/delete"><button>Delete my account</button></form>
{{else}}
{{with .Error}}<p style="color:#b00">{{.}}</p>{{end}}
<form method="post" action="/signin">
<input name="email" type="email" placeholder="email" required> <input name="password" type="password" placeholder="password" required>
<button>Sign in</button> <button formaction="/signup">Sign up</button>
</form>
{{end}}
`))

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.profile)
	mux.HandleFunc("POST /signup", a.signUp)
	mux.HandleFunc("POST /signin", a.signIn)
	mux.HandleFunc("POST /signout", a.signOut)
	mux.HandleFunc("POST /delete", a.deleteAccount)
	return authrequest.MustMiddleware(a.auth)(mux)
}

// render writes the page with status code.
func render(w http.ResponseWriter, code int, email, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	page.Execute(w, struct{ Email, Error string }{email, msg})
}

// fail answers err with its status ([authrequest.StatusCode]): 403 for a
// cross-site request, 503 for a failure of the store or of the database
// (the client keeps its cookie and may retry), 500 for anything else.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	code := authrequest.StatusCode(err)
	msg := http.StatusText(code)
	switch code {
	case http.StatusForbidden:
		msg = "cross-origin request"
	case http.StatusServiceUnavailable:
		msg = "service unavailable, try again shortly"
	}
	if code >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "error", err)
	}
	http.Error(w, msg, code)
}

// dbFailure reports a failed query of the users table as a store failure:
// the table lives in the session store's database, and a fault there must
// not sign anyone out.
func dbFailure(err error) error {
	return fmt.Errorf("%w: %w", auth.ErrStore, err)
}

// queryFailed answers the error of a query of the users table, if any,
// and reports whether it did: no row is the visitor's case, answered with
// code and msg on the page; any other error is a store failure.
func queryFailed(w http.ResponseWriter, r *http.Request, err error, code int, msg string) bool {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		render(w, code, "", msg)
	case err != nil:
		fail(w, r, dbFailure(err))
	default:
		return false
	}
	return true
}

func (a *app) profile(w http.ResponseWriter, r *http.Request) {
	s, err := authrequest.FromContext(r.Context()).Session()
	if err != nil {
		fail(w, r, err)
		return
	}
	if s == nil {
		render(w, http.StatusOK, "", "")
		return
	}
	id, err := strconv.ParseInt(s.UserID, 10, 64)
	if err != nil {
		fail(w, r, fmt.Errorf("session of user %q: %w", s.UserID, err))
		return
	}
	var email string
	err = a.db.QueryRowContext(r.Context(), `SELECT email FROM users WHERE id = $1`, id).Scan(&email)
	// No row: deleted meanwhile (the cascade has ended the session by now).
	if queryFailed(w, r, err, http.StatusOK, "") {
		return
	}
	render(w, http.StatusOK, email, "")
}

func (a *app) signUp(w http.ResponseWriter, r *http.Request) {
	email, password, ok := pages.EmailCredentials(r)
	if !ok {
		render(w, http.StatusBadRequest, "", "Enter an email address and a password of 8 to 72 characters.")
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.bcryptCost)
	if err != nil {
		fail(w, r, err)
		return
	}
	var id int64
	err = a.db.QueryRowContext(r.Context(),
		`INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id`,
		email, string(hash)).Scan(&id)
	if queryFailed(w, r, err, http.StatusConflict, "That email address is taken.") {
		return
	}
	a.signInAs(w, r, id)
}

func (a *app) signIn(w http.ResponseWriter, r *http.Request) {
	email, password, ok := pages.EmailCredentials(r)
	if !ok {
		render(w, http.StatusUnauthorized, "", "Wrong email or password.")
		return
	}
	var id int64
	var hash string
	err := a.db.QueryRowContext(r.Context(), `SELECT id, password_hash FROM users WHERE email = $1`, email).Scan(&id, &hash)
	if queryFailed(w, r, err, http.StatusUnauthorized, "Wrong email or password.") {
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		render(w, http.StatusUnauthorized, "", "Wrong email or password.")
		return
	}
	a.signInAs(w, r, id)
}

func (a *app) signInAs(w http.ResponseWriter, r *http.Request, id int64) {
	_, err := authrequest.FromContext(r.Context()).SignIn(strconv.FormatInt(id, 10))
	if err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) signOut(w http.ResponseWriter, r *http.Request) {
	err := authrequest.FromContext(r.Context()).SignOut()
	if err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// deleteAccount ends the user's sessions on every device, then deletes the
// user row. On SQL the foreign key's ON DELETE CASCADE would delete the
// sessions anyway; ending them first keeps the app right on a store that
// cannot cascade (memory, Redis), and a failure in between leaves the
// safe side: signed out, the account still there.
func (a *app) deleteAccount(w http.ResponseWriter, r *http.Request) {
	ar := authrequest.FromContext(r.Context())
	if err := ar.CheckOrigin(); err != nil {
		fail(w, r, err)
		return
	}
	s, err := ar.Session()
	if err != nil {
		fail(w, r, err)
		return
	}
	if s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	id, err := strconv.ParseInt(s.UserID, 10, 64)
	if err != nil {
		fail(w, r, fmt.Errorf("session of user %q: %w", s.UserID, err))
		return
	}
	if err := a.auth.InvalidateUserSessions(r.Context(), s.UserID); err != nil {
		fail(w, r, err)
		return
	}
	if _, err := a.db.ExecContext(r.Context(), `DELETE FROM users WHERE id = $1`, id); err != nil {
		fail(w, r, dbFailure(err))
		return
	}
	if err := ar.ClearSession(); err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
