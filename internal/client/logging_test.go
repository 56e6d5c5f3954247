package client

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
)

const testPrivateKey = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
TESTKEYMATERIALTHATMUSTNOTLEAKTESTKEYMATERIALTHATMUSTNOTLEAK000
-----END PRIVATE KEY-----
`

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTraceLogsRedactSecrets(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("POST /api/v1/connections", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, map[string]any{"id": "conn_1", "name": "prod", "status": "connected", "version": 1})
	})
	f.handle("POST /api/v1/sales-users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"1"`)
		writeJSON(w, http.StatusCreated, salesUserJSON("su_1"))
	})
	f.handle("GET /api/v1/sales-users/su_1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, salesUserJSON("su_1"))
	})
	f.handle("DELETE /api/v1/sales-users/su_1", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	f.handle("POST /api/v1/connections/conn_1/authorize", func(w http.ResponseWriter, r *http.Request) {
		// A misbehaving server that echoes credentials in an error.
		writeProblem(w, http.StatusUnprocessableEntity, CodeCRMAuthorizationFailed, "could not authorize", map[string]any{
			"crm_error": "invalid_grant", "refresh_token": "echoed-refresh-token-value",
		})
	})

	var logs syncBuffer
	logger := hclog.New(&hclog.LoggerOptions{Name: "salesseat", Level: hclog.Trace, Output: &logs})
	c := newTestClient(t, f, func(c *Config) { c.Logger = logger })
	ctx := context.Background()

	if _, err := c.Connections.Create(ctx, ConnectionCreateOptions{
		Name: "prod", Environment: EnvironmentProduction, ServiceUsername: "svc@acme.com",
		OAuthClientID: "3MVG9consumerkey", RefreshToken: "5Aep861-salesforce-refresh-token", JWTPrivateKey: testPrivateKey,
	}); err != nil {
		t.Fatalf("Connections.Create: %v", err)
	}
	if _, err := c.SalesUsers.Create(ctx, SalesUserCreateOptions{ConnectionID: "conn_1", CRMUserID: "005000000000001"}); err != nil {
		t.Fatalf("SalesUsers.Create: %v", err)
	}
	if _, err := c.SalesUsers.Read(ctx, "su_1"); err != nil {
		t.Fatalf("SalesUsers.Read: %v", err)
	}
	if err := c.SalesUsers.Delete(ctx, "su_1"); err != nil {
		t.Fatalf("SalesUsers.Delete: %v", err)
	}
	_, authErr := c.Connections.Authorize(ctx, "conn_1", ConnectionAuthorizeOptions{JWTPrivateKey: testPrivateKey})
	if authErr == nil {
		t.Fatal("Authorize succeeded, want the scripted error")
	}

	out := logs.String()
	f.mu.Lock()
	var accessTokens []string
	for tok := range f.tokens {
		accessTokens = append(accessTokens, tok)
	}
	f.mu.Unlock()
	secrets := append([]string{
		testClientSecret, "refresh-token-should-never-be-logged", "5Aep861-salesforce-refresh-token",
		"TESTKEYMATERIALTHATMUSTNOTLEAK", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
		"echoed-refresh-token-value",
	}, accessTokens...)
	if len(accessTokens) == 0 {
		t.Fatal("no access token was issued")
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("trace log contains secret %q", s)
		}
	}
	for _, want := range []string{
		"/oauth/token", "/api/v1/connections", "/api/v1/sales-users", "/api/v1/sales-users/su_1",
		"status=201", "status=204", "method=DELETE", `crm_user_id\":\"005000000000001AAA`,
		"Authorization: Bearer [REDACTED]", "Authorization: Basic [REDACTED]", `jwt_private_key\":\"[REDACTED]`,
		"Idempotency-Key: ", "grant_type=client_credentials",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace log lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("captured log:\n%s", out)
	}
}

func TestDebugLogsHaveNoBodies(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /api/v1/sales-users/su_1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, salesUserJSON("su_1"))
	})
	var logs syncBuffer
	c := newTestClient(t, f, func(c *Config) {
		c.Logger = hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: &logs})
	})
	if _, err := c.SalesUsers.Read(context.Background(), "su_1"); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "path=/api/v1/sales-users/su_1") || !strings.Contains(out, "status=200") || !strings.Contains(out, "duration=") {
		t.Errorf("debug log lacks method/path/status/duration:\n%s", out)
	}
	if strings.Contains(out, "a@acme.com") || strings.Contains(out, "Authorization") {
		t.Errorf("debug log contains headers or bodies:\n%s", out)
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor(testClientSecret)
	cases := map[string]struct {
		contentType string
		in          string
		mustNot     []string
		must        []string
	}{
		"json members at any depth": {contentType: "application/json",
			in:      `{"access_token":"tokA","nested":{"Refresh_Token":"tokR","list":[{"client_secret":"cs1"}]},"name":"kept"}`,
			mustNot: []string{"tokA", "tokR", "cs1"}, must: []string{`"name":"kept"`, `"access_token":"[REDACTED]"`}},
		"pem inside json string": {contentType: "application/json",
			in:      `{"jwt_private_key":"x","note":"-----BEGIN RSA PRIVATE KEY-----\nSECRETPEM\n-----END RSA PRIVATE KEY-----"}`,
			mustNot: []string{"SECRETPEM"}, must: []string{"[REDACTED PEM BLOCK]"}},
		"truncated json": {contentType: "application/json",
			in: `{"id":"1","refresh_token":"tokCutOff`, mustNot: []string{"tokCutOff"}, must: []string{`"id":"1"`}},
		"form body": {contentType: "application/x-www-form-urlencoded",
			in:      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOi.payload.sig&client_secret=abc",
			mustNot: []string{"eyJhbGciOi", "abc"}, must: []string{"grant_type=urn"}},
		"unparseable form fallback": {contentType: "text/plain",
			in: "x=1&access_token=tokP&y=2", mustNot: []string{"tokP"}, must: []string{"x=1", "y=2"}},
		"truncated pem": {contentType: "text/plain",
			in: "key: -----BEGIN PRIVATE KEY-----\nMIIEhalf", mustNot: []string{"MIIEhalf"}, must: []string{"key: [REDACTED PEM BLOCK]"}},
		"client secret literal": {contentType: "text/plain",
			in: "secret is " + testClientSecret, mustNot: []string{testClientSecret}},
		"bearer in text": {contentType: "text/plain",
			in: "sent Bearer abcdefgh12345678", mustNot: []string{"abcdefgh12345678"}},
		"prose is kept": {contentType: "application/json",
			in: `{"description":"basic access for sales"}`, must: []string{"basic access for sales"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := r.body(tc.contentType, []byte(tc.in))
			for _, s := range tc.mustNot {
				if strings.Contains(got, s) {
					t.Errorf("redacted %q still contains %q", got, s)
				}
			}
			for _, s := range tc.must {
				if !strings.Contains(got, s) {
					t.Errorf("redacted %q lacks %q", got, s)
				}
			}
		})
	}
}

func TestRedactorHeaders(t *testing.T) {
	r := newRedactor()
	h := http.Header{}
	h.Set("Authorization", "Bearer tok123456789")
	h.Set("Cookie", "session=abc")
	h.Set("Idempotency-Key", "k1")
	got := r.headers(h)
	for _, bad := range []string{"tok123456789", "session=abc"} {
		if strings.Contains(got, bad) {
			t.Errorf("headers %q contain %q", got, bad)
		}
	}
	if !strings.Contains(got, "Authorization: Bearer [REDACTED]") || !strings.Contains(got, "Idempotency-Key: k1") {
		t.Errorf("headers = %q", got)
	}
}
