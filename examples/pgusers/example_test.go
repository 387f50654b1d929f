package pgusers_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/examples/pgusers"
)

// The app's wiring: one pool for the app's queries and authkit's, the
// app's tables and authkit's sessions migrated together, and "Sign in
// with" a provider whose identities the app maps to its users. (Not run:
// it needs a server and a provider; the tests run the same wiring on
// pgstoretest and fakeoidc.)
func ExampleNewHandler() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	sessions, err := pgusers.Migrate(ctx, pool)
	if err != nil {
		log.Fatal(err)
	}
	a, err := auth.New(sessions, auth.Config{Cookie: auth.CookieConfig{Name: "__Host-session"}})
	if err != nil {
		log.Fatal(err)
	}
	h, err := pgusers.NewHandler(pool, a, pgusers.Config{
		ProviderName: "Example ID",
		Provider: authoidc.Config{Issuer: "https://id.example", ClientID: "pgusers", ClientSecret: os.Getenv("CLIENT_SECRET"),
			RedirectURL: "https://app.example/auth/oidc/callback", RequireVerifiedEmail: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServeTLS(":443", "cert.pem", "key.pem", h))
}
