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
	"flag"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/examples/internal/serve"
	"github.com/authkit-dev/authkit/examples/pgusers"
)

func main() {
	db := flag.String("db", "postgres://postgres@127.0.0.1:5432/pgusers?sslmode=disable", "PostgreSQL URL")
	issuer := flag.String("issuer", "", `OpenID provider's issuer URL; none when empty`)
	clientID := flag.String("client-id", "", "the app's client ID at the provider")
	name := flag.String("provider-name", "", `the provider's name on the page ("Sign in with ...")`)
	serve.Main(func(ctx context.Context, addr string, log *slog.Logger) error {
		return run(ctx, *db, addr, *issuer, *clientID, *name, log)
	})
}

func run(ctx context.Context, dsn, addr, issuer, clientID, name string, log *slog.Logger) error {
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
	return serve.Serve(ctx, addr, h, log)
}
