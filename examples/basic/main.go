// Command basic is the smallest useful authkit app: sign up, sign in, see
// who you are, sign out. It keeps everything in memory and, because it
// serves plain HTTP on localhost, uses the development cookie option
// (CookieConfig.Insecure): never do that in production.
//
//	go run ./examples/basic -addr 127.0.0.1:8080
package main

import (
	"context"
	"errors"
	"flag"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
)

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>authkit basic example</title>
<h1>authkit basic example</h1>
{{if .User}}
<p>Signed in as <b>{{.User.Attributes.username}}</b>; session active until {{.Session.ActiveExpiresAt.Format "15:04:05 MST"}}.</p>
<form method="post" action="/logout"><button>Sign out</button></form>
{{else}}
{{with .Error}}<p style="color:#b00">{{.}}</p>{{end}}
<form method="post" action="/login">
<input name="username" placeholder="username" required> <input name="password" type="password" placeholder="password" required>
<button>Sign in</button> <button formaction="/signup">Sign up</button>
</form>
{{end}}
<p><small>Development cookies (no Secure attribute): this server speaks plain HTTP on localhost.</small></p>
`))

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, log); err != nil {
		log.Error("basic example failed", "error", err)
		os.Exit(1)
	}
}

func run(addr string, log *slog.Logger) error {
	a, err := auth.New(memstore.New(), auth.Config{Cookie: auth.CookieConfig{Insecure: true}, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newHandler(a), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Info("listening", "url", "http://"+ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newHandler(a *auth.Auth) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/auth/", authrequest.APIHandler(a))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s, u, err := authrequest.FromContext(r.Context()).SessionUser()
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		page.Execute(w, map[string]any{"Session": s, "User": u, "Error": r.URL.Query().Get("error")})
	})
	mux.HandleFunc("POST /signup", func(w http.ResponseWriter, r *http.Request) {
		name, pw := r.FormValue("username"), r.FormValue("password")
		if name == "" || pw == "" {
			// A key without a password can never sign in with UseKey.
			http.Redirect(w, r, "/?error=choose+a+username+and+a+password", http.StatusSeeOther)
			return
		}
		u, err := a.CreateUser(r.Context(), auth.NewUser{
			Attributes: map[string]any{"username": name},
			Key:        &auth.NewKey{ProviderID: "username", ProviderUserID: name, Password: pw},
		})
		if err != nil {
			http.Redirect(w, r, "/?error=that+username+is+taken", http.StatusSeeOther)
			return
		}
		signIn(w, r, u.ID)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		key, err := a.UseKey(r.Context(), "username", r.FormValue("username"), r.FormValue("password"))
		if err != nil {
			http.Redirect(w, r, "/?error=wrong+username+or+password", http.StatusSeeOther)
			return
		}
		signIn(w, r, key.UserID)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		authrequest.FromContext(r.Context()).SignOut()
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	return authrequest.Middleware(a)(mux)
}

func signIn(w http.ResponseWriter, r *http.Request, userID string) {
	if _, err := authrequest.FromContext(r.Context()).SignIn(userID); err != nil {
		http.Error(w, "could not sign in, try again", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
