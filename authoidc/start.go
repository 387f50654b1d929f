package authoidc

import (
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/authrequest"
)

// Start begins a sign-in: it sets the flow cookie (state, nonce and PKCE
// verifier, sealed, for FlowLifetime) and redirects to the provider's
// authorization endpoint. Mount it on GET (a link or a button) and POST (a
// form); a POST must come from the app's own origin. Its parameters, in
// the query or a POSTed form:
//
//	return_to=/path  where to go after signing in: a path on this site, as
//	                 [authrequest.SafeReturnPath] accepts it (otherwise
//	                 Config.AfterSignIn)
//	link=1           link the provider identity to the signed-in user
//	                 instead of signing in: only on a same-origin POST
//	                 ([authrequest.ErrCrossOrigin] otherwise, so another
//	                 site cannot start linking its identity to the
//	                 victim's account), [ErrNotSignedIn] without a session
//
// A failure goes to the error handler and sets no cookie.
func (c *Client) Start(w http.ResponseWriter, r *http.Request) {
	if err := c.start(w, r); err != nil {
		c.fail(w, r, err)
	}
}

func (c *Client) start(w http.ResponseWriter, r *http.Request) error {
	ar := authrequest.FromContext(r.Context())
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	if !safe {
		if err := ar.CheckOrigin(); err != nil {
			return err
		}
	}
	f := flow{
		State:    randomToken(),
		Nonce:    randomToken(),
		Verifier: oauth2.GenerateVerifier(),
		Expires:  c.a.Now().Add(c.cfg.FlowLifetime).Unix(),
		Return:   c.cfg.AfterSignIn,
	}
	// One rule for where a browser may be sent after signing in: the
	// same as the session middleware's next parameter.
	if rt, ok := authrequest.SafeReturnPath(r.FormValue("return_to")); ok {
		f.Return = rt
	}
	if r.FormValue("link") == "1" {
		// A top-level cross-site GET carries the Lax session cookie:
		// linking from one would add the attacker's identity to the
		// victim's account. Only a POST proves its origin.
		if safe {
			return fmt.Errorf("%w: linking an account must start from a POST of this site", authrequest.ErrCrossOrigin)
		}
		s, err := ar.Session()
		if err != nil {
			return err
		}
		if s == nil {
			return fmt.Errorf("%w: sign in before linking an account", ErrNotSignedIn)
		}
		f.LinkUserID = s.UserID
	}
	if _, err := c.discover(r.Context()); err != nil {
		return err
	}
	o := c.oauthConfig()
	value, err := c.sealer.seal(c.cfg.FlowCookieName, f)
	if err != nil {
		return err
	}
	http.SetCookie(w, c.flowCookie(value, int(c.cfg.FlowLifetime/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusFound
	if !safe {
		status = http.StatusSeeOther // a POSTed start becomes a GET at the provider
	}
	http.Redirect(w, r, o.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), status)
	return nil
}

// flowCookie is the flow cookie: HttpOnly, Secure (unless InsecureCookie),
// SameSite=Lax so that it comes back on the provider's top-level redirect,
// Path "/" and no Domain, as the __Host- prefix requires.
func (c *Client) flowCookie(value string, maxAge int) *http.Cookie {
	ck := &http.Cookie{Name: c.cfg.FlowCookieName, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: !c.cfg.InsecureCookie, SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		ck.Expires = time.Unix(1, 0)
	}
	return ck
}
