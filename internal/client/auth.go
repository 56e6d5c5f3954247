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

// tokenManager caches access tokens and refreshes them shortly before they
// expire. Its token source is built on a long-lived context.
type tokenManager struct {
	ctx    context.Context
	cfg    clientcredentials.Config
	margin time.Duration

	mu  sync.Mutex
	src oauth2.TokenSource
}

func newTokenManager(ctx context.Context, cfg clientcredentials.Config, margin time.Duration) *tokenManager {
	m := &tokenManager{ctx: ctx, cfg: cfg, margin: margin}
	m.reset()
	return m
}

// reset drops the cached token, so the next request fetches a new one.
func (m *tokenManager) reset() {
	src := oauth2.ReuseTokenSourceWithExpiry(nil, m.cfg.TokenSource(m.ctx), m.margin)
	m.mu.Lock()
	m.src = src
	m.mu.Unlock()
}

// token returns a valid access token, fetching one if needed. It returns when
// ctx is done even if a fetch is still under way (the fetch then completes in
// the background and its token is cached).
func (m *tokenManager) token(ctx context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	src := m.src
	m.mu.Unlock()

	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := src.Token()
		done <- result{tok, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-done:
		if r.err != nil {
			return nil, m.wrap(r.err)
		}
		return r.tok, nil
	}
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
		authErr.Err = decodeErrorResponse(http.MethodPost, "/oauth/token", authErr.Status, re.Response.Header, re.Body, nil, nil, time.Now)
		return authErr
	}
	reason := "an RFC 6749 JSON error was expected"
	if strings.TrimSpace(string(re.Body)) == "" {
		reason = "the body is empty, an RFC 6749 JSON error was expected"
	}
	authErr.Err = newUnexpectedResponseError(http.MethodPost, "/oauth/token", authErr.Status, ct, re.Body, reason, nil)
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
