package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
)

func sessionGroups(c capabilities) []group {
	return []group{
		{"Session", []testCase{
			{"CreateAndGet", testSessionCreateAndGet},
			{"GetMissing", testSessionGetMissing},
			{"DuplicateID", testSessionDuplicateID},
			{"ExpiredIsStillReturned", testSessionExpiredIsReturned},
			{"Delete", testSessionDelete},
			{"DeleteMissing", testSessionDeleteMissing},
			{"DeleteUserSessions", testSessionDeleteUserSessions},
			{"UserSessions", testSessionUserSessions},
			{"UserSessionsMany", testSessionUserSessionsMany},
			{"UserSessionsUnknownUser", testSessionUserSessionsUnknown},
		}},
		{"Fields", []testCase{
			{"EveryFieldRoundTrips", testFieldsEvery},
			{"ZeroOptionalFields", testFieldsZero},
			{"Timestamps", testFieldsTimestamps},
			{"TimestampLimits", testFieldsTimestampLimits},
			{"ClientIP", testFieldsClientIP},
			{"UserAgent", testFieldsUserAgent},
			{"AttributesUnicode", testFieldsAttributes(`{"name":"Zoë 🐙 日本語","rtl":"שלום","combining":"e\u0301","escaped":"\u00e9\u0000\"\\/"}`)},
			{"AttributesEmptyObject", testFieldsAttributes(`{}`)},
			{"AttributesSpacingAndOrder", testFieldsAttributes(`{ "z" : 1,  "a": {"b":[1, 2.50, {"c":null, "d":[true,false]}], "e":{}},
	"big": 12345678901234567890123 }`)},
			{"AttributesLarge", testFieldsAttributes(largeAttributes(16 << 10))},
		}},
		{"Renew", []testCase{
			{"Updates", testRenewUpdates},
			{"KeepsOtherFields", testRenewKeepsOtherFields},
			{"StaleExpiry", testRenewStale},
			{"OneNanosecondOff", testRenewOneNanosecondOff},
			{"ComparesInstants", testRenewComparesInstants},
			{"Missing", testRenewMissing},
			{"AfterDelete", testRenewAfterDelete},
			{"Concurrent", testRenewConcurrent},
			{"RacingDelete", testRenewRacingDelete},
		}},
		{"Attributes", attributeCases()},
		{"Lifetime", lifetimeCases()},
		{"Sweep", []testCase{
			{"Boundary", testSweepBoundary(t0())},
			{"BoundaryBefore1970", testSweepBoundary(time.Date(1969, 12, 31, 23, 59, 59, 500000001, time.UTC))},
			{"Limit", testSweepLimit},
			{"StepsFinishTheSweep", testSweepSteps},
			{"ConcurrentSteps", testSweepConcurrent},
			{"CancelledStepCountsWhatItDeleted", testSweepCancelled},
			{"OnlyIdleExpiry", testSweepOnlyIdle},
			{"FollowsRenewal", testSweepFollowsRenewal},
			{"Empty", testSweepEmpty},
		}},
		{"Users", append(
			when(c.knowsUsers,
				testCase{"CreateSessionUnknownUser", testUsersUnknown}),
			when(c.deletes,
				testCase{"SessionsEndWithUser", testUsersSessionsEnd},
				testCase{"DeleteUserRacingCreateSession", testUsersDeleteRacingCreate})...)},
		{"GetSessionAndUser", append(
			when(c.joiner,
				testCase{"ReturnsUser", testJoinReturnsUser},
				testCase{"Missing", testJoinMissing}),
			append(when(c.joiner && c.deletes,
				testCase{"AfterDeleteUser", testJoinAfterDeleteUser}),
				when(c.orphans,
					testCase{"OrphanUserNotFound", testJoinOrphan})...)...)},
		{"Auth", []testCase{
			{"TokensNotStored", testAuthTokensNotStored},
			{"Lifecycle", testAuthLifecycle},
			{"DeleteExpiredSessions", testAuthSweep},
		}},
		{"Context", sessionContextCases(c)},
		{"ModelCheck", []testCase{
			{"Sequential", testModelCheck},
		}},
	}
}

// --- Session -----------------------------------------------------------------

func testSessionCreateAndGet(f *fixture) {
	f.user("u1")
	r := session("s1", "u1")
	f.create(r)
	f.wantSession(r)
	f.wantUserSessions("u1", r)
}

func testSessionGetMissing(f *fixture) {
	f.user("u1")
	f.create(session("s1", "u1"))
	f.wantNoSession(session("s2", "u1").ID)
	f.wantNoSession("")
	f.wantNoSession(strings.ToUpper(session("s1", "u1").ID))
}

func testSessionDuplicateID(f *fixture) {
	f.user("u1")
	f.user("u2")
	r := session("s1", "u1")
	f.create(r)
	dup := r
	dup.UserID = "u2"
	dup.ActiveExpiresAt = dup.ActiveExpiresAt.Add(time.Hour)
	err := f.s.CreateSession(f.ctx(), dup)
	if err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
		f.t.Errorf("CreateSession(existing ID): error = %v, want a system error", err)
	}
	f.wantSession(r)
	f.wantUserSessions("u2")
}

// The store does not judge expiry: a session long dead by its own expiry
// (and by the real clock) is still returned until deleted.
func testSessionExpiredIsReturned(f *fixture) {
	f.user("u1")
	r := expiring("dead", "u1", time.Date(1850, 1, 15, 0, 0, 0, 3, time.UTC))
	f.create(r)
	f.wantSession(r)
	f.wantUserSessions("u1", r)
}

func testSessionDelete(f *fixture) {
	f.user("u1")
	r1, r2 := session("s1", "u1"), session("s2", "u1")
	f.create(r1)
	f.create(r2)
	f.noErr("DeleteSession", f.s.DeleteSession(f.ctx(), r1.ID))
	f.wantNoSession(r1.ID)
	f.wantSession(r2)
	f.wantUserSessions("u1", r2)
	// A deleted ID can't be revived by renewal, but can be created again.
	ok, err := f.s.RenewSession(f.ctx(), r1.ID, r1.ActiveExpiresAt, renewal(t0().Add(48*time.Hour)))
	f.noErr("RenewSession(deleted)", err)
	if ok {
		f.t.Errorf("RenewSession(deleted session) = true, want false")
	}
	f.wantNoSession(r1.ID)
	f.create(r1)
	f.wantUserSessions("u1", r1, r2)
}

func testSessionDeleteMissing(f *fixture) {
	f.user("u1")
	r := session("s1", "u1")
	f.create(r)
	f.noErr("DeleteSession(missing)", f.s.DeleteSession(f.ctx(), session("other", "u1").ID))
	f.noErr(`DeleteSession("")`, f.s.DeleteSession(f.ctx(), ""))
	f.wantSession(r)
	f.noErr("DeleteSession", f.s.DeleteSession(f.ctx(), r.ID))
	f.noErr("DeleteSession again", f.s.DeleteSession(f.ctx(), r.ID))
	f.wantNoSession(r.ID)
}

func testSessionDeleteUserSessions(f *fixture) {
	f.user("u1")
	f.user("u2")
	var mine []auth.SessionRecord
	for i := range 4 {
		r := session(fmt.Sprint("mine ", i), "u1")
		f.create(r)
		mine = append(mine, r)
	}
	other := session("other", "u2")
	f.create(other)

	f.noErr("DeleteUserSessions(u1)", f.s.DeleteUserSessions(f.ctx(), "u1"))
	for _, r := range mine {
		f.wantNoSession(r.ID)
	}
	f.wantUserSessions("u1")
	f.wantSession(other)
	f.wantUserSessions("u2", other)
	f.noErr("DeleteUserSessions(u1) again", f.s.DeleteUserSessions(f.ctx(), "u1"))
	f.noErr("DeleteUserSessions(unknown)", f.s.DeleteUserSessions(f.ctx(), "nobody"))
	if f.us != nil {
		f.wantUser(userRecord("u1"))
	}
	// The user keeps signing in: new sessions are listed alone.
	r := session("after", "u1")
	f.create(r)
	f.wantUserSessions("u1", r)
}

func testSessionUserSessions(f *fixture) {
	f.user("u1")
	f.user("u2")
	var want []auth.SessionRecord
	for i := range 5 {
		// Expired ones are listed too: the store does not judge.
		r := expiring(fmt.Sprint("s", i), "u1", t0().Add(time.Duration(i-2)*time.Hour))
		f.create(r)
		want = append(want, r)
	}
	f.create(session("other", "u2"))
	f.wantUserSessions("u1", want...)
}

// usersSessionsMany is more than two chunks of 500, the step a store
// that reads a user's sessions in bounded steps is likely to take.
const userSessionsMany = 1200

func testSessionUserSessionsMany(f *fixture) {
	f.user("u1")
	f.user("u2")
	want := make([]auth.SessionRecord, 0, userSessionsMany)
	for i := range userSessionsMany {
		r := session(fmt.Sprint("many ", i), "u1")
		r.IdleExpiresAt = r.IdleExpiresAt.Add(time.Duration(i) * time.Second)
		r.Attributes = json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))
		f.create(r)
		want = append(want, r)
	}
	f.create(session("other", "u2"))
	got, err := f.s.UserSessions(f.ctx(), "u1")
	f.noErr("UserSessions", err)
	if len(got) != len(want) {
		f.t.Fatalf("UserSessions of a user with %d sessions returned %d", len(want), len(got))
	}
	if diff := cmp.Diff(sortSessions(want), sortSessions(got), cmpOpts); diff != "" {
		f.t.Errorf("UserSessions of %d sessions mismatch (-want +got):\n%s", len(want), diff)
	}
	f.noErr("DeleteUserSessions", f.s.DeleteUserSessions(f.ctx(), "u1"))
	f.wantUserSessions("u1")
	f.wantNoSession(want[userSessionsMany-1].ID)
	f.wantUserSessions("u2", session("other", "u2"))
}

func testSessionUserSessionsUnknown(f *fixture) {
	f.user("u1")
	f.create(session("s1", "u1"))
	got, err := f.s.UserSessions(f.ctx(), "nobody")
	f.noErr("UserSessions(unknown user)", err)
	if len(got) != 0 {
		f.t.Errorf("UserSessions(unknown user) = %d sessions, want none", len(got))
	}
	f.wantUserSessions("")
}

// --- Fields ------------------------------------------------------------------

func testFieldsEvery(f *fixture) {
	f.user("u1")
	r := auth.SessionRecord{
		ID:              auth.SessionID("every field"),
		UserID:          "u1",
		CreatedAt:       time.Date(2030, 1, 2, 3, 4, 5, 6, zoneA()),
		RenewedAt:       time.Date(2030, 1, 3, 3, 4, 5, 7, zoneB()),
		ActiveExpiresAt: time.Date(2030, 1, 4, 3, 4, 5, 8, time.UTC),
		IdleExpiresAt:   time.Date(2030, 1, 18, 3, 4, 5, 9, zoneA()),
		ExpiresAt:       time.Date(2030, 3, 1, 0, 0, 0, 10, zoneB()),
		UserAgent:       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari/605.1.15",
		ClientIP:        "203.0.113.9",
		Attributes:      json.RawMessage(`{"device":"Ada's laptop","mfa":{"passed":true,"at":"2030-01-02T03:04:05Z"}}`),
	}
	f.create(r)
	f.wantSession(r)
	f.wantUserSessions("u1", r)
	got, err := f.s.GetSession(f.ctx(), r.ID)
	f.noErr("GetSession", err)
	f.wantSameBytes("GetSession", string(r.Attributes), got.Attributes)
}

// An absent absolute expiry, device and attributes read back absent: the
// zero time (not the Unix epoch), "" and nil (not an empty object or the
// JSON null).
func testFieldsZero(f *fixture) {
	f.user("u1")
	r := auth.SessionRecord{
		ID: auth.SessionID("plain"), UserID: "u1",
		CreatedAt: t0(), RenewedAt: t0(),
		ActiveExpiresAt: t0().Add(time.Hour), IdleExpiresAt: t0().Add(2 * time.Hour),
	}
	f.create(r)
	f.wantSession(r)
	got, err := f.s.GetSession(f.ctx(), r.ID)
	f.noErr("GetSession", err)
	if !got.ExpiresAt.IsZero() {
		f.t.Errorf("GetSession: ExpiresAt = %v, want the zero time", got.ExpiresAt)
	}
	if got.Attributes != nil {
		f.t.Errorf("GetSession: Attributes = %q, want nil", got.Attributes)
	}
	f.wantUserSessions("u1", r)
}

func oddTimes() []time.Time {
	return []time.Time{
		t0(),
		time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(1969, 7, 20, 20, 17, 40, 1, zoneB()),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1800, 1, 1, 0, 0, 0, 999999999, zoneA()),
		time.Date(2199, 12, 31, 23, 59, 59, 123456789, zoneB()),
		time.Unix(1700000000, 123456789).In(time.Local),
	}
}

func testFieldsTimestamps(f *fixture) {
	f.user("u1")
	times := oddTimes()
	var want []auth.SessionRecord
	for i, at := range times {
		r := auth.SessionRecord{
			ID:              auth.SessionID(fmt.Sprint("timestamps ", i)),
			UserID:          "u1",
			CreatedAt:       at.Add(-3 * time.Nanosecond),
			RenewedAt:       at.Add(-time.Nanosecond).In(zoneA()),
			ActiveExpiresAt: at,
			IdleExpiresAt:   at.Add(time.Nanosecond).In(zoneB()),
			ExpiresAt:       at.Add(2 * time.Nanosecond),
		}
		f.create(r)
		f.wantSession(r)
		want = append(want, r)
	}
	f.wantUserSessions("u1", want...)

	// Renewing to the same odd instants reads back exactly too.
	for i, r := range want {
		next := times[(i+1)%len(times)]
		ren := auth.Renewal{RenewedAt: next.Add(-5), ActiveExpiresAt: next.In(zoneA()), IdleExpiresAt: next.Add(3)}
		ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, ren)
		f.noErr("RenewSession", err)
		if !ok {
			f.t.Fatalf("RenewSession(%v) = false, want true", r.ActiveExpiresAt)
		}
		want[i].RenewedAt, want[i].ActiveExpiresAt, want[i].IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
		f.wantSession(want[i])
	}
	f.wantUserSessions("u1", want...)
}

// The contract's range: int64 Unix nanoseconds hold 1677-09-21 to
// 2262-04-11; every store keeps at least 1678 to 2262.
func testFieldsTimestampLimits(f *fixture) {
	f.user("u1")
	lo := time.Date(1678, 1, 1, 0, 0, 0, 1, time.UTC)
	hi := time.Date(2262, 1, 1, 23, 59, 59, 999999999, time.UTC)
	r := auth.SessionRecord{
		ID: auth.SessionID("limits"), UserID: "u1",
		CreatedAt: lo, RenewedAt: lo.In(zoneB()),
		ActiveExpiresAt: hi.Add(-time.Hour), IdleExpiresAt: hi.In(zoneA()), ExpiresAt: hi,
	}
	f.create(r)
	f.wantSession(r)
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, auth.Renewal{RenewedAt: hi, ActiveExpiresAt: lo, IdleExpiresAt: lo.Add(time.Nanosecond)})
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Fatal("RenewSession = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = hi, lo, lo.Add(time.Nanosecond)
	f.wantSession(r)
	n, err := f.s.DeleteExpiredSessions(f.ctx(), lo.Add(time.Nanosecond), 10)
	f.noErr("DeleteExpiredSessions", err)
	if n != 0 {
		f.t.Errorf("DeleteExpiredSessions(1ns after 1678) = %d, want 0", n)
	}
	n, err = f.s.DeleteExpiredSessions(f.ctx(), hi, 10)
	f.noErr("DeleteExpiredSessions", err)
	if n != 1 {
		f.t.Errorf("DeleteExpiredSessions(2262) = %d, want 1", n)
	}
	f.wantNoSession(r.ID)
}

func testFieldsClientIP(f *fixture) {
	f.user("u1")
	ips := []string{
		"192.0.2.1",
		"2001:db8::1",
		"2001:0db8:85a3:0000:0000:8a2e:0370:7334",
		"::ffff:192.0.2.128",
		"fe80::1%eth0",
		"::1",
		"not an IP: stored as given",
		strings.Repeat("f", 64),
	}
	var want []auth.SessionRecord
	for i, ip := range ips {
		r := session(fmt.Sprint("ip ", i), "u1")
		r.ClientIP = ip
		f.create(r)
		f.wantSession(r)
		want = append(want, r)
	}
	f.wantUserSessions("u1", want...)
}

func testFieldsUserAgent(f *fixture) {
	f.user("u1")
	uas := []string{
		"curl/8.5.0",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
		`quotes " and ' and \ and ; and 🐙 and 日本語`,
		strings.Repeat("é", 256), // 512 bytes
	}
	var want []auth.SessionRecord
	for i, ua := range uas {
		r := session(fmt.Sprint("ua ", i), "u1")
		r.UserAgent = ua
		f.create(r)
		f.wantSession(r)
		want = append(want, r)
	}
	f.wantUserSessions("u1", want...)
}

func testFieldsAttributes(attrs string) func(f *fixture) {
	return func(f *fixture) {
		f.user("u1")
		r := session("attrs", "u1")
		r.Attributes = json.RawMessage(attrs)
		f.create(r)
		got, err := f.s.GetSession(f.ctx(), r.ID)
		f.noErr("GetSession", err)
		f.wantSameBytes("GetSession", attrs, got.Attributes)
		list, err := f.s.UserSessions(f.ctx(), "u1")
		f.noErr("UserSessions", err)
		if len(list) != 1 {
			f.t.Fatalf("UserSessions = %d sessions, want 1", len(list))
		}
		f.wantSameBytes("UserSessions", attrs, list[0].Attributes)
		// Renewal leaves them as they are.
		ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, renewal(t0().Add(48*time.Hour)))
		f.noErr("RenewSession", err)
		if !ok {
			f.t.Fatal("RenewSession = false, want true")
		}
		got, err = f.s.GetSession(f.ctx(), r.ID)
		f.noErr("GetSession after RenewSession", err)
		f.wantSameBytes("GetSession after RenewSession", attrs, got.Attributes)
		if f.js != nil {
			got, _, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
			f.noErr("GetSessionAndUser", err)
			f.wantSameBytes("GetSessionAndUser", attrs, got.Attributes)
		}
	}
}

func largeAttributes(size int) string {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"i":%d,"s":"item %d: é 🐙 \"q\" \\ \n","n":[%d,{"k":null}]}`, i, i, i*7)
	}
	b.WriteString(`]}`)
	return b.String()
}

// --- Renew -------------------------------------------------------------------

// renewal returns a Renewal at t: renewed then, active for a day, idle for
// two weeks after.
func renewal(t time.Time) auth.Renewal {
	return auth.Renewal{RenewedAt: t, ActiveExpiresAt: t.Add(24 * time.Hour), IdleExpiresAt: t.Add(15 * 24 * time.Hour)}
}

func renewFixture(f *fixture) auth.SessionRecord {
	f.t.Helper()
	f.user("u1")
	r := session("renew me", "u1")
	f.create(r)
	return r
}

func testRenewUpdates(f *fixture) {
	r := renewFixture(f)
	other := session("bystander", "u1")
	f.create(other)
	ren := renewal(t0().Add(48*time.Hour + 1))
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, ren)
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Fatal("RenewSession with the stored expiry = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(r)
	f.wantSession(other)
	// Renewing again needs the new expiry.
	ren2 := renewal(t0().Add(72 * time.Hour))
	ok, err = f.s.RenewSession(f.ctx(), r.ID, ren.ActiveExpiresAt, ren2)
	f.noErr("RenewSession again", err)
	if !ok {
		f.t.Fatal("RenewSession with the renewed expiry = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren2.RenewedAt, ren2.ActiveExpiresAt, ren2.IdleExpiresAt
	f.wantSession(r)
	f.wantUserSessions("u1", r, other)
}

// RenewSession writes RenewedAt and the two expiries, and nothing else:
// not CreatedAt, the absolute expiry, the device or the attributes.
func testRenewKeepsOtherFields(f *fixture) {
	r := renewFixture(f)
	ren := auth.Renewal{
		RenewedAt:       r.ExpiresAt.Add(time.Hour), // past the absolute expiry: the store does not judge
		ActiveExpiresAt: r.ExpiresAt.Add(2 * time.Hour),
		IdleExpiresAt:   r.ExpiresAt.Add(3 * time.Hour),
	}
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, ren)
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Fatal("RenewSession = false, want true")
	}
	want := r
	want.RenewedAt, want.ActiveExpiresAt, want.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(want)
	f.wantUserSessions("u1", want)
}

func testRenewStale(f *fixture) {
	r := renewFixture(f)
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt.Add(-time.Hour), renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession(stale)", err)
	if ok {
		f.t.Error("RenewSession with a stale expiry = true, want false")
	}
	ok, err = f.s.RenewSession(f.ctx(), r.ID, time.Time{}, renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession(zero time)", err)
	if ok {
		f.t.Error("RenewSession with the zero time = true, want false")
	}
	f.wantSession(r)
}

func testRenewOneNanosecondOff(f *fixture) {
	r := renewFixture(f)
	for _, old := range []time.Time{r.ActiveExpiresAt.Add(time.Nanosecond), r.ActiveExpiresAt.Add(-time.Nanosecond)} {
		ok, err := f.s.RenewSession(f.ctx(), r.ID, old, renewal(t0().Add(72*time.Hour)))
		f.noErr("RenewSession", err)
		if ok {
			f.t.Errorf("RenewSession(stored %v, old %v) = true, want false", r.ActiveExpiresAt, old)
		}
	}
	f.wantSession(r)
}

func testRenewComparesInstants(f *fixture) {
	r := renewFixture(f)
	ren := renewal(t0().Add(72 * time.Hour))
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt.In(zoneB()), ren)
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Errorf("RenewSession(stored expiry in another zone) = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(r)
}

func testRenewMissing(f *fixture) {
	f.user("u1")
	r := session("never created", "u1")
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession(missing)", err)
	if ok {
		f.t.Error("RenewSession(missing session) = true, want false")
	}
	f.wantNoSession(r.ID)
	f.wantUserSessions("u1")
}

func testRenewAfterDelete(f *fixture) {
	r := renewFixture(f)
	f.noErr("DeleteUserSessions", f.s.DeleteUserSessions(f.ctx(), "u1"))
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession", err)
	if ok {
		f.t.Error("RenewSession after DeleteUserSessions = true, want false")
	}
	f.wantNoSession(r.ID)
	f.wantUserSessions("u1")
}

// Of 32 concurrent renewals with the same old expiry, exactly one wins,
// and what is stored is the winner's renewal.
func testRenewConcurrent(f *fixture) {
	const callers, rounds = 32, 3
	f.user("u1")
	for round := range rounds {
		r := session(fmt.Sprint("concurrent ", round), "u1")
		f.create(r)
		oks := make([]bool, callers)
		errs := make([]error, callers)
		ren := func(i int) auth.Renewal { return renewal(t0().Add(48*time.Hour + time.Duration(i))) }
		race(callers, func(i int) {
			oks[i], errs[i] = f.s.RenewSession(context.Background(), r.ID, r.ActiveExpiresAt, ren(i))
		})
		winner := -1
		for i := range callers {
			if errs[i] != nil {
				f.t.Fatalf("round %d: RenewSession #%d: %v", round, i, errs[i])
			}
			if oks[i] {
				if winner >= 0 {
					f.t.Fatalf("round %d: RenewSession returned true for callers #%d and #%d, want exactly one", round, winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			f.t.Fatalf("round %d: no RenewSession returned true, want exactly one", round)
		}
		w := ren(winner)
		r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = w.RenewedAt, w.ActiveExpiresAt, w.IdleExpiresAt
		f.wantSession(r)
	}
}

// Renewals racing a delete never bring the session back.
func testRenewRacingDelete(f *fixture) {
	const renewers, rounds = 16, 10
	f.user("u1")
	for round := range rounds {
		r := session(fmt.Sprint("racing ", round), "u1")
		f.create(r)
		errs := make([]error, renewers+1)
		race(renewers+1, func(i int) {
			if i == renewers/2 {
				errs[i] = f.s.DeleteSession(context.Background(), r.ID)
				return
			}
			old := r.ActiveExpiresAt
			ren := renewal(t0().Add(48*time.Hour + time.Duration(i)))
			if i%2 == 1 {
				// Chains after a winner: renews a renewed session.
				old = t0().Add(48*time.Hour + time.Duration(i-1)).Add(24 * time.Hour)
			}
			_, errs[i] = f.s.RenewSession(context.Background(), r.ID, old, ren)
		})
		for i, err := range errs {
			if err != nil {
				f.t.Fatalf("round %d: call #%d: %v", round, i, err)
			}
		}
		f.wantNoSession(r.ID)
	}
	f.wantUserSessions("u1")
}

// --- Sweep -------------------------------------------------------------------

func testSweepBoundary(now time.Time) func(f *fixture) {
	return func(f *fixture) {
		f.user("u1")
		f.user("u2")
		mk := func(name, user string, idle time.Time) auth.SessionRecord {
			r := expiring(name, user, idle)
			f.create(r)
			return r
		}
		gone := []auth.SessionRecord{
			mk("1ns before", "u1", now.Add(-time.Nanosecond).In(zoneA())),
			mk("1s before", "u2", now.Add(-time.Second)),
			mk("far past", "u1", time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)),
		}
		kept := []auth.SessionRecord{
			mk("at now", "u1", now.In(zoneB())),
			mk("1ns after", "u2", now.Add(time.Nanosecond)),
			mk("1s after", "u1", now.Add(time.Second)),
			mk("far future", "u2", time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC)),
		}
		n, err := f.s.DeleteExpiredSessions(f.ctx(), now, 100)
		f.noErr("DeleteExpiredSessions", err)
		if n != len(gone) {
			f.t.Errorf("DeleteExpiredSessions(%v, 100) = %d, want %d (IdleExpiresAt strictly before now)", now, n, len(gone))
		}
		for _, r := range gone {
			f.wantNoSession(r.ID)
		}
		for _, r := range kept {
			f.wantSession(r)
		}
		f.wantUserSessions("u1", kept[0], kept[2])
		f.wantUserSessions("u2", kept[1], kept[3])

		n, err = f.s.DeleteExpiredSessions(f.ctx(), now, 100)
		f.noErr("DeleteExpiredSessions again", err)
		if n != 0 {
			f.t.Errorf("DeleteExpiredSessions again = %d, want 0", n)
		}
		for _, r := range kept {
			f.wantSession(r)
		}
		if f.us != nil {
			f.wantUser(userRecord("u1"))
		}
	}
}

// sweepFixture stores expired sessions (idle expiry before t0) and live
// ones over three users.
func sweepFixture(f *fixture, expired, live int) (gone, kept []auth.SessionRecord) {
	f.t.Helper()
	users := []string{"u1", "u2", "u3"}
	for _, u := range users {
		f.user(u)
	}
	for i := range expired {
		r := expiring(fmt.Sprint("expired ", i), users[i%3], t0().Add(-time.Duration(i+1)*time.Minute))
		f.create(r)
		gone = append(gone, r)
	}
	for i := range live {
		r := expiring(fmt.Sprint("live ", i), users[i%3], t0().Add(time.Duration(i)*time.Minute))
		f.create(r)
		kept = append(kept, r)
	}
	return gone, kept
}

// One step deletes at most limit sessions, and fewer than limit only when
// no more are expired (Auth stops the sweep on a short step).
func testSweepLimit(f *fixture) {
	gone, kept := sweepFixture(f, 7, 3)
	for _, step := range []struct{ limit, want int }{{3, 3}, {1, 1}, {2, 2}, {5, 1}, {5, 0}} {
		n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), step.limit)
		f.noErr("DeleteExpiredSessions", err)
		if n != step.want {
			f.t.Fatalf("DeleteExpiredSessions(t0(), limit %d) = %d, want %d", step.limit, n, step.want)
		}
	}
	for _, r := range gone {
		f.wantNoSession(r.ID)
	}
	for _, r := range kept {
		f.wantSession(r)
	}
}

// Steps of 500 (Auth's default) finish a sweep of 1,234 expired sessions
// among live ones.
func testSweepSteps(f *fixture) {
	const expired, limit = 1234, 500
	gone, kept := sweepFixture(f, expired, 50)
	var steps []int
	total := 0
	for range expired/limit + 2 {
		n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), limit)
		f.noErr("DeleteExpiredSessions", err)
		if n > limit {
			f.t.Fatalf("DeleteExpiredSessions(limit %d) = %d", limit, n)
		}
		steps = append(steps, n)
		total += n
		if n < limit {
			break
		}
	}
	if want := []int{500, 500, 234}; !cmp.Equal(steps, want) {
		f.t.Errorf("sweep steps = %v, want %v", steps, want)
	}
	if total != expired {
		f.t.Errorf("sweep deleted %d, want %d", total, expired)
	}
	for _, r := range gone[:10] {
		f.wantNoSession(r.ID)
	}
	for _, r := range kept {
		f.wantSession(r)
	}
	for _, u := range []string{"u1", "u2", "u3"} {
		var want []auth.SessionRecord
		for _, r := range kept {
			if r.UserID == u {
				want = append(want, r)
			}
		}
		f.wantUserSessions(u, want...)
	}
}

// A step whose context ends part way through reports the sessions it
// deleted before it stopped, error or not: what it returns plus what is
// left adds up to what was expired, whenever it is cancelled (a store that
// deletes in several round trips must count the replies of those that
// ran).
func testSweepCancelled(f *fixture) {
	const expired = 150
	f.user("u1")
	for round, after := range []time.Duration{time.Millisecond, 4 * time.Millisecond, 16 * time.Millisecond} {
		ids := make([]string, 0, expired)
		for i := range expired {
			r := expiring(fmt.Sprintf("cancelled sweep %d/%d", round, i), "u1", t0().Add(-time.Duration(i+1)*time.Second))
			f.create(r)
			ids = append(ids, r.ID)
		}
		ctx, cancel := context.WithTimeout(f.ctx(), after)
		n, err := f.s.DeleteExpiredSessions(ctx, t0(), expired)
		cancel()
		left := 0
		for _, id := range ids {
			_, gerr := f.s.GetSession(f.ctx(), id)
			switch {
			case gerr == nil:
				left++
			case !isNotFound(gerr):
				f.t.Fatalf("GetSession: %v", gerr)
			}
		}
		if n != expired-left {
			f.t.Errorf("DeleteExpiredSessions cancelled after %v = %d, %v; but %d of the %d expired sessions are gone", after, n, err, expired-left, expired)
		}
		// Finish the sweep before the next round.
		for {
			n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), 500)
			f.noErr("DeleteExpiredSessions", err)
			if n < 500 {
				break
			}
		}
	}
}

// Sweeps running at once (app servers sweeping one backend) fail none and
// count each session once: what they report, plus what a last sweep finds
// left (a sweeper may stop early on a step another one raced), adds up to
// the expired sessions, and the live ones stay.
func testSweepConcurrent(f *fixture) {
	const expired, limit, sweepers = 300, 7, 4
	gone, kept := sweepFixture(f, expired, 10)
	var total atomic.Int64
	errs := make([]error, sweepers)
	race(sweepers, func(i int) {
		for {
			n, err := f.s.DeleteExpiredSessions(context.Background(), t0(), limit)
			if err != nil {
				errs[i] = err
				return
			}
			if n > limit {
				errs[i] = fmt.Errorf("DeleteExpiredSessions(limit %d) = %d", limit, n)
				return
			}
			total.Add(int64(n))
			if n < limit {
				return
			}
		}
	})
	for i, err := range errs {
		f.noErr(fmt.Sprintf("sweeper #%d", i), err)
	}
	for {
		n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), limit)
		f.noErr("DeleteExpiredSessions after the race", err)
		total.Add(int64(n))
		if n < limit {
			break
		}
	}
	if got := total.Load(); got != expired {
		f.t.Errorf("concurrent sweeps reported %d deleted in all, want %d (each session once)", got, expired)
	}
	for _, r := range gone[:10] {
		f.wantNoSession(r.ID)
	}
	for _, r := range kept {
		f.wantSession(r)
	}
}

// The sweep goes by IdleExpiresAt alone: a session past its active expiry
// (idle) is kept, as is one whose absolute expiry is past but whose idle
// expiry is not (Auth never stores that, but the store does not judge).
func testSweepOnlyIdle(f *fixture) {
	f.user("u1")
	idle := expiring("idle", "u1", t0().Add(time.Hour))
	idle.ActiveExpiresAt = t0().Add(-time.Hour)
	odd := expiring("absolute past", "u1", t0().Add(time.Hour))
	odd.ExpiresAt = t0().Add(-time.Hour)
	dead := expiring("dead", "u1", t0().Add(-time.Nanosecond))
	dead.ExpiresAt = t0().Add(time.Hour)
	for _, r := range []auth.SessionRecord{idle, odd, dead} {
		f.create(r)
	}
	n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), 10)
	f.noErr("DeleteExpiredSessions", err)
	if n != 1 {
		f.t.Errorf("DeleteExpiredSessions = %d, want 1", n)
	}
	f.wantSession(idle)
	f.wantSession(odd)
	f.wantNoSession(dead.ID)
}

// The sweep reads the renewed expiry, not the one at creation: a store
// that indexes expiries keeps its index in step with RenewSession.
func testSweepFollowsRenewal(f *fixture) {
	f.user("u1")
	past, future := t0().Add(-time.Hour), t0().Add(time.Hour)
	saved := expiring("saved", "u1", past)
	doomed := expiring("doomed", "u1", future)
	f.create(saved)
	f.create(doomed)
	for _, c := range []struct {
		r    *auth.SessionRecord
		idle time.Time
	}{{&saved, future}, {&doomed, past}} {
		ren := auth.Renewal{RenewedAt: c.idle.Add(-time.Hour), ActiveExpiresAt: c.idle.Add(-time.Minute), IdleExpiresAt: c.idle}
		ok, err := f.s.RenewSession(f.ctx(), c.r.ID, c.r.ActiveExpiresAt, ren)
		f.noErr("RenewSession", err)
		if !ok {
			f.t.Fatal("RenewSession = false, want true")
		}
		c.r.RenewedAt, c.r.ActiveExpiresAt, c.r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	}
	n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), 10)
	f.noErr("DeleteExpiredSessions", err)
	if n != 1 {
		f.t.Errorf("DeleteExpiredSessions = %d, want 1", n)
	}
	f.wantSession(saved)
	f.wantNoSession(doomed.ID)
	// A deleted and re-created session is swept by its new expiry.
	f.noErr("DeleteSession", f.s.DeleteSession(f.ctx(), saved.ID))
	again := expiring("saved", "u1", past)
	f.create(again)
	n, err = f.s.DeleteExpiredSessions(f.ctx(), t0(), 10)
	f.noErr("DeleteExpiredSessions", err)
	if n != 1 {
		f.t.Errorf("DeleteExpiredSessions after re-create = %d, want 1", n)
	}
	f.wantNoSession(again.ID)
}

func testSweepEmpty(f *fixture) {
	n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), 500)
	f.noErr("DeleteExpiredSessions(empty store)", err)
	if n != 0 {
		f.t.Errorf("DeleteExpiredSessions(empty store) = %d, want 0", n)
	}
}

// --- Users -------------------------------------------------------------------

func testUsersUnknown(f *fixture) {
	f.user("u1")
	r := session("s1", "nobody")
	err := f.s.CreateSession(f.ctx(), r)
	f.wantErr("CreateSession(unknown user)", err, auth.ErrUserNotFound)
	f.wantNoSession(r.ID)
	f.wantUserSessions("nobody")
}

func testUsersSessionsEnd(f *fixture) {
	f.user("u1")
	f.user("u2")
	s1, s2, s3 := session("s1", "u1"), session("s2", "u1"), session("s3", "u2")
	for _, r := range []auth.SessionRecord{s1, s2, s3} {
		f.create(r)
	}
	f.noErr("delete user u1", f.deleteUser(f.ctx(), "u1"))
	f.wantNoSession(s1.ID)
	f.wantNoSession(s2.ID)
	f.wantUserSessions("u1")
	f.wantSession(s3)
	f.wantUserSessions("u2", s3)
	ok, err := f.s.RenewSession(f.ctx(), s1.ID, s1.ActiveExpiresAt, renewal(t0().Add(48*time.Hour)))
	f.noErr("RenewSession(session of a deleted user)", err)
	if ok {
		f.t.Error("RenewSession(session of a deleted user) = true, want false")
	}
	f.wantNoSession(s1.ID)
	// A new user with the same ID does not inherit the old sessions.
	f.user("u1")
	f.wantUserSessions("u1")
	f.wantNoSession(s1.ID)
}

// A session created while its user is being deleted either fails with
// ErrUserNotFound or is deleted with the user: none outlives it.
func testUsersDeleteRacingCreate(f *fixture) {
	const rounds, creators = 5, 16
	for round := range rounds {
		uid := fmt.Sprintf("u%d", round)
		f.user(uid)
		errs := make([]error, creators+1)
		ids := make([]string, creators)
		race(creators+1, func(i int) {
			if i == creators {
				errs[i] = f.deleteUser(context.Background(), uid)
				return
			}
			r := session(fmt.Sprintf("round %d session %d", round, i), uid)
			ids[i] = r.ID
			errs[i] = f.s.CreateSession(context.Background(), r)
		})
		f.noErr("delete user", errs[creators])
		for i, err := range errs[:creators] {
			if err != nil && !errors.Is(err, auth.ErrUserNotFound) {
				f.t.Errorf("CreateSession racing the user's delete: error = %v, want nil or ErrUserNotFound", err)
			}
			f.wantNoSession(ids[i])
		}
		f.wantUserSessions(uid)
	}
}

// --- GetSessionAndUser -------------------------------------------------------

func testJoinReturnsUser(f *fixture) {
	f.user("u1")
	f.user("u2")
	r := session("s1", "u1")
	f.create(r)
	f.create(session("s2", "u2"))
	gotS, gotU, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.noErr("GetSessionAndUser", err)
	if diff := cmp.Diff(r, gotS, cmpOpts); diff != "" {
		f.t.Errorf("GetSessionAndUser session mismatch (-want +got):\n%s", diff)
	}
	if f.us != nil {
		want, err := f.us.GetUser(f.ctx(), "u1")
		f.noErr("GetUser", err)
		if diff := cmp.Diff(want, gotU, cmpOpts); diff != "" {
			f.t.Errorf("GetSessionAndUser user mismatch (-want +got):\n%s", diff)
		}
	} else if gotU.ID != "u1" {
		f.t.Errorf("GetSessionAndUser user ID = %q, want %q", gotU.ID, "u1")
	}
}

func testJoinMissing(f *fixture) {
	f.user("u1")
	f.create(session("s1", "u1"))
	for _, id := range []string{session("s2", "u1").ID, ""} {
		s, u, err := f.js.GetSessionAndUser(f.ctx(), id)
		f.wantErr(fmt.Sprintf("GetSessionAndUser(%.12s…)", id), err, auth.ErrNotFound)
		if errors.Is(err, auth.ErrUserNotFound) {
			f.t.Errorf("GetSessionAndUser(missing session): error %v also matches ErrUserNotFound", err)
		}
		if s.ID != "" || u.ID != "" {
			f.t.Errorf("GetSessionAndUser(missing session) = session %q, user %q, want zero records", s.ID, u.ID)
		}
	}
}

func testJoinAfterDeleteUser(f *fixture) {
	f.user("u1")
	r := session("s1", "u1")
	f.create(r)
	f.noErr("delete user", f.deleteUser(f.ctx(), "u1"))
	_, _, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.wantErr("GetSessionAndUser(session of a deleted user)", err, auth.ErrNotFound)
}

func testJoinOrphan(f *fixture) {
	f.user("u1")
	r := session("s1", "u1")
	f.create(r)
	f.noErr("OrphanUser", f.cfg.orphanUser(f.ctx(), f.s, "u1"))
	s, u, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.wantErr("GetSessionAndUser(orphan session)", err, auth.ErrUserNotFound)
	if errors.Is(err, auth.ErrNotFound) {
		f.t.Errorf("GetSessionAndUser(orphan session): error %v also matches ErrNotFound", err)
	}
	if diff := cmp.Diff(r, s, cmpOpts); diff != "" {
		f.t.Errorf("GetSessionAndUser(orphan session) session mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(auth.UserRecord{}, u, cmpOpts); diff != "" {
		f.t.Errorf("GetSessionAndUser(orphan session) user mismatch (-want +got):\n%s", diff)
	}
}

// --- Auth --------------------------------------------------------------------

func testAuthTokensNotStored(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	c := &clock{now: t0()}
	a := newAuth(f.t, f.s, c)
	sess, err := a.CreateSessionWith(ctx, "u1", auth.SessionOptions{
		UserAgent: "storetest", ClientIP: "2001:db8::2", Attributes: map[string]any{"device": "phone"},
	})
	f.noErr("Auth.CreateSessionWith", err)
	if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
		f.t.Fatalf("Auth.ValidateSession: %v", err)
	}
	c.advance(a.Config().ActivePeriod + time.Second) // idle: renewal writes too
	renewed, err := a.ValidateSession(ctx, sess.Token)
	f.noErr("Auth.ValidateSession(idle)", err)

	recs, err := f.s.UserSessions(ctx, "u1")
	f.noErr("UserSessions", err)
	want := []auth.SessionRecord{{
		ID: auth.SessionID(sess.Token), UserID: "u1",
		CreatedAt: sess.CreatedAt, RenewedAt: renewed.RenewedAt,
		ActiveExpiresAt: renewed.ActiveExpiresAt, IdleExpiresAt: renewed.IdleExpiresAt,
		UserAgent: "storetest", ClientIP: "2001:db8::2", Attributes: json.RawMessage(`{"device":"phone"}`),
	}}
	if diff := cmp.Diff(want, recs, cmpOpts); diff != "" {
		f.t.Errorf("UserSessions after Auth.CreateSessionWith mismatch (-want +got):\n%s", diff)
	}
	for _, r := range recs {
		if strings.Contains(fmt.Sprintf("%+v %s", r, r.Attributes), sess.Token) {
			f.t.Errorf("stored session record contains the token")
		}
	}
	_, err = f.s.GetSession(ctx, sess.Token)
	f.wantErr("GetSession(token instead of ID)", err, auth.ErrNotFound)
}

func testAuthLifecycle(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	c := &clock{now: t0()}
	a := newAuth(f.t, f.s, c)
	sess, err := a.CreateSession(ctx, "u1")
	f.noErr("Auth.CreateSession", err)
	f.wantSession(auth.SessionRecord{
		ID: sess.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: t0(),
		ActiveExpiresAt: sess.ActiveExpiresAt, IdleExpiresAt: sess.IdleExpiresAt,
	})

	c.advance(a.Config().ActivePeriod + time.Nanosecond)
	renewed, err := a.ValidateSession(ctx, sess.Token)
	f.noErr("Auth.ValidateSession(idle)", err)
	if !renewed.Fresh || !renewed.ActiveExpiresAt.After(sess.ActiveExpiresAt) {
		f.t.Errorf("idle session not renewed: before %v, after %v (Fresh %v)", sess.ActiveExpiresAt, renewed.ActiveExpiresAt, renewed.Fresh)
	}
	f.wantSession(auth.SessionRecord{
		ID: sess.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: c.Now(),
		ActiveExpiresAt: renewed.ActiveExpiresAt, IdleExpiresAt: renewed.IdleExpiresAt,
	})

	again, err := a.ValidateSession(ctx, sess.Token)
	f.noErr("Auth.ValidateSession(active)", err)
	if again.Fresh {
		f.t.Error("active session validated as Fresh")
	}

	c.advance(a.Config().ActivePeriod + a.Config().IdlePeriod + time.Nanosecond)
	_, err = a.ValidateSession(ctx, sess.Token)
	f.wantErr("Auth.ValidateSession(dead)", err, auth.ErrInvalidSession)
	f.wantNoSession(sess.ID)
}

func testAuthSweep(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	c := &clock{now: t0()}
	a, err := auth.New(f.s, auth.Config{Clock: c, Argon2: cheapArgon2(), SweepBatch: 4})
	f.noErr("auth.New", err)
	var old []*auth.Session
	for range 10 {
		s, err := a.CreateSession(ctx, "u1")
		f.noErr("Auth.CreateSession", err)
		old = append(old, s)
	}
	c.advance(a.Config().ActivePeriod + a.Config().IdlePeriod + time.Nanosecond)
	fresh, err := a.CreateSession(ctx, "u1")
	f.noErr("Auth.CreateSession", err)
	n, err := a.DeleteExpiredSessions(ctx)
	f.noErr("Auth.DeleteExpiredSessions", err)
	if n != len(old) {
		f.t.Errorf("Auth.DeleteExpiredSessions = %d, want %d", n, len(old))
	}
	for _, s := range old {
		f.wantNoSession(s.ID)
	}
	if _, err := a.ValidateSession(ctx, fresh.Token); err != nil {
		f.t.Errorf("Auth.ValidateSession(live session after the sweep): %v", err)
	}
}

// --- Context -----------------------------------------------------------------

func sessionContextCases(c capabilities) []testCase {
	sess := session("s1", "u1")
	newSess := session("new", "u1")
	type call struct {
		name  string
		call  func(ctx context.Context, f *fixture) error
		check func(f *fixture)
	}
	calls := []call{
		{"CreateSession", func(ctx context.Context, f *fixture) error {
			return f.s.CreateSession(ctx, newSess)
		}, func(f *fixture) { f.wantNoSession(newSess.ID) }},
		{"GetSession", func(ctx context.Context, f *fixture) error {
			_, err := f.s.GetSession(ctx, sess.ID)
			return err
		}, nil},
		{"RenewSession", func(ctx context.Context, f *fixture) error {
			_, err := f.s.RenewSession(ctx, sess.ID, sess.ActiveExpiresAt, renewal(t0().Add(72*time.Hour)))
			return err
		}, func(f *fixture) { f.wantSession(sess) }},
		{"DeleteSession", func(ctx context.Context, f *fixture) error {
			return f.s.DeleteSession(ctx, sess.ID)
		}, func(f *fixture) { f.wantSession(sess) }},
		{"DeleteUserSessions", func(ctx context.Context, f *fixture) error {
			return f.s.DeleteUserSessions(ctx, "u1")
		}, func(f *fixture) { f.wantSession(sess) }},
		{"UserSessions", func(ctx context.Context, f *fixture) error {
			_, err := f.s.UserSessions(ctx, "u1")
			return err
		}, nil},
		{"DeleteExpiredSessions", func(ctx context.Context, f *fixture) error {
			_, err := f.s.DeleteExpiredSessions(ctx, t0().Add(10000*time.Hour), 500)
			return err
		}, func(f *fixture) { f.wantSession(sess) }},
	}
	if c.joiner {
		calls = append(calls, call{"GetSessionAndUser", func(ctx context.Context, f *fixture) error {
			_, _, err := f.js.GetSessionAndUser(ctx, sess.ID)
			return err
		}, nil})
	}
	cases := make([]testCase, 0, len(calls))
	for _, c := range calls {
		cases = append(cases, testCase{c.name, func(f *fixture) {
			f.user("u1")
			f.create(sess)
			ctx, cancel := context.WithCancel(f.ctx())
			cancel()
			err := c.call(ctx, f)
			if !errors.Is(err, context.Canceled) {
				f.t.Errorf("%s(cancelled context): error = %v, want errors.Is(err, context.Canceled)", c.name, err)
			}
			if c.check != nil {
				c.check(f)
			}
		}})
	}
	return cases
}
