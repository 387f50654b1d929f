package authrequest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// TestInvalidateOwnSession: a user can sign out one of their own devices
// by its session ID, and nothing else: another user's session, an unknown
// ID and a request without a session give an error and change nothing.
func TestInvalidateOwnSession(t *testing.T) {
	ctx := context.Background()
	type sessions struct{ current, other, stranger *auth.Session }
	tests := []struct {
		name       string
		method     string
		signedOut  bool // the request carries no cookie
		id         func(s sessions) string
		wantErr    error
		wantGone   func(s sessions) []string // sessions deleted; the others must stay
		wantCookie string
	}{
		{name: "another device of mine", id: func(s sessions) string { return s.other.ID },
			wantGone: func(s sessions) []string { return []string{s.other.ID} }, wantCookie: "untouched"},
		{name: "this device: signed out, cookie cleared", id: func(s sessions) string { return s.current.ID },
			wantGone: func(s sessions) []string { return []string{s.current.ID} }, wantCookie: "cleared"},
		{name: "another user's session", id: func(s sessions) string { return s.stranger.ID },
			wantErr: authrequest.ErrSessionNotFound, wantCookie: "untouched"},
		{name: "an unknown ID", id: func(sessions) string { return auth.SessionID(plantedToken) },
			wantErr: authrequest.ErrSessionNotFound, wantCookie: "untouched"},
		{name: "an empty ID", id: func(sessions) string { return "" },
			wantErr: authrequest.ErrSessionNotFound, wantCookie: "untouched"},
		{name: "a token instead of an ID", id: func(s sessions) string { return s.other.Token },
			wantErr: authrequest.ErrSessionNotFound, wantCookie: "untouched"},
		{name: "signed out", signedOut: true, id: func(s sessions) string { return s.stranger.ID },
			wantErr: authrequest.ErrNotSignedIn, wantCookie: "untouched"},
		{name: "cross-origin POST", method: "POST", id: func(s sessions) string { return s.other.ID },
			wantErr: authrequest.ErrCrossOrigin, wantCookie: "untouched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeauth.NewT(t)
			_, current, other := seedTwoSessions(t, f, fakeauth.Active)
			bob := seedUser(t, f, "bob")
			stranger := seedSession(t, f, bob.ID, fakeauth.Active)
			s := sessions{current, other, stranger}

			method := tt.method
			if method == "" {
				method = "GET"
			}
			token := current.Token
			if tt.signedOut {
				token = ""
			}
			r := request(method, "https://app.example/devices", token)
			if method == "POST" {
				r.Header.Set("Origin", "https://evil.example")
			}
			rec := httptest.NewRecorder()
			ar := authrequest.New(f.Auth, rec, r)
			err := ar.InvalidateOwnSession(tt.id(s))
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("InvalidateOwnSession: %v, want %v", err, tt.wantErr)
			}
			var gone []string
			if tt.wantGone != nil {
				gone = tt.wantGone(s)
			}
			for name, x := range map[string]*auth.Session{"current": current, "other": other, "stranger's": stranger} {
				_, stored, err := f.StoredSession(ctx, x.ID)
				if err != nil {
					t.Fatal(err)
				}
				wantStored := true
				for _, id := range gone {
					if id == x.ID {
						wantStored = false
					}
				}
				if stored != wantStored {
					t.Errorf("the %s session stored: %v, want %v", name, stored, wantStored)
				}
			}
			if got := cookieOutcome(t, rec); got != tt.wantCookie {
				t.Errorf("cookie %s, want %s", got, tt.wantCookie)
			}
			if tt.wantCookie == "cleared" {
				if s, err := ar.Session(); s != nil || err != nil {
					t.Errorf("Session after revoking it: %v, %v; want nil, nil", s, err)
				}
			}
		})
	}
}

func TestInvalidateOwnSessionStoreFailure(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	_, current, other := seedTwoSessions(t, f, fakeauth.Active)
	for _, op := range []fakeauth.Op{fakeauth.OpUserSessions, fakeauth.OpDeleteSession} {
		f.Store.FailNext(op, 1, nil)
		rec := httptest.NewRecorder()
		err := authrequest.New(f.Auth, rec, request("GET", "https://app.example/", current.Token)).InvalidateOwnSession(other.ID)
		if !errors.Is(err, auth.ErrStore) {
			t.Errorf("%s failing: %v, want ErrStore", op, err)
		}
		if _, stored, _ := f.StoredSession(ctx, other.ID); !stored {
			t.Errorf("%s failing: the session was deleted", op)
		}
		if got := cookieOutcome(t, rec); got != "untouched" {
			t.Errorf("%s failing: cookie %s, want untouched", op, got)
		}
	}
	var nilAR *authrequest.AuthRequest
	if err := nilAR.InvalidateOwnSession(other.ID); !errors.Is(err, authrequest.ErrNoMiddleware) {
		t.Errorf("nil AuthRequest: %v, want ErrNoMiddleware", err)
	}
}

// Revoking the current session with session cookies of different values
// (one planted by a sibling) deletes the session but clears no cookie:
// the clearing cookie might delete the real one.
func TestInvalidateOwnSessionKeepsDisagreeingCookies(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	_, current := seedUserSession(t, f, fakeauth.Active)
	r := httptest.NewRequest("GET", "https://app.example/devices", nil)
	r.Header.Set("Cookie", "auth_session="+plantedToken+"; auth_session="+current.Token)
	rec := httptest.NewRecorder()
	ar := authrequest.New(f.Auth, rec, r)
	if err := ar.InvalidateOwnSession(current.ID); err != nil {
		t.Fatal(err)
	}
	if _, stored, _ := f.StoredSession(ctx, current.ID); stored {
		t.Error("the session survived")
	}
	if got := cookieOutcome(t, rec); got != "untouched" {
		t.Errorf("cookie %s, want untouched", got)
	}
	if s, err := ar.Session(); s != nil || err != nil {
		t.Errorf("Session after revoking it: %v, %v; want nil, nil", s, err)
	}
}
