package memstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// modelSession is a session as the model keeps it.
type modelSession struct {
	key          key
	user         string
	active, idle int64
	attrs        string // "" for none
}

// TestShardAgainstModel runs random operations on one shard and on a map
// that models it, and compares them after each. The keys share a few
// tags, and the users a few hashes, so that the indexes probe past
// collisions and shift back on deletion; the sweep's limit is often
// smaller than what is due.
func TestShardAgainstModel(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 1))
			var sh shard
			model := map[sid]modelSession{}
			var keys []key // every key created, once
			known := map[sid]bool{}
			newKey := func() key {
				var k sid
				for i := 0; i < len(k); i += 8 {
					binary.LittleEndian.PutUint64(k[i:], r.Uint64())
				}
				binary.LittleEndian.PutUint32(k[8:], uint32(r.IntN(8))) // the tag
				return key{k: k, odd: r.IntN(8) == 0, id: fmt.Sprint("odd ", r.Uint64())}
			}
			users := []string{"", "a", "b", "ab", "user-0000042", "ba"}
			userKeyOf := func(u string) userKey { return userKey{u, uint32(len(u) % 3)} }
			idle := int64(0)
			for step := range 1500 {
				op := r.IntN(10)
				switch {
				case op < 4 || len(keys) == 0: // create, sometimes a duplicate
					k := newKey()
					if len(keys) > 0 && r.IntN(10) == 0 {
						k = keys[r.IntN(len(keys))]
					}
					u := users[r.IntN(len(users))]
					idle += int64(r.IntN(3)) // some ties
					e := entry{created: 1, renewed: 2, active: idle + 5, idle: idle, expires: 9}
					_, exists := model[k.k]
					err := sh.insert(k, userKeyOf(u), e, nil)
					if exists != errors.Is(err, errDuplicateSession) {
						t.Fatalf("step %d: insert of a key that exists=%v: %v", step, exists, err)
					}
					if !exists {
						model[k.k] = modelSession{key: k, user: u, active: e.active, idle: e.idle}
					}
					if !known[k.k] {
						known[k.k] = true
						keys = append(keys, k)
					}
				case op == 4: // renew, with the right or a wrong old active expiry
					k := keys[r.IntN(len(keys))]
					m, ok := model[k.k]
					old := m.active + int64(r.IntN(2))
					idle++
					got := sh.renew(k, old, entry{renewed: 3, active: idle + 7, idle: idle})
					if want := ok && old == m.active; got != want {
						t.Fatalf("step %d: renew = %v, want %v", step, got, want)
					}
					if got {
						m.active, m.idle = idle+7, idle
						model[k.k] = m
					}
				case op == 5: // attributes, compared then set
					k := keys[r.IntN(len(keys))]
					m, ok := model[k.k]
					old := m.attrs
					if r.IntN(3) == 0 {
						old = "other"
					}
					attrs := fmt.Sprint(`{"n":`, step, `}`)
					got := sh.setAttributes(k, rawOrNil(old), rawOrNil(attrs))
					if want := ok && old == m.attrs; got != want {
						t.Fatalf("step %d: setAttributes = %v, want %v", step, got, want)
					}
					if got {
						m.attrs = attrs
						model[k.k] = m
					}
				case op == 6: // delete
					k := keys[r.IntN(len(keys))]
					if i, ok := sh.find(k); ok {
						sh.remove(i)
					}
					delete(model, k.k)
				case op == 7: // delete a user's sessions
					u := users[r.IntN(len(users))]
					sh.deleteUser(userKeyOf(u))
					for k, m := range model {
						if m.user == u {
							delete(model, k)
						}
					}
				case op == 8: // sweep up to a limit
					cutoff := idle - int64(r.IntN(20))
					limit := 1 + r.IntN(6)
					due := 0
					for _, m := range model {
						if m.idle < cutoff {
							due++
						}
					}
					if got, want := sh.sweep(cutoff, limit), min(due, limit); got != want {
						t.Fatalf("step %d: sweep = %d, want %d", step, got, want)
					}
					// It deleted due sessions, soonest first.
					latestGone, soonestLeft := int64(-1<<63), int64(1<<63-1)
					for k, m := range model {
						if _, ok := sh.find(m.key); ok {
							soonestLeft = min(soonestLeft, m.idle)
							continue
						}
						if m.idle >= cutoff {
							t.Fatalf("step %d: the sweep deleted a session due at %d, cutoff %d", step, m.idle, cutoff)
						}
						latestGone = max(latestGone, m.idle)
						delete(model, k)
					}
					if latestGone > soonestLeft {
						t.Fatalf("step %d: the sweep deleted a session due at %d and left one due at %d", step, latestGone, soonestLeft)
					}
				default: // list a user's sessions
					u := users[r.IntN(len(users))]
					var got, want []string
					for _, rec := range sh.appendUserSessions(nil, userKeyOf(u)) {
						if rec.UserID != u {
							t.Fatalf("step %d: a session of %q listed for %q", step, rec.UserID, u)
						}
						got = append(got, rec.ID)
					}
					for _, m := range model {
						if m.user == u {
							want = append(want, recordID(m.key))
						}
					}
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Fatalf("step %d: sessions of %q = %v, want %v", step, u, got, want)
					}
				}
				checkShard(t, &sh, keys, model)
			}
		})
	}
}

func rawOrNil(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// recordID is the ID a record of the session with key k carries.
func recordID(k key) string {
	if k.odd {
		return k.id
	}
	return fmt.Sprintf("%x", k.k[:])
}

// checkShard compares the shard with the model, and checks the shard's
// own invariants: the indexes count what they hold, every heap item is
// not sooner than its parent and is where its entry says, every user's
// list links back, and the arena's garbage is what no user holds.
func checkShard(t *testing.T, sh *shard, keys []key, model map[sid]modelSession) {
	t.Helper()
	for _, k := range keys {
		m, want := model[k.k]
		i, ok := sh.find(k)
		if ok != want {
			t.Fatalf("find(%x) = %v, want %v", k.k[:4], ok, want)
		}
		if !ok {
			continue
		}
		rec := sh.record(i, "", "")
		if rec.ID != recordID(k) || rec.UserID != m.user || string(rec.Attributes) != m.attrs ||
			sh.at(i).idle != m.idle || sh.at(i).active != m.active {
			t.Fatalf("record of %x = %+v, want %+v", k.k[:4], rec, m)
		}
	}
	if sh.ids.n != len(model) || len(sh.heap.idle) != len(model) || len(sh.heap.slot) != len(model) {
		t.Fatalf("ids hold %d, heap %d and %d; want %d", sh.ids.n, len(sh.heap.idle), len(sh.heap.slot), len(model))
	}
	if len(sh.oddIDs) > len(model) {
		t.Fatalf("oddIDs hold %d, more than the %d sessions", len(sh.oddIDs), len(model))
	}
	for j, idle := range sh.heap.idle {
		if j > 0 && idle < sh.heap.idle[(j-1)/arity] {
			t.Fatalf("heap item %d is sooner than its parent", j)
		}
		if e := sh.at(sh.heap.slot[j]); int(e.heapPos) != j || e.idle != idle {
			t.Fatalf("heap item %d: its entry says %d, idle %d against %d", j, e.heapPos, e.idle, idle)
		}
	}
	sessions, live, liveBytes := 0, 0, 0
	for ui, u := range sh.users {
		if u.head < 0 {
			continue
		}
		live++
		liveBytes += int(u.n)
		prev := slot(-1)
		for i := u.head; i >= 0; i = sh.at(i).userNext {
			if e := sh.at(i); e.user != int32(ui) || e.userPrev != prev {
				t.Fatalf("user %d's list: slot %d has user %d, prev %d; want prev %d", ui, i, e.user, e.userPrev, prev)
			}
			prev = i
			sessions++
		}
	}
	if sessions != len(model) || sh.byUser.n != live {
		t.Fatalf("users hold %d sessions, byUser %d users; want %d sessions, %d users", sessions, sh.byUser.n, len(model), live)
	}
	if len(sh.arena)-sh.garbage != liveBytes {
		t.Fatalf("arena: %d bytes, %d garbage; users hold %d", len(sh.arena), sh.garbage, liveBytes)
	}
}

// TestIndexShiftsBack fills an index with values that share a few tags,
// deletes them in random order, and checks after each deletion that every
// value left is still found: the backward shift must not leave one
// behind an empty word, across the wrap-around and the resizes.
func TestIndexShiftsBack(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var x index
	tags := map[int32]uint32{}
	for v := range int32(200) {
		// Tags near the end of the table make probes wrap round.
		tags[v] = uint32(r.IntN(4)) + 1<<20 - 2
		x.add(tags[v], v)
	}
	order := r.Perm(200)
	for n, v := range order {
		_, p, ok := x.find(tags[int32(v)], func(w int32) bool { return w == int32(v) })
		if !ok {
			t.Fatalf("after %d deletions, %d is not found", n, v)
		}
		x.remove(p)
		for _, w := range order[n+1:] {
			if _, _, ok := x.find(tags[int32(w)], func(u int32) bool { return u == int32(w) }); !ok {
				t.Fatalf("after deleting %d (%d deletions), %d is lost", v, n+1, w)
			}
		}
		if x.n != 200-n-1 {
			t.Fatalf("index counts %d, want %d", x.n, 200-n-1)
		}
	}
	if len(x.words) > 8 {
		t.Errorf("an empty index keeps %d words, want it shrunk to 8", len(x.words))
	}
}
