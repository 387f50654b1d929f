// Package authtest provides utilities for testing code that uses authkit
// sessions over HTTP. It is a sibling of [net/http/httptest]: where
// httptest records a response, authtest also tells what the response did
// to the session cookie, and says so plainly when a test fails.
//
// # Cookie jar
//
// A [Jar] is an [http.CookieJar] that behaves as a browser's does (RFC
// 6265bis: domain and path matching, IDNA hosts, the public suffix list,
// Secure only in a secure context, Max-Age before Expires, deletion) and
// reads expiry from a clock the test controls, the same [auth.Clock] the [auth.Auth] under test uses. It
// records every Set-Cookie line it receives as an [Event] labelled set,
// renewed, rotated, cleared, unchanged or rejected. Use it in process with
// [Jar.Do] (which follows redirects as [http.Client] does, each hop in
// the timeline; [Jar.Serve] sends one request), over a real listener with [Jar.Client] (or as the Jar of any
// [http.Client]), and give each simulated user a jar of their own with
// [WithName]:
//
//	jar := authtest.NewJar(authtest.WithName("alice"), authtest.WithClock(clock))
//	rec := jar.Do(handler, authtest.BuildRequest("POST", "/login").WithForm(form).Build(t))
//
// # Requests
//
// [NewRequest] and [NewRecorder] are httptest's, for session tests:
// [NewRequest] returns a server request, and [BuildRequest] starts a
// [RequestBuilder], which builds one and adds a session cookie, a bearer
// token, same-origin or cross-site headers (Origin and Sec-Fetch-Site), or
// a form or JSON body. Unlike httptest, a path target is served as
// https://example.com, since the session cookie is Secure.
//
// # Reading responses and assertions
//
// Every reading helper and assertion takes a [Response]: the [*Recorder]
// of [Jar.Do] or [Serve], a bare [*httptest.ResponseRecorder], or an
// [*http.Response]. [SessionCookie], [SessionCookieCount] and
// [SessionChange] read the session cookie ("auth_session" unless
// [CheckCookieName], or the jar's [WithCookieName], says otherwise). The assertions come in pairs, as in
// testify, and take testify's TestingT, so they work in plain tests and in
// a suite.Suite alike: [AssertSession] reports with t.Errorf and returns
// whether it passed; [RequireSession] stops the test. There is one
// function per thing checked, and what is expected is a value:
// AssertSession(t, rec, authtest.Renewed) checks that the session cookie
// was renewed ([Set], [Rotated], [Cleared] and [Untouched] are the other
// changes, short for [Set] and the rest); others check that it appears
// in exactly one Set-Cookie line, its attributes, and its expiry. A
// failure message reads like this:
//
//	authtest: session cookie "auth_session": want renewed, got rotated
//	    jar:        alice
//	    request:    GET /account
//	    cookie:     auth_session=<token-1>
//	    status:     200 OK
//	    set-cookie: auth_session=<token-2>; Path=/; Max-Age=1296000; HttpOnly; Secure; SameSite=Lax
//	  (-want +got):
//	    authtest.sessionOutcome{
//	  - 	Change:         "renewed",
//	  + 	Change:         "rotated",
//	    	SetCookieLines: 1,
//	    }
//
// Session tokens never appear in messages or transcripts: a [Redactor]
// replaces each with a placeholder that stays the same within one message.
//
// # HTML
//
// [ParseHTML] reads a page with goquery and returns the text of an element,
// a form's action, method and fields, or the links, failing with the
// selector and a snippet of the page when nothing matches.
//
// # Golden transcripts
//
// [Jar.Transcript] renders every exchange of a jar (request line, cookies
// and origin headers sent, status, each Set-Cookie line with its change) as
// stable text: tokens, loopback ports and times are replaced by
// placeholders or by durations from the jar's clock. [AssertGolden]
// compares it with testdata/<name>.golden and rewrites the file when the
// test runs with -update or AUTHKIT_UPDATE_GOLDEN=1; see [Updating] for
// how the flag is found without package-level state.
//
// The package keeps no global state, and no input makes it panic: a
// malformed Set-Cookie line is an event of kind rejected, a bad request
// argument a test failure.
package authtest
