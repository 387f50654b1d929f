package redisstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// The conformance runs need Store and Sessions to be auth.SessionStore,
// and Store auth.UserStore, to compile; the join is optional in the
// contract (the suite checks it when a store has it), so this keeps a
// Store that lost it from passing.
var _ auth.SessionUserGetter = (*redisstore.Store)(nil)

// open returns the store newStore makes on client, under a key prefix of
// its own, with opts.
func open[S any](t testing.TB, newStore func(redis.UniversalClient, ...redisstore.Option) (S, error), client redis.UniversalClient, opts ...redisstore.Option) S {
	t.Helper()
	prefix := testservices.RedisPrefix(t, client, "authkit-test-")
	s, err := newStore(client, append([]redisstore.Option{redisstore.WithPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newStore(t testing.TB, client redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	return open(t, redisstore.New, client, opts...)
}

func newSessions(t testing.TB, client redis.UniversalClient, opts ...redisstore.Option) *redisstore.Sessions {
	t.Helper()
	return open(t, redisstore.NewSessions, client, opts...)
}

// TestSingle runs the store's checks on a single Redis.
func TestSingle(t *testing.T) {
	runChecks(t, testservices.RedisClient(t))
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
	t.Run("storetest/Store/Tokens", func(t *testing.T) {
		storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return newStore(t, client) })
	})
	t.Run("storetest/Store/Counters", func(t *testing.T) {
		storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return newStore(t, client) })
	})
	t.Run("storetest/Sessions/Tokens", func(t *testing.T) {
		storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return newSessions(t, client) })
	})
	t.Run("storetest/Sessions/Counters", func(t *testing.T) {
		storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return newSessions(t, client) })
	})
	t.Run("Tokens/Store/IDs", func(t *testing.T) { testservices.CheckTokenIDs(t, newStore(t, client)) })
	t.Run("Tokens/Sessions/IDs", func(t *testing.T) { testservices.CheckTokenIDs(t, newSessions(t, client)) })
	for _, c := range tokenChecks {
		t.Run("Tokens/"+c.name, func(t *testing.T) { c.f(t, newSessions(t, client)) })
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

func BenchmarkStore(b *testing.B) {
	client := testservices.RedisClient(b)
	b.Run("Store", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return newStore(b, client) })
	})
	b.Run("Sessions", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return newSessions(b, client) })
	})
}
