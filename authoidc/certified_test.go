package authoidc_test

// certifiedProviders lists the real providers the own-users test also
// runs against.
func certifiedProviders() []oidcProvider { return nil }
