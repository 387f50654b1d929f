package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// Every method honours a cancelled context: it returns an error wrapping
// context.Canceled and changes nothing.

func sessionContextCases(c capabilities) []testCase {
	sess := session("s1", "u1")
	newSess := session("new", "u1")
	calls := []cancelledCall{
		{"CreateSession", func(ctx context.Context, f *fixture) error {
			return f.s.CreateSession(ctx, newSess)
		}, func(f *fixture) { f.wantNoSession(newSess.ID) }},
		{"GetSession", func(ctx context.Context, f *fixture) error {
			_, err := f.s.GetSession(ctx, sess.ID)
			return err
		}, nil},
		{"RenewSession", func(ctx context.Context, f *fixture) error {
			_, err := f.s.RenewSession(ctx, sess.ID, sess.ActiveExpiresAt, renewal(t0().Add(72*time.Hour)))
			return err
		}, func(f *fixture) { f.wantSession(sess) }},
		{"DeleteSession", func(ctx context.Context, f *fixture) error {
			return f.s.DeleteSession(ctx, sess.ID)
		}, func(f *fixture) { f.wantSession(sess) }},
		{"DeleteUserSessions", func(ctx context.Context, f *fixture) error {
			return f.s.DeleteUserSessions(ctx, "u1")
		}, func(f *fixture) { f.wantSession(sess) }},
		{"UserSessions", func(ctx context.Context, f *fixture) error {
			_, err := f.s.UserSessions(ctx, "u1")
			return err
		}, nil},
		{"DeleteExpiredSessions", func(ctx context.Context, f *fixture) error {
			_, err := f.s.DeleteExpiredSessions(ctx, t0().Add(10000*time.Hour), 500)
			return err
		}, func(f *fixture) { f.wantSession(sess) }},
	}
	if c.joiner {
		calls = append(calls, cancelledCall{"GetSessionAndUser", func(ctx context.Context, f *fixture) error {
			_, _, err := f.js.GetSessionAndUser(ctx, sess.ID)
			return err
		}, nil})
	}
	return cancelledCases(calls, func(f *fixture) {
		f.user("u1")
		f.create(sess)
	})
}

func userContextCases() []testCase {
	key := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	newKey := auth.KeyRecord{ProviderID: "username", ProviderUserID: "new", UserID: "u1"}
	calls := []cancelledCall{
		{"CreateUser", func(ctx context.Context, f *fixture) error {
			return f.us.CreateUser(ctx, userRecord("u2"), nil)
		}, func(f *fixture) { f.wantNoUser("u2") }},
		{"GetUser", func(ctx context.Context, f *fixture) error {
			_, err := f.us.GetUser(ctx, "u1")
			return err
		}, nil},
		{"UpdateUserAttributes", func(ctx context.Context, f *fixture) error {
			return f.us.UpdateUserAttributes(ctx, "u1", json.RawMessage(`{"changed":true}`))
		}, func(f *fixture) { f.wantUser(userRecord("u1")) }},
		{"DeleteUser", func(ctx context.Context, f *fixture) error {
			return f.us.DeleteUser(ctx, "u1")
		}, func(f *fixture) {
			f.wantUser(userRecord("u1"))
			if f.s != nil {
				f.wantSession(session("s1", "u1"))
			}
		}},
		{"CreateKey", func(ctx context.Context, f *fixture) error {
			return f.us.CreateKey(ctx, newKey)
		}, func(f *fixture) { f.wantNoKey(newKey.ProviderID, newKey.ProviderUserID) }},
		{"GetKey", func(ctx context.Context, f *fixture) error {
			_, err := f.us.GetKey(ctx, key.ProviderID, key.ProviderUserID)
			return err
		}, nil},
		{"UpdateKeyPassword", func(ctx context.Context, f *fixture) error {
			return f.us.UpdateKeyPassword(ctx, key.ProviderID, key.ProviderUserID, "changed")
		}, func(f *fixture) { f.wantKey(key) }},
		{"DeleteKey", func(ctx context.Context, f *fixture) error {
			return f.us.DeleteKey(ctx, key.ProviderID, key.ProviderUserID)
		}, func(f *fixture) { f.wantKey(key) }},
		{"UserKeys", func(ctx context.Context, f *fixture) error {
			_, err := f.us.UserKeys(ctx, "u1")
			return err
		}, nil},
	}
	return cancelledCases(calls, func(f *fixture) {
		f.mustCreateUser(userRecord("u1"), &key)
		if f.s != nil {
			f.create(session("s1", "u1"))
		}
	})
}

// cancelledCall is one method called with a cancelled context, and what
// must hold afterwards (nil: nothing to check).
type cancelledCall struct {
	name  string
	call  func(ctx context.Context, f *fixture) error
	check func(f *fixture)
}

// cancelledCases makes a case of each call: after setup, the call with a
// cancelled context returns an error wrapping context.Canceled, and its
// check holds.
func cancelledCases(calls []cancelledCall, setup func(f *fixture)) []testCase {
	cases := make([]testCase, 0, len(calls))
	for _, c := range calls {
		cases = append(cases, testCase{c.name, func(f *fixture) {
			setup(f)
			ctx, cancel := context.WithCancel(f.ctx())
			cancel()
			err := c.call(ctx, f)
			if !errors.Is(err, context.Canceled) {
				f.t.Errorf("%s(cancelled context): error = %v, want errors.Is(err, context.Canceled)", c.name, err)
			}
			if c.check != nil {
				c.check(f)
			}
		}})
	}
	return cases
}
