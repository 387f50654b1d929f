package authe2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authe2e"
	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/fakeauth"
)

// do sends an authorised control request from loopback and decodes its
// JSON answer into v (when v is not nil), failing the test on any status
// but want.
func (ap *app) do(t *testing.T, method, path, body string, want int, v any) {
	t.Helper()
	w := ap.call(method, path, body, "Bearer "+secret, "127.0.0.1:9")
	if w.Code != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, want, w.Body)
	}
	if v != nil {
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, w.Body)
		}
	}
}

func TestSessionRouteSignsTheUserIn(t *testing.T) {
	requireE2EBuild(t)
	for _, browserSession := range []bool{false, true} {
		ap := newApp(t)
		var got authe2e.SessionResponse
		body := `{"user":"ada","browserSession":false}`
		if browserSession {
			body = `{"user":"ada","browserSession":true}`
		}
		ap.do(t, "POST", "session", body, http.StatusOK, &got)

		if len(got.StorageState.Cookies) != 1 || len(got.Cookies) != 1 {
			t.Fatalf("got %d Playwright and %d Cypress cookies, want 1 each", len(got.StorageState.Cookies), len(got.Cookies))
		}
		pc, cc := got.StorageState.Cookies[0], got.Cookies[0]
		s, err := ap.a.ValidateSession(context.Background(), pc.Value)
		if err != nil {
			t.Fatalf("the seeded cookie does not validate: %v", err)
		}
		if s.UserID != got.UserID || s.ID != got.SessionID {
			t.Errorf("session %s of user %s, the route said %s of %s", s.ID, s.UserID, got.SessionID, got.UserID)
		}
		want := ap.a.SessionCookie(s)
		if pc.Name != want.Name || pc.Path != "/" || pc.Domain != "example.com" || !pc.HTTPOnly || !pc.Secure || pc.SameSite != "Lax" {
			t.Errorf("Playwright cookie %+v does not carry the app's cookie %v for host example.com", pc, want)
		}
		if cc.Name != pc.Name || cc.Value != pc.Value || cc.Options.Domain != pc.Domain || cc.Options.SameSite != "lax" || !cc.Options.HTTPOnly || !cc.Options.Secure {
			t.Errorf("Cypress cookie %+v differs from the Playwright one %+v", cc, pc)
		}
		if browserSession {
			if pc.Expires != -1 || cc.Options.Expiry != 0 {
				t.Errorf("browser session: expires %v / expiry %v, want -1 / absent", pc.Expires, cc.Options.Expiry)
			}
		} else if int64(pc.Expires) != want.Expires.Unix() || cc.Options.Expiry != want.Expires.Unix() {
			t.Errorf("expires %v / expiry %v, want %v", pc.Expires, cc.Options.Expiry, want.Expires.Unix())
		}
	}
}

// TestCypressCookieShape holds the JSON of the Cypress cookie list to the
// options cy.setCookie takes (name, value, then domain, path, secure,
// httpOnly, expiry in seconds, sameSite "lax" | "strict" |
// "no_restriction"): Cypress itself can't run here, so its shape is
// checked field by field.
func TestCypressCookieShape(t *testing.T) {
	requireE2EBuild(t)
	ap := newApp(t)
	var raw struct {
		Cookies []map[string]json.RawMessage `json:"cookies"`
	}
	ap.do(t, "POST", "session", `{"user":"ada"}`, http.StatusOK, &raw)
	if len(raw.Cookies) != 1 {
		t.Fatalf("%d cookies", len(raw.Cookies))
	}
	c := raw.Cookies[0]
	if keys := sortedKeys(c); !slices.Equal(keys, []string{"name", "options", "value"}) {
		t.Fatalf("cookie keys %v", keys)
	}
	var opts map[string]any
	if err := json.Unmarshal(c["options"], &opts); err != nil {
		t.Fatal(err)
	}
	if keys := sortedKeys(opts); !slices.Equal(keys, []string{"domain", "expiry", "httpOnly", "path", "sameSite", "secure"}) {
		t.Errorf("option keys %v", keys)
	}
	if exp, ok := opts["expiry"].(float64); !ok || exp != float64(int64(exp)) || exp < float64(time.Now().Unix()) {
		t.Errorf("expiry %v: want whole seconds in the future", opts["expiry"])
	}
	if ss := opts["sameSite"]; ss != "lax" && ss != "strict" && ss != "no_restriction" {
		t.Errorf("sameSite %v", ss)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestClockRouteMovesTheAuthsClock(t *testing.T) {
	requireE2EBuild(t)
	ap := newApp(t)
	before := ap.a.Now()
	var got authe2e.ClockResponse
	ap.do(t, "POST", "clock", `{"advance":"25h"}`, http.StatusOK, &got)
	if d := ap.a.Now().Sub(before); d < 25*time.Hour || d > 25*time.Hour+time.Minute {
		t.Errorf("the Auth's clock moved by %v, want 25h", d)
	}
	if got.Offset != "25h0m0s" {
		t.Errorf("offset %q", got.Offset)
	}
	target := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	ap.do(t, "POST", "clock", `{"set":"2030-05-01T12:00:00Z"}`, http.StatusOK, &got)
	if d := ap.a.Now().Sub(target); d < 0 || d > time.Minute {
		t.Errorf("after set: %v, want %v", ap.a.Now(), target)
	}
	for _, bad := range []string{`{}`, `{"advance":"soon"}`, `{"set":"tomorrow"}`, `{"advance":"1h","set":"2030-05-01T12:00:00Z"}`, `{"advance":1}`, `{"speed":2}`} {
		ap.do(t, "POST", "clock", bad, http.StatusBadRequest, nil)
	}
}

func TestFaultRouteFailsTheStoreUntilCleared(t *testing.T) {
	requireE2EBuild(t)
	ap := newApp(t)
	var s authe2e.SessionResponse
	ap.do(t, "POST", "session", `{"user":"ada"}`, http.StatusOK, &s)
	token := s.StorageState.Cookies[0].Value

	ap.do(t, "POST", "faults", `{"op":"GetSession"}`, http.StatusOK, nil)
	for range 3 {
		if _, err := ap.a.ValidateSession(context.Background(), token); !errors.Is(err, auth.ErrStore) {
			t.Fatalf("with GetSession failing: %v, want ErrStore", err)
		}
	}
	ap.do(t, "DELETE", "faults", ``, http.StatusOK, nil)
	if _, err := ap.a.ValidateSession(context.Background(), token); err != nil {
		t.Fatalf("after the faults were cleared the session does not validate: %v", err)
	}

	ap.do(t, "POST", "faults", `{"op":"GetSession","times":1}`, http.StatusOK, nil)
	if _, err := ap.a.ValidateSession(context.Background(), token); !errors.Is(err, auth.ErrStore) {
		t.Fatalf("first call: %v, want ErrStore", err)
	}
	if _, err := ap.a.ValidateSession(context.Background(), token); err != nil {
		t.Fatalf("second call: %v, want the session", err)
	}
	ap.do(t, "POST", "faults", `{"op":"NoSuchOp"}`, http.StatusBadRequest, nil)
	ap.do(t, "POST", "faults", `{"op":"GetSession","times":-1}`, http.StatusBadRequest, nil)
}

func TestMailRouteReadsTheOutbox(t *testing.T) {
	requireE2EBuild(t)
	ap := newApp(t)
	ctx := context.Background()
	for _, m := range []authmail.Message{
		{To: "ada@example.com", Subject: "Reset", Text: "Reset it: https://app.example/reset-password?token=abc&x=1\nor enter 12345678\n"},
		{To: "bob@example.com", Subject: "Hi", Text: "Nothing to click."},
		{To: "Ada <ADA@example.com>", Subject: "Again", Text: "https://app.example/verify-email?token=def"},
	} {
		if err := ap.mail.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var got struct{ Messages []authe2e.Mail }
	ap.do(t, "GET", "mail?to=ada@example.com", ``, http.StatusOK, &got)
	if len(got.Messages) != 2 {
		t.Fatalf("%d messages to ada, want 2: %+v", len(got.Messages), got.Messages)
	}
	first := got.Messages[0]
	if first.Link != "https://app.example/reset-password?token=abc&x=1" || first.Token != "abc" || first.Code != "12345678" || first.Subject != "Reset" {
		t.Errorf("first message read as %+v", first)
	}
	ap.do(t, "POST", "clock", `{"advance":"1h"}`, http.StatusOK, nil)
	ap.mail.Send(ctx, authmail.Message{To: "ada@example.com", Subject: "Later", Text: "t"})
	ap.do(t, "GET", "mail?to=ada@example.com", ``, http.StatusOK, &got)
	if d := got.Messages[2].SentAt.Sub(first.SentAt); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("sentAt moved by %v across a 1h advance of the e2e clock, want 1h: the outbox is not on its clock", d)
	}
	ap.do(t, "GET", "mail", ``, http.StatusOK, &got)
	if len(got.Messages) != 4 {
		t.Errorf("%d messages in all, want 4", len(got.Messages))
	}
	ap.do(t, "DELETE", "mail", ``, http.StatusOK, nil)
	ap.do(t, "GET", "mail", ``, http.StatusOK, &got)
	if len(got.Messages) != 0 {
		t.Errorf("%d messages after DELETE", len(got.Messages))
	}
}

func TestResetRouteUndoesEverything(t *testing.T) {
	requireE2EBuild(t)
	ap := newApp(t)
	ap.do(t, "POST", "clock", `{"advance":"100h"}`, http.StatusOK, nil)
	ap.do(t, "POST", "faults", `{"op":"RenewSession"}`, http.StatusOK, nil)
	ap.mail.Send(context.Background(), authmail.Message{To: "ada@example.com", Subject: "s", Text: "t"})
	ap.do(t, "POST", "reset", `{}`, http.StatusOK, nil)
	if n := len(ap.mail.Messages()); n != 0 {
		t.Errorf("%d messages after reset", n)
	}
	if off := ap.clock.Offset(); off != 0 {
		t.Errorf("clock offset %v after reset", off)
	}
	if f := ap.store.PendingFaults(); len(f) != 0 {
		t.Errorf("faults %v after reset", f)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	requireE2EBuild(t)
	good := newApp(t)
	otherClock := authe2e.NewClock()
	seed := func(context.Context, string) (string, error) { return "", nil }
	for name, cfg := range map[string]authe2e.Config{
		"no Auth":        {Clock: good.clock, Secret: secret, SeedUser: seed},
		"no Clock":       {Auth: good.a, Secret: secret, SeedUser: seed},
		"another clock":  {Auth: good.a, Clock: otherClock, Secret: secret, SeedUser: seed},
		"short secret":   {Auth: good.a, Clock: good.clock, Secret: "short", SeedUser: seed},
		"no SeedUser":    {Auth: good.a, Clock: good.clock, Secret: secret},
		"relative route": {Auth: good.a, Clock: good.clock, Secret: secret, SeedUser: seed, Prefix: "e2e/"},
	} {
		if _, err := authe2e.New(cfg); !errors.Is(err, authe2e.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

var _ = fakeauth.OpGetSession
