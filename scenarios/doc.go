// Package scenarios builds and runs tables of session scenarios (expired,
// renewed, cleared, forged, store down...) against an app's own handler,
// each on its own fake.
//
// A [Case] says what the browser holds and the store knows, the request it
// sends, and what must follow: the effect on the stored session, what the
// response does to the session cookie, the status, and how many store reads
// and writes it may cost. Named cases ([Active], [Renewed], [Expired],
// [Cleared], [CrossOrigin], [StoreDown], [ConcurrentRenewal], ...) encode
// the table of package authrequest's doc (What Session does); [Standard]
// crosses them with boundary instants and request methods; [New] starts a
// custom case.
//
// [Run] runs a table as parallel subtests of a test; [Execute] runs one
// case and returns a [Result], which the playground shows.
package scenarios
