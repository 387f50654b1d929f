package authaccount_test

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authaccount"
)

// mapDirectory is an app's own users table: a map, with a toy password
// hash (a real app uses argon2id or bcrypt).
type mapDirectory struct {
	mu    sync.Mutex
	next  int
	users map[string]*mapUser // by ID
	dummy [32]byte
}

type mapUser struct {
	id, address string
	hash        [32]byte
	verified    bool
}

func newMapDirectory() *mapDirectory { return &mapDirectory{users: map[string]*mapUser{}} }

func (d *mapDirectory) byAddress(address string) *mapUser {
	for _, u := range d.users {
		if u.address == address {
			return u
		}
	}
	return nil
}

func (d *mapDirectory) FindUser(_ context.Context, address string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u := d.byAddress(address); u != nil {
		return u.id, nil
	}
	return "", authaccount.ErrNoAccount
}

func (d *mapDirectory) CreateUser(_ context.Context, address, password string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := sha256.Sum256([]byte(password))
	if d.byAddress(address) != nil {
		return "", authaccount.ErrAddressTaken
	}
	d.next++
	u := &mapUser{id: "app-user-" + string(rune('0'+d.next)), address: address, hash: h}
	d.users[u.id] = u
	return u.id, nil
}

// update runs f on the user of userID, under the lock; an unknown user
// is ErrNoAccount.
func (d *mapDirectory) update(userID string, f func(u *mapUser) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.users[userID]
	if u == nil {
		return authaccount.ErrNoAccount
	}
	return f(u)
}

func (d *mapDirectory) SetPassword(_ context.Context, userID, password string) error {
	return d.update(userID, func(u *mapUser) error {
		u.hash = sha256.Sum256([]byte(password))
		return nil
	})
}

func (d *mapDirectory) MarkVerified(_ context.Context, userID, address string) error {
	return d.update(userID, func(u *mapUser) error {
		if u.address != address {
			return authaccount.ErrAddressChanged
		}
		u.verified = true
		return nil
	})
}

func (d *mapDirectory) CheckPassword(_ context.Context, address, password string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := sha256.Sum256([]byte(password))
	u := d.byAddress(address)
	want := d.dummy
	if u != nil {
		want = u.hash
	}
	if subtle.ConstantTimeCompare(h[:], want[:]) != 1 || u == nil {
		return "", authaccount.ErrBadCredentials
	}
	return u.id, nil
}

// TestOwnUsers runs the flows on a sessions-only store with the app's
// users in a Directory of its own.
func TestOwnUsers(t *testing.T) {
	dir := newMapDirectory()
	e := newEnv(t, memstore.NewSessions(), func(_ *auth.Config, c *authaccount.Config) { c.Directory = dir })
	ctx := context.Background()
	tok := tokenOf(t, e.signUp(t, "ada@example.com", "correct horse"))
	wantStatus(t, e.do("GET", "/verify-email?token="+tok, nil), http.StatusOK)
	id, _ := dir.FindUser(ctx, "ada@example.com")
	if !dir.users[id].verified {
		t.Error("not verified")
	}

	w := e.signInFrom("192.0.2.1", "ada@example.com", "correct horse")
	wantStatus(t, w, http.StatusOK)
	c := e.sessionCookie(w)
	if c == nil {
		t.Fatal("no session cookie")
	}

	wantStatus(t, e.do("POST", "/reset-password/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	reset := tokenOf(t, e.mail.Last(t, "ada@example.com"))
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": reset, "password": "battery staple"}), http.StatusOK)
	if _, err := e.a.ValidateSession(ctx, c.Value); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("the session after the reset: %v, want ErrInvalidSession", err)
	}
	wantStatus(t, e.signInFrom("192.0.2.1", "ada@example.com", "battery staple"), http.StatusOK)

	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	link := tokenOf(t, e.mail.Last(t, "ada@example.com"))
	w = e.do("GET", "/sign-in/email?token="+link, nil)
	wantStatus(t, w, http.StatusSeeOther)
	if e.sessionCookie(w) == nil {
		t.Error("the sign-in link set no session")
	}
}
