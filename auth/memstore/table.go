package memstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/maphash"
	"sync/atomic"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

// This file holds the session table: numShards shards chosen by the
// session ID, each a complete small table under its own lock (shard.go).
// A validation locks one shard, so it meets a sweep or a sign-in only when
// they touch the same one of 1,024; and a shard's entries and indexes
// stay small enough to sit in the caches while it is swept.
//
// Memory per session is about 175 bytes with every index and one user per
// session (bench/TENMILLION.md), plus the user agent, client IP and
// attributes when given: the ID is kept as 32 bytes, not 64 hex
// characters; times as int64 Unix nanoseconds; the user ID once per user
// and shard, in a byte arena. Nothing in the entries or the indexes is a
// Go pointer, so the garbage collector does not scan them.

// sid is a session ID as bytes: the SHA-256 of the token. An ID that is not
// 64 lowercase hex characters (never one Auth makes) is keyed by a hash of
// it and kept as given in its shard's oddIDs.
type sid [32]byte

// slot indexes a shard's entries; -1 is none.
type slot = int32

const (
	shardBits = 10
	numShards = 1 << shardBits
)

type sessionTable struct {
	shards [numShards]shard
	// seed hashes user IDs (in every shard's user index).
	seed maphash.Seed
	// sweepFrom is the shard where the last sweep step stopped, so that
	// the next one does not start by visiting the shards already swept.
	sweepFrom atomic.Uint32
	// owed is the pause, in nanoseconds, that sweeps have earned and not
	// yet taken (see Sessions.DeleteExpiredSessions); atomic, as it is
	// read and written outside any lock.
	owed atomic.Int64
}

type storeError string

func (e storeError) Error() string { return string(e) }

const (
	errDuplicateSession = storeError("memstore: a session with this ID exists")
	errTimeRange        = storeError("memstore: a session time is outside 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z (int64 Unix nanoseconds)")
)

func (t *sessionTable) init() {
	t.seed = maphash.MakeSeed()
}

// key is how the table finds a session: its ID's bytes, whether the ID is
// odd, and the ID as given (for an odd one).
type key struct {
	k   sid
	odd bool
	id  string
}

// keyOf returns the table key of a session ID.
func keyOf(id string) key {
	var k sid
	if len(id) == 2*len(k) && decodeLowerHex(k[:], id) {
		return key{k: k, id: id}
	}
	return key{k: sha256.Sum256([]byte("memstore odd session ID\x00" + id)), odd: true, id: id}
}

// shard returns the shard of a session: by the first bits of its ID,
// which are those of a SHA-256.
func (t *sessionTable) shard(k key) *shard {
	return &t.shards[binary.BigEndian.Uint16(k.k[:2])>>(16-shardBits)]
}

// tag returns the bits of an ID that its shard's index keeps: others than
// those that chose the shard.
func (k key) tag() uint32 { return binary.LittleEndian.Uint32(k.k[8:12]) }

// userKey is how the table finds a user: the ID and its hash.
type userKey struct {
	id  string
	tag uint32
}

func (t *sessionTable) userKey(userID string) userKey {
	return userKey{userID, uint32(maphash.String(t.seed, userID))}
}

// decodeLowerHex decodes s, of length 2*len(dst), into dst in one pass, and
// reports whether s was lowercase hex: uppercase is refused, so that two
// spellings of one ID never share a key.
func decodeLowerHex(dst []byte, s string) bool {
	for i := range dst {
		hi, ok1 := lowerHexValue(s[2*i])
		lo, ok2 := lowerHexValue(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func lowerHexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// encodeTime encodes t by the stores' one rule (see unixnano).
func encodeTime(t time.Time) (int64, bool) {
	n, err := unixnano.Encode(t)
	return n, err == nil
}

func encode(r auth.SessionRecord) (entry, *extra, error) {
	var e entry
	var x *extra
	var ok [5]bool
	e.created, ok[0] = encodeTime(r.CreatedAt)
	e.renewed, ok[1] = encodeTime(r.RenewedAt)
	e.active, ok[2] = encodeTime(r.ActiveExpiresAt)
	e.idle, ok[3] = encodeTime(r.IdleExpiresAt)
	e.expires, ok[4] = encodeTime(r.ExpiresAt)
	if ok != [5]bool{true, true, true, true, true} {
		return entry{}, nil, errTimeRange
	}
	e.browser = r.BrowserSession
	if r.UserAgent != "" || r.ClientIP != "" || r.Attributes != nil {
		x = &extra{userAgent: r.UserAgent, clientIP: r.ClientIP, attributes: clone(r.Attributes)}
	}
	return e, x, nil
}

func encodeRenewal(r auth.Renewal) (entry, error) {
	var e entry
	var ok [3]bool
	e.renewed, ok[0] = encodeTime(r.RenewedAt)
	e.active, ok[1] = encodeTime(r.ActiveExpiresAt)
	e.idle, ok[2] = encodeTime(r.IdleExpiresAt)
	if ok != [3]bool{true, true, true} {
		return entry{}, errTimeRange
	}
	return e, nil
}

func clone(b json.RawMessage) json.RawMessage {
	if b == nil {
		return nil
	}
	return append(json.RawMessage(nil), b...)
}

// get returns the session's record, under its shard's read lock.
func (t *sessionTable) get(id string) (auth.SessionRecord, bool) {
	k := keyOf(id)
	sh := t.shard(k)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	i, ok := sh.find(k)
	if !ok {
		return auth.SessionRecord{}, false
	}
	return sh.record(i, id, ""), true
}

func (t *sessionTable) insert(id, userID string, e entry, x *extra) error {
	k := keyOf(id)
	sh := t.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.insert(k, t.userKey(userID), e, x)
}

// renew applies r to the session if its active expiry is old, and reports
// whether it did.
func (t *sessionTable) renew(id string, old int64, r entry) bool {
	k := keyOf(id)
	sh := t.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.renew(k, old, r)
}

// setAttributes replaces the session's attributes with attrs if they are
// old, byte for byte (nil matching only nil), and reports whether it did.
func (t *sessionTable) setAttributes(id string, old, attrs json.RawMessage) bool {
	k := keyOf(id)
	sh := t.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.setAttributes(k, old, attrs)
}

func (t *sessionTable) delete(id string) {
	k := keyOf(id)
	sh := t.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if i, ok := sh.find(k); ok {
		sh.remove(i)
	}
}

// deleteUser deletes the user's sessions, one shard at a time.
func (t *sessionTable) deleteUser(userID string) {
	u := t.userKey(userID)
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		sh.deleteUser(u)
		sh.mu.Unlock()
	}
}

// userSessions returns the user's sessions, reading one shard at a time.
func (t *sessionTable) userSessions(userID string) []auth.SessionRecord {
	u := t.userKey(userID)
	var out []auth.SessionRecord
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		out = sh.appendUserSessions(out, u)
		sh.mu.RUnlock()
	}
	return out
}

// sweep deletes up to limit sessions whose idle expiry is before cutoff,
// taking each shard's lock for at most sweepChunk deletions at a time.
// It returns how many it deleted, fewer than limit when none is left, and
// how long it held the locks: its work, without the time it waited for
// a lock or for a CPU (a hold longer than maxChunkWork was the thread's
// being descheduled, and counts as maxChunkWork).
//
// It does not wait for a shard that a validation holds: it passes over
// it and comes back to it once it has been round the others. A writer
// that finds readers parks, and when every CPU is busy a parked
// goroutine runs again only when the scheduler preempts another, every
// 10 ms; and a validation that asked for the shard while the sweep held
// it is let in by the sweep's Unlock, queued behind the sweep on its own
// CPU, so that the sweep's next Lock of that shard parks until it runs.
// Waiting there, the sweep of 5,000,000 at ten million sessions spent 26
// of its 32 s parked in about 13,000 Locks (bench/TENMILLION.md).
func (t *sessionTable) sweep(cutoff int64, limit int) (int, time.Duration) {
	from := t.sweepFrom.Load()
	n := 0
	var worked time.Duration
	var busy []uint32
	for j := range uint32(numShards) {
		i := (from + j) % numShards
		d, w, all := t.shards[i].sweepHeld(cutoff, limit-n, false)
		n, worked = n+d, worked+w
		if n == limit {
			t.sweepFrom.Store(i)
			return n, worked
		}
		if !all {
			busy = append(busy, i)
		}
	}
	// Round all of them: the ones passed over, waiting for each.
	for _, i := range busy {
		d, w, _ := t.shards[i].sweepHeld(cutoff, limit-n, true)
		n, worked = n+d, worked+w
		if n == limit {
			t.sweepFrom.Store(i)
			return n, worked
		}
	}
	return n, worked
}

// sweepHeld deletes up to limit sessions of the shard whose idle expiry is
// before cutoff, sweepChunk per hold of its lock. Unless wait is true it
// stops at the first hold it cannot take at once, and then reports that
// it did not finish (all is false). worked is how long it held the lock,
// each hold counted at most maxChunkWork.
func (sh *shard) sweepHeld(cutoff int64, limit int, wait bool) (n int, worked time.Duration, all bool) {
	for n < limit {
		if wait {
			sh.mu.Lock()
		} else if !sh.mu.TryLock() {
			return n, worked, false
		}
		start := time.Now()
		d := sh.sweep(cutoff, min(sweepChunk, limit-n))
		worked += min(time.Since(start), maxChunkWork)
		sh.mu.Unlock()
		n += d
		if d < sweepChunk {
			break
		}
	}
	return n, worked, true
}

// sweepChunk is how many sessions a sweep deletes per hold of a shard's
// lock: a few microseconds of work (3.6 µs median at a million sessions,
// TestScaleLockHold).
const sweepChunk = 16

// maxChunkWork is the most a chunk of a sweep counts as work: about ten
// times what it takes.
const maxChunkWork = 50 * time.Microsecond

// record returns the session in slot i as a record with the given ID, or,
// when id is "", the ID from its bytes (or oddIDs); and the given user ID,
// or, when userID is "", the one in the arena.
func (sh *shard) record(i slot, id, userID string) auth.SessionRecord {
	e := sh.at(i)
	if userID == "" {
		userID = sh.userID(e.user)
	}
	if id == "" {
		if e.odd {
			id = sh.oddIDs[e.id]
		} else {
			id = hex.EncodeToString(e.id[:])
		}
	}
	r := auth.SessionRecord{
		ID: id, UserID: userID,
		CreatedAt: unixnano.Decode(e.created), RenewedAt: unixnano.Decode(e.renewed),
		ActiveExpiresAt: unixnano.Decode(e.active), IdleExpiresAt: unixnano.Decode(e.idle),
		ExpiresAt: unixnano.Decode(e.expires), BrowserSession: e.browser,
	}
	if e.extra != 0 {
		x := &sh.extras[e.extra-1]
		r.UserAgent, r.ClientIP, r.Attributes = x.userAgent, x.clientIP, x.attributes
	}
	return r
}
