// Package serve starts and stops the example commands, so that each
// command's main shows only what is its own: its flags, its database and
// its handler.
package serve

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// ShutdownTimeout is how long [Serve] lets the requests in flight finish
// once its context is done.
const ShutdownTimeout = 5 * time.Second

// Main runs a command. It adds the -addr flag that every example has (the
// address to listen on, 127.0.0.1:8080 unless given), parses the command
// line, and calls run with a context that SIGINT and SIGTERM cancel, the
// address, and a logger that writes text to standard error. If run fails,
// Main logs the error and exits with status 1.
func Main(run func(ctx context.Context, addr string, log *slog.Logger) error) {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *addr, log)
	stop()
	if err != nil {
		log.Error("failed", "error", err)
		os.Exit(1)
	}
}

// Serve serves h on addr until ctx is done, then shuts the server down,
// letting the requests in flight finish for up to [ShutdownTimeout]. It
// logs the URL it listens on (with the port the system chose, for port 0).
// It returns nil after the shutdown, and the error when it cannot listen
// or serve.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// ReadHeaderTimeout: a client that never finishes its headers must not
	// hold a connection for ever (Slowloris).
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Error("shutting down", "error", err)
		}
	}()
	log.Info("listening", "url", "http://"+ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-stopped
	return nil
}
