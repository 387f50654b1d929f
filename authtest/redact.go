package authtest

import (
	"fmt"
	"strings"

	"github.com/authkit-dev/authkit/auth"
)

// Redactor replaces session tokens in text with stable placeholders:
// the first token it meets becomes "<token-1>", the next different one
// "<token-2>", and a token seen again gets its placeholder again. Failure
// messages and transcripts use one Redactor each, so that within one of
// them the reader can still tell which cookie is which, and a golden file
// does not change with the random tokens of each run.
//
// The zero value is ready to use. A Redactor is not safe for concurrent
// use.
type Redactor struct {
	seen map[string]string
}

// Token returns the placeholder for tok, whatever its form. The empty
// string stays empty.
func (r *Redactor) Token(tok string) string {
	if tok == "" {
		return ""
	}
	if r.seen == nil {
		r.seen = map[string]string{}
	}
	p, ok := r.seen[tok]
	if !ok {
		p = fmt.Sprintf("<token-%d>", len(r.seen)+1)
		r.seen[tok] = p
	}
	return p
}

// Redact returns s with every word that has the form of a session token
// (see [auth.ValidToken]: 32 characters of [a-z2-7], not part of a longer
// run of letters and digits) replaced by its placeholder, and with the
// port of a loopback address ("127.0.0.1:41873", "[::1]:41873",
// "localhost:41873"), which [httptest.NewServer] picks at random, replaced
// by "<port>".
func (r *Redactor) Redact(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if w := s[i:j]; auth.ValidToken(w) {
			b.WriteString(r.Token(w))
		} else {
			b.WriteString(w)
		}
		i = j
	}
	return redactLoopbackPorts(b.String())
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// redactLoopbackPorts replaces the digits after a loopback host and a
// colon with "<port>".
func redactLoopbackPorts(s string) string {
	var b strings.Builder
	for {
		i, n := -1, 0
		for _, h := range []string{"127.0.0.1:", "[::1]:", "localhost:"} {
			k := strings.Index(s, h)
			if k >= 0 && (i < 0 || k < i) {
				i, n = k, len(h)
			}
		}
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + n
		digits := end
		for digits < len(s) && '0' <= s[digits] && s[digits] <= '9' {
			digits++
		}
		b.WriteString(s[:end])
		if digits > end {
			b.WriteString("<port>")
		}
		s = s[digits:]
	}
}
