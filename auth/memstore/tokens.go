package memstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

// This file holds one-time tokens ([auth.TokenStore]) and throttling
// counters ([auth.CounterStore]), in both kinds of store. They have maps
// and locks of their own, apart from the sessions: they are few (a token
// lives minutes) and a sign-in that counts an attempt does not wait for a
// session sweep. Times are kept as in the session table (see the package
// doc).

// oneTime holds the tokens and the counters of a store.
type oneTime struct {
	tokMu  sync.Mutex
	tokens map[string]tokenEntry  // by ID
	byUser map[userPurpose]string // the ID of a user's token of a purpose
	tokExp expiryHeap[string]     // token IDs by ExpiresAt
	ctrMu  sync.Mutex
	ctrs   map[string]counter
	ctrExp expiryHeap[string] // counter keys by window end
}

// tokenEntry is a token as given, its times in UTC, and its ExpiresAt
// encoded.
type tokenEntry struct {
	rec     auth.TokenRecord
	expires int64
}

type userPurpose struct{ userID, purpose string }

type counter struct {
	count   int
	resetAt int64 // Unix nanoseconds
}

func (o *oneTime) init() {
	o.tokens = map[string]tokenEntry{}
	o.byUser = map[userPurpose]string{}
	o.ctrs = map[string]counter{}
}

// errDuplicateToken is CreateToken's system error for an ID already
// stored: Auth never makes one (IDs are hashes of 160 random bits).
var errDuplicateToken = errors.New("memstore: a token with this ID exists")

// CreateToken implements [auth.TokenStore]: the user's older token of the
// same purpose is deleted under the same lock. It refuses, with a system
// error, times outside the range the package doc gives.
func (s *Sessions) CreateToken(ctx context.Context, t auth.TokenRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	created, ok1 := encodeTime(t.CreatedAt)
	expires, ok2 := encodeTime(t.ExpiresAt)
	if !ok1 || !ok2 {
		return errTimeRange
	}
	t.CreatedAt, t.ExpiresAt = unixnano.Decode(created), unixnano.Decode(expires)
	o := &s.oneTime
	o.tokMu.Lock()
	defer o.tokMu.Unlock()
	if _, ok := o.tokens[t.ID]; ok {
		return errDuplicateToken
	}
	up := userPurpose{t.UserID, t.Purpose}
	if old, ok := o.byUser[up]; ok {
		o.deleteToken(old)
	}
	o.tokens[t.ID] = tokenEntry{t, expires}
	o.byUser[up] = t.ID
	o.tokExp.push(expires, t.ID)
	o.tokExp.compact(len(o.tokens), o.tokenLive)
	return nil
}

// tokenLive reports whether an entry of tokExp stands for a stored token.
func (o *oneTime) tokenLive(id string, expires int64) bool {
	e, ok := o.tokens[id]
	return ok && e.expires == expires
}

// deleteToken deletes a token under tokMu and reports whether it existed.
// Its entry in tokExp stays, to be dropped when it comes up.
func (o *oneTime) deleteToken(id string) bool {
	e, ok := o.tokens[id]
	if !ok {
		return false
	}
	delete(o.tokens, id)
	up := userPurpose{e.rec.UserID, e.rec.Purpose}
	if o.byUser[up] == id {
		delete(o.byUser, up)
	}
	return true
}

// GetToken implements [auth.TokenStore].
func (s *Sessions) GetToken(ctx context.Context, id string) (auth.TokenRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.TokenRecord{}, err
	}
	o := &s.oneTime
	o.tokMu.Lock()
	defer o.tokMu.Unlock()
	e, ok := o.tokens[id]
	if !ok {
		return auth.TokenRecord{}, auth.ErrNotFound
	}
	return e.rec, nil
}

// UserToken implements [auth.TokenStore].
func (s *Sessions) UserToken(ctx context.Context, userID, purpose string) (auth.TokenRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.TokenRecord{}, err
	}
	o := &s.oneTime
	o.tokMu.Lock()
	defer o.tokMu.Unlock()
	id, ok := o.byUser[userPurpose{userID, purpose}]
	if !ok {
		return auth.TokenRecord{}, auth.ErrNotFound
	}
	return o.tokens[id].rec, nil
}

// DeleteToken implements [auth.TokenStore].
func (s *Sessions) DeleteToken(ctx context.Context, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	o := &s.oneTime
	o.tokMu.Lock()
	defer o.tokMu.Unlock()
	return o.deleteToken(id), nil
}

// AddTokenAttempt implements [auth.TokenStore].
func (s *Sessions) AddTokenAttempt(ctx context.Context, id string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o := &s.oneTime
	o.tokMu.Lock()
	defer o.tokMu.Unlock()
	e, ok := o.tokens[id]
	if !ok {
		return 0, auth.ErrNotFound
	}
	e.rec.Attempts++
	o.tokens[id] = e
	return e.rec.Attempts, nil
}

// DeleteExpiredTokens implements [auth.TokenStore]. A heap ordered by
// ExpiresAt makes a step cost its limit, not the number of tokens.
func (s *Sessions) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	o := &s.oneTime
	return sweepExpired(ctx, now, limit, &o.tokMu, &o.tokExp, func(id string, at int64) bool {
		return o.tokenLive(id, at) && o.deleteToken(id)
	})
}

// sweepExpired is one step of DeleteExpiredTokens or
// DeleteExpiredCounters: under mu it drops up to limit entries of h that
// came due by now, calling drop for each; drop deletes the record the
// entry stands for and reports whether it was live.
func sweepExpired(ctx context.Context, now time.Time, limit int, mu *sync.Mutex, h *expiryHeap[string], drop func(key string, at int64) bool) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cutoff, ok := encodeTime(now)
	if !ok {
		return 0, errTimeRange
	}
	mu.Lock()
	defer mu.Unlock()
	return h.sweep(cutoff, limit, drop), nil
}

// IncrementCounter implements [auth.CounterStore]. It refuses, with a
// system error, times outside the range the package doc gives.
func (s *Sessions) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (int, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return 0, time.Time{}, err
	}
	n, ok1 := encodeTime(now)
	end, ok2 := encodeTime(windowEnd)
	if !ok1 || !ok2 {
		return 0, time.Time{}, errTimeRange
	}
	o := &s.oneTime
	o.ctrMu.Lock()
	defer o.ctrMu.Unlock()
	c, ok := o.ctrs[key]
	if ok && c.resetAt >= n {
		c.count++
		o.ctrs[key] = c
	} else {
		c = counter{count: 1, resetAt: end}
		o.ctrs[key] = c
		o.ctrExp.push(end, key)
		o.ctrExp.compact(len(o.ctrs), o.counterLive)
	}
	return c.count, unixnano.Decode(c.resetAt), nil
}

// counterLive reports whether an entry of ctrExp stands for a counter's
// current window.
func (o *oneTime) counterLive(key string, resetAt int64) bool {
	c, ok := o.ctrs[key]
	return ok && c.resetAt == resetAt
}

// DeleteCounter implements [auth.CounterStore].
func (s *Sessions) DeleteCounter(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := &s.oneTime
	o.ctrMu.Lock()
	defer o.ctrMu.Unlock()
	delete(o.ctrs, key)
	return nil
}

// DeleteExpiredCounters implements [auth.CounterStore], as
// DeleteExpiredTokens does for tokens.
func (s *Sessions) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error) {
	o := &s.oneTime
	return sweepExpired(ctx, now, limit, &o.ctrMu, &o.ctrExp, func(key string, at int64) bool {
		if !o.counterLive(key, at) {
			return false
		}
		delete(o.ctrs, key)
		return true
	})
}

// expiryHeap is a binary min-heap of keys by an instant. Deleting a record
// leaves its entry in the heap: the sweep drops an entry whose record is
// gone or has another instant when it comes up, and compact rebuilds the
// heap when such stale entries outnumber the live ones, so that it never
// holds more than about twice the records.
type expiryHeap[K comparable] struct {
	items []expiryItem[K]
}

type expiryItem[K comparable] struct {
	at  int64
	key K
}

func (h *expiryHeap[K]) push(at int64, key K) {
	h.items = append(h.items, expiryItem[K]{at, key})
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.items[p].at <= h.items[i].at {
			break
		}
		h.items[p], h.items[i] = h.items[i], h.items[p]
		i = p
	}
}

// sweep pops the entries before cutoff until del, given each, has deleted
// limit records, and returns how many it deleted. del deletes the record
// an entry stands for, if it still does, and reports whether it did.
func (h *expiryHeap[K]) sweep(cutoff int64, limit int, del func(K, int64) bool) int {
	n := 0
	for n < limit {
		at, key, ok := h.popBefore(cutoff)
		if !ok {
			break
		}
		if del(key, at) {
			n++
		}
	}
	return n
}

// popBefore removes and returns the earliest entry if its instant is
// before cutoff.
func (h *expiryHeap[K]) popBefore(cutoff int64) (int64, K, bool) {
	if len(h.items) == 0 || h.items[0].at >= cutoff {
		var zero K
		return 0, zero, false
	}
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	h.down(0)
	return top.at, top.key, true
}

func (h *expiryHeap[K]) down(i int) {
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.items[r].at < h.items[l].at {
			m = r
		}
		if h.items[i].at <= h.items[m].at {
			return
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

// compact rebuilds the heap from its live entries when it holds more than
// twice live entries (and more than a few): live reports whether an entry
// still stands for a record. Its cost is spread over the pushes that
// grew the heap.
func (h *expiryHeap[K]) compact(live int, isLive func(K, int64) bool) {
	if len(h.items) <= 2*live+16 {
		return
	}
	kept := h.items[:0]
	for _, it := range h.items {
		if isLive(it.key, it.at) {
			kept = append(kept, it)
		}
	}
	clear(h.items[len(kept):])
	h.items = kept
	for i := len(h.items)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}
