//go:build authkit_e2e

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authe2e"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
)

// handler is the app built for its end-to-end tests: its Auth reads a
// clock the tests move, its store fails when they say, its mail goes to
// an outbox the tests read (links start with -base-url), and package
// authe2e's control routes are mounted beside the app's own, for a caller
// on loopback presenting $AUTHKIT_E2E_SECRET. Never deploy this build.
func handler(store auth.SessionStore, cfg auth.Config, log *slog.Logger) (http.Handler, error) {
	secret := os.Getenv("AUTHKIT_E2E_SECRET")
	if len(secret) < authe2e.MinSecretLength {
		return nil, fmt.Errorf("the end-to-end build needs AUTHKIT_E2E_SECRET of at least %d bytes", authe2e.MinSecretLength)
	}
	clock := authe2e.NewClock()
	cfg.Clock = clock
	faulty := fakeauth.WrapStore(store)
	outbox := fakemail.New(fakemail.WithClock(clock))
	a, h, err := app(faulty, cfg, log, outbox, true)
	if err != nil {
		return nil, err
	}
	control, err := authe2e.New(authe2e.Config{
		Auth: a, Clock: clock, Secret: secret, Store: faulty, Mail: outbox,
		SeedUser: func(ctx context.Context, name string) (string, error) { return formapp.SeedUser(ctx, a, name) },
	})
	if err != nil {
		return nil, err
	}
	log.Warn("end-to-end build: control routes mounted", "prefix", authe2e.DefaultPrefix)
	mux := http.NewServeMux()
	mux.Handle(authe2e.DefaultPrefix, control)
	mux.Handle("/", h)
	return mux, nil
}
