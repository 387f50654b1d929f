package bench

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// renewalGap is how far a counting target's clock moves to make an active
// session idle: past authkit's default active period of a day, well inside
// its idle period.
const renewalGap = auth.DefaultActivePeriod + time.Hour

// newAuthkit returns authkit on store: an auth.Auth with the default
// configuration, authrequest.Middleware, and a handler that calls
// FromContext(ctx).Session(). Built for counting, the store is wrapped in
// a fakeauth.Store (which logs every call) and the Auth reads a fake clock
// starting at the real time, which advance moves.
func newAuthkit(tb testing.TB, store fakeauth.Backend, count bool) *target {
	tb.Helper()
	t := &target{}
	var cfg auth.Config // the defaults: SystemClock, a day active, two weeks idle
	var logged *fakeauth.Store
	var st auth.SessionStore = store
	if count {
		clock := fakeauth.NewClock(time.Now())
		cfg.Clock = clock
		t.advance = func(d time.Duration) { clock.Advance(d) }
		logged = fakeauth.WrapStore(store)
		st = logged
	}
	a, err := auth.New(st, cfg)
	if err != nil {
		tb.Fatalf("auth.New: %v", err)
	}
	s := testservices.SignIn(tb, a)
	t.userID = s.UserID
	t.req = newRequest(a.CookieName(), s.Token)
	t.handler = authrequest.MustMiddleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := authrequest.FromContext(r.Context()).Session()
		if err != nil || s == nil {
			t.fail(errors.Join(errors.New("no session"), err))
			return
		}
		t.answer(w, s.UserID)
	}))
	if logged != nil {
		logged.ClearCalls() // count the requests only, not the sign-in
		t.counter = authkitCounter{logged}
	}
	return t
}

// authkitCounter reads the counts off fakeauth's call log.
type authkitCounter struct{ s *fakeauth.Store }

func (c authkitCounter) reads() int64 {
	return int64(c.s.Count(fakeauth.OpGetSession) + c.s.Count(fakeauth.OpGetSessionAndUser))
}

func (c authkitCounter) writes() int64 { return int64(c.s.Writes()) }

// scsIdleTimeout and scsLifetime configure scs with an idle timeout like
// authkit's (a session dies after two weeks unused) and an absolute
// lifetime long enough not to interfere.
const (
	scsIdleTimeout = 14 * 24 * time.Hour
	scsLifetime    = 30 * 24 * time.Hour
)

// newSCS returns scs on store: a SessionManager with its defaults (plus
// Secure cookies, as authkit's) and, when idle, an idle timeout; the
// handler is wrapped in LoadAndSave and calls GetString. Built for
// counting, the store is wrapped in a counter of Find, Commit and Delete.
func newSCS(tb testing.TB, store scs.Store, idle, count bool) *target {
	tb.Helper()
	t := &target{userID: newUserID()}
	sm := scs.New()
	sm.Cookie.Secure = true
	if idle {
		sm.IdleTimeout = scsIdleTimeout
		sm.Lifetime = scsLifetime
	}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		t.fail(err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	sm.Store = store
	// Sign in, as a login handler would: put the user ID in a new session
	// and commit it.
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		tb.Fatalf("scs Load: %v", err)
	}
	sm.Put(ctx, "user_id", t.userID)
	token, _, err := sm.Commit(ctx)
	if err != nil {
		tb.Fatalf("scs Commit: %v", err)
	}
	t.req = newRequest(sm.Cookie.Name, token)
	if count { // the requests only, not the sign-in
		counting := &scsCounter{inner: store}
		sm.Store = counting
		t.counter = counting
	}
	t.handler = sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.answer(w, sm.GetString(r.Context(), "user_id"))
	}))
	return t
}

// scsCounter is an scs.CtxStore that counts the calls it passes on to
// inner: Find as a read, Commit and Delete as writes. It uses inner's
// context methods when inner has them (goredisstore has only those).
type scsCounter struct {
	inner scs.Store
	calls
}

var _ scs.CtxStore = (*scsCounter)(nil)

// Find implements scs.Store.
func (c *scsCounter) Find(token string) ([]byte, bool, error) {
	return c.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (c *scsCounter) Commit(token string, b []byte, expiry time.Time) error {
	return c.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (c *scsCounter) Delete(token string) error {
	return c.DeleteCtx(context.Background(), token)
}

// FindCtx implements scs.CtxStore.
func (c *scsCounter) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	c.nReads.Add(1)
	if s, ok := c.inner.(scs.CtxStore); ok {
		return s.FindCtx(ctx, token)
	}
	return c.inner.Find(token)
}

// CommitCtx implements scs.CtxStore.
func (c *scsCounter) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	c.nWrites.Add(1)
	if s, ok := c.inner.(scs.CtxStore); ok {
		return s.CommitCtx(ctx, token, b, expiry)
	}
	return c.inner.Commit(token, b, expiry)
}

// DeleteCtx implements scs.CtxStore.
func (c *scsCounter) DeleteCtx(ctx context.Context, token string) error {
	c.nWrites.Add(1)
	if s, ok := c.inner.(scs.CtxStore); ok {
		return s.DeleteCtx(ctx, token)
	}
	return c.inner.Delete(token)
}

// gorillaCookieName is the session name (and cookie name) gorilla uses.
const gorillaCookieName = "session"

// newGorillaCookie returns gorilla/sessions on a CookieStore: the session
// values live in the cookie, authenticated (HMAC-SHA256) and encrypted
// (AES-256). With save, the handler saves the session on every request,
// the only way gorilla has to slide a session's expiry.
func newGorillaCookie(tb testing.TB, save, count bool) *target {
	tb.Helper()
	store := sessions.NewCookieStore(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32))
	store.Options.HttpOnly = true
	store.Options.SameSite = http.SameSiteLaxMode
	return newGorilla(tb, store, save, count)
}

// newGorillaFS returns gorilla/sessions on a FilesystemStore in a
// temporary directory: the cookie carries the session ID, authenticated
// and encrypted, and the values live in a file, encrypted too.
func newGorillaFS(tb testing.TB, save, count bool) *target {
	tb.Helper()
	store := sessions.NewFilesystemStore(tb.TempDir(), securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32))
	store.Options.Secure = true
	store.Options.HttpOnly = true
	store.Options.SameSite = http.SameSiteLaxMode
	return newGorilla(tb, store, save, count)
}

func newGorilla(tb testing.TB, store sessions.Store, save, count bool) *target {
	tb.Helper()
	t := &target{userID: newUserID(), mutatesRequest: true}
	// Sign in on a throwaway request and keep the cookie it sets.
	login := httptest.NewRequest(http.MethodPost, "https://example.com/login", nil)
	s, err := store.New(login, gorillaCookieName)
	if err != nil {
		tb.Fatalf("gorilla New: %v", err)
	}
	s.Values["user_id"] = t.userID
	w := newDiscardWriter()
	if err := store.Save(login, w, s); err != nil {
		tb.Fatalf("gorilla Save: %v", err)
	}
	c, err := http.ParseSetCookie(w.h.Get("Set-Cookie"))
	if err != nil {
		tb.Fatalf("gorilla cookie: %v", err)
	}
	t.req = newRequest(gorillaCookieName, c.Value)
	if count { // the requests only, not the sign-in
		counting := &gorillaCounter{Store: store}
		store = counting
		t.counter = counting
	}
	t.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := store.Get(r, gorillaCookieName)
		if err != nil {
			t.fail(err)
			return
		}
		userID, _ := s.Values["user_id"].(string)
		if save {
			if err := s.Save(r, w); err != nil {
				t.fail(err)
				return
			}
		}
		t.answer(w, userID)
	})
	return t
}

// gorillaCounter is a sessions.Store that counts, as reads, the sessions
// it loads from a request's cookie, and, as writes, the sessions it saves.
// For a FilesystemStore these are file reads and writes; a CookieStore
// has no server store, so there they count cookies decoded and re-sent.
type gorillaCounter struct {
	sessions.Store
	calls
}

// Get implements sessions.Store through the request's registry, as the
// stores of package sessions do, so that Session.Save comes back here.
func (c *gorillaCounter) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(c, name)
}

// New implements sessions.Store.
func (c *gorillaCounter) New(r *http.Request, name string) (*sessions.Session, error) {
	if _, err := r.Cookie(name); err == nil {
		c.nReads.Add(1)
	}
	return c.Store.New(r, name)
}

// Save implements sessions.Store.
func (c *gorillaCounter) Save(r *http.Request, w http.ResponseWriter, s *sessions.Session) error {
	c.nWrites.Add(1)
	return c.Store.Save(r, w, s)
}

// newBaseline returns the irreducible work of a session check, with no
// library: read the cookie with net/http, hash the token with SHA-256,
// look the hash up in a map.
func newBaseline(tb testing.TB, _ bool) *target {
	tb.Helper()
	t := &target{userID: newUserID()}
	token := newUserID() + newUserID()
	sessions := map[[sha256.Size]byte]string{sha256.Sum256([]byte(token)): t.userID}
	t.serveToken(token, func(_ context.Context, token string) (string, error) {
		userID, ok := sessions[sha256.Sum256([]byte(token))]
		if !ok {
			return "", errors.New("unknown session")
		}
		return userID, nil
	})
	return t
}
