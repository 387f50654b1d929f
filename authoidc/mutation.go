package authoidc

import (
	"sync"

	"golang.org/x/oauth2"
)

// mutation is a set of deliberate breakages of the callback, for the
// mutant test only: nothing exported sets it (see export_test.go), so a
// production Client always has the zero mutation and every check on.
type mutation uint

const (
	mutNoStateCheck mutation = 1 << iota
	mutNoNonceCheck
	mutReuseCode
	mutNoAudienceCheck
	mutKeepOldSession
	mutNoIatCheck
	mutNoExpiryCheck
	mutNoEmailCheck
	mutNoIssCheck
)

func (m mutation) has(x mutation) bool { return m&x != 0 }

// codeCache remembers token responses by code when the mutant that
// reuses codes is on; otherwise it is never written.
type codeCache struct {
	mu sync.Mutex
	m  map[string]*oauth2.Token
}

func (c *codeCache) get(m mutation, code string) (*oauth2.Token, bool) {
	if !m.has(mutReuseCode) {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[code]
	return t, ok
}

func (c *codeCache) put(m mutation, code string, t *oauth2.Token) {
	if !m.has(mutReuseCode) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*oauth2.Token{}
	}
	c.m[code] = t
}
