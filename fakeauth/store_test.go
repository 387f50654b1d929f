package fakeauth_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// TestCallWroteOnlyWhenTheStoreChanged checks Call.Wrote for every store
// operation: true when the call inserted, rewrote or deleted a record,
// false when it changed nothing, however it succeeded.
func TestCallWroteOnlyWhenTheStoreChanged(t *testing.T) {
	ctx := context.Background()
	hash := `$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA`
	tests := []struct {
		name      string
		op        fakeauth.Op
		call      func(f *fakeauth.Fake, u *auth.User, s *auth.Session) error
		wantWrote bool
	}{
		{"CreateUser", fakeauth.OpCreateUser, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.CreateUser(ctx, auth.UserRecord{ID: "new", Attributes: json.RawMessage(`{}`)}, nil)
		}, true},
		{"CreateUser of a taken ID", fakeauth.OpCreateUser, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			return f.Store.CreateUser(ctx, auth.UserRecord{ID: u.ID, Attributes: json.RawMessage(`{}`)}, nil)
		}, false},
		{"GetUser", fakeauth.OpGetUser, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			_, err := f.Store.GetUser(ctx, u.ID)
			return err
		}, false},
		{"UpdateUserAttributes", fakeauth.OpUpdateUserAttributes, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			return f.Store.UpdateUserAttributes(ctx, u.ID, json.RawMessage(`{"a":1}`))
		}, true},
		{"UpdateUserAttributes of an unknown user", fakeauth.OpUpdateUserAttributes, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.UpdateUserAttributes(ctx, "nobody", json.RawMessage(`{}`))
		}, false},
		{"DeleteUser", fakeauth.OpDeleteUser, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			return f.Store.DeleteUser(ctx, u.ID)
		}, true},
		{"DeleteUser of an unknown user", fakeauth.OpDeleteUser, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.DeleteUser(ctx, "nobody")
		}, false},
		{"CreateKey", fakeauth.OpCreateKey, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			return f.Store.CreateKey(ctx, auth.KeyRecord{ProviderID: "github", ProviderUserID: "1", UserID: u.ID})
		}, true},
		{"CreateKey that exists", fakeauth.OpCreateKey, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			return f.Store.CreateKey(ctx, auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: u.ID})
		}, false},
		{"GetKey", fakeauth.OpGetKey, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			_, err := f.Store.GetKey(ctx, "username", "ada")
			return err
		}, false},
		{"UpdateKeyPassword", fakeauth.OpUpdateKeyPassword, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.UpdateKeyPassword(ctx, "username", "ada", hash)
		}, true},
		{"UpdateKeyPassword of an unknown key", fakeauth.OpUpdateKeyPassword, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.UpdateKeyPassword(ctx, "username", "nobody", hash)
		}, false},
		{"DeleteKey", fakeauth.OpDeleteKey, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.DeleteKey(ctx, "username", "ada")
		}, true},
		{"DeleteKey of an unknown key", fakeauth.OpDeleteKey, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Store.DeleteKey(ctx, "username", "nobody")
		}, false},
		{"UserKeys", fakeauth.OpUserKeys, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			_, err := f.Store.UserKeys(ctx, u.ID)
			return err
		}, false},
		{"CreateSession", fakeauth.OpCreateSession, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			_, err := f.Auth.CreateSession(ctx, u.ID)
			return err
		}, true},
		{"CreateSession for an unknown user", fakeauth.OpCreateSession, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			_, err := f.Auth.CreateSession(ctx, "nobody")
			return err
		}, false},
		{"GetSession", fakeauth.OpGetSession, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			_, err := f.Store.GetSession(ctx, s.ID)
			return err
		}, false},
		{"GetSessionAndUser", fakeauth.OpGetSessionAndUser, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			_, _, err := f.Store.GetSessionAndUser(ctx, s.ID)
			return err
		}, false},
		{"RenewSession", fakeauth.OpRenewSession, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			now := f.Clock.Now()
			_, err := f.Store.RenewSession(ctx, s.ID, s.ActiveExpiresAt, auth.Renewal{RenewedAt: now, ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(2 * time.Hour)})
			return err
		}, true},
		{"RenewSession that lost its condition", fakeauth.OpRenewSession, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			now := f.Clock.Now()
			_, err := f.Store.RenewSession(ctx, s.ID, s.ActiveExpiresAt.Add(time.Second), auth.Renewal{RenewedAt: now, ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(2 * time.Hour)})
			return err
		}, false},
		{"UpdateSessionAttributes", fakeauth.OpUpdateSessionAttributes, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			_, err := f.Store.UpdateSessionAttributes(ctx, s.ID, nil, json.RawMessage(`{"a":1}`))
			return err
		}, true},
		{"UpdateSessionAttributes that lost its condition", fakeauth.OpUpdateSessionAttributes, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			_, err := f.Store.UpdateSessionAttributes(ctx, s.ID, json.RawMessage(`{"b":2}`), json.RawMessage(`{"a":1}`))
			return err
		}, false},
		{"InvalidateSession", fakeauth.OpDeleteSession, func(f *fakeauth.Fake, _ *auth.User, s *auth.Session) error {
			return f.Auth.InvalidateSession(ctx, s.ID)
		}, true},
		{"InvalidateSession of an empty ID", fakeauth.OpDeleteSession, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Auth.InvalidateSession(ctx, "")
		}, false},
		{"InvalidateSession of an unknown ID", fakeauth.OpDeleteSession, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Auth.InvalidateSession(ctx, auth.SessionID("abcdefghijklmnopqrstuvwxyz234567"))
		}, false},
		{"InvalidateUserSessions", fakeauth.OpDeleteUserSessions, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			return f.Auth.InvalidateUserSessions(ctx, u.ID)
		}, true},
		{"InvalidateUserSessions of a user without sessions", fakeauth.OpDeleteUserSessions, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			grace, err := f.SeedUser(ctx, "grace", "pw")
			if err != nil {
				return err
			}
			return f.Auth.InvalidateUserSessions(ctx, grace.ID)
		}, false},
		{"InvalidateUserSessions of an unknown user", fakeauth.OpDeleteUserSessions, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			return f.Auth.InvalidateUserSessions(ctx, "nobody")
		}, false},
		{"UserSessions", fakeauth.OpUserSessions, func(f *fakeauth.Fake, u *auth.User, _ *auth.Session) error {
			_, err := f.Auth.UserSessions(ctx, u.ID)
			return err
		}, false},
		{"DeleteExpiredSessions", fakeauth.OpDeleteExpiredSessions, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			f.Clock.Advance(30 * 24 * time.Hour)
			_, err := f.Auth.DeleteExpiredSessions(ctx)
			return err
		}, true},
		{"DeleteExpiredSessions with none expired", fakeauth.OpDeleteExpiredSessions, func(f *fakeauth.Fake, _ *auth.User, _ *auth.Session) error {
			_, err := f.Auth.DeleteExpiredSessions(ctx)
			return err
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeauth.NewT(t)
			u, s := seedUserSession(t, f, fakeauth.Active)
			err := tt.call(f, u, s)
			var calls []fakeauth.Call
			for _, c := range f.Store.Calls() {
				if c.Op == tt.op {
					calls = append(calls, c)
				}
			}
			if len(calls) != 1 {
				t.Fatalf("%d %s calls logged, want 1 (call error %v): %v", len(calls), tt.op, err, f.Store.Calls())
			}
			if calls[0].Wrote != tt.wantWrote {
				t.Errorf("logged %q (call error %v), want Wrote %v", calls[0], err, tt.wantWrote)
			}
		})
	}
}
