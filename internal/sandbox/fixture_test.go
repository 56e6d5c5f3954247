package sandbox

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// TestRunWithFixture starts the subcommand on testdata/small-fixture.yaml: a production org
// without a seeded refresh token or private key, a secret that needs shell quoting, two seats
// and a read-only API client.
func TestRunWithFixture(t *testing.T) {
	t.Parallel()
	values, stop := runSandbox(t, "--listen", "127.0.0.1:0", "--fixture", "testdata/small-fixture.yaml")
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	e := &env{
		t: t, url: values["SALESSEAT_ENDPOINT"], client: contractClient(t),
		creds: Credentials{
			Endpoint: values["SALESSEAT_ENDPOINT"], ClientID: values["SALESSEAT_CLIENT_ID"], ClientSecret: values["SALESSEAT_CLIENT_SECRET"],
			AdminToken: values["SALESSEAT_SANDBOX_ADMIN_TOKEN"], LoginURL: values["SALESSEAT_SANDBOX_LOGIN_URL"],
			ServiceUsername: values["SALESSEAT_SANDBOX_SERVICE_USERNAME"], OAuthClientID: values["SALESSEAT_SANDBOX_OAUTH_CLIENT_ID"],
			RefreshToken: values["SALESSEAT_SANDBOX_REFRESH_TOKEN"], OrganizationID: "00D5A0000000077UAA",
		},
	}
	if e.creds.ClientSecret != "tiny secret with spaces & a quote's" {
		t.Fatalf("client secret %q did not survive shell quoting", e.creds.ClientSecret)
	}
	if values["SALESSEAT_SANDBOX_JWT_PRIVATE_KEY_FILE"] != "" {
		t.Errorf("a key file %q was written for a fixture without a private key", values["SALESSEAT_SANDBOX_JWT_PRIVATE_KEY_FILE"])
	}
	if e.creds.RefreshToken == "" {
		t.Fatal("no refresh token was minted for the service account")
	}
	e.token = e.issueToken("")

	body := e.connectionBody("Tiny production")
	body["environment"] = "production"
	conn := stringField(t, e.do(http.MethodPost, "/api/v1/connections", body).wantStatus(http.StatusCreated).object(), "id")
	e.createSalesUser(conn, "0055A0000000072QAA")
	e.createSalesUser(conn, "0055A0000000073QAA")
	e.do(http.MethodPut, "/admin/v1/account/seat-limit", map[string]any{"seat_limit": 1}).wantStatus(http.StatusOK)
	e.do(http.MethodPost, "/api/v1/sales-users/validate", map[string]any{"items": []any{}}).wantStatus(http.StatusOK)

	// The reader client gets read scope only, and cannot write.
	var tok tokenResponse
	e.do(http.MethodPost, "/oauth/token", formCredentialsOf("tiny-reader", "tiny-reader-secret")).wantStatus(http.StatusOK).decode(&tok)
	if tok.Scope != ScopeRead {
		t.Errorf("reader scope %q", tok.Scope)
	}
	e.do(http.MethodPost, "/api/v1/sales-users/validate", map[string]any{"items": []any{}}, bearer(tok.AccessToken)).
		wantProblem(http.StatusForbidden, "insufficient_scope")
	e.do(http.MethodPost, "/oauth/token", formCredentialsOf("tiny-reader", "tiny-reader-secret", "scope", ScopeWrite)).
		wantStatus(http.StatusBadRequest)
}

// lockedBuffer is a log destination safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	e := newEnvWith(t, Options{Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: logs})})
	conn := e.createConnection()
	e.createJWTConnection()
	e.createSalesUser(conn, userJordan)
	minted := e.mintRefreshToken(e.creds.ServiceUsername)
	e.do(http.MethodPost, pathf("/api/v1/connections/%s/authorize", conn), map[string]any{"refresh_token": minted}).wantStatus(http.StatusOK)
	e.do(http.MethodPost, "/oauth/token", formCredentials(e)).wantStatus(http.StatusOK)
	e.do(http.MethodPatch, "/api/v1/connections/"+conn, map[string]any{"refresh_token": "5Aep861wrong-token-value"}).
		wantProblem(http.StatusUnprocessableEntity, "crm_authorization_failed")

	out := logs.String()
	if !strings.Contains(out, "path=/api/v1/sales-users") || !strings.Contains(out, "status=201") {
		t.Fatalf("the request log is missing:\n%s", out)
	}
	secrets := map[string]string{
		"client secret":   e.creds.ClientSecret,
		"access token":    e.token,
		"admin token":     e.creds.AdminToken,
		"refresh token":   e.creds.RefreshToken,
		"minted token":    minted,
		"rejected token":  "5Aep861wrong-token-value",
		"private key":     "PRIVATE KEY",
		"Authorization":   "Bearer",
		"consumer secret": "salesseat-sandbox-consumer-secret",
	}
	for name, secret := range secrets {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
}

// formCredentialsOf is a token request with form client authentication and extra parameters.
func formCredentialsOf(id, secret string, extra ...string) url.Values {
	v := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	for i := 0; i+1 < len(extra); i += 2 {
		v[extra[i]] = []string{extra[i+1]}
	}
	return v
}
