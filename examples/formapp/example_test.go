package formapp_test

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The app on a fake: a visitor signs up with the form and lands, signed
// in, on the account page, the redirect followed by the jar.
func ExampleNewHandler() {
	f, err := fakeauth.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	h := formapp.NewHandler(f.Auth, nil)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	r, _ := authtest.BuildRequest("POST", "/signup").SameOrigin().
		WithForm(url.Values{"username": {"grace"}, "password": {"compilers are fun"}}).Request()
	rec := jar.Do(h, r)
	fmt.Println(rec.Redirects[0].Code, rec.Redirects[0].Header().Get("Location"), authtest.SessionChange(rec.Redirects[0]))
	fmt.Println(rec.Code, rec.Request.URL.Path, strings.Contains(rec.Body.String(), "Signed in as <b>grace</b>"))
	// Output:
	// 303 /account set
	// 200 /account true
}
