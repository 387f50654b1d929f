// Command formapp serves the form app of package formapp on a SQLite
// file. The session cookie is Secure: browsers accept it from
// http://localhost and http://127.0.0.1, elsewhere only over HTTPS.
//
//	go run ./examples/formapp/cmd/formapp -db app.db -addr 127.0.0.1:8080
//
// Given an SMTP server (-smtp-host, -smtp-from, the app's -base-url), it
// adds accounts people can recover (package authaccount): sign-up by
// email with verification, password reset, sign-in by email, throttling.
// The password of -smtp-user comes from $SMTP_PASSWORD.
//
// Built with -tags authkit_e2e (for end-to-end tests only, never for
// deployment), it also serves package authe2e's control routes, to a
// caller on loopback that presents $AUTHKIT_E2E_SECRET, and sends its
// mail to an outbox those routes read; see e2e.go.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authmail/smtpmail"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/examples/internal/serve"
)

var (
	baseURL  = flag.String("base-url", "", "the app's public URL, which links in mail start with (https)")
	smtpHost = flag.String("smtp-host", "", "SMTP server for account mail (none: no email accounts)")
	smtpPort = flag.Int("smtp-port", 587, "SMTP port (STARTTLS)")
	smtpFrom = flag.String("smtp-from", "", "From address of account mail")
	smtpUser = flag.String("smtp-user", "", "SMTP user name ($SMTP_PASSWORD is the password)")
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

// smtpSender is the production sender the flags describe, or nil.
func smtpSender() (authmail.Sender, error) {
	if *smtpHost == "" {
		return nil, nil
	}
	return smtpmail.New(smtpmail.Config{Host: *smtpHost, Port: *smtpPort, From: *smtpFrom,
		Username: *smtpUser, Password: os.Getenv("SMTP_PASSWORD")})
}

// app builds the app's Auth and handler on store, with email accounts when
// sender is not nil.
func app(store auth.SessionStore, cfg auth.Config, log *slog.Logger, sender authmail.Sender, insecureBaseURL bool) (*auth.Auth, http.Handler, error) {
	a, err := auth.New(store, cfg)
	if err != nil {
		return nil, nil, err
	}
	var opts []formapp.Option
	if sender != nil {
		ac, err := authaccount.New(a, authaccount.Config{
			Sender: sender, BaseURL: *baseURL, AllowInsecureBaseURL: insecureBaseURL, Logger: log,
			Pages: authaccount.Pages{AfterSignIn: "/account", AfterReset: "/login"},
		})
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, formapp.WithAccounts(ac))
	}
	return a, formapp.NewHandler(a, log, opts...), nil
}
