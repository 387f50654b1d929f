package authoidc

// Mutants names the deliberate breakages the mutant test builds.
var Mutants = map[string]mutation{
	"no state check":                   mutNoStateCheck,
	"no nonce check":                   mutNoNonceCheck,
	"code reused":                      mutReuseCode,
	"audience not checked":             mutNoAudienceCheck,
	"session kept from before sign-in": mutKeepOldSession,
	"iat not checked":                  mutNoIatCheck,
	"expiry not checked":               mutNoExpiryCheck,
	"email verification ignored":       mutNoEmailCheck,
	"iss not checked":                  mutNoIssCheck,
}

// Mutate breaks c as the named mutant does.
func Mutate(c *Client, name string) { c.mut |= Mutants[name] }
