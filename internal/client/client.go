package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/salesseat/terraform-provider-salesseat/internal/loopback"
)

// Defaults applied by [New] to zero-valued [Config] fields.
const (
	DefaultUserAgent         = "terraform-provider-salesseat/dev"
	DefaultRetryMax          = 4
	DefaultRetryWaitMin      = time.Second
	DefaultRetryWaitMax      = 30 * time.Second
	DefaultRequestTimeout    = 60 * time.Second
	DefaultMaxResponseBytes  = 10 << 20
	DefaultTokenExpiryMargin = time.Minute
)

// Scopes understood by the salesseat API.
const (
	ScopeRead  = "salesseat.read"
	ScopeWrite = "salesseat.write"
)

const apiPrefix = "/api/v1"

// Config configures a [Client]. Endpoint, ClientID and ClientSecret are
// required; every other field has a default.
type Config struct {
	// Endpoint is the base URL of the salesseat API, e.g.
	// "https://api.salesseat.example". It must use https unless the host is a
	// loopback address (127.0.0.0/8, ::1 or localhost).
	Endpoint string
	// ClientID and ClientSecret are the API client's OAuth 2.0 credentials.
	ClientID     string
	ClientSecret string
	// Scopes are requested with every token. Empty requests the scopes the
	// API client is allowed.
	Scopes []string
	// UserAgent is sent with every request; default DefaultUserAgent.
	UserAgent string
	// Logger receives debug (one line per HTTP attempt) and trace (headers and
	// bodies, secrets redacted) logs; default a null logger.
	Logger hclog.Logger
	// HTTPClient is the base HTTP client whose Transport carries the requests;
	// default a pooled cleanhttp client. Its Timeout and CheckRedirect are not
	// used: see RequestTimeout, and redirects are never followed.
	HTTPClient *http.Client
	// RetryMax is how many times a failed request is retried; 0 means
	// DefaultRetryMax and a negative value disables retries, including the
	// single retry with a new access token after a 401.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the backoff between retries;
	// defaults DefaultRetryWaitMin and DefaultRetryWaitMax. A Retry-After
	// longer than RetryWaitMax is not waited for: the error is returned.
	RetryWaitMin, RetryWaitMax time.Duration
	// RequestTimeout bounds each attempt, including reading its body;
	// default DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxResponseBytes bounds the size of a response body the client reads;
	// default DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// TokenExpiryMargin is how long before its expiry a cached access token
	// is replaced (at most half the token's lifetime, so short-lived tokens
	// are still reused); default DefaultTokenExpiryMargin.
	TokenExpiryMargin time.Duration
}

// Client is a salesseat provisioning API client. It is safe for concurrent
// use. Create one with [New].
type Client struct {
	// Account reads the account and its seat usage.
	Account AccountService
	// Roles lists the role catalog.
	Roles RoleService
	// Connections manages Salesforce connections.
	Connections ConnectionService
	// CRM reads users and profiles of a connection's Salesforce org.
	CRM CRMService
	// RoleMappings manages profile to role mappings.
	RoleMappings RoleMappingService
	// SalesUsers manages sales users.
	SalesUsers SalesUserService
	// RecycleBin lists, restores and purges deleted sales users.
	RecycleBin RecycleBinService

	endpoint         *url.URL
	clientID         string
	userAgent        string
	logger           hclog.Logger
	http             *retryablehttp.Client
	tokens           *tokenManager
	redactor         *redactor
	maxResponseBytes int64
	retryWaitMax     time.Duration
	now              func() time.Time
}

// New validates cfg and returns a Client. It performs no network I/O; call
// [Client.Authenticate] to check the credentials.
func New(cfg Config) (*Client, error) {
	endpoint, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, errors.New("client_id is required: set client_id (or SALESSEAT_CLIENT_ID) to the API client's ID")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("client_secret is required: set client_secret (or SALESSEAT_CLIENT_SECRET) to the API client's secret")
	}
	for i, s := range cfg.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return nil, fmt.Errorf("scopes[%d] %q is not a valid scope: scopes are single words such as %q or %q", i, s, ScopeRead, ScopeWrite)
		}
	}

	c := &Client{
		endpoint:         endpoint,
		clientID:         cfg.ClientID,
		userAgent:        cfg.UserAgent,
		logger:           cfg.Logger,
		maxResponseBytes: cfg.MaxResponseBytes,
		retryWaitMax:     cfg.RetryWaitMax,
		now:              time.Now,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.logger == nil {
		c.logger = hclog.NewNullLogger()
	}
	switch {
	case c.maxResponseBytes == 0:
		c.maxResponseBytes = DefaultMaxResponseBytes
	case c.maxResponseBytes < 0:
		return nil, fmt.Errorf("MaxResponseBytes is %d: it must be positive, or 0 for the default", cfg.MaxResponseBytes)
	}
	retryMax := cfg.RetryMax
	switch {
	case retryMax == 0:
		retryMax = DefaultRetryMax
	case retryMax < 0:
		retryMax = 0
	}
	waitMin, waitMax := cfg.RetryWaitMin, cfg.RetryWaitMax
	if waitMin == 0 {
		waitMin = DefaultRetryWaitMin
	}
	if waitMax == 0 {
		waitMax = DefaultRetryWaitMax
	}
	if waitMin < 0 || waitMax < 0 || waitMin > waitMax {
		return nil, fmt.Errorf("RetryWaitMin (%s) and RetryWaitMax (%s) must be positive with RetryWaitMin <= RetryWaitMax", waitMin, waitMax)
	}
	c.retryWaitMax = waitMax
	timeout := cfg.RequestTimeout
	switch {
	case timeout == 0:
		timeout = DefaultRequestTimeout
	case timeout < 0:
		return nil, fmt.Errorf("RequestTimeout is %s: it must be positive, or 0 for the default", timeout)
	}
	margin := cfg.TokenExpiryMargin
	switch {
	case margin == 0:
		margin = DefaultTokenExpiryMargin
	case margin < 0:
		return nil, fmt.Errorf("TokenExpiryMargin is %s: it must be positive, or 0 for the default", margin)
	}

	c.redactor = newRedactor(cfg.ClientSecret)

	base := cfg.HTTPClient
	if base == nil {
		base = cleanhttp.DefaultPooledClient()
	}
	baseTransport := base.Transport
	if baseTransport == nil {
		baseTransport = http.DefaultTransport
	}
	wire := &headerTransport{
		userAgent: c.userAgent,
		next:      &loggingTransport{next: baseTransport, logger: c.logger, redactor: c.redactor},
	}
	newRetrying := func(rt http.RoundTripper) *retryablehttp.Client {
		return &retryablehttp.Client{
			HTTPClient: &http.Client{
				Transport:     rt,
				Jar:           base.Jar,
				Timeout:       timeout,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			},
			Logger:       c.logger,
			RetryWaitMin: waitMin,
			RetryWaitMax: waitMax,
			RetryMax:     retryMax,
			CheckRetry:   c.checkRetry,
			Backoff:      c.backoff,
			ErrorHandler: errorHandler,
		}
	}

	// The token source lives as long as the client, so it is built on a
	// context of its own rather than on any caller's context: oauth2 keeps
	// that context for every later refresh.
	tokenHTTP := newRetrying(wire).StandardClient()
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, tokenHTTP)
	tokenCtx = withRequestState(tokenCtx, &requestState{retrySafe: true})
	c.tokens = newTokenManager(tokenCtx, clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     endpoint.String() + "/oauth/token",
		Scopes:       cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}, margin, c.now, c.redactor)

	c.http = newRetrying(&authTransport{next: wire, tokens: c.tokens, origin: origin(endpoint)})

	c.Account = &accountService{c}
	c.Roles = &roleService{c}
	c.Connections = &connectionService{c}
	c.CRM = &crmService{c}
	c.RoleMappings = &roleMappingService{c}
	c.SalesUsers = &salesUserService{c}
	c.RecycleBin = &recycleBinService{c}
	return c, nil
}

// Endpoint returns the API base URL the client talks to.
func (c *Client) Endpoint() string { return c.endpoint.String() }

// Authenticate fetches an access token now (or confirms the cached one is
// still valid), so bad credentials fail fast with an [*AuthenticationError].
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.token(ctx)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("salesseat API: authenticating client_id %q: %w", c.clientID, ctx.Err())
	}
	return err
}

// parseEndpoint validates the endpoint setting and returns it without a
// trailing slash.
func parseEndpoint(raw string) (*url.URL, error) {
	const fix = `set endpoint to the salesseat API's base URL, e.g. "https://api.salesseat.example"`
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("endpoint is required: " + fix)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q is not a valid URL: %s: %w", raw, fix, unwrapURLError(err))
	}
	if u.User != nil {
		return nil, fmt.Errorf("endpoint %q must not contain user information: remove it and set client_id and client_secret instead", u.Redacted())
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute URL: %s", raw, fix)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("endpoint %q must not have a query or fragment: %s", raw, fix)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !loopback.IsHost(u.Hostname()) {
			return nil, fmt.Errorf("endpoint %q uses http, which is only allowed for loopback hosts (127.0.0.1, ::1, localhost): credentials and tokens would travel unencrypted; use an https:// endpoint", raw)
		}
	default:
		return nil, fmt.Errorf("endpoint %q has scheme %q: the salesseat API is served over https (http only on loopback hosts); %s", raw, u.Scheme, fix)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// unwrapURLError strips a *url.Error, whose message repeats the full URL,
// leaving its cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func origin(u *url.URL) string {
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// request describes one API call.
type request struct {
	method string
	path   string // escaped, relative to the endpoint, starting with "/"
	query  url.Values
	body   any
	// idempotencyKey adds an Idempotency-Key header, which also makes the
	// request safe to retry after a lost response.
	idempotencyKey bool
	// retrySafe marks a request that may be repeated after a connection
	// error or a 502/504 because repeating it has no further effect.
	retrySafe bool
	ifMatch   string
}

// response is what a successful call returns besides its decoded body.
type response struct {
	status int
	header http.Header
}

// etagSetter is implemented by models that carry an ETag.
type etagSetter interface{ setETag(string) }

// doJSON performs r and decodes its JSON body into a new T.
func doJSON[T any](ctx context.Context, c *Client, r request) (*T, error) {
	v := new(T)
	resp, err := c.do(ctx, r, v)
	if err != nil {
		return nil, err
	}
	if s, ok := any(v).(etagSetter); ok {
		s.setETag(resp.header.Get("ETag"))
	}
	return v, nil
}

// do performs r; a 2xx body is decoded into out unless out is nil. Any other
// status is returned as *Error or *UnexpectedResponseError.
func (c *Client) do(ctx context.Context, r request, out any) (*response, error) {
	target := c.endpoint.String() + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body any // untyped nil: no body
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("salesseat API: %s %s: encoding the request body: %w", r.method, r.path, err)
		}
		body = b
	}
	safe := r.retrySafe || r.idempotencyKey || r.method == http.MethodGet || r.method == http.MethodHead
	state := &requestState{retrySafe: safe, bearer: true}
	req, err := retryablehttp.NewRequestWithContext(withRequestState(ctx, state), r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("salesseat API: %s %s: building the request: %w", r.method, r.path, err)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.idempotencyKey {
		req.Header.Set("Idempotency-Key", newIdempotencyKey())
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil {
			drainAndClose(resp.Body)
		}
		return nil, c.transportError(ctx, r, err)
	}
	defer drainAndClose(resp.Body)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, readErr := readLimited(resp.Body, c.maxResponseBytes)
		err := decodeErrorResponse(r.method, r.path, resp.StatusCode, resp.Header, data, readErr, c.redactor, c.now)
		var apiErr *Error
		if errors.As(err, &apiErr) && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) &&
			apiErr.RetryAfter > c.retryWaitMax {
			// The client did not wait or retry: the server asked for longer
			// than RetryWaitMax allows.
			apiErr.RetryWaitMax = c.retryWaitMax
		}
		return nil, err
	}
	meta := &response{status: resp.StatusCode, header: resp.Header}
	if out == nil {
		return meta, nil
	}
	ct := resp.Header.Get("Content-Type")
	data, readErr := readLimited(resp.Body, c.maxResponseBytes)
	if errors.Is(readErr, ErrResponseTooLarge) {
		return nil, fmt.Errorf("salesseat API: %s %s: the response body is larger than MaxResponseBytes (%d bytes): %w; raise MaxResponseBytes or use a smaller page size", r.method, r.path, c.maxResponseBytes, ErrResponseTooLarge)
	}
	unexpected := func(reason string) error {
		return newUnexpectedResponseError(r.method, r.path, resp.StatusCode, ct, data, reason, c.redactor)
	}
	switch {
	case readErr != nil:
		return nil, unexpected("reading the body failed: " + readErr.Error())
	case len(bytes.TrimSpace(data)) == 0:
		return nil, unexpected("the body is empty, a JSON object was expected")
	case !isJSONMediaType(ct):
		return nil, unexpected("a JSON body was expected")
	}
	if err := json.Unmarshal(data, out); err != nil {
		reason := "the body is not valid JSON"
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			reason = fmt.Sprintf("the JSON does not match the expected shape (%s)", typeErr.Error())
		} else if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON input") {
			reason = "the JSON body is truncated"
		}
		return nil, unexpected(reason)
	}
	return meta, nil
}

// transportError turns a failure to get any response into an error naming the
// request; context errors stay matchable with errors.Is.
func (c *Client) transportError(ctx context.Context, r request, err error) error {
	var authErr *AuthenticationError
	if errors.As(err, &authErr) {
		return authErr
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("salesseat API: %s %s: %w", r.method, r.path, ctxErr)
	}
	return fmt.Errorf("salesseat API: %s %s: %w; check that endpoint %s is reachable", r.method, r.path, err, c.endpoint.Redacted())
}

// readLimited reads at most limit bytes and returns ErrResponseTooLarge when
// the body holds more.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(data)) > limit {
		return data[:limit], ErrResponseTooLarge
	}
	return data, err
}

func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// mediaType returns the lower-cased media type of a Content-Type header.
func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt
}

func isJSONMediaType(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
