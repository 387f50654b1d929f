// Command authplayground is the authkit playground: a server that shows
// what authkit does to a session. Sign up, watch the session and its
// cookie, move the clock past the active or idle period, make the store
// fail, revoke devices and run the standard scenarios, in a browser or
// through a JSON API.
//
//	go run ./cmd/authplayground                      # http://127.0.0.1:8080, all in memory
//	go run ./cmd/authplayground -db sqlite:play.db   # sessions in SQLite
//
// It listens on a loopback address only, unless -allow-remote says
// otherwise: the playground has no access control of its own (anyone who
// reaches it can move its clock and reset it) and its session cookie has
// no Secure attribute. For the same reason it answers only requests whose
// Host is a loopback name or address, which defeats DNS rebinding.
//
// Flags:
//
//	-addr host:port   where to listen (default 127.0.0.1:8080)
//	-db spec          the store: "memory" (default), sqlite:PATH,
//	                  postgres://..., redis://...
//	-allow-remote     allow a non-loopback -addr and any Host header
//	-v                log auth's debug events too
//
// It shuts down cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stderr, nil)
	stop()
	os.Exit(code)
}

// options are the command's flags.
type options struct {
	addr        string
	db          string
	allowRemote bool
	verbose     bool
	// maxLifetime is the sessions' absolute lifetime (negative: none).
	maxLifetime time.Duration
	// start sets the playground clock's start; tests fix it, the command
	// starts at the current time.
	start time.Time
}

// errUsage marks a command line that can't be run: exit status 2.
var errUsage = errors.New("usage")

// parseFlags reads the command line. It refuses a non-loopback -addr
// without -allow-remote.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("authplayground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (a loopback address unless -allow-remote)")
	fs.StringVar(&o.db, "db", "memory", "the store: memory, sqlite:PATH, postgres://..., redis://...")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "listen on a non-loopback address and answer any Host (the playground has no access control: don't)")
	fs.DurationVar(&o.maxLifetime, "max-lifetime", playground.DefaultMaxLifetime, "the absolute lifetime of a session (auth.Config.MaxLifetime); -1s for none")
	fs.BoolVar(&o.verbose, "v", false, "log auth's debug events (session created, validated, renewed, invalidated)")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	if err := checkAddr(o.addr, o.allowRemote); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	return o, nil
}

// checkAddr returns an error unless addr is host:port with a loopback host
// ("localhost", 127.0.0.0/8 or ::1), or allowRemote is set.
func checkAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if allowRemote || isLoopbackHost(host) {
		return nil
	}
	if host == "" {
		host = "every interface"
	}
	return fmt.Errorf("-addr %q listens on %s, not on a loopback address; the playground has no access control and its cookie is not Secure, so it refuses that unless -allow-remote is given", addr, host)
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// realMain runs the command and returns its exit status: 0 after a clean
// shutdown (ctx done), 2 for a bad command line, 1 for any other failure.
// ready, when not nil, is called with the listening address.
func realMain(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "authplayground:", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return 2
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		log.Error("authplayground: listen", "error", err)
		return 1
	}
	if err := run(ctx, o, log, ln, ready); err != nil {
		log.Error("authplayground failed", "error", err)
		return 1
	}
	return 0
}

// run serves the playground on ln until ctx is done, then shuts the server
// down, waiting up to 5 seconds for requests in flight, and closes the
// store. It closes ln.
func run(ctx context.Context, o options, log *slog.Logger, ln net.Listener, ready func(addr string)) (err error) {
	b, storeName, err := openStore(ctx, o.db)
	if err != nil {
		return errors.Join(err, ln.Close())
	}
	if b.Close != nil {
		defer func() {
			if cerr := b.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("closing the store: %w", cerr)
			}
		}()
	}
	pg, err := playground.New(playground.Config{Store: b.Store, Admin: b.Admin, StoreName: storeName, Logger: log, Start: o.start, MaxLifetime: o.maxLifetime,
		BaseURL: "http://" + ln.Addr().String()}) // the mail links point here
	if err != nil {
		return errors.Join(err, ln.Close())
	}
	var h http.Handler = pg
	if !o.allowRemote {
		h = loopbackHostsOnly(h)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if o.allowRemote {
		log.Warn("authplayground: -allow-remote: anyone who reaches this address can use the playground's controls, and its cookie is sent without Secure")
	}
	log.Info("authplayground: listening", "url", "http://"+ln.Addr().String(), "store", storeName)
	if ready != nil {
		ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("authplayground: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}

// loopbackHostsOnly answers 421 to a request whose Host is not a loopback
// name or address. A page on another site can point its own host name at
// 127.0.0.1 (DNS rebinding) and then post to the playground as if it were
// same-origin; the Host header gives it away.
func loopbackHostsOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		} else if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
			host = host[1 : len(host)-1]
		}
		if !isLoopbackHost(host) {
			http.Error(w, "Misdirected Request: the playground answers only at a loopback address such as 127.0.0.1 or localhost", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}
