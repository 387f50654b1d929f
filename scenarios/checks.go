package scenarios

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// checkResponse checks what every response must do, whatever the case
// wants (see [Want]), and what the case wants of the cookie it sets and
// of where a sign-in sends the user: a session cookie with the attributes
// of a secure session cookie, persistent or not as the case wants, no
// session token in the body unless the app hands tokens out, and no
// redirect off the site through a return path.
func (r *Result) checkResponse(f *fakeauth.Fake, base string, rec *authtest.Recorder, tokensInBody bool, tokens []string) {
	c := authtest.SessionCookie(rec, authtest.CheckCookieName(f.Auth.CookieName()))
	live := c != nil && c.Value != "" && c.MaxAge >= 0
	if live {
		r.checkCookieAttrs(f, c)
		tokens = append(tokens, c.Value)
	}
	if p := r.Case.want.Persistence; p != AnyPersistence && r.Case.concurrency == 1 {
		got := "no session cookie set"
		if live {
			got = EndsWithBrowser.String()
			if c.MaxAge > 0 || !c.Expires.IsZero() {
				got = Persistent.String()
			}
		}
		if got != p.String() {
			r.Failures = append(r.Failures, "session cookie persistence, Expires or Max-Age present or absent (-want +got):\n"+cmp.Diff(p.String(), got))
		}
	}
	if !tokensInBody {
		body := rec.Body.String()
		for _, tok := range tokens {
			// Tokens are long random strings; the fixed test values
			// (malformed, unknown) are no one's session.
			if len(tok) >= 20 && tok != unknownToken && strings.Contains(body, tok) {
				r.Failures = append(r.Failures, "the response body holds a session token, which any script on the page can read "+
					"(set Target.TokensInBody if the app hands tokens to bearer clients on purpose)")
				break
			}
		}
	}
	if b := r.Case.creds; b != nil && b.next != "" && b.form.Next != "" {
		r.checkReturnPath(base, b.next, rec.Header().Get("Location"))
	}
}

// checkCookieAttrs checks a session cookie the response sets: HttpOnly,
// so that no script reads it; Secure unless the Auth is configured
// without (auth.CookieConfig.Insecure, for development over http); SameSite
// Lax or Strict (RFC 6265bis §8.8), or None where the Auth is configured
// so; and the Auth's Path and Domain (no Domain unless configured: a
// Domain hands the cookie to every subdomain).
func (r *Result) checkCookieAttrs(f *fakeauth.Fake, c *http.Cookie) {
	want := f.Auth.SessionCookie(&auth.Session{Token: "x", IdleExpiresAt: f.Clock.Now().Add(time.Hour)})
	var bad []string
	if !c.HttpOnly {
		bad = append(bad, "no HttpOnly")
	}
	if !c.Secure && want.Secure {
		bad = append(bad, "no Secure")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode, http.SameSiteStrictMode:
	case http.SameSiteNoneMode:
		if want.SameSite != http.SameSiteNoneMode {
			bad = append(bad, "SameSite=None")
		}
	default:
		bad = append(bad, "no SameSite=Lax or Strict")
	}
	wantPath := want.Path
	if wantPath == "" {
		wantPath = "/"
	}
	if c.Path != wantPath {
		bad = append(bad, "Path "+quote(c.Path)+", want "+quote(wantPath))
	}
	if !strings.EqualFold(strings.TrimPrefix(c.Domain, "."), strings.TrimPrefix(want.Domain, ".")) {
		bad = append(bad, "Domain "+quote(c.Domain)+", want "+quote(want.Domain))
	}
	if len(bad) > 0 {
		r.Failures = append(r.Failures, "the session cookie set is not a secure session cookie: "+strings.Join(bad, ", "))
	}
}

// checkReturnPath checks where a sign-in that was sent the return path
// next redirects: to next when authrequest.SafeReturnPath accepts it,
// and never off the site otherwise.
func (r *Result) checkReturnPath(base, next, loc string) {
	if safe, ok := authrequest.SafeReturnPath(next); ok {
		if loc != safe && loc != base+safe {
			r.Failures = append(r.Failures, "the sign-in did not send the user back to the safe return path "+quote(safe)+": Location "+quote(loc))
		}
		return
	}
	if loc != "" && leavesSite(base, loc) {
		r.Failures = append(r.Failures, "open redirect: the sign-in sent the user to "+quote(loc)+", from the return path "+quote(next)+
			" (authrequest.SafeReturnPath refuses it; send the user there only through authrequest.ReturnPath)")
	}
}

// leavesSite reports whether a browser on base may leave the site when it
// follows Location loc: an absolute URL of another origin, or a relative
// one that SafeReturnPath does not accept ("//host", "/\host", ...).
func leavesSite(base, loc string) bool {
	u, err := url.Parse(loc)
	if err != nil {
		return true
	}
	if u.Scheme != "" || u.Host != "" {
		b, err := url.Parse(base)
		return err != nil || !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) || strings.HasPrefix(u.Path, "//")
	}
	_, ok := authrequest.SafeReturnPath(loc)
	return !ok
}

// observeOthers records what happened to the user's other sessions and to
// another user's.
func (r *Result) observeOthers(ctx context.Context, f *fakeauth.Fake, others []*auth.Session, foreign *auth.Session) {
	r.OtherSessions = effectOn(ctx, f, others)
	if foreign != nil {
		r.ForeignSession = effectOn(ctx, f, []*auth.Session{foreign})
	}
}

// effectOn returns SessionDeleted when none of ss is stored any more,
// SessionKept when all are, and AnyEffect for none.
func effectOn(ctx context.Context, f *fakeauth.Fake, ss []*auth.Session) Effect {
	kept := 0
	for _, s := range ss {
		if _, ok, _ := f.StoredSession(ctx, s.ID); ok {
			kept++
		}
	}
	switch {
	case len(ss) == 0:
		return AnyEffect
	case kept == 0:
		return SessionDeleted
	case kept == len(ss):
		return SessionKept
	}
	return effectChanged
}

// checkMore compares the cookie change and the other sessions' effects
// with what the case wants.
func (r *Result) checkMore() {
	w := r.Case.want
	if len(w.CookieIn) > 0 && r.Case.concurrency == 1 && !slices.Contains(w.CookieIn, r.Cookie) {
		want := make([]string, len(w.CookieIn))
		for i, ch := range w.CookieIn {
			want[i] = ch.String()
		}
		r.Failures = append(r.Failures, "session cookie (-want +got):\n"+cmp.Diff(strings.Join(want, " or "), r.Cookie.String()))
	}
	if w.OtherSessions != AnyEffect && r.OtherSessions != w.OtherSessions {
		r.Failures = append(r.Failures, "the user's other sessions (-want +got):\n"+cmp.Diff(w.OtherSessions.String(), r.OtherSessions.String()))
	}
	if w.ForeignSession != AnyEffect && r.ForeignSession != w.ForeignSession {
		r.Failures = append(r.Failures, "another user's session (-want +got):\n"+cmp.Diff(w.ForeignSession.String(), r.ForeignSession.String()))
	}
}
