package authoidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"

	"golang.org/x/oauth2"
)

// scopeClaims are the claims of the scopes authoidc reads (OpenID
// Connect Core 1.0 §5.4).
var scopeClaims = map[string][]string{
	"email":   {"email", "email_verified"},
	"profile": {"name"},
}

// maxUserInfo bounds a userinfo answer: claims of a person, not a file.
const maxUserInfo = 1 << 20

// completeClaims fetches the userinfo endpoint when the ID token lacks a
// claim of the scopes asked for, as certified providers do by default in
// the code flow: OpenID Connect Core 1.0 §5.4 returns the profile and
// email scopes' claims from userinfo when an access token is issued. The
// answer's sub must be the ID token's (§5.3.2), or none of it is used.
// Claims the ID token has are kept; userinfo adds the others.
func (c *Client) completeClaims(ctx context.Context, tok *oauth2.Token, cl *Claims) error {
	c.mu.Lock()
	endpoint := c.meta.UserInfoEndpoint
	c.mu.Unlock()
	if endpoint == "" || !c.lacksScopeClaims(cl) {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return fmt.Errorf("%w: userinfo: %w", ErrUserInfo, err)
	}
	tok.SetAuthHeader(req) // RFC 6750 §2.1
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: userinfo request: %w", ErrProviderUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserInfo+1))
	switch {
	case err != nil:
		return fmt.Errorf("%w: userinfo response: %w", ErrProviderUnavailable, err)
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: userinfo endpoint answered %d", ErrProviderUnavailable, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: the userinfo endpoint answered %d", ErrUserInfo, resp.StatusCode)
	case len(body) > maxUserInfo:
		return fmt.Errorf("%w: the userinfo answer is over %d bytes", ErrUserInfo, maxUserInfo)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/jwt" {
		return fmt.Errorf("%w: signed or encrypted userinfo answers (application/jwt) are not supported", ErrUserInfo)
	}
	var info map[string]any
	if err := json.Unmarshal(body, &info); err != nil {
		return fmt.Errorf("%w: the userinfo answer is not a JSON object: %w", ErrProviderUnavailable, err)
	}
	if sub, _ := info["sub"].(string); sub != cl.Subject {
		return fmt.Errorf("%w: the userinfo answer is about subject %q, the ID token about %q", ErrUserInfo, sub, cl.Subject)
	}
	for k, v := range info {
		if _, ok := cl.All[k]; !ok {
			cl.All[k] = v
		}
	}
	cl.fill()
	return nil
}

// lacksScopeClaims reports whether the ID token lacks a claim of a scope
// the Client asks for.
func (c *Client) lacksScopeClaims(cl *Claims) bool {
	for _, scope := range c.oauth.Scopes {
		for _, name := range scopeClaims[scope] {
			if _, ok := cl.All[name]; !ok {
				return true
			}
		}
	}
	return false
}
