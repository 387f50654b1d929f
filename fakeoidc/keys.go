package fakeoidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// SigningAlgorithms returns the ID token signing algorithms the provider
// supports, RS256 first: OpenID Connect Discovery 1.0 section 3 says
// id_token_signing_alg_values_supported MUST include RS256, and OpenID
// Connect Dynamic Client Registration 1.0 section 2 makes RS256 the
// default of a client's id_token_signed_response_alg. PS256 is RSASSA-PSS,
// ES256 ECDSA on P-256 and EdDSA Ed25519 (RFC 8037).
func SigningAlgorithms() []string {
	return []string{string(jose.RS256), string(jose.PS256), string(jose.ES256), string(jose.EdDSA)}
}

// supportedAlgorithm reports whether alg is one of [SigningAlgorithms].
func supportedAlgorithm(alg string) bool { return slices.Contains(SigningAlgorithms(), alg) }

// A signingKey is one private key and the algorithm it signs with. RS256
// and PS256 each have their own RSA key, so that a key is only ever used
// with one algorithm.
type signingKey struct {
	id   string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

// newSigningKey generates a key for alg: RSA 2048 for RS256 and PS256,
// P-256 for ES256, Ed25519 for EdDSA.
func newSigningKey(alg jose.SignatureAlgorithm) (*signingKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256, jose.PS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	if err != nil {
		return nil, fmt.Errorf("fakeoidc: generate %s signing key: %w", alg, err)
	}
	return &signingKey{id: randomString(9), alg: alg, priv: priv}, nil
}

// jwk is the key's public half as the JWKS publishes it (RFC 7517
// section 4: "alg" and "use").
func (k *signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.id, Algorithm: string(k.alg), Use: "sig"}
}

// sign makes a JWT (RFC 7519) of the claims, with the key's ID in its
// header.
func (k *signingKey) sign(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.id}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// A keyring holds the provider's keys by algorithm. A key is generated
// the first time its algorithm is needed (RSA generation is slow, above
// all under the race detector, and most providers use one algorithm);
// generating under the keyring's own lock makes every caller that asks at
// once get the same key, without holding the provider's lock meanwhile.
type keyring struct {
	mu   sync.Mutex
	keys map[jose.SignatureAlgorithm][]*signingKey // per algorithm, the last one signs
	// stray keys sign the ID tokens of an UnknownSigningKey fault: one
	// per algorithm, never published.
	stray map[jose.SignatureAlgorithm]*signingKey
}

// unpublished returns a key of alg that the JWKS never publishes,
// generating it the first time.
func (kr *keyring) unpublished(alg jose.SignatureAlgorithm) (*signingKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if k := kr.stray[alg]; k != nil {
		return k, nil
	}
	k, err := newSigningKey(alg)
	if err != nil {
		return nil, err
	}
	if kr.stray == nil {
		kr.stray = map[jose.SignatureAlgorithm]*signingKey{}
	}
	kr.stray[alg] = k
	return k, nil
}

// signing returns the key that signs with alg now, generating it if
// there is none yet.
func (kr *keyring) signing(alg jose.SignatureAlgorithm) (*signingKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if err := kr.ensure(alg); err != nil {
		return nil, err
	}
	ks := kr.keys[alg]
	return ks[len(ks)-1], nil
}

// ensure generates a key for alg if it has none. kr.mu is held.
func (kr *keyring) ensure(alg jose.SignatureAlgorithm) error {
	if len(kr.keys[alg]) > 0 {
		return nil
	}
	k, err := newSigningKey(alg)
	if err != nil {
		return err
	}
	if kr.keys == nil {
		kr.keys = map[jose.SignatureAlgorithm][]*signingKey{}
	}
	kr.keys[alg] = []*signingKey{k}
	return nil
}

// published makes sure each algorithm of inUse has a key and returns
// every key, algorithm by algorithm in the order of [SigningAlgorithms],
// each algorithm's previous key before its signing one. A key of an
// algorithm no longer in use stays published: tokens it signed still
// verify.
func (kr *keyring) published(inUse []jose.SignatureAlgorithm) ([]*signingKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	for _, alg := range inUse {
		if err := kr.ensure(alg); err != nil {
			return nil, err
		}
	}
	var out []*signingKey
	for _, alg := range SigningAlgorithms() {
		out = append(out, kr.keys[jose.SignatureAlgorithm(alg)]...)
	}
	return out, nil
}

// rotate gives every algorithm in use, and every one that has a key, a
// new signing key, keeping the previous one and dropping older ones.
func (kr *keyring) rotate(inUse []jose.SignatureAlgorithm) error {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	for _, alg := range inUse {
		if err := kr.ensure(alg); err != nil {
			return err
		}
	}
	next := map[jose.SignatureAlgorithm]*signingKey{}
	for alg := range kr.keys {
		k, err := newSigningKey(alg)
		if err != nil {
			return err // nothing rotated yet
		}
		next[alg] = k
	}
	for alg, k := range next {
		ks := append(kr.keys[alg], k)
		kr.keys[alg] = ks[max(0, len(ks)-2):]
	}
	return nil
}
