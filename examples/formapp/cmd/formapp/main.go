// Command formapp serves the form app of package formapp on a SQLite
// file. The session cookie is Secure: browsers accept it from
// http://localhost and http://127.0.0.1, elsewhere only over HTTPS.
//
//	go run ./examples/formapp/cmd/formapp -db app.db -addr 127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/examples/formapp"
)

func main() {
	db := flag.String("db", "formapp.db", "SQLite database file")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	a, closeDB, err := formapp.Open(context.Background(), *db, auth.Config{Logger: log})
	if err != nil {
		log.Error("opening the database", "error", err)
		os.Exit(1)
	}
	defer closeDB()
	srv := &http.Server{Addr: *addr, Handler: formapp.NewHandler(a, log), ReadHeaderTimeout: 10 * time.Second}
	log.Info("listening", "addr", *addr)
	log.Error("serving", "error", srv.ListenAndServe())
}
