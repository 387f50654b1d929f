// Command jsonapi serves the JSON API of package jsonapi on a SQLite file
// (any authkit store would do).
//
//	go run ./examples/jsonapi/cmd/jsonapi -db app.db -addr 127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/examples/internal/serve"
	"github.com/authkit-dev/authkit/examples/jsonapi"
)

func main() {
	db := flag.String("db", "jsonapi.db", "SQLite database file")
	serve.Main(func(ctx context.Context, addr string, log *slog.Logger) error {
		store, err := sqlitestore.Open(*db)
		if err != nil {
			return fmt.Errorf("opening the store: %w", err)
		}
		defer store.Close()
		if err := store.Migrate(ctx); err != nil {
			return fmt.Errorf("migrating the store: %w", err)
		}
		a, err := auth.New(store, auth.Config{Logger: log})
		if err != nil {
			return err
		}
		return serve.Serve(ctx, addr, jsonapi.NewHandler(a, log), log)
	})
}
