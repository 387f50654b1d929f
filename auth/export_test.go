package auth

// PasswordVerifications returns how many password hashes UseKey has
// checked on a, for tests that count the work each sign-in path costs.
func (a *Auth) PasswordVerifications() int64 { return a.hashes.Load() }
