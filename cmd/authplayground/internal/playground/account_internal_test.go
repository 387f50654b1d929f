package playground

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// TestStoredStateNamesTheMiddlewaresSession: with two or three session
// cookies (the user's live one, a dead one, and a live one a sibling
// subdomain planted), in every order, the session the page's "stored
// state" describes is the one the middleware then validates.
func TestStoredStateNamesTheMiddlewaresSession(t *testing.T) {
	srv, err := New(Config{})
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
