package fakeoidc

import (
	"fmt"
	"slices"
	"strings"
)

// ClaimsPlacement says where the provider puts a user's claims (email,
// name...): in userinfo answers only, as certified providers do in the
// code flow, or in the ID token too, as some providers (Google) do.
type ClaimsPlacement int

const (
	// ClaimsDefault is the provider's setting ([WithClaimsPlacement]) for
	// a client, and ClaimsInUserInfo for the provider.
	ClaimsDefault ClaimsPlacement = iota
	// ClaimsInUserInfo returns the user's claims from the userinfo
	// endpoint only: the ID token carries iss, sub, aud, exp, iat,
	// auth_time, sid and nonce. OpenID Connect Core 1.0 section 5.4: when
	// an access token is issued, the claims of the profile, email,
	// address and phone scopes are returned from userinfo (node
	// oidc-provider's default, conformIdTokenClaims). A relying party must
	// call userinfo to learn the user's email.
	ClaimsInUserInfo
	// ClaimsInIDToken puts the claims of the granted scopes in the ID
	// token as well as in userinfo answers.
	ClaimsInIDToken
)

// String returns "default", "userinfo" or "id_token".
func (c ClaimsPlacement) String() string {
	switch c {
	case ClaimsDefault:
		return "default"
	case ClaimsInUserInfo:
		return "userinfo"
	case ClaimsInIDToken:
		return "id_token"
	}
	return fmt.Sprintf("ClaimsPlacement(%d)", int(c))
}

func (c ClaimsPlacement) valid() bool { return c >= ClaimsDefault && c <= ClaimsInIDToken }

// scopeClaims lists the claims each scope value releases: OpenID Connect
// Core 1.0 section 5.4.
func scopeClaims() []struct {
	scope  string
	claims []string
} {
	return []struct {
		scope  string
		claims []string
	}{
		{"profile", []string{"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
			"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"}},
		{"email", []string{"email", "email_verified"}},
		{"address", []string{"address"}},
		{"phone", []string{"phone_number", "phone_number_verified"}},
	}
}

// standardClaims returns the claims of [scopeClaims], scope by scope.
func standardClaims() []string {
	var out []string
	for _, sc := range scopeClaims() {
		out = append(out, sc.claims...)
	}
	return out
}

// protocolClaims are the claims the provider sets itself in an ID token
// (OpenID Connect Core 1.0 section 2, RFC 7519 section 4.1); a user's
// claim of one of these names is never released.
func protocolClaims() []string {
	return []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "sid", "azp", "at_hash", "c_hash", "acr", "amr"}
}

// grantedClaims returns the user's claims a grant of scope may see: those
// of the scope values granted (Core section 5.4), and any claim of the
// user that no scope value names (a provider-specific claim such as
// "groups"), which is released with every grant. "sub" is not among them.
func grantedClaims(u User, scope string) map[string]any {
	granted := strings.Fields(scope)
	owner := map[string]string{}
	for _, sc := range scopeClaims() {
		for _, n := range sc.claims {
			owner[n] = sc.scope
		}
	}
	out := map[string]any{}
	for k, v := range u.Claims {
		if slices.Contains(protocolClaims(), k) {
			continue
		}
		if s, standard := owner[k]; standard && !slices.Contains(granted, s) {
			continue
		}
		out[k] = v
	}
	return out
}
