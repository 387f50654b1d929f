//go:build !authkit_e2e

package main

import (
	"log/slog"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// handler is the app, and nothing else: the default build has no control
// routes (they need -tags authkit_e2e).
func handler(store auth.SessionStore, cfg auth.Config, log *slog.Logger) (http.Handler, error) {
	sender, err := smtpSender()
	if err != nil {
		return nil, err
	}
	_, h, err := app(store, cfg, log, sender, false)
	return h, err
}
