package playground_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

// FuzzJSONAPI sends arbitrary bodies to the JSON endpoints that take one.
// Properties, beyond not panicking:
//   - the status is one the API documents for that route (never 500: the
//     store never fails here);
//   - every answer is JSON, and an error answer is {"error": "..."};
//   - an error answer sets no session cookie;
//   - the clock only moves on a 200 from /_play/clock/advance, forward, by
//     the duration asked for.
func FuzzJSONAPI(f *testing.F) {
	// Each route with the statuses it documents and the seeds of the
	// corpus for it; the fuzzer's route is an index into routes.
	routes := []struct {
		path  string
		codes []int
		seeds []string
	}{
		{playground.SignupPath, []int{200, 400, 409}, []string{
			`{"username":"ada","password":"pw"}`,
			`{"username":"","password":""}`,
			`{"username":"ada","password":"pw"} {}`,
		}},
		{playground.LoginPath, []int{200, 400, 401}, []string{
			`{"username":"ada","password":"pw"}`,
			`{"username":"` + strings.Repeat("x", 100) + `","password":"pw"}`,
			"\xff\xfe",
		}},
		{"/_play/clock/advance", []int{200, 400}, []string{`{"by":"25h"}`, `{"by":"-1h"}`, `{"by":"1e9h"}`}},
		{"/_play/faults", []int{200, 400}, []string{`{"op":"RenewSession","count":2}`, `{"op":"Nope","count":-1}`}},
	}
	for i, rt := range routes {
		for _, body := range rt.seeds {
			f.Add(uint8(i), body)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		srv := newServer(t)
		// A user exists, so that login and a duplicate sign-up can succeed
		// and fail.
		post(srv, playground.SignupPath, `{"username":"ada","password":"pw"}`)

		rt := routes[int(route)%len(routes)]
		before := srv.Fake().Clock.Now()
		rec := post(srv, rt.path, body)

		ok := false
		for _, c := range rt.codes {
			ok = ok || rec.Code == c
		}
		if !ok {
			t.Fatalf("POST %s %q: status %d, want one of %v; body %s", rt.path, body, rec.Code, rt.codes, rec.Body)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("POST %s %q: answer %q is not JSON: %v", rt.path, body, rec.Body, err)
		}
		if rec.Code != http.StatusOK {
			if msg, isStr := answer["error"].(string); !isStr || msg == "" {
				t.Fatalf("POST %s %q: error answer %s has no error message", rt.path, body, rec.Body)
			}
			for _, l := range rec.Result().Header.Values("Set-Cookie") {
				if strings.HasPrefix(l, "auth_session=") && !strings.HasPrefix(l, "auth_session=;") {
					t.Fatalf("POST %s %q: error answer sets a session cookie: %s", rt.path, body, l)
				}
			}
		}
		after := srv.Fake().Clock.Now()
		switch {
		case rt.path != "/_play/clock/advance" || rec.Code != http.StatusOK:
			if !after.Equal(before) {
				t.Fatalf("POST %s %q (status %d) moved the clock from %v to %v", rt.path, body, rec.Code, before, after)
			}
		default:
			var req struct{ By string }
			json.Unmarshal([]byte(body), &req)
			d, err := time.ParseDuration(strings.TrimSpace(req.By)) // the API trims spaces
			if err != nil || d < 0 || !after.Equal(before.Add(d)) {
				t.Fatalf("advance %q moved the clock from %v to %v", body, before, after)
			}
		}
	})
}

// post sends body to path as JSON and returns the answer.
func post(h http.Handler, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", base+path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}
