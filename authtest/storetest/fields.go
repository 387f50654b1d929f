package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

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

// testFieldsStrings stores a session per value, set in its field by set,
// and reads each back exactly as given.
func testFieldsStrings(field string, set func(r *auth.SessionRecord, v string), values ...string) func(f *fixture) {
	return func(f *fixture) {
		f.user("u1")
		var want []auth.SessionRecord
		for i, v := range values {
			r := session(fmt.Sprint(field, " ", i), "u1")
			set(&r, v)
			f.create(r)
			f.wantSession(r)
			want = append(want, r)
		}
		f.wantUserSessions("u1", want...)
	}
}

var testFieldsClientIP = testFieldsStrings("ip", func(r *auth.SessionRecord, v string) { r.ClientIP = v },
	"192.0.2.1",
	"2001:db8::1",
	"2001:0db8:85a3:0000:0000:8a2e:0370:7334",
	"::ffff:192.0.2.128",
	"fe80::1%eth0",
	"::1",
	"not an IP: stored as given",
	strings.Repeat("f", 64),
)

var testFieldsUserAgent = testFieldsStrings("ua", func(r *auth.SessionRecord, v string) { r.UserAgent = v },
	"curl/8.5.0",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
	`quotes " and ' and \ and ; and 🐙 and 日本語`,
	strings.Repeat("é", 256), // 512 bytes
)

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

// jsonCases are the cases of test, one per JSON value whose bytes a store
// must keep exactly as given (the names prefixed with prefix), the largest
// about large bytes: sessions' and users' attributes take the same values.
func jsonCases(prefix string, large int, test func(attrs string) func(*fixture)) []testCase {
	return []testCase{
		{prefix + "Unicode", test(`{"name":"Zoë 🐙 日本語","rtl":"שלום","combining":"e\u0301","escaped":"\u00e9\u0000\"\\/"}`)},
		{prefix + "EmptyObject", test(`{}`)},
		{prefix + "SpacingAndOrder", test(`{ "z" : 1,  "a": {"b":[1, 2.50, {"c":null, "d":[true,false]}], "e":{}},
	"big": 12345678901234567890123 }`)},
		{prefix + "Large", test(largeAttributes(large))},
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
