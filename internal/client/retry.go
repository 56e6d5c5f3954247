package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// requestState travels in a request's context so the retry policy knows
// whether the request may be repeated.
type requestState struct {
	// retrySafe: repeating the request after a lost response has no further
	// effect (reads, deletes, creates with an Idempotency-Key, ...).
	retrySafe bool
	// bearer: the request carries the client's access token, so a 401 may be
	// answered by fetching a new token and retrying once.
	bearer      bool
	authRetried atomic.Bool
	// token is the access token the latest attempt was sent with.
	token atomic.Pointer[oauth2.Token]
}

type requestStateKey struct{}

func withRequestState(ctx context.Context, s *requestState) context.Context {
	return context.WithValue(ctx, requestStateKey{}, s)
}

func requestStateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(requestStateKey{}).(*requestState)
	if s == nil {
		return &requestState{}
	}
	return s
}

// checkRetry is the retryablehttp.CheckRetry policy:
//   - a canceled context stops at once;
//   - connection errors are retried for retry-safe requests only, except
//     errors that cannot heal (TLS verification, bad URL, authentication);
//   - 429 and 503 are retried for every request (the server refused it);
//   - 502 and 504 only for retry-safe requests (the request may have been
//     processed behind the gateway);
//   - a 401 to a bearer request drops the cached token and retries once;
//   - a Retry-After longer than RetryWaitMax is not waited for.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	state := requestStateFrom(ctx)
	if err != nil {
		return state.retrySafe && isRetryableTransportError(err), nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return c.retryAfterAcceptable(resp), nil
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return state.retrySafe && c.retryAfterAcceptable(resp), nil
	case http.StatusUnauthorized:
		if state.bearer && state.authRetried.CompareAndSwap(false, true) {
			c.tokens.invalidate(state.token.Load())
			return true, nil
		}
	}
	return false, nil
}

// retryAfterAcceptable reports whether resp carries no Retry-After or one no
// longer than RetryWaitMax.
func (c *Client) retryAfterAcceptable(resp *http.Response) bool {
	d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	return !ok || d <= c.retryWaitMax
}

// isRetryableTransportError reports whether a failure to get a response may
// heal on a retry.
func isRetryableTransportError(err error) bool {
	var authErr *AuthenticationError
	if errors.As(err, &authErr) {
		return false
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		invalidCert      x509.CertificateInvalidError
		hostnameErr      x509.HostnameError
		verifyErr        *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &invalidCert) ||
		errors.As(err, &hostnameErr) || errors.As(err, &verifyErr) {
		return false
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		msg := urlErr.Err.Error()
		for _, permanent := range []string{"unsupported protocol scheme", "stopped after", "invalid header", "http: server gave HTTP response to HTTPS client"} {
			if strings.Contains(msg, permanent) {
				return false
			}
		}
	}
	return true
}

// backoff is the retryablehttp.Backoff policy: no wait before the retry of a
// 401 (a new token is fetched), the server's Retry-After when given (capped
// at waitMax), else exponential backoff from waitMin with jitter, capped at
// waitMax.
func (c *Client) backoff(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if resp.StatusCode == http.StatusUnauthorized {
			return 0
		}
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now()); ok {
			return min(d, waitMax)
		}
	}
	return jitteredBackoff(waitMin, waitMax, attempt, rand.Int64N)
}

// jitteredBackoff returns a random duration in [d/2, d] where d is
// waitMin*2^attempt capped at waitMax.
func jitteredBackoff(waitMin, waitMax time.Duration, attempt int, randN func(int64) int64) time.Duration {
	d := min(waitMin, waitMax)
	for range max(attempt, 0) {
		if d >= waitMax/2 {
			d = waitMax
			break
		}
		d *= 2
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + time.Duration(randN(int64(d-half)+1))
}

// errorHandler is the retryablehttp.ErrorHandler: it hands back the last
// response (decoded by the caller) or the last error, noting the attempts.
func errorHandler(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if err != nil {
		err = unwrapURLError(err)
	}
	if err != nil && attempts > 1 {
		return resp, &attemptsError{err: err, attempts: attempts}
	}
	return resp, err
}

// attemptsError records how many attempts failed with err.
type attemptsError struct {
	err      error
	attempts int
}

func (e *attemptsError) Error() string {
	return e.err.Error() + " (gave up after " + strconv.Itoa(e.attempts) + " attempts)"
}

func (e *attemptsError) Unwrap() error { return e.err }
