package playground_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

// The JSON API, driven in process: sign up, move the clock past the active
// period, and the next request renews the session and its cookie.
func Example() {
	srv, err := playground.New(playground.Config{Start: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	do := func(method, path, body, cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	signup := do("POST", "/api/signup", `{"username":"ada","password":"correct horse"}`, "")
	cookie := strings.Split(signup.Header().Get("Set-Cookie"), ";")[0]
	fmt.Println("signup:", signup.Code)
	fmt.Print("advance: ", do("POST", "/_play/clock/advance", `{"by":"25h"}`, "").Body)
	user := do("GET", "/api/auth/user", "", cookie)
	var body struct {
		User struct{ Username string } `json:"user"`
	}
	if err := json.Unmarshal(user.Body.Bytes(), &body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("user:", user.Code, body.User.Username)
	for _, e := range srv.CookieEvents() {
		fmt.Println(e.Seq, e.Method, e.Path, e.Change)
	}
	// Output:
	// signup: 200
	// advance: {"now":"2026-01-02T10:00:00Z"}
	// user: 200 ada
	// 2 GET /api/auth/user renewed
	// 1 POST /api/signup set
}
