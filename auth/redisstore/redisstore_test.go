package redisstore_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

func TestConformance(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		redisURL := testservices.Redis(t)
		authtest.TestStore(t, func(t *testing.T) auth.Store {
			return testservices.OpenRedis(t, redisURL, testservices.RedisPrefix(t, redisURL))
		})
	})
}

// keysOf lists the keys with the store's prefix.
func keysOf(t *testing.T, s *redisstore.Store) []string {
	t.Helper()
	var keys []string
	iter := s.Client().Scan(t.Context(), 0, s.Prefix()+"*", 1000).Iterator()
	for iter.Next(t.Context()) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func TestResetAndAllSessions(t *testing.T) {
	s := testservices.RedisStore(t)
	testservices.CheckResetAndAllSessions(t, s)
	if err := s.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	if keys := keysOf(t, s); len(keys) != 0 {
		t.Errorf("keys left after Reset: %v", keys)
	}
}

// A prefix with glob characters only matches itself when Reset scans.
func TestResetEscapesPrefix(t *testing.T) {
	redisURL := testservices.Redis(t)
	base := testservices.RedisPrefix(t, redisURL)
	ctx := t.Context()
	glob := testservices.OpenRedis(t, redisURL, base+"*")
	other := testservices.OpenRedis(t, redisURL, base+"x")
	for _, s := range []*redisstore.Store{glob, other} {
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: []byte(`{}`)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := glob.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if _, err := other.GetUser(ctx, "u1"); err != nil {
		t.Errorf("Reset of prefix %q deleted a key of prefix %q: %v", glob.Prefix(), other.Prefix(), err)
	}
	if _, err := glob.GetUser(ctx, "u1"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetUser after Reset: %v, want ErrNotFound", err)
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := redisstore.New(nil); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := redisstore.New(client, redisstore.WithExpiryGrace(d)); err == nil {
			t.Errorf("New(WithExpiryGrace(%v)) succeeded, want an error", d)
		}
	}
	if _, err := redisstore.Open(t.Context(), "http://not-redis"); err == nil {
		t.Error("Open(http URL) succeeded, want an error")
	}
}

// A session key's TTL ends a grace period after the later of its
// IdleExpiresAt and the write, and a renewal moves it.
func TestExpiryTTL(t *testing.T) {
	const grace = 10 * time.Minute
	s := testservices.RedisStore(t, redisstore.WithExpiryGrace(grace))
	ctx := t.Context()
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	ttl := func(id string) time.Duration {
		t.Helper()
		d, err := s.Client().PTTL(ctx, s.Prefix()+"s:"+id).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	within := func(what string, got, want time.Duration) {
		t.Helper()
		// The write happened a moment ago: allow a minute of slack.
		if got > want || got < want-time.Minute {
			t.Errorf("%s: TTL = %v, want about %v", what, got, want)
		}
	}
	now := time.Now()
	past := auth.SessionRecord{ID: auth.SessionID("past"), UserID: "u1", ActiveExpiresAt: now.Add(-48 * time.Hour), IdleExpiresAt: now.Add(-24 * time.Hour)}
	future := auth.SessionRecord{ID: auth.SessionID("future"), UserID: "u1", ActiveExpiresAt: now, IdleExpiresAt: now.Add(time.Hour)}
	for _, r := range []auth.SessionRecord{past, future} {
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	within("session dead by its IdleExpiresAt", ttl(past.ID), grace)
	within("live session", ttl(future.ID), time.Hour+grace)

	ok, err := s.RenewSession(ctx, future.ID, future.ActiveExpiresAt, now.Add(time.Hour), now.Add(3*time.Hour))
	if err != nil || !ok {
		t.Fatalf("RenewSession = %v, %v", ok, err)
	}
	within("renewed session", ttl(future.ID), 3*time.Hour+grace)
	// The dead one is still there, for Auth to find dead and delete.
	if _, _, err := s.GetSessionAndUser(ctx, past.ID); err != nil {
		t.Errorf("GetSessionAndUser(dead session): %v", err)
	}
	// Users and keys do not expire.
	if d, err := s.Client().PTTL(ctx, s.Prefix()+"u:u1").Result(); err != nil || d != -1 {
		t.Errorf("user key TTL = %v, %v; want none (-1)", d, err)
	}
}

// When Redis drops a session by its TTL, the indexes that still name it
// are cleaned by the next sweep, listing and session creation.
func TestDroppedSessionLeavesNoIndexEntries(t *testing.T) {
	s := testservices.RedisStore(t)
	ctx := t.Context()
	rdb := s.Client()
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	r := auth.SessionRecord{ID: auth.SessionID("dropped"), UserID: "u1", ActiveExpiresAt: at, IdleExpiresAt: at.Add(time.Hour)}
	if err := s.CreateSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	// What Redis does when the TTL ends.
	if err := rdb.Del(ctx, s.Prefix()+"s:"+r.ID).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetSessionAndUser(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSessionAndUser(dropped): %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, at.Add(2*time.Hour)); err != nil || n != 0 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 0 (the session was already gone)", n, err)
	}
	if err := rdb.ZScore(ctx, s.Prefix()+"exp", r.ID).Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("sweep index still holds the dropped session (ZSCORE error %v)", err)
	}
	if recs, err := s.UserSessions(ctx, "u1"); err != nil || len(recs) != 0 {
		t.Errorf("UserSessions = %v, %v; want none", recs, err)
	}
	if members := rdb.SMembers(ctx, s.Prefix()+"us:u1").Val(); len(members) != 0 {
		t.Errorf("user's session set after listing = %v, want empty", members)
	}

	// The same through CreateSession.
	r2 := r
	r2.ID = auth.SessionID("dropped 2")
	if err := s.CreateSession(ctx, r2); err != nil {
		t.Fatal(err)
	}
	rdb.Del(ctx, s.Prefix()+"s:"+r2.ID)
	r3 := r
	r3.ID = auth.SessionID("new")
	if err := s.CreateSession(ctx, r3); err != nil {
		t.Fatal(err)
	}
	if members := rdb.SMembers(ctx, s.Prefix()+"us:u1").Val(); !slices.Equal(members, []string{r3.ID}) {
		t.Errorf("user's session set after CreateSession = %v, want only the new session", members)
	}
}

// commandLog is a go-redis hook that records the commands sent.
type commandLog struct {
	mu   sync.Mutex
	cmds []string
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.cmds = append(l.cmds, cmd.Name())
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		l.mu.Lock()
		l.cmds = append(l.cmds, "pipeline")
		l.mu.Unlock()
		return next(ctx, cmds)
	}
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.cmds
	l.cmds = nil
	return out
}

// Validating a session is one round trip; renewing it is two (the read and
// the conditional write); neither scans keys.
func TestRoundTrips(t *testing.T) {
	s := testservices.RedisStore(t)
	ctx := t.Context()
	log := &commandLog{}
	s.Client().AddHook(log)
	clock := fakeauth.NewClock(time.Date(2031, 3, 14, 15, 9, 26, 0, time.UTC))
	a := testservices.NewAuth(t, s, clock)
	u, err := a.CreateUser(ctx, auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Load the scripts, so that no NOSCRIPT fallback is counted.
	a.ValidateSession(ctx, sess.Token)
	clock.Advance(a.ActivePeriod() + time.Second)
	a.ValidateSession(ctx, sess.Token)
	log.take()

	if _, _, err := a.ValidateSessionUser(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if got, want := log.take(), []string{"evalsha"}; !slices.Equal(got, want) {
		t.Errorf("commands to validate an active session = %v, want %v", got, want)
	}
	clock.Advance(a.ActivePeriod() + time.Second)
	if s, err := a.ValidateSession(ctx, sess.Token); err != nil || !s.Fresh {
		t.Fatalf("ValidateSession(idle) = %v, %v; want a renewal", s, err)
	}
	if got, want := log.take(), []string{"evalsha", "evalsha"}; !slices.Equal(got, want) {
		t.Errorf("commands to renew an idle session = %v, want %v", got, want)
	}
}

// Several app servers, each with its own client and connection pool,
// share one prefix and validate the same idle session at once.
func TestSeveralAppServers(t *testing.T) {
	redisURL := testservices.Redis(t)
	prefix := testservices.RedisPrefix(t, redisURL)
	testservices.CheckSharedRenewal(t, testservices.OpenRedis(t, redisURL, prefix), testservices.OpenRedis(t, redisURL, prefix))
}

// With the connection to Redis cut, validation fails with a store error
// (never a logout), and works again once it is back.
func TestRedisFaults(t *testing.T) {
	redisURL := testservices.Redis(t)
	prefix := testservices.RedisPrefix(t, redisURL)
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
		t.Fatal(err)
	}
	p := testservices.StartProxy(t, opts.Addr)
	opts.Addr = p.Addr()
	opts.DialTimeout = 2 * time.Second
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	testservices.CheckFaults(t, testservices.NewAuth(t, s, nil), p)
}

func BenchmarkRedis(b *testing.B) {
	redisURL := testservices.Redis(b)
	authtest.BenchmarkStore(b, func(b *testing.B) auth.Store {
		return testservices.OpenRedis(b, redisURL, testservices.RedisPrefix(b, redisURL))
	})
}

// A session whose user hash is gone (deleted by hand, say) reads as an
// orphan: the session and a zero user. Auth then deletes it.
func TestOrphanSession(t *testing.T) {
	s := testservices.RedisStore(t)
	testservices.CheckOrphanSession(t, s, func(ctx context.Context, userID string) error {
		return s.Client().Del(ctx, s.Prefix()+"u:"+userID).Err()
	})
}
