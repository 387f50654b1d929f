// Package bench measures authkit against other Go session libraries on the
// same machine in the same run: github.com/alexedwards/scs/v2 and
// github.com/gorilla/sessions.
//
// It is a module of its own, so that users of authkit never download the
// libraries it is compared with. Everything is in the package's tests:
//
//   - BenchmarkSession serves the same tiny handler (read the session,
//     answer with the user ID) through each library, on each backend
//     (memory, SQLite, PostgreSQL, Redis), serially and with
//     [testing.B.RunParallel].
//   - TestWrites counts store reads and writes per 1,000 requests on an
//     active session and around a renewal, through wrappers around each
//     library's store, and checks authkit's claims: one read per request,
//     no write for an active session, exactly one write for a renewal.
//   - TestParallel (run by parallel.sh) measures authkit against a
//     backend's floor at several GOMAXPROCS, the two taking turns in short
//     slices so that a machine's swinging load lands on both alike.
//
// run.sh runs both with -count and benchstat and writes BENCHMARKS.md
// through cmd/report. The PostgreSQL and Redis cases find their servers as
// authkit's own store tests do (AUTHKIT_POSTGRES_URL, AUTHKIT_REDIS_URL)
// and skip with the reason when they do not answer.
package bench
