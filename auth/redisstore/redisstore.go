// Package redisstore is an [auth.Store] on Redis, through
// github.com/redis/go-redis/v9.
//
// # Layout
//
// Every key starts with a prefix ("authkit:" by default, see [WithPrefix]):
//
//	{prefix}u:{user ID}      hash: id, a (attributes, absent when nil)
//	{prefix}k:{n}:{provider}:{provider user ID}
//	                         hash: p, pu, u (user ID), h (password hash);
//	                         n is the length of the provider ID, so that
//	                         the pair maps to one key without ambiguity
//	{prefix}uk:{user ID}     set of the user's keys (the part after "k:")
//	{prefix}s:{session ID}   hash: u (user ID), a and i (ActiveExpiresAt and
//	                         IdleExpiresAt in Unix nanoseconds), n (the
//	                         nanosecond of the second of IdleExpiresAt)
//	{prefix}us:{user ID}     set of the user's session IDs
//	{prefix}exp              sorted set of session IDs scored by the second
//	                         of their IdleExpiresAt, for the sweep
//
// Sessions are found by user through the per-user set, never with KEYS or
// SCAN; only [Store.Reset] and [Store.AllSessions], which an app does not
// need, scan the prefix.
//
// # Atomicity and round trips
//
// Every operation that reads and writes, or writes several keys, is one Lua
// script, which Redis runs atomically: creating a user with its key,
// creating a key or a session after checking that its user exists, the
// conditional renewal (compare the stored ActiveExpiresAt, write the new
// expiries, move the TTL and the sweep index), and deleting a user with its
// sessions and keys. Validating a session is one round trip: one script
// reads the session and its user. Scripts run with EVALSHA and fall back to
// EVAL once if Redis does not know them.
//
// Scripts compute some key names from the prefix (a user's sessions, for
// example), so all keys must live on one Redis node: use a single Redis (or
// Sentinel); with Redis Cluster, put a hash tag in the prefix, as in
// "{authkit}:", so that every key falls in one slot.
//
// # Expiry
//
// A session key gets a Redis TTL (PEXPIREAT) so that Redis reclaims dead
// sessions by itself. The contract of [auth.Store] says that the store does
// not judge expiry: a session whose IdleExpiresAt has passed must still be
// returned until it is deleted, so that [auth.Auth] sees it as dead and
// deletes it, and so that [auth.Auth.DeleteExpiredSessions] can count it.
// The TTL therefore ends at the later of IdleExpiresAt and the (real) time
// of the write, plus a grace period ([WithExpiryGrace], 24 hours by
// default): a dead session stays readable for at least the grace period
// after any write, and Redis drops it afterwards if nobody did. The index
// entries of a session dropped by its TTL are removed by the next sweep
// and the next session creation or listing for its user.
//
// Timestamps are kept as Unix nanoseconds and round-trip exactly; times
// read back are in UTC. A time outside what int64 nanoseconds can hold
// (before 1678 or after 2261) is refused with an error.
//
// go-redis retries a command after some network errors. A retried script
// whose first run did complete reports what it finds: a user created twice
// reads as [auth.ErrDuplicateUser], a renewal as lost (Auth then reads the
// session again and finds it renewed). Set MaxRetries to -1 in the client
// options if you prefer an error in those cases.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
)

// DefaultPrefix is the key prefix of a Store without [WithPrefix].
const DefaultPrefix = "authkit:"

// DefaultExpiryGrace is the grace period of a Store without
// [WithExpiryGrace].
const DefaultExpiryGrace = 24 * time.Hour

// An Option configures a [Store].
type Option func(*options)

type options struct {
	prefix string
	grace  time.Duration
}

// WithPrefix sets the prefix of every key the store uses, so that several
// apps (or tests) can share one Redis database. [Store.Reset] deletes
// every key with the prefix.
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithExpiryGrace sets how long a session key outlives the later of its
// IdleExpiresAt and its last write before Redis drops it (see the package
// documentation). It must be positive.
func WithExpiryGrace(d time.Duration) Option {
	return func(o *options) { o.grace = d }
}

// Store is an [auth.Store] on Redis. It is safe for concurrent use, also
// by several processes sharing the Redis database and prefix.
type Store struct {
	rdb    redis.UniversalClient
	owned  bool // Close closes rdb
	prefix string
	grace  time.Duration

	scripts scripts
}

var _ auth.Store = (*Store)(nil)

// New returns a Store on the client. Close leaves the client open.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: New: client is nil")
	}
	o := options{prefix: DefaultPrefix, grace: DefaultExpiryGrace}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.grace <= 0 {
		return nil, fmt.Errorf("redisstore: New: expiry grace must be positive, got %v", o.grace)
	}
	return &Store{rdb: client, prefix: o.prefix, grace: o.grace, scripts: newScripts()}, nil
}

// Open connects to the Redis server at url (redis://[user:password@]host:port/db,
// or rediss:// for TLS) and returns a Store on it that [Store.Close]
// closes. It checks the connection with a PING.
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
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.prefix }

// Close closes the client if the store opened it ([Open]); a store made
// with [New] leaves its client to the caller and Close does nothing.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// Key names.

func (s *Store) userKey(id string) string         { return s.prefix + "u:" + id }
func (s *Store) userKeysKey(id string) string     { return s.prefix + "uk:" + id }
func (s *Store) userSessionsKey(id string) string { return s.prefix + "us:" + id }
func (s *Store) sessionKey(id string) string      { return s.prefix + "s:" + id }
func (s *Store) expiryKey() string                { return s.prefix + "exp" }
func (s *Store) keyKey(enc string) string         { return s.prefix + "k:" + enc }

// keyID encodes a (provider, provider user ID) pair as one string that no
// other pair encodes to.
func keyID(providerID, providerUserID string) string {
	return strconv.Itoa(len(providerID)) + ":" + providerID + ":" + providerUserID
}

// The instants int64 Unix nanoseconds can hold.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// stamp is a time as the store writes it.
type stamp struct {
	nanos string // Unix nanoseconds, decimal: compared as strings, exactly
	sec   int64  // Unix seconds (floor), the sweep index's score
	nsec  int    // nanoseconds within sec, in [0, 1e9)
}

func toStamp(t time.Time) (stamp, error) {
	if t.Before(minTime) || t.After(maxTime) {
		return stamp{}, fmt.Errorf("redisstore: time %v is outside the range of int64 Unix nanoseconds (%v to %v)", t, minTime.UTC(), maxTime.UTC())
	}
	return stamp{nanos: strconv.FormatInt(t.UnixNano(), 10), sec: t.Unix(), nsec: t.Nanosecond()}, nil
}

func parseTime(v any) (time.Time, error) {
	str, _ := v.(string)
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("redisstore: corrupt timestamp %q: %w", str, err)
	}
	return time.Unix(0, n).UTC(), nil
}

// expireAt is when Redis may drop a session key: the grace period after
// the later of its IdleExpiresAt and now, in Unix milliseconds.
func (s *Store) expireAt(idle time.Time) int64 {
	at := idle
	// The real clock, not an auth.Clock: the TTL is Redis's business.
	if now := time.Now(); now.After(at) {
		at = now
	}
	at = at.Add(s.grace)
	if at.After(maxTime) {
		at = maxTime
	}
	return at.UnixMilli()
}

// run runs a script and returns its reply.
func (s *Store) run(ctx context.Context, sc *redis.Script, keys []string, args ...any) (any, error) {
	return sc.Run(ctx, s.rdb, keys, args...).Result()
}

// runCode runs a script that answers with a status code.
func (s *Store) runCode(ctx context.Context, sc *redis.Script, keys []string, args ...any) (int64, error) {
	return sc.Run(ctx, s.rdb, keys, args...).Int64()
}

// attributesArgs are the script arguments for attributes: a presence flag
// and the bytes, so that nil and empty stay apart.
func attributesArgs(a json.RawMessage) (string, string) {
	if a == nil {
		return "0", ""
	}
	return "1", string(a)
}

// CreateUser implements [auth.Store] with one script.
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	has, attrs := attributesArgs(user.Attributes)
	keys := []string{s.userKey(user.ID)}
	args := []any{user.ID, has, attrs}
	if key != nil {
		enc := keyID(key.ProviderID, key.ProviderUserID)
		keys = append(keys, s.keyKey(enc), s.userKeysKey(key.UserID))
		args = append(args, enc, key.ProviderID, key.ProviderUserID, key.UserID, key.PasswordHash)
	}
	code, err := s.runCode(ctx, s.scripts.createUser, keys, args...)
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: create user: %w", err)
	case code == 1:
		return auth.ErrDuplicateUser
	case code == 2:
		return auth.ErrDuplicateKey
	}
	return nil
}

// GetUser implements [auth.Store].
func (s *Store) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	vals, err := s.rdb.HMGet(ctx, s.userKey(userID), "id", "a").Result()
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("redisstore: get user: %w", err)
	}
	if vals[0] == nil {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	u := auth.UserRecord{ID: userID}
	if a, ok := vals[1].(string); ok {
		u.Attributes = json.RawMessage(a)
	}
	return u, nil
}

// UpdateUserAttributes implements [auth.Store].
func (s *Store) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	has, attrs := attributesArgs(attributes)
	code, err := s.runCode(ctx, s.scripts.updateUserAttributes, []string{s.userKey(userID)}, has, attrs)
	if err != nil {
		return fmt.Errorf("redisstore: update user attributes: %w", err)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteUser implements [auth.Store]: one script deletes the user, its
// sessions and its keys.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	keys := []string{s.userKey(userID), s.userSessionsKey(userID), s.userKeysKey(userID), s.expiryKey()}
	code, err := s.runCode(ctx, s.scripts.deleteUser, keys, s.prefix, userID)
	if err != nil {
		return fmt.Errorf("redisstore: delete user: %w", err)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// CreateKey implements [auth.Store].
func (s *Store) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	enc := keyID(key.ProviderID, key.ProviderUserID)
	keys := []string{s.userKey(key.UserID), s.keyKey(enc), s.userKeysKey(key.UserID)}
	code, err := s.runCode(ctx, s.scripts.createKey, keys, enc, key.ProviderID, key.ProviderUserID, key.UserID, key.PasswordHash)
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: create key: %w", err)
	case code == 1:
		return auth.ErrNotFound
	case code == 2:
		return auth.ErrDuplicateKey
	}
	return nil
}

// GetKey implements [auth.Store].
func (s *Store) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	vals, err := s.rdb.HMGet(ctx, s.keyKey(keyID(providerID, providerUserID)), "u", "h").Result()
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("redisstore: get key: %w", err)
	}
	userID, ok := vals[0].(string)
	if !ok {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	hash, _ := vals[1].(string)
	return auth.KeyRecord{ProviderID: providerID, ProviderUserID: providerUserID, UserID: userID, PasswordHash: hash}, nil
}

// UpdateKeyPassword implements [auth.Store].
func (s *Store) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	code, err := s.runCode(ctx, s.scripts.updateKeyPassword, []string{s.keyKey(keyID(providerID, providerUserID))}, passwordHash)
	if err != nil {
		return fmt.Errorf("redisstore: update key password: %w", err)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteKey implements [auth.Store].
func (s *Store) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	enc := keyID(providerID, providerUserID)
	code, err := s.runCode(ctx, s.scripts.deleteKey, []string{s.keyKey(enc)}, s.prefix, enc)
	if err != nil {
		return fmt.Errorf("redisstore: delete key: %w", err)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// UserKeys implements [auth.Store] with one script.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	reply, err := s.run(ctx, s.scripts.userKeys, []string{s.userKeysKey(userID)}, s.prefix, userID)
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user keys: %w", err)
	}
	vals, err := strings3(reply)
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user keys: %w", err)
	}
	var out []auth.KeyRecord
	for i := 0; i < len(vals); i += 3 {
		out = append(out, auth.KeyRecord{ProviderID: vals[i], ProviderUserID: vals[i+1], UserID: userID, PasswordHash: vals[i+2]})
	}
	return out, nil
}

// strings3 checks that a script's reply is a flat array of strings whose
// length is a multiple of 3.
func strings3(reply any) ([]string, error) {
	arr, ok := reply.([]any)
	if !ok || len(arr)%3 != 0 {
		return nil, fmt.Errorf("unexpected reply %T", reply)
	}
	out := make([]string, len(arr))
	for i, v := range arr {
		if out[i], ok = v.(string); !ok {
			return nil, fmt.Errorf("unexpected reply element %T", v)
		}
	}
	return out, nil
}

// errDuplicateSession is a system error: session IDs are hashes of random
// tokens, so a collision means a bug.
var errDuplicateSession = errors.New("redisstore: a session with this ID exists")

// CreateSession implements [auth.Store]: one script checks that the user
// exists and inserts the session, its TTL and its index entries.
func (s *Store) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	active, err := toStamp(session.ActiveExpiresAt)
	if err != nil {
		return err
	}
	idle, err := toStamp(session.IdleExpiresAt)
	if err != nil {
		return err
	}
	keys := []string{s.sessionKey(session.ID), s.userKey(session.UserID), s.userSessionsKey(session.UserID), s.expiryKey()}
	code, err := s.runCode(ctx, s.scripts.createSession, keys,
		s.prefix, session.ID, session.UserID, active.nanos, idle.nanos, idle.sec, idle.nsec, s.expireAt(session.IdleExpiresAt))
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: create session: %w", err)
	case code == 1:
		return auth.ErrNotFound
	case code == 2:
		return errDuplicateSession
	}
	return nil
}

// GetSessionAndUser implements [auth.Store]: one script reads the session
// and its user.
func (s *Store) GetSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	reply, err := s.run(ctx, s.scripts.getSessionAndUser, []string{s.sessionKey(sessionID)}, s.prefix)
	if err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("redisstore: get session: %w", err)
	}
	arr, ok := reply.([]any)
	if ok && len(arr) == 0 {
		return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
	}
	if !ok || len(arr) != 6 {
		return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("redisstore: get session: unexpected reply %v", reply)
	}
	rec := auth.SessionRecord{ID: sessionID}
	rec.UserID, _ = arr[0].(string)
	if rec.ActiveExpiresAt, err = parseTime(arr[1]); err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, err
	}
	if rec.IdleExpiresAt, err = parseTime(arr[2]); err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, err
	}
	var user auth.UserRecord
	if found, _ := arr[3].(string); found == "1" {
		user.ID = rec.UserID
		if has, _ := arr[4].(string); has == "1" {
			a, _ := arr[5].(string)
			user.Attributes = json.RawMessage(a)
		}
	}
	return rec, user, nil
}

// RenewSession implements [auth.Store] with one script that compares the
// stored ActiveExpiresAt and, if it matches, writes the new expiries and
// moves the TTL and the sweep index.
func (s *Store) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt, activeExpiresAt, idleExpiresAt time.Time) (bool, error) {
	old, err := toStamp(oldActiveExpiresAt)
	if err != nil {
		return false, err
	}
	active, err := toStamp(activeExpiresAt)
	if err != nil {
		return false, err
	}
	idle, err := toStamp(idleExpiresAt)
	if err != nil {
		return false, err
	}
	code, err := s.runCode(ctx, s.scripts.renewSession, []string{s.sessionKey(sessionID), s.expiryKey()},
		old.nanos, active.nanos, idle.nanos, idle.sec, idle.nsec, s.expireAt(idleExpiresAt), sessionID)
	if err != nil {
		return false, fmt.Errorf("redisstore: renew session: %w", err)
	}
	return code == 1, nil
}

// DeleteSession implements [auth.Store].
func (s *Store) DeleteSession(ctx context.Context, sessionID string) error {
	if _, err := s.runCode(ctx, s.scripts.deleteSession, []string{s.sessionKey(sessionID), s.expiryKey()}, s.prefix, sessionID); err != nil {
		return fmt.Errorf("redisstore: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions implements [auth.Store].
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := s.runCode(ctx, s.scripts.deleteUserSessions, []string{s.userSessionsKey(userID), s.expiryKey()}, s.prefix, userID); err != nil {
		return fmt.Errorf("redisstore: delete user sessions: %w", err)
	}
	return nil
}

// UserSessions implements [auth.Store] with one script.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	reply, err := s.run(ctx, s.scripts.userSessions, []string{s.userSessionsKey(userID)}, s.prefix, userID)
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user sessions: %w", err)
	}
	vals, err := strings3(reply)
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user sessions: %w", err)
	}
	var out []auth.SessionRecord
	for i := 0; i < len(vals); i += 3 {
		r := auth.SessionRecord{ID: vals[i], UserID: userID}
		if r.ActiveExpiresAt, err = parseTime(vals[i+1]); err != nil {
			return nil, err
		}
		if r.IdleExpiresAt, err = parseTime(vals[i+2]); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// sweepBatch bounds the sessions one sweep script deletes, so that a large
// sweep does not block Redis for long.
const sweepBatch = 500

// DeleteExpiredSessions implements [auth.Store]. It walks the sweep index
// in batches, each one atomic script; the whole sweep is not one atomic
// step (it need not be).
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	st, err := toStamp(now)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		reply, err := s.run(ctx, s.scripts.deleteExpired, []string{s.expiryKey()}, s.prefix, st.sec, st.nsec, sweepBatch)
		if err != nil {
			return total, fmt.Errorf("redisstore: delete expired sessions: %w", err)
		}
		arr, ok := reply.([]any)
		if !ok || len(arr) != 2 {
			return total, fmt.Errorf("redisstore: delete expired sessions: unexpected reply %v", reply)
		}
		deleted, _ := arr[0].(int64)
		seen, _ := arr[1].(int64)
		total += int(deleted)
		if seen < sweepBatch {
			return total, nil
		}
	}
}

// Reset deletes every key with the store's prefix: users, keys and
// sessions. It scans the keyspace, which is slow on a large database; the
// playground and tests use it, an app has no use for it.
func (s *Store) Reset(ctx context.Context) error {
	var batch []string
	iter := s.rdb.Scan(ctx, 0, escapeGlob(s.prefix)+"*", 1000).Iterator()
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := s.rdb.Unlink(ctx, batch...).Err(); err != nil {
				return fmt.Errorf("redisstore: reset: %w", err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("redisstore: reset: %w", err)
	}
	if len(batch) > 0 {
		if err := s.rdb.Unlink(ctx, batch...).Err(); err != nil {
			return fmt.Errorf("redisstore: reset: %w", err)
		}
	}
	return nil
}

// AllSessions returns every stored session, expired or not, in no
// particular order. It scans the keyspace; the playground lists sessions
// with it, an app has no use for it.
func (s *Store) AllSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	prefix := s.sessionKey("")
	var ids []string
	iter := s.rdb.Scan(ctx, 0, escapeGlob(prefix)+"*", 1000).Iterator()
	for iter.Next(ctx) {
		ids = append(ids, strings.TrimPrefix(iter.Val(), prefix))
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("redisstore: list sessions: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.sessionKey(id), "u", "a", "i")
	}
	if len(ids) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("redisstore: list sessions: %w", err)
		}
	}
	var out []auth.SessionRecord
	for i, cmd := range cmds {
		v := cmd.Val()
		userID, ok := v[0].(string)
		if !ok {
			continue // dropped by its TTL since the scan
		}
		r := auth.SessionRecord{ID: ids[i], UserID: userID}
		var err error
		if r.ActiveExpiresAt, err = parseTime(v[1]); err != nil {
			return nil, err
		}
		if r.IdleExpiresAt, err = parseTime(v[2]); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// escapeGlob escapes the characters SCAN's MATCH pattern treats specially.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
