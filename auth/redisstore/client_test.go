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
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// Checks that need the client itself: several stores on one prefix,
// options, what Redis holds after each write, and faults.

type clientCheck struct {
	name string
	f    func(t *testing.T, client redis.UniversalClient)
}

var clientChecks = []clientCheck{
	// Several app servers, each with its own Store, share one prefix and
	// validate the same idle session at once.
	{"SharedRenewal", func(t *testing.T, client redis.UniversalClient) {
		prefix := testservices.RedisPrefix(t, client, "authkit-test-")
		var stores []auth.SessionStore
		for range 2 {
			s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
			if err != nil {
				t.Fatal(err)
			}
			stores = append(stores, s)
		}
		testservices.CheckSharedRenewal(t, stores...)
	}},
	// An app with its own users: sessions for any user ID; deleting the
	// app's user is followed by InvalidateUserSessions, which ends them.
	{"AppUsers", func(t *testing.T, client redis.UniversalClient) {
		ctx := t.Context()
		s := newSessions(t, client)
		a := testservices.NewAuth(t, s, nil)
		if a.KeepsUsers() {
			t.Fatal("an Auth on Sessions has user methods")
		}
		if _, err := a.CreateUser(ctx, auth.NewUser{}); !errors.Is(err, auth.ErrNoUserStore) {
			t.Errorf("CreateUser on Sessions = %v, want ErrNoUserStore", err)
		}
		var tokens []string
		for range 3 {
			sess, err := a.CreateSession(ctx, "app-user-7")
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, sess.Token)
		}
		other, err := a.CreateSession(ctx, "app-user-8")
		if err != nil {
			t.Fatal(err)
		}
		// The app deletes user 7 from its own table, then:
		if err := a.InvalidateUserSessions(ctx, "app-user-7"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if _, err := a.ValidateSession(ctx, tok); !errors.Is(err, auth.ErrInvalidSession) {
				t.Errorf("ValidateSession after InvalidateUserSessions = %v, want ErrInvalidSession", err)
			}
		}
		if _, err := a.ValidateSession(ctx, other.Token); err != nil {
			t.Errorf("another user's session: %v", err)
		}
	}},
	// GetSession is one HGETALL; GetSessionAndUser one script on a single
	// Redis, two HGETALLs on a cluster; an active validation is one
	// command.
	{"RoundTrips", func(t *testing.T, client redis.UniversalClient) {
		ctx := t.Context()
		s := newStore(t, client)
		clock := fakeauth.NewClock(t0)
		a := testservices.NewAuth(t, s, clock)
		u, err := a.CreateUser(ctx, auth.NewUser{})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := a.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.ValidateSessionUser(ctx, sess.Token) // loads the script
		log := &commandLog{}
		client.AddHook(log)
		if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if got, want := log.take(), []string{"hgetall"}; !slices.Equal(got, want) {
			t.Errorf("commands to validate an active session = %v, want %v", got, want)
		}
		if _, _, err := a.ValidateSessionUser(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		want := []string{"evalsha"}
		if _, ok := client.(*redis.ClusterClient); ok {
			want = []string{"hgetall", "hgetall"}
		}
		if got := log.take(); !slices.Equal(got, want) {
			t.Errorf("commands to validate a session with its user = %v, want %v", got, want)
		}
	}},
	// A session key's TTL ends a grace period after the later of its
	// IdleExpiresAt and the write, and a renewal moves it; users do not
	// expire.
	{"ExpiryTTL", func(t *testing.T, client redis.UniversalClient) {
		const grace = 10 * time.Minute
		ctx := t.Context()
		s := newStore(t, client, redisstore.WithExpiryGrace(grace))
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1"}, nil); err != nil {
			t.Fatal(err)
		}
		ttl := func(key string) time.Duration {
			t.Helper()
			d, err := client.PTTL(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		within := func(what string, got, want time.Duration) {
			t.Helper()
			if got > want || got < want-time.Minute {
				t.Errorf("%s: TTL = %v, want about %v", what, got, want)
			}
		}
		now := time.Now()
		past := record("past", "u1", now.Add(-24*time.Hour))
		future := record("future", "u1", now.Add(time.Hour))
		for _, r := range []auth.SessionRecord{past, future} {
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		within("dead session", ttl(s.Prefix()+"{S:"+past.ID+"}"), grace)
		within("live session", ttl(s.Prefix()+"{S:"+future.ID+"}"), time.Hour+grace)
		ok, err := s.RenewSession(ctx, future.ID, future.ActiveExpiresAt, auth.Renewal{RenewedAt: now, ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(3 * time.Hour)})
		if err != nil || !ok {
			t.Fatalf("RenewSession = %v, %v", ok, err)
		}
		within("renewed session", ttl(s.Prefix()+"{S:"+future.ID+"}"), 3*time.Hour+grace)
		if d := ttl(s.Prefix() + "{U:u1}"); d != -1 {
			t.Errorf("user key TTL = %v, want none (-1)", d)
		}
	}},
	// When Redis drops a session by its TTL, the sweep and listings clean
	// the index entries that still name it.
	{"DroppedSessionLeavesNoIndexEntries", func(t *testing.T, client redis.UniversalClient) {
		ctx := t.Context()
		s := newStore(t, client)
		if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1"}, nil); err != nil {
			t.Fatal(err)
		}
		a, b := record("dropped a", "u1", t0), record("dropped b", "u1", t0)
		for _, r := range []auth.SessionRecord{a, b} {
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
			client.Del(ctx, s.Prefix()+"{S:"+r.ID+"}") // what the TTL does
		}
		if n, err := s.DeleteExpiredSessions(ctx, t0.Add(time.Hour), 10); n != 0 || err != nil {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 0 (already gone)", n, err)
		}
		if n := client.Exists(ctx, s.Prefix()+"{sweep}", s.Prefix()+"{U:u1}s").Val(); n != 0 {
			t.Errorf("index keys left after the sweep: %d", n)
		}
		c := record("dropped c", "u1", t0)
		if err := s.CreateSession(ctx, c); err != nil {
			t.Fatal(err)
		}
		client.Del(ctx, s.Prefix()+"{S:"+c.ID+"}")
		if got, err := s.UserSessions(ctx, "u1"); len(got) != 0 || err != nil {
			t.Errorf("UserSessions = %v, %v", got, err)
		}
		if m := client.SMembers(ctx, s.Prefix()+"{U:u1}s").Val(); len(m) != 0 {
			t.Errorf("user's index after listing = %v, want empty", m)
		}
	}},
}

func TestNewRejects(t *testing.T) {
	if _, err := redisstore.New(nil); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
	if _, err := redisstore.NewSessions(nil); err == nil {
		t.Error("NewSessions(nil) succeeded, want an error")
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := redisstore.New(client, redisstore.WithExpiryGrace(d)); err == nil {
			t.Errorf("New(WithExpiryGrace(%v)) succeeded, want an error", d)
		}
	}
	for _, p := range []string{"{app}:", "a}b:"} {
		if _, err := redisstore.New(client, redisstore.WithPrefix(p)); err == nil {
			t.Errorf("New(WithPrefix(%q)) succeeded, want an error", p)
		}
	}
	if _, err := redisstore.Open(t.Context(), "http://not-redis"); err == nil {
		t.Error("Open(http URL) succeeded, want an error")
	}
}

// With the connection to Redis cut, validation fails with a store error
// (never a logout), and works again once it is back.
func TestRedisFaults(t *testing.T) {
	opts, err := redis.ParseURL(testservices.Redis(t))
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
	testservices.CheckFaults(t, testservices.NewAuth(t, newStore(t, client), nil), p)
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
