package bench

import "testing"

// BenchmarkSession serves one GET request with a valid, active session
// through each library on each backend: the library reads the session and
// the handler answers with the user ID. Names are
// backend=B/lib=L/form=F, F being serial (one goroutine) or parallel
// (b.RunParallel, one goroutine per GOMAXPROCS).
//
// Every library gets the same request (a Cookie header with the session
// cookie between two others), built once, and the same cheap
// ResponseWriter, whose header map is emptied and reused on each request.
// gorilla/sessions alone gets a shallow copy of the request each time,
// because it stores its registry in the request it is given.
func BenchmarkSession(b *testing.B) {
	for _, be := range backends() {
		b.Run("backend="+be.name, func(b *testing.B) {
			if be.require != nil {
				be.require(b)
			}
			for _, lib := range be.libs {
				b.Run("lib="+lib.name, func(b *testing.B) {
					// One target for both forms: setting up a database
					// once, not once per b.N round.
					t := lib.build(b, false)
					b.Run("form=serial", func(b *testing.B) { benchSerial(b, t) })
					b.Run("form=parallel", func(b *testing.B) { benchParallel(b, t) })
				})
			}
		})
	}
}

func benchSerial(b *testing.B, t *target) {
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		t.serve(w)
	}
	t.check(b)
}

func benchParallel(b *testing.B, t *target) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := newDiscardWriter()
		for pb.Next() {
			t.serve(w)
		}
	})
	t.check(b)
}
