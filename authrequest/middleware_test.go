package authrequest_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

func TestMiddlewareRejectsCrossOrigin(t *testing.T) {
	e, s := newSignedIn(t)
	called := false
	h := authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		called = false
		r := request(method, "http://example.com/transfer", s.Token)
		r.Header.Set("Origin", "https://evil.example")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusForbidden || called || cookieOutcome(t, rec) != "untouched" {
			t.Errorf("%s from evil.example: status %d, handler called %v, cookie %s; want 403, false, untouched", method, rec.Code, called, cookieOutcome(t, rec))
		}
	}
	// Safe methods pass whatever their origin.
	for _, method := range []string{"GET", "HEAD", "OPTIONS", "TRACE"} {
		called = false
		r := request(method, "http://example.com/", s.Token)
		r.Header.Set("Origin", "https://evil.example")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if !called {
			t.Errorf("%s cross-site was not passed on", method)
		}
	}
	e.checkNoStoreCalls(t, "cross-origin requests")
}

func TestMiddlewareCrossOriginOptions(t *testing.T) {
	e, s := newSignedIn(t)
	var got error
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		sess, err := ar.Session()
		if sess != nil || err != nil {
			t.Errorf("passed-through cross-origin request got session %v, %v", sess, err)
		}
		got = ar.ClearSession()
		w.WriteHeader(http.StatusAccepted)
	})
	r := request("POST", "http://example.com/", s.Token)
	r.Header.Set("Origin", "https://evil.example")
	rec := httptest.NewRecorder()
	authrequest.MustMiddleware(e.a, authrequest.WithCrossOriginPassThrough())(next).ServeHTTP(rec, r)
	if rec.Code != http.StatusAccepted || !errors.Is(got, authrequest.ErrCrossOrigin) || cookieOutcome(t, rec) != "untouched" {
		t.Errorf("pass-through: status %d, ClearSession %v, cookie %s", rec.Code, got, cookieOutcome(t, rec))
	}

	rec = httptest.NewRecorder()
	teapot := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	authrequest.MustMiddleware(e.a, authrequest.WithCrossOriginHandler(teapot))(next).ServeHTTP(rec, r)
	if rec.Code != http.StatusTeapot {
		t.Errorf("custom handler: status %d", rec.Code)
	}

	rec = httptest.NewRecorder()
	authrequest.MustMiddleware(e.a, authrequest.WithTrustedOrigins("https://evil.example"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, _ := authrequest.FromContext(r.Context()).Session(); s == nil {
			t.Error("trusted origin got no session")
		}
	})).ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Errorf("trusted origin: status %d", rec.Code)
	}

	if _, err := authrequest.Middleware(e.a, authrequest.WithTrustedOrigins("not an origin")); err == nil {
		t.Error("a malformed trusted origin was accepted")
	}
}

func TestMiddlewareHeadersWritten(t *testing.T) {
	e, s := newSignedIn(t)
	var setErr, sessErr error
	h := authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		io.WriteString(w, "body first")
		setErr = ar.SetSession(s)
		_, sessErr = ar.Session()
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request("GET", "/", ""))
	if !errors.Is(setErr, authrequest.ErrHeadersWritten) {
		t.Errorf("SetSession after the body = %v, want ErrHeadersWritten", setErr)
	}
	if sessErr != nil {
		t.Errorf("Session without a cookie = %v", sessErr)
	}

	// An idle session whose renewed cookie can't be sent any more.
	e.clock.Set(s.ActiveExpiresAt.Add(time.Hour))
	rec = httptest.NewRecorder()
	h = authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		sess, err := authrequest.FromContext(r.Context()).Session()
		if sess == nil || !errors.Is(err, authrequest.ErrHeadersWritten) {
			t.Errorf("renewal after WriteHeader: %v, %v; want the session and ErrHeadersWritten", sess, err)
		}
	}))
	h.ServeHTTP(rec, request("GET", "/", s.Token))

	// 103 Early Hints does not close the headers.
	rec = httptest.NewRecorder()
	h = authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		if err := authrequest.FromContext(r.Context()).ClearSession(); err != nil {
			t.Errorf("ClearSession after 103: %v", err)
		}
	}))
	h.ServeHTTP(rec, request("GET", "/", ""))
}

func TestMiddlewareWriterKeepsInterfaces(t *testing.T) {
	e, s := newSignedIn(t)
	h := authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flush":
			if _, ok := w.(http.Flusher); !ok {
				t.Error("writer is not an http.Flusher")
			}
			io.WriteString(w, "a")
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("ResponseController.Flush: %v", err)
			}
			if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
				t.Errorf("ResponseController.SetWriteDeadline: %v", err)
			}
			io.WriteString(w, "b")
		case "/hijack":
			if s, _ := authrequest.FromContext(r.Context()).Session(); s == nil {
				t.Error("no session")
			}
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
			brw.Flush()
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/flush")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ab" {
		t.Errorf("flush body = %q", body)
	}

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /hijack HTTP/1.1\r\nHost: x\r\nCookie: auth_session="+s.Token+"\r\n\r\n")
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if string(body) != "hijacked" {
		t.Errorf("hijack body = %q", body)
	}
}

func TestOriginCheck(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		method  string
		host    string
		header  map[string]string
		tls     bool
		opts    []authrequest.Option
		wantErr bool
	}{
		{"no headers (not a browser)", "POST", "app.example", nil, false, nil, false},
		{"same origin by Sec-Fetch-Site", "POST", "app.example", map[string]string{"Sec-Fetch-Site": "same-origin"}, false, nil, false},
		{"user-typed navigation", "POST", "app.example", map[string]string{"Sec-Fetch-Site": "none"}, false, nil, false},
		{"same-site sibling", "POST", "app.example", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.app.example"}, false, nil, true},
		{"cross-site", "POST", "app.example", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, nil, true},
		{"Origin matches Host", "POST", "app.example", map[string]string{"Origin": "https://app.example"}, false, nil, false},
		{"Origin other host", "PUT", "app.example", map[string]string{"Origin": "https://evil.example"}, false, nil, true},
		{"Origin other port", "POST", "app.example", map[string]string{"Origin": "https://app.example:8443"}, false, nil, true},
		{"Origin null", "POST", "app.example", map[string]string{"Origin": "null"}, false, nil, true},
		{"Origin garbage", "POST", "app.example", map[string]string{"Origin": "%%%\x7f::"}, false, nil, true},
		{"Origin IDN", "POST", "xn--bcher-kva.example", map[string]string{"Origin": "https://bücher.example"}, false, nil, true},
		{"Origin with userinfo", "POST", "app.example", map[string]string{"Origin": "https://user@app.example"}, false, nil, true},
		{"Origin with path", "POST", "app.example", map[string]string{"Origin": "https://app.example/x"}, false, nil, true},
		{"http Origin to a TLS request", "POST", "app.example", map[string]string{"Origin": "http://app.example"}, true, nil, true},
		{"https Origin to a TLS request", "POST", "app.example", map[string]string{"Origin": "https://app.example"}, true, nil, false},
		{"http Origin behind an https proxy", "POST", "app.example", map[string]string{"Origin": "http://app.example", "X-Forwarded-Proto": "https"}, false, []authrequest.Option{authrequest.WithTrustedProxySchemeHeader("X-Forwarded-Proto")}, true},
		{"https Origin behind an https proxy", "POST", "app.example", map[string]string{"Origin": "https://app.example", "X-Forwarded-Proto": "https"}, false, []authrequest.Option{authrequest.WithTrustedProxySchemeHeader("X-Forwarded-Proto")}, false},
		{"trusted origin", "POST", "app.example", map[string]string{"Origin": "https://admin.example", "Sec-Fetch-Site": "cross-site"}, false, []authrequest.Option{authrequest.WithTrustedOrigins("https://admin.example")}, false},
		{"trusted origin, other scheme", "POST", "app.example", map[string]string{"Origin": "http://admin.example", "Sec-Fetch-Site": "cross-site"}, false, []authrequest.Option{authrequest.WithTrustedOrigins("https://admin.example")}, true},
		{"check switched off", "POST", "app.example", map[string]string{"Origin": "https://evil.example"}, false, []authrequest.Option{authrequest.InsecureSkipOriginCheck()}, false},
		{"GET cross-site", "GET", "app.example", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, nil, false},
		{"TRACE cross-site", "TRACE", "app.example", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, nil, false},
		{"lowercase method", "post", "app.example", map[string]string{"Origin": "https://evil.example"}, false, nil, true},
		{"empty Host", "POST", "", map[string]string{"Origin": "https://app.example"}, false, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			ar, err := authrequest.NewWithOptions(e.a, httptest.NewRecorder(), r, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			err = ar.CheckOrigin()
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, authrequest.ErrCrossOrigin)) {
				t.Errorf("CheckOrigin() = %v, want rejection: %v", err, tt.wantErr)
			}
		})
	}
}

func TestAPIHandler(t *testing.T) {
	e, s := newSignedIn(t)
	api := authrequest.APIHandler(e.a)
	do := func(method, path, token string, hdr map[string]string) (*httptest.ResponseRecorder, map[string]any) {
		r := request(method, "http://example.com"+path, token)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s %s: body %q is not JSON: %v", method, path, rec.Body, err)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
		return rec, body
	}

	rec, body := do("GET", "/api/auth/user", s.Token, nil)
	user, _ := body["user"].(map[string]any)
	if rec.Code != 200 || user["id"] != e.user.ID || user["username"] != "ada" {
		t.Errorf("GET user = %d %v", rec.Code, body)
	}
	rec, body = do("GET", "/api/auth/user", "", nil)
	if rec.Code != 200 || body["user"] != nil || len(body) != 1 {
		t.Errorf("GET user without session = %d %v; want 200 {\"user\": null}", rec.Code, body)
	}

	rec, body = do("POST", "/api/auth/logout", s.Token, map[string]string{"Origin": "https://evil.example"})
	if _, ok := e.stored(t, s.ID); rec.Code != 403 || !ok || cookieOutcome(t, rec) != "untouched" || body["error"] == nil {
		t.Errorf("cross-origin logout = %d %v, stored %v, cookie %s; want 403 and the session kept", rec.Code, body, ok, cookieOutcome(t, rec))
	}
	rec, body = do("POST", "/api/auth/logout", "", nil)
	if rec.Code != 401 || body["error"] == nil {
		t.Errorf("logout without session = %d %v; want 401", rec.Code, body)
	}
	rec, body = do("POST", "/api/auth/logout", s.Token, map[string]string{"Origin": "http://example.com"})
	if _, ok := e.stored(t, s.ID); rec.Code != 200 || len(body) != 0 || ok || cookieOutcome(t, rec) != "cleared" {
		t.Errorf("logout = %d %v, stored %v, cookie %s; want 200 {}, invalidated and cleared", rec.Code, body, ok, cookieOutcome(t, rec))
	}

	rec, body = do("GET", "/api/auth/nope", "", nil)
	if rec.Code != 404 || body["error"] != "not found" {
		t.Errorf("unknown path = %d %v", rec.Code, body)
	}
	rec, _ = do("DELETE", "/api/auth/user", "", nil)
	if rec.Code != 405 || !strings.Contains(rec.Header().Get("Allow"), "GET") {
		t.Errorf("DELETE user = %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	rec, _ = do("GET", "/api/auth/logout", "", nil)
	if rec.Code != 405 {
		t.Errorf("GET logout = %d", rec.Code)
	}

	s2 := e.newSession(t)
	e.store.FailNext("GetSessionAndUser", 1, nil)
	rec, body = do("GET", "/api/auth/user", s2.Token, nil)
	if rec.Code != 503 || cookieOutcome(t, rec) != "untouched" || strings.Contains(rec.Body.String(), "injected") {
		t.Errorf("store failure = %d %v, cookie %s; want 503 without details, cookie untouched", rec.Code, body, cookieOutcome(t, rec))
	}
}

func TestAPIHandlerBehindMiddleware(t *testing.T) {
	e, s := newSignedIn(t)
	e.clock.Set(s.ActiveExpiresAt.Add(time.Minute))
	h := authrequest.MustMiddleware(e.a)(authrequest.APIHandler(e.a))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request("GET", "/api/auth/user", s.Token))
	if rec.Code != 200 || cookieOutcome(t, rec) != "set:"+s.Token {
		t.Errorf("renewal via API: %d, cookie %s", rec.Code, cookieOutcome(t, rec))
	}
	if n := e.store.Count("GetSessionAndUser"); n != 1 {
		t.Errorf("store reads = %d, want 1", n)
	}
}

// TestFromContextOutsideMiddleware: outside Middleware, FromContext
// returns a nil AuthRequest that answers every method with
// ErrNoMiddleware, never a nil dereference.
func TestFromContextOutsideMiddleware(t *testing.T) {
	e, s := newSignedIn(t)
	var errs []error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		if ar != nil {
			t.Fatal("FromContext outside Middleware is not nil")
		}
		_, err1 := ar.Session()
		_, _, err2 := ar.SessionUser()
		_, err3 := ar.SignIn(e.user.ID)
		_, err4 := ar.ValidateBearerToken()
		errs = append(errs, err1, err2, err3, err4, ar.SetSession(s), ar.ClearSession(), ar.SignOut(), ar.CheckOrigin())
		ar.Reset()
		if ar.Request() != nil || ar.Auth() != nil {
			t.Error("Request or Auth of the nil AuthRequest is not nil")
		}
	})
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic outside Middleware: %v", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), request("POST", "/", s.Token))
	}()
	for i, err := range errs {
		if !errors.Is(err, authrequest.ErrNoMiddleware) {
			t.Errorf("method %d: %v, want ErrNoMiddleware", i, err)
		}
	}
}

// TestAPIUserWithoutUserStore: on an Auth whose store keeps only sessions,
// GET /api/auth/user answers with the session's user ID instead of
// failing for want of users.
func TestAPIUserWithoutUserStore(t *testing.T) {
	a := fakeauth.NewT(t, fakeauth.WithAppUsers()).Auth
	if a.KeepsUsers() {
		t.Fatal("a sessions-only store has users")
	}
	s, err := a.CreateSession(t.Context(), "app-user-42")
	if err != nil {
		t.Fatal(err)
	}
	h := authrequest.APIHandler(a)
	for _, tt := range []struct {
		token string
		want  string
	}{
		{s.Token, `{"user":{"id":"app-user-42"}}`},
		{"", `{"user":null}`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("GET", "https://example.com/api/auth/user", tt.token))
		var got, want any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
		json.Unmarshal([]byte(tt.want), &want)
		if rec.Code != http.StatusOK || !jsonEqual(got, want) {
			t.Errorf("GET /api/auth/user: %d %s, want 200 %s", rec.Code, rec.Body, tt.want)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// The context Middleware gives the handler carries the AuthRequest and
// keeps the parent's values and its cancellation, for the handler and for
// contexts derived from it.
func TestMiddlewareContextKeepsParentValuesAndCancellation(t *testing.T) {
	e := newEnv(t)
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "parent value"))
	var ar *authrequest.AuthRequest
	var value any
	var child context.Context
	stop := func() {}
	defer func() { stop() }()
	h := authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar, value = authrequest.FromContext(r.Context()), r.Context().Value(key{})
		child, stop = context.WithTimeout(r.Context(), time.Hour)
	}))
	h.ServeHTTP(httptest.NewRecorder(), request("GET", "/", "").WithContext(parent))
	if ar == nil {
		t.Fatal("FromContext in a handler behind Middleware: nil")
	}
	if ar.Request() == nil || authrequest.FromContext(ar.Request().Context()) != ar {
		t.Error("the AuthRequest's request does not carry the AuthRequest")
	}
	if value != "parent value" {
		t.Errorf("the parent's value in the handler: %v; want %q", value, "parent value")
	}
	if got := child.Value(key{}); got != "parent value" {
		t.Errorf("the parent's value in a derived context: %v; want %q", got, "parent value")
	}
	if authrequest.FromContext(child) != ar {
		t.Error("FromContext of a context derived from the handler's is not the AuthRequest")
	}
	cancel()
	select {
	case <-child.Done():
		if !errors.Is(child.Err(), context.Canceled) {
			t.Errorf("derived context after the parent's cancel: %v; want context.Canceled", child.Err())
		}
	case <-time.After(5 * time.Second):
		t.Error("a context derived from the handler's was not cancelled with the request's")
	}
}
