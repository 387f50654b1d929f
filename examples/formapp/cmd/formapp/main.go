// Command formapp serves the form app of package formapp on a SQLite
// file.
//
//	go run ./examples/formapp/cmd/formapp -db app.db -addr 127.0.0.1:8080
//
// The session cookie is Secure: browsers accept it from http://localhost
// and http://127.0.0.1, and everywhere else only over HTTPS.
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

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/examples/formapp"
)

func main() {
	db := flag.String("db", "formapp.db", "SQLite database file")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*db, *addr, log); err != nil {
		log.Error("formapp failed", "error", err)
		os.Exit(1)
	}
}

func run(db, addr string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, closeDB, err := formapp.Open(ctx, db, auth.Config{Logger: log})
	if err != nil {
		return err
	}
	defer closeDB()
	srv := &http.Server{Addr: addr, Handler: formapp.NewHandler(a, log), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Error("shutting down", "error", err)
		}
	}()
	log.Info("listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
