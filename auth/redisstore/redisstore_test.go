package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// singleClient returns a client on the test Redis server.
func singleClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	opts, err := redis.ParseURL(testservices.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// uniquePrefix returns a new key prefix and deletes its keys when the
// test ends.
func uniquePrefix(t testing.TB, client redis.UniversalClient) string {
	t.Helper()
	prefix := testservices.UniqueName("authkit-test-") + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := scanKeys(ctx, client, prefix+"*")
		if err != nil {
			t.Errorf("clean up prefix %s: %v", prefix, err)
			return
		}
		for _, k := range keys {
			client.Unlink(ctx, k)
		}
	})
	return prefix
}

// scanKeys returns the keys matching pattern, on every master of a
// cluster.
func scanKeys(ctx context.Context, client redis.UniversalClient, pattern string) ([]string, error) {
	scan := func(ctx context.Context, c redis.UniversalClient) ([]string, error) {
		var out []string
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			out = append(out, iter.Val())
		}
		return out, iter.Err()
	}
	cc, ok := client.(*redis.ClusterClient)
	if !ok {
		return scan(ctx, client)
	}
	var mu sync.Mutex
	var out []string
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		keys, err := scan(ctx, c)
		mu.Lock()
		out = append(out, keys...)
		mu.Unlock()
		return err
	})
	slices.Sort(out)
	return out, err
}

func newStore(t testing.TB, client redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(client, append([]redisstore.Option{redisstore.WithPrefix(uniquePrefix(t, client))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newSessions(t testing.TB, client redis.UniversalClient, opts ...redisstore.Option) *redisstore.Sessions {
	t.Helper()
	s, err := redisstore.NewSessions(client, append([]redisstore.Option{redisstore.WithPrefix(uniquePrefix(t, client))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSingle runs the store's checks on a single Redis.
func TestSingle(t *testing.T) {
	runChecks(t, singleClient(t))
}

// TestCluster runs the same checks on a three-master Redis Cluster.
func TestCluster(t *testing.T) {
	runChecks(t, startCluster(t))
}

func runChecks(t *testing.T, client redis.UniversalClient) {
	orphan := storetest.OrphanUser(func(ctx context.Context, s auth.SessionStore, userID string) error {
		st := s.(*redisstore.Store)
		return st.Client().Del(ctx, st.Prefix()+"{U:"+userID+"}").Err()
	})
	t.Run("storetest/Store", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return newStore(t, client) }, orphan)
	})
	t.Run("storetest/UserStore", func(t *testing.T) {
		storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return newStore(t, client) })
	})
	t.Run("storetest/Sessions", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return newSessions(t, client) })
	})
	for _, c := range storeChecks {
		t.Run(c.name, func(t *testing.T) { c.f(t, newStore(t, client)) })
	}
	for _, c := range sessionChecks {
		t.Run("Store/"+c.name, func(t *testing.T) {
			s := newStore(t, client)
			ctx := t.Context()
			create := func(userID string) {
				t.Helper()
				if err := s.CreateUser(ctx, auth.UserRecord{ID: userID, Attributes: json.RawMessage(`{}`)}, nil); err != nil {
					t.Fatalf("CreateUser(%q): %v", userID, err)
				}
			}
			c.f(t, s, create)
		})
		t.Run("Sessions/"+c.name, func(t *testing.T) {
			c.f(t, newSessions(t, client), func(string) {})
		})
	}
	for _, c := range clientChecks {
		t.Run(c.name, func(t *testing.T) { c.f(t, client) })
	}
}

var t0 = time.Date(2031, 3, 14, 15, 9, 26, 535897932, time.UTC)

// record is a session with every field set.
func record(id, userID string, idle time.Time) auth.SessionRecord {
	return auth.SessionRecord{
		ID: auth.SessionID(id), UserID: userID,
		CreatedAt: idle.Add(-3 * time.Hour), RenewedAt: idle.Add(-2 * time.Hour),
		ActiveExpiresAt: idle.Add(-time.Hour), IdleExpiresAt: idle,
		ExpiresAt: idle.Add(time.Hour),
		UserAgent: "Mozilla/5.0 (X11; Linux) \"quoted\" ünïcode", ClientIP: "2001:db8::1",
		Attributes: json.RawMessage(`{"device":"laptop",  "mfa":true}`),
	}
}

// sameSessions compares records as instants (cmp with time.Time.Equal).
func sameSessions(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func sortByID(rs []auth.SessionRecord) []auth.SessionRecord {
	slices.SortFunc(rs, func(a, b auth.SessionRecord) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return rs
}

type sessionCheck struct {
	name string
	// f gets the store and a function that makes a user sessions can
	// reference (a no-op on Sessions).
	f func(t *testing.T, s auth.SessionStore, createUser func(string))
}

var sessionChecks = []sessionCheck{
	{"TimeRange", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		createUser("u1")
		testservices.CheckTimeRange(t, s, "u1")
	}},
	{"RoundTripEveryField", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		full := record("full", "u1", t0)
		bare := auth.SessionRecord{ID: auth.SessionID("bare"), UserID: "u1", CreatedAt: t0, RenewedAt: t0, ActiveExpiresAt: t0, IdleExpiresAt: t0.Add(time.Hour)}
		empty := bare
		empty.ID = auth.SessionID("empty attributes")
		empty.Attributes = json.RawMessage{}
		for _, r := range []auth.SessionRecord{full, bare, empty} {
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			got, err := s.GetSession(ctx, r.ID)
			if err != nil {
				t.Fatalf("GetSession: %v", err)
			}
			sameSessions(t, "GetSession", r, got)
			if (r.Attributes == nil) != (got.Attributes == nil) {
				t.Errorf("Attributes nil = %v, want %v", got.Attributes == nil, r.Attributes == nil)
			}
			if !got.ExpiresAt.IsZero() && r.ExpiresAt.IsZero() {
				t.Errorf("zero ExpiresAt came back as %v", got.ExpiresAt)
			}
		}
		if _, err := s.GetSession(ctx, auth.SessionID("nobody")); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSession(unknown) = %v, want ErrNotFound", err)
		}
		if err := s.CreateSession(ctx, full); err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(duplicate ID) = %v, want a system error", err)
		}
		out := full
		out.ID = auth.SessionID("out of range")
		out.ExpiresAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := s.CreateSession(ctx, out); err == nil {
			t.Error("CreateSession with a time past 2262 succeeded, want an error")
		}
	}},
	{"Renew", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		r := record("renew", "u1", t0)
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		rn := auth.Renewal{RenewedAt: t0.Add(time.Nanosecond), ActiveExpiresAt: t0.Add(time.Hour + 1), IdleExpiresAt: t0.Add(2*time.Hour + 3)}
		if ok, err := s.RenewSession(ctx, r.ID, r.ActiveExpiresAt.Add(1), rn); ok || err != nil {
			t.Errorf("RenewSession(wrong old expiry) = %v, %v; want false, nil", ok, err)
		}
		const callers = 16
		var wg sync.WaitGroup
		wins := make(chan bool, callers)
		for range callers {
			wg.Go(func() {
				ok, err := s.RenewSession(ctx, r.ID, r.ActiveExpiresAt, rn)
				if err != nil {
					t.Errorf("RenewSession: %v", err)
				}
				wins <- ok
			})
		}
		wg.Wait()
		close(wins)
		n := 0
		for ok := range wins {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("concurrent renewals that won = %d, want 1", n)
		}
		want := r
		want.RenewedAt, want.ActiveExpiresAt, want.IdleExpiresAt = rn.RenewedAt, rn.ActiveExpiresAt, rn.IdleExpiresAt
		got, err := s.GetSession(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameSessions(t, "after renewal", want, got)
		if err := s.DeleteSession(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.RenewSession(ctx, r.ID, rn.ActiveExpiresAt, rn); ok || err != nil {
			t.Errorf("RenewSession(deleted) = %v, %v; want false, nil", ok, err)
		}
		if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSession after renewing a deleted session = %v, want ErrNotFound", err)
		}
	}},
	{"DeleteAndList", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		createUser("u2")
		var u1 []auth.SessionRecord
		for i := range 5 {
			// One long dead: listing returns expired sessions too.
			r := record(fmt.Sprint("u1-", i), "u1", t0.Add(time.Duration(i-1)*24*time.Hour*365))
			u1 = append(u1, r)
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		other := record("u2", "u2", t0)
		if err := s.CreateSession(ctx, other); err != nil {
			t.Fatal(err)
		}
		got, err := s.UserSessions(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		sameSessions(t, "UserSessions(u1)", sortByID(slices.Clone(u1)), sortByID(got))
		if got, err := s.UserSessions(ctx, "nobody"); got != nil || err != nil {
			t.Errorf("UserSessions(unknown) = %v, %v; want nil, nil", got, err)
		}
		if err := s.DeleteSession(ctx, u1[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSession(ctx, u1[0].ID); err != nil {
			t.Errorf("DeleteSession(deleted) = %v, want nil", err)
		}
		got, _ = s.UserSessions(ctx, "u1")
		sameSessions(t, "UserSessions after DeleteSession", sortByID(slices.Clone(u1[1:])), sortByID(got))
		if err := s.DeleteUserSessions(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUserSessions(ctx, "nobody"); err != nil {
			t.Errorf("DeleteUserSessions(unknown) = %v", err)
		}
		for _, r := range u1 {
			if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("GetSession after DeleteUserSessions = %v, want ErrNotFound", err)
			}
		}
		if got, _ := s.UserSessions(ctx, "u1"); len(got) != 0 {
			t.Errorf("UserSessions after DeleteUserSessions = %d sessions", len(got))
		}
		if _, err := s.GetSession(ctx, other.ID); err != nil {
			t.Errorf("another user's session after DeleteUserSessions: %v", err)
		}
	}},
	{"ListManyInBatches", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("many")
		const n = 1234 // more than two batches
		want := map[string]bool{}
		for i := range n {
			r := record(fmt.Sprint("many-", i), "many", t0)
			want[r.ID] = true
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.UserSessions(ctx, "many")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range got {
			if !want[r.ID] || seen[r.ID] {
				t.Fatalf("UserSessions returned %.12s… unexpected or twice", r.ID)
			}
			seen[r.ID] = true
		}
		if len(seen) != n {
			t.Errorf("UserSessions returned %d sessions, want %d", len(seen), n)
		}
		if err := s.DeleteUserSessions(ctx, "many"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserSessions(ctx, "many"); len(got) != 0 {
			t.Errorf("after DeleteUserSessions, %d sessions left", len(got))
		}
	}},
	{"DeleteExpiredInBoundedSteps", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		now := t0
		var dead, live []auth.SessionRecord
		for i := range 5 {
			r := record(fmt.Sprint("dead-", i), "u1", now.Add(-time.Duration(i)*time.Hour-time.Nanosecond))
			dead = append(dead, r)
		}
		// The same second as now, one nanosecond before: dead. At now
		// exactly, and after: alive.
		dead = append(dead, record("dead-ns", "u1", now.Add(-time.Nanosecond)))
		live = append(live, record("live-now", "u1", now), record("live-ns", "u1", now.Add(time.Nanosecond)), record("live-later", "u1", now.Add(time.Hour)))
		for _, r := range append(slices.Clone(dead), live...) {
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		var counts []int
		for range 10 {
			n, err := s.DeleteExpiredSessions(ctx, now, 4)
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
			if n < 4 {
				break
			}
		}
		if want := []int{4, 2}; !slices.Equal(counts, want) {
			t.Errorf("DeleteExpiredSessions(limit 4) counts = %v, want %v", counts, want)
		}
		for _, r := range dead {
			if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("dead session %v after the sweep: %v", r.IdleExpiresAt, err)
			}
		}
		for _, r := range live {
			if _, err := s.GetSession(ctx, r.ID); err != nil {
				t.Errorf("live session %v after the sweep: %v", r.IdleExpiresAt, err)
			}
		}
		got, _ := s.UserSessions(ctx, "u1")
		sameSessions(t, "UserSessions after the sweep", sortByID(slices.Clone(live)), sortByID(got))
		// A renewed session moves in the sweep's order.
		if ok, err := s.RenewSession(ctx, live[2].ID, live[2].ActiveExpiresAt, auth.Renewal{RenewedAt: now, ActiveExpiresAt: now, IdleExpiresAt: now.Add(-time.Second)}); !ok || err != nil {
			t.Fatalf("RenewSession = %v, %v", ok, err)
		}
		if n, err := s.DeleteExpiredSessions(ctx, now, 10); n != 1 || err != nil {
			t.Errorf("DeleteExpiredSessions after renewing into the past = %d, %v; want 1", n, err)
		}
	}},
}

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
		if keys, _ := scanKeys(ctx, s.Client(), s.Prefix()+"*"); len(keys) != 0 {
			t.Errorf("keys left after the resumed DeleteUser: %v, want none", keys)
		}
	}},
}

func BenchmarkStore(b *testing.B) {
	client := singleClient(b)
	b.Run("Store", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return newStore(b, client) })
	})
	b.Run("Sessions", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return newSessions(b, client) })
	})
}
