package redisstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// Checks of a Store's user and key methods, beyond the conformance suite:
// what is particular to Redis (the ordering across cluster slots, data
// that does not parse).

type storeCheck struct {
	name string
	f    func(t *testing.T, s *redisstore.Store)
}

var storeChecks = []storeCheck{
	{"Users", func(t *testing.T, s *redisstore.Store) {
		ctx := t.Context()
		u := auth.UserRecord{ID: "ada", Attributes: json.RawMessage(`{"name": "Ada"}`)}
		key := &auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "ada", PasswordHash: "$argon2id$x"}
		if err := s.CreateUser(ctx, u, key); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, u, nil); !errors.Is(err, auth.ErrDuplicateUser) {
			t.Errorf("CreateUser(same ID) = %v, want ErrDuplicateUser", err)
		}
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "bob"}, &auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "bob"}); !errors.Is(err, auth.ErrDuplicateKey) {
			t.Errorf("CreateUser(taken key) = %v, want ErrDuplicateKey", err)
		}
		if _, err := s.GetUser(ctx, "bob"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("user of a refused key: GetUser = %v, want ErrNotFound", err)
		}
		got, err := s.GetUser(ctx, "ada")
		if err != nil || string(got.Attributes) != string(u.Attributes) {
			t.Errorf("GetUser = %s, %v", got.Attributes, err)
		}
		if err := s.UpdateUserAttributes(ctx, "ada", json.RawMessage(`{"name":"Ada L."}`)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetUser(ctx, "ada"); string(got.Attributes) != `{"name":"Ada L."}` {
			t.Errorf("attributes after update = %s", got.Attributes)
		}
		if err := s.UpdateUserAttributes(ctx, "nobody", nil); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("UpdateUserAttributes(unknown) = %v", err)
		}
		k, err := s.GetKey(ctx, "username", "ada")
		if err != nil || k != *key {
			t.Errorf("GetKey = %+v, %v; want %+v", k, err, *key)
		}
		if err := s.CreateKey(ctx, auth.KeyRecord{ProviderID: "github", ProviderUserID: "42", UserID: "nobody"}); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("CreateKey(unknown user) = %v, want ErrNotFound", err)
		}
		gh := auth.KeyRecord{ProviderID: "github", ProviderUserID: "42", UserID: "ada"}
		if err := s.CreateKey(ctx, gh); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateKey(ctx, gh); !errors.Is(err, auth.ErrDuplicateKey) {
			t.Errorf("CreateKey(taken) = %v", err)
		}
		// Keys whose encodings could run together stay apart.
		if err := s.CreateKey(ctx, auth.KeyRecord{ProviderID: "git", ProviderUserID: "hub:42", UserID: "ada"}); err != nil {
			t.Errorf("CreateKey(git, hub:42): %v", err)
		}
		keys, err := s.UserKeys(ctx, "ada")
		if err != nil || len(keys) != 3 {
			t.Errorf("UserKeys = %v, %v; want 3 keys", keys, err)
		}
		if err := s.UpdateKeyPassword(ctx, "github", "42", "$argon2id$y"); err != nil {
			t.Fatal(err)
		}
		if k, _ := s.GetKey(ctx, "github", "42"); k.PasswordHash != "$argon2id$y" {
			t.Errorf("password after update = %q", k.PasswordHash)
		}
		if err := s.UpdateKeyPassword(ctx, "github", "43", ""); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("UpdateKeyPassword(unknown) = %v", err)
		}
		if err := s.DeleteKey(ctx, "git", "hub:42"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteKey(ctx, "git", "hub:42"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("DeleteKey(deleted) = %v", err)
		}
		sess := record("ada", "ada", t0)
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, record("nobody", "nobody", t0)); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(unknown user) = %v, want ErrUserNotFound", err)
		}
		if _, err := s.GetSession(ctx, auth.SessionID("nobody")); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("the refused session is stored: GetSession = %v", err)
		}
		gs, gu, err := s.GetSessionAndUser(ctx, sess.ID)
		if err != nil || gu.ID != "ada" || string(gu.Attributes) != `{"name":"Ada L."}` {
			t.Errorf("GetSessionAndUser = %+v, %v", gu, err)
		}
		sameSessions(t, "GetSessionAndUser session", sess, gs)
		if _, _, err := s.GetSessionAndUser(ctx, auth.SessionID("none")); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSessionAndUser(unknown) = %v, want ErrNotFound", err)
		}

		if err := s.DeleteUser(ctx, "ada"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, "ada"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("DeleteUser(deleted) = %v, want ErrNotFound", err)
		}
		if _, err := s.GetSession(ctx, sess.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("session after DeleteUser: %v", err)
		}
		if _, err := s.GetKey(ctx, "github", "42"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("key after DeleteUser: %v", err)
		}
		// The key is free again, for a new user with the same ID.
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "ada"}, &auth.KeyRecord{ProviderID: "github", ProviderUserID: "42", UserID: "ada"}); err != nil {
			t.Errorf("CreateUser after DeleteUser: %v", err)
		}
		if keys, _ := s.UserKeys(ctx, "ada"); len(keys) != 1 {
			t.Errorf("the new user's keys = %v, want only the new key", keys)
		}
	}},
	{"UserMissing", func(t *testing.T, s *redisstore.Store) {
		ctx := t.Context()
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{}`)}, nil); err != nil {
			t.Fatal(err)
		}
		r := record("orphan", "u1", t0)
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		// A user gone without its sessions (deleted by hand).
		if err := s.Client().Del(ctx, s.Prefix()+"{U:u1}").Err(); err != nil {
			t.Fatal(err)
		}
		got, u, err := s.GetSessionAndUser(ctx, r.ID)
		if !errors.Is(err, auth.ErrUserNotFound) {
			t.Fatalf("GetSessionAndUser(orphan) error = %v, want ErrUserNotFound", err)
		}
		sameSessions(t, "session of a missing user", r, got)
		if u.ID != "" {
			t.Errorf("user = %+v, want zero", u)
		}
	}},
	{"MalformedData", func(t *testing.T, s *redisstore.Store) {
		ctx := t.Context()
		rdb := s.Client()
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{}`)}, nil); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			write func(sessionKey string) error
		}{
			{"session key of the wrong type", func(k string) error { return rdb.Set(ctx, k, "x", 0).Err() }},
			{"session without user", func(k string) error {
				return rdb.HSet(ctx, k, "c", "1", "r", "1", "a", "1", "i", "1", "e", "", "ua", "", "ip", "").Err()
			}},
			{"session without idle expiry", func(k string) error {
				return rdb.HSet(ctx, k, "u", "u1", "c", "1", "r", "1", "a", "1", "e", "", "ua", "", "ip", "").Err()
			}},
			{"unparsable time", func(k string) error {
				return rdb.HSet(ctx, k, "u", "u1", "c", "1", "r", "1", "a", "soon", "i", "1", "e", "", "ua", "", "ip", "").Err()
			}},
		}
		for i, c := range cases {
			id := auth.SessionID(fmt.Sprint("bad-", i))
			if err := c.write(s.Prefix() + "{S:" + id + "}"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetSession(ctx, id); err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
				t.Errorf("%s: GetSession = %v, want a system error", c.name, err)
			}
			if _, _, err := s.GetSessionAndUser(ctx, id); err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
				t.Errorf("%s: GetSessionAndUser = %v, want a system error", c.name, err)
			}
		}
		// A good session whose user hash is malformed: a system error,
		// never "user deleted".
		users := []struct {
			name  string
			write func(userKey string) error
		}{
			{"user key of the wrong type", func(k string) error { return rdb.Set(ctx, k, "x", 0).Err() }},
			{"user hash without id", func(k string) error { return rdb.HSet(ctx, k, "g", "1").Err() }},
			{"user hash with another id", func(k string) error { return rdb.HSet(ctx, k, "id", "someone", "g", "1").Err() }},
		}
		for i, c := range users {
			uid := fmt.Sprint("bad-user-", i)
			if err := s.CreateUser(ctx, auth.UserRecord{ID: uid}, nil); err != nil {
				t.Fatal(err)
			}
			r := record("of "+uid, uid, t0)
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
			k := s.Prefix() + "{U:" + uid + "}"
			rdb.Del(ctx, k)
			if err := c.write(k); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.GetSessionAndUser(ctx, r.ID); err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
				t.Errorf("%s: GetSessionAndUser = %v, want a system error", c.name, err)
			}
			if _, err := s.GetUser(ctx, uid); err == nil || errors.Is(err, auth.ErrNotFound) {
				t.Errorf("%s: GetUser = %v, want a system error", c.name, err)
			}
		}
	}},
	{"CreateSessionRacesDeleteUser", func(t *testing.T, s *redisstore.Store) {
		ctx := t.Context()
		for round := range 20 {
			uid := fmt.Sprint("racer-", round)
			if err := s.CreateUser(ctx, auth.UserRecord{ID: uid}, nil); err != nil {
				t.Fatal(err)
			}
			const creators = 8
			var wg sync.WaitGroup
			var mu sync.Mutex
			var created []string
			for i := range creators {
				wg.Go(func() {
					for j := range 3 {
						r := record(fmt.Sprint(uid, "-", i, "-", j), uid, t0)
						err := s.CreateSession(ctx, r)
						switch {
						case err == nil:
							mu.Lock()
							created = append(created, r.ID)
							mu.Unlock()
						case !errors.Is(err, auth.ErrUserNotFound):
							t.Errorf("CreateSession: %v", err)
						}
					}
				})
			}
			wg.Go(func() {
				if err := s.DeleteUser(ctx, uid); err != nil {
					t.Errorf("DeleteUser: %v", err)
				}
			})
			wg.Wait()
			// Whatever the interleaving: no session of the deleted user
			// is left, not even one whose CreateSession succeeded.
			for i := range creators {
				for j := range 3 {
					id := auth.SessionID(fmt.Sprint(uid, "-", i, "-", j))
					if _, err := s.GetSession(ctx, id); !errors.Is(err, auth.ErrNotFound) {
						t.Fatalf("round %d: session %.12s… of the deleted user: GetSession = %v (created: %v)", round, id, err, slices.Contains(created, id))
					}
				}
			}
			if got, _ := s.UserSessions(ctx, uid); len(got) != 0 {
				t.Fatalf("round %d: UserSessions of the deleted user = %d", round, len(got))
			}
		}
	}},
	{"DeleteUserResumes", func(t *testing.T, s *redisstore.Store) {
		ctx := t.Context()
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1"}, &auth.KeyRecord{ProviderID: "email", ProviderUserID: "u1@example.com", UserID: "u1"}); err != nil {
			t.Fatal(err)
		}
		r := record("resume", "u1", t0)
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		// A DeleteUser that stopped right after marking the user.
		if err := s.Client().HSet(ctx, s.Prefix()+"{U:u1}", "d", "1").Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUser(ctx, "u1"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetUser(marked deleted) = %v, want ErrNotFound", err)
		}
		if _, err := s.GetKey(ctx, "email", "u1@example.com"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetKey(user marked deleted) = %v, want ErrNotFound", err)
		}
		if err := s.CreateSession(ctx, record("late", "u1", t0)); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(user marked deleted) = %v, want ErrUserNotFound", err)
		}
		if _, _, err := s.GetSessionAndUser(ctx, r.ID); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("GetSessionAndUser(user marked deleted) = %v, want ErrUserNotFound", err)
		}
		if err := s.DeleteUser(ctx, "u1"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("DeleteUser(marked) = %v, want ErrNotFound after finishing the work", err)
		}
		if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("session after the resumed DeleteUser: %v", err)
		}
		if keys, _ := testservices.ScanKeys(ctx, s.Client(), s.Prefix()+"*"); len(keys) != 0 {
			t.Errorf("keys left after the resumed DeleteUser: %v, want none", keys)
		}
	}},
}
