package authe2e

import "net/http"

// A Mailbox is the outbox the app's flows send through in its end-to-end
// build.
type Mailbox interface {
	Clear()
}

func (h *handler) mail(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotImplemented, "no outbox: Config.Mail is nil")
}
