package playground

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                 "0s",
		500 * time.Millisecond:            "500ms",
		time.Second:                       "1s",
		24*time.Hour + time.Second:        "1d 1s",
		15*24*time.Hour + time.Second:     "15d 1s",
		23*time.Hour + 59*time.Minute + 1: "23h 59m",
		-90 * time.Minute:                 "-1h 30m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(time.Hour), "in 1h"},
		{now.Add(-time.Hour), "1h ago"},
		{now, "now"},
	} {
		if got := countdown(tc.t, now); got != tc.want {
			t.Errorf("countdown(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestHideToken(t *testing.T) {
	token := "abcdefghijklmnopqrstuvwxyz234567"
	if !auth.ValidToken(token) {
		t.Fatal("test token is not a token")
	}
	line := "auth_session=" + token + "; Path=/; Max-Age=10; HttpOnly"
	got := hideToken(line)
	want := "auth_session=<token of session " + auth.SessionID(token)[:8] + "…>; Path=/; Max-Age=10; HttpOnly"
	if got != want {
		t.Errorf("hideToken = %q, want %q", got, want)
	}
	for _, line := range []string{"auth_session=; Path=/; Max-Age=0", "theme=dark", "garbage;;;", ""} {
		if got := hideToken(line); got != line {
			t.Errorf("hideToken(%q) = %q, want it unchanged", line, got)
		}
	}
}

// The inspector reads what a response did with authtest's vocabulary,
// from the request's cookie and the response's Set-Cookie lines.
func TestInspectorLabels(t *testing.T) {
	f, err := fakeauth.New()
	if err != nil {
		t.Fatal(err)
	}
	in := newInspector(f.Auth, f.Clock)
	token := "abcdefghijklmnopqrstuvwxyz234567"
	other := "bbcdefghijklmnopqrstuvwxyz234567"
	req := func(cookie string) *http.Request {
		r, err := http.NewRequest("GET", "http://127.0.0.1/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: auth.DefaultCookieName, Value: cookie})
		}
		return r
	}
	in.record(req(""), 200, nil) // no Set-Cookie: not kept
	in.record(req(""), 200, []string{"auth_session=" + token + "; Path=/; Max-Age=100"})
	in.record(req(token), 200, []string{"auth_session=" + token + "; Path=/; Max-Age=200"})
	in.record(req(token), 200, []string{"auth_session=" + other + "; Path=/; Max-Age=200"})
	in.record(req(other), 200, []string{"auth_session=; Path=/; Max-Age=0"})
	in.record(req(""), 200, []string{"theme=dark"}) // the session cookie untouched: not kept
	var got []string
	for _, e := range in.Events() {
		got = append(got, e.Change)
		for _, l := range e.Lines {
			if strings.Contains(l, token) || strings.Contains(l, other) {
				t.Errorf("event line shows a token: %q", l)
			}
		}
	}
	if want := "cleared rotated renewed set"; strings.Join(got, " ") != want {
		t.Errorf("labels newest first %q, want %q", strings.Join(got, " "), want)
	}
}

// TestStoredStateNamesTheMiddlewaresSession: with two or three session
// cookies (the user's live one, a dead one, and a live one a sibling
// subdomain planted), in every order, the session the page's "stored
// state" describes is the one the middleware then validates.
func TestStoredStateNamesTheMiddlewaresSession(t *testing.T) {
	srv, err := New(Config{Start: time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	f, ctx := srv.fake, t.Context()
	ada, live, err := f.SeedUserSession(ctx, fakeauth.Active)
	if err != nil {
		t.Fatal(err)
	}
	mallory, err := f.SeedUser(ctx, "mallory", "pw")
	if err != nil {
		t.Fatal(err)
	}
	sessions := map[string]func() *auth.Session{
		"live": func() *auth.Session { return live },
		"dead": func() *auth.Session {
			s, err := f.SeedSession(ctx, ada.ID, fakeauth.Dead)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"planted": func() *auth.Session {
			s, err := f.SeedSession(ctx, mallory.ID, fakeauth.Active)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for _, order := range []string{
		"live dead", "dead live", "live planted", "planted live", "dead planted", "planted dead",
		"live dead planted", "live planted dead", "dead live planted",
		"dead planted live", "planted live dead", "planted dead live",
	} {
		t.Run(strings.ReplaceAll(order, " ", ","), func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://127.0.0.1:8080"+SessionPath, nil)
			ids := map[string]string{}
			for _, name := range strings.Fields(order) {
				s := sessions[name]() // a dead one anew: a validation deletes it
				ids[s.ID] = name
				r.AddCookie(&http.Cookie{Name: f.Auth.CookieName(), Value: s.Token})
			}
			state, rec, err := srv.storedSession(r)
			if err != nil {
				t.Fatal(err)
			}
			stored := ""
			if rec != nil {
				stored = ids[rec.ID] + " (" + state + ")"
			}

			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			var body struct {
				Session *SessionJSON `json:"session"`
			}
			if err := json.NewDecoder(w.Body).Decode(&body); err != nil || body.Session == nil {
				t.Fatalf("GET %s: %d %v", SessionPath, w.Code, err)
			}
			validated := ids[body.Session.ID] + " (" + body.Session.State + ")"
			if stored != validated {
				t.Errorf("stored state names %q, the middleware validated %q", stored, validated)
			}
		})
	}
}
