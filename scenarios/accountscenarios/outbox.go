package accountscenarios

import (
	"context"
	"errors"
	"sync"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/fakemail"
)

// errSenderDown is what the outbox answers while a case makes it fail.
var errSenderDown = errors.New("accountscenarios: the outbox is down")

// outbox is the Sender of a case: a fakemail.Outbox, which keeps what it
// delivers and refuses what an SMTP server refuses, and beside it the
// messages it refused while down, so that a case can read the token of a
// mail that never arrived (fakemail keeps nothing of a failed Send).
type outbox struct {
	*fakemail.Outbox
	clock auth.Clock

	mu      sync.Mutex
	down    bool
	refused []fakemail.Message
}

func newOutbox(clock auth.Clock) *outbox {
	return &outbox{Outbox: fakemail.New(fakemail.WithClock(clock)), clock: clock}
}

// Send implements authmail.Sender.
func (o *outbox) Send(ctx context.Context, m authmail.Message) error {
	o.mu.Lock()
	if o.down && m.Validate() == nil {
		o.refused = append(o.refused, fakemail.Message{Message: m, Sent: o.clock.Now()})
	}
	o.mu.Unlock()
	return o.Outbox.Send(ctx, m)
}

func (o *outbox) setDown(down bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = down
	if down {
		o.Down(errSenderDown)
	} else {
		o.Up()
	}
}

// count returns how many messages were delivered and refused.
func (o *outbox) count() (sent, refused int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.Messages()), len(o.refused)
}

// refusedTo returns the messages to addr the outbox refused while down.
func (o *outbox) refusedTo(addr string) []fakemail.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ms []fakemail.Message
	for _, m := range o.refused {
		if m.To == addr {
			ms = append(ms, m)
		}
	}
	return ms
}
