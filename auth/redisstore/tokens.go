package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/pace"
)

// One-time tokens and counters: the key layout and the steps are in the
// package doc. The pair's hash is the truth: a reference or sweep entry
// whose hash names another ID is stale and reads as no token.

// tokenTag is the hash tag of a user's token of a purpose: no other pair
// has it (the purpose's length comes first).
func tokenTag(userID, purpose string) string {
	return strconv.Itoa(len(purpose)) + ":" + purpose + userID
}

func (c *core) tokenKey(tag string) string { return c.prefix + "{T:" + tag + "}" }
func (c *core) tokenRef(id string) string  { return c.prefix + "{I:" + id + "}" }
func (c *core) tokenSweepKey() string      { return c.prefix + "{tsweep}" }
func (c *core) counterKey(key string) string {
	return c.prefix + "{C:" + key + "}"
}

type tokenScripts struct {
	createRef, replace, deleteToken, addAttempt, sweepToken, increment *redis.Script
}

func newTokenScripts() tokenScripts {
	return tokenScripts{
		// KEYS: reference. ARGV: tag, expire-at in ms. Returns 0, or 1 if
		// the reference exists (the ID is taken).
		createRef: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 0`),

		// KEYS: the pair's hash. ARGV: expire-at in ms, then the hash's
		// field-value pairs. Replaces the hash and returns the ID it named
		// before, or "".
		replace: redis.NewScript(`
local old = redis.call('HGET', KEYS[1], 'i') or ''
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return old`),

		// KEYS: the pair's hash. ARGV: ID. Deletes the hash if it names
		// the ID; returns 1 if it did.
		deleteToken: deleteIf("i"),

		// KEYS: the pair's hash. ARGV: ID. Adds an attempt and returns
		// the count if the hash names the ID, else -1.
		addAttempt: redis.NewScript(`
if redis.call('HGET', KEYS[1], 'i') ~= ARGV[1] then return -1 end
return redis.call('HINCRBY', KEYS[1], 'n', 1)`),

		// KEYS: the pair's hash. ARGV: ID, now in Unix nanoseconds.
		// Returns 0 if the hash does not name the ID (a stale entry), 1 if
		// it deleted the expired token, 2 if the token is alive.
		sweepToken: redis.NewScript(lessTime + `
local v = redis.call('HMGET', KEYS[1], 'i', 'e')
if v[1] ~= ARGV[1] then return 0 end
if v[2] == '' or less(v[2], ARGV[2]) then
	redis.call('DEL', KEYS[1])
	return 1
end
return 2`),

		// KEYS: counter. ARGV: now, window end (Unix nanoseconds, "" for
		// the zero time), expire-at in ms. Returns {count, reset at}.
		increment: redis.NewScript(lessTime + `
local v = redis.call('HMGET', KEYS[1], 'n', 'r')
if not v[1] or v[2] == '' or less(v[2], ARGV[1]) then
	redis.call('HSET', KEYS[1], 'n', 1, 'r', ARGV[2])
	redis.call('PEXPIREAT', KEYS[1], ARGV[3])
	return {1, ARGV[2]}
end
return {redis.call('HINCRBY', KEYS[1], 'n', 1), v[2]}`),
	}
}

// errTokenExists is a system error: token IDs are hashes of random
// tokens, so a collision means a bug.
var errTokenExists = errors.New("redisstore: a token with this ID exists")

// CreateToken implements [auth.TokenStore] in three steps: it takes the
// ID (the reference, refused if it exists), replaces the hash of the
// user's token of the purpose in one script (so of concurrent calls each
// replaces the one before, and one token survives), then drops the
// replaced token's reference and sweep entry. If a step after the first
// fails, what is left is stale and reads as no token: the replaced token
// is gone with its hash whatever happens after, and the TTL removes the
// rest.
func (s *Sessions) CreateToken(ctx context.Context, t auth.TokenRecord) error {
	created, err := encodeTime(t.CreatedAt)
	if err != nil {
		return fmt.Errorf("redisstore: create token: %w", err)
	}
	expires, err := encodeTime(t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("redisstore: create token: %w", err)
	}
	tag, exp := tokenTag(t.UserID, t.Purpose), s.expireAt(t.ExpiresAt)
	taken, err := s.scripts.tokens.createRef.Run(ctx, s.rdb, []string{s.tokenRef(t.ID)}, tag, exp).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: create token: %w", err)
	}
	if taken == 1 {
		return errTokenExists
	}
	old, err := s.scripts.tokens.replace.Run(ctx, s.rdb, []string{s.tokenKey(tag)}, exp,
		"i", t.ID, "p", t.Purpose, "u", t.UserID, "a", t.Address, "h", t.CodeHash,
		"n", t.Attempts, "c", created, "e", expires).Text()
	if err != nil {
		s.rdb.Del(ctx, s.tokenRef(t.ID)) // best effort: a stale reference reads as no token
		return fmt.Errorf("redisstore: create token: %w", err)
	}
	// The token is stored. These writes tidy up; if they are lost, the
	// entries left are stale, and the sweep or the TTL removes them.
	pipe := s.rdb.Pipeline()
	pipe.ZAdd(ctx, s.tokenSweepKey(), redis.Z{Score: sweepScore(t.ExpiresAt), Member: sweepMember(t.ID, tag)})
	if old != "" && old != t.ID {
		pipe.Del(ctx, s.tokenRef(old))
		pipe.ZRem(ctx, s.tokenSweepKey(), sweepMember(old, tag))
	}
	_, _ = pipe.Exec(ctx)
	return nil
}

// GetToken implements [auth.TokenStore]: a GET of the reference, then an
// HGETALL of the hash it names.
func (s *Sessions) GetToken(ctx context.Context, id string) (auth.TokenRecord, error) {
	tag, err := s.rdb.Get(ctx, s.tokenRef(id)).Result()
	if errors.Is(err, redis.Nil) {
		return auth.TokenRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.TokenRecord{}, fmt.Errorf("redisstore: get token: %w", err)
	}
	t, err := s.readToken(ctx, tag)
	if err == nil && t.ID != id {
		return auth.TokenRecord{}, auth.ErrNotFound // replaced
	}
	return t, err
}

// UserToken implements [auth.TokenStore] with one HGETALL.
func (s *Sessions) UserToken(ctx context.Context, userID, purpose string) (auth.TokenRecord, error) {
	return s.readToken(ctx, tokenTag(userID, purpose))
}

func (c *core) readToken(ctx context.Context, tag string) (auth.TokenRecord, error) {
	h, err := c.readHash(ctx, c.tokenKey(tag), "token")
	if err != nil {
		return auth.TokenRecord{}, err
	}
	var t auth.TokenRecord
	for _, f := range []struct {
		name string
		dst  *string
	}{{"i", &t.ID}, {"p", &t.Purpose}, {"u", &t.UserID}, {"a", &t.Address}, {"h", &t.CodeHash}} {
		v, ok := h[f.name]
		if !ok {
			return auth.TokenRecord{}, fmt.Errorf("redisstore: get token: %w: no field %q", errCorrupt, f.name)
		}
		*f.dst = v
	}
	n, err := strconv.Atoi(h["n"])
	if err != nil {
		return auth.TokenRecord{}, fmt.Errorf("redisstore: get token: %w: attempts %q", errCorrupt, h["n"])
	}
	t.Attempts = n
	if t.CreatedAt, err = decodeTime(h["c"]); err == nil {
		t.ExpiresAt, err = decodeTime(h["e"])
	}
	if err != nil {
		return auth.TokenRecord{}, fmt.Errorf("redisstore: get token: %w", err)
	}
	return t, nil
}

// DeleteToken implements [auth.TokenStore]: a GET of the reference, then
// one script that deletes the hash if it still names the token, so of
// concurrent calls exactly one finds it; then the reference and the sweep
// entry go.
func (s *Sessions) DeleteToken(ctx context.Context, id string) (bool, error) {
	tag, err := s.rdb.Get(ctx, s.tokenRef(id)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redisstore: delete token: %w", err)
	}
	n, err := s.scripts.tokens.deleteToken.Run(ctx, s.rdb, []string{s.tokenKey(tag)}, id).Int64()
	if err != nil {
		return false, fmt.Errorf("redisstore: delete token: %w", err)
	}
	// Deleted (or stale): tidy up; a lost write leaves a stale entry.
	pipe := s.rdb.Pipeline()
	pipe.Del(ctx, s.tokenRef(id))
	pipe.ZRem(ctx, s.tokenSweepKey(), sweepMember(id, tag))
	_, _ = pipe.Exec(ctx)
	return n == 1, nil
}

// AddTokenAttempt implements [auth.TokenStore]: a GET of the reference,
// then one script (HINCRBY if the hash names the token).
func (s *Sessions) AddTokenAttempt(ctx context.Context, id string) (int, error) {
	tag, err := s.rdb.Get(ctx, s.tokenRef(id)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, auth.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("redisstore: add token attempt: %w", err)
	}
	n, err := s.scripts.tokens.addAttempt.Run(ctx, s.rdb, []string{s.tokenKey(tag)}, id).Int64()
	if err != nil {
		return 0, fmt.Errorf("redisstore: add token attempt: %w", err)
	}
	if n < 0 {
		return 0, auth.ErrNotFound
	}
	return int(n), nil
}

// DeleteExpiredTokens implements [auth.TokenStore], as
// DeleteExpiredSessions does for sessions: it takes at most limit entries
// of the tokens' sweep index up to now's second and runs, in pipelines of
// 10, a short script per token that deletes it if it is expired, pausing
// after each pipeline three times as long as it took. Stale entries (of
// tokens consumed, replaced or dropped by their TTL) are removed and not
// counted.
func (s *Sessions) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	n, err := s.sweepTokens(ctx, now, limit)
	if err != nil {
		return n, fmt.Errorf("redisstore: delete expired tokens: %w", err)
	}
	return n, nil
}

func (c *core) sweepTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("limit %d is not positive", limit)
	}
	nowNs, err := encodeTime(now)
	if err != nil {
		return 0, err
	}
	members, err := c.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: c.tokenSweepKey(), Start: "-inf",
		Stop: strconv.FormatInt(now.Unix(), 10), ByScore: true, Count: int64(limit)}).Result()
	if err != nil || len(members) == 0 {
		return 0, err
	}
	n := 0
	// As in sweepRound: a pipeline once sent is read to its end, so
	// that no count is lost; ctx is checked between pipelines.
	sent := context.WithoutCancel(ctx)
	for lo := 0; lo < len(members); lo += sweepPipeline {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		part := members[lo:min(lo+sweepPipeline, len(members))]
		cmds := make([]*redis.Cmd, len(part))
		var bad []string
		start := time.Now()
		err := c.pipelined(sent, func(pipe redis.Pipeliner) {
			bad = bad[:0]
			for k, m := range part {
				cmds[k] = nil
				id, tag, ok := parseSweepMember(m)
				if !ok {
					bad = append(bad, m)
					continue
				}
				cmds[k] = c.scripts.tokens.sweepToken.Run(sent, pipe, []string{c.tokenKey(tag)}, id, nowNs)
			}
		})
		if err != nil {
			return n, err
		}
		pipe := c.rdb.Pipeline()
		for k, cmd := range cmds {
			if cmd == nil {
				continue
			}
			code, err := cmd.Int64()
			if err != nil {
				return n, err
			}
			if code == 1 {
				n++
			}
			if code != 2 {
				id, _, _ := parseSweepMember(part[k])
				pipe.Del(sent, c.tokenRef(id))
				pipe.ZRem(sent, c.tokenSweepKey(), part[k])
			}
		}
		for _, m := range bad {
			pipe.ZRem(sent, c.tokenSweepKey(), m)
		}
		if pipe.Len() > 0 {
			if _, err := pipe.Exec(sent); err != nil {
				return n, err
			}
		}
		if err := pace.After(ctx, start); err != nil {
			return n, err
		}
	}
	return n, nil
}

// IncrementCounter implements [auth.CounterStore] with one script: a
// counter whose window ended before now (or none) starts again at 1 with
// windowEnd, and gets a TTL of the grace period after the later of
// windowEnd and now; any other counts one more.
func (s *Sessions) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (int, time.Time, error) {
	nowNs, err := encodeTime(now)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: increment counter: %w", err)
	}
	end, err := encodeTime(windowEnd)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: increment counter: %w", err)
	}
	reply, err := s.scripts.tokens.increment.Run(ctx, s.rdb, []string{s.counterKey(key)}, nowNs, end, s.expireAt(windowEnd)).Slice()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: increment counter: %w", err)
	}
	if len(reply) == 2 {
		n, ok1 := reply[0].(int64)
		r, ok2 := reply[1].(string)
		if ok1 && ok2 {
			resetAt, err := decodeTime(r)
			if err != nil {
				return 0, time.Time{}, fmt.Errorf("redisstore: increment counter: %w", err)
			}
			return int(n), resetAt, nil
		}
	}
	return 0, time.Time{}, fmt.Errorf("redisstore: increment counter: %w: reply %v", errCorrupt, reply)
}

// DeleteCounter implements [auth.CounterStore] with one DEL.
func (s *Sessions) DeleteCounter(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.counterKey(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete counter: %w", err)
	}
	return nil
}

// DeleteExpiredCounters implements [auth.CounterStore]: it deletes
// nothing and returns 0, as the contract allows, since Redis drops each
// counter by its TTL (the grace period after its window's end).
func (s *Sessions) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("redisstore: delete expired counters: limit %d is not positive", limit)
	}
	return 0, nil
}

var (
	_ auth.TokenStore   = (*Sessions)(nil)
	_ auth.CounterStore = (*Sessions)(nil)
)
