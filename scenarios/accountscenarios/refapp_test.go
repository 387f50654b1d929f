package accountscenarios_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
)

// A bug is one mistake a hand-written account app makes, as real apps
// have made it. The reference app with no bug passes every case.
type bug int

const (
	resetKeepsSessions     bug = 1 << iota // a password reset leaves the user's other sessions alive
	tokenReusable                          // a redeemed token is not deleted
	tokenNeverExpires                      // the token's expiry is never checked
	enumerationStatus                      // an unknown address answers 404
	enumerationWording                     // an unknown address answers 202 with other words
	noThrottle                             // no attempt is ever refused
	codeInClear                            // the code is stored as sent and compared with ==
	tokenLogged                            // the link token is written to the log
	tokenEchoed                            // the verification's JSON answer repeats the token
	purposeIgnored                         // a token of any purpose is accepted
	verifiesCurrentAddress                 // verification marks the account's current address, not the token's
	tokenKeptOnSendFailure                 // a token whose mail failed stays redeemable
	codeAttemptsUnlimited                  // wrong codes never burn the token
	refusalReasons                         // an expired reset link says so, unlike an unknown one
)

// refApp is a hand-written account app on its own maps: users, one-time
// tokens (stored as SHA-256 hashes) and throttle counters, with sessions
// in the fake's Auth. It follows the HTTP contract the cases drive.
type refApp struct {
	env  *accountscenarios.Env
	bugs bug

	mu             sync.Mutex
	users          map[string]*refUser // by lowercase email
	byID           map[string]*refUser
	tokens         map[string]*refToken // by ID: SHA-256 of the link token
	counters       map[string]*refCounter
	failTokenWrite bool
	dummyHash      []byte
}

type refUser struct {
	id, email string
	salt      []byte
	hash      []byte
	verified  bool
}

// refToken is what the app stores about a token: never the token.
type refToken struct {
	ID        string `json:"id"`
	Purpose   string `json:"purpose"`
	UserID    string `json:"user_id"`
	Address   string `json:"address"`
	CodeHash  string `json:"code_hash,omitempty"`
	Code      string `json:"code,omitempty"` // only with the codeInClear bug
	Attempts  int    `json:"attempts"`
	ExpiresAt time.Time
}

type refCounter struct {
	n       int
	resetAt time.Time
}

const (
	purposeVerify = "verify-email"
	purposeReset  = "reset-password"
	purposeSignIn = "sign-in"
	maxAttempts   = 5
)

var refTTL = map[string]time.Duration{purposeVerify: 24 * time.Hour, purposeReset: 15 * time.Minute, purposeSignIn: 15 * time.Minute}

// refLimits are the throttles the reference app applies and claims.
var refLimits = accountscenarios.Limits{
	SignIn:       accountscenarios.Limit{N: 5, Window: 15 * time.Minute},
	EmailRequest: accountscenarios.Limit{N: 3, Window: time.Hour},
	Code:         accountscenarios.Limit{N: 10, Window: 15 * time.Minute},
}

// refTarget describes the reference app with bugs.
func refTarget(bugs bug) accountscenarios.Target {
	app := func(env *accountscenarios.Env) *refApp { return env.App.(*refApp) }
	return accountscenarios.Target{
		Handler: func(env *accountscenarios.Env) (http.Handler, error) {
			a := &refApp{env: env, bugs: bugs, users: map[string]*refUser{}, byID: map[string]*refUser{},
				tokens: map[string]*refToken{}, counters: map[string]*refCounter{}}
			a.dummyHash = hashPassword("not a password of anyone", []byte("dummy-salt-16-by"))
			env.App = a
			return authrequest.MustMiddleware(env.Fake.Auth)(a.routes()), nil
		},
		NewFake: func() (*fakeauth.Fake, error) { return fakeauth.New(fakeauth.WithAppUsers()) },
		SeedAccount: func(_ context.Context, env *accountscenarios.Env, acc accountscenarios.Account) (string, error) {
			return app(env).createUser(acc.Email, acc.Password, acc.Verified)
		},
		IsVerified: func(_ context.Context, env *accountscenarios.Env, address string) (bool, error) {
			a := app(env)
			a.mu.Lock()
			defer a.mu.Unlock()
			u := a.users[strings.ToLower(address)]
			return u != nil && u.verified, nil
		},
		ChangeAddress: func(_ context.Context, env *accountscenarios.Env, userID, addr string) error {
			a := app(env)
			a.mu.Lock()
			defer a.mu.Unlock()
			u := a.byID[userID]
			if u == nil {
				return errors.New("no such user")
			}
			delete(a.users, strings.ToLower(u.email))
			u.email, u.verified = addr, false
			a.users[strings.ToLower(addr)] = u
			return nil
		},
		DumpStore: func(_ context.Context, env *accountscenarios.Env) ([]byte, error) {
			a := app(env)
			a.mu.Lock()
			defer a.mu.Unlock()
			return json.Marshal(a.tokens)
		},
		FailTokenWrite: func(env *accountscenarios.Env) error {
			a := app(env)
			a.mu.Lock()
			defer a.mu.Unlock()
			a.failTokenWrite = true
			return nil
		},
		SessionPath: "/me",
		Codes:       true,
		TTLs:        accountscenarios.TTLs{Verify: refTTL[purposeVerify], Reset: refTTL[purposeReset], SignIn: refTTL[purposeSignIn]},
		Limits:      refLimits,
	}
}

func (a *refApp) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sign-up", a.signUp)
	mux.HandleFunc("POST /verify-email/request", a.requestMail(purposeVerify))
	mux.HandleFunc("GET /verify-email", a.verify)
	mux.HandleFunc("POST /verify-email", a.verify)
	mux.HandleFunc("POST /reset-password/request", a.requestMail(purposeReset))
	mux.HandleFunc("POST /reset-password", a.reset)
	mux.HandleFunc("POST /sign-in/email/request", a.requestMail(purposeSignIn))
	mux.HandleFunc("GET /sign-in/email", a.signInLink)
	mux.HandleFunc("POST /sign-in/email", a.signInCode)
	mux.HandleFunc("POST /sign-in", a.signIn)
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		s, err := authrequest.FromContext(r.Context()).Session()
		if err != nil || s == nil {
			writeJSON(w, max(authrequest.StatusCode(err), http.StatusUnauthorized), map[string]string{"error": "not signed in"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"user": s.UserID})
	})
	return mux
}

func (a *refApp) has(b bug) bool { return a.bugs&b != 0 }

func hashPassword(password string, salt []byte) []byte {
	return argon2.IDKey([]byte(password), salt, 1, 64, 1, 32)
}

func (a *refApp) createUser(email, password string, verified bool) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.users[strings.ToLower(email)] != nil {
		return "", errors.New("duplicate email")
	}
	u := &refUser{id: fmt.Sprintf("u%d", len(a.byID)+1), email: email, salt: salt, hash: hashPassword(password, salt), verified: verified}
	a.users[strings.ToLower(email)] = u
	a.byID[u.id] = u
	return u.id, nil
}

func (a *refApp) user(email string) *refUser {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[strings.ToLower(strings.TrimSpace(email))]
}

// fields reads a JSON or form body.
func fields(r *http.Request) map[string]string {
	f := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.NewDecoder(r.Body).Decode(&f)
		return f
	}
	r.ParseForm()
	for k := range r.Form {
		f[k] = r.Form.Get(k)
	}
	return f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var (
	sent       = map[string]string{"status": "If the address has an account, we sent it a message."}
	invalid    = map[string]string{"error": "This link or code is invalid or has expired."}
	unsendable = map[string]string{"error": "We could not send the message. Try again later."}
	storeDown  = map[string]string{"error": "Temporarily unavailable. Try again later."}
)

// throttled counts an attempt under key and, past the limit, answers 429
// with Retry-After: whole seconds, rounded up past the window's last
// instant, which is still inside it.
func (a *refApp) throttled(w http.ResponseWriter, key string, l accountscenarios.Limit) bool {
	if a.has(noThrottle) {
		return false
	}
	now := a.env.Fake.Clock.Now()
	a.mu.Lock()
	c := a.counters[key]
	if c == nil || now.After(c.resetAt) {
		c = &refCounter{resetAt: now.Add(l.Window)}
		a.counters[key] = c
	}
	c.n++
	n, resetAt := c.n, c.resetAt
	a.mu.Unlock()
	if n <= l.N {
		return false
	}
	w.Header().Set("Retry-After", strconv.FormatInt(int64(resetAt.Sub(now)/time.Second)+1, 10))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too many attempts. Try again later."})
	return true
}

func newLinkToken() string {
	b := make([]byte, 20)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000))
	return fmt.Sprintf("%08d", n)
}

func codeHash(id, code string) string {
	h := sha256.Sum256([]byte(id + ":" + code))
	return hex.EncodeToString(h[:])
}

// issue stores a new token of purpose for u, replacing the older ones,
// and returns the token and code.
func (a *refApp) issue(u *refUser, purpose string) (id, token, code string, err error) {
	token, code = newLinkToken(), newCode()
	id = auth.SessionID(token)
	t := &refToken{ID: id, Purpose: purpose, UserID: u.id, Address: u.email, CodeHash: codeHash(id, code),
		ExpiresAt: a.env.Fake.Clock.Now().Add(refTTL[purpose])}
	if a.has(codeInClear) {
		t.CodeHash, t.Code = "", code
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failTokenWrite {
		a.failTokenWrite = false
		return "", "", "", errors.New("token store down")
	}
	for k, old := range a.tokens {
		if old.UserID == u.id && old.Purpose == purpose {
			delete(a.tokens, k)
		}
	}
	a.tokens[id] = t
	if a.has(tokenLogged) {
		a.env.Logger.Info("issued token", "purpose", purpose, "user", u.id, "token", token)
	} else {
		a.env.Logger.Info("issued token", "purpose", purpose, "user", u.id, "id", id[:8])
	}
	return id, token, code, nil
}

func (a *refApp) revoke(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.tokens, id)
}

var paths = map[string]string{purposeVerify: "/verify-email", purposeReset: "/reset-password", purposeSignIn: "/sign-in/email"}

// requestMail serves the three "mail me a link" routes.
func (a *refApp) requestMail(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		email := strings.TrimSpace(fields(r)["email"])
		if email == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "An email address is required."})
			return
		}
		if a.throttled(w, purpose+":"+strings.ToLower(email), refLimits.EmailRequest) {
			return
		}
		u := a.user(email)
		if u == nil || (purpose == purposeVerify && u.verified) {
			if u == nil && a.has(enumerationStatus) {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "No account has this address."})
				return
			}
			// The same work and the same answer as for an account:
			// a message the address's owner can ignore.
			err := a.env.Sender.Send(r.Context(), authmail.Message{To: email, Subject: "Your request",
				Text: "Someone asked for a link for this address, but it has no account here. You can ignore this message."})
			if err != nil {
				writeJSON(w, http.StatusServiceUnavailable, unsendable)
				return
			}
			if u == nil && a.has(enumerationWording) {
				writeJSON(w, http.StatusAccepted, map[string]string{"status": "No account has this address."})
				return
			}
			writeJSON(w, http.StatusAccepted, sent)
			return
		}
		id, token, code, err := a.issue(u, purpose)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, storeDown)
			return
		}
		link := a.env.BaseURL + paths[purpose] + "?token=" + token
		text := "Open this link: " + link + "\n"
		if purpose == purposeSignIn || purpose == purposeReset {
			text += "Or enter this code: " + code + "\n"
		}
		if err := a.env.Sender.Send(r.Context(), authmail.Message{To: u.email, Subject: "Your link", Text: text}); err != nil {
			if !a.has(tokenKeptOnSendFailure) {
				a.revoke(id)
			}
			writeJSON(w, http.StatusServiceUnavailable, unsendable)
			return
		}
		writeJSON(w, http.StatusAccepted, sent)
	}
}

// consume redeems a link token for purpose: the token's record, or nil.
func (a *refApp) consume(purpose, token string) *refToken {
	if !auth.ValidToken(token) {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tokens[auth.SessionID(token)]
	if t == nil || (t.Purpose != purpose && !a.has(purposeIgnored)) {
		return nil
	}
	if !a.has(tokenNeverExpires) && a.env.Fake.Clock.Now().After(t.ExpiresAt) {
		delete(a.tokens, t.ID)
		if a.has(refusalReasons) {
			return expired
		}
		return nil
	}
	if !a.has(tokenReusable) {
		delete(a.tokens, t.ID)
	}
	return t
}

// expired is what consume returns for an expired token with the
// refusalReasons bug.
var expired = &refToken{}

// consumeCode redeems the code of the user's token of purpose.
func (a *refApp) consumeCode(purpose, email, code string) *refToken {
	u := a.user(email)
	if u == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var t *refToken
	for _, c := range a.tokens {
		if c.UserID == u.id && c.Purpose == purpose {
			t = c
		}
	}
	if t == nil {
		return nil
	}
	if !a.has(tokenNeverExpires) && a.env.Fake.Clock.Now().After(t.ExpiresAt) {
		delete(a.tokens, t.ID)
		return nil
	}
	t.Attempts++
	if t.Attempts > maxAttempts && !a.has(codeAttemptsUnlimited) {
		delete(a.tokens, t.ID)
		return nil
	}
	var ok bool
	if a.has(codeInClear) {
		ok = t.Code == code
	} else {
		ok = t.CodeHash != "" && subtle.ConstantTimeCompare([]byte(t.CodeHash), []byte(codeHash(t.ID, code))) == 1
	}
	if !ok {
		return nil
	}
	if !a.has(tokenReusable) {
		delete(a.tokens, t.ID)
	}
	return t
}

func (a *refApp) verify(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if r.Method == http.MethodPost {
		token = fields(r)["token"]
	}
	t := a.consume(purposeVerify, token)
	if t == nil {
		writeJSON(w, http.StatusBadRequest, invalid)
		return
	}
	a.mu.Lock()
	u := a.byID[t.UserID]
	// The token confirms the address it was sent to, and no other.
	ok := u != nil && (strings.EqualFold(u.email, t.Address) || a.has(verifiesCurrentAddress))
	if ok {
		u.verified = true
	}
	a.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, invalid)
		return
	}
	if a.has(tokenEchoed) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "verified", "token": token})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "verified"})
}

func (a *refApp) reset(w http.ResponseWriter, r *http.Request) {
	f := fields(r)
	if len(f["password"]) < 12 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "The password needs at least 12 characters."})
		return
	}
	var t *refToken
	if f["token"] != "" {
		t = a.consume(purposeReset, f["token"])
	} else {
		t = a.consumeCode(purposeReset, f["email"], f["code"])
	}
	if t == expired {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "This link has expired. Ask for a new one."})
		return
	}
	if t == nil {
		writeJSON(w, http.StatusBadRequest, invalid)
		return
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	a.mu.Lock()
	if u := a.byID[t.UserID]; u != nil {
		u.salt, u.hash = salt, hashPassword(f["password"], salt)
	}
	for k, o := range a.tokens {
		if o.UserID == t.UserID {
			delete(a.tokens, k)
		}
	}
	a.mu.Unlock()
	if !a.has(resetKeepsSessions) {
		// OWASP Forgot Password Cheat Sheet: end every session.
		if err := a.env.Fake.Auth.InvalidateUserSessions(r.Context(), t.UserID); err != nil {
			writeJSON(w, authrequest.StatusCode(err), storeDown)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "Your password was changed."})
}

// signedIn signs the browser in as the redeemed token's user; false when
// the token was refused or the session could not start (answered).
func (a *refApp) signedIn(w http.ResponseWriter, r *http.Request, t *refToken) bool {
	if t == nil {
		writeJSON(w, http.StatusBadRequest, invalid)
		return false
	}
	if _, err := authrequest.FromContext(r.Context()).SignIn(t.UserID); err != nil {
		writeJSON(w, authrequest.StatusCode(err), storeDown)
		return false
	}
	return true
}

func (a *refApp) signInLink(w http.ResponseWriter, r *http.Request) {
	if a.signedIn(w, r, a.consume(purposeSignIn, r.URL.Query().Get("token"))) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

func (a *refApp) signInCode(w http.ResponseWriter, r *http.Request) {
	if a.throttled(w, "code:"+authrequest.FromContext(r.Context()).ClientIP(), refLimits.Code) {
		return
	}
	f := fields(r)
	if a.signedIn(w, r, a.consumeCode(purposeSignIn, f["email"], f["code"])) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "signed in"})
	}
}

func (a *refApp) signIn(w http.ResponseWriter, r *http.Request) {
	f := fields(r)
	email := strings.ToLower(strings.TrimSpace(f["email"]))
	key := "sign-in:" + email
	if a.throttled(w, key, refLimits.SignIn) {
		return
	}
	u := a.user(email)
	salt, want := []byte("dummy-salt-16-by"), a.dummyHash
	if u != nil {
		a.mu.Lock()
		salt, want = u.salt, u.hash
		a.mu.Unlock()
	}
	match := subtle.ConstantTimeCompare(hashPassword(f["password"], salt), want) == 1
	if u == nil || !match {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Wrong email or password."})
		return
	}
	a.mu.Lock()
	delete(a.counters, key)
	a.mu.Unlock()
	if _, err := authrequest.FromContext(r.Context()).SignIn(u.id); err != nil {
		writeJSON(w, authrequest.StatusCode(err), storeDown)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "signed in"})
}

func (a *refApp) signUp(w http.ResponseWriter, r *http.Request) {
	f := fields(r)
	email := strings.TrimSpace(f["email"])
	if !strings.Contains(email, "@") || len(f["password"]) < 12 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "An email address and a password of 12 characters or more are required."})
		return
	}
	created := map[string]string{"status": "Check your email to confirm your address."}
	if a.user(email) != nil {
		// The owner is told; the answer is the one for a new account.
		err := a.env.Sender.Send(r.Context(), authmail.Message{To: email, Subject: "Sign-up attempt",
			Text: "Someone tried to sign up with this address, which already has an account."})
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, unsendable)
			return
		}
		writeJSON(w, http.StatusCreated, created)
		return
	}
	id, err := a.createUser(email, f["password"], false)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, storeDown)
		return
	}
	u := a.user(email)
	tid, token, _, err := a.issue(u, purposeVerify)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, storeDown)
		return
	}
	_ = id
	if err := a.env.Sender.Send(r.Context(), authmail.Message{To: email, Subject: "Confirm your address",
		Text: "Open this link: " + a.env.BaseURL + "/verify-email?token=" + token + "\n"}); err != nil {
		a.revoke(tid)
		writeJSON(w, http.StatusServiceUnavailable, unsendable)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}
