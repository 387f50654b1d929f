//go:build !lab

package playground

import "net/http"

// Without the "lab" build tag the playground has no scenario lab: it would
// link the test kit (scenarios, authtest, and through them testify,
// go-cmp and package testing) into the binary. See lab.go.
type lab struct{}

func newLab() *lab { return nil }

// labResult is a case of a run; there are none without the lab.
type labResult struct{}

// labPage says how to get the lab.
func (s *Server) labPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "lab.html", labView{Off: true})
}
