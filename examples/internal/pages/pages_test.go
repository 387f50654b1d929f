package pages_test

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/examples/internal/pages"
)

func TestWrite(t *testing.T) {
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	rec := httptest.NewRecorder()
	pages.Write(rec, log, template.Must(template.New("p").Parse("<p>{{.}}</p>")), http.StatusTeapot, "<b>")
	if rec.Code != http.StatusTeapot || rec.Body.String() != "<p>&lt;b&gt;</p>" || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("Write: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if logged.Len() != 0 {
		t.Errorf("a page that renders logged %q", logged.String())
	}
	pages.Write(httptest.NewRecorder(), log, template.Must(template.New("p").Parse("{{.Missing}}")), http.StatusOK, 1)
	if !strings.Contains(logged.String(), "rendering the page") {
		t.Errorf("a page that fails to render logged %q", logged.String())
	}
}

func TestFailure(t *testing.T) {
	for _, tc := range []struct {
		err      error
		code     int
		retrying bool
	}{
		{fmt.Errorf("%w: connection refused", auth.ErrStore), http.StatusServiceUnavailable, true},
		{auth.ErrInvalidPassword, http.StatusUnauthorized, false},
		{errors.New("something else"), http.StatusInternalServerError, false},
	} {
		var logged bytes.Buffer
		code, msg := pages.Failure(slog.New(slog.NewTextHandler(&logged, nil)), httptest.NewRequest("GET", "/account", nil), tc.err)
		if code != tc.code || strings.Contains(msg, "try again") != tc.retrying {
			t.Errorf("Failure(%v) = %d, %q; want %d, asking to try again %v", tc.err, code, msg, tc.code, tc.retrying)
		}
		if !strings.Contains(logged.String(), "path=/account") {
			t.Errorf("Failure(%v) logged %q, want the path", tc.err, logged.String())
		}
	}
}

func TestEmailCredentials(t *testing.T) {
	for _, tc := range []struct {
		email, password string
		wantEmail       string
		wantOK          bool
	}{
		{" Ada@Example.com ", "correct horse", "ada@example.com", true},
		{"ada@example.com", strings.Repeat("p", 8), "ada@example.com", true},
		{"ada@example.com", strings.Repeat("p", 72), "ada@example.com", true},
		{"ada@example.com", strings.Repeat("p", 7), "ada@example.com", false},
		{"ada@example.com", strings.Repeat("p", 73), "ada@example.com", false},
		{"Ada <ada@example.com>", "correct horse", "", false},
		{"ada@example.com, bob@example.com", "correct horse", "", false},
		{"not an address", "correct horse", "", false},
		{"", "correct horse", "", false},
		{strings.Repeat("a", 243) + "@example.com", "correct horse", "", false},
	} {
		r := authtest.BuildRequest("POST", "/signup").WithForm(map[string][]string{"email": {tc.email}, "password": {tc.password}}).Build(t)
		email, password, ok := pages.EmailCredentials(r)
		if ok != tc.wantOK || email != tc.wantEmail || (tc.wantEmail != "" && password != tc.password) {
			t.Errorf("EmailCredentials(%q, %d-byte password) = %q, %d bytes, %v; want %q, %v",
				tc.email, len(tc.password), email, len(password), ok, tc.wantEmail, tc.wantOK)
		}
	}
}
