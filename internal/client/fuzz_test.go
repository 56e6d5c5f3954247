package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecodeError feeds arbitrary statuses, content types and bodies to the
// error decoder: it must never panic and must always return *Error or
// *UnexpectedResponseError, whose messages are single lines.
func FuzzDecodeError(f *testing.F) {
	f.Add(409, "application/problem+json", []byte(`{"type":"https://salesseat.dev/problems/seat_limit_reached","status":409,"code":"seat_limit_reached","detail":"full","seats_used":25,"seat_limit":25,"seats_requested":1}`), "")
	f.Add(422, "application/problem+json; charset=utf-8", []byte(`{"code":"validation_failed","errors":[{"field":"role","message":"unknown"}]}`), "")
	f.Add(502, "text/html", []byte("<html><body>502 Bad Gateway</body></html>"), "")
	f.Add(409, "application/problem+json", []byte(`{"code":"seat_li`), "")
	f.Add(429, "application/problem+json", []byte(`{"code":"rate_limited"}`), "7")
	f.Add(500, "", []byte(nil), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(404, "application/problem+json", []byte(`{"errors":"not a list","in_recycle_bin":"yes","status":"404"}`), "")
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newRedactor(testClientSecret)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte, retryAfter string) {
		h := http.Header{}
		h.Set("Content-Type", contentType)
		h.Set("Retry-After", retryAfter)
		err := decodeErrorResponse(http.MethodGet, "/api/v1/account", status, h, body, nil, r, func() time.Time { return now })
		var (
			apiErr     *Error
			unexpected *UnexpectedResponseError
		)
		switch {
		case errors.As(err, &apiErr):
			if apiErr.Status != status {
				t.Errorf("Status = %d, want the HTTP status %d", apiErr.Status, status)
			}
			if apiErr.RetryAfter < 0 {
				t.Errorf("RetryAfter = %s", apiErr.RetryAfter)
			}
		case errors.As(err, &unexpected):
			if n := utf8.RuneCountInString(unexpected.Snippet); n > 201 {
				t.Errorf("snippet has %d runes", n)
			}
		default:
			t.Fatalf("decodeErrorResponse returned %T (%v)", err, err)
		}
		if err != apiErr && err != unexpected { //nolint:errorlint // the decoder must return the type itself, not a wrapper
			t.Fatalf("decodeErrorResponse wrapped its result: %T", err)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") {
			t.Errorf("message is not one line: %q", msg)
		}
	})
}
