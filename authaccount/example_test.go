package authaccount_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakemail"
)

// An app mounts the account routes; a sign-up mails a verification link,
// which the user opens.
func Example() {
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		panic(err)
	}
	outbox := fakemail.New() // in production: an SMTP Sender (authmail/smtpmail)
	accounts, err := authaccount.New(a, authaccount.Config{Sender: outbox, BaseURL: "https://app.example"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	accounts.Mount(mux)
	h := authrequest.MustMiddleware(a)(mux)

	form := url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}}
	r := httptest.NewRequest("POST", "/sign-up", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println("sign-up:", w.Code)

	m := outbox.Messages()[0]
	fmt.Println("mail:", m.Subject)
	fmt.Println("link on the base URL:", strings.HasPrefix(m.Link(), "https://app.example/verify-email?token="))

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/verify-email?token="+m.Token(), nil))
	fmt.Println("verify:", w.Code)
	// Output:
	// sign-up: 201
	// mail: Confirm your email address
	// link on the base URL: true
	// verify: 200
}
