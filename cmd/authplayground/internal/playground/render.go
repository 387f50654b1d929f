package playground

import (
	"bytes"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// notices are the messages a form's redirect can ask the home page to
// show. The notice cookie names one by its key, so that nothing but the
// server chooses what the page says.
func notices() map[string]string {
	m := map[string]string{
		"signed-up":       "Signed up and signed in: a new session, a new cookie (set).",
		"signed-in":       "Signed in: a new session, a new cookie (set or rotated).",
		"signed-out":      "Signed out: the session is deleted and the cookie cleared.",
		"revoked":         "Device signed out: its session is deleted.",
		"advanced":        "The clock moved. This page load validated the session, if there was one.",
		"faults-set":      "Fault armed: the next calls of that store operation fail. This page read your session around the fault switches, so it used up none of them and renewed nothing; reload it to see the app's own read meet the fault.",
		"oidc-faults-set": "Provider fault armed: the next requests to that endpoint of the fake provider fail.",
		"others-out":      "Other devices signed out: every session but this browser's is deleted.",
		"faults-clear":    "Faults cleared.",
		"reset":           "Reset: users and sessions are gone, the clock is back at its start, the inspector is empty.",
		"bad-login":       "Wrong username or password.",
		"taken":           "That username is taken.",
		"invalid":         "Username and password must not be empty; a username has at most 64 bytes, a password at most 1024.",
		"store":           "The store failed (an armed fault?): nothing changed, the cookie is kept.",
		"not-signed-in":   "Sign in first.",
		"no-device":       "No such device among yours.",
		"bad-advance":     "The clock only moves forward, by a Go duration such as 90m or 25h, up to the year 2261.",
		"bad-fault":       "Choose a store operation and a count between 1 and 1000.",
		"reset-failed":    "The store could not be emptied.",
	}
	maps.Copy(m, oidcNotices())
	return m
}

// isError reports whether the notice of key tells of a failure.
func isError(key string) bool {
	switch key {
	case "bad-login", "taken", "invalid", "store", "not-signed-in", "no-device", "bad-advance", "bad-fault", "reset-failed":
		return true
	}
	_, failed := oidcNotices()[key]
	return failed
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"time":            func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
		"countdown":       countdown,
		"short":           shortID,
		"duration":        formatDuration,
		"agent":           shortAgent,
		"credentialsForm": newCredentialsForm,
	}
}

// A credentialsForm is the home page's sign-up or sign-in form, which
// template "credentials-form" writes: both take a username and a password
// and offer "remember me".
type credentialsForm struct {
	ID, Action, Title string
	// Autocomplete is the password field's: a browser offers to make up
	// a new password, or fills in the one it keeps.
	Autocomplete string
}

// newCredentialsForm returns the sign-up form for kind "signup" and the
// sign-in form for "login".
func newCredentialsForm(kind string) (credentialsForm, error) {
	switch kind {
	case "signup":
		return credentialsForm{ID: "signup-form", Action: "/ui/signup", Title: "Sign up", Autocomplete: "new-password"}, nil
	case "login":
		return credentialsForm{ID: "login-form", Action: "/ui/login", Title: "Sign in", Autocomplete: "current-password"}, nil
	}
	return credentialsForm{}, fmt.Errorf("no credentials form %q", kind)
}

// shortAgent cuts a User-Agent to what fits in a table cell; the whole
// string is in the cell's title.
func shortAgent(ua string) string {
	const max = 40
	if len(ua) <= max {
		return ua
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(ua[i]) {
			return ua[:i] + "…"
		}
	}
	return "…"
}

// countdown says how far t is from now: "in 23h 59m" or "1h ago".
func countdown(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d > 0:
		return "in " + formatDuration(d)
	case d < 0:
		return formatDuration(-d) + " ago"
	}
	return "now"
}

// formatDuration writes d in days, hours, minutes and seconds, leaving out
// the units that are zero: "14d 1s", "23h 59m 59s".
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	if d < time.Second {
		return d.String()
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.size; n > 0 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.size
		}
	}
	return strings.Join(parts, " ")
}
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "playground: rendering a page", "page", name, "error", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.DebugContext(r.Context(), "playground: writing a page", "page", name, "error", err)
	}
}

// noticeCookie carries the notice a form's redirect asks the home page to
// show, once: the page clears it, so a reload shows no stale notice (it
// used to live in the URL, and stayed there).
const noticeCookie = "play_notice"

// back redirects a form post to the home page, which shows notice key
// once.
func back(w http.ResponseWriter, r *http.Request, key string) {
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// takeNotice returns the key of the notice the request's cookie asks for
// ("" for none or an unknown one) and clears the cookie.
func takeNotice(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(noticeCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if _, ok := notices()[c.Value]; !ok {
		return ""
	}
	return c.Value
}
