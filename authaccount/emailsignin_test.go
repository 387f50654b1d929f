package authaccount_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
)

// TestSignInLinkWorksInAnotherBrowser: the link signs in whichever
// browser opens it (the documented rule): asked for in one, opened in
// another that carries no cookie of the first.
func TestSignInLinkWorksInAnotherBrowser(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	asked := e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"})
	wantStatus(t, asked, http.StatusAccepted)
	if len(asked.Result().Cookies()) != 0 {
		t.Errorf("the request set cookies: %v", asked.Result().Cookies())
	}
	tok := tokenOf(t, e.mail.Last(t, "ada@example.com"))
	r := newRecorder()
	e.h.ServeHTTP(r, newGet("/sign-in/email?token="+tok))
	wantStatus(t, r, http.StatusSeeOther)
	if r.Header().Get("Location") != "/" {
		t.Errorf("Location %q, want /", r.Header().Get("Location"))
	}
	e.wantSignedIn(t, r, "ada@example.com")
	// Once only.
	wantStatus(t, e.do("GET", "/sign-in/email?token="+tok, nil), http.StatusBadRequest)
}

func TestSignInCodeIsBurnedAfterTooManyWrongCodes(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Codes = true })
	e.signUp(t, "ada@example.com", "correct horse")
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	m := e.mail.Last(t, "ada@example.com")
	code := codeOf(t, m)
	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	for i := range auth.DefaultMaxCodeAttempts {
		w := e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": wrong})
		if w.Code != http.StatusBadRequest {
			t.Fatalf("wrong code %d: status %d, want 400", i+1, w.Code)
		}
	}
	w := e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": code})
	wantStatus(t, w, http.StatusBadRequest)
	if e.sessionCookie(w) != nil {
		t.Error("the right code signed in after the attempts were used up")
	}
	// The link of the burned token is dead too.
	wantStatus(t, e.do("GET", "/sign-in/email?token="+tokenOf(t, m), nil), http.StatusBadRequest)
}

func TestSignInByCode(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Codes = true })
	e.signUp(t, "ada@example.com", "correct horse")
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	code := codeOf(t, e.mail.Last(t, "ada@example.com"))
	w := e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": code})
	wantStatus(t, w, http.StatusOK)
	if e.sessionCookie(w) == nil {
		t.Error("no session cookie")
	}
}

// TestSignInLinkForAGivenUpAddressIsRefused: the link went to an address
// the user has since changed; it must not sign in.
func TestSignInLinkForAGivenUpAddressIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "old@example.com", "correct horse")
	id := e.userID(t, "old@example.com")
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "old@example.com"}), http.StatusAccepted)
	tok := tokenOf(t, e.mail.Last(t, "old@example.com"))
	if err := e.a.DeleteKey(ctx, authaccount.EmailProvider, "old@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.CreateKey(ctx, id, auth.NewKey{ProviderID: authaccount.EmailProvider, ProviderUserID: "new@example.com"}); err != nil {
		t.Fatal(err)
	}
	w := e.do("GET", "/sign-in/email?token="+tok, nil)
	wantStatus(t, w, http.StatusBadRequest)
	if e.sessionCookie(w) != nil {
		t.Error("signed in by a link sent to an address the user gave up")
	}
}

// TestSignInLinkRaceHasOneWinner opens one link from several browsers at
// once: exactly one is signed in.
func TestSignInLinkRaceHasOneWinner(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	tok := tokenOf(t, e.mail.Last(t, "ada@example.com"))
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { codes <- e.do("GET", "/sign-in/email?token="+tok, nil).Code })
	}
	wg.Wait()
	close(codes)
	won := 0
	for c := range codes {
		switch c {
		case http.StatusSeeOther:
			won++
		case http.StatusBadRequest:
		default:
			t.Errorf("status %d", c)
		}
	}
	if won != 1 {
		t.Errorf("%d browsers signed in with one link, want 1", won)
	}
}
