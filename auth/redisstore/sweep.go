package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/authkit-dev/authkit/auth/internal/pace"
	"github.com/redis/go-redis/v9"
)

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
