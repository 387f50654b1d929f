package authrequest_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
)

// A handler reads the session through the AuthRequest that Middleware put
// in the request's context.
func ExampleMiddleware() {
	a, _ := auth.New(memstore.New(), auth.Config{})
	profile := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session, user, err := authrequest.FromContext(r.Context()).SessionUser()
		switch {
		case err != nil: // 503 for a store failure: the cookie is kept
			http.Error(w, "try again later", authrequest.StatusCode(err))
		case session == nil:
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		default:
			fmt.Fprintf(w, "hello, %s", user.Attributes["username"])
		}
	})
	h := authrequest.MustMiddleware(a)(profile)

	ctx := context.Background()
	user, _ := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	s, _ := a.CreateSession(ctx, user.ID)
	r := httptest.NewRequest("GET", "/profile", nil)
	r.AddCookie(a.SessionCookie(s))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Body)

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/profile", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 200 hello, ada
	// 303 /login
}

// A sign-in form checks the password, then SignIn replaces whatever
// session the browser had with a new one.
func ExampleAuthRequest_SignIn() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	a.CreateUser(ctx, auth.NewUser{Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: "correct horse battery"}})

	login := func(w http.ResponseWriter, r *http.Request) {
		key, err := a.UseKey(r.Context(), "username", r.FormValue("username"), r.FormValue("password"))
		if err != nil {
			http.Error(w, "wrong username or password", http.StatusUnauthorized)
			return
		}
		if _, err := authrequest.New(a, w, r).SignIn(key.UserID); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}

	r := httptest.NewRequest("POST", "/login", strings.NewReader("username=ada&password=correct+horse+battery"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	login(rec, r)
	c := rec.Result().Cookies()[0]
	fmt.Println(rec.Code, c.Name, len(c.Value), c.HttpOnly, c.Secure)
	// Output:
	// 303 auth_session 32 true true
}

// Logging out is InvalidateSession plus ClearSession; SignOut does both.
func ExampleAuthRequest_SignOut() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSession(ctx, user.ID)

	r := httptest.NewRequest("POST", "/logout", nil)
	r.AddCookie(a.SessionCookie(s))
	rec := httptest.NewRecorder()
	err := authrequest.New(a, rec, r).SignOut()
	fmt.Println(err, rec.Header().Get("Set-Cookie"))
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println(err)
	// Output:
	// <nil> auth_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax
	// auth: invalid session
}

// APIHandler serves GET /api/auth/user and POST /api/auth/logout.
func ExampleAPIHandler() {
	a, _ := auth.New(memstore.New(), auth.Config{})
	mux := http.NewServeMux()
	mux.Handle("/api/auth/", authrequest.APIHandler(a))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/auth/user", nil))
	fmt.Print(rec.Code, " ", rec.Body)
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("POST", "/api/auth/logout", nil))
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// 200 {"user":null}
	// 401 {"error":"not signed in"}
}

// Trusted origins are checked when the middleware is built: an entry no
// browser could send is an error, not a rule that never matches.
func ExampleMiddleware_trustedOrigins() {
	a, _ := auth.New(memstore.New(), auth.Config{})
	_, err := authrequest.Middleware(a, authrequest.WithTrustedOrigins("https://admin.example.com:443"))
	fmt.Println(errors.Is(err, authrequest.ErrInvalidOption))
	_, err = authrequest.Middleware(a, authrequest.WithTrustedOrigins("https://*.co.uk"))
	fmt.Println(errors.Is(err, authrequest.ErrInvalidOption))
	_, err = authrequest.Middleware(a,
		authrequest.WithTrustedOrigins("https://admin.example.com", "https://*.example.com"),
		authrequest.WithStrictOriginCheck())
	fmt.Println(err)
	// Output:
	// true
	// true
	// <nil>
}

// A webhook takes cross-site posts, but never with the session cookie.
func ExampleWithCrossOriginPassThroughRoutes() {
	a, _ := auth.New(memstore.New(), auth.Config{})
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := authrequest.FromContext(r.Context()).Session()
		fmt.Fprintf(w, "webhook, session %v", s != nil)
	})
	h := authrequest.MustMiddleware(a, authrequest.WithCrossOriginPassThroughRoutes("POST /webhooks/{provider}"))(hook)
	for _, path := range []string{"/webhooks/stripe", "/account/delete"} {
		r := httptest.NewRequest("POST", path, nil)
		r.Header.Set("Origin", "https://payments.example")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(path, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// /webhooks/stripe 200 webhook, session false
	// /account/delete 403 403 forbidden: cross-origin request
}

// RequireSession guards HTML routes: a signed-out visitor is sent to the
// sign-in page with a safe path to come back to. RequireSessionAPI answers
// 401 JSON instead.
func ExampleRequireSession() {
	a, _ := auth.New(memstore.New(), auth.Config{})
	mux := http.NewServeMux()
	mux.Handle("/account/", authrequest.RequireSession("/login")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "your account")
	})))
	mux.Handle("/api/", authrequest.RequireSessionAPI()(http.NotFoundHandler()))
	h := authrequest.MustMiddleware(a)(mux)

	for _, target := range []string{"/account/devices", "/api/me"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://app.example"+target, nil))
		fmt.Println(rec.Code, rec.Header().Get("Location"), strings.TrimSpace(rec.Body.String()))
	}
	// The sign-in handler sends the user back with ReturnPath, which
	// refuses anything but a path on this site.
	r := httptest.NewRequest(http.MethodPost, "https://app.example/login?next=//evil.example", nil)
	fmt.Println(authrequest.ReturnPath(r, "/account/"))
	// Output:
	// 303 /login?next=%2Faccount%2Fdevices <a href="/login?next=%2Faccount%2Fdevices">See Other</a>.
	// 401  {"error":"not signed in"}
	// /account/
}

// SignInWith chooses the session's lifetime policy: without "remember
// me", a browser session whose cookie has no Expires or Max-Age.
func ExampleAuthRequest_SignInWith() {
	a, _ := auth.New(memstore.New(), auth.Config{})
	u, _ := a.CreateUser(context.Background(), auth.NewUser{})
	h := authrequest.MustMiddleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remember := r.FormValue("remember") == "on"
		s, err := authrequest.FromContext(r.Context()).SignInWith(u.ID, auth.SessionOptions{BrowserSession: !remember})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Println("browser session:", s.BrowserSession)
	}))
	r := httptest.NewRequest(http.MethodPost, "https://app.example/login", strings.NewReader("remember=off"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	c := rec.Result().Cookies()[0]
	fmt.Println("cookie expires:", !c.Expires.IsZero() || c.MaxAge != 0)
	// Output:
	// browser session: true
	// cookie expires: false
}

// A "sign out this device" handler takes a session ID from the devices
// page (auth.Auth.UserSessions lists them) and revokes it only if it is
// one of the signed-in user's own sessions.
func ExampleAuthRequest_InvalidateOwnSession() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	ada, _ := a.CreateUser(ctx, auth.NewUser{})
	bob, _ := a.CreateUser(ctx, auth.NewUser{})
	laptop, _ := a.CreateSession(ctx, ada.ID)
	phone, _ := a.CreateSession(ctx, ada.ID)
	bobs, _ := a.CreateSession(ctx, bob.ID)

	h := authrequest.MustMiddleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := authrequest.FromContext(r.Context()).InvalidateOwnSession(r.FormValue("session"))
		switch {
		case errors.Is(err, authrequest.ErrNotSignedIn):
			http.Error(w, "sign in first", http.StatusUnauthorized)
		case errors.Is(err, authrequest.ErrSessionNotFound):
			http.Error(w, "no such device", http.StatusNotFound)
		case err != nil:
			http.Error(w, "try again later", http.StatusServiceUnavailable)
		default:
			http.Redirect(w, r, "/devices", http.StatusSeeOther)
		}
	}))
	for _, id := range []string{bobs.ID, phone.ID} {
		r := httptest.NewRequest(http.MethodPost, "https://app.example/devices/revoke", strings.NewReader("session="+id))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.AddCookie(a.SessionCookie(laptop))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(rec.Code, cmp.Or(rec.Header().Get("Location"), strings.TrimSpace(rec.Body.String())))
	}
	left, _ := a.UserSessions(ctx, ada.ID)
	_, err := a.ValidateSession(ctx, bobs.Token)
	fmt.Println("ada's devices:", len(left), "bob still signed in:", err == nil)
	// Output:
	// 404 no such device
	// 303 /devices
	// ada's devices: 1 bob still signed in: true
}

// StatusCode answers an authkit error as a handler should: a store
// failure is a 503 (never a sign-in page), and the cookie is kept.
func ExampleStatusCode() {
	err := fmt.Errorf("validating the session: %w", auth.ErrStore)
	fmt.Println(authrequest.StatusCode(err))
	fmt.Println(authrequest.StatusCode(authrequest.ErrCrossOrigin))
	fmt.Println(authrequest.StatusCode(auth.ErrInvalidPassword))
	// Output:
	// 503
	// 403
	// 401
}
