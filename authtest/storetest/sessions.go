package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
		{"Fields", append([]testCase{
			{"EveryFieldRoundTrips", testFieldsEvery},
			{"ZeroOptionalFields", testFieldsZero},
			{"Timestamps", testFieldsTimestamps},
			{"TimestampLimits", testFieldsTimestampLimits},
			{"TimestampsAtTheEpoch", testTimesEpoch},
			{"ZeroTimes", testTimesZero},
			{"ClientIP", testFieldsClientIP},
			{"UserAgent", testFieldsUserAgent},
		}, jsonCases("Attributes", 16<<10, testFieldsAttributes)...)},
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
	f.wantRenewMisses("deleted session", r1)
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
	wantList(f, fmt.Sprintf("UserSessions of %d sessions", len(want)), want, got, err, bySessionID)
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
