package memstore

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/authkit-dev/authkit/auth"
)

// This file holds one shard of the session table: its entries, in chunks
// without pointers; an open-addressing index from ID to entry; its users,
// each a list through its sessions' entries, their IDs in a byte arena and
// found through a second index; and a 4-ary min-heap on idle expiry, so
// that every operation costs what it touches and a sweep step costs its
// limit (never a scan of every session). Every method is called with the
// shard's lock held (the read lock for find, record, userID and
// appendUserSessions; the write lock for the others).

// entry holds no pointers, so that the garbage collector does not scan
// the chunks of ten million sessions: the user and the extra fields are
// indexes into tables of their own. It is 96 bytes.
type entry struct {
	id sid
	// Times are Unix nanoseconds; unixnano.None is the zero time.
	created, renewed, active, idle, expires int64
	user                                    int32 // index in shard.users; -1 for a free slot
	// userPrev and userNext link the user's sessions in this shard (-1
	// ends the list); a free slot's userNext is the next free slot.
	userPrev, userNext slot
	heapPos            int32
	extra              int32 // index in shard.extras plus one; 0 for none
	odd                bool  // ID kept in oddIDs
	browser            bool  // BrowserSession
}

// extra holds the fields a plain session does not have.
type extra struct {
	userAgent, clientIP string
	attributes          json.RawMessage
}

// user is a user with sessions in the shard: its ID, at arena[off:off+n],
// and its first session. A free user has head -1 and off the next free
// user plus one (0 for none).
type user struct {
	off, n uint32
	head   slot
	tag    uint32 // its key in byUser
}

type shard struct {
	mu sync.RWMutex
	// chunks hold the entries, chunkSize each (the last one grows up to
	// it), so that growing the shard never copies more than a chunk.
	chunks    [][]entry
	used      int32 // slots handed out so far
	freeSlots int32 // the first free slot plus one; 0 for none
	ids       index // ID tag -> slot
	users     []user
	freeUsers int32 // the first free user plus one; 0 for none
	byUser    index // user ID tag -> index in users
	arena     []byte
	garbage   int  // bytes of arena that no user holds
	heap      heap // slots by idle expiry
	extras    []extra
	// Free indexes in extras.
	freeExtras []int32
	oddIDs     map[sid]string
	// Keeps the next shard's lock off this one's cache lines.
	_ [64]byte
}

const (
	chunkBits = 8
	chunkSize = 1 << chunkBits
)

func (sh *shard) at(i slot) *entry { return &sh.chunks[i>>chunkBits][i&(chunkSize-1)] }

// find returns the slot of the session with key k.
func (sh *shard) find(k key) (slot, bool) {
	i, _, ok := sh.ids.find(k.tag(), func(v int32) bool { return sh.at(v).id == k.k })
	return i, ok
}

func (sh *shard) insert(k key, u userKey, e entry, x *extra) error {
	if _, ok := sh.find(k); ok {
		return errDuplicateSession
	}
	e.id, e.odd = k.k, k.odd
	if k.odd {
		if sh.oddIDs == nil {
			sh.oddIDs = map[sid]string{}
		}
		sh.oddIDs[k.k] = k.id
	}
	if x != nil {
		e.extra = sh.allocExtra(*x) + 1
	}
	i := sh.allocSlot()
	ui := sh.addUser(u)
	e.user, e.userPrev, e.userNext = ui, -1, sh.users[ui].head
	if e.userNext >= 0 {
		sh.at(e.userNext).userPrev = i
	}
	sh.users[ui].head = i
	*sh.at(i) = e
	sh.ids.add(k.tag(), i)
	sh.push(e.idle, i)
	return nil
}

// allocSlot returns a free slot, reusing one or growing the chunks.
func (sh *shard) allocSlot() slot {
	if sh.freeSlots != 0 {
		i := sh.freeSlots - 1
		sh.freeSlots = sh.at(i).userNext + 1
		return i
	}
	i := sh.used
	c := int(i >> chunkBits)
	if c == len(sh.chunks) {
		sh.chunks = append(sh.chunks, make([]entry, 0, 8))
	}
	sh.chunks[c] = append(sh.chunks[c], entry{})
	sh.used++
	return i
}

func (sh *shard) allocExtra(x extra) int32 {
	if n := len(sh.freeExtras); n > 0 {
		i := sh.freeExtras[n-1]
		sh.freeExtras = sh.freeExtras[:n-1]
		sh.extras[i] = x
		return i
	}
	sh.extras = append(sh.extras, x)
	return int32(len(sh.extras) - 1)
}

func (sh *shard) renew(k key, old int64, r entry) bool {
	i, ok := sh.find(k)
	if !ok {
		return false
	}
	e := sh.at(i)
	if e.active != old {
		return false
	}
	e.renewed, e.active, e.idle = r.renewed, r.active, r.idle
	sh.heap.idle[e.heapPos] = r.idle
	sh.fix(int(e.heapPos))
	return true
}

func (sh *shard) setAttributes(k key, old, attrs json.RawMessage) bool {
	i, ok := sh.find(k)
	if !ok {
		return false
	}
	e := sh.at(i)
	var cur json.RawMessage
	if e.extra != 0 {
		cur = sh.extras[e.extra-1].attributes
	}
	if (cur == nil) != (old == nil) || !bytes.Equal(cur, old) {
		return false
	}
	if e.extra == 0 {
		if attrs == nil {
			return true
		}
		e.extra = sh.allocExtra(extra{}) + 1
	}
	// A new slice, never written into the old one: readers may hold it.
	sh.extras[e.extra-1].attributes = clone(attrs)
	return true
}

// remove deletes the entry in slot i from every index and frees the slot.
func (sh *shard) remove(i slot) {
	e := sh.at(i)
	tag := key{k: e.id}.tag()
	_, p, _ := sh.ids.find(tag, func(v int32) bool { return v == i })
	sh.ids.remove(p)
	if e.odd {
		delete(sh.oddIDs, e.id)
	}
	if e.userPrev >= 0 {
		sh.at(e.userPrev).userNext = e.userNext
	} else {
		sh.users[e.user].head = e.userNext
	}
	if e.userNext >= 0 {
		sh.at(e.userNext).userPrev = e.userPrev
	}
	if sh.users[e.user].head < 0 {
		sh.removeUser(e.user)
	}
	if e.extra != 0 {
		sh.extras[e.extra-1] = extra{}
		sh.freeExtras = append(sh.freeExtras, e.extra-1)
	}
	sh.heapRemove(int(e.heapPos))
	*e = entry{user: -1, userPrev: -1, userNext: sh.freeSlots - 1}
	sh.freeSlots = i + 1
}

// --- users ----------------------------------------------------------------

// userID returns the ID of user ui.
func (sh *shard) userID(ui int32) string {
	u := sh.users[ui]
	return string(sh.arena[u.off : u.off+u.n])
}

// findUser returns the index of the user u, and its position in byUser.
func (sh *shard) findUser(u userKey) (int32, int, bool) {
	return sh.byUser.find(u.tag, func(v int32) bool {
		x := sh.users[v]
		return string(sh.arena[x.off:x.off+x.n]) == u.id
	})
}

// addUser returns the index of the user u, adding it (without sessions)
// if it has none in the shard.
func (sh *shard) addUser(u userKey) int32 {
	if ui, _, ok := sh.findUser(u); ok {
		return ui
	}
	x := user{off: uint32(len(sh.arena)), n: uint32(len(u.id)), head: -1, tag: u.tag}
	sh.arena = append(sh.arena, u.id...)
	var ui int32
	if sh.freeUsers != 0 {
		ui = sh.freeUsers - 1
		sh.freeUsers = int32(sh.users[ui].off)
		sh.users[ui] = x
	} else {
		ui = int32(len(sh.users))
		sh.users = append(sh.users, x)
	}
	sh.byUser.add(u.tag, ui)
	return ui
}

// removeUser frees user ui, which has no session left. The arena is
// compacted when most of it is IDs of users gone.
func (sh *shard) removeUser(ui int32) {
	x := sh.users[ui]
	_, p, _ := sh.byUser.find(x.tag, func(v int32) bool { return v == ui })
	sh.byUser.remove(p)
	sh.users[ui] = user{off: uint32(sh.freeUsers), head: -1}
	sh.freeUsers = ui + 1
	sh.garbage += int(x.n)
	if sh.garbage > 1024 && 2*sh.garbage > len(sh.arena) {
		sh.compactArena()
	}
}

// compactArena copies the IDs of the shard's users into a new arena.
func (sh *shard) compactArena() {
	arena := make([]byte, 0, len(sh.arena)-sh.garbage)
	for i := range sh.users {
		x := &sh.users[i]
		if x.head < 0 {
			continue
		}
		off := uint32(len(arena))
		arena = append(arena, sh.arena[x.off:x.off+x.n]...)
		x.off = off
	}
	sh.arena, sh.garbage = arena, 0
}

// deleteUser deletes the user's sessions in the shard.
func (sh *shard) deleteUser(u userKey) {
	ui, _, ok := sh.findUser(u)
	if !ok {
		return
	}
	// The last removal frees the user.
	for {
		head := sh.users[ui].head
		last := sh.at(head).userNext < 0
		sh.remove(head)
		if last {
			return
		}
	}
}

// appendUserSessions appends the user's sessions in the shard to out.
func (sh *shard) appendUserSessions(out []auth.SessionRecord, u userKey) []auth.SessionRecord {
	ui, _, ok := sh.findUser(u)
	if !ok {
		return out
	}
	for i := sh.users[ui].head; i >= 0; i = sh.at(i).userNext {
		out = append(out, sh.record(i, "", u.id))
	}
	return out
}

// sweep removes up to limit entries whose idle expiry is before cutoff,
// soonest first.
func (sh *shard) sweep(cutoff int64, limit int) int {
	n := 0
	for n < limit && len(sh.heap.idle) > 0 && sh.heap.idle[0] < cutoff {
		sh.remove(sh.heap.slot[0])
		n++
	}
	return n
}

// --- the indexes -------------------------------------------------------------

// index is an open-addressing hash table, with linear probing, from a
// 32-bit tag to a value (a slot or a user): each word is the tag in its
// high half and the value plus one in its low half; 0 is empty. A tag may
// stand for several values; find tells them apart with a function. It
// grows at three quarters full and shrinks at an eighth, and deletes by
// shifting the entries after back (no tombstones), so that a probe ends
// at the first empty word.
type index struct {
	words []uint64
	n     int
}

// find returns the first value with the tag for which match is true and
// its position, or the position where the probe ended.
func (x *index) find(tag uint32, match func(v int32) bool) (int32, int, bool) {
	if len(x.words) == 0 {
		return -1, -1, false
	}
	mask := len(x.words) - 1
	for p := int(tag) & mask; ; p = (p + 1) & mask {
		w := x.words[p]
		if w == 0 {
			return -1, p, false
		}
		if uint32(w>>32) == tag {
			if v := int32(uint32(w)) - 1; match(v) {
				return v, p, true
			}
		}
	}
}

// add adds the value with the tag (which the caller knows is not there).
func (x *index) add(tag uint32, v int32) {
	if 4*(x.n+1) > 3*len(x.words) {
		x.resize(max(8, 2*len(x.words)))
	}
	x.put(uint64(tag)<<32 | uint64(uint32(v+1)))
	x.n++
}

func (x *index) put(w uint64) {
	mask := len(x.words) - 1
	p := int(uint32(w>>32)) & mask
	for x.words[p] != 0 {
		p = (p + 1) & mask
	}
	x.words[p] = w
}

func (x *index) resize(size int) {
	old := x.words
	x.words = make([]uint64, size)
	for _, w := range old {
		if w != 0 {
			x.put(w)
		}
	}
}

// remove empties position p, moving back the words after it that may
// stand there or before.
func (x *index) remove(p int) {
	mask := len(x.words) - 1
	x.words[p] = 0
	for q := (p + 1) & mask; x.words[q] != 0; q = (q + 1) & mask {
		home := int(uint32(x.words[q]>>32)) & mask
		// The word at q may move to p if its home is not after p, on
		// the way round from p to q.
		if (q-home)&mask >= (q-p)&mask {
			x.words[p], x.words[q] = x.words[q], 0
			p = q
		}
	}
	x.n--
	if len(x.words) > 8 && 8*x.n < len(x.words) {
		x.resize(len(x.words) / 2)
	}
}

// --- the heap, ordered by idle expiry ------------------------------------------

// heap is a min-heap of slots by idle expiry, kept as two arrays (12
// bytes a session, not 16 with padding): the idle expiries next to each
// other, so that sifting compares within the heap's own array rather
// than reading entries all over memory.
type heap struct {
	idle []int64
	slot []slot
}

// The heap is 4-ary: half the levels of a binary heap, so a pop writes
// half as many entries' heapPos.
const arity = 4

func (sh *shard) push(idle int64, i slot) {
	h := &sh.heap
	sh.at(i).heapPos = int32(len(h.idle))
	h.idle = append(h.idle, idle)
	h.slot = append(h.slot, i)
	sh.up(len(h.idle) - 1)
}

func (sh *shard) swap(a, b int) {
	h := &sh.heap
	h.idle[a], h.idle[b] = h.idle[b], h.idle[a]
	h.slot[a], h.slot[b] = h.slot[b], h.slot[a]
	sh.at(h.slot[a]).heapPos = int32(a)
	sh.at(h.slot[b]).heapPos = int32(b)
}

func (sh *shard) up(j int) {
	h := sh.heap.idle
	for j > 0 {
		p := (j - 1) / arity
		if h[j] >= h[p] {
			break
		}
		sh.swap(j, p)
		j = p
	}
}

func (sh *shard) down(j int) bool {
	h := sh.heap.idle
	start, n := j, len(h)
	for {
		c := arity*j + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+arity && k < n; k++ {
			if h[k] < h[m] {
				m = k
			}
		}
		if h[m] >= h[j] {
			break
		}
		sh.swap(j, m)
		j = m
	}
	return j > start
}

func (sh *shard) fix(j int) {
	if !sh.down(j) {
		sh.up(j)
	}
}

func (sh *shard) heapRemove(j int) {
	h := &sh.heap
	last := len(h.idle) - 1
	if j != last {
		sh.swap(j, last)
	}
	h.idle, h.slot = h.idle[:last], h.slot[:last]
	if j != last {
		sh.fix(j)
	}
}
