package authrequest_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// TestConcurrentRenewal: 64 requests carrying one idle session at once all
// get the session, exactly one store write happens, and no response clears
// the cookie.
func TestConcurrentRenewal(t *testing.T) {
	e, s := newSignedIn(t)
	e.clock.Set(s.ActiveExpiresAt.Add(time.Hour))
	wantActive := e.clock.Now().Add(e.a.Config().ActivePeriod)

	const n = 64
	var wg sync.WaitGroup
	start := make(chan struct{})
	outcomes := make([]string, n)
	sessions := make([]*auth.Session, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			rec := httptest.NewRecorder()
			sessions[i], errs[i] = authrequest.New(e.a, rec, request("GET", "/", s.Token)).Session()
			outcomes[i] = cookieOutcome(t, rec)
		})
	}
	close(start)
	wg.Wait()

	reissued := 0
	for i := range n {
		if errs[i] != nil || sessions[i] == nil {
			t.Fatalf("request %d: Session() = %v, %v; want the session", i, sessions[i], errs[i])
		}
		if sessions[i].ID != s.ID || !sessions[i].ActiveExpiresAt.Equal(wantActive) {
			t.Errorf("request %d: got %s expiring %v, want %s expiring %v", i, sessions[i].ID, sessions[i].ActiveExpiresAt, s.ID, wantActive)
		}
		switch {
		case outcomes[i] == "cleared":
			t.Errorf("request %d cleared the cookie", i)
		case strings.HasPrefix(outcomes[i], "set:"):
			reissued++
		}
	}
	if reissued == 0 {
		t.Error("no response re-issued the renewed cookie")
	}
	if got := e.store.Writes(); got != 1 {
		t.Errorf("store writes = %d, want exactly 1; calls: %v", got, e.store.Calls())
	}
}

// TestInvalidateRacesRenewal: an InvalidateSession racing with renewals
// leaves the session dead, whatever the interleaving.
func TestInvalidateRacesRenewal(t *testing.T) {
	for round := range 30 {
		e, s := newSignedIn(t)
		e.clock.Set(s.ActiveExpiresAt.Add(time.Hour))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 16 {
			wg.Go(func() {
				<-start
				authrequest.New(e.a, httptest.NewRecorder(), request("GET", "/", s.Token)).Session()
			})
		}
		wg.Go(func() {
			<-start
			if err := e.a.InvalidateSession(context.Background(), s.ID); err != nil {
				t.Error(err)
			}
		})
		close(start)
		wg.Wait()
		if _, ok := e.stored(t, s.ID); ok {
			t.Fatalf("round %d: the invalidated session is stored again", round)
		}
		rec := httptest.NewRecorder()
		if got, _ := authrequest.New(e.a, rec, request("GET", "/", s.Token)).Session(); got != nil {
			t.Fatalf("round %d: invalidated session still validates", round)
		}
		if e.store.Count(fakeauth.OpRenewSession) > 0 && e.store.Writes() > 2 {
			t.Fatalf("round %d: %d writes, want at most one renewal and one delete", round, e.store.Writes())
		}
	}
}
