package fakeoidc_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, url, nil)
}

func newFuzzRequest(method, path, query, body string) (req *http.Request, err error) {
	req, err = http.NewRequest(method, "http://op.test/", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.URL.Path, req.URL.RawQuery = path, query
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
