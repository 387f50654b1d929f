package playground

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/fakeauth"
)

// Bounds of the control API.
const (
	// MaxAdvance is the furthest one advance moves the clock.
	MaxAdvance = 100 * 365 * 24 * time.Hour
	// MaxFaultCount is the most failures one fault switch arms.
	MaxFaultCount = 1000
)

// clockLimit is as far as the playground clock goes: SQL stores keep times
// as int64 nanoseconds, which end in 2262.
func clockLimit() time.Time { return time.Date(2261, time.January, 1, 0, 0, 0, 0, time.UTC) }

// ClockJSON is the body of the clock routes.
type ClockJSON struct {
	Now time.Time `json:"now"`
}

func (s *Server) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, ClockJSON{Now: s.fake.Clock.Now().UTC()})
}

func (s *Server) advanceClock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		By string `json:"by"`
	}
	err := decodeJSON(w, r, &body)
	var d time.Duration
	if err == nil {
		d, err = parseAdvance(body.By)
	}
	var now time.Time
	if err == nil {
		now, err = s.advance(d)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
		return
	}
	writeJSON(w, http.StatusOK, ClockJSON{Now: now.UTC()})
}

// parseAdvance reads a Go duration ("25h", "90m") to move the clock by.
func parseAdvance(by string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(by))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%w: by: %q is not a Go duration such as \"25h\" or \"90m\"", errBadRequest, by)
	case d < 0:
		return 0, fmt.Errorf("%w: by: the clock only moves forward", errBadRequest)
	case d > MaxAdvance:
		return 0, fmt.Errorf("%w: by: at most %v at a time", errBadRequest, MaxAdvance)
	}
	return d, nil
}

// advance moves the playground clock forward by d, up to clockLimit.
func (s *Server) advance(d time.Duration) (time.Time, error) {
	if s.fake.Clock.Now().Add(d).After(clockLimit()) {
		return time.Time{}, fmt.Errorf("%w: the playground clock stops at %s (reset it to start again)", errBadRequest, clockLimit().Format(time.DateOnly))
	}
	return s.fake.Clock.Advance(d), nil
}

// SessionsJSON is the body of GET /_play/sessions.
type SessionsJSON struct {
	Sessions []SessionJSON `json:"sessions"`
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	recs, err := s.allSessions(r.Context())
	if err != nil {
		s.controlFailed(w, r, err)
		return
	}
	now := s.fake.Clock.Now()
	out := SessionsJSON{Sessions: make([]SessionJSON, 0, len(recs))}
	for _, rec := range recs {
		out.Sessions = append(out.Sessions, recordJSON(rec, now))
	}
	slices.SortFunc(out.Sessions, func(a, b SessionJSON) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), a.IdleExpiresAt.Compare(b.IdleExpiresAt), cmp.Compare(a.ID, b.ID))
	})
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	if err := s.resetAll(r.Context()); err != nil {
		s.controlFailed(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ClockJSON{Now: s.fake.Clock.Now().UTC()})
}

// FaultsJSON is the body of the fault routes: per store operation, how
// many of its next calls will fail.
type FaultsJSON struct {
	Faults map[string]int `json:"faults"`
}

func (s *Server) faultsJSON() FaultsJSON {
	out := FaultsJSON{Faults: map[string]int{}}
	for op, n := range s.fake.Store.PendingFaults() {
		if n != 0 {
			out.Faults[string(op)] = n
		}
	}
	return out
}

func (s *Server) getFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.faultsJSON())
}

func (s *Server) addFault(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Op    string `json:"op"`
		Count int    `json:"count"`
	}
	err := decodeJSON(w, r, &body)
	if err == nil {
		err = s.failNext(body.Op, body.Count)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
		return
	}
	writeJSON(w, http.StatusOK, s.faultsJSON())
}

// failNext makes the next count calls of the store operation op fail.
func (s *Server) failNext(op string, count int) error {
	if !slices.Contains(fakeauth.Ops(), fakeauth.Op(op)) {
		return fmt.Errorf("%w: op: %q is not a store operation (one of %s)", errBadRequest, op, opNames())
	}
	if count < 1 || count > MaxFaultCount {
		return fmt.Errorf("%w: count: must be between 1 and %d", errBadRequest, MaxFaultCount)
	}
	s.fake.Store.FailNext(fakeauth.Op(op), count, nil)
	return nil
}

func opNames() string {
	var names []string
	for _, op := range fakeauth.Ops() {
		names = append(names, string(op))
	}
	return strings.Join(names, ", ")
}

func (s *Server) clearFaults(w http.ResponseWriter, r *http.Request) {
	s.fake.Store.ClearFaults()
	writeJSON(w, http.StatusOK, s.faultsJSON())
}

// controlFailed answers a control request that failed on the store's side.
func (s *Server) controlFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errUnsupported) {
		writeError(w, http.StatusNotImplemented, err.Error())
		return
	}
	s.log.ErrorContext(r.Context(), "playground: control request failed", "path", r.URL.Path, "error", err)
	writeError(w, http.StatusInternalServerError, err.Error())
}
