package authe2e

import (
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/fakemail"
)

// A Mailbox is the outbox the app's flows send through in its end-to-end
// build: a *fakemail.Outbox, given to the app as its authmail.Sender.
type Mailbox interface {
	// Messages returns every message sent, oldest first.
	Messages() []fakemail.Message
	// To returns the messages sent to address, oldest first.
	To(address string) []fakemail.Message
	// Clear forgets every message.
	Clear()
}

// Mail is one message as GET mail answers it: what the recipient reads, and
// the link, token and code in it, found as fakemail finds them.
type Mail struct {
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html,omitempty"`
	Link    string    `json:"link,omitempty"`
	Token   string    `json:"token,omitempty"`
	Code    string    `json:"code,omitempty"`
	SentAt  time.Time `json:"sentAt"`
}

func (h *handler) mail(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		h.cfg.Mail.Clear()
		writeJSON(w, http.StatusOK, map[string]bool{"cleared": true})
		return
	}
	msgs := h.cfg.Mail.Messages()
	if to := r.URL.Query().Get("to"); to != "" {
		msgs = h.cfg.Mail.To(to)
	}
	out := make([]Mail, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, Mail{
			To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
			Link: m.Link(), Token: m.Token(), Code: m.Code(), SentAt: m.Sent,
		})
	}
	writeJSON(w, http.StatusOK, map[string][]Mail{"messages": out})
}
