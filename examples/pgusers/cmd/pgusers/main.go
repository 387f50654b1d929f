// Command pgusers serves the app of package pgusers on PostgreSQL, with
// "Sign in with" an OpenID provider when -issuer is given (the client
// secret is read from the environment, never from a flag):
//
//	PGUSERS_CLIENT_SECRET=... go run ./examples/pgusers/cmd/pgusers \
//		-db postgres://localhost/app -issuer https://accounts.example -client-id app
//
// Register http://127.0.0.1:8080/auth/oidc/callback (-addr) as the redirect
// URL at the provider. It serves plain HTTP on localhost, so it uses the
// development cookie options (no Secure attribute): never in production.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/examples/pgusers"
)

func main() {
	db := flag.String("db", "postgres://postgres@127.0.0.1:5432/pgusers?sslmode=disable", "PostgreSQL URL")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	issuer := flag.String("issuer", "", `OpenID provider's issuer URL; none when empty`)
	clientID := flag.String("client-id", "", "the app's client ID at the provider")
	name := flag.String("provider-name", "", `the provider's name on the page ("Sign in with ...")`)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*db, *addr, *issuer, *clientID, *name, log); err != nil {
		log.Error("pgusers failed", "error", err)
		os.Exit(1)
	}
}

func run(dsn, addr, issuer, clientID, name string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	sessions, err := pgusers.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	a, err := auth.New(sessions, auth.Config{Cookie: auth.CookieConfig{Insecure: true}, Logger: log})
	if err != nil {
		return err
	}
	cfg := pgusers.Config{ProviderName: name, Logger: log}
	if issuer != "" {
		cfg.Provider = authoidc.Config{Issuer: issuer, ClientID: clientID, ClientSecret: os.Getenv("PGUSERS_CLIENT_SECRET"),
			RedirectURL: "http://" + addr + "/auth/oidc/callback", RequireVerifiedEmail: true, InsecureCookie: true}
	}
	h, err := pgusers.NewHandler(pool, a, cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Info("listening", "url", "http://"+addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
