package playground_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

// Finding 8: the JSON control routes parsed text/plain bodies, so a simple
// cross-site form post from a browser old enough to send neither Origin
// nor Sec-Fetch-Site could move the clock. They now answer 415 to any body
// not declared application/json, and change nothing.
func TestFinding8JSONRoutesRefuseOtherContentTypes(t *testing.T) {
	routes := []struct{ method, path, body string }{
		{"POST", "/_play/clock/advance", `{"by":"25h"}`},
		{"POST", "/_play/faults", `{"op":"GetSessionAndUser","count":1}`},
		{"POST", "/_play/reset", `{}`},
		{"DELETE", "/_play/faults", `{}`},
		{"POST", playground.SignupPath, `{"username":"eve","password":"pw"}`},
		{"POST", playground.LoginPath, `{"username":"ada","password":"pw"}`},
	}
	for _, rt := range routes {
		for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", ""} {
			srv, err := playground.New(playground.Config{Start: start})
			if err != nil {
				t.Fatal(err)
			}
			before := srv.Fake().Clock.Now()
			r := httptest.NewRequest(rt.method, base+rt.path, strings.NewReader(rt.body))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			if rec.Code != http.StatusUnsupportedMediaType {
				t.Errorf("%s %s with Content-Type %q: %d, want 415", rt.method, rt.path, ct, rec.Code)
			}
			if !srv.Fake().Clock.Now().Equal(before) {
				t.Errorf("%s %s with Content-Type %q moved the clock", rt.method, rt.path, ct)
			}
			if n := len(srv.Fake().Store.PendingFaults()); n != 0 && rt.path == "/_play/faults" {
				t.Errorf("%s %s with Content-Type %q armed %d faults", rt.method, rt.path, ct, n)
			}
		}
	}
	// The JSON type itself, with a charset, still works.
	srv, err := playground.New(playground.Config{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", base+"/_play/clock/advance", strings.NewReader(`{"by":"1h"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Errorf("advance with application/json; charset=utf-8: %d %s, want 200", rec.Code, rec.Body)
	}
}
