//go:build lab

package playground

import "testing"

// The lab names the runner's seeding of a cookie for what it is, and
// leaves every request's method and status as recorded.
func TestLabTimeline(t *testing.T) {
	in := `# jar idle/GET /api/session

(method unknown) https://example.com  at +0
  status:         (unknown)
  set-cookie:     set       auth_session=<token-1>; Path=/

GET https://example.com/api/session  at +0
  cookie:         auth_session=<token-1>
  status:         200 OK
`
	want := `# jar idle/GET /api/session

seeded (no request) https://example.com  at +0
  set-cookie:     set       auth_session=<token-1>; Path=/

GET https://example.com/api/session  at +0
  cookie:         auth_session=<token-1>
  status:         200 OK
`
	if got := labTimeline(in); got != want {
		t.Errorf("labTimeline:\n%s\nwant:\n%s", got, want)
	}
	for _, s := range []string{"", "\n", "  \n(method unknown)\n  \n  status:\n"} {
		labTimeline(s) // no panic on any input
	}
}
