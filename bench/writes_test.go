package bench

import (
	"flag"
	"strings"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/bench/internal/results"
)

var writesJSON = flag.String("writes.json", "", "write TestWrites' counts to this file as JSON, for cmd/report")

// requests is how many requests each scenario of TestWrites serves.
const requests = 1000

// concurrency is how many clients the concurrent scenario runs at once.
const concurrency = 8

// wantWrites are the writes each library must make in the active, renewal
// and concurrent scenarios: authkit's claims, and the behaviour of the
// peers that the comparison rests on.
var wantWrites = map[string][3]int64{
	"authkit":             {0, 1, 1},
	"scs-idle":            {requests, requests, requests},
	"scs":                 {0, 0, 0},
	"gorilla-cookie":      {0, 0, 0},
	"gorilla-cookie-save": {requests, requests, requests},
	"gorilla-fs":          {0, 0, 0},
	"gorilla-fs-save":     {requests, requests, requests},
}

// TestWrites counts the store reads and writes of each library per 1,000
// requests on each backend, and checks them: authkit reads once per
// request, writes nothing for an active session and exactly once for a
// renewal, however many clients race for it; scs with an idle timeout and
// gorilla saving its session write on every request. With -writes.json,
// it writes the counts for cmd/report.
func TestWrites(t *testing.T) {
	var (
		mu   sync.Mutex
		rows []results.Writes
	)
	for _, be := range backends() {
		t.Run("backend="+be.name, func(t *testing.T) {
			if be.require != nil {
				be.require(t)
			}
			for _, lib := range be.libs {
				want, ok := wantWrites[lib.name]
				if !ok {
					continue // the baseline: no library, nothing to count
				}
				t.Run("lib="+lib.name, func(t *testing.T) {
					row := results.Writes{Backend: be.name, Lib: lib.name, ServerStore: !strings.HasPrefix(lib.name, "gorilla-cookie")}
					scenarios := []struct {
						name string
						got  *results.Counts
						run  func(*target)
					}{
						{"active", &row.Active, func(tg *target) { serveN(tg, requests, 1) }},
						{"renewal", &row.Renewal, func(tg *target) {
							serveN(tg, requests/2, 1)
							if tg.advance != nil {
								tg.advance(renewalGap)
								row.ClockMoved = true
							}
							serveN(tg, requests-requests/2, 1)
						}},
						{"concurrent", &row.Concurrent, func(tg *target) {
							if tg.advance != nil {
								tg.advance(renewalGap)
							}
							serveN(tg, requests, concurrency)
						}},
					}
					for i, sc := range scenarios {
						tg := lib.build(t, true)
						sc.run(tg)
						tg.check(t)
						*sc.got = results.Counts{Reads: tg.counter.reads(), Writes: tg.counter.writes()}
						if sc.got.Writes != want[i] {
							t.Errorf("%s: %d writes per %d requests, want %d", sc.name, sc.got.Writes, requests, want[i])
						}
					}
					if lib.name == "authkit" {
						for _, c := range []results.Counts{row.Active, row.Renewal} {
							if c.Reads != requests {
								t.Errorf("%d reads per %d requests, want one per request", c.Reads, requests)
							}
						}
					}
					t.Logf("reads/writes per %d requests: active %d/%d, renewal %d/%d, concurrent %d/%d", requests,
						row.Active.Reads, row.Active.Writes, row.Renewal.Reads, row.Renewal.Writes,
						row.Concurrent.Reads, row.Concurrent.Writes)
					mu.Lock()
					rows = append(rows, row)
					mu.Unlock()
				})
			}
		})
	}
	if *writesJSON != "" {
		if err := results.Write(*writesJSON, rows); err != nil {
			t.Fatal(err)
		}
	}
}

// serveN serves n requests to t from clients goroutines at once, each on
// its own writer.
func serveN(t *target, n, clients int) {
	var wg sync.WaitGroup
	for c := range clients {
		share := n / clients
		if c < n%clients {
			share++
		}
		wg.Go(func() {
			w := newDiscardWriter()
			for range share {
				t.serve(w)
			}
		})
	}
	wg.Wait()
}
