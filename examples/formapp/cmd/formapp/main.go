// Command formapp serves the form app of package formapp on a SQLite
// file. The session cookie is Secure: browsers accept it from
// http://localhost and http://127.0.0.1, elsewhere only over HTTPS.
//
//	go run ./examples/formapp/cmd/formapp -db app.db -addr 127.0.0.1:8080
//
// Built with -tags authkit_e2e (for end-to-end tests only, never for
// deployment), it also serves package authe2e's control routes, to a
// caller on loopback that presents $AUTHKIT_E2E_SECRET; see e2e.go.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/examples/internal/serve"
)

func main() {
	db := flag.String("db", "formapp.db", "SQLite database file")
	serve.Main(func(ctx context.Context, addr string, log *slog.Logger) error {
		store, err := formapp.OpenStore(ctx, *db)
		if err != nil {
			return fmt.Errorf("opening the database: %w", err)
		}
		defer store.Close()
		h, err := handler(store, auth.Config{Logger: log}, log)
		if err != nil {
			return err
		}
		return serve.Serve(ctx, addr, h, log)
	})
}

// app builds the app's Auth and handler on store.
func app(store auth.SessionStore, cfg auth.Config, log *slog.Logger) (*auth.Auth, http.Handler, error) {
	a, err := auth.New(store, cfg)
	if err != nil {
		return nil, nil, err
	}
	return a, formapp.NewHandler(a, log), nil
}
