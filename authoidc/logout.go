package authoidc

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/authkit-dev/authkit/authrequest"
)

// idTokenAttribute is the session attribute that keeps the ID token with
// [Config.KeepIDToken].
const idTokenAttribute = "authoidc_id_token"

// Logout signs the browser out of the app, then out of the provider:
// OpenID Connect RP-Initiated Logout 1.0. Mount it on POST behind
// authrequest's Middleware; a request of another method answers 405, and a
// cross-origin one 403 (nobody can sign your users out from their site).
//
// It invalidates the request's session and clears its cookie
// ([authrequest.AuthRequest.SignOut]), then redirects (303) to the
// provider's end_session_endpoint with client_id, the
// post_logout_redirect_uri of [Config.PostLogoutRedirectURL] when set, and
// the session's ID token as id_token_hint when [Config.KeepIDToken] kept
// it (§2: without a hint, the provider asks the user to confirm). When
// the provider advertises no end_session_endpoint, or discovery fails,
// the browser goes to PostLogoutRedirectURL, or "/". A store failure
// answers 503 and signs out of nothing: the session and the cookie stay.
func (c *Client) Logout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	ar := authrequest.FromContext(r.Context())
	if err := ar.CheckOrigin(); err != nil {
		c.fail(w, r, err)
		return
	}
	var hint string
	if s, err := ar.Session(); err != nil {
		c.fail(w, r, err)
		return
	} else if s != nil && s.Attributes != nil {
		var attrs map[string]any
		if json.Unmarshal(s.Attributes, &attrs) == nil {
			hint, _ = attrs[idTokenAttribute].(string)
		}
	}
	if err := ar.SignOut(); err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	target := c.cfg.PostLogoutRedirectURL
	if target == "" {
		target = "/"
	}
	if _, err := c.discover(r.Context()); err != nil {
		c.a.Config().Logger.WarnContext(r.Context(), "authoidc: signed out of the app only: the provider is unavailable", slog.Any("error", err))
	} else if end := c.endSessionEndpoint(); end != "" {
		v := url.Values{"client_id": {c.cfg.ClientID}}
		if c.cfg.PostLogoutRedirectURL != "" {
			v.Set("post_logout_redirect_uri", c.cfg.PostLogoutRedirectURL)
		}
		if hint != "" {
			v.Set("id_token_hint", hint)
		}
		target = withQuery(end, v)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (c *Client) endSessionEndpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.meta.EndSessionEndpoint
}

// withQuery appends v to u's query.
func withQuery(u string, v url.Values) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := parsed.Query()
	for k, vs := range v {
		q[k] = vs
	}
	parsed.RawQuery = q.Encode()
	return parsed.String()
}
