package authtest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
)

// set stores one Set-Cookie line received from rawURL in jar.
func set(t *testing.T, jar *authtest.Jar, rawURL, line string) authtest.Event {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	c, err := http.ParseSetCookie(line)
	require.NoError(t, err)
	c.Raw = line
	jar.SetCookies(u, []*http.Cookie{c})
	tl := jar.Timeline()
	require.NotEmpty(t, tl)
	return tl[len(tl)-1]
}

// sent returns the Cookie header the jar sends to rawURL.
func sent(t *testing.T, jar *authtest.Jar, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	var parts []string
	for _, c := range jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

func TestJarIDNAHosts(t *testing.T) {
	jar := authtest.NewJar()
	ev := set(t, jar, "https://bücher.test/", "a=1")
	assert.Equal(t, authtest.Set, ev.Change)
	assert.Equal(t, "a=1", sent(t, jar, "https://xn--bcher-kva.test/"), "the A-label form is the same host")
	assert.Equal(t, "a=1", sent(t, jar, "https://BÜCHER.test/"), "upper case is the same host")
	assert.Equal(t, "", sent(t, jar, "https://bucher.test/"))

	// A Domain attribute in U-labels names the same domain as its A-label.
	// (http.ParseSetCookie drops a non-ASCII Domain, so the cookie is
	// given as a value, as a client library may hand it over.)
	jar = authtest.NewJar()
	jar.SetCookies(&url.URL{Scheme: "https", Host: "shop.xn--bcher-kva.test"}, []*http.Cookie{{Name: "b", Value: "2", Domain: "bücher.test"}})
	ev = jar.Timeline()[0]
	assert.Equal(t, authtest.Set, ev.Change, ev.Reason)
	assert.Equal(t, "b=2", sent(t, jar, "https://www.bücher.test/"))
	c, ok := jar.Cookie("b")
	require.True(t, ok)
	assert.Equal(t, "xn--bcher-kva.test", c.Domain)

	// Setting it again from the other spelling replaces it.
	set(t, jar, "https://bücher.test/", "b=3; Domain=xn--bcher-kva.test")
	assert.Equal(t, "b=3", sent(t, jar, "https://www.xn--bcher-kva.test/"))
	assert.Len(t, jar.All(), 1)
}

func TestJarPublicSuffixDomains(t *testing.T) {
	for _, tc := range []struct{ from, line string }{
		{"https://shop.example.co.uk/", "a=1; Domain=co.uk"},
		{"https://alice.github.io/", "a=1; Domain=github.io"}, // a private suffix
		{"https://www.example.com/", "a=1; Domain=com"},
		{"https://a.b.test/", "a=1; Domain=test"}, // not on the list: the "*" rule
	} {
		jar := authtest.NewJar()
		ev := set(t, jar, tc.from, tc.line)
		assert.Equal(t, authtest.Rejected, ev.Change, "%s from %s", tc.line, tc.from)
		assert.Contains(t, ev.Reason, "public suffix")
		assert.Empty(t, jar.All())
	}
	// The registrable domain itself is fine.
	jar := authtest.NewJar()
	ev := set(t, jar, "https://shop.example.co.uk/", "a=1; Domain=example.co.uk")
	assert.Equal(t, authtest.Set, ev.Change, ev.Reason)
	assert.Equal(t, "a=1", sent(t, jar, "https://www.example.co.uk/"))
	assert.Equal(t, "", sent(t, jar, "https://other.co.uk/"))

	// With the list off, only a Domain without a dot is a suffix.
	jar = authtest.NewJar(authtest.WithoutPublicSuffixList())
	ev = set(t, jar, "https://shop.example.co.uk/", "a=1; Domain=co.uk")
	assert.Equal(t, authtest.Set, ev.Change, ev.Reason)
	assert.Equal(t, "a=1", sent(t, jar, "https://other.co.uk/"))
	ev = set(t, jar, "https://www.example.com/", "b=1; Domain=com")
	assert.Equal(t, authtest.Rejected, ev.Change)
}

func TestJarDomainEqualToHostThatIsASuffix(t *testing.T) {
	for _, opts := range [][]authtest.JarOption{nil, {authtest.WithoutPublicSuffixList()}} {
		jar := authtest.NewJar(opts...)
		ev := set(t, jar, "https://com/", "a=1; Domain=com")
		require.Equal(t, authtest.Set, ev.Change, ev.Reason)
		assert.Equal(t, "a=1", sent(t, jar, "https://com/"))
		assert.Equal(t, "", sent(t, jar, "https://example.com/"), "host-only: not sent to names under com")
		c, ok := jar.Cookie("a")
		require.True(t, ok)
		assert.Equal(t, "com", c.Domain)
	}
	jar := authtest.NewJar()
	ev := set(t, jar, "https://co.uk/", "a=1; Domain=co.uk")
	require.Equal(t, authtest.Set, ev.Change, ev.Reason)
	assert.Equal(t, "", sent(t, jar, "https://example.co.uk/"))
}

// redirects answers each path with a redirect or a page, setting a cookie
// on the way, and echoes the method and body it got.
func redirects() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "1", Path: "/", Secure: true})
		http.Redirect(w, r, "/home", http.StatusSeeOther)
	})
	mux.HandleFunc("/found", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/echo", http.StatusFound) })
	mux.HandleFunc("/temp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/perm", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://other.example/echo", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/home", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("s")
		if err != nil {
			http.Error(w, "no cookie", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, r.Method+" home s="+c.Value)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+r.Host+" body="+string(b)+" auth="+r.Header.Get("Authorization")+" origin="+r.Header.Get("Origin"))
	})
	return mux
}

func TestJarDoFollowsRedirects(t *testing.T) {
	h := redirects()
	jar := authtest.NewJar()
	rec := jar.Do(h, authtest.BuildRequest("POST", "/login").SameOrigin().WithForm(url.Values{"u": {"ada"}}).Build(t))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "GET home s=1", rec.Body.String(), "303 turns the POST into a GET, with the cookie it set")
	require.Len(t, rec.Redirects, 1)
	assert.Equal(t, http.StatusSeeOther, rec.Redirects[0].Code)
	authtest.AssertSession(t, rec.Redirects[0], authtest.Set, authtest.CheckCookieName("s"))
	var hops []string
	for _, e := range jar.Timeline() {
		hops = append(hops, e.Method+" "+e.URL+" "+e.Change.String())
	}
	assert.Equal(t, []string{"POST https://example.com/login set"}, hops)
	assert.Contains(t, jar.Transcript(), "GET https://example.com/home", "the transcript has every hop")

	body := func(method, path string) string {
		rec := jar.Do(h, authtest.BuildRequest(method, path).SameOrigin().WithBearer("tok").WithBody("text/plain", []byte("x=1")).Build(t))
		return rec.Body.String()
	}
	assert.Equal(t, "GET example.com body= auth=Bearer tok origin=", body("POST", "/found"), "302 turns a POST into a GET")
	assert.Equal(t, "PUT example.com body=x=1 auth=Bearer tok origin=https://example.com", body("PUT", "/found"), "302 keeps other methods")
	assert.Equal(t, "POST example.com body=x=1 auth=Bearer tok origin=https://example.com", body("POST", "/temp"), "307 keeps method and body")
	assert.Equal(t, "POST example.com body=x=1 auth=Bearer tok origin=https://example.com", body("POST", "/perm"), "308 keeps method and body")
	rec = jar.Do(h, authtest.BuildRequest("GET", "/away").Build(t))
	assert.Equal(t, http.StatusFound, rec.Code, "a redirect to another host ends the chain")
	assert.Equal(t, "https://other.example/echo", rec.Header().Get("Location"))

	rec = jar.Do(h, authtest.BuildRequest("GET", "/loop").Build(t))
	assert.Equal(t, http.StatusFound, rec.Code, "stops at the limit with the last redirect")
	assert.Len(t, rec.Redirects, 10)

	jar = authtest.NewJar(authtest.WithMaxRedirects(0))
	rec = jar.Do(h, authtest.BuildRequest("GET", "/loop").Build(t))
	assert.Equal(t, http.StatusFound, rec.Code)
	assert.Empty(t, rec.Redirects)
	rec = jar.Serve(h, authtest.BuildRequest("POST", "/login").Build(t))
	assert.Equal(t, http.StatusSeeOther, rec.Code, "Serve never follows")
}

func TestJarSetSession(t *testing.T) {
	a, err := auth.New(memstore.New(), auth.Config{Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	require.NoError(t, err)
	u, err := a.CreateUser(t.Context(), auth.NewUser{})
	require.NoError(t, err)
	s, err := a.CreateSession(t.Context(), u.ID)
	require.NoError(t, err)
	jar := authtest.NewJar()
	jar.SetSession(a, s)
	c, ok := jar.Cookie(a.CookieName())
	require.True(t, ok)
	assert.Equal(t, s.Token, c.Value)
	r := authtest.BuildRequest("GET", "/").Build(t)
	rec := jar.Do(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Join(authrequest.ReadSessionCookies(a, r).Tokens, " "))
	}), r)
	assert.Equal(t, s.Token, rec.Body.String())
}

func TestJarSetSessionIgnoresNil(t *testing.T) {
	jar := authtest.NewJar()
	var a *auth.Auth
	jar.SetSession(a, &auth.Session{Token: "x"})
	jar.SetSession(nil, nil)
	assert.Empty(t, jar.All())
}
