// Package pages holds what the example apps that answer with HTML pages do
// alike: write a page, and answer a failure with its status and a sentence
// for the user. Each app keeps its own template and routes.
package pages

import (
	"html/template"
	"log/slog"
	"net/http"

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
