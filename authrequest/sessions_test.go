package authrequest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
)

func TestSignInRecordsTheDevice(t *testing.T) {
	for _, tt := range []struct{ remote, wantIP string }{
		{"192.0.2.7:51234", "192.0.2.7"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"pipe", "pipe"}, // no port: kept as it is
	} {
		e := newEnv(t)
		r := request("POST", "http://example.com/login", "")
		r.Header.Set("Origin", "http://example.com")
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
		r.RemoteAddr = tt.remote
		s, err := authrequest.New(e.a, httptest.NewRecorder(), r).SignIn(e.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec, ok := e.stored(t, s.ID)
		if !ok || rec.UserAgent != "Mozilla/5.0 (X11; Linux x86_64)" || rec.ClientIP != tt.wantIP {
			t.Errorf("RemoteAddr %q: stored user agent %q, client IP %q; want the request's, %q", tt.remote, rec.UserAgent, rec.ClientIP, tt.wantIP)
		}
		if s.UserAgent != rec.UserAgent || s.ClientIP != rec.ClientIP {
			t.Errorf("returned session %q %q differs from the stored one", s.UserAgent, s.ClientIP)
		}
	}
}

// TestAPIUserWithoutUserStore: on an Auth whose store keeps only sessions,
// GET /api/auth/user answers with the session's user ID instead of
// failing for want of users.
func TestAPIUserWithoutUserStore(t *testing.T) {
	ctx := context.Background()
	a, err := auth.New(memstore.NewSessions(), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if a.KeepsUsers() {
		t.Fatal("a sessions-only store has users")
	}
	s, err := a.CreateSession(ctx, "app-user-42")
	if err != nil {
		t.Fatal(err)
	}
	h := authrequest.APIHandler(a)
	for _, tt := range []struct {
		token string
		want  string
	}{
		{s.Token, `{"user":{"id":"app-user-42"}}`},
		{"", `{"user":null}`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("GET", "https://example.com/api/auth/user", tt.token))
		var got, want any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
		json.Unmarshal([]byte(tt.want), &want)
		if rec.Code != http.StatusOK || !jsonEqual(got, want) {
			t.Errorf("GET /api/auth/user: %d %s, want 200 %s", rec.Code, rec.Body, tt.want)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
