package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id parameters used to hash new passwords.
// Hashes record their own parameters, so changing these later still
// verifies passwords hashed before.
type Argon2Params struct {
	Memory  uint32 // in KiB
	Time    uint32 // iterations
	Threads uint8
}

// DefaultArgon2Params are OWASP's recommended minimum for argon2id
// (19 MiB, 2 iterations, 1 thread).
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}
}

const (
	argon2SaltLen = 16
	argon2KeyLen  = 32
	// maxPasswordLen bounds the work an attacker can ask for by sending a
	// huge password.
	maxPasswordLen = 4096
	// Hashes with parameters above these limits are refused as corrupt
	// rather than allowed to exhaust memory.
	maxArgon2Memory = 1 << 20 // 1 GiB
	maxArgon2Time   = 64
)

var errBadHash = errors.New("auth: malformed password hash")

// hashPassword returns the argon2id hash of password in PHC string form:
// $argon2id$v=19$m=...,t=...,p=...$salt$hash
func hashPassword(password string, p Argon2Params) (string, error) {
	if len(password) > maxPasswordLen {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidPassword, maxPasswordLen)
	}
	salt := make([]byte, argon2SaltLen)
	rand.Read(salt)
	sum := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, argon2KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// verifyPassword reports whether password matches hash, comparing in
// constant time.
func verifyPassword(password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Memory > maxArgon2Memory || p.Time == 0 || p.Time > maxArgon2Time || p.Threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	if len(password) > maxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
