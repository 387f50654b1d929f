package fakeoidc

import (
	"net/http"
	"net/http/httptest"
)

// Client returns an [http.Client] that hands every request to the
// provider in process, whatever the host of its URL, without a listener:
// for an app that mounts the provider on its own server (the playground)
// and must not call itself over the network. A request ends when the
// provider answers or the request's context is done, so the client's
// Timeout bounds a [Delay].
func (p *Provider) Client() *http.Client {
	return &http.Client{Transport: inProcess{p}}
}

type inProcess struct{ h http.Handler }

// RoundTrip serves r with the provider and returns its answer.
func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	res := rec.Result()
	res.Request = r
	return res, nil
}
