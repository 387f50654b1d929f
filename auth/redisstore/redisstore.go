// Package redisstore keeps authkit sessions, and optionally authkit's own
// users and keys, on Redis (a single server, Sentinel, or Redis Cluster),
// through github.com/redis/go-redis/v9.
//
// [Store] keeps users, keys and sessions: an [auth.SessionStore],
// [auth.UserStore] and [auth.SessionUserGetter] in one. [Sessions] keeps
// sessions only, for an app that keeps its users itself: CreateSession takes
// any user ID, and when the app deletes a user it calls
// [auth.Auth.InvalidateUserSessions], which deletes the user's sessions.
//
// # Key layout
//
// Every key starts with the store's prefix P ("authkit:" by default, see
// [WithPrefix]; it must not contain '{' or '}'). The part in braces is a
// Redis Cluster hash tag: keys with the same tag live in the same slot.
//
//	P{U:<user ID>}       hash of a user: id, g (a random generation, new
//	                     for every user created), at (attributes, absent
//	                     when nil), d (present while the user is being
//	                     deleted: the user no longer exists)
//	P{U:<user ID>}k      set of the user's keys (the <key ID>s below)
//	P{U:<user ID>}s      set of the user's session IDs
//	P{K:<key ID>}        hash of a key: p (provider), pu (provider user
//	                     ID), u (user ID), g (the user's generation), h
//	                     (password hash); <key ID> is
//	                     len(provider) ":" provider ":" provider user ID
//	P{S:<session ID>}    hash of a session: u (user ID), c, r, a, i, e
//	                     (CreatedAt, RenewedAt, ActiveExpiresAt,
//	                     IdleExpiresAt, ExpiresAt as decimal Unix
//	                     nanoseconds, "" for the zero time), ua (user
//	                     agent), ip (client IP), at (attributes, absent
//	                     when nil), b ("1" for a browser session, absent
//	                     for a persistent one); with a TTL (see Expiry)
//	P{sweep}             sorted set of every session, scored by the Unix
//	                     second of its IdleExpiresAt; a member is
//	                     len(session ID) ":" session ID user ID
//	P{T:<tag>}           hash of a user's one-time token of a purpose
//	                     (at most one), <tag> being len(purpose) ":"
//	                     purpose user ID: i (token ID), p (purpose), u
//	                     (user ID), a (address), h (code hash), n
//	                     (attempts), c, e (CreatedAt, ExpiresAt); with a TTL
//	P{I:<token ID>}      the token's <tag>, with the same TTL
//	P{tsweep}            sorted set of the tokens, scored by the Unix
//	                     second of ExpiresAt; a member is len(token ID)
//	                     ":" token ID tag
//	P{C:<key>}           hash of a throttle counter: n (count), r (the
//	                     window's last instant); with a TTL
//
// A user's hash and its two indexes share the user's slot; a session is
// found from its ID alone. Session tokens are never stored: a session ID is
// the SHA-256 of its token. Tools that list or clear a store (the
// playground does) use [Sessions.Client] and [Sessions.Prefix]: every
// session is a member of P{sweep} (or a key matching P{S:*), and deleting
// every key that starts with P (SCAN on each master of a cluster) empties
// the store. This layout is new in this release: keys written by earlier
// releases (P u:…, P s:…) are not read.
//
// Times follow the one rule of authkit's stores: the zero time means none
// (the empty field) and is before every instant (its P{sweep} score is
// below every other); every instant from 1677-09-21T00:12:43.145224193Z
// to 2262-04-11T23:47:16.854775807Z, the Unix epoch included,
// round-trips (in UTC); any other time is refused with an error.
//
// # One-time tokens and counters
//
// Both [Store] and [Sessions] are an [auth.TokenStore] and an
// [auth.CounterStore]. A token is its user-and-purpose hash while the
// hash's field i names its ID; the P{I:…} reference only finds the hash.
// CreateToken takes the ID (refused if its reference exists), then
// replaces the pair's hash in one script, so that of concurrent calls each
// replaces the one before and exactly one token survives, then removes the
// replaced token's reference and sweep entry. GetToken, DeleteToken and
// AddTokenAttempt read the reference, then act in one script, or one
// HGETALL, only while the hash names the ID: of concurrent DeleteToken
// calls exactly one finds it. A step lost halfway (a dropped connection)
// leaves only stale entries, which read as no token: a replaced token is
// never usable again, and the TTL or the sweep removes what is left.
// Token and counter keys get a TTL as sessions do: the grace period after
// the later of ExpiresAt (a counter's window end) and the time of the
// write. DeleteExpiredTokens walks P{tsweep} as the session sweep walks
// P{sweep} (bounded steps, paced pipelines of 10 scripts);
// DeleteExpiredCounters deletes nothing and returns 0: Redis drops
// counters by their TTL. IncrementCounter is one script.
//
// # Round trips
//
// GetSession is one HGETALL of the session. GetSessionAndUser is one round
// trip on a single Redis (a script reads the session and then its user);
// on Redis Cluster the user's key is in another slot, unknown until the
// session is read, so it takes two (HGETALL of the session, then of the
// user). Validation ([auth.Auth.ValidateSession]) only needs GetSession.
//
// # Atomicity on Redis Cluster
//
// Every script touches keys of one slot only, so the store works on a
// cluster. Steps across slots can't be atomic, so they are ordered so that
// no interleaving leaves a usable session (or key) of a deleted user:
//
//   - CreateSession (on a Store) first writes the session key, then runs a
//     script in the user's slot that adds the session to the user's index
//     only if the user exists and is not being deleted; otherwise it deletes
//     the session again and returns [auth.ErrUserNotFound]. Until it
//     returns, nobody else knows the token, so the session can't be used.
//   - DeleteUser first marks the user deleted (field d) in one script: from
//     then on the user does not exist for GetUser, GetKey, CreateKey,
//     CreateSession and GetSessionAndUser, and no session or key can join
//     its indexes. It then deletes the sessions and keys its indexes list,
//     in bounded batches, and last removes the user's hash and indexes.
//
// A session added to the index before the mark is deleted by DeleteUser; one
// that tries after the mark is refused and deleted by its CreateSession.
// CreateKey and CreateUser with a key order their steps the same way. If
// DeleteUser fails halfway (a lost connection), the user stays marked and
// calling DeleteUser again finishes the work (and returns
// [auth.ErrNotFound], as the user no longer exists). A key left by such a
// failure names an old generation and is never returned by GetKey.
//
// # Expiry
//
// A session key gets a Redis TTL (PEXPIREAT) so that Redis reclaims dead
// sessions by itself: the later of IdleExpiresAt and the (real) time of the
// write, plus a grace period ([WithExpiryGrace], [DefaultExpiryGrace] by
// default). Until then a dead session stays readable, as the
// [auth.SessionStore] contract requires. DeleteExpiredSessions walks
// P{sweep} in bounded steps (a ZRANGEBYSCORE of at most limit entries,
// short conditional deletes, then the index updates, in pipelines of 10
// commands), so that other clients wait behind at most one such pipeline,
// and after each pipeline it pauses three times as long as the pipeline
// took, so that it takes at most about a quarter of Redis's time;
// it also removes the index entries
// of sessions Redis dropped by their TTL. Run it periodically (for example
// hourly) so that the indexes do not keep such entries.
//
// UserSessions and DeleteUserSessions read a user's index with SSCAN in
// batches of 500 and read or delete those sessions in one pipeline per
// batch, so a user with many sessions never blocks Redis for long.
//
// go-redis retries a command after some network errors. A retried script
// whose first run did complete reports what it finds: a user created twice
// reads as [auth.ErrDuplicateUser], a renewal as lost (Auth then reads the
// session again and finds it renewed). Set MaxRetries to -1 in the client
// options if you prefer an error in those cases.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the key prefix of a store without [WithPrefix].
const DefaultPrefix = "authkit:"

// DefaultExpiryGrace is the grace period of a store without
// [WithExpiryGrace].
const DefaultExpiryGrace = 24 * time.Hour

// sweepPipeline bounds the scripts of a sweep step sent in one pipeline,
// and the members of one ZREM: other clients wait behind at most that
// much of the sweep's work (well under a millisecond).
const sweepPipeline = 10

// batchSize bounds the sessions one command, pipeline or script of a
// listing, a user's sign-out everywhere or a user's deletion handles.
const batchSize = 500

// An Option configures a [Store] or [Sessions].
type Option func(*options)

type options struct {
	prefix string
	grace  time.Duration
}

// WithPrefix sets the prefix of every key the store uses, so that several
// apps (or tests) can share one Redis database. It must not contain '{' or
// '}': the store puts hash tags of its own after it.
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithExpiryGrace sets how long a session key outlives the later of its
// IdleExpiresAt and its last write before Redis drops it (see the package
// documentation). It must be positive.
func WithExpiryGrace(d time.Duration) Option {
	return func(o *options) { o.grace = d }
}

// Sessions keeps sessions only, for an app that keeps its users itself: an
// [auth.SessionStore] that does not know users, so [auth.New] gives the
// Auth no user methods. CreateSession takes any user ID; when the app
// deletes a user it calls [auth.Auth.InvalidateUserSessions]. It is safe
// for concurrent use, also by several processes sharing the Redis database
// and prefix. The zero value is not usable: call [NewSessions].
type Sessions struct {
	*core
}

// Store keeps users, keys and sessions on Redis: an [auth.SessionStore],
// [auth.UserStore] and [auth.SessionUserGetter]. It is safe for concurrent
// use, also by several processes sharing the Redis database and prefix.
// The zero value is not usable: call [New] or [Open].
type Store struct {
	Sessions
}

type core struct {
	rdb      redis.UniversalClient
	cluster  bool // rdb is a cluster client: no script reaches two slots
	owned    bool // Close closes rdb
	appUsers bool // Sessions: users are the app's
	prefix   string
	grace    time.Duration
	scripts  scripts
}

func newCore(client redis.UniversalClient, appUsers bool, opts []Option) (*core, error) {
	if client == nil {
		return nil, errors.New("redisstore: client is nil")
	}
	o := options{prefix: DefaultPrefix, grace: DefaultExpiryGrace}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.grace <= 0 {
		return nil, fmt.Errorf("redisstore: expiry grace must be positive, got %v", o.grace)
	}
	if strings.ContainsAny(o.prefix, "{}") {
		return nil, fmt.Errorf("redisstore: prefix %q contains '{' or '}': the store adds its own hash tags", o.prefix)
	}
	// On a cluster (or a Ring, which shards by key too) no script may
	// reach a key of another slot.
	cluster := false
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		cluster = true
	}
	return &core{rdb: client, cluster: cluster, appUsers: appUsers, prefix: o.prefix, grace: o.grace, scripts: newScripts()}, nil
}

// New returns a Store on the client: a single Redis, a Sentinel failover
// client or a cluster client. Close leaves the client open.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	c, err := newCore(client, false, opts)
	if err != nil {
		return nil, fmt.Errorf("redisstore: New: %w", err)
	}
	return &Store{Sessions{c}}, nil
}

// NewSessions returns a Sessions on the client. Close leaves the client
// open.
func NewSessions(client redis.UniversalClient, opts ...Option) (*Sessions, error) {
	c, err := newCore(client, true, opts)
	if err != nil {
		return nil, fmt.Errorf("redisstore: NewSessions: %w", err)
	}
	return &Sessions{c}, nil
}

// Open connects to the Redis server at url (redis://[user:password@]host:port/db,
// or rediss:// for TLS) and returns a Store on it that [Sessions.Close]
// closes. It checks the connection with a PING. For a cluster, make a
// [redis.ClusterClient] and call [New].
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisstore: Open: %w", err)
	}
	client := redis.NewClient(ro)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redisstore: Open: ping %s: %w", ro.Addr, err)
	}
	s, err := New(client, opts...)
	if err != nil {
		client.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// Client returns the Redis client the store uses.
func (s *Sessions) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the prefix of the store's keys.
func (s *Sessions) Prefix() string { return s.prefix }

// Close closes the client if the store opened it ([Open]); a store made
// with [New] or [NewSessions] leaves its client to the caller and Close
// does nothing.
func (s *Sessions) Close() error {
	if !s.owned {
		return nil
	}
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}
