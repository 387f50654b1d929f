// Command jsonapi serves the JSON API of package jsonapi on a SQLite file
// (any authkit store would do).
//
//	go run ./examples/jsonapi/cmd/jsonapi -db app.db -addr 127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/examples/jsonapi"
)

func main() {
	db := flag.String("db", "jsonapi.db", "SQLite database file")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	a, err := open(*db, log)
	if err != nil {
		log.Error("opening the store", "error", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: jsonapi.NewHandler(a, log), ReadHeaderTimeout: 10 * time.Second}
	log.Info("listening", "addr", *addr)
	log.Error("serving", "error", srv.ListenAndServe())
}

func open(path string, log *slog.Logger) (*auth.Auth, error) {
	store, err := sqlitestore.Open(path)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(context.Background()); err != nil {
		return nil, err
	}
	return auth.New(store, auth.Config{Logger: log})
}
