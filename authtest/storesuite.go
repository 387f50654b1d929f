package authtest

// This file is the conformance suite for auth.Store: every store package
// runs TestStore against its own backend, so that the contract written in
// the doc comments of auth.Store is checked once, the same way, everywhere.

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

// TestStore runs the conformance suite for [auth.Store] as named subtests
// of t, one group per area (User, Key, Session, Renew, Sweep, Auth,
// Context) and one subtest per documented rule. Each subtest calls newStore
// for a fresh, empty store; newStore should register the store's cleanup
// with t.Cleanup and call t.Skip if its backend is unavailable.
//
// The suite uses times between the years 1800 and 2200, in several time
// zones and with odd nanoseconds, and expects them back as the same
// instants (compared with [time.Time.Equal]). A store that keeps
// timestamps as int64 Unix nanoseconds covers that range. The suite never
// waits for real time to pass: a store that drops records by a real-time
// TTL must keep every record it was given for at least the duration of a
// test, whatever its expiry times say (the contract says the store does not
// judge expiry).
func TestStore(t *testing.T, newStore func(t *testing.T) auth.Store) {
	t.Helper()
	for _, g := range storeGroups() {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, newStore(t))
				})
			}
		})
	}
}

// BenchmarkStore benchmarks an [auth.Auth] on the store that newStore
// returns, through [auth.Auth.ValidateSession]:
//
//   - ValidateActive validates an active session: one store read.
//   - Renew validates an idle session on every iteration (a clock the
//     benchmark controls moves past ActiveExpiresAt each time), so each
//     iteration is one read and one conditional write.
//
// newStore is called once per sub-benchmark.
func BenchmarkStore(b *testing.B, newStore func(b *testing.B) auth.Store) {
	b.Helper()
	b.Run("ValidateActive", func(b *testing.B) {
		a, _, token := storeBenchSetup(b, newStore(b))
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			s, err := a.ValidateSession(ctx, token)
			if err != nil {
				b.Fatalf("ValidateSession: %v", err)
			}
			if s.Fresh {
				b.Fatal("ValidateSession renewed an active session")
			}
		}
	})
	b.Run("Renew", func(b *testing.B) {
		a, clock, token := storeBenchSetup(b, newStore(b))
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			clock.Advance(a.ActivePeriod() + time.Nanosecond)
			s, err := a.ValidateSession(ctx, token)
			if err != nil {
				b.Fatalf("ValidateSession: %v", err)
			}
			if !s.Fresh {
				b.Fatal("ValidateSession did not renew an idle session")
			}
		}
	})
}

func storeBenchSetup(b *testing.B, s auth.Store) (*auth.Auth, *fakeauth.Clock, string) {
	b.Helper()
	// A short active period keeps the clock within int64 nanoseconds for
	// any realistic b.N: each Renew iteration moves it by one second.
	clock := fakeauth.NewClock(time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC))
	a, err := auth.New(s, auth.Config{
		ActivePeriod: time.Second,
		IdlePeriod:   time.Hour,
		Clock:        clock,
		Argon2:       fakeauth.CheapArgon2(),
	})
	if err != nil {
		b.Fatalf("auth.New: %v", err)
	}
	ctx := b.Context()
	u, err := a.CreateUser(ctx, auth.NewUser{ID: "bench-user", Attributes: map[string]any{"name": "Ada"}})
	if err != nil {
		b.Fatalf("CreateUser: %v", err)
	}
	sess, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		b.Fatalf("CreateSession: %v", err)
	}
	return a, clock, sess.Token
}

type storeGroup struct {
	name  string
	cases []storeCase
}

type storeCase struct {
	name string
	run  func(t *testing.T, s auth.Store)
}

func storeGroups() []storeGroup {
	return []storeGroup{
		{"User", []storeCase{
			{"CreateAndGet", storeTestUserCreateAndGet},
			{"GetMissing", storeTestUserGetMissing},
			{"DuplicateUser", storeTestUserDuplicate},
			{"DuplicateUserCreatesNoKey", storeTestUserDuplicateCreatesNoKey},
			{"CreateWithKey", storeTestUserCreateWithKey},
			{"DuplicateKeyCreatesNoUser", storeTestUserDuplicateKeyCreatesNoUser},
			{"UpdateAttributes", storeTestUserUpdateAttributes},
			{"UpdateAttributesMissing", storeTestUserUpdateAttributesMissing},
			{"DeleteCascades", storeTestUserDeleteCascades},
			{"DeleteMissing", storeTestUserDeleteMissing},
			{"DeleteRacingCreateSession", storeTestUserDeleteRacingCreateSession},
			{"AttributesUnicode", storeTestAttributes(`{"name":"Zoë 🐙 日本語","rtl":"שלום","combining":"e\u0301","escaped":"\u00e9\u0000\"\\/"}`)},
			{"AttributesEmptyObject", storeTestAttributes(`{}`)},
			{"AttributesNested", storeTestAttributes(`{ "z" : 1,  "a": {"b":[1, 2.50, {"c":null, "d":[true,false]}], "e":{}},
	"big": 12345678901234567890123 }`)},
			{"AttributesLarge", storeTestAttributes(storeLargeAttributes())},
		}},
		{"Key", []storeCase{
			{"CreateAndGet", storeTestKeyCreateAndGet},
			{"GetMissing", storeTestKeyGetMissing},
			{"Duplicate", storeTestKeyDuplicate},
			{"MissingUser", storeTestKeyMissingUser},
			{"PairIsTheIdentity", storeTestKeyPairIsTheIdentity},
			{"UpdatePassword", storeTestKeyUpdatePassword},
			{"UpdatePasswordMissing", storeTestKeyUpdatePasswordMissing},
			{"Delete", storeTestKeyDelete},
			{"DeleteMissing", storeTestKeyDeleteMissing},
			{"UserKeys", storeTestKeyUserKeys},
		}},
		{"Session", []storeCase{
			{"CreateAndGet", storeTestSessionCreateAndGet},
			{"GetMissing", storeTestSessionGetMissing},
			{"MissingUser", storeTestSessionMissingUser},
			{"DuplicateID", storeTestSessionDuplicateID},
			{"TimestampsRoundTrip", storeTestSessionTimestamps},
			{"ExpiredIsStillReturned", storeTestSessionExpiredIsReturned},
			{"Delete", storeTestSessionDelete},
			{"DeleteMissing", storeTestSessionDeleteMissing},
			{"DeleteUserSessions", storeTestSessionDeleteUserSessions},
			{"UserSessions", storeTestSessionUserSessions},
		}},
		{"Renew", []storeCase{
			{"Updates", storeTestRenewUpdates},
			{"StaleExpiry", storeTestRenewStale},
			{"OneNanosecondOff", storeTestRenewOneNanosecondOff},
			{"ComparesInstants", storeTestRenewComparesInstants},
			{"Missing", storeTestRenewMissing},
			{"AfterDelete", storeTestRenewAfterDelete},
			{"Concurrent", storeTestRenewConcurrent},
			{"RacingDelete", storeTestRenewRacingDelete},
		}},
		{"Sweep", []storeCase{
			{"Boundary", storeTestSweepBoundary(time.Date(2031, 3, 14, 15, 9, 26, 535897933, storeZoneA))},
			{"BoundaryBefore1970", storeTestSweepBoundary(time.Date(1969, 12, 31, 23, 59, 59, 500000001, time.UTC))},
			{"FollowsRenewal", storeTestSweepFollowsRenewal},
			{"Empty", storeTestSweepEmpty},
		}},
		{"Auth", []storeCase{
			{"TokensNotStored", storeTestAuthTokensNotStored},
			{"Lifecycle", storeTestAuthLifecycle},
		}},
		{"Context", storeContextCases()},
	}
}

// Time zones with odd offsets: a store that drops the zone, or mixes local
// and UTC, shows up as a different instant.
var (
	storeZoneA = time.FixedZone("UTC+05:45", 5*3600+45*60)
	storeZoneB = time.FixedZone("UTC-09:30", -(9*3600 + 30*60))
)

// storeT0 is the suite's usual "now": far enough from the real clock that a
// store judging expiry by it would be caught.
var storeT0 = time.Date(2031, 3, 14, 15, 9, 26, 535897933, storeZoneA)

// --- helpers ---------------------------------------------------------------

func storeCtx(t testing.TB) context.Context {
	t.Helper()
	return t.Context()
}

func storeUser(id string) auth.UserRecord {
	return auth.UserRecord{ID: id, Attributes: json.RawMessage(fmt.Sprintf(`{"name":%q}`, "user "+id))}
}

func storeMustCreateUser(t testing.TB, s auth.Store, u auth.UserRecord, k *auth.KeyRecord) {
	t.Helper()
	if err := s.CreateUser(storeCtx(t), u, k); err != nil {
		t.Fatalf("CreateUser(%q): %v", u.ID, err)
	}
}

// storeSession returns a session record for user with an ID derived from
// name, active for a day from storeT0 and idle for two weeks after.
func storeSession(name, userID string) auth.SessionRecord {
	active := storeT0.Add(24 * time.Hour)
	return auth.SessionRecord{
		ID:              auth.SessionID("token of " + name),
		UserID:          userID,
		ActiveExpiresAt: active,
		IdleExpiresAt:   active.Add(14 * 24 * time.Hour).In(storeZoneB),
	}
}

func storeMustCreateSession(t testing.TB, s auth.Store, r auth.SessionRecord) {
	t.Helper()
	if err := s.CreateSession(storeCtx(t), r); err != nil {
		t.Fatalf("CreateSession(%.12s…): %v", r.ID, err)
	}
}

// storeCmpOpts shows attributes as text in diffs. cmp compares times with
// their Equal method, so the same instant in two zones is equal.
var storeCmpOpts = cmp.Options{
	cmp.Transformer("JSON", func(m json.RawMessage) string { return string(m) }),
}

func storeWantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want errors.Is(err, %v)", what, err, want)
	}
}

func storeNoErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func storeWantUser(t testing.TB, s auth.Store, want auth.UserRecord) {
	t.Helper()
	got, err := s.GetUser(storeCtx(t), want.ID)
	storeNoErr(t, fmt.Sprintf("GetUser(%q)", want.ID), err)
	if diff := cmp.Diff(want, got, storeCmpOpts); diff != "" {
		t.Errorf("GetUser(%q) mismatch (-want +got):\n%s", want.ID, diff)
	}
}

func storeWantNoUser(t testing.TB, s auth.Store, id string) {
	t.Helper()
	_, err := s.GetUser(storeCtx(t), id)
	storeWantErr(t, fmt.Sprintf("GetUser(%q)", id), err, auth.ErrNotFound)
}

func storeWantKey(t testing.TB, s auth.Store, want auth.KeyRecord) {
	t.Helper()
	got, err := s.GetKey(storeCtx(t), want.ProviderID, want.ProviderUserID)
	storeNoErr(t, fmt.Sprintf("GetKey(%q, %q)", want.ProviderID, want.ProviderUserID), err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetKey(%q, %q) mismatch (-want +got):\n%s", want.ProviderID, want.ProviderUserID, diff)
	}
}

func storeWantNoKey(t testing.TB, s auth.Store, providerID, providerUserID string) {
	t.Helper()
	_, err := s.GetKey(storeCtx(t), providerID, providerUserID)
	storeWantErr(t, fmt.Sprintf("GetKey(%q, %q)", providerID, providerUserID), err, auth.ErrNotFound)
}

func storeWantSession(t testing.TB, s auth.Store, want auth.SessionRecord) {
	t.Helper()
	got, _, err := s.GetSessionAndUser(storeCtx(t), want.ID)
	storeNoErr(t, fmt.Sprintf("GetSessionAndUser(%.12s…)", want.ID), err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetSessionAndUser(%.12s…) session mismatch (-want +got):\n%s", want.ID, diff)
	}
}

func storeWantNoSession(t testing.TB, s auth.Store, id string) {
	t.Helper()
	_, _, err := s.GetSessionAndUser(storeCtx(t), id)
	storeWantErr(t, fmt.Sprintf("GetSessionAndUser(%.12s…)", id), err, auth.ErrNotFound)
}

func storeSortSessions(rs []auth.SessionRecord) []auth.SessionRecord {
	slices.SortFunc(rs, func(a, b auth.SessionRecord) int { return strings.Compare(a.ID, b.ID) })
	return rs
}

func storeSortKeys(ks []auth.KeyRecord) []auth.KeyRecord {
	slices.SortFunc(ks, func(a, b auth.KeyRecord) int {
		if c := strings.Compare(a.ProviderID, b.ProviderID); c != 0 {
			return c
		}
		return strings.Compare(a.ProviderUserID, b.ProviderUserID)
	})
	return ks
}

func storeWantUserSessions(t testing.TB, s auth.Store, userID string, want ...auth.SessionRecord) {
	t.Helper()
	got, err := s.UserSessions(storeCtx(t), userID)
	storeNoErr(t, fmt.Sprintf("UserSessions(%q)", userID), err)
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if diff := cmp.Diff(storeSortSessions(slices.Clone(want)), storeSortSessions(got)); diff != "" {
		t.Errorf("UserSessions(%q) mismatch (-want +got):\n%s", userID, diff)
	}
}

func storeWantUserKeys(t testing.TB, s auth.Store, userID string, want ...auth.KeyRecord) {
	t.Helper()
	got, err := s.UserKeys(storeCtx(t), userID)
	storeNoErr(t, fmt.Sprintf("UserKeys(%q)", userID), err)
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if diff := cmp.Diff(storeSortKeys(slices.Clone(want)), storeSortKeys(got)); diff != "" {
		t.Errorf("UserKeys(%q) mismatch (-want +got):\n%s", userID, diff)
	}
}

// storeRun starts n goroutines that wait for one signal and then call f
// with their index; it returns once all have returned.
func storeRun(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// --- User --------------------------------------------------------------------

func storeTestUserCreateAndGet(t *testing.T, s auth.Store) {
	u := storeUser("u1")
	storeMustCreateUser(t, s, u, nil)
	storeWantUser(t, s, u)
	storeWantUserKeys(t, s, u.ID)
	storeWantUserSessions(t, s, u.ID)
}

func storeTestUserGetMissing(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeWantNoUser(t, s, "u2")
	storeWantNoUser(t, s, "")
	storeWantNoUser(t, s, "U1")
}

func storeTestUserDuplicate(t *testing.T, s auth.Store) {
	u := storeUser("u1")
	storeMustCreateUser(t, s, u, nil)
	err := s.CreateUser(storeCtx(t), auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{"name":"impostor"}`)}, nil)
	storeWantErr(t, "CreateUser(existing ID)", err, auth.ErrDuplicateUser)
	storeWantUser(t, s, u)
}

func storeTestUserDuplicateCreatesNoKey(t *testing.T, s auth.Store) {
	u := storeUser("u1")
	storeMustCreateUser(t, s, u, nil)
	k := auth.KeyRecord{ProviderID: "email", ProviderUserID: "new@example.com", UserID: "u1"}
	err := s.CreateUser(storeCtx(t), auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{}`)}, &k)
	storeWantErr(t, "CreateUser(existing ID, new key)", err, auth.ErrDuplicateUser)
	storeWantNoKey(t, s, k.ProviderID, k.ProviderUserID)
	storeWantUserKeys(t, s, "u1")
	storeWantUser(t, s, u)
}

func storeTestUserCreateWithKey(t *testing.T, s auth.Store) {
	u := storeUser("u1")
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"}
	storeMustCreateUser(t, s, u, &k)
	storeWantUser(t, s, u)
	storeWantKey(t, s, k)
	storeWantUserKeys(t, s, "u1", k)
}

func storeTestUserDuplicateKeyCreatesNoUser(t *testing.T, s auth.Store) {
	k := auth.KeyRecord{ProviderID: "email", ProviderUserID: "ada@example.com", UserID: "u1"}
	storeMustCreateUser(t, s, storeUser("u1"), &k)
	k2 := auth.KeyRecord{ProviderID: "email", ProviderUserID: "ada@example.com", UserID: "u2", PasswordHash: "x"}
	err := s.CreateUser(storeCtx(t), storeUser("u2"), &k2)
	storeWantErr(t, "CreateUser(new ID, existing key)", err, auth.ErrDuplicateKey)
	storeWantNoUser(t, s, "u2")
	storeWantKey(t, s, k)
	storeWantUserKeys(t, s, "u2")
	// The failed attempt left nothing behind: the same user can be created
	// afterwards with another key.
	k3 := auth.KeyRecord{ProviderID: "email", ProviderUserID: "u2@example.com", UserID: "u2"}
	storeMustCreateUser(t, s, storeUser("u2"), &k3)
	storeWantUserKeys(t, s, "u2", k3)
}

func storeTestUserUpdateAttributes(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	attrs := json.RawMessage(`{"name":"Ada Lovelace","tags":["math","engines"]}`)
	storeNoErr(t, "UpdateUserAttributes", s.UpdateUserAttributes(storeCtx(t), "u1", attrs))
	storeWantUser(t, s, auth.UserRecord{ID: "u1", Attributes: attrs})
	storeWantUser(t, s, storeUser("u2"))
	storeNoErr(t, "UpdateUserAttributes({})", s.UpdateUserAttributes(storeCtx(t), "u1", json.RawMessage(`{}`)))
	storeWantUser(t, s, auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{}`)})
}

func storeTestUserUpdateAttributesMissing(t *testing.T, s auth.Store) {
	err := s.UpdateUserAttributes(storeCtx(t), "nobody", json.RawMessage(`{}`))
	storeWantErr(t, "UpdateUserAttributes(missing user)", err, auth.ErrNotFound)
	storeWantNoUser(t, s, "nobody")
}

func storeTestUserDeleteCascades(t *testing.T, s auth.Store) {
	k1 := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "h"}
	k2 := auth.KeyRecord{ProviderID: "github", ProviderUserID: "583231", UserID: "u1"}
	k3 := auth.KeyRecord{ProviderID: "username", ProviderUserID: "bob", UserID: "u2"}
	storeMustCreateUser(t, s, storeUser("u1"), &k1)
	storeMustCreateUser(t, s, storeUser("u2"), &k3)
	storeNoErr(t, "CreateKey", s.CreateKey(storeCtx(t), k2))
	s1, s2, s3 := storeSession("s1", "u1"), storeSession("s2", "u1"), storeSession("s3", "u2")
	for _, r := range []auth.SessionRecord{s1, s2, s3} {
		storeMustCreateSession(t, s, r)
	}

	storeNoErr(t, "DeleteUser(u1)", s.DeleteUser(storeCtx(t), "u1"))

	storeWantNoUser(t, s, "u1")
	storeWantNoSession(t, s, s1.ID)
	storeWantNoSession(t, s, s2.ID)
	storeWantNoKey(t, s, k1.ProviderID, k1.ProviderUserID)
	storeWantNoKey(t, s, k2.ProviderID, k2.ProviderUserID)
	storeWantUserSessions(t, s, "u1")
	storeWantUserKeys(t, s, "u1")
	// The other user is untouched.
	storeWantUser(t, s, storeUser("u2"))
	storeWantSession(t, s, s3)
	storeWantKey(t, s, k3)
	storeWantUserSessions(t, s, "u2", s3)
	storeWantUserKeys(t, s, "u2", k3)
	// A new user with the same ID starts empty, and the deleted keys can
	// be taken again.
	storeMustCreateUser(t, s, storeUser("u1"), &k2)
	storeWantUserSessions(t, s, "u1")
	storeWantUserKeys(t, s, "u1", k2)
	storeWantNoSession(t, s, s1.ID)
}

func storeTestUserDeleteMissing(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeWantErr(t, "DeleteUser(missing)", s.DeleteUser(storeCtx(t), "u2"), auth.ErrNotFound)
	storeNoErr(t, "DeleteUser(u1)", s.DeleteUser(storeCtx(t), "u1"))
	storeWantErr(t, "DeleteUser(u1) again", s.DeleteUser(storeCtx(t), "u1"), auth.ErrNotFound)
}

// A session created concurrently with the deletion of its user must not
// outlive the user: CreateSession checks the user atomically.
func storeTestUserDeleteRacingCreateSession(t *testing.T, s auth.Store) {
	const rounds, creators = 5, 16
	for round := range rounds {
		uid := fmt.Sprintf("u%d", round)
		storeMustCreateUser(t, s, storeUser(uid), nil)
		errs := make([]error, creators+1)
		ids := make([]string, creators)
		storeRun(creators+1, func(i int) {
			if i == creators {
				errs[i] = s.DeleteUser(context.Background(), uid)
				return
			}
			r := storeSession(fmt.Sprintf("round %d session %d", round, i), uid)
			ids[i] = r.ID
			errs[i] = s.CreateSession(context.Background(), r)
		})
		storeNoErr(t, "DeleteUser", errs[creators])
		for i, err := range errs[:creators] {
			if err != nil && !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("CreateSession racing DeleteUser: error = %v, want nil or ErrNotFound", err)
			}
			storeWantNoSession(t, s, ids[i])
		}
		storeWantUserSessions(t, s, uid)
	}
}

func storeTestAttributes(attrs string) func(t *testing.T, s auth.Store) {
	return func(t *testing.T, s auth.Store) {
		u := auth.UserRecord{ID: "u1", Attributes: json.RawMessage(attrs)}
		storeMustCreateUser(t, s, u, nil)
		got, err := s.GetUser(storeCtx(t), "u1")
		storeNoErr(t, "GetUser", err)
		storeWantSameBytes(t, "GetUser after CreateUser", attrs, got.Attributes)

		r := storeSession("s1", "u1")
		storeMustCreateSession(t, s, r)
		_, gotU, err := s.GetSessionAndUser(storeCtx(t), r.ID)
		storeNoErr(t, "GetSessionAndUser", err)
		storeWantSameBytes(t, "GetSessionAndUser", attrs, gotU.Attributes)

		// Update to something else and back: the new bytes replace the old.
		storeNoErr(t, "UpdateUserAttributes", s.UpdateUserAttributes(storeCtx(t), "u1", json.RawMessage(`{"x":1}`)))
		storeNoErr(t, "UpdateUserAttributes", s.UpdateUserAttributes(storeCtx(t), "u1", json.RawMessage(attrs)))
		got, err = s.GetUser(storeCtx(t), "u1")
		storeNoErr(t, "GetUser", err)
		storeWantSameBytes(t, "GetUser after UpdateUserAttributes", attrs, got.Attributes)
	}
}

// storeWantSameBytes checks that a store kept attributes byte for byte
// (not re-encoded: key order and spacing are kept). Large values are
// reported by length and first difference rather than as a diff.
func storeWantSameBytes(t testing.TB, what, want string, got json.RawMessage) {
	t.Helper()
	if bytes.Equal([]byte(want), got) {
		return
	}
	if len(want) < 4096 && len(got) < 4096 {
		t.Errorf("%s: attributes mismatch (-want +got):\n%s", what, cmp.Diff(want, string(got)))
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	t.Errorf("%s: attributes differ: want %d bytes, got %d bytes, first difference at byte %d", what, len(want), len(got), i)
}

// storeLargeAttributes returns a JSON object of about 1 MiB with nested
// values, escapes and multi-byte characters.
func storeLargeAttributes() string {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < 1<<20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"i":%d,"s":"item %d: é 🐙 \"q\" \\ \n","n":[%d,{"k":null}]}`, i, i, i*7)
	}
	b.WriteString(`]}`)
	return b.String()
}

// --- Key -----------------------------------------------------------------------

func storeTestKeyCreateAndGet(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "Ada Lovelace ✓", UserID: "u1", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"}
	storeNoErr(t, "CreateKey", s.CreateKey(storeCtx(t), k))
	storeWantKey(t, s, k)
	k2 := auth.KeyRecord{ProviderID: "github", ProviderUserID: "583231", UserID: "u1"}
	storeNoErr(t, "CreateKey(no password)", s.CreateKey(storeCtx(t), k2))
	storeWantKey(t, s, k2)
}

func storeTestKeyGetMissing(t *testing.T, s auth.Store) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	storeMustCreateUser(t, s, storeUser("u1"), &k)
	storeWantNoKey(t, s, "username", "bob")
	storeWantNoKey(t, s, "email", "ada")
	storeWantNoKey(t, s, "", "")
}

func storeTestKeyDuplicate(t *testing.T, s auth.Store) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "h1"}
	storeMustCreateUser(t, s, storeUser("u1"), &k)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	err := s.CreateKey(storeCtx(t), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u2", PasswordHash: "h2"})
	storeWantErr(t, "CreateKey(taken by another user)", err, auth.ErrDuplicateKey)
	err = s.CreateKey(storeCtx(t), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"})
	storeWantErr(t, "CreateKey(taken by the same user)", err, auth.ErrDuplicateKey)
	storeWantKey(t, s, k)
	storeWantUserKeys(t, s, "u2")
}

func storeTestKeyMissingUser(t *testing.T, s auth.Store) {
	err := s.CreateKey(storeCtx(t), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ghost", UserID: "nobody"})
	storeWantErr(t, "CreateKey(missing user)", err, auth.ErrNotFound)
	storeWantNoKey(t, s, "username", "ghost")
	storeWantUserKeys(t, s, "nobody")
}

// The key's identity is the (provider, provider user ID) pair as two
// values: a store that joins them into one string must do so without
// ambiguity.
func storeTestKeyPairIsTheIdentity(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	keys := []auth.KeyRecord{
		{ProviderID: "a:b", ProviderUserID: "c", UserID: "u1"},
		{ProviderID: "a", ProviderUserID: "b:c", UserID: "u2"},
		{ProviderID: "ab", ProviderUserID: "c", UserID: "u1"},
		{ProviderID: "a", ProviderUserID: "bc", UserID: "u2"},
		{ProviderID: "email", ProviderUserID: "c", UserID: "u2"},
	}
	for _, k := range keys {
		storeNoErr(t, fmt.Sprintf("CreateKey(%q, %q)", k.ProviderID, k.ProviderUserID), s.CreateKey(storeCtx(t), k))
	}
	for _, k := range keys {
		storeWantKey(t, s, k)
	}
	storeWantUserKeys(t, s, "u1", keys[0], keys[2])
	storeWantUserKeys(t, s, "u2", keys[1], keys[3], keys[4])
}

func storeTestKeyUpdatePassword(t *testing.T, s auth.Store) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "old"}
	other := auth.KeyRecord{ProviderID: "username", ProviderUserID: "bob", UserID: "u2", PasswordHash: "bob's"}
	storeMustCreateUser(t, s, storeUser("u1"), &k)
	storeMustCreateUser(t, s, storeUser("u2"), &other)
	storeNoErr(t, "UpdateKeyPassword", s.UpdateKeyPassword(storeCtx(t), "username", "ada", "new"))
	k.PasswordHash = "new"
	storeWantKey(t, s, k)
	storeNoErr(t, `UpdateKeyPassword("")`, s.UpdateKeyPassword(storeCtx(t), "username", "ada", ""))
	k.PasswordHash = ""
	storeWantKey(t, s, k)
	storeWantUserKeys(t, s, "u1", k)
	storeWantKey(t, s, other)
}

func storeTestKeyUpdatePasswordMissing(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	err := s.UpdateKeyPassword(storeCtx(t), "username", "ghost", "h")
	storeWantErr(t, "UpdateKeyPassword(missing)", err, auth.ErrNotFound)
	storeWantNoKey(t, s, "username", "ghost")
}

func storeTestKeyDelete(t *testing.T, s auth.Store) {
	k1 := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	k2 := auth.KeyRecord{ProviderID: "github", ProviderUserID: "1", UserID: "u1"}
	storeMustCreateUser(t, s, storeUser("u1"), &k1)
	storeNoErr(t, "CreateKey", s.CreateKey(storeCtx(t), k2))
	storeNoErr(t, "DeleteKey", s.DeleteKey(storeCtx(t), k1.ProviderID, k1.ProviderUserID))
	storeWantNoKey(t, s, k1.ProviderID, k1.ProviderUserID)
	storeWantKey(t, s, k2)
	storeWantUserKeys(t, s, "u1", k2)
	storeWantUser(t, s, storeUser("u1"))
	// The key can be created again, for another user.
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	k1.UserID = "u2"
	storeNoErr(t, "CreateKey(deleted key, other user)", s.CreateKey(storeCtx(t), k1))
	storeWantUserKeys(t, s, "u2", k1)
	storeWantUserKeys(t, s, "u1", k2)
}

func storeTestKeyDeleteMissing(t *testing.T, s auth.Store) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	storeMustCreateUser(t, s, storeUser("u1"), &k)
	storeWantErr(t, "DeleteKey(missing)", s.DeleteKey(storeCtx(t), "username", "bob"), auth.ErrNotFound)
	storeNoErr(t, "DeleteKey", s.DeleteKey(storeCtx(t), "username", "ada"))
	storeWantErr(t, "DeleteKey again", s.DeleteKey(storeCtx(t), "username", "ada"), auth.ErrNotFound)
}

func storeTestKeyUserKeys(t *testing.T, s auth.Store) {
	var want []auth.KeyRecord
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	for i := range 5 {
		k := auth.KeyRecord{ProviderID: "email", ProviderUserID: fmt.Sprintf("ada%d@example.com", i), UserID: "u1", PasswordHash: fmt.Sprint("h", i)}
		storeNoErr(t, "CreateKey", s.CreateKey(storeCtx(t), k))
		want = append(want, k)
	}
	other := auth.KeyRecord{ProviderID: "email", ProviderUserID: "bob@example.com", UserID: "u2"}
	storeNoErr(t, "CreateKey", s.CreateKey(storeCtx(t), other))
	storeWantUserKeys(t, s, "u1", want...)
	storeWantUserKeys(t, s, "u2", other)
	storeWantUserKeys(t, s, "nobody")
}

// --- Session -------------------------------------------------------------------

func storeTestSessionCreateAndGet(t *testing.T, s auth.Store) {
	u := storeUser("u1")
	storeMustCreateUser(t, s, u, nil)
	r := storeSession("s1", "u1")
	storeMustCreateSession(t, s, r)
	gotS, gotU, err := s.GetSessionAndUser(storeCtx(t), r.ID)
	storeNoErr(t, "GetSessionAndUser", err)
	if diff := cmp.Diff(r, gotS); diff != "" {
		t.Errorf("GetSessionAndUser session mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(u, gotU, storeCmpOpts); diff != "" {
		t.Errorf("GetSessionAndUser user mismatch (-want +got):\n%s", diff)
	}
	storeWantUserSessions(t, s, "u1", r)
}

func storeTestSessionGetMissing(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateSession(t, s, storeSession("s1", "u1"))
	storeWantNoSession(t, s, storeSession("s2", "u1").ID)
	storeWantNoSession(t, s, "")
}

func storeTestSessionMissingUser(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	r := storeSession("s1", "nobody")
	err := s.CreateSession(storeCtx(t), r)
	storeWantErr(t, "CreateSession(missing user)", err, auth.ErrNotFound)
	storeWantNoSession(t, s, r.ID)
	storeWantUserSessions(t, s, "nobody")
}

func storeTestSessionDuplicateID(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	r := storeSession("s1", "u1")
	storeMustCreateSession(t, s, r)
	dup := r
	dup.UserID = "u2"
	dup.ActiveExpiresAt = dup.ActiveExpiresAt.Add(time.Hour)
	err := s.CreateSession(storeCtx(t), dup)
	if err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateSession(existing ID): error = %v, want a system error", err)
	}
	storeWantSession(t, s, r)
	storeWantUserSessions(t, s, "u2")
}

// storeOddTimes are instants a store must keep exactly: odd nanoseconds,
// several zones, before 1970, far past and far future.
func storeOddTimes() []time.Time {
	return []time.Time{
		storeT0,
		time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(1969, 7, 20, 20, 17, 40, 1, storeZoneB),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1800, 1, 1, 0, 0, 0, 999999999, storeZoneA),
		time.Date(2199, 12, 31, 23, 59, 59, 123456789, storeZoneB),
		time.Unix(1700000000, 123456789).In(time.Local),
	}
}

func storeTestSessionTimestamps(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	times := storeOddTimes()
	var want []auth.SessionRecord
	for i, at := range times {
		r := auth.SessionRecord{
			ID:              auth.SessionID(fmt.Sprint("timestamps ", i)),
			UserID:          "u1",
			ActiveExpiresAt: at,
			IdleExpiresAt:   at.Add(time.Nanosecond).In(storeZoneB),
		}
		storeMustCreateSession(t, s, r)
		storeWantSession(t, s, r)
		want = append(want, r)
	}
	storeWantUserSessions(t, s, "u1", want...)

	// Renewing to the same odd instants reads back exactly too.
	for i, r := range want {
		next := times[(i+1)%len(times)]
		ok, err := s.RenewSession(storeCtx(t), r.ID, r.ActiveExpiresAt, next.In(storeZoneA), next.Add(3*time.Nanosecond))
		storeNoErr(t, "RenewSession", err)
		if !ok {
			t.Fatalf("RenewSession(%v) = false, want true", r.ActiveExpiresAt)
		}
		want[i].ActiveExpiresAt, want[i].IdleExpiresAt = next, next.Add(3*time.Nanosecond)
		storeWantSession(t, s, want[i])
	}
	storeWantUserSessions(t, s, "u1", want...)
}

// The store does not judge expiry: a session long dead by its own expiry
// (and by the real clock) is still returned until deleted.
func storeTestSessionExpiredIsReturned(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	r := auth.SessionRecord{
		ID:              auth.SessionID("dead"),
		UserID:          "u1",
		ActiveExpiresAt: time.Date(1850, 1, 1, 0, 0, 0, 1, time.UTC),
		IdleExpiresAt:   time.Date(1850, 1, 15, 0, 0, 0, 3, time.UTC),
	}
	storeMustCreateSession(t, s, r)
	storeWantSession(t, s, r)
	storeWantUserSessions(t, s, "u1", r)
}

func storeTestSessionDelete(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	r1, r2 := storeSession("s1", "u1"), storeSession("s2", "u1")
	storeMustCreateSession(t, s, r1)
	storeMustCreateSession(t, s, r2)
	storeNoErr(t, "DeleteSession", s.DeleteSession(storeCtx(t), r1.ID))
	storeWantNoSession(t, s, r1.ID)
	storeWantSession(t, s, r2)
	storeWantUserSessions(t, s, "u1", r2)
	storeWantUser(t, s, storeUser("u1"))
	// A deleted ID can't be revived by renewal, but can be created again.
	ok, err := s.RenewSession(storeCtx(t), r1.ID, r1.ActiveExpiresAt, storeT0.Add(48*time.Hour), storeT0.Add(96*time.Hour))
	storeNoErr(t, "RenewSession(deleted)", err)
	if ok {
		t.Errorf("RenewSession(deleted session) = true, want false")
	}
	storeWantNoSession(t, s, r1.ID)
	storeMustCreateSession(t, s, r1)
	storeWantUserSessions(t, s, "u1", r1, r2)
}

func storeTestSessionDeleteMissing(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	r := storeSession("s1", "u1")
	storeMustCreateSession(t, s, r)
	storeNoErr(t, "DeleteSession(missing)", s.DeleteSession(storeCtx(t), storeSession("other", "u1").ID))
	storeNoErr(t, "DeleteSession(\"\")", s.DeleteSession(storeCtx(t), ""))
	storeWantSession(t, s, r)
	storeNoErr(t, "DeleteSession", s.DeleteSession(storeCtx(t), r.ID))
	storeNoErr(t, "DeleteSession again", s.DeleteSession(storeCtx(t), r.ID))
}

func storeTestSessionDeleteUserSessions(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	var mine []auth.SessionRecord
	for i := range 4 {
		r := storeSession(fmt.Sprint("mine ", i), "u1")
		storeMustCreateSession(t, s, r)
		mine = append(mine, r)
	}
	other := storeSession("other", "u2")
	storeMustCreateSession(t, s, other)

	storeNoErr(t, "DeleteUserSessions(u1)", s.DeleteUserSessions(storeCtx(t), "u1"))
	for _, r := range mine {
		storeWantNoSession(t, s, r.ID)
	}
	storeWantUserSessions(t, s, "u1")
	storeWantSession(t, s, other)
	storeWantUser(t, s, storeUser("u1"))
	storeNoErr(t, "DeleteUserSessions(u1) again", s.DeleteUserSessions(storeCtx(t), "u1"))
	storeNoErr(t, "DeleteUserSessions(unknown)", s.DeleteUserSessions(storeCtx(t), "nobody"))
	// New sessions of the user are listed alone.
	r := storeSession("after", "u1")
	storeMustCreateSession(t, s, r)
	storeWantUserSessions(t, s, "u1", r)
}

func storeTestSessionUserSessions(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	storeMustCreateUser(t, s, storeUser("u2"), nil)
	var want []auth.SessionRecord
	for i := range 5 {
		r := storeSession(fmt.Sprint("s", i), "u1")
		// Expired ones are listed too: the store does not judge.
		r.IdleExpiresAt = storeT0.Add(time.Duration(i-2) * time.Hour)
		r.ActiveExpiresAt = r.IdleExpiresAt.Add(-time.Minute)
		storeMustCreateSession(t, s, r)
		want = append(want, r)
	}
	storeMustCreateSession(t, s, storeSession("other", "u2"))
	storeWantUserSessions(t, s, "u1", want...)
	storeWantUserSessions(t, s, "nobody")
}

// --- Renew ---------------------------------------------------------------------

func storeRenewFixture(t *testing.T, s auth.Store) auth.SessionRecord {
	t.Helper()
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	r := storeSession("s1", "u1")
	storeMustCreateSession(t, s, r)
	return r
}

func storeTestRenewUpdates(t *testing.T, s auth.Store) {
	r := storeRenewFixture(t, s)
	other := storeSession("other", "u1")
	storeMustCreateSession(t, s, other)
	active, idle := storeT0.Add(49*time.Hour+7), storeT0.Add(50*24*time.Hour+11)
	ok, err := s.RenewSession(storeCtx(t), r.ID, r.ActiveExpiresAt, active, idle)
	storeNoErr(t, "RenewSession", err)
	if !ok {
		t.Fatal("RenewSession with the stored expiry = false, want true")
	}
	r.ActiveExpiresAt, r.IdleExpiresAt = active, idle
	storeWantSession(t, s, r)
	storeWantSession(t, s, other)
	// The new expiry is now the one to compare with.
	ok, err = s.RenewSession(storeCtx(t), r.ID, active, active.Add(time.Hour), idle.Add(time.Hour))
	storeNoErr(t, "RenewSession again", err)
	if !ok {
		t.Fatal("RenewSession with the renewed expiry = false, want true")
	}
	r.ActiveExpiresAt, r.IdleExpiresAt = active.Add(time.Hour), idle.Add(time.Hour)
	storeWantSession(t, s, r)
	storeWantUserSessions(t, s, "u1", r, other)
}

func storeTestRenewStale(t *testing.T, s auth.Store) {
	r := storeRenewFixture(t, s)
	stale := r.ActiveExpiresAt.Add(-time.Hour)
	ok, err := s.RenewSession(storeCtx(t), r.ID, stale, storeT0.Add(72*time.Hour), storeT0.Add(96*time.Hour))
	storeNoErr(t, "RenewSession(stale)", err)
	if ok {
		t.Error("RenewSession with a stale expiry = true, want false")
	}
	storeWantSession(t, s, r)
}

// A store that keeps less than nanosecond precision, or compares with a
// tolerance, fails here.
func storeTestRenewOneNanosecondOff(t *testing.T, s auth.Store) {
	r := storeRenewFixture(t, s)
	for _, old := range []time.Time{r.ActiveExpiresAt.Add(time.Nanosecond), r.ActiveExpiresAt.Add(-time.Nanosecond)} {
		ok, err := s.RenewSession(storeCtx(t), r.ID, old, storeT0.Add(72*time.Hour), storeT0.Add(96*time.Hour))
		storeNoErr(t, "RenewSession", err)
		if ok {
			t.Errorf("RenewSession(stored %v, old %v) = true, want false", r.ActiveExpiresAt, old)
		}
	}
	storeWantSession(t, s, r)
}

// The compare is on instants: the same instant in another zone matches.
func storeTestRenewComparesInstants(t *testing.T, s auth.Store) {
	r := storeRenewFixture(t, s)
	active, idle := storeT0.Add(72*time.Hour), storeT0.Add(96*time.Hour)
	ok, err := s.RenewSession(storeCtx(t), r.ID, r.ActiveExpiresAt.In(storeZoneB), active, idle)
	storeNoErr(t, "RenewSession", err)
	if !ok {
		t.Errorf("RenewSession(stored expiry in another zone) = false, want true")
	}
	r.ActiveExpiresAt, r.IdleExpiresAt = active, idle
	storeWantSession(t, s, r)
}

func storeTestRenewMissing(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	r := storeSession("never created", "u1")
	ok, err := s.RenewSession(storeCtx(t), r.ID, r.ActiveExpiresAt, storeT0.Add(72*time.Hour), storeT0.Add(96*time.Hour))
	storeNoErr(t, "RenewSession(missing)", err)
	if ok {
		t.Error("RenewSession(missing session) = true, want false")
	}
	storeWantNoSession(t, s, r.ID)
	storeWantUserSessions(t, s, "u1")
}

func storeTestRenewAfterDelete(t *testing.T, s auth.Store) {
	r := storeRenewFixture(t, s)
	storeNoErr(t, "DeleteUserSessions", s.DeleteUserSessions(storeCtx(t), "u1"))
	ok, err := s.RenewSession(storeCtx(t), r.ID, r.ActiveExpiresAt, storeT0.Add(72*time.Hour), storeT0.Add(96*time.Hour))
	storeNoErr(t, "RenewSession", err)
	if ok {
		t.Error("RenewSession after DeleteUserSessions = true, want false")
	}
	storeWantNoSession(t, s, r.ID)
	storeWantUserSessions(t, s, "u1")
}

// Of 32 concurrent renewals reading the same expiry, exactly one wins, and
// what is stored afterwards is the winner's write.
func storeTestRenewConcurrent(t *testing.T, s auth.Store) {
	const callers, rounds = 32, 3
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	for round := range rounds {
		r := storeSession(fmt.Sprint("concurrent ", round), "u1")
		storeMustCreateSession(t, s, r)
		oks := make([]bool, callers)
		errs := make([]error, callers)
		newActive := func(i int) time.Time { return storeT0.Add(48*time.Hour + time.Duration(i)) }
		newIdle := func(i int) time.Time { return storeT0.Add(30*24*time.Hour + time.Duration(i)) }
		storeRun(callers, func(i int) {
			oks[i], errs[i] = s.RenewSession(context.Background(), r.ID, r.ActiveExpiresAt, newActive(i), newIdle(i))
		})
		winner := -1
		for i := range callers {
			if errs[i] != nil {
				t.Fatalf("round %d: RenewSession #%d: %v", round, i, errs[i])
			}
			if oks[i] {
				if winner >= 0 {
					t.Fatalf("round %d: RenewSession returned true for callers #%d and #%d, want exactly one", round, winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no RenewSession returned true, want exactly one", round)
		}
		r.ActiveExpiresAt, r.IdleExpiresAt = newActive(winner), newIdle(winner)
		storeWantSession(t, s, r)
	}
}

// Renewals racing a deletion never bring the session back.
func storeTestRenewRacingDelete(t *testing.T, s auth.Store) {
	const renewers, rounds = 16, 10
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	for round := range rounds {
		r := storeSession(fmt.Sprint("racing ", round), "u1")
		storeMustCreateSession(t, s, r)
		errs := make([]error, renewers+1)
		storeRun(renewers+1, func(i int) {
			if i == renewers/2 {
				errs[i] = s.DeleteSession(context.Background(), r.ID)
				return
			}
			// Each renewer compares with the expiry it read: some the
			// original, some a later one it may have seen.
			old := r.ActiveExpiresAt
			if i%2 == 1 {
				old = storeT0.Add(48 * time.Hour)
			}
			_, errs[i] = s.RenewSession(context.Background(), r.ID, old, storeT0.Add(48*time.Hour), storeT0.Add(30*24*time.Hour+time.Duration(i)))
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: call #%d: %v", round, i, err)
			}
		}
		storeWantNoSession(t, s, r.ID)
	}
	storeWantUserSessions(t, s, "u1")
}

// --- Sweep ---------------------------------------------------------------------

// storeTestSweepBoundary checks DeleteExpiredSessions at now: a session
// whose IdleExpiresAt is before now is deleted, one at now or after is
// kept.
func storeTestSweepBoundary(now time.Time) func(t *testing.T, s auth.Store) {
	return func(t *testing.T, s auth.Store) {
		storeMustCreateUser(t, s, storeUser("u1"), nil)
		storeMustCreateUser(t, s, storeUser("u2"), nil)
		mk := func(name, user string, idle time.Time) auth.SessionRecord {
			r := auth.SessionRecord{ID: auth.SessionID(name), UserID: user, ActiveExpiresAt: idle.Add(-time.Hour), IdleExpiresAt: idle}
			storeMustCreateSession(t, s, r)
			return r
		}
		gone := []auth.SessionRecord{
			mk("1ns before", "u1", now.Add(-time.Nanosecond).In(storeZoneA)),
			mk("1s before", "u2", now.Add(-time.Second)),
			mk("far past", "u1", time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)),
		}
		kept := []auth.SessionRecord{
			mk("at now", "u1", now.In(storeZoneB)),
			mk("1ns after", "u2", now.Add(time.Nanosecond)),
			mk("1s after", "u1", now.Add(time.Second)),
			mk("far future", "u2", time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC)),
		}
		n, err := s.DeleteExpiredSessions(storeCtx(t), now)
		storeNoErr(t, "DeleteExpiredSessions", err)
		if n != len(gone) {
			t.Errorf("DeleteExpiredSessions(%v) = %d, want %d", now, n, len(gone))
		}
		for _, r := range gone {
			storeWantNoSession(t, s, r.ID)
		}
		for _, r := range kept {
			storeWantSession(t, s, r)
		}
		storeWantUserSessions(t, s, "u1", kept[0], kept[2])
		storeWantUserSessions(t, s, "u2", kept[1], kept[3])

		n, err = s.DeleteExpiredSessions(storeCtx(t), now)
		storeNoErr(t, "DeleteExpiredSessions again", err)
		if n != 0 {
			t.Errorf("DeleteExpiredSessions again = %d, want 0", n)
		}
		for _, r := range kept {
			storeWantSession(t, s, r)
		}
		storeWantUser(t, s, storeUser("u1"))
	}
}

// A renewal moves a session's IdleExpiresAt, and the sweep must follow it
// (a store with an expiry index must update the index).
func storeTestSweepFollowsRenewal(t *testing.T, s auth.Store) {
	storeMustCreateUser(t, s, storeUser("u1"), nil)
	now := storeT0
	past := now.Add(-time.Hour)
	future := now.Add(time.Hour)
	saved := auth.SessionRecord{ID: auth.SessionID("saved"), UserID: "u1", ActiveExpiresAt: past.Add(-time.Hour), IdleExpiresAt: past}
	doomed := auth.SessionRecord{ID: auth.SessionID("doomed"), UserID: "u1", ActiveExpiresAt: future.Add(-time.Hour), IdleExpiresAt: future}
	storeMustCreateSession(t, s, saved)
	storeMustCreateSession(t, s, doomed)
	for _, c := range []struct {
		r    *auth.SessionRecord
		idle time.Time
	}{{&saved, future}, {&doomed, past}} {
		active := c.idle.Add(-time.Minute)
		ok, err := s.RenewSession(storeCtx(t), c.r.ID, c.r.ActiveExpiresAt, active, c.idle)
		storeNoErr(t, "RenewSession", err)
		if !ok {
			t.Fatal("RenewSession = false, want true")
		}
		c.r.ActiveExpiresAt, c.r.IdleExpiresAt = active, c.idle
	}
	n, err := s.DeleteExpiredSessions(storeCtx(t), now)
	storeNoErr(t, "DeleteExpiredSessions", err)
	if n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, want 1", n)
	}
	storeWantSession(t, s, saved)
	storeWantNoSession(t, s, doomed.ID)
}

func storeTestSweepEmpty(t *testing.T, s auth.Store) {
	n, err := s.DeleteExpiredSessions(storeCtx(t), storeT0)
	storeNoErr(t, "DeleteExpiredSessions(empty store)", err)
	if n != 0 {
		t.Errorf("DeleteExpiredSessions(empty store) = %d, want 0", n)
	}
}

// --- Auth ----------------------------------------------------------------------

func storeNewAuth(t testing.TB, s auth.Store) (*auth.Auth, *fakeauth.Clock) {
	t.Helper()
	clock := fakeauth.NewClock(storeT0)
	a, err := auth.New(s, auth.Config{Clock: clock, Argon2: fakeauth.CheapArgon2()})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return a, clock
}

// The store only ever sees the hash of a session token, and a password
// only as its hash.
func storeTestAuthTokensNotStored(t *testing.T, s auth.Store) {
	ctx := storeCtx(t)
	a, _ := storeNewAuth(t, s)
	const password = "correct horse battery staple"
	u, err := a.CreateUser(ctx, auth.NewUser{ID: "u1", Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: password}})
	storeNoErr(t, "Auth.CreateUser", err)
	sess, err := a.CreateSession(ctx, u.ID)
	storeNoErr(t, "Auth.CreateSession", err)
	if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
		t.Fatalf("Auth.ValidateSession: %v", err)
	}

	recs, err := s.UserSessions(ctx, u.ID)
	storeNoErr(t, "UserSessions", err)
	want := []auth.SessionRecord{{ID: auth.SessionID(sess.Token), UserID: u.ID, ActiveExpiresAt: sess.ActiveExpiresAt, IdleExpiresAt: sess.IdleExpiresAt}}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("UserSessions after Auth.CreateSession mismatch (-want +got):\n%s", diff)
	}
	for _, r := range recs {
		if strings.Contains(fmt.Sprint(r), sess.Token) {
			t.Errorf("stored session record contains the token")
		}
	}
	_, _, err = s.GetSessionAndUser(ctx, sess.Token)
	storeWantErr(t, "GetSessionAndUser(token instead of ID)", err, auth.ErrNotFound)

	k, err := s.GetKey(ctx, "username", "ada")
	storeNoErr(t, "GetKey", err)
	if strings.Contains(k.PasswordHash, password) || !strings.HasPrefix(k.PasswordHash, "$argon2id$") {
		t.Errorf("stored PasswordHash = %q, want an argon2id hash", k.PasswordHash)
	}
	if _, err := a.UseKey(ctx, "username", "ada", password); err != nil {
		t.Errorf("Auth.UseKey with the right password: %v", err)
	}
}

// A session created, renewed and finally found dead through Auth leaves
// exactly the records Auth computed in the store.
func storeTestAuthLifecycle(t *testing.T, s auth.Store) {
	ctx := storeCtx(t)
	a, clock := storeNewAuth(t, s)
	u, err := a.CreateUser(ctx, auth.NewUser{ID: "u1", Attributes: map[string]any{"name": "Ada"}})
	storeNoErr(t, "Auth.CreateUser", err)
	sess, err := a.CreateSession(ctx, u.ID)
	storeNoErr(t, "Auth.CreateSession", err)

	clock.Advance(a.ActivePeriod() + time.Nanosecond)
	renewed, gotU, err := a.ValidateSessionUser(ctx, sess.Token)
	storeNoErr(t, "Auth.ValidateSessionUser(idle)", err)
	if !renewed.Fresh || !renewed.ActiveExpiresAt.After(sess.ActiveExpiresAt) {
		t.Errorf("idle session not renewed: before %v, after %v (Fresh %v)", sess.ActiveExpiresAt, renewed.ActiveExpiresAt, renewed.Fresh)
	}
	if diff := cmp.Diff(u, gotU); diff != "" {
		t.Errorf("Auth.ValidateSessionUser user mismatch (-want +got):\n%s", diff)
	}
	storeWantSession(t, s, auth.SessionRecord{ID: sess.ID, UserID: u.ID, ActiveExpiresAt: renewed.ActiveExpiresAt, IdleExpiresAt: renewed.IdleExpiresAt})

	again, err := a.ValidateSession(ctx, sess.Token)
	storeNoErr(t, "Auth.ValidateSession(active)", err)
	if again.Fresh {
		t.Error("active session validated as Fresh")
	}

	clock.Advance(a.ActivePeriod() + a.IdlePeriod() + time.Nanosecond)
	_, err = a.ValidateSession(ctx, sess.Token)
	storeWantErr(t, "Auth.ValidateSession(dead)", err, auth.ErrInvalidSession)
	storeWantNoSession(t, s, sess.ID)
}

// --- Context -------------------------------------------------------------------

// storeContextCases returns one case per Store method: called with a
// cancelled context, the method returns an error wrapping
// context.Canceled and changes nothing.
func storeContextCases() []storeCase {
	key := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	sess := storeSession("s1", "u1")
	newKey := auth.KeyRecord{ProviderID: "username", ProviderUserID: "new", UserID: "u1"}
	newSess := storeSession("new", "u1")
	calls := []struct {
		name  string
		call  func(ctx context.Context, s auth.Store) error
		check func(t *testing.T, s auth.Store)
	}{
		{"CreateUser", func(ctx context.Context, s auth.Store) error {
			return s.CreateUser(ctx, storeUser("u2"), nil)
		}, func(t *testing.T, s auth.Store) { storeWantNoUser(t, s, "u2") }},
		{"GetUser", func(ctx context.Context, s auth.Store) error {
			_, err := s.GetUser(ctx, "u1")
			return err
		}, nil},
		{"UpdateUserAttributes", func(ctx context.Context, s auth.Store) error {
			return s.UpdateUserAttributes(ctx, "u1", json.RawMessage(`{"changed":true}`))
		}, func(t *testing.T, s auth.Store) { storeWantUser(t, s, storeUser("u1")) }},
		{"DeleteUser", func(ctx context.Context, s auth.Store) error {
			return s.DeleteUser(ctx, "u1")
		}, func(t *testing.T, s auth.Store) { storeWantUser(t, s, storeUser("u1")); storeWantSession(t, s, sess) }},
		{"CreateKey", func(ctx context.Context, s auth.Store) error {
			return s.CreateKey(ctx, newKey)
		}, func(t *testing.T, s auth.Store) { storeWantNoKey(t, s, newKey.ProviderID, newKey.ProviderUserID) }},
		{"GetKey", func(ctx context.Context, s auth.Store) error {
			_, err := s.GetKey(ctx, key.ProviderID, key.ProviderUserID)
			return err
		}, nil},
		{"UpdateKeyPassword", func(ctx context.Context, s auth.Store) error {
			return s.UpdateKeyPassword(ctx, key.ProviderID, key.ProviderUserID, "changed")
		}, func(t *testing.T, s auth.Store) { storeWantKey(t, s, key) }},
		{"DeleteKey", func(ctx context.Context, s auth.Store) error {
			return s.DeleteKey(ctx, key.ProviderID, key.ProviderUserID)
		}, func(t *testing.T, s auth.Store) { storeWantKey(t, s, key) }},
		{"UserKeys", func(ctx context.Context, s auth.Store) error {
			_, err := s.UserKeys(ctx, "u1")
			return err
		}, nil},
		{"CreateSession", func(ctx context.Context, s auth.Store) error {
			return s.CreateSession(ctx, newSess)
		}, func(t *testing.T, s auth.Store) { storeWantNoSession(t, s, newSess.ID) }},
		{"GetSessionAndUser", func(ctx context.Context, s auth.Store) error {
			_, _, err := s.GetSessionAndUser(ctx, sess.ID)
			return err
		}, nil},
		{"RenewSession", func(ctx context.Context, s auth.Store) error {
			_, err := s.RenewSession(ctx, sess.ID, sess.ActiveExpiresAt, storeT0.Add(72*time.Hour), storeT0.Add(96*time.Hour))
			return err
		}, func(t *testing.T, s auth.Store) { storeWantSession(t, s, sess) }},
		{"DeleteSession", func(ctx context.Context, s auth.Store) error {
			return s.DeleteSession(ctx, sess.ID)
		}, func(t *testing.T, s auth.Store) { storeWantSession(t, s, sess) }},
		{"DeleteUserSessions", func(ctx context.Context, s auth.Store) error {
			return s.DeleteUserSessions(ctx, "u1")
		}, func(t *testing.T, s auth.Store) { storeWantSession(t, s, sess) }},
		{"UserSessions", func(ctx context.Context, s auth.Store) error {
			_, err := s.UserSessions(ctx, "u1")
			return err
		}, nil},
		{"DeleteExpiredSessions", func(ctx context.Context, s auth.Store) error {
			_, err := s.DeleteExpiredSessions(ctx, storeT0.Add(10000*time.Hour))
			return err
		}, func(t *testing.T, s auth.Store) { storeWantSession(t, s, sess) }},
	}
	cases := make([]storeCase, 0, len(calls))
	for _, c := range calls {
		cases = append(cases, storeCase{c.name, func(t *testing.T, s auth.Store) {
			storeMustCreateUser(t, s, storeUser("u1"), &key)
			storeMustCreateSession(t, s, sess)
			ctx, cancel := context.WithCancel(storeCtx(t))
			cancel()
			err := c.call(ctx, s)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s(cancelled context): error = %v, want errors.Is(err, context.Canceled)", c.name, err)
			}
			if c.check != nil {
				c.check(t, s)
			}
		}})
	}
	return cases
}
