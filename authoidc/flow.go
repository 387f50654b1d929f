package authoidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// flow is what the flow cookie carries between Start and Callback.
type flow struct {
	State      string `json:"s"`
	Nonce      string `json:"n"`
	Verifier   string `json:"v"`
	Expires    int64  `json:"e"` // Unix seconds on the Auth's clock
	Return     string `json:"r"`
	LinkUserID string `json:"l,omitempty"`
}

// sealer seals flows with AES-256-GCM, the cookie's name as additional
// data, so that a flow cookie can be neither read nor forged nor moved to
// another cookie.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: CookieKey must be 32 bytes, not %d", ErrConfig, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(name string, f flow) (string, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("authoidc: encode flow: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

func (s *sealer) open(name, value string) (flow, error) {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < s.aead.NonceSize() {
		return flow{}, fmt.Errorf("%w: the flow cookie is malformed", ErrBadFlow)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(name))
	if err != nil {
		return flow{}, fmt.Errorf("%w: the flow cookie was not sealed by this server", ErrBadFlow)
	}
	var f flow
	if err := json.Unmarshal(plain, &f); err != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return flow{}, fmt.Errorf("%w: the flow cookie is incomplete", ErrBadFlow)
	}
	return f, nil
}

// randomToken returns 128 random bits in unpadded base64url.
func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
