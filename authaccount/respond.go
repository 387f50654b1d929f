package authaccount

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// maxBody is the most bytes of a request body the handlers read.
const maxBody = 16 << 10

// The JSON "error" codes of refusals.
const (
	codeBadRequest     = "bad_request"
	codeInvalidToken   = "invalid_token"
	codeBadCredentials = "bad_credentials"
	codeThrottled      = "throttled"
	codeUnavailable    = "unavailable"
	codeCrossOrigin    = "cross_origin"
	codeError          = "error"
)

// exchange is one request being served: its fields and how to answer.
type exchange struct {
	ac     *Accounts
	w      http.ResponseWriter
	r      *http.Request
	ar     *authrequest.AuthRequest
	json   bool
	fields map[string]string
	flow   string // for the log
}

// serve returns the handler of flow: it begins each request (see begin)
// and, unless begin has answered it, hands it to h.
func (ac *Accounts) serve(flow string, h func(x *exchange)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if x := ac.begin(w, r, flow); x != nil {
			h(x)
		}
	})
}

// begin reads the request: its form or JSON body (the query for GET),
// after checking an unsafe request's origin. On failure it has answered
// and returns nil.
func (ac *Accounts) begin(w http.ResponseWriter, r *http.Request, flow string) *exchange {
	x := &exchange{ac: ac, w: w, r: r, flow: flow, fields: map[string]string{}}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := ct == "application/json"
	x.json = isJSON || acceptsJSON(r)
	x.ar = authrequest.FromContext(r.Context())
	if x.ar == nil {
		ar, err := authrequest.NewWithOptions(ac.a, w, r, ac.cfg.RequestOptions...)
		if err != nil { // New checked the options
			x.fail(err)
			return nil
		}
		x.ar = ar
	}
	if err := x.ar.CheckOrigin(); err != nil {
		x.fail(err)
		return nil
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		for k, v := range r.URL.Query() {
			x.fields[k] = v[0]
		}
		return x
	}
	body := http.MaxBytesReader(w, r.Body, maxBody)
	if isJSON {
		var m map[string]any
		dec := json.NewDecoder(body)
		if err := dec.Decode(&m); err != nil || dec.Decode(&struct{}{}) != io.EOF {
			x.refuse(http.StatusBadRequest, codeBadRequest, "The request body is not one JSON object.")
			return nil
		}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				x.refuse(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("The field %q must be a string.", k))
				return nil
			}
			x.fields[k] = s
		}
		return x
	}
	r.Body = body
	if err := r.ParseForm(); err != nil {
		x.refuse(http.StatusBadRequest, codeBadRequest, "The form could not be read.")
		return nil
	}
	for k, v := range r.PostForm {
		x.fields[k] = v[0]
	}
	return x
}

// acceptsJSON reports whether the request's Accept header names JSON.
func acceptsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return true
		}
	}
	return false
}

// referrerPolicy keeps a URL with a token on the app's own origin.
const referrerPolicy = "same-origin"

// headers sets what every answer carries: nothing here may be cached, and
// a page reached by a link with a token sends no Referer to another site
// (OWASP Forgot Password Cheat Sheet). The policy is same-origin, not
// no-referrer: under no-referrer a browser sends "Origin: null" with the
// page's own form posts (Fetch, "serialize a request origin"), which the
// origin check then refuses as cross-site.
func (x *exchange) headers() http.Header {
	h := x.w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", referrerPolicy)
	return h
}

// ok answers a success: JSON {"message": ...} with status, or for a form
// a 303 to page, or a short HTML page with status when page is empty.
func (x *exchange) ok(status int, message, page string) {
	h := x.headers()
	switch {
	case x.json:
		writeJSON(x.w, status, map[string]string{"message": message})
	case page != "":
		h.Set("Location", page)
		x.w.WriteHeader(http.StatusSeeOther)
	default:
		writeHTML(x.w, status, message)
	}
}

// refuse answers a refusal: JSON {"error": code, "message": ...} or a
// short HTML page, with status.
func (x *exchange) refuse(status int, code, message string) {
	x.headers()
	if x.json {
		writeJSON(x.w, status, map[string]string{"error": code, "message": message})
		return
	}
	writeHTML(x.w, status, message)
}

// invalidToken is the one answer to a token or code that can't be
// redeemed, whatever the reason.
func (x *exchange) invalidToken() {
	x.ac.log.InfoContext(x.r.Context(), "authaccount: invalid token or code", slog.String("flow", x.flow))
	x.refuse(http.StatusBadRequest, codeInvalidToken, "This link or code is invalid or has expired. Ask for a new one.")
}

// fail answers err: 429 for the throttle (with Retry-After), 503 for a
// store or sender failure, 403 for a cross-origin request, 400 for an
// invalid token, 500 otherwise. 5xx failures are logged at Error.
func (x *exchange) fail(err error) {
	ctx := x.r.Context()
	var te *ThrottledError
	switch {
	case errors.As(err, &te):
		x.ac.log.InfoContext(ctx, "authaccount: throttled", slog.String("flow", x.flow), slog.String("limit", te.Limit))
		x.headers().Set("Retry-After", strconv.Itoa(te.RetryAfterSeconds()))
		x.refuse(http.StatusTooManyRequests, codeThrottled, "Too many attempts. Try again later.")
	case errors.Is(err, ErrSend):
		x.ac.log.ErrorContext(ctx, "authaccount: sending mail failed", slog.String("flow", x.flow), slog.Any("error", err))
		x.refuse(http.StatusServiceUnavailable, codeUnavailable, "We could not send the email. Try again in a moment.")
	case errors.Is(err, auth.ErrInvalidToken):
		x.invalidToken()
	case errors.Is(err, authrequest.ErrCrossOrigin):
		x.ac.log.InfoContext(ctx, "authaccount: cross-origin request refused", slog.String("flow", x.flow))
		x.refuse(http.StatusForbidden, codeCrossOrigin, "Cross-origin request refused.")
	case authrequest.StatusCode(err) == http.StatusServiceUnavailable:
		x.ac.log.ErrorContext(ctx, "authaccount: store failure", slog.String("flow", x.flow), slog.Any("error", err))
		x.refuse(http.StatusServiceUnavailable, codeUnavailable, "The service is unavailable. Try again in a moment.")
	default:
		x.ac.log.ErrorContext(ctx, "authaccount: request failed", slog.String("flow", x.flow), slog.Any("error", err))
		x.refuse(http.StatusInternalServerError, codeError, "Something went wrong. Try again later.")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeHTML(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Account</title>\n<p>"+html.EscapeString(message)+"</p>\n")
}
