package client

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"
)

// traceBodyLimit is how much of a body trace logging shows.
const traceBodyLimit = 64 << 10

// loggingTransport logs every HTTP attempt: at debug the method, path, status
// and duration; at trace also the headers and bodies, with secrets redacted.
type loggingTransport struct {
	next     http.RoundTripper
	logger   hclog.Logger
	redactor *redactor
}

// RoundTrip implements http.RoundTripper.
func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.logger.IsDebug() {
		return t.next.RoundTrip(req)
	}
	trace := t.logger.IsTrace()
	path := req.URL.EscapedPath()
	if trace {
		var body []byte
		if req.Body != nil && req.Body != http.NoBody {
			data, err := io.ReadAll(req.Body)
			_ = req.Body.Close()
			if err != nil {
				return nil, err
			}
			body = data
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(data))
		}
		t.logger.Trace("salesseat API request",
			"method", req.Method,
			"path", path,
			"query", t.redactor.text(req.URL.RawQuery),
			"headers", t.redactor.headers(req.Header),
			"body", t.redactor.body(req.Header.Get("Content-Type"), truncate(body)),
		)
	}

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	duration := time.Since(start)
	if err != nil {
		t.logger.Debug("salesseat API request failed",
			"method", req.Method, "path", path, "duration", duration,
			"error", t.redactor.text(err.Error()))
		return nil, err
	}
	t.logger.Debug("salesseat API request",
		"method", req.Method, "path", path, "status", resp.StatusCode, "duration", duration)

	if trace {
		prefix, readErr := io.ReadAll(io.LimitReader(resp.Body, traceBodyLimit+1))
		rest := io.Reader(resp.Body)
		if readErr != nil {
			// The caller meets the same read error after the logged prefix.
			rest = errReader{readErr}
		}
		resp.Body = &prefixedBody{Reader: io.MultiReader(bytes.NewReader(prefix), rest), closer: resp.Body}
		t.logger.Trace("salesseat API response",
			"method", req.Method,
			"path", path,
			"status", resp.StatusCode,
			"headers", t.redactor.headers(resp.Header),
			"body", t.redactor.body(resp.Header.Get("Content-Type"), truncate(prefix)),
		)
	}
	return resp, nil
}

// truncate shortens a body for the trace log.
func truncate(b []byte) []byte {
	if len(b) > traceBodyLimit {
		return append(b[:traceBodyLimit:traceBodyLimit], []byte(" …(truncated)")...)
	}
	return b
}

// prefixedBody replays the bytes already read for logging before the rest.
type prefixedBody struct {
	io.Reader
	closer io.Closer
}

func (b *prefixedBody) Close() error { return b.closer.Close() }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
