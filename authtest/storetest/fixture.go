package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// Time zones with odd offsets: a store that drops the zone, or mixes local
// and UTC, shows up as a different instant.
func zoneA() *time.Location { return time.FixedZone("UTC+05:45", 5*3600+45*60) }
func zoneB() *time.Location { return time.FixedZone("UTC-09:30", -(9*3600 + 30*60)) }

// t0 is the suites' usual "now": far enough from the real clock that a
// store judging expiry by it would be caught.
func t0() time.Time { return time.Date(2031, 3, 14, 15, 9, 26, 535897933, zoneA()) }

// fixture is one subtest's store and what the suite knows about it.
type fixture struct {
	t   testing.TB
	cfg config
	s   auth.SessionStore      // nil in a UserStore suite on a value without sessions
	us  auth.UserStore         // nil when the store keeps no users
	js  auth.SessionUserGetter // nil when the store can't join
}

func newFixture(t testing.TB, s auth.SessionStore, cfg config) *fixture {
	f := &fixture{t: t, cfg: cfg, s: s}
	if s != nil {
		f.us, _ = s.(auth.UserStore)
		f.js, _ = s.(auth.SessionUserGetter)
	}
	return f
}

func (f *fixture) ctx() context.Context { return f.t.Context() }

// knowsUsers reports whether the store refuses sessions of unknown users.
func (f *fixture) knowsUsers() bool { return f.cfg.appUsers || f.us != nil }

// user makes a user that sessions can reference: with the app's create
// function, the store's CreateUser, or nothing for a store that takes any
// user ID.
func (f *fixture) user(id string) {
	f.t.Helper()
	switch {
	case f.cfg.appUsers:
		if f.cfg.createUser == nil {
			f.t.Fatal("storetest.AppUsers: create is nil; it must make a user sessions can reference")
		}
		if err := f.cfg.createUser(f.ctx(), f.s, id); err != nil {
			f.t.Fatalf("AppUsers create(%q): %v", id, err)
		}
	case f.us != nil:
		if err := f.us.CreateUser(f.ctx(), userRecord(id), nil); err != nil {
			f.t.Fatalf("CreateUser(%q): %v", id, err)
		}
	}
}

// deleteUser deletes a user as the app would, through AppUsers' delete or
// the store's DeleteUser.
func (f *fixture) deleteUser(ctx context.Context, id string) error {
	if f.cfg.appUsers {
		return f.cfg.deleteUser(ctx, f.s, id)
	}
	return f.us.DeleteUser(ctx, id)
}

func userRecord(id string) auth.UserRecord {
	return auth.UserRecord{ID: id, Attributes: json.RawMessage(fmt.Sprintf(`{"name":%q}`, "user "+id))}
}

// session returns a session record of the user with an ID derived from
// name and every field set: created an hour before t0, renewed half an
// hour later, active for a day from t0, idle for two weeks after, with an
// absolute expiry, a device and attributes.
func session(name, userID string) auth.SessionRecord {
	active := t0().Add(24 * time.Hour)
	return auth.SessionRecord{
		ID:              auth.SessionID("token of " + name),
		UserID:          userID,
		CreatedAt:       t0().Add(-time.Hour).In(time.UTC),
		RenewedAt:       t0().Add(-30*time.Minute + 7),
		ActiveExpiresAt: active,
		IdleExpiresAt:   active.Add(14 * 24 * time.Hour).In(zoneB()),
		ExpiresAt:       t0().Add(90 * 24 * time.Hour),
		UserAgent:       "Mozilla/5.0 (X11; Linux x86_64) storetest/" + name,
		ClientIP:        "2001:db8::7",
		Attributes:      json.RawMessage(`{"device":"laptop","mfa":true}`),
	}
}

// expiring returns a plain session record whose idle period ends at idle.
func expiring(name, userID string, idle time.Time) auth.SessionRecord {
	r := session(name, userID)
	r.ActiveExpiresAt = idle.Add(-time.Hour)
	r.IdleExpiresAt = idle
	r.CreatedAt, r.RenewedAt = idle.Add(-2*time.Hour), idle.Add(-2*time.Hour)
	r.ExpiresAt = time.Time{}
	return r
}

func (f *fixture) create(r auth.SessionRecord) {
	f.t.Helper()
	if err := f.s.CreateSession(f.ctx(), r); err != nil {
		f.t.Fatalf("CreateSession(%.12s… of %q): %v", r.ID, r.UserID, err)
	}
}

// cmpOpts shows attributes as text in diffs, and tells a nil Attributes
// from an empty one. cmp compares times with their Equal method, so the
// same instant in two zones is equal.
var cmpOpts = cmp.Options{
	cmp.Transformer("JSON", func(m json.RawMessage) *string {
		if m == nil {
			return nil
		}
		s := string(m)
		return &s
	}),
}

func (f *fixture) wantErr(what string, err, want error) {
	f.t.Helper()
	if !errors.Is(err, want) {
		f.t.Fatalf("%s: error = %v, want errors.Is(err, %v)", what, err, want)
	}
}

func (f *fixture) noErr(what string, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// wantRead checks a read: no error, and got equal to want (times as
// instants).
func wantRead[T any](f *fixture, call string, want, got T, err error) {
	f.t.Helper()
	f.noErr(call, err)
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		f.t.Errorf("%s mismatch (-want +got):\n%s", call, diff)
	}
}

// wantList checks a read of a list, in any order: no error, and got the
// elements of want (none matching none, nil or empty).
func wantList[T any](f *fixture, call string, want, got []T, err error, order func(a, b T) int) {
	f.t.Helper()
	if len(want) == 0 && len(got) == 0 {
		f.noErr(call, err)
		return
	}
	want = slices.SortedFunc(slices.Values(want), order)
	slices.SortFunc(got, order)
	wantRead(f, call, want, got, err)
}

// wantRenew checks that RenewSession(id, old, ren) returns want without
// an error; what describes the call, for the message.
func (f *fixture) wantRenew(what, id string, old time.Time, ren auth.Renewal, want bool) {
	f.t.Helper()
	ok, err := f.s.RenewSession(f.ctx(), id, old, ren)
	f.noErr("RenewSession("+what+")", err)
	if ok != want {
		f.t.Fatalf("RenewSession(%s) = %v, want %v", what, ok, want)
	}
}

// wantSwept checks that DeleteExpiredSessions(now, limit) deletes want
// sessions; what says what now is, for the message.
func (f *fixture) wantSwept(what string, now time.Time, limit, want int) {
	f.t.Helper()
	n, err := f.s.DeleteExpiredSessions(f.ctx(), now, limit)
	f.noErr("DeleteExpiredSessions("+what+")", err)
	if n != want {
		f.t.Errorf("DeleteExpiredSessions(%s, %d) = %d, want %d", what, limit, n, want)
	}
}

func (f *fixture) wantSession(want auth.SessionRecord) {
	f.t.Helper()
	got, err := f.s.GetSession(f.ctx(), want.ID)
	wantRead(f, fmt.Sprintf("GetSession(%.12s…)", want.ID), want, got, err)
}

func (f *fixture) wantNoSession(id string) {
	f.t.Helper()
	_, err := f.s.GetSession(f.ctx(), id)
	f.wantErr(fmt.Sprintf("GetSession(%.12s…)", id), err, auth.ErrNotFound)
}

func bySessionID(a, b auth.SessionRecord) int { return strings.Compare(a.ID, b.ID) }

func (f *fixture) wantUserSessions(userID string, want ...auth.SessionRecord) {
	f.t.Helper()
	got, err := f.s.UserSessions(f.ctx(), userID)
	wantList(f, fmt.Sprintf("UserSessions(%q)", userID), want, got, err, bySessionID)
}

func (f *fixture) wantUser(want auth.UserRecord) {
	f.t.Helper()
	got, err := f.us.GetUser(f.ctx(), want.ID)
	wantRead(f, fmt.Sprintf("GetUser(%q)", want.ID), want, got, err)
}

func (f *fixture) wantNoUser(id string) {
	f.t.Helper()
	_, err := f.us.GetUser(f.ctx(), id)
	f.wantErr(fmt.Sprintf("GetUser(%q)", id), err, auth.ErrNotFound)
}

func (f *fixture) wantKey(want auth.KeyRecord) {
	f.t.Helper()
	got, err := f.us.GetKey(f.ctx(), want.ProviderID, want.ProviderUserID)
	wantRead(f, fmt.Sprintf("GetKey(%q, %q)", want.ProviderID, want.ProviderUserID), want, got, err)
}

func (f *fixture) wantNoKey(providerID, providerUserID string) {
	f.t.Helper()
	_, err := f.us.GetKey(f.ctx(), providerID, providerUserID)
	f.wantErr(fmt.Sprintf("GetKey(%q, %q)", providerID, providerUserID), err, auth.ErrNotFound)
}

func byKeyID(a, b auth.KeyRecord) int {
	if c := strings.Compare(a.ProviderID, b.ProviderID); c != 0 {
		return c
	}
	return strings.Compare(a.ProviderUserID, b.ProviderUserID)
}

func (f *fixture) wantUserKeys(userID string, want ...auth.KeyRecord) {
	f.t.Helper()
	got, err := f.us.UserKeys(f.ctx(), userID)
	wantList(f, fmt.Sprintf("UserKeys(%q)", userID), want, got, err, byKeyID)
}

// wantSameBytes checks that got holds exactly the bytes of want (a store
// that re-encodes JSON changes spacing, key order or escapes).
func (f *fixture) wantSameBytes(what, want string, got json.RawMessage) {
	f.t.Helper()
	if bytes.Equal([]byte(want), got) {
		return
	}
	if len(want) < 4096 && len(got) < 4096 {
		f.t.Errorf("%s: attributes mismatch (-want +got):\n%s", what, cmp.Diff(want, string(got)))
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	f.t.Errorf("%s: attributes differ: want %d bytes, got %d bytes, first difference at byte %d", what, len(want), len(got), i)
}

// race starts n goroutines that wait for one signal and then call fn with
// their index; it returns once all have returned.
func race(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// concurrently makes n calls of call at once (race) and returns how many
// times each result came back from the calls that returned no error; it
// reports each error on t, what naming the call.
func concurrently(t testing.TB, what string, n int, call func() (int, error)) map[int]int {
	t.Helper()
	var mu sync.Mutex
	seen := map[int]int{}
	race(n, func(int) {
		r, err := call()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		mu.Lock()
		seen[r]++
		mu.Unlock()
	})
	return seen
}

// cheapArgon2 keeps password hashing fast in the suites.
func cheapArgon2() auth.Argon2Params { return auth.Argon2Params{Memory: 64, Time: 1, Threads: 1} }

func newAuth(t testing.TB, s auth.SessionStore, c *fakeauth.Clock) *auth.Auth {
	t.Helper()
	a, err := auth.New(s, auth.Config{Clock: c, Argon2: cheapArgon2()})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return a
}

// raceRounds calls round rounds times, each time on a new session of the
// user u1 (named name and the round's number): a race that can go wrong
// may well go right once.
func (f *fixture) raceRounds(rounds int, name string, round func(round int, r auth.SessionRecord)) {
	f.t.Helper()
	f.user("u1")
	for i := range rounds {
		r := session(fmt.Sprint(name, " ", i), "u1")
		f.create(r)
		round(i, r)
	}
}

// oneWinner checks the results of racing conditional writes, what naming
// them: no errors, and exactly one write that returned true, whose index
// it returns.
func (f *fixture) oneWinner(what string, oks []bool, errs []error) int {
	f.t.Helper()
	winner := -1
	for i := range oks {
		if errs[i] != nil {
			f.t.Fatalf("%s #%d: %v", what, i, errs[i])
		}
		if oks[i] {
			if winner >= 0 {
				f.t.Fatalf("%s returned true for callers #%d and #%d, want exactly one", what, winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		f.t.Fatalf("%s: none returned true, want exactly one", what)
	}
	return winner
}

func isNotFound(err error) bool { return errors.Is(err, auth.ErrNotFound) }
