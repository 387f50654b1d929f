package bench

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
)

var writesJSON = flag.String("writes.json", "", "write TestWrites' counts to this file as JSON, for cmd/report")

// requests is how many requests each scenario of TestWrites serves.
const requests = 1000

// concurrency is how many clients the concurrent scenario runs at once.
const concurrency = 8

// counts are the store calls of one scenario.
type counts struct {
	Reads  int64 `json:"reads"`
	Writes int64 `json:"writes"`
}

// writesRow is what TestWrites measured of one library on one backend;
// cmd/report reads it back with the same JSON names.
type writesRow struct {
	Backend string `json:"backend"`
	Lib     string `json:"lib"`
	// ServerStore is false for a gorilla CookieStore: its counts are
	// cookies decoded and saved (re-encrypted and re-sent), not store
	// calls.
	ServerStore bool `json:"server_store"`
	// ClockMoved reports that the renewal scenarios moved the library's
	// clock past the active period. Libraries that read the system clock
	// are not moved: their counts do not depend on the time.
	ClockMoved bool `json:"clock_moved"`
	// Active: requests on an active session. Renewal: the same, with the
	// clock moved past the active period halfway, so the session turns
	// idle once. Concurrent: requests from concurrency clients at once on
	// a session that is idle when they start.
	Active     counts `json:"active"`
	Renewal    counts `json:"renewal"`
	Concurrent counts `json:"concurrent"`
}

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
		rows []writesRow
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
					row := writesRow{Backend: be.name, Lib: lib.name, ServerStore: !strings.HasPrefix(lib.name, "gorilla-cookie")}
					scenarios := []struct {
						name string
						got  *counts
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
						*sc.got = counts{Reads: tg.counter.reads(), Writes: tg.counter.writes()}
						if sc.got.Writes != want[i] {
							t.Errorf("%s: %d writes per %d requests, want %d", sc.name, sc.got.Writes, requests, want[i])
						}
					}
					if lib.name == "authkit" {
						for _, c := range []counts{row.Active, row.Renewal} {
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
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*writesJSON, append(b, '\n'), 0o644); err != nil {
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
