package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// env is one in-process sandbox with an HTTP client whose every exchange is checked against
// openapi.yaml.
type env struct {
	t      *testing.T
	sb     *Sandbox // nil for a sandbox started with Run
	url    string
	creds  Credentials
	client *http.Client
	token  string // read and write scopes
}

// newEnv starts a sandbox on a free port from the default fixture.
func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, Options{})
}

// newEnvWith starts a sandbox with opts (Listen defaults to a free loopback port).
func newEnvWith(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	sb, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sb.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	e := &env{t: t, sb: sb, url: sb.URL(), creds: sb.Credentials(), client: contractClient(t)}
	e.token = e.issueToken("")
	return e
}

// contractClient is an HTTP client validating every exchange against openapi.yaml.
func contractClient(t testing.TB) *http.Client {
	base := newLoopbackTransport()
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{
		Transport: &contractTransport{t: t, base: base},
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// issueToken gets an access token for the fixture's API client with the given scope ("" = all).
func (e *env) issueToken(scope string) string {
	e.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	resp := e.do(http.MethodPost, "/oauth/token", form, basicAuth(e.creds.ClientID, e.creds.ClientSecret))
	resp.wantStatus(http.StatusOK)
	var tok tokenResponse
	resp.decode(&tok)
	return tok.AccessToken
}

// reqOption changes a request before it is sent.
type reqOption func(*http.Request)

// bearer authenticates with token instead of the env's default token.
func bearer(token string) reqOption {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// noAuth removes the Authorization header.
func noAuth() reqOption {
	return func(r *http.Request) { r.Header.Del("Authorization") }
}

// basicAuth authenticates a token request with HTTP Basic (RFC 6749 encoding).
func basicAuth(id, secret string) reqOption {
	return func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) }
}

// header sets a request header.
func header(name, value string) reqOption {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

// violatesContract marks a request the test sends on purpose in violation of openapi.yaml.
func violatesContract() reqOption {
	return func(r *http.Request) {
		*r = *r.WithContext(context.WithValue(r.Context(), invalidRequestKey{}, true))
	}
}

// outsideContract marks a request to a route openapi.yaml does not have.
func outsideContract() reqOption {
	return func(r *http.Request) {
		*r = *r.WithContext(context.WithValue(r.Context(), offContractKey{}, true))
	}
}

// rawBody is a request body sent verbatim as application/json.
type rawBody string

// response is a received response with its body read.
type response struct {
	t      *testing.T
	what   string
	status int
	header http.Header
	body   []byte
}

// do sends a request with the env's token (admin token under /admin/). body is nil, a
// rawBody, url.Values (form) or any value encoded as JSON.
func (e *env) do(method, path string, body any, opts ...reqOption) *response {
	e.t.Helper()
	resp, err := e.send(method, path, body, opts...)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// send is do returning transport errors instead of failing.
func (e *env) send(method, path string, body any, opts ...reqOption) (*response, error) {
	e.t.Helper()
	var reader io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case rawBody:
		reader, contentType = strings.NewReader(string(b)), "application/json"
	case url.Values:
		reader, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encoding the body of %s %s: %v", method, path, err)
		}
		reader, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.url+path, reader)
	if err != nil {
		e.t.Fatalf("building %s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case strings.HasPrefix(path, "/admin/"):
		req.Header.Set("Authorization", "Bearer "+e.creds.AdminToken)
	case strings.HasPrefix(path, "/api/") && e.token != "":
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{t: e.t, what: method + " " + path, status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// wantStatus fails the test unless the response has the status.
func (r *response) wantStatus(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d; body: %s", r.what, r.status, status, r.body)
	}
	return r
}

// decode decodes the JSON body into v.
func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: decoding %s: %v", r.what, r.body, err)
	}
}

// object decodes the body as a JSON object.
func (r *response) object() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.decode(&m)
	return m
}

// wantProblem checks the response is a problem with the status and code, and returns it.
func (r *response) wantProblem(status int, code string) map[string]any {
	r.t.Helper()
	r.wantStatus(status)
	if ct := r.header.Get("Content-Type"); ct != problemMediaType {
		r.t.Fatalf("%s: Content-Type %q, want %q", r.what, ct, problemMediaType)
	}
	p := r.object()
	if p["code"] != code {
		r.t.Fatalf("%s: problem code %v, want %s; body: %s", r.what, p["code"], code, r.body)
	}
	if p["type"] != "https://salesseat.dev/problems/"+code {
		r.t.Errorf("%s: problem type %v", r.what, p["type"])
	}
	u, _ := url.Parse(r.what[strings.IndexByte(r.what, ' ')+1:])
	if p["instance"] != u.Path {
		r.t.Errorf("%s: problem instance %v, want %s", r.what, p["instance"], u.Path)
	}
	if d, _ := p["detail"].(string); d == "" {
		r.t.Errorf("%s: problem without detail: %s", r.what, r.body)
	}
	return p
}

// fieldErrors returns the field names of a validation_failed problem.
func fieldErrors(p map[string]any) []string {
	var fields []string
	list, _ := p["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		fields = append(fields, f)
	}
	return fields
}

// fixture values used across the tests (from the default fixture).
const (
	userJordan       = "0055A0000000003QAA" // Sales Rep, active
	userPriya        = "0055A0000000004QAA" // Sales Manager, active
	userMarco        = "0055A0000000005QAA" // Marketing User, active
	userChris        = "0055A0000000006QAA" // inactive
	userStaylor      = "0055A0000000007QAA" // adopts platform user Sam Taylor
	userSamantha     = "0055A0000000008QAA" // username reserved for Sam Taylor
	userRiley        = "0055A0000000009QAA" // in the recycle bin
	userService      = "0055A0000000001QAA" // the service account
	profileRep       = "00e5A0000000002QAA"
	profileMgr       = "00e5A0000000003QAA"
	profileMarketing = "00e5A0000000004QAA"
	recycledID       = "su_sandboxrileybrooks"
)

// connectionBody is a create body for a refresh-token connection to the fixture's org.
func (e *env) connectionBody(name string) map[string]any {
	return map[string]any{
		"name":             name,
		"environment":      "sandbox",
		"login_url":        e.creds.LoginURL,
		"service_username": e.creds.ServiceUsername,
		"oauth_client_id":  e.creds.OAuthClientID,
		"refresh_token":    e.creds.RefreshToken,
	}
}

// createConnection creates a refresh-token connection and returns its ID.
func (e *env) createConnection() string {
	e.t.Helper()
	resp := e.do(http.MethodPost, "/api/v1/connections", e.connectionBody("Acme sandbox"))
	resp.wantStatus(http.StatusCreated)
	return stringField(e.t, resp.object(), "id")
}

// createJWTConnection creates a JWT bearer connection and returns its ID.
func (e *env) createJWTConnection() string {
	e.t.Helper()
	body := e.connectionBody("Acme sandbox (JWT)")
	delete(body, "refresh_token")
	body["jwt_private_key"] = e.creds.JWTPrivateKeyPEM
	resp := e.do(http.MethodPost, "/api/v1/connections", body)
	resp.wantStatus(http.StatusCreated)
	return stringField(e.t, resp.object(), "id")
}

// createSalesUser imports a CRM user with an explicit role and returns the sales user.
func (e *env) createSalesUser(connID, crmUserID string) map[string]any {
	e.t.Helper()
	resp := e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{
		"connection_id": connID, "crm_user_id": crmUserID, "role": "sales",
	})
	resp.wantStatus(http.StatusCreated)
	return resp.object()
}

// seatsUsed reads the account's seats_used.
func (e *env) seatsUsed() int {
	e.t.Helper()
	var acc struct {
		SeatsUsed int `json:"seats_used"`
	}
	e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).decode(&acc)
	return acc.SeatsUsed
}

// etagOf returns the ETag header, failing when there is none.
func (r *response) etagOf() string {
	r.t.Helper()
	tag := r.header.Get("ETag")
	if tag == "" {
		r.t.Fatalf("%s: no ETag", r.what)
	}
	return tag
}

// pathf formats a path with escaped segments.
func pathf(format string, args ...any) string {
	escaped := make([]any, len(args))
	for i, a := range args {
		escaped[i] = url.PathEscape(fmt.Sprint(a))
	}
	return fmt.Sprintf(format, escaped...)
}

// sub returns the env bound to a subtest, so failures are reported (and stop) there.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// mintRefreshToken mints a refresh token for an org user through the admin API.
func (e *env) mintRefreshToken(username string) string {
	e.t.Helper()
	var minted struct {
		RefreshToken string `json:"refresh_token"`
	}
	e.do(http.MethodPost, pathf("/admin/v1/orgs/%s/refresh-tokens", e.creds.OrganizationID),
		map[string]any{"username": username}).wantStatus(http.StatusOK).decode(&minted)
	return minted.RefreshToken
}

// createConnectionWith creates a refresh-token connection with changed body members.
func (e *env) createConnectionWith(changes map[string]any) string {
	e.t.Helper()
	body := e.connectionBody("Acme sandbox")
	for k, v := range changes {
		body[k] = v
	}
	resp := e.do(http.MethodPost, "/api/v1/connections", body)
	resp.wantStatus(http.StatusCreated)
	return stringField(e.t, resp.object(), "id")
}

// stringField returns a string member of a decoded JSON object, failing the test when it is not
// one.
func stringField(t testing.TB, m map[string]any, key string) string {
	t.Helper()
	v, ok := m[key].(string)
	if !ok {
		t.Fatalf("member %q of %v is not a string", key, m)
	}
	return v
}

// closeIdleConnections drops the client's kept-alive connections, so the next request dials.
func (e *env) closeIdleConnections() {
	e.client.CloseIdleConnections()
}
