package authmail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authmail"
)

func TestMessageValidate(t *testing.T) {
	valid := authmail.Message{To: "ada@example.com", Subject: "Hi", Text: "Hello"}
	for _, tc := range []struct {
		name    string
		edit    func(*authmail.Message)
		wantErr string // "" for a valid message
	}{
		{"valid", func(*authmail.Message) {}, ""},
		{"display name", func(m *authmail.Message) { m.To = `"Ada L." <ada@example.com>` }, ""},
		{"no subject", func(m *authmail.Message) { m.Subject = "" }, ""},
		{"line breaks in bodies", func(m *authmail.Message) { m.Text, m.HTML = "a\rb\nc", "<p>\r\n</p>" }, ""},
		{"empty To", func(m *authmail.Message) { m.To = " " }, "no recipient"},
		{"To without @", func(m *authmail.Message) { m.To = "ada" }, "not one address"},
		{"two recipients", func(m *authmail.Message) { m.To = "ada@example.com, bob@example.com" }, "not one address"},
		{"LF in To", func(m *authmail.Message) { m.To = "ada@example.com\nBcc: eve@example.com" }, "line break in To"},
		{"CR in Subject", func(m *authmail.Message) { m.Subject = "Hi\rBcc: eve@example.com" }, "line break in Subject"},
		{"no Text", func(m *authmail.Message) { m.Text = "" }, "no Text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid
			tc.edit(&m)
			err := m.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, authmail.ErrInvalidMessage) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Validate() = %v, want ErrInvalidMessage saying %q", err, tc.wantErr)
			}
		})
	}
}
