package memstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

// This file holds the session table: compact entries in one slice, found
// by ID through a map, by user through a per-user list, and by idle expiry
// through a binary min-heap, so that every operation costs what it touches
// and a sweep step costs its limit (never a scan of every session).
//
// Memory per session is about 200 bytes with every index, plus the user
// agent, client IP and attributes when given: the ID is kept as 32 bytes,
// not 64 hex characters; times as int64 Unix nanoseconds; the user ID once
// per user.

// sid is a session ID as bytes: the SHA-256 of the token. An ID that is not
// 64 lowercase hex characters (never one Auth makes) is keyed by a hash of
// it and kept as given in oddIDs.
type sid [32]byte

// slot indexes sessionTable.chunks.
type slot = int32

// entry holds no pointers, so that the garbage collector does not scan
// the chunks of a million sessions: the user and the extra fields are
// indexes into tables of their own.
type entry struct {
	id    sid
	user  int32 // index in sessionTable.users
	extra int32 // index in sessionTable.extras plus one; 0 for none
	// Times are Unix nanoseconds; unixnano.None is the zero time.
	created, renewed, active, idle, expires int64
	userPos, heapPos                        int32
	odd                                     bool // ID kept in oddIDs
	browser                                 bool // BrowserSession
}

// extra holds the fields a plain session does not have.
type extra struct {
	userAgent, clientIP string
	attributes          json.RawMessage
}

// userList is a user with sessions: its ID, kept once, and their slots.
type userList struct {
	id    string
	slots []slot
}

type sessionTable struct {
	// chunks hold the entries, chunkSize each, so that growing the table
	// allocates one chunk and never copies the entries under the lock.
	chunks [][]entry
	used   int // slots handed out so far
	free   []slot
	byID   map[sid]slot
	byUser map[string]int32 // index in users
	users  []userList
	extras []extra
	// Free indexes in users and extras.
	freeUsers, freeExtras []int32
	heap                  []heapItem // a min-heap on idle expiry
	oddIDs                map[sid]string
	// owed is the pause, in nanoseconds, that sweeps have earned and not
	// yet taken (see Sessions.DeleteExpiredSessions); atomic, as it is
	// read and written outside the lock.
	owed atomic.Int64
}

const (
	chunkBits = 12
	chunkSize = 1 << chunkBits
)

func (t *sessionTable) at(i slot) *entry { return &t.chunks[i>>chunkBits][i&(chunkSize-1)] }

type storeError string

func (e storeError) Error() string { return string(e) }

const (
	errDuplicateSession = storeError("memstore: a session with this ID exists")
	errTimeRange        = storeError("memstore: a session time is outside 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z (int64 Unix nanoseconds)")
)

func (t *sessionTable) init() {
	*t = sessionTable{byID: map[sid]slot{}, byUser: map[string]int32{}, oddIDs: map[sid]string{}}
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

// record returns the entry as a record with the given ID, or, when id is
// "" and the ID is not odd, the ID from its bytes.
func (t *sessionTable) record(e *entry, id string) auth.SessionRecord {
	if id == "" && !e.odd {
		id = hex.EncodeToString(e.id[:])
	}
	r := auth.SessionRecord{
		ID: id, UserID: t.users[e.user].id,
		CreatedAt: unixnano.Decode(e.created), RenewedAt: unixnano.Decode(e.renewed),
		ActiveExpiresAt: unixnano.Decode(e.active), IdleExpiresAt: unixnano.Decode(e.idle),
		ExpiresAt: unixnano.Decode(e.expires), BrowserSession: e.browser,
	}
	if e.extra != 0 {
		x := &t.extras[e.extra-1]
		r.UserAgent, r.ClientIP, r.Attributes = x.userAgent, x.clientIP, x.attributes
	}
	return r
}

// key returns the table key of a session ID, and whether the ID is odd.
func key(id string) (sid, bool) {
	var k sid
	if len(id) == 2*len(k) && decodeLowerHex(k[:], id) {
		return k, false
	}
	return sha256.Sum256([]byte("memstore odd session ID\x00" + id)), true
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

func (t *sessionTable) get(id string) *entry {
	k, _ := key(id)
	i, ok := t.byID[k]
	if !ok {
		return nil
	}
	return t.at(i)
}

func (t *sessionTable) insert(id, userID string, e entry, x *extra) error {
	k, odd := key(id)
	if _, ok := t.byID[k]; ok {
		return errDuplicateSession
	}
	e.id, e.odd = k, odd
	if odd {
		t.oddIDs[k] = id
	}
	ui, ok := t.byUser[userID]
	if !ok {
		ui = alloc(&t.users, &t.freeUsers, userList{id: userID})
		t.byUser[userID] = ui
	}
	e.user = ui
	if x != nil {
		e.extra = alloc(&t.extras, &t.freeExtras, *x) + 1
	}
	u := &t.users[ui]
	var i slot
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if t.used == len(t.chunks)*chunkSize {
			t.chunks = append(t.chunks, make([]entry, chunkSize))
		}
		i = slot(t.used)
		t.used++
	}
	*t.at(i) = e
	t.byID[k] = i
	t.at(i).userPos = int32(len(u.slots))
	u.slots = append(u.slots, i)
	t.at(i).heapPos = int32(len(t.heap))
	t.heap = append(t.heap, heapItem{e.idle, i})
	t.up(len(t.heap) - 1)
	return nil
}

func (t *sessionTable) renew(id string, old int64, r entry) bool {
	e := t.get(id)
	if e == nil || e.active != old {
		return false
	}
	e.renewed, e.active, e.idle = r.renewed, r.active, r.idle
	t.heap[e.heapPos].idle = r.idle
	t.fix(int(e.heapPos))
	return true
}

// setAttributes replaces the session's attributes with attrs if they are
// old, byte for byte (nil matching only nil), and reports whether it did.
func (t *sessionTable) setAttributes(id string, old, attrs json.RawMessage) bool {
	e := t.get(id)
	if e == nil {
		return false
	}
	var cur json.RawMessage
	if e.extra != 0 {
		cur = t.extras[e.extra-1].attributes
	}
	if (cur == nil) != (old == nil) || !bytes.Equal(cur, old) {
		return false
	}
	if e.extra == 0 {
		if attrs == nil {
			return true
		}
		e.extra = alloc(&t.extras, &t.freeExtras, extra{}) + 1
	}
	// A new slice, never written into the old one: readers may hold it.
	t.extras[e.extra-1].attributes = clone(attrs)
	return true
}

func (t *sessionTable) delete(id string) {
	k, _ := key(id)
	if i, ok := t.byID[k]; ok {
		t.remove(i)
	}
}

func (t *sessionTable) deleteUser(userID string) {
	// The last removal frees the user's list and its index.
	for ui, ok := t.byUser[userID]; ok; _, ok = t.byUser[userID] {
		u := &t.users[ui]
		t.remove(u.slots[len(u.slots)-1])
	}
}

// alloc puts v in a free index of *list, or appends it, and returns its
// index.
func alloc[T any](list *[]T, free *[]int32, v T) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		(*list)[i] = v
		return i
	}
	*list = append(*list, v)
	return int32(len(*list) - 1)
}

// remove deletes the entry in slot i from every index and frees the slot.
func (t *sessionTable) remove(i slot) {
	e := t.at(i)
	delete(t.byID, e.id)
	if e.odd {
		delete(t.oddIDs, e.id)
	}
	u := &t.users[e.user]
	last := len(u.slots) - 1
	if p := int(e.userPos); p != last {
		moved := u.slots[last]
		u.slots[p] = moved
		t.at(moved).userPos = int32(p)
	}
	u.slots = u.slots[:last]
	if len(u.slots) == 0 {
		delete(t.byUser, u.id)
		*u = userList{}
		t.freeUsers = append(t.freeUsers, e.user)
	}
	if e.extra != 0 {
		t.extras[e.extra-1] = extra{}
		t.freeExtras = append(t.freeExtras, e.extra-1)
	}
	t.heapRemove(int(e.heapPos))
	*t.at(i) = entry{user: -1} // free: belongs to no user
	t.free = append(t.free, i)
}

// userSlots returns the user's index and a copy of its slots.
func (t *sessionTable) userSlots(userID string) (int32, []slot) {
	ui, ok := t.byUser[userID]
	if !ok {
		return 0, nil
	}
	return ui, append([]slot(nil), t.users[ui].slots...)
}

// copyRecords appends to out the records of the sessions in slots that
// still belong to the user (a slot freed since, or reused by another user,
// is skipped).
func (t *sessionTable) copyRecords(ui int32, userID string, slots []slot, out []auth.SessionRecord) []auth.SessionRecord {
	if int(ui) >= len(t.users) || t.users[ui].id != userID {
		return out
	}
	for _, i := range slots {
		if int(i) >= t.used {
			continue
		}
		e := t.at(i)
		if e.user != ui {
			continue
		}
		id := ""
		if e.odd {
			id = t.oddIDs[e.id]
		}
		out = append(out, t.record(e, id))
	}
	return out
}

// sweep removes up to limit entries whose idle expiry is before cutoff,
// soonest first.
func (t *sessionTable) sweep(cutoff int64, limit int) int {
	n := 0
	for n < limit && len(t.heap) > 0 && t.heap[0].idle < cutoff {
		t.remove(t.heap[0].slot)
		n++
	}
	return n
}

// --- the heap, ordered by idle expiry ------------------------------------------

// heapItem keeps the idle expiry next to the slot, so that sifting compares
// within the heap's own array rather than reading entries all over memory.
type heapItem struct {
	idle int64
	slot slot
}

// The heap is 4-ary: half the levels of a binary heap, so a pop writes
// half as many entries' heapPos.
const arity = 4

func (t *sessionTable) swap(a, b int) {
	h := t.heap
	h[a], h[b] = h[b], h[a]
	t.at(h[a].slot).heapPos = int32(a)
	t.at(h[b].slot).heapPos = int32(b)
}

func (t *sessionTable) up(j int) {
	h := t.heap
	for j > 0 {
		p := (j - 1) / arity
		if h[j].idle >= h[p].idle {
			break
		}
		t.swap(j, p)
		j = p
	}
}

func (t *sessionTable) down(j int) bool {
	h := t.heap
	start, n := j, len(h)
	for {
		c := arity*j + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+arity && k < n; k++ {
			if h[k].idle < h[m].idle {
				m = k
			}
		}
		if h[m].idle >= h[j].idle {
			break
		}
		t.swap(j, m)
		j = m
	}
	return j > start
}

func (t *sessionTable) fix(j int) {
	if !t.down(j) {
		t.up(j)
	}
}

func (t *sessionTable) heapRemove(j int) {
	last := len(t.heap) - 1
	if j != last {
		t.swap(j, last)
	}
	t.heap = t.heap[:last]
	if j != last {
		t.fix(j)
	}
}
