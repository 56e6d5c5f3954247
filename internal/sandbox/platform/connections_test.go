package platform_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

func TestDisconnectedConnectionSuspendsAndReauthorizes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	other := e.org.addUser(11, "bob@acme.example", "bob@acme.example", "Bob", "E", true, profSalesRep)

	e.org.expire(goodToken)
	conn, err := e.p.GetConnection(ctx, e.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != platform.StatusDisconnected || conn.StatusReason != "invalid_grant: expired access/refresh token" {
		t.Fatalf("status %q reason %q after the token expired", conn.Status, conn.StatusReason)
	}
	if conn.Version != e.conn.Version+1 {
		t.Errorf("version %d, want %d after the status changed", conn.Version, e.conn.Version+1)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Status != platform.SalesUserSuspended {
		t.Errorf("sales user status %q while disconnected, want suspended", got.Status)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 1 {
		t.Errorf("a suspended sales user must keep its seat, seats_used=%d", acc.SeatsUsed)
	}
	_, err = e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: other})
	requireProblem(t, err, platform.CodeConnectionDisconnected, map[string]any{
		"connection_id": e.conn.ID, "status_reason": "invalid_grant: expired access/refresh token",
	})
	_, err = e.p.ListCRMUsers(ctx, e.conn.ID, platform.CRMUserFilter{}, platform.PageRequest{})
	requireProblem(t, err, platform.CodeConnectionDisconnected, nil)

	// Re-running the stored (expired) grant fails and keeps it disconnected.
	_, err = e.p.AuthorizeConnection(ctx, e.conn.ID, platform.AuthorizeInput{})
	requireProblem(t, err, platform.CodeCRMAuthorizationFailed, map[string]any{
		"connection_id": e.conn.ID, "crm_error": "invalid_grant", "crm_error_description": "expired access/refresh token",
	})

	// A new refresh token restores the connection and the sales user.
	e.org.tokens["refresh-token-2"] = svcUsername
	conn, err = e.p.AuthorizeConnection(ctx, e.conn.ID, platform.AuthorizeInput{RefreshToken: "refresh-token-2"})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != platform.StatusConnected || conn.StatusReason != "" {
		t.Errorf("status %q reason %q after re-authorizing", conn.Status, conn.StatusReason)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Status != platform.SalesUserActive {
		t.Errorf("sales user status %q after re-authorizing, want active", got.Status)
	}
	if _, err := e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: other}); err != nil {
		t.Errorf("import after re-authorizing: %v", err)
	}

	// Switching to the JWT bearer flow re-authorizes without a refresh token.
	e.org.expire("refresh-token-2")
	if conn, _ = e.p.GetConnection(ctx, e.conn.ID); conn.Status != platform.StatusDisconnected {
		t.Fatalf("status %q after the second token expired", conn.Status)
	}
	conn, err = e.p.AuthorizeConnection(ctx, e.conn.ID, platform.AuthorizeInput{JWTPrivateKey: testKeyPEM(t)})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != platform.StatusConnected || conn.AuthMethod != platform.AuthMethodJWTBearer {
		t.Errorf("status %q auth %q, want connected via jwt_bearer", conn.Status, conn.AuthMethod)
	}
	if _, _, err := e.p.ConnectionRefreshToken(e.conn.ID); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("ConnectionRefreshToken of a JWT connection: %v, want validation_failed", err)
	}
	if org, err := e.p.ConnectionOrg(e.conn.ID); err != nil || org != conn.OrganizationID || org == "" {
		t.Errorf("ConnectionOrg = %q, %v; want %q", org, err, conn.OrganizationID)
	}
	_, err = e.p.ConnectionOrg("conn_nope")
	requireProblem(t, err, platform.CodeNotFound, map[string]any{"resource": platform.ResourceConnection})
}

func TestCreateConnection(t *testing.T) {
	ctx := context.Background()
	valid := func() platform.ConnectionInput {
		return platform.ConnectionInput{
			Name: "Acme", Environment: platform.EnvironmentProduction, ServiceUsername: svcUsername,
			OAuthClientID: "consumer-key", RefreshToken: goodToken,
		}
	}
	cases := map[string]struct {
		mutate func(t *testing.T, o *fakeOrg, in *platform.ConnectionInput)
		code   string
		ext    map[string]any
		detail string
		check  func(t *testing.T, c platform.Connection)
	}{
		"refresh token, production defaults": {
			check: func(t *testing.T, c platform.Connection) {
				if c.LoginURL != platform.ProductionLoginURL || c.AuthMethod != platform.AuthMethodRefreshToken || !c.UserSync ||
					c.AutomaticUserSync || c.Status != platform.StatusConnected || c.OrganizationID != sfid.FromSeq("00D", "5A", 1) ||
					!strings.HasPrefix(c.ID, "conn_") || c.Version != 1 {
					t.Errorf("connection %+v", c)
				}
			},
		},
		"JWT bearer, sandbox default login URL": {
			mutate: func(t *testing.T, _ *fakeOrg, in *platform.ConnectionInput) {
				in.Environment, in.RefreshToken, in.JWTPrivateKey = platform.EnvironmentSandbox, "", testKeyPEM(t)
			},
			check: func(t *testing.T, c platform.Connection) {
				if c.LoginURL != platform.SandboxLoginURL || c.AuthMethod != platform.AuthMethodJWTBearer {
					t.Errorf("connection %+v", c)
				}
			},
		},
		"http login URL on loopback": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) { in.LoginURL = "http://127.0.0.1:8787/" },
			check: func(t *testing.T, c platform.Connection) {
				if c.LoginURL != "http://127.0.0.1:8787" {
					t.Errorf("login_url %q", c.LoginURL)
				}
			},
		},
		"http login URL elsewhere": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) {
				in.LoginURL = "http://acme.my.salesforce.com"
			},
			code: platform.CodeValidationFailed, detail: "login_url",
		},
		"unknown environment and missing credentials": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) {
				in.Environment, in.RefreshToken = "staging", ""
			},
			code: platform.CodeValidationFailed, detail: "environment",
		},
		"malformed private key is not echoed": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) {
				in.RefreshToken, in.JWTPrivateKey = "", "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----"
			},
			code: platform.CodeValidationFailed, detail: "jwt_private_key",
		},
		"expired refresh token": {
			mutate: func(_ *testing.T, o *fakeOrg, _ *platform.ConnectionInput) { o.expire(goodToken) },
			code:   platform.CodeCRMAuthorizationFailed,
			ext:    map[string]any{"crm_error": "invalid_grant", "crm_error_description": "expired access/refresh token", "connection_id": ""},
			detail: "JWT bearer flow",
		},
		"unreachable login host": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) {
				in.LoginURL = "https://unreachable.example"
			},
			code:   platform.CodeCRMAuthorizationFailed,
			ext:    map[string]any{"crm_error": platform.CRMErrorRequestFailed, "connection_id": ""},
			detail: "could not reach Salesforce",
		},
		"wrong consumer key": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) { in.OAuthClientID = "other" },
			code:   platform.CodeCRMAuthorizationFailed, ext: map[string]any{"crm_error": "invalid_client_id"},
		},
		"service account without View All Data": {
			mutate: func(_ *testing.T, o *fakeOrg, in *platform.ConnectionInput) {
				o.addUser(2, "weak@acme.example", "weak@acme.example", "W", "Eak", true, profSalesRep)
				o.tokens["weak-token"] = "weak@acme.example"
				in.ServiceUsername, in.RefreshToken = "weak@acme.example", "weak-token"
			},
			code: platform.CodeServiceAccountMissingPermission,
			ext:  map[string]any{"service_username": "weak@acme.example", "permission": "View All Data"},
		},
		"token of another user than service_username": {
			mutate: func(_ *testing.T, _ *fakeOrg, in *platform.ConnectionInput) {
				in.ServiceUsername = "someone@acme.example"
			},
			code: platform.CodeValidationFailed, detail: "service_username",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{noConnection: true})
			in := valid()
			if tc.mutate != nil {
				tc.mutate(t, e.org, &in)
			}
			c, err := e.p.CreateConnection(ctx, in)
			if tc.code != "" {
				prob := requireProblem(t, err, tc.code, tc.ext)
				if !strings.Contains(prob.Detail, tc.detail) {
					t.Errorf("detail %q does not mention %q", prob.Detail, tc.detail)
				}
				for _, secret := range []string{goodToken, "weak-token", "c2VjcmV0"} {
					if strings.Contains(prob.Detail, secret) {
						t.Errorf("detail leaks a secret: %q", prob.Detail)
					}
				}
				if page, _ := e.p.ListConnections(platform.PageRequest{}); len(page.Items) != 0 {
					t.Error("a failed create stored a connection")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
			raw, _ := json.Marshal(c)
			if strings.Contains(string(raw), goodToken) || strings.Contains(string(raw), "PRIVATE KEY") {
				t.Errorf("connection JSON carries credentials: %s", raw)
			}
		})
	}
}

func TestUpdateConnection(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	got, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{Name: ptr("Renamed")}, e.conn.Version)
	if err != nil || got.Name != "Renamed" || got.Version != e.conn.Version+1 {
		t.Fatalf("rename: %+v, %v", got, err)
	}
	_, err = e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{Name: ptr("Again")}, e.conn.Version)
	if stale := requireProblem(t, err, platform.CodePreconditionFailed, nil).Stale; stale == nil || stale.Version != got.Version || stale.ID != e.conn.ID {
		t.Errorf("stale = %+v, want connection %s at version %d", stale, e.conn.ID, got.Version)
	}
	_, err = e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{Environment: ptr(platform.EnvironmentProduction)}, 0)
	prob := requireProblem(t, err, platform.CodeValidationFailed, nil)
	if !strings.Contains(prob.Detail, "environment cannot change") {
		t.Errorf("detail %q", prob.Detail)
	}
	// New credentials that fail leave the connection as it was.
	_, err = e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{RefreshToken: ptr("bogus")}, 0)
	requireProblem(t, err, platform.CodeCRMAuthorizationFailed, map[string]any{"connection_id": e.conn.ID})
	if tok, _, _ := e.p.ConnectionRefreshToken(e.conn.ID); tok != goodToken {
		t.Error("a failed credential change replaced the stored token")
	}
	same, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{Name: ptr("Renamed")}, 0)
	if err != nil || same.Version != got.Version {
		t.Errorf("no-op patch bumped the version: %d -> %d (%v)", got.Version, same.Version, err)
	}
}

func TestRebaseLoginURLs(t *testing.T) {
	cases := map[string]struct {
		from, to          string
		changed           int
		login, instance   string
		versionIncrements int
	}{
		"login URL under from": {
			from: "https://test.salesforce.com", to: "http://127.0.0.1:9999/", changed: 1,
			login: "http://127.0.0.1:9999", instance: "https://acme.example.my.salesforce.com", versionIncrements: 1,
		},
		"instance URL under from": {
			from: "https://acme.example.my.salesforce.com", to: "http://127.0.0.1:9999", changed: 1,
			login: "https://test.salesforce.com", instance: "http://127.0.0.1:9999",
			versionIncrements: 1,
		},
		"another base": {
			from: "http://127.0.0.1:8787", to: "http://127.0.0.1:9999",
			login: "https://test.salesforce.com", instance: "https://acme.example.my.salesforce.com",
		},
		"prefix that is not a base URL": {
			from: "https://test.sales", to: "http://127.0.0.1:9999",
			login: "https://test.salesforce.com", instance: "https://acme.example.my.salesforce.com",
		},
		"same address": {
			from: "https://test.salesforce.com", to: "https://test.salesforce.com",
			login: "https://test.salesforce.com", instance: "https://acme.example.my.salesforce.com",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			changes := 0
			e.p.OnChange(func() { changes++ })
			if n := e.p.RebaseLoginURLs(tc.from, tc.to); n != tc.changed {
				t.Errorf("RebaseLoginURLs = %d, want %d", n, tc.changed)
			}
			if (changes > 0) != (tc.changed > 0) {
				t.Errorf("%d change notifications for %d changed connections", changes, tc.changed)
			}
			page, err := e.p.ListConnections(platform.PageRequest{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("ListConnections: %+v, %v", page, err)
			}
			c := page.Items[0]
			if c.LoginURL != tc.login || c.InstanceURL != tc.instance || c.Version != e.conn.Version+tc.versionIncrements {
				t.Errorf("connection: login %q, instance %q, version %d; want %q, %q, %d",
					c.LoginURL, c.InstanceURL, c.Version, tc.login, tc.instance, e.conn.Version+tc.versionIncrements)
			}
		})
	}
}
