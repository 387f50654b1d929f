package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

func userGroups(c capabilities) []group {
	return []group{
		{"User", []testCase{
			{"CreateAndGet", testUserCreateAndGet},
			{"GetMissing", testUserGetMissing},
			{"DuplicateUser", testUserDuplicate},
			{"DuplicateUserCreatesNoKey", testUserDuplicateCreatesNoKey},
			{"CreateWithKey", testUserCreateWithKey},
			{"DuplicateKeyCreatesNoUser", testUserDuplicateKeyCreatesNoUser},
			{"UpdateAttributes", testUserUpdateAttributes},
			{"UpdateAttributesMissing", testUserUpdateAttributesMissing},
			{"DeleteDeletesKeys", testUserDeleteDeletesKeys},
			{"DeleteMissing", testUserDeleteMissing},
		}},
		{"Attributes", jsonCases("", 1<<20, testUserAttributes)},
		{"Key", []testCase{
			{"CreateAndGet", testKeyCreateAndGet},
			{"GetMissing", testKeyGetMissing},
			{"Duplicate", testKeyDuplicate},
			{"MissingUser", testKeyMissingUser},
			{"PairIsTheIdentity", testKeyPairIsTheIdentity},
			{"UpdatePassword", testKeyUpdatePassword},
			{"UpdatePasswordMissing", testKeyUpdatePasswordMissing},
			{"Delete", testKeyDelete},
			{"DeleteMissing", testKeyDeleteMissing},
			{"UserKeys", testKeyUserKeys},
		}},
		{"Sessions", append(
			when(c.sessions,
				testCase{"CreateSessionUnknownUser", testUsersUnknown},
				testCase{"DeleteUserDeletesSessions", testUserDeleteCascades},
				testCase{"DeleteUserRacingCreateSession", testUsersDeleteRacingCreate}),
			when(c.joiner,
				testCase{"GetSessionAndUserAfterUpdate", testUserJoinAfterUpdate})...)},
		{"Auth", []testCase{
			{"PasswordsHashed", testUserAuthPasswords},
		}},
		{"Context", userContextCases()},
	}
}

func (f *fixture) mustCreateUser(u auth.UserRecord, k *auth.KeyRecord) {
	f.t.Helper()
	if err := f.us.CreateUser(f.ctx(), u, k); err != nil {
		f.t.Fatalf("CreateUser(%q): %v", u.ID, err)
	}
}

func testUserCreateAndGet(f *fixture) {
	u := userRecord("u1")
	f.mustCreateUser(u, nil)
	f.wantUser(u)
	f.wantUserKeys(u.ID)
	if f.s != nil {
		f.wantUserSessions(u.ID)
	}
}

func testUserGetMissing(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	f.wantNoUser("u2")
	f.wantNoUser("")
	f.wantNoUser("U1")
}

func testUserDuplicate(f *fixture) {
	u := userRecord("u1")
	f.mustCreateUser(u, nil)
	err := f.us.CreateUser(f.ctx(), auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{"name":"impostor"}`)}, nil)
	f.wantErr("CreateUser(existing ID)", err, auth.ErrDuplicateUser)
	f.wantUser(u)
}

func testUserDuplicateCreatesNoKey(f *fixture) {
	u := userRecord("u1")
	f.mustCreateUser(u, nil)
	k := auth.KeyRecord{ProviderID: "email", ProviderUserID: "new@example.com", UserID: "u1"}
	err := f.us.CreateUser(f.ctx(), auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{}`)}, &k)
	f.wantErr("CreateUser(existing ID, new key)", err, auth.ErrDuplicateUser)
	f.wantNoKey(k.ProviderID, k.ProviderUserID)
	f.wantUserKeys("u1")
	f.wantUser(u)
}

func testUserCreateWithKey(f *fixture) {
	u := userRecord("u1")
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"}
	f.mustCreateUser(u, &k)
	f.wantUser(u)
	f.wantKey(k)
	f.wantUserKeys("u1", k)
}

func testUserDuplicateKeyCreatesNoUser(f *fixture) {
	k := auth.KeyRecord{ProviderID: "email", ProviderUserID: "ada@example.com", UserID: "u1"}
	f.mustCreateUser(userRecord("u1"), &k)
	k2 := auth.KeyRecord{ProviderID: "email", ProviderUserID: "ada@example.com", UserID: "u2", PasswordHash: "x"}
	err := f.us.CreateUser(f.ctx(), userRecord("u2"), &k2)
	f.wantErr("CreateUser(new ID, existing key)", err, auth.ErrDuplicateKey)
	f.wantNoUser("u2")
	f.wantKey(k)
	f.wantUserKeys("u2")
	// Nothing of the failed attempt is left to collide with a retry.
	k3 := auth.KeyRecord{ProviderID: "email", ProviderUserID: "u2@example.com", UserID: "u2"}
	f.mustCreateUser(userRecord("u2"), &k3)
	f.wantUserKeys("u2", k3)
}

func testUserUpdateAttributes(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	f.mustCreateUser(userRecord("u2"), nil)
	attrs := json.RawMessage(`{"name":"Ada Lovelace","tags":["math","engines"]}`)
	f.noErr("UpdateUserAttributes", f.us.UpdateUserAttributes(f.ctx(), "u1", attrs))
	f.wantUser(auth.UserRecord{ID: "u1", Attributes: attrs})
	f.wantUser(userRecord("u2"))
	f.noErr("UpdateUserAttributes({})", f.us.UpdateUserAttributes(f.ctx(), "u1", json.RawMessage(`{}`)))
	f.wantUser(auth.UserRecord{ID: "u1", Attributes: json.RawMessage(`{}`)})
}

func testUserUpdateAttributesMissing(f *fixture) {
	err := f.us.UpdateUserAttributes(f.ctx(), "nobody", json.RawMessage(`{}`))
	f.wantErr("UpdateUserAttributes(missing user)", err, auth.ErrNotFound)
	f.wantNoUser("nobody")
}

func testUserDeleteDeletesKeys(f *fixture) {
	k1 := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "h"}
	k2 := auth.KeyRecord{ProviderID: "github", ProviderUserID: "583231", UserID: "u1"}
	k3 := auth.KeyRecord{ProviderID: "username", ProviderUserID: "bob", UserID: "u2"}
	f.mustCreateUser(userRecord("u1"), &k1)
	f.mustCreateUser(userRecord("u2"), &k3)
	f.noErr("CreateKey", f.us.CreateKey(f.ctx(), k2))

	f.noErr("DeleteUser(u1)", f.us.DeleteUser(f.ctx(), "u1"))
	f.wantNoUser("u1")
	f.wantNoKey(k1.ProviderID, k1.ProviderUserID)
	f.wantNoKey(k2.ProviderID, k2.ProviderUserID)
	f.wantUserKeys("u1")
	f.wantUser(userRecord("u2"))
	f.wantKey(k3)
	f.wantUserKeys("u2", k3)
	// The ID and the keys are free again.
	f.mustCreateUser(userRecord("u1"), &k2)
	f.wantUserKeys("u1", k2)
}

func testUserDeleteMissing(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	f.wantErr("DeleteUser(missing)", f.us.DeleteUser(f.ctx(), "u2"), auth.ErrNotFound)
	f.noErr("DeleteUser(u1)", f.us.DeleteUser(f.ctx(), "u1"))
	f.wantErr("DeleteUser(u1) again", f.us.DeleteUser(f.ctx(), "u1"), auth.ErrNotFound)
}

func testUserAttributes(attrs string) func(f *fixture) {
	return func(f *fixture) {
		f.mustCreateUser(auth.UserRecord{ID: "u1", Attributes: json.RawMessage(attrs)}, nil)
		got, err := f.us.GetUser(f.ctx(), "u1")
		f.noErr("GetUser", err)
		f.wantSameBytes("GetUser after CreateUser", attrs, got.Attributes)

		if f.js != nil {
			r := session("s1", "u1")
			f.create(r)
			_, gotU, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
			f.noErr("GetSessionAndUser", err)
			f.wantSameBytes("GetSessionAndUser", attrs, gotU.Attributes)
		}

		f.noErr("UpdateUserAttributes", f.us.UpdateUserAttributes(f.ctx(), "u1", json.RawMessage(`{"x":1}`)))
		f.noErr("UpdateUserAttributes", f.us.UpdateUserAttributes(f.ctx(), "u1", json.RawMessage(attrs)))
		got, err = f.us.GetUser(f.ctx(), "u1")
		f.noErr("GetUser", err)
		f.wantSameBytes("GetUser after UpdateUserAttributes", attrs, got.Attributes)
	}
}

// --- Key -----------------------------------------------------------------------

func testKeyCreateAndGet(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "Ada Lovelace ✓", UserID: "u1", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"}
	f.noErr("CreateKey", f.us.CreateKey(f.ctx(), k))
	f.wantKey(k)
	k2 := auth.KeyRecord{ProviderID: "github", ProviderUserID: "583231", UserID: "u1"}
	f.noErr("CreateKey(no password)", f.us.CreateKey(f.ctx(), k2))
	f.wantKey(k2)
}

func testKeyGetMissing(f *fixture) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	f.mustCreateUser(userRecord("u1"), &k)
	f.wantNoKey("username", "bob")
	f.wantNoKey("email", "ada")
	f.wantNoKey("", "")
}

func testKeyDuplicate(f *fixture) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "h1"}
	f.mustCreateUser(userRecord("u1"), &k)
	f.mustCreateUser(userRecord("u2"), nil)
	err := f.us.CreateKey(f.ctx(), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u2", PasswordHash: "h2"})
	f.wantErr("CreateKey(taken by another user)", err, auth.ErrDuplicateKey)
	err = f.us.CreateKey(f.ctx(), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"})
	f.wantErr("CreateKey(taken by the same user)", err, auth.ErrDuplicateKey)
	f.wantKey(k)
	f.wantUserKeys("u2")
}

func testKeyMissingUser(f *fixture) {
	err := f.us.CreateKey(f.ctx(), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ghost", UserID: "nobody"})
	f.wantErr("CreateKey(missing user)", err, auth.ErrNotFound)
	f.wantNoKey("username", "ghost")
	f.wantUserKeys("nobody")
	// The user is checked first: a missing user and a taken key give
	// ErrNotFound.
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	f.mustCreateUser(userRecord("u1"), &k)
	err = f.us.CreateKey(f.ctx(), auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "nobody"})
	f.wantErr("CreateKey(missing user, taken key)", err, auth.ErrNotFound)
	f.wantKey(k)
}

func testKeyPairIsTheIdentity(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	f.mustCreateUser(userRecord("u2"), nil)
	keys := []auth.KeyRecord{
		{ProviderID: "a:b", ProviderUserID: "c", UserID: "u1"},
		{ProviderID: "a", ProviderUserID: "b:c", UserID: "u2"},
		{ProviderID: "ab", ProviderUserID: "c", UserID: "u1"},
		{ProviderID: "a", ProviderUserID: "bc", UserID: "u2"},
		{ProviderID: "email", ProviderUserID: "c", UserID: "u2"},
	}
	for _, k := range keys {
		f.noErr(fmt.Sprintf("CreateKey(%q, %q)", k.ProviderID, k.ProviderUserID), f.us.CreateKey(f.ctx(), k))
	}
	for _, k := range keys {
		f.wantKey(k)
	}
	f.wantUserKeys("u1", keys[0], keys[2])
	f.wantUserKeys("u2", keys[1], keys[3], keys[4])
}

func testKeyUpdatePassword(f *fixture) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1", PasswordHash: "old"}
	other := auth.KeyRecord{ProviderID: "username", ProviderUserID: "bob", UserID: "u2", PasswordHash: "bob's"}
	f.mustCreateUser(userRecord("u1"), &k)
	f.mustCreateUser(userRecord("u2"), &other)
	f.noErr("UpdateKeyPassword", f.us.UpdateKeyPassword(f.ctx(), "username", "ada", "new"))
	k.PasswordHash = "new"
	f.wantKey(k)
	f.noErr(`UpdateKeyPassword("")`, f.us.UpdateKeyPassword(f.ctx(), "username", "ada", ""))
	k.PasswordHash = ""
	f.wantKey(k)
	f.wantUserKeys("u1", k)
	f.wantKey(other)
}

func testKeyUpdatePasswordMissing(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	err := f.us.UpdateKeyPassword(f.ctx(), "username", "ghost", "h")
	f.wantErr("UpdateKeyPassword(missing)", err, auth.ErrNotFound)
	f.wantNoKey("username", "ghost")
}

func testKeyDelete(f *fixture) {
	k1 := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	k2 := auth.KeyRecord{ProviderID: "github", ProviderUserID: "1", UserID: "u1"}
	f.mustCreateUser(userRecord("u1"), &k1)
	f.noErr("CreateKey", f.us.CreateKey(f.ctx(), k2))
	f.noErr("DeleteKey", f.us.DeleteKey(f.ctx(), k1.ProviderID, k1.ProviderUserID))
	f.wantNoKey(k1.ProviderID, k1.ProviderUserID)
	f.wantKey(k2)
	f.wantUserKeys("u1", k2)
	f.wantUser(userRecord("u1"))
	f.mustCreateUser(userRecord("u2"), nil)
	k1.UserID = "u2"
	f.noErr("CreateKey(deleted key, other user)", f.us.CreateKey(f.ctx(), k1))
	f.wantUserKeys("u2", k1)
	f.wantUserKeys("u1", k2)
}

func testKeyDeleteMissing(f *fixture) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	f.mustCreateUser(userRecord("u1"), &k)
	f.wantErr("DeleteKey(missing)", f.us.DeleteKey(f.ctx(), "username", "bob"), auth.ErrNotFound)
	f.noErr("DeleteKey", f.us.DeleteKey(f.ctx(), "username", "ada"))
	f.wantErr("DeleteKey again", f.us.DeleteKey(f.ctx(), "username", "ada"), auth.ErrNotFound)
}

func testKeyUserKeys(f *fixture) {
	var want []auth.KeyRecord
	f.mustCreateUser(userRecord("u1"), nil)
	f.mustCreateUser(userRecord("u2"), nil)
	for i := range 5 {
		k := auth.KeyRecord{ProviderID: "email", ProviderUserID: fmt.Sprintf("ada%d@example.com", i), UserID: "u1", PasswordHash: fmt.Sprint("h", i)}
		f.noErr("CreateKey", f.us.CreateKey(f.ctx(), k))
		want = append(want, k)
	}
	other := auth.KeyRecord{ProviderID: "email", ProviderUserID: "bob@example.com", UserID: "u2"}
	f.noErr("CreateKey", f.us.CreateKey(f.ctx(), other))
	f.wantUserKeys("u1", want...)
	f.wantUserKeys("u2", other)
	f.wantUserKeys("nobody")
}

// --- Sessions (the tie-ins) ----------------------------------------------------

func testUserDeleteCascades(f *fixture) {
	k := auth.KeyRecord{ProviderID: "username", ProviderUserID: "ada", UserID: "u1"}
	f.mustCreateUser(userRecord("u1"), &k)
	f.mustCreateUser(userRecord("u2"), nil)
	s1, s2, s3 := session("s1", "u1"), session("s2", "u1"), session("s3", "u2")
	for _, r := range []auth.SessionRecord{s1, s2, s3} {
		f.create(r)
	}
	f.noErr("DeleteUser(u1)", f.us.DeleteUser(f.ctx(), "u1"))
	f.wantNoUser("u1")
	f.wantNoKey(k.ProviderID, k.ProviderUserID)
	f.wantNoSession(s1.ID)
	f.wantNoSession(s2.ID)
	f.wantUserSessions("u1")
	f.wantSession(s3)
	f.wantUserSessions("u2", s3)
	if f.js != nil {
		_, _, err := f.js.GetSessionAndUser(f.ctx(), s1.ID)
		f.wantErr("GetSessionAndUser(session of a deleted user)", err, auth.ErrNotFound)
	}
	// A new user with the same ID does not inherit the old sessions.
	f.mustCreateUser(userRecord("u1"), nil)
	f.wantUserSessions("u1")
	f.wantNoSession(s1.ID)
}

func testUserJoinAfterUpdate(f *fixture) {
	f.mustCreateUser(userRecord("u1"), nil)
	r := session("s1", "u1")
	f.create(r)
	attrs := json.RawMessage(`{"name":"renamed"}`)
	f.noErr("UpdateUserAttributes", f.us.UpdateUserAttributes(f.ctx(), "u1", attrs))
	_, u, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.noErr("GetSessionAndUser", err)
	f.wantSameBytes("GetSessionAndUser after UpdateUserAttributes", string(attrs), u.Attributes)
	if u.ID != "u1" {
		f.t.Errorf("GetSessionAndUser user ID = %q, want u1", u.ID)
	}
}

// --- Auth ----------------------------------------------------------------------

// An Auth on the store hashes passwords before they reach it.
func testUserAuthPasswords(f *fixture) {
	ss := f.s
	if ss == nil {
		// A UserStore without sessions: an Auth needs a SessionStore, so
		// lend it an empty one that keeps nothing.
		ss = &usersOnly{UserStore: f.us}
	}
	a := newAuth(f.t, ss, fakeauth.NewClock(t0()))
	ctx := f.ctx()
	const password = "correct horse battery staple"
	u, err := a.CreateUser(ctx, auth.NewUser{ID: "u1", Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: password}})
	f.noErr("Auth.CreateUser", err)
	k, err := f.us.GetKey(ctx, "username", "ada")
	f.noErr("GetKey", err)
	if strings.Contains(k.PasswordHash, password) || !strings.HasPrefix(k.PasswordHash, "$argon2id$") {
		f.t.Errorf("stored PasswordHash = %q, want an argon2id hash", k.PasswordHash)
	}
	if _, err := a.UseKey(ctx, "username", "ada", password); err != nil {
		f.t.Errorf("Auth.UseKey with the right password: %v", err)
	}
	if _, err := a.UseKey(ctx, "username", "ada", "wrong"); !errors.Is(err, auth.ErrInvalidPassword) {
		f.t.Errorf("Auth.UseKey with a wrong password: error = %v, want ErrInvalidPassword", err)
	}
	_ = u
}

// usersOnly is a UserStore with a SessionStore that keeps nothing, so that
// an Auth can run on a value that implements UserStore alone.
type usersOnly struct {
	auth.UserStore
}

func (usersOnly) CreateSession(context.Context, auth.SessionRecord) error { return nil }
func (usersOnly) GetSession(context.Context, string) (auth.SessionRecord, error) {
	return auth.SessionRecord{}, auth.ErrNotFound
}
func (usersOnly) RenewSession(context.Context, string, time.Time, auth.Renewal) (bool, error) {
	return false, nil
}
func (usersOnly) UpdateSessionAttributes(context.Context, string, json.RawMessage, json.RawMessage) (bool, error) {
	return false, nil
}
func (usersOnly) DeleteSession(context.Context, string) error      { return nil }
func (usersOnly) DeleteUserSessions(context.Context, string) error { return nil }
func (usersOnly) UserSessions(context.Context, string) ([]auth.SessionRecord, error) {
	return nil, nil
}
func (usersOnly) DeleteExpiredSessions(context.Context, time.Time, int) (int, error) {
	return 0, nil
}
