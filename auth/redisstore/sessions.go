package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/redis/go-redis/v9"
)

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

// readHash reads the hash at key with one HGETALL. It returns
// auth.ErrNotFound when there is none, and an error naming what (a
// session, token or key) when Redis fails.
func (c *core) readHash(ctx context.Context, key, what string) (map[string]string, error) {
	h, err := c.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: get %s: %w", what, err)
	}
	if len(h) == 0 {
		return nil, auth.ErrNotFound
	}
	return h, nil
}

// GetSession implements [auth.SessionStore] with one HGETALL.
func (s *Sessions) GetSession(ctx context.Context, sessionID string) (auth.SessionRecord, error) {
	h, err := s.readHash(ctx, s.sessionKey(sessionID), "session")
	if err != nil {
		return auth.SessionRecord{}, err
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
