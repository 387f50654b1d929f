// Package pages holds what the example apps that answer with HTML pages do
// alike: write a page, answer a failure with its status and a sentence for
// the user, and read a form of email address and password. Each app keeps
// its own template and routes.
package pages

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"

	"github.com/authkit-dev/authkit/authrequest"
)

// Write writes tmpl, executed with data, as an HTML page with status code.
// A failure to render, once the status is sent, can only be logged.
func Write(w http.ResponseWriter, log *slog.Logger, tmpl *template.Template, code int, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if err := tmpl.Execute(w, data); err != nil {
		log.Error("rendering the page", "error", err)
	}
}

// Failure logs err, for the request r, and returns the status to answer it
// with ([authrequest.StatusCode]) and a sentence for the user. A store
// failure is a 503 that asks the user to try again: the cookie is kept, and
// the session works again once the store is back.
func Failure(log *slog.Logger, r *http.Request, err error) (code int, msg string) {
	log.Error("request failed", "path", r.URL.Path, "error", err)
	code, msg = authrequest.StatusCode(err), "Something went wrong."
	if code == http.StatusServiceUnavailable {
		msg = "The service is unavailable; try again in a moment."
	}
	return code, msg
}

// EmailCredentials reads the "email" and "password" of a sign-up or
// sign-in form posted to an app that keeps its own users and hashes their
// passwords with bcrypt. ok is false unless the email, trimmed, is one
// address alone of at most 254 bytes and the password has 8 to 72 bytes:
// bcrypt reads at most 72, so a longer one is refused rather than cut.
// The email is returned lowercased.
func EmailCredentials(r *http.Request) (email, password string, ok bool) {
	email, password = strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", "", false
	}
	return strings.ToLower(email), password, len(password) >= 8 && len(password) <= 72
}
