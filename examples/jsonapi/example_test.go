package jsonapi_test

import (
	"encoding/json"
	"fmt"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/examples/jsonapi"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The API on a fake: sign up, then read the profile with the bearer token
// the sign-up answered, as a client outside a browser does.
func ExampleNewHandler() {
	f, err := fakeauth.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	h := jsonapi.NewHandler(f.Auth, nil)
	r, _ := authtest.BuildRequest("POST", "/api/signup").
		WithJSON(map[string]string{"email": "grace@example.com", "password": "compilers are fun"}).Request()
	rec := authtest.Serve(h, r)
	var body struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Code, authtest.SessionChange(rec))
	r, _ = authtest.BuildRequest("GET", "/api/me").WithBearer(body.Token).Request()
	rec = authtest.Serve(h, r)
	var me struct{ User map[string]any }
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Code, me.User["email"], authtest.SessionChange(rec))
	// Output:
	// 200 set
	// 200 grace@example.com untouched
}
