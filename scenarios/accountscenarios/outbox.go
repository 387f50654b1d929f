package accountscenarios

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authmail"
)

// errSenderDown is what the outbox answers while a case makes it fail.
var errSenderDown = errors.New("accountscenarios: the outbox is down")

// outbox is the Sender of a case: it records every message at the clock's
// time, the ones it refused too, so that a case can read the token of a
// mail that was never delivered.
type outbox struct {
	clock auth.Clock

	mu      sync.Mutex
	sent    []mail // delivered
	refused []mail // attempted while down
	down    bool
}

// mail is one message as the outbox saw it.
type mail struct {
	authmail.Message
	At time.Time
}

// Send implements authmail.Sender: it refuses a message without a
// recipient, as an SMTP server would, and every message while down.
func (o *outbox) Send(ctx context.Context, m authmail.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.TrimSpace(m.To) == "" || strings.ContainsAny(m.To, "\r\n") {
		return errors.New("accountscenarios: a message needs one recipient")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	got := mail{Message: m, At: o.clock.Now()}
	if o.down {
		o.refused = append(o.refused, got)
		return errSenderDown
	}
	o.sent = append(o.sent, got)
	return nil
}

func (o *outbox) setDown(down bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = down
}

// to returns the messages delivered to addr, oldest first.
func (o *outbox) to(addr string) []mail { return o.matching(&o.sent, addr) }

// refusedTo returns the messages to addr the outbox refused.
func (o *outbox) refusedTo(addr string) []mail { return o.matching(&o.refused, addr) }

func (o *outbox) matching(list *[]mail, addr string) []mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ms []mail
	for _, m := range *list {
		if strings.EqualFold(m.To, addr) {
			ms = append(ms, m)
		}
	}
	return ms
}

// count returns how many messages were delivered and refused.
func (o *outbox) count() (sent, refused int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent), len(o.refused)
}

var (
	urlPattern  = regexp.MustCompile(`https?://[^\s<>"')\]]+`)
	codePattern = regexp.MustCompile(`(?:^|[^0-9])([0-9]{6,8})(?:[^0-9]|$)`)
)

// link returns the first http(s) URL of the text body, as a reader would
// click it.
func (m mail) link() string { return urlPattern.FindString(m.Text) }

// token returns the token query parameter of the message's link.
func (m mail) token() string {
	u, err := url.Parse(m.link())
	if err != nil {
		return ""
	}
	return u.Query().Get("token")
}

// code returns the first run of 6 to 8 digits of the text body outside
// its links.
func (m mail) code() string {
	text := urlPattern.ReplaceAllString(m.Text, " ")
	if s := codePattern.FindStringSubmatch(text); s != nil {
		return s[1]
	}
	return ""
}
