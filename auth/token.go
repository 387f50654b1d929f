package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
)

// Session tokens are 20 random bytes (160 bits) from crypto/rand, written
// in lowercase base32 without padding: 32 characters of [a-z2-7].
const (
	tokenBytes = 20
	// TokenLength is the length of every session token.
	TokenLength = 32
)

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newToken returns a fresh session token.
func newToken() string {
	var b [tokenBytes]byte
	rand.Read(b[:]) // never returns an error; crashes the program if the OS can't give randomness
	return tokenEncoding.EncodeToString(b[:])
}

// newUserID returns a fresh user ID: 80 random bits in the token alphabet.
func newUserID() string {
	var b [10]byte
	rand.Read(b[:])
	return tokenEncoding.EncodeToString(b[:])
}

// ValidToken reports whether token has the form of a session token: the
// right length and alphabet. A token that fails is rejected before any
// store read.
func ValidToken(token string) bool {
	if len(token) != TokenLength {
		return false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	// The last character carries 160 mod 5 = 0 spare bits, so every string
	// of this form decodes: no further check is needed.
	return true
}

// SessionID returns the session ID for a token: the SHA-256 of the token in
// lowercase hex. Stores key sessions by this ID, so a leaked store or log
// yields no usable cookie. It does not check the token's form.
func SessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	var b [2 * sha256.Size]byte // on the stack: one allocation, the string
	hex.Encode(b[:], sum[:])
	return string(b[:])
}
