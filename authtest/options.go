package authtest

import "github.com/authkit-dev/authkit/auth"

// A JarOption configures a [Jar] made by [NewJar].
type JarOption func(*settings)

// A CheckOption configures one reading of a response ([SessionChange],
// [SessionCookie], [SessionCookieCount]) or one assertion. On a response a
// [Jar] received, the jar's own cookie name and clock are the defaults.
//
// Jar options and check options are different types, so that an option
// of one passed to the other (a redirect limit given to an assertion) is
// a compile error, not an option silently ignored.
type CheckOption func(*settings)

// settings is what the options set: the jar's, and the parts a check
// reads (cookie name, clock, the jar's name for failure messages).
type settings struct {
	jarName        string
	cookieName     string
	clock          auth.Clock
	loopbackSecure *bool
	noSuffixList   bool
	maxRedirects   *int
}

// WithName names a [Jar]. The name heads its transcript and is shown in
// the failure messages of assertions on the responses it received, which
// tells users apart in a test with several jars.
func WithName(name string) JarOption {
	return func(s *settings) { s.jarName = name }
}

// WithCookieName sets the name of the session cookie a [Jar] watches,
// [auth.DefaultCookieName] ("auth_session") when the option is not given.
// It is also the default of every check of the jar's responses.
func WithCookieName(name string) JarOption {
	return func(s *settings) { s.cookieName = name }
}

// WithClock sets the clock against which a [Jar]'s cookies expire. Pass
// the clock the [auth.Auth] under test uses (a fake clock, in most tests),
// so that advancing it expires the jar's cookies as it expires sessions.
// It is also the clock of the checks of the jar's responses. Without it a
// jar uses [auth.SystemClock].
func WithClock(c auth.Clock) JarOption {
	return func(s *settings) { s.clock = c }
}

// WithLoopbackSecure sets whether a [Jar] treats plain-http requests to
// localhost, 127.0.0.0/8 and [::1] as a secure context, in which it
// accepts and sends Secure cookies. It is on by default, as in browsers,
// so that a session cookie with the Secure attribute works against
// [httptest.NewServer]. Turn it off to check what happens without TLS.
func WithLoopbackSecure(on bool) JarOption {
	return func(s *settings) { s.loopbackSecure = &on }
}

// WithoutPublicSuffixList makes a [Jar] accept a Domain attribute that is
// on the public suffix list (such as "co.uk"), as a browser without the
// list would; only a Domain without a dot is still refused. The list is on
// by default.
func WithoutPublicSuffixList() JarOption {
	return func(s *settings) { s.noSuffixList = true }
}

// WithMaxRedirects sets how many redirects [Jar.Do] follows before it
// stops and returns the last redirect response; 10 by default, as
// [http.Client]. Zero makes Do follow none.
func WithMaxRedirects(n int) JarOption {
	return func(s *settings) { s.maxRedirects = &n }
}

// CheckCookieName makes a check read the session cookie under name: for
// a response no [Jar] received, or one whose jar watches another name.
// Without it a check reads the jar's cookie name, or
// [auth.DefaultCookieName]; an empty name means that default too.
func CheckCookieName(name string) CheckOption {
	return func(s *settings) { s.cookieName = name }
}

// CheckClock makes a check read Expires against c: pass the clock of the
// [auth.Auth] under test. Without it a check uses the clock of the [Jar]
// that received the response, else the response's Date header, else the
// system clock.
func CheckClock(c auth.Clock) CheckOption {
	return func(s *settings) { s.clock = c }
}

func applyOptions[O ~func(*settings)](base settings, opts []O) settings {
	for _, o := range opts {
		if o != nil {
			o(&base)
		}
	}
	return base
}

// settingsFor resolves the options of one check: the defaults, then the
// jar's, then the call's.
func settingsFor(v view, opts []CheckOption) settings {
	s := settings{cookieName: auth.DefaultCookieName}
	if v.jar != nil {
		s.jarName, s.cookieName, s.clock = v.jar.name, v.jar.cookieName, v.jar.clock
	}
	s = applyOptions(s, opts)
	if s.cookieName == "" {
		s.cookieName = auth.DefaultCookieName
	}
	return s
}
