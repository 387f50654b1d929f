package sqlcore

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, c := range []struct {
		name   string
		dotted bool
		want   string // "" for an error
	}{
		{"users", false, `"users"`},
		{"_u1", false, `"_u1"`},
		{"app.users", true, `"app"."users"`},
		{"app.users", false, ""},
		{"a.b.c", true, ""},
		{"1users", false, ""},
		{"", false, ""},
		{`users"; DROP TABLE x; --`, false, ""},
		{strings.Repeat("a", 64), false, ""},
	} {
		got, err := Quote(c.name, c.dotted)
		if c.want == "" && err == nil || c.want != "" && got != c.want {
			t.Errorf("Quote(%q, %v) = %q, %v; want %q", c.name, c.dotted, got, err, c.want)
		}
	}
}

func TestNumberPlaceholders(t *testing.T) {
	if got, want := numberPlaceholders(`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`), `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`; got != want {
		t.Errorf("numberPlaceholders = %q, want %q", got, want)
	}
}

func TestCanonicalID(t *testing.T) {
	if canonicalID("text") != nil {
		t.Error("canonicalID(text) is a check; every string is a text ID")
	}
	for _, c := range []struct {
		idType string
		ok     []string
		not    []string
	}{
		{"integer", []string{"0", "-7", "2147483647"}, []string{"", "-0", "07", "+7", " 7", "2147483648", "7.0"}},
		{"bigint", []string{"42", "-9223372036854775808"}, []string{"042", "9223372036854775808", "0x2a"}},
		{"uuid", []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}, []string{"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11"}},
	} {
		ok := canonicalID(c.idType)
		for _, id := range c.ok {
			if !ok(id) {
				t.Errorf("canonicalID(%s)(%q) = false, want true", c.idType, id)
			}
		}
		for _, id := range c.not {
			if ok(id) {
				t.Errorf("canonicalID(%s)(%q) = true, want false", c.idType, id)
			}
		}
	}
}
