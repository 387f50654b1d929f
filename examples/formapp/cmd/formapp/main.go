// Command formapp serves the form app of package formapp on a SQLite
// file. The session cookie is Secure: browsers accept it from
// http://localhost and http://127.0.0.1, elsewhere only over HTTPS.
//
//	go run ./examples/formapp/cmd/formapp -db app.db -addr 127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/examples/internal/serve"
)

func main() {
	db := flag.String("db", "formapp.db", "SQLite database file")
	serve.Main(func(ctx context.Context, addr string, log *slog.Logger) error {
		a, closeDB, err := formapp.Open(ctx, *db, auth.Config{Logger: log})
		if err != nil {
			return fmt.Errorf("opening the database: %w", err)
		}
		defer closeDB()
		return serve.Serve(ctx, addr, formapp.NewHandler(a, log), log)
	})
}
