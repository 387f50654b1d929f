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
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/pace"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
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

var (
	_ auth.SessionStore      = (*Store)(nil)
	_ auth.UserStore         = (*Store)(nil)
	_ auth.SessionUserGetter = (*Store)(nil)
	_ auth.SessionStore      = (*Sessions)(nil)
)

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

// Key names, as documented in the package doc.

func (c *core) userKey(id string) string         { return c.prefix + "{U:" + id + "}" }
func (c *core) userKeysKey(id string) string     { return c.userKey(id) + "k" }
func (c *core) userSessionsKey(id string) string { return c.userKey(id) + "s" }
func (c *core) keyKey(enc string) string         { return c.prefix + "{K:" + enc + "}" }
func (c *core) sessionKey(id string) string      { return c.prefix + "{S:" + id + "}" }
func (c *core) sweepKey() string                 { return c.prefix + "{sweep}" }

// keyID encodes a (provider, provider user ID) pair as one string that no
// other pair encodes to.
func keyID(providerID, providerUserID string) string {
	return strconv.Itoa(len(providerID)) + ":" + providerID + ":" + providerUserID
}

// sweepMember is a session's member in the sweep index: it names the user
// too, so that the sweep can clean the user's index of a session Redis
// dropped.
func sweepMember(sessionID, userID string) string {
	return strconv.Itoa(len(sessionID)) + ":" + sessionID + userID
}

func parseSweepMember(m string) (sessionID, userID string, ok bool) {
	n, rest, found := strings.Cut(m, ":")
	if !found {
		return "", "", false
	}
	l, err := strconv.Atoi(n)
	if err != nil || l < 0 || l > len(rest) {
		return "", "", false
	}
	return rest[:l], rest[l:], true
}

// errCorrupt marks a reply that does not parse: a system error.
var errCorrupt = errors.New("redisstore: malformed data")

// encodeTime is a time as the store writes it, by the stores' one rule
// (see unixnano): decimal Unix nanoseconds, "" for the zero time (none).
func encodeTime(t time.Time) (string, error) {
	n, err := unixnano.Encode(t)
	switch {
	case err != nil:
		return "", fmt.Errorf("redisstore: %v: %w", t, err)
	case n == unixnano.None:
		return "", nil
	}
	return strconv.FormatInt(n, 10), nil
}

func decodeTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q: %v", errCorrupt, s, err)
	}
	return unixnano.Decode(n), nil
}

// expireAt is when Redis may drop a session key: the grace period after
// the later of its IdleExpiresAt and now, in Unix milliseconds.
func (c *core) expireAt(idle time.Time) int64 {
	at := idle
	// The real clock, not an auth.Clock: the TTL is Redis's business.
	if now := time.Now(); now.After(at) {
		at = now
	}
	at = at.Add(c.grace)
	if at.After(unixnano.Last) {
		at = unixnano.Last
	}
	return at.UnixMilli()
}

// sweepScore is the sweep index's score of an IdleExpiresAt: whole seconds,
// which a double holds exactly; for the zero time (none), the second
// before the first instant, since none is before every instant.
func sweepScore(idle time.Time) float64 {
	if idle.IsZero() {
		return float64(unixnano.First.Unix() - 1)
	}
	return float64(idle.Unix())
}

func newGeneration() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// errDuplicateSession is a system error: session IDs are hashes of random
// tokens, so a collision means a bug.
var errDuplicateSession = errors.New("redisstore: a session with this ID exists")

// sessionFields are the HSET field-value pairs of a new session.
func sessionFields(r auth.SessionRecord) ([]any, error) {
	times := []time.Time{r.CreatedAt, r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt, r.ExpiresAt}
	names := []string{"c", "r", "a", "i", "e"}
	out := []any{"u", r.UserID}
	for i, t := range times {
		v, err := encodeTime(t)
		if err != nil {
			return nil, err
		}
		out = append(out, names[i], v)
	}
	out = append(out, "ua", r.UserAgent, "ip", r.ClientIP)
	if r.Attributes != nil {
		out = append(out, "at", string(r.Attributes))
	}
	if r.BrowserSession {
		out = append(out, "b", "1")
	}
	return out, nil
}

// parseSession builds a session from its hash. Every field but at must be
// there.
func parseSession(id string, h map[string]string) (auth.SessionRecord, error) {
	r := auth.SessionRecord{ID: id}
	get := func(name string) (string, error) {
		v, ok := h[name]
		if !ok {
			return "", fmt.Errorf("%w: session %.16s… has no field %q", errCorrupt, id, name)
		}
		return v, nil
	}
	var err error
	if r.UserID, err = get("u"); err != nil {
		return auth.SessionRecord{}, err
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"c", &r.CreatedAt}, {"r", &r.RenewedAt}, {"a", &r.ActiveExpiresAt}, {"i", &r.IdleExpiresAt}, {"e", &r.ExpiresAt}} {
		v, err := get(f.name)
		if err != nil {
			return auth.SessionRecord{}, err
		}
		if *f.dst, err = decodeTime(v); err != nil {
			return auth.SessionRecord{}, err
		}
	}
	if r.UserAgent, err = get("ua"); err != nil {
		return auth.SessionRecord{}, err
	}
	if r.ClientIP, err = get("ip"); err != nil {
		return auth.SessionRecord{}, err
	}
	if a, ok := h["at"]; ok {
		r.Attributes = json.RawMessage(a)
	}
	r.BrowserSession = h["b"] == "1"
	return r, nil
}

// CreateSession implements [auth.SessionStore]. On a [Store] it returns
// [auth.ErrUserNotFound] if the user does not exist or is being deleted
// (see the package doc for how the steps are ordered); on [Sessions] it
// takes any user ID.
func (s *Sessions) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	fields, err := sessionFields(session)
	if err != nil {
		return fmt.Errorf("redisstore: create session: %w", err)
	}
	args := append([]any{s.expireAt(session.IdleExpiresAt)}, fields...)
	sk := s.sessionKey(session.ID)
	code, err := s.scripts.createSession.Run(ctx, s.rdb, []string{sk}, args...).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: create session: %w", err)
	}
	if code == 1 {
		return errDuplicateSession
	}
	var joined *redis.Cmd
	err = s.pipelined(ctx, func(pipe redis.Pipeliner) {
		if s.appUsers {
			pipe.SAdd(ctx, s.userSessionsKey(session.UserID), session.ID)
		} else {
			joined = s.scripts.joinUser.Run(ctx, pipe, []string{s.userKey(session.UserID), s.userSessionsKey(session.UserID)}, session.ID)
		}
		pipe.ZAdd(ctx, s.sweepKey(), redis.Z{Score: sweepScore(session.IdleExpiresAt), Member: sweepMember(session.ID, session.UserID)})
	})
	if err != nil {
		return fmt.Errorf("redisstore: create session: %w", err)
	}
	if joined != nil {
		if ok, _ := joined.Int64(); ok != 1 {
			// The user is missing or being deleted: the session must not
			// outlive it. Nobody else knows its token yet.
			pipe := s.rdb.Pipeline()
			pipe.Del(ctx, sk)
			pipe.ZRem(ctx, s.sweepKey(), sweepMember(session.ID, session.UserID))
			if _, err := pipe.Exec(ctx); err != nil {
				return fmt.Errorf("redisstore: create session: remove the session of a missing user: %w", err)
			}
			return auth.ErrUserNotFound
		}
	}
	return nil
}

// GetSession implements [auth.SessionStore] with one HGETALL.
func (s *Sessions) GetSession(ctx context.Context, sessionID string) (auth.SessionRecord, error) {
	h, err := s.rdb.HGetAll(ctx, s.sessionKey(sessionID)).Result()
	if err != nil {
		return auth.SessionRecord{}, fmt.Errorf("redisstore: get session: %w", err)
	}
	if len(h) == 0 {
		return auth.SessionRecord{}, auth.ErrNotFound
	}
	r, err := parseSession(sessionID, h)
	if err != nil {
		return auth.SessionRecord{}, fmt.Errorf("redisstore: get session: %w", err)
	}
	return r, nil
}

// RenewSession implements [auth.SessionStore]: one script in the session's
// slot compares the stored ActiveExpiresAt and writes the renewal and the
// new TTL; the sweep index is moved after it.
func (s *Sessions) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt time.Time, r auth.Renewal) (bool, error) {
	var vals [4]string
	for i, t := range []time.Time{oldActiveExpiresAt, r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt} {
		v, err := encodeTime(t)
		if err != nil {
			return false, fmt.Errorf("redisstore: renew session: %w", err)
		}
		vals[i] = v
	}
	reply, err := s.scripts.renewSession.Run(ctx, s.rdb, []string{s.sessionKey(sessionID)},
		vals[0], vals[1], vals[2], vals[3], s.expireAt(r.IdleExpiresAt)).Slice()
	if err != nil {
		return false, fmt.Errorf("redisstore: renew session: %w", err)
	}
	if len(reply) != 2 {
		return false, fmt.Errorf("redisstore: renew session: %w: reply %v", errCorrupt, reply)
	}
	code, ok1 := reply[0].(int64)
	userID, ok2 := reply[1].(string)
	if !ok1 || !ok2 {
		return false, fmt.Errorf("redisstore: renew session: %w: reply %v", errCorrupt, reply)
	}
	if code != 1 {
		return false, nil
	}
	// The renewal is done. If this index write is lost, the sweep finds
	// the session alive at its old score and moves it then: the error
	// changes nothing the caller could act on.
	_ = s.rdb.ZAdd(ctx, s.sweepKey(), redis.Z{Score: sweepScore(r.IdleExpiresAt), Member: sweepMember(sessionID, userID)}).Err()
	return true, nil
}

// UpdateSessionAttributes implements [auth.SessionStore]: one script in
// the session's slot compares the stored attributes and writes the new
// ones.
func (s *Sessions) UpdateSessionAttributes(ctx context.Context, sessionID string, old, attributes json.RawMessage) (bool, error) {
	has := func(b json.RawMessage) string {
		if b == nil {
			return "0"
		}
		return "1"
	}
	n, err := s.scripts.updateSessionAttributes.Run(ctx, s.rdb, []string{s.sessionKey(sessionID)},
		has(old), string(old), has(attributes), string(attributes)).Int64()
	if err != nil {
		return false, fmt.Errorf("redisstore: update session attributes: %w", err)
	}
	return n == 1, nil
}

// DeleteSession implements [auth.SessionStore].
func (s *Sessions) DeleteSession(ctx context.Context, sessionID string) error {
	reply, err := s.scripts.deleteSession.Run(ctx, s.rdb, []string{s.sessionKey(sessionID)}).Slice()
	if err != nil {
		return fmt.Errorf("redisstore: delete session: %w", err)
	}
	if len(reply) == 0 {
		return nil
	}
	userID, ok := reply[0].(string)
	if !ok || len(reply) != 1 {
		return fmt.Errorf("redisstore: delete session: %w: reply %v", errCorrupt, reply)
	}
	pipe := s.rdb.Pipeline()
	pipe.SRem(ctx, s.userSessionsKey(userID), sessionID)
	pipe.ZRem(ctx, s.sweepKey(), sweepMember(sessionID, userID))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redisstore: delete session: indexes: %w", err)
	}
	return nil
}

// DeleteUserSessions implements [auth.SessionStore]: it walks the user's
// index in batches, deleting each batch's sessions in one pipeline.
func (s *Sessions) DeleteUserSessions(ctx context.Context, userID string) error {
	if err := s.deleteUserSessions(ctx, userID); err != nil {
		return fmt.Errorf("redisstore: delete user sessions: %w", err)
	}
	return nil
}

func (c *core) deleteUserSessions(ctx context.Context, userID string) error {
	idx := c.userSessionsKey(userID)
	for {
		// Members are removed as we go, so each round starts over: the
		// set shrinks to nothing.
		ids, _, err := c.rdb.SScan(ctx, idx, 0, "", batchSize).Result()
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		members := make([]any, len(ids))
		sweep := make([]any, len(ids))
		for i, id := range ids {
			members[i] = id
			sweep[i] = sweepMember(id, userID)
		}
		err = c.pipelined(ctx, func(pipe redis.Pipeliner) {
			for _, id := range ids {
				c.scripts.deleteUserSession.Run(ctx, pipe, []string{c.sessionKey(id)}, userID)
			}
			pipe.ZRem(ctx, c.sweepKey(), sweep...)
			pipe.SRem(ctx, idx, members...)
		})
		if err != nil {
			return err
		}
	}
}

// UserSessions implements [auth.SessionStore]: it walks the user's index
// with SSCAN in batches of 500 and reads each batch in one pipeline, so
// that a user with many sessions does not block Redis. Index entries of
// sessions Redis dropped are removed on the way.
func (s *Sessions) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	idx := s.userSessionsKey(userID)
	var out []auth.SessionRecord
	seen := map[string]bool{} // SSCAN may return a member twice
	var cursor uint64
	for {
		ids, next, err := s.rdb.SScan(ctx, idx, cursor, "", batchSize).Result()
		if err != nil {
			return nil, fmt.Errorf("redisstore: list user sessions: %w", err)
		}
		ids = slices.DeleteFunc(ids, func(id string) bool {
			dup := seen[id]
			seen[id] = true
			return dup
		})
		if len(ids) > 0 {
			pipe := s.rdb.Pipeline()
			cmds := make([]*redis.MapStringStringCmd, len(ids))
			for i, id := range ids {
				cmds[i] = pipe.HGetAll(ctx, s.sessionKey(id))
			}
			if _, err := pipe.Exec(ctx); err != nil {
				return nil, fmt.Errorf("redisstore: list user sessions: %w", err)
			}
			var stale []any
			for i, cmd := range cmds {
				h := cmd.Val()
				if len(h) == 0 {
					stale = append(stale, ids[i])
					continue
				}
				r, err := parseSession(ids[i], h)
				if err != nil {
					return nil, fmt.Errorf("redisstore: list user sessions: %w", err)
				}
				if r.UserID != userID {
					continue
				}
				out = append(out, r)
			}
			if len(stale) > 0 {
				if err := s.rdb.SRem(ctx, idx, stale...).Err(); err != nil {
					return nil, fmt.Errorf("redisstore: list user sessions: %w", err)
				}
			}
		}
		if next == 0 {
			return out, nil
		}
		cursor = next
	}
}

// DeleteExpiredSessions implements [auth.SessionStore]. One call takes at
// most limit entries from the sweep index (the seconds before now's, then
// now's own second) and runs, in pipelines of 10, a short script per
// session that deletes it if it is still expired (not renewed since);
// then it updates the indexes, in pipelines of 10 commands too. After each
// pipeline it pauses three times as long as the pipeline took (see the
// package doc). If other sweepers deleted some of those first, it takes
// more, in at most 8 rounds. Entries of sessions Redis already dropped are
// removed and not counted; a session found alive (its renewal's index
// write was lost) is moved to its right place.
func (s *Sessions) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	n, err := s.deleteExpired(ctx, now, limit)
	if err != nil {
		return n, fmt.Errorf("redisstore: delete expired sessions: %w", err)
	}
	return n, nil
}

// sweepRounds bounds the rounds of one DeleteExpiredSessions call. A
// round that finds entries another sweeper (or the TTL) deleted first takes
// more, so that concurrent sweeps do not stop each other early.
const sweepRounds = 8

// paced runs one pipeline of the sweep with c.pipelined, then waits
// pace.Duty times as long as it took (or until ctx is done), so that one
// sweep takes about a quarter of Redis's time and requests running
// meanwhile rarely queue behind it.
func (c *core) paced(ctx context.Context, build func(redis.Pipeliner)) error {
	start := time.Now()
	if err := c.pipelined(ctx, build); err != nil {
		return err
	}
	return pace.After(ctx, start)
}

func (c *core) deleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	nowNs, err := encodeTime(now)
	if err != nil {
		return 0, err
	}
	sec := strconv.FormatInt(now.Unix(), 10)
	n := 0
	for range sweepRounds {
		want := limit - n
		deleted, examined, removed, err := c.sweepRound(ctx, nowNs, sec, want)
		n += deleted
		if err != nil {
			return n, err
		}
		if n >= limit || examined < want || removed == 0 {
			break
		}
	}
	return n, nil
}

// sweepRound examines up to limit entries of the sweep index and deletes
// the expired sessions among them. It returns how many sessions it
// deleted, how many entries it examined and how many it removed from the
// index.
func (c *core) sweepRound(ctx context.Context, nowNs, sec string, limit int) (deleted, examined, removed int, err error) {
	members, err := c.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: c.sweepKey(), Start: "-inf", Stop: "(" + sec, ByScore: true, Count: int64(limit)}).Result()
	if err != nil {
		return 0, 0, 0, err
	}
	if len(members) < limit {
		more, err := c.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: c.sweepKey(), Start: sec, Stop: sec, ByScore: true, Count: int64(limit - len(members))}).Result()
		if err != nil {
			return 0, 0, 0, err
		}
		members = append(members, more...)
	}
	if len(members) == 0 {
		return 0, 0, 0, nil
	}
	type entry struct {
		member, id, user string
		cmd              *redis.Cmd
	}
	entries := make([]entry, 0, len(members))
	var drop []any // sweep members to remove
	for _, m := range members {
		id, user, ok := parseSweepMember(m)
		if !ok {
			drop = append(drop, m)
			continue
		}
		entries = append(entries, entry{member: m, id: id, user: user})
	}
	// One short script per session, in the session's slot: delete it if
	// it is still expired (not renewed since the index was read). They go
	// in pipelines of sweepPipeline, one after the other, so that Redis
	// never has more than that many of ours queued ahead of other clients.
	//
	//
	// The step reports how many sessions it deleted even when ctx ends
	// part way, so no reply of a script that ran may be lost: a pipeline,
	// once sent, is read to its end whatever ctx does (ten short scripts:
	// well under a millisecond, bounded by the client's read timeout), and
	// ctx is checked between pipelines, in the pause. Cancelled mid-read,
	// a Redis Cluster pipeline would have run scripts on some masters
	// whose replies never came back.
	var runErr error
	sent := context.WithoutCancel(ctx)
	for lo := 0; lo < len(entries) && runErr == nil; lo += sweepPipeline {
		if runErr = ctx.Err(); runErr != nil {
			break
		}
		part := entries[lo:min(lo+sweepPipeline, len(entries))]
		start := time.Now()
		runErr = c.pipelined(sent, func(pipe redis.Pipeliner) {
			for k := range part {
				part[k].cmd = c.scripts.sweepSession.Run(sent, pipe, []string{c.sessionKey(part[k].id)}, nowNs)
			}
		})
		if runErr == nil {
			runErr = pace.After(ctx, start)
		}
	}
	n := 0
	byUser := map[string][]any{}
	var alive []redis.Z
	for _, e := range entries {
		if e.cmd == nil {
			break // not sent: the step stopped before its pipeline
		}
		reply, err := e.cmd.Slice()
		if err != nil && runErr != nil {
			continue // lost with a failed pipeline: whether it ran is unknown
		}
		if err != nil || len(reply) != 2 {
			return n, len(members), 0, fmt.Errorf("%w: sweep reply %v, %v", errCorrupt, reply, err)
		}
		code, ok1 := reply[0].(int64)
		idle, ok2 := reply[1].(string)
		if !ok1 || !ok2 {
			return n, len(members), 0, fmt.Errorf("%w: sweep reply %v", errCorrupt, reply)
		}
		switch code {
		case 1: // deleted
			n++
			fallthrough
		case 0: // dropped by its TTL before: clean the indexes
			drop = append(drop, e.member)
			byUser[e.user] = append(byUser[e.user], e.id)
		default: // renewed, and the renewal's index write lost or not yet done
			t, err := decodeTime(idle)
			if err != nil {
				return n, len(members), 0, err
			}
			alive = append(alive, redis.Z{Score: sweepScore(t), Member: e.member})
		}
	}
	if runErr != nil {
		// The indexes keep the entries of the sessions deleted; the next
		// sweep finds those gone and removes them.
		return n, len(members), 0, runErr
	}
	// The index updates too go in pipelines of at most sweepPipeline
	// commands: one per user touched (users' sessions are spread), and the
	// sweep index's ZREMs in parts, since ZREM costs per member.
	var ops []func(redis.Pipeliner)
	for lo := 0; lo < len(drop); lo += sweepPipeline {
		part := drop[lo:min(lo+sweepPipeline, len(drop))]
		ops = append(ops, func(pipe redis.Pipeliner) { pipe.ZRem(ctx, c.sweepKey(), part...) })
	}
	for user, ids := range byUser {
		for lo := 0; lo < len(ids); lo += sweepPipeline {
			part := ids[lo:min(lo+sweepPipeline, len(ids))]
			ops = append(ops, func(pipe redis.Pipeliner) { pipe.SRem(ctx, c.userSessionsKey(user), part...) })
		}
	}
	for lo := 0; lo < len(alive); lo += sweepPipeline {
		part := alive[lo:min(lo+sweepPipeline, len(alive))]
		ops = append(ops, func(pipe redis.Pipeliner) { pipe.ZAddXX(ctx, c.sweepKey(), part...) })
	}
	for lo := 0; lo < len(ops) && err == nil; lo += sweepPipeline {
		part := ops[lo:min(lo+sweepPipeline, len(ops))]
		err = c.paced(ctx, func(pipe redis.Pipeliner) {
			for _, op := range part {
				op(pipe)
			}
		})
	}
	return n, len(members), len(drop), err
}
