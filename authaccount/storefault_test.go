package authaccount_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// faultyStore is a memstore whose token and counter writes fail while a
// fault is set.
type faultyStore struct {
	*memstore.Store
	mu                     sync.Mutex
	createToken, increment error
}

func (s *faultyStore) fault(f *error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *f
}

func (s *faultyStore) set(f *error, err error) {
	s.mu.Lock()
	*f = err
	s.mu.Unlock()
}

func (s *faultyStore) CreateToken(ctx context.Context, t auth.TokenRecord) error {
	if err := s.fault(&s.createToken); err != nil {
		return err
	}
	return s.Store.CreateToken(ctx, t)
}

func (s *faultyStore) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (int, time.Time, error) {
	if err := s.fault(&s.increment); err != nil {
		return 0, time.Time{}, err
	}
	return s.Store.IncrementCounter(ctx, key, now, windowEnd)
}

var errDown = errors.New("connection refused")

// TestStoreFaultOnTokenIs503AndSendsNothing: the token can't be stored,
// so nothing is mailed, and known and unknown addresses get the same 503.
func TestStoreFaultOnTokenIs503AndSendsNothing(t *testing.T) {
	fs := &faultyStore{Store: memstore.New()}
	e := newEnv(t, fs)
	e.signUp(t, "ada@example.com", "correct horse")
	sent := len(e.mail.Messages())
	fs.set(&fs.createToken, errDown)
	known := e.do("POST", "/reset-password/request", map[string]string{"email": "ada@example.com"})
	unknown := e.do("POST", "/reset-password/request", map[string]string{"email": "nobody@example.com"})
	wantStatus(t, known, http.StatusServiceUnavailable)
	sameAnswer(t, "store down: known vs unknown", known, unknown)
	if n := len(e.mail.Messages()); n != sent {
		t.Errorf("%d mails sent while the store was down", n-sent)
	}
	fs.set(&fs.createToken, nil)
	wantStatus(t, e.do("POST", "/reset-password/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
}

// TestStoreFaultOnCounterIs503AndSignsNoOneOut: a sign-in whose throttle
// can't count is a 503 that leaves the browser's session and cookie alone.
func TestStoreFaultOnCounterIs503AndSignsNoOneOut(t *testing.T) {
	fs := &faultyStore{Store: memstore.New()}
	e := newEnv(t, fs)
	e.signUp(t, "ada@example.com", "correct horse")
	w := e.signInFrom("192.0.2.1", "ada@example.com", "correct horse")
	wantStatus(t, w, http.StatusOK)
	c := e.sessionCookie(w)
	fs.set(&fs.increment, errDown)
	w = e.do("POST", "/sign-in", map[string]string{"email": "ada@example.com", "password": "correct horse"}, c)
	wantStatus(t, w, http.StatusServiceUnavailable)
	if len(w.Result().Cookies()) != 0 {
		t.Errorf("the 503 set cookies: %v", w.Result().Cookies())
	}
	if _, err := e.a.ValidateSession(context.Background(), c.Value); err != nil {
		t.Errorf("the session after the 503: %v", err)
	}
}
