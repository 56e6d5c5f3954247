package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// AuthenticationError is returned when the token endpoint refuses the client
// credentials or cannot be reached. It never contains the client secret.
type AuthenticationError struct {
	ClientID string
	// TokenURL is the token endpoint that was asked.
	TokenURL string
	// Status is the HTTP status of the token endpoint's answer (0 when none
	// came back).
	Status int
	// Code and Description are the RFC 6749 error and error_description,
	// e.g. "invalid_client".
	Code, Description string
	// Err is the underlying failure when the endpoint gave no RFC 6749 error
	// (a network error or an *UnexpectedResponseError).
	Err error
}

// Error names the client ID, the OAuth error and how to fix it.
func (e *AuthenticationError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("could not get an access token for client_id %q from %s: %v", e.ClientID, e.TokenURL, e.Err)
	}
	msg := fmt.Sprintf("the salesseat API rejected client_id %q: %s", e.ClientID, oneLine(e.Code, 100))
	if e.Description != "" {
		msg += ": " + oneLine(e.Description, 500)
	}
	switch e.Code {
	case "invalid_client", "unauthorized_client":
		msg += ", check client_id/client_secret or SALESSEAT_CLIENT_ID/SALESSEAT_CLIENT_SECRET"
	case "invalid_scope":
		msg += fmt.Sprintf(", check scopes: request only scopes the API client has been granted (%s, %s)", ScopeRead, ScopeWrite)
	default:
		msg += ", check the endpoint and the API client's credentials"
	}
	return msg
}

// Unwrap returns the underlying failure, if any.
func (e *AuthenticationError) Unwrap() error { return e.Err }

// Is makes an invalid_client (or unauthorized_client) rejection match
// ErrUnauthorized and an invalid_scope rejection match ErrInsufficientScope.
func (e *AuthenticationError) Is(target error) bool {
	switch e.Code {
	case "invalid_client", "unauthorized_client":
		return target == ErrUnauthorized
	case "invalid_scope":
		return target == ErrInsufficientScope
	}
	return false
}

// tokenManager caches the client's access token and fetches a new one
// shortly before it expires. At most one fetch runs at a time and every caller
// waits for it, but only as long as its own context allows. The fetch runs on
// the manager's long-lived context, not on the caller's: the token is shared,
// so one caller giving up must not fail the fetch for the others.
type tokenManager struct {
	ctx      context.Context
	cfg      clientcredentials.Config
	margin   time.Duration
	now      func() time.Time
	redactor *redactor // for bodies quoted in errors

	mu        sync.Mutex
	tok       *oauth2.Token // nil: none cached
	refreshAt time.Time     // when tok stops being handed out; zero: never
	inflight  *tokenFetch   // the fetch under way, or nil
}

// tokenFetch is one token request; done is closed when tok or err is set.
type tokenFetch struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

func newTokenManager(ctx context.Context, cfg clientcredentials.Config, margin time.Duration, now func() time.Time, r *redactor) *tokenManager {
	return &tokenManager{ctx: ctx, cfg: cfg, margin: margin, now: now, redactor: r}
}

// token returns a valid access token, fetching one if needed. It returns when
// ctx is done even if a fetch is still under way; that fetch then completes
// in the background and its token is cached for the next caller.
func (m *tokenManager) token(ctx context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	if m.tok != nil && (m.refreshAt.IsZero() || m.now().Before(m.refreshAt)) {
		tok := m.tok
		m.mu.Unlock()
		return tok, nil
	}
	f := m.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		m.inflight = f
		go m.fetch(f)
	}
	m.mu.Unlock()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-f.done:
		if f.err != nil {
			return nil, m.wrap(f.err)
		}
		return f.tok, nil
	}
}

// fetch requests a new token and caches it. Config.Token always asks the
// token endpoint: the caching is done here, with the configured margin.
func (m *tokenManager) fetch(f *tokenFetch) {
	fetchedAt := m.now()
	f.tok, f.err = m.cfg.Token(m.ctx)
	m.mu.Lock()
	if f.err == nil {
		m.tok, m.refreshAt = f.tok, refreshTime(f.tok, fetchedAt, m.margin)
	}
	m.inflight = nil
	m.mu.Unlock()
	close(f.done)
}

// refreshTime is when a token fetched at fetchedAt should be replaced: margin
// before it expires, but no earlier than halfway through its lifetime, so a
// token that lives shorter than twice the margin is still reused. A token
// without an expiry gets the zero time: it is kept until the API rejects it.
func refreshTime(tok *oauth2.Token, fetchedAt time.Time, margin time.Duration) time.Time {
	if tok.Expiry.IsZero() {
		return time.Time{}
	}
	lifetime := tok.Expiry.Sub(fetchedAt)
	return tok.Expiry.Add(-min(margin, max(lifetime/2, 0)))
}

// invalidate drops the cached token if it is still stale, the token a
// request was rejected with, so the next request fetches a new one. A token
// another request has fetched meanwhile is kept.
func (m *tokenManager) invalidate(stale *oauth2.Token) {
	m.mu.Lock()
	if stale != nil && m.tok == stale {
		m.tok = nil
	}
	m.mu.Unlock()
}

// wrap turns an oauth2 failure into an *AuthenticationError.
func (m *tokenManager) wrap(err error) error {
	authErr := &AuthenticationError{ClientID: m.cfg.ClientID, TokenURL: m.cfg.TokenURL}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		authErr.Err = unwrapURLError(err)
		return authErr
	}
	if re.Response != nil {
		authErr.Status = re.Response.StatusCode
	}
	if re.ErrorCode != "" {
		authErr.Code = re.ErrorCode
		authErr.Description = re.ErrorDescription
		return authErr
	}
	ct := ""
	if re.Response != nil {
		ct = re.Response.Header.Get("Content-Type")
	}
	if re.Response != nil && mediaType(ct) == "application/problem+json" {
		// A gateway or the API's own error handling answered in problem+json.
		authErr.Err = decodeErrorResponse(http.MethodPost, "/oauth/token", authErr.Status, re.Response.Header, re.Body, nil, m.redactor, m.now)
		return authErr
	}
	reason := "an RFC 6749 JSON error was expected"
	if strings.TrimSpace(string(re.Body)) == "" {
		reason = "the body is empty, an RFC 6749 JSON error was expected"
	}
	authErr.Err = newUnexpectedResponseError(http.MethodPost, "/oauth/token", authErr.Status, ct, re.Body, reason, m.redactor)
	return authErr
}

// authTransport adds the bearer token to requests for the API's origin.
type authTransport struct {
	next   http.RoundTripper
	tokens *tokenManager
	origin string
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme+"://"+strings.ToLower(req.URL.Host) != t.origin {
		return t.next.RoundTrip(req)
	}
	tok, err := t.tokens.token(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	requestStateFrom(req.Context()).token.Store(tok)
	out := req.Clone(req.Context())
	tok.SetAuthHeader(out)
	return t.next.RoundTrip(out)
}

// headerTransport sets the User-Agent on every request.
type headerTransport struct {
	next      http.RoundTripper
	userAgent string
}

// RoundTrip implements http.RoundTripper.
func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Header.Set("User-Agent", t.userAgent)
	return t.next.RoundTrip(out)
}
