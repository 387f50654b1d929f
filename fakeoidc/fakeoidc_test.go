package fakeoidc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// TestThirdPartyClientCompletesFlow is Must show 1: go-oidc with x/oauth2
// completes the code flow with PKCE over a real listener, verifies the ID
// token, reads the user's claims from userinfo (as from a certified
// provider, the ID token does not carry them), refreshes and ends the
// session at the provider, after which the session's refresh token and
// access token are refused.
func TestThirdPartyClientCompletesFlow(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	cb := e.authorize(t, "state-1", "nonce-1", verifier)
	if cb.Get("state") != "state-1" || cb.Get("code") == "" {
		t.Fatalf("callback query %v: want state-1 and a code", cb)
	}

	tok, idt, claims := e.exchange(t, cb.Get("code"), verifier)
	if email, ok := claims["email"]; idt.Subject != "alice" || idt.Nonce != "nonce-1" || ok {
		t.Fatalf("ID token: sub %q nonce %q email %v, want alice, nonce-1 and no email", idt.Subject, idt.Nonce, email)
	}
	raw, _ := tok.Extra("id_token").(string)
	if !idt.IssuedAt.Equal(e.clock.Now()) {
		t.Errorf("iat %v, want the provider clock's %v", idt.IssuedAt, e.clock.Now())
	}

	ui, err := e.op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != "alice" || ui.Email != "alice@example.com" || !ui.EmailVerified {
		t.Fatalf("userinfo: %+v, %v", ui, err)
	}

	// Refresh (a token without an access token makes x/oauth2 refresh).
	e.clock.Advance(2 * time.Hour) // the first ID token has expired on the shared clock
	if _, err := e.verifier().Verify(ctx, raw); err == nil {
		t.Fatal("the first ID token still verifies two hours later on the provider clock")
	}
	tok2, err := e.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok2.AccessToken == tok.AccessToken || tok2.RefreshToken == tok.RefreshToken {
		t.Fatal("refresh returned the old tokens")
	}
	raw2, _ := tok2.Extra("id_token").(string)
	if idt2, err := e.verifier().Verify(ctx, raw2); err != nil || idt2.Subject != "alice" {
		t.Fatalf("refreshed ID token: %v", err)
	}
	if _, err := e.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Fatal("the rotated-out refresh token still works")
	}

	// End the session at the provider (RP-initiated logout).
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := e.op.Claims(&meta); err != nil || meta.EndSession == "" {
		t.Fatalf("discovery has no end_session_endpoint: %v", err)
	}
	q := url.Values{"id_token_hint": {raw2}, "post_logout_redirect_uri": {afterLogout}, "state": {"bye"}}
	resp, err := noRedirect.Get(meta.EndSession + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != afterLogout+"?state=bye" {
		t.Fatalf("end session: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, err = e.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("refresh after end session: %v, want invalid_grant", err)
	}
	if _, err := e.op.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err == nil {
		t.Fatal("userinfo answers for an access token of an ended session")
	}
}

func TestCodeIsSingleUseAndExpires(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	v := oauth2.GenerateVerifier()
	code := e.authorize(t, "s", "n", v).Get("code")
	tok, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	wantGrantError(t, "replayed code", func() error { _, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); return err })
	// RFC 6749 4.1.2: a replayed code revokes the tokens it gave.
	if _, err := e.op.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token of a replayed code still works")
	}

	code = e.authorize(t, "s", "n", v).Get("code")
	e.clock.Advance(time.Minute)
	wantGrantError(t, "code a minute old", func() error { _, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); return err })

	code = e.authorize(t, "s", "n", v).Get("code")
	wantGrantError(t, "wrong verifier", func() error {
		_, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		return err
	})
	code = e.authorize(t, "s", "n", v).Get("code")
	wantGrantError(t, "no verifier", func() error { _, err := e.conf.Exchange(ctx, code); return err })
}

func wantGrantError(t *testing.T, what string, do func() error) {
	t.Helper()
	var re *oauth2.RetrieveError
	if err := do(); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("%s: %v, want invalid_grant", what, err)
	}
}

func TestClientAuthentication(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		conf := e.conf
		conf.Endpoint.AuthStyle = style
		v := oauth2.GenerateVerifier()
		if _, err := conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v)); err != nil {
			t.Errorf("auth style %d: %v", style, err)
		}
		conf.ClientSecret = "wrong"
		_, err := conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
			t.Errorf("auth style %d with a wrong secret: %v, want 401 invalid_client", style, err)
		}
	}
}

func TestRevocation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	v := oauth2.GenerateVerifier()
	tok, err := e.conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}
	req, _ := http.NewRequest("POST", e.p.URL(fakeoidc.Revoke), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, clientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	wantGrantError(t, "revoked refresh token", func() error {
		_, err := e.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		return err
	})
	if _, err := e.op.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token of a revoked refresh token still works")
	}
}

func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	exchange := func() string {
		v := oauth2.GenerateVerifier()
		tok, err := e.conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		return raw
	}
	old := exchange()
	ver := e.verifier()
	if _, err := ver.Verify(ctx, old); err != nil { // the verifier caches the first key set
		t.Fatal(err)
	}
	before := e.p.KeyIDs()
	if err := e.p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	after := e.p.KeyIDs()
	if len(after) != 2 || after[0] != before[0] || after[1] == before[0] {
		t.Fatalf("key IDs %v after rotating %v", after, before)
	}
	// go-oidc publishes a key set fetch's result before it clears the
	// fetch, so a refresh asked for just after one (under load) can get
	// the previous keys once; a client verifies again, as authoidc does.
	fresh := exchange()
	_, err := ver.Verify(ctx, fresh)
	for try := 0; err != nil && try < 3; try++ {
		runtime.Gosched()
		_, err = ver.Verify(ctx, fresh)
	}
	if err != nil {
		t.Errorf("a token signed by the new key: %v", err)
	}
	if _, err := ver.Verify(ctx, old); err != nil {
		t.Errorf("a token signed by the previous key: %v", err)
	}
}

// TestIDTokenFaults checks that each ID token fault makes a token go-oidc
// (or, for iat, a careful client) refuses, with every signing algorithm,
// and hits only the token endpoint.
func TestIDTokenFaults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		fault fakeoidc.Fault
		check func(*oidc.IDToken, error) error
	}{
		{fakeoidc.UnknownSigningKey(), wantVerifyError},
		{fakeoidc.WrongAudience(), wantVerifyError},
		{fakeoidc.WrongIssuer(), wantVerifyError},
		{fakeoidc.ExpiredIDToken(), wantVerifyError},
		{fakeoidc.NonceMismatch(), func(idt *oidc.IDToken, err error) error {
			if err != nil || idt.Nonce == "n" {
				return fmt.Errorf("nonce %v, err %v: want a verified token with another nonce", idt, err)
			}
			return nil
		}},
		{fakeoidc.IssuedInFuture(10 * time.Minute), func(idt *oidc.IDToken, err error) error {
			if err != nil || idt.IssuedAt.Sub(fakeoidcNow) != 10*time.Minute {
				return fmt.Errorf("iat %v, err %v: want ten minutes ahead", idt, err)
			}
			return nil
		}},
	} {
		for _, alg := range fakeoidc.SigningAlgorithms() {
			t.Run(alg+"/"+tc.fault.String(), func(t *testing.T) {
				e := newEnv(t, fakeoidc.WithSigningAlgorithm(alg))
				if err := e.p.FailNext(fakeoidc.UserInfo, 1, tc.fault); !errors.Is(err, fakeoidc.ErrBadFault) {
					t.Errorf("aimed at userinfo: %v, want ErrBadFault", err)
				}
				if err := e.p.FailNext(fakeoidc.Token, 1, tc.fault); err != nil {
					t.Fatal(err)
				}
				v := oauth2.GenerateVerifier()
				tok, err := e.conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v))
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := tok.Extra("id_token").(string)
				if got := headerAlg(t, raw); got != alg {
					t.Errorf("the spoiled ID token is signed with %s, want %s", got, alg)
				}
				if err := tc.check(e.verifier().Verify(ctx, raw)); err != nil {
					t.Error(err)
				}
				var faulted []string
				for _, c := range e.p.Calls() {
					if c.Fault != "" {
						faulted = append(faulted, fmt.Sprintf("%s %s", c.Endpoint, c.Fault))
					}
				}
				if want := "token " + tc.fault.String(); len(faulted) != 1 || faulted[0] != want {
					t.Errorf("faulted calls %q, want [%q]", faulted, want)
				}
				// Spent: the next token is good.
				tok, err = e.conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v))
				if err != nil {
					t.Fatal(err)
				}
				raw, _ = tok.Extra("id_token").(string)
				if idt, err := e.verifier().Verify(ctx, raw); err != nil || idt.Nonce != "n" || !idt.IssuedAt.Equal(e.clock.Now()) {
					t.Errorf("the next token: %v", err)
				}
			})
		}
	}
}

// fakeoidcNow is where newEnv's clocks start.
var fakeoidcNow = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)

func wantVerifyError(_ *oidc.IDToken, err error) error {
	if err == nil {
		return errors.New("go-oidc verified the spoiled token")
	}
	return nil
}

func TestAnswerFaultsHitOneEndpoint(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	v := oauth2.GenerateVerifier()
	if err := e.p.FailNext(fakeoidc.Token, 2, fakeoidc.ServerError(503)); err != nil {
		t.Fatal(err)
	}
	// The authorize endpoint is not hit by a token fault.
	code := e.authorize(t, "s", "n", v).Get("code")
	for i := range 2 {
		_, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(v))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response.StatusCode != 503 {
			t.Fatalf("exchange %d: %v, want 503", i, err)
		}
	}
	if len(e.p.PendingFaults()) != 0 {
		t.Fatalf("pending faults %v after two hits", e.p.PendingFaults())
	}
	if _, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("the code was spent by a faulted request: %v", err)
	}

	if err := e.p.FailNext(fakeoidc.Token, 1, fakeoidc.MalformedBody()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conf.Exchange(ctx, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v)); err == nil {
		t.Error("a malformed token body was accepted")
	}

	if err := e.p.FailNext(fakeoidc.Authorize, 1, fakeoidc.OAuthError("access_denied")); err != nil {
		t.Fatal(err)
	}
	if q := e.authorize(t, "s", "n", v); q.Get("error") != "access_denied" || q.Get("state") != "s" || q.Get("code") != "" {
		t.Errorf("authorize with access_denied: %v", q)
	}

	// A delay outlasts a client's timeout, and costs only that timeout.
	if err := e.p.FailNext(fakeoidc.Token, 1, fakeoidc.Delay(time.Hour)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := e.conf.Exchange(short, e.authorize(t, "s", "n", v).Get("code"), oauth2.VerifierOption(v))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed exchange: %v, want a deadline error", err)
	}
}

// TestCallLogHasNoSecrets runs every endpoint and checks that no code,
// token, secret, verifier, state or nonce is in the call log.
func TestCallLogHasNoSecrets(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	v := oauth2.GenerateVerifier()
	state, nonce := "state-c0ffee-secret", "nonce-c0ffee-secret"
	cb := e.authorize(t, state, nonce, v)
	tok, err := e.conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	tok2, err := e.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.op.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err != nil {
		t.Fatal(err)
	}
	resp, err := noRedirect.Get(e.p.URL(fakeoidc.EndSession) + "?id_token_hint=" + url.QueryEscape(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	secrets := map[string]string{
		"code": cb.Get("code"), "verifier": v, "challenge": oauth2.S256ChallengeFromVerifier(v),
		"client secret": clientSecret, "state": state, "nonce": nonce,
		"access token": tok.AccessToken, "refresh token": tok.RefreshToken, "id token": raw,
		"refreshed access token": tok2.AccessToken, "refreshed refresh token": tok2.RefreshToken,
	}
	calls := e.p.Calls()
	if len(calls) < 6 {
		t.Fatalf("%d calls logged, want discovery, jwks-free flow of at least 6", len(calls))
	}
	var log strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&log, "%s\n%#v\n", c, c)
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(log.String(), s) {
			t.Errorf("the call log holds the %s", what)
		}
	}
	for _, want := range []string{"GET authorize client=app", "code_verifier", "grant_type=authorization_code", "grant_type=refresh_token", "Authorization", "GET userinfo", "GET end_session"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the call log lacks %q:\n%s", want, log.String())
		}
	}
}

// TestConsentPage submits the consent page's form as a browser would:
// its fields and the button pressed.
func TestConsentPage(t *testing.T) {
	e := newEnv(t)
	if err := e.p.SetLogin(""); err != nil {
		t.Fatal(err)
	}
	v := oauth2.GenerateVerifier()
	for _, tc := range []struct{ button, value, want string }{{"login", "alice", "code"}, {"deny", "1", "error"}} {
		resp, err := noRedirect.Get(e.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		resp.Body.Close()
		page := authtest.ParseHTML(t, body)
		if resp.StatusCode != http.StatusOK || !page.Has(`#consent button[name="login"][value="alice"]`) || !page.Has(`#consent button#deny`) {
			t.Fatalf("consent page: %d\n%s", resp.StatusCode, body)
		}
		form := page.Form("#consent")
		form.Fields.Set(tc.button, tc.value)
		resp, err = noRedirect.PostForm(form.Action, form.Fields)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get(tc.want) == "" || loc.Query().Get("state") != "s" {
			t.Errorf("consent %s: %d to %q, want a redirect with %s and the state", tc.button, resp.StatusCode, resp.Header.Get("Location"), tc.want)
		}
	}
}

func TestAuthorizeRefusesUnregisteredRedirect(t *testing.T) {
	e := newEnv(t)
	conf := e.conf
	conf.RedirectURL = "https://evil.example/callback"
	resp, err := noRedirect.Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("unregistered redirect: %d to %q, want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = noRedirect.Get(e.conf.AuthCodeURL("s")) // no PKCE
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("no PKCE: redirected to %q, want error=invalid_request", loc)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	p, err := fakeoidc.New(fakeoidc.WithIssuer("http://127.0.0.1:8080/oidc"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oidc/", p)
	for path, want := range map[string]int{"/oidc/.well-known/openid-configuration": 200, "/oidc/jwks": 200, "/jwks": 404, "/oidc/nope": 404} {
		rec := newRecorder()
		mux.ServeHTTP(rec, mustRequest(t, "GET", "http://127.0.0.1:8080"+path))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}

func TestInProcessClient(t *testing.T) {
	ctx := context.Background()
	p, err := fakeoidc.New(fakeoidc.WithIssuer("http://playground.invalid/oidc"))
	if err != nil {
		t.Fatal(err)
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.Client()), p.Issuer())
	if err != nil {
		t.Fatalf("discovery in process: %v", err)
	}
	if op.Endpoint().TokenURL != "http://playground.invalid/oidc/token" {
		t.Errorf("token URL %q", op.Endpoint().TokenURL)
	}
	if err := p.FailNext(fakeoidc.Discovery, 1, fakeoidc.Delay(time.Hour)); err != nil {
		t.Fatal(err)
	}
	hc := p.Client()
	hc.Timeout = 20 * time.Millisecond
	if _, err := oidc.NewProvider(oidc.ClientContext(ctx, hc), p.Issuer()); err == nil {
		t.Error("a delayed discovery outlasting the client's timeout succeeded")
	}
}
