package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

// Fixture facts of the sandbox's default fixture (internal/sandbox/fixture/default.yaml).
const (
	orgID             = "00D5A0000000001UAA"
	profileSalesRep15 = "00e5A0000000002" // Sales Rep, 15-character form
	profileSalesRep   = "00e5A0000000002QAA"
	jordanLee15       = "0055A0000000003" // Sales Rep, active
	jordanLee         = "0055A0000000003QAA"
	priyaPatel        = "0055A0000000004QAA" // Sales Manager
	marcoRossi        = "0055A0000000005QAA" // Marketing User, no mapping
	chrisWalker       = "0055A0000000006QAA" // inactive
	integrationUser   = "0055A0000000001QAA" // the service account
	samanthaTaylor    = "0055A0000000008QAA" // username reserved by a platform user
	rileyBrooks       = "0055A0000000009QAA" // in the recycle bin
)

// startSandbox runs a sandbox for one test and returns it with a client.
func startSandbox(t *testing.T) (*sandbox.Sandbox, *client.Client) {
	t.Helper()
	ctx := context.Background()
	sb, err := sandbox.Start(ctx, sandbox.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("sandbox.Start: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close(context.Background()) })
	return sb, newSandboxClient(t, sb, nil)
}

func newSandboxClient(t *testing.T, sb *sandbox.Sandbox, mutate func(*client.Config)) *client.Client {
	t.Helper()
	creds := sb.Credentials()
	cfg := client.Config{
		Endpoint:     sb.URL(),
		ClientID:     creds.ClientID,
		ClientSecret: creds.ClientSecret,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 20 * time.Millisecond,
		UserAgent:    "terraform-provider-salesseat/sandbox-test",
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

// createConnection connects the sandbox org with its refresh token.
func createConnection(t *testing.T, sb *sandbox.Sandbox, c *client.Client) *client.Connection {
	t.Helper()
	creds := sb.Credentials()
	conn, err := c.Connections.Create(context.Background(), client.ConnectionCreateOptions{
		Name:            "Acme sandbox",
		Environment:     client.EnvironmentSandbox,
		LoginURL:        creds.LoginURL,
		ServiceUsername: creds.ServiceUsername,
		OAuthClientID:   creds.OAuthClientID,
		RefreshToken:    creds.RefreshToken,
	})
	if err != nil {
		t.Fatalf("Connections.Create: %v", err)
	}
	return conn
}

func TestSandboxHappyPath(t *testing.T) {
	sb, c := startSandbox(t)
	ctx := context.Background()

	if err := c.Authenticate(ctx); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	before, err := c.Account.Read(ctx)
	if err != nil {
		t.Fatalf("Account.Read: %v", err)
	}
	roles, err := c.Roles.List(ctx)
	if err != nil || len(roles) != 4 {
		t.Fatalf("Roles.List = %v, %v; want 4 roles", roles, err)
	}

	conn := createConnection(t, sb, c)
	if conn.Status != client.ConnectionStatusConnected || conn.OrganizationID != orgID || conn.ETag == "" {
		t.Errorf("connection = %+v", conn)
	}
	read, err := c.Connections.Read(ctx, conn.ID)
	if err != nil || read.ID != conn.ID || read.AuthMethod != client.AuthMethodRefreshToken {
		t.Fatalf("Connections.Read = %+v, %v", read, err)
	}
	conns, err := client.Collect(c.Connections.List(ctx, client.ListOptions{}))
	if err != nil || len(conns) != 1 {
		t.Fatalf("Connections.List = %d, %v", len(conns), err)
	}
	renamed, err := c.Connections.Update(ctx, conn.ID, client.ConnectionUpdateOptions{Name: ptr("Acme"), IfMatch: read.ETag})
	if err != nil || renamed.Name != "Acme" || renamed.Version <= read.Version {
		t.Fatalf("Connections.Update = %+v, %v", renamed, err)
	}

	// CRM reads page through the generated users.
	active := true
	var salesReps int
	for u, err := range c.CRM.ListUsers(ctx, conn.ID, client.CRMUserListOptions{Active: &active, ProfileIDs: []string{profileSalesRep15}, PageSize: 50}) {
		if err != nil {
			t.Fatalf("CRM.ListUsers: %v", err)
		}
		if u.ProfileID != profileSalesRep || !u.Active {
			t.Fatalf("filtered user %+v does not match the filter", u)
		}
		salesReps++
	}
	if salesReps <= 50 {
		t.Errorf("listed %d active sales reps, want more than one page of 50", salesReps)
	}
	crmUser, err := c.CRM.ReadUser(ctx, conn.ID, jordanLee15)
	if err != nil || crmUser.ID != jordanLee {
		t.Fatalf("CRM.ReadUser = %+v, %v", crmUser, err)
	}
	profiles, err := client.Collect(c.CRM.ListProfiles(ctx, conn.ID))
	if err != nil || len(profiles) != 5 {
		t.Fatalf("CRM.ListProfiles = %d, %v", len(profiles), err)
	}

	mapping, err := c.RoleMappings.Create(ctx, client.RoleMappingCreateOptions{ConnectionID: conn.ID, CRMProfileID: profileSalesRep15, Role: "sales"})
	if err != nil || mapping.CRMProfileID != profileSalesRep || mapping.CRMProfileName != "Sales Rep" {
		t.Fatalf("RoleMappings.Create = %+v, %v", mapping, err)
	}
	readMapping, err := c.RoleMappings.Read(ctx, mapping.ID)
	if err != nil || readMapping.ETag == "" {
		t.Fatalf("RoleMappings.Read = %+v, %v", readMapping, err)
	}
	remapped, err := c.RoleMappings.Update(ctx, mapping.ID, client.RoleMappingUpdateOptions{Role: "marketing", IfMatch: readMapping.ETag})
	if err != nil || remapped.Role != "marketing" || remapped.Version <= readMapping.Version {
		t.Fatalf("RoleMappings.Update = %+v, %v", remapped, err)
	}
	if _, err := c.RoleMappings.Update(ctx, mapping.ID, client.RoleMappingUpdateOptions{Role: "sales"}); err != nil {
		t.Fatalf("RoleMappings.Update back to sales: %v", err)
	}
	mappings, err := client.Collect(c.RoleMappings.List(ctx, client.RoleMappingListOptions{ConnectionID: conn.ID}))
	if err != nil || len(mappings) != 1 {
		t.Fatalf("RoleMappings.List = %d, %v", len(mappings), err)
	}

	u, err := c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: jordanLee15, Team: "West"})
	if err != nil {
		t.Fatalf("SalesUsers.Create: %v", err)
	}
	if u.CRMUserID != jordanLee || u.Role != "sales" || u.RoleSource != client.RoleSourceProfileMapping || u.HiddenComponents == nil || u.ETag == "" {
		t.Errorf("sales user = %+v", u)
	}
	if got, err := c.SalesUsers.Read(ctx, u.ID); err != nil || got.ID != u.ID || got.CRMUserID != jordanLee || got.ETag != u.ETag {
		t.Fatalf("SalesUsers.Read = %+v, %v", got, err)
	}
	if got, err := c.SalesUsers.ReadByCRMUsername(ctx, u.CRMUsername); err != nil || got.ID != u.ID {
		t.Fatalf("ReadByCRMUsername = %+v, %v", got, err)
	}
	hidden := []string{client.ComponentWebsiteVisitors, client.ComponentHotProspects}
	updated, err := c.SalesUsers.Update(ctx, u.ID, client.SalesUserUpdateOptions{Role: ptr("sales_manager"), HiddenComponents: &hidden, IfMatch: u.ETag})
	if err != nil || updated.Role != "sales_manager" || updated.RoleSource != client.RoleSourceExplicit ||
		strings.Join(updated.HiddenComponents, ",") != "hot_prospects,website_visitors" {
		t.Fatalf("SalesUsers.Update = %+v, %v", updated, err)
	}
	if _, err := c.SalesUsers.UpdateFromCRM(ctx, u.ID); err != nil {
		t.Fatalf("SalesUsers.UpdateFromCRM: %v", err)
	}
	if _, err := c.Connections.UpdateFromCRM(ctx, conn.ID); err != nil {
		t.Fatalf("Connections.UpdateFromCRM: %v", err)
	}
	list, err := client.Collect(c.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: conn.ID}))
	if err != nil || len(list) != 1 {
		t.Fatalf("SalesUsers.List = %d, %v", len(list), err)
	}
	res, err := c.SalesUsers.Validate(ctx, client.ValidateOptions{Items: []client.ValidateItem{
		{Action: client.ValidateActionCreate, ConnectionID: conn.ID, CRMUserID: priyaPatel, Role: ptr("sales_manager")},
		{Action: client.ValidateActionCreate, ConnectionID: conn.ID, CRMUserID: chrisWalker},
	}})
	if err != nil || res.Valid || len(res.Items) != 2 || !res.Items[0].Valid || res.Items[1].Valid ||
		len(res.Items[1].Problems) == 0 || !errors.Is(res.Items[1].Problems[0], client.ErrCRMUserInactive) {
		t.Fatalf("Validate = %+v, %v", res, err)
	}

	if err := c.SalesUsers.Delete(ctx, u.ID); err != nil {
		t.Fatalf("SalesUsers.Delete: %v", err)
	}
	bin, err := client.Collect(c.RecycleBin.List(ctx, client.RecycleBinListOptions{ConnectionID: conn.ID}))
	if err != nil || len(bin) != 1 || bin[0].ID != u.ID || bin[0].DeletedAt.IsZero() {
		t.Fatalf("RecycleBin.List = %+v, %v", bin, err)
	}
	if _, err := c.RecycleBin.Restore(ctx, u.ID, client.RecycleBinRestoreOptions{ConnectionID: conn.ID}); err != nil {
		t.Fatalf("RecycleBin.Restore: %v", err)
	}
	if err := c.SalesUsers.Delete(ctx, u.ID); err != nil {
		t.Fatalf("second SalesUsers.Delete: %v", err)
	}
	if err := c.RecycleBin.Purge(ctx, u.ID); err != nil {
		t.Fatalf("RecycleBin.Purge: %v", err)
	}
	if err := c.RoleMappings.Delete(ctx, mapping.ID); err != nil {
		t.Fatalf("RoleMappings.Delete: %v", err)
	}
	if _, err := c.Connections.Authorize(ctx, conn.ID, client.ConnectionAuthorizeOptions{}); err != nil {
		t.Fatalf("Connections.Authorize: %v", err)
	}
	if err := c.Connections.Delete(ctx, conn.ID); err != nil {
		t.Fatalf("Connections.Delete: %v", err)
	}
	report, err := c.Account.SeatReport(ctx)
	if err != nil || report.SeatsUsed != before.SeatsUsed || report.SeatLimit != before.SeatLimit || report.ByConnection == nil || report.Wasted == nil {
		t.Fatalf("Account.SeatReport = %+v, %v; want the account's %d of %d seats", report, err, before.SeatsUsed, before.SeatLimit)
	}
	after, err := c.Account.Read(ctx)
	if err != nil || after.SeatsUsed != before.SeatsUsed {
		t.Fatalf("seats used after the cycle = %+v, %v; want %d", after, err, before.SeatsUsed)
	}
}

func TestSandboxErrorCodes(t *testing.T) {
	sb, c := startSandbox(t)
	ctx := context.Background()
	conn := createConnection(t, sb, c)
	creds := sb.Credentials()
	mapping, err := c.RoleMappings.Create(ctx, client.RoleMappingCreateOptions{ConnectionID: conn.ID, CRMProfileName: "Sales Rep", Role: "sales"})
	if err != nil {
		t.Fatalf("RoleMappings.Create: %v", err)
	}
	su, err := c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: jordanLee})
	if err != nil {
		t.Fatalf("SalesUsers.Create: %v", err)
	}
	readOnly := newSandboxClient(t, sb, func(cfg *client.Config) { cfg.Scopes = []string{client.ScopeRead} })
	noRetry := newSandboxClient(t, sb, func(cfg *client.Config) { cfg.RetryMax = -1 })
	var freeSalesRep string // an active Sales Rep not imported yet
	createFor := func(crmUserID string) func() error {
		return func() error {
			_, err := c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: crmUserID})
			return err
		}
	}

	cases := map[string]struct {
		setup func(t *testing.T)
		call  func() error
		want  error
		check func(t *testing.T, e *client.Error)
	}{
		client.CodeNotFound: {
			call: func() error { _, err := c.SalesUsers.Read(ctx, "su_doesnotexist"); return err },
			want: client.ErrNotFound,
			check: func(t *testing.T, e *client.Error) {
				if e.Resource != "sales_user" {
					t.Errorf("Resource = %q", e.Resource)
				}
			},
		},
		client.CodeUnauthorized: {
			call: func() error {
				return rawRequest(t, sb, http.MethodGet, "/api/v1/account", "not-a-valid-token", "", nil)
			},
			want: client.ErrUnauthorized,
		},
		client.CodeInsufficientScope: {
			call: func() error {
				_, err := readOnly.RoleMappings.Update(ctx, mapping.ID, client.RoleMappingUpdateOptions{Role: "marketing"})
				return err
			},
			want: client.ErrInsufficientScope,
		},
		client.CodeValidationFailed: {
			call: func() error {
				_, err := c.RoleMappings.Update(ctx, mapping.ID, client.RoleMappingUpdateOptions{Role: "no_such_role"})
				return err
			},
			want: client.ErrValidation,
			check: func(t *testing.T, e *client.Error) {
				if len(e.FieldErrors) == 0 || e.FieldErrors[0].Field != "role" {
					t.Errorf("FieldErrors = %+v", e.FieldErrors)
				}
			},
		},
		client.CodeCRMUsernameMapped: {
			call: createFor(rileyBrooks), want: client.ErrCRMUsernameMapped,
			check: func(t *testing.T, e *client.Error) {
				if !e.InRecycleBin || e.ConflictingSalesUserID == "" {
					t.Errorf("InRecycleBin, ConflictingSalesUserID = %v, %q", e.InRecycleBin, e.ConflictingSalesUserID)
				}
			},
		},
		client.CodeCRMUsernameReserved: {
			call: createFor(samanthaTaylor), want: client.ErrCRMUsernameReserved,
			check: func(t *testing.T, e *client.Error) {
				if e.PlatformUserID == "" {
					t.Error("PlatformUserID is empty")
				}
			},
		},
		client.CodeProfileNotMapped: {
			call: createFor(marcoRossi), want: client.ErrProfileNotMapped,
			check: func(t *testing.T, e *client.Error) {
				if e.CRMProfileName != "Marketing User" {
					t.Errorf("CRMProfileName = %q", e.CRMProfileName)
				}
			},
		},
		client.CodeCRMUserInactive:          {call: createFor(chrisWalker), want: client.ErrCRMUserInactive},
		client.CodeServiceAccountNotAllowed: {call: createFor(integrationUser), want: client.ErrServiceAccountNotAllowed},
		client.CodeCRMAuthorizationFailed: {
			call: func() error {
				_, err := c.Connections.Create(ctx, client.ConnectionCreateOptions{
					Name: "bad", Environment: client.EnvironmentSandbox, LoginURL: creds.LoginURL,
					ServiceUsername: creds.ServiceUsername, OAuthClientID: creds.OAuthClientID, RefreshToken: "not-a-refresh-token",
				})
				return err
			},
			want: client.ErrCRMAuthorizationFailed,
			check: func(t *testing.T, e *client.Error) {
				if e.CRMError != "invalid_grant" {
					t.Errorf("CRMError = %q", e.CRMError)
				}
			},
		},
		client.CodeServiceAccountMissingPermission: {
			call: func() error {
				token, err := sb.Org().MintRefreshToken(orgID, "jordan.lee@acme.example", 0)
				if err != nil {
					t.Fatalf("MintRefreshToken: %v", err)
				}
				_, err = c.Connections.Create(ctx, client.ConnectionCreateOptions{
					Name: "no view all data", Environment: client.EnvironmentSandbox, LoginURL: creds.LoginURL,
					ServiceUsername: "jordan.lee@acme.example", OAuthClientID: creds.OAuthClientID, RefreshToken: token,
				})
				return err
			},
			want: client.ErrServiceAccountMissingPermission,
			check: func(t *testing.T, e *client.Error) {
				if e.Permission != "View All Data" {
					t.Errorf("Permission = %q", e.Permission)
				}
			},
		},
		client.CodeRoleMappingExists: {
			call: func() error {
				_, err := c.RoleMappings.Create(ctx, client.RoleMappingCreateOptions{ConnectionID: conn.ID, CRMProfileID: profileSalesRep, Role: "marketing"})
				return err
			},
			want: client.ErrRoleMappingExists,
			check: func(t *testing.T, e *client.Error) {
				if e.ConflictingRoleMappingID != mapping.ID {
					t.Errorf("ConflictingRoleMappingID = %q, want %q", e.ConflictingRoleMappingID, mapping.ID)
				}
			},
		},
		client.CodeIdempotencyKeyReused: {
			call: func() error {
				token := accessToken(t, sb)
				key := "integration-test-key"
				body := func(u string) []byte {
					return []byte(fmt.Sprintf(`{"connection_id":%q,"crm_user_id":%q,"role":"sales"}`, conn.ID, u))
				}
				// The first use creates (or fails); the second, with another body, is refused.
				_ = rawRequest(t, sb, http.MethodPost, "/api/v1/sales-users", token, key, body(priyaPatel))
				return rawRequest(t, sb, http.MethodPost, "/api/v1/sales-users", token, key, body(marcoRossi))
			},
			want: client.ErrIdempotencyKeyReused,
		},
		client.CodePreconditionFailed: {
			call: func() error {
				_, err := c.SalesUsers.Update(ctx, su.ID, client.SalesUserUpdateOptions{Team: ptr("East"), IfMatch: `"999"`})
				return err
			},
			want: client.ErrPreconditionFailed,
		},
		client.CodeRateLimited: {
			setup: func(t *testing.T) {
				sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodGet, PathPrefix: "/api/v1/account", Status: http.StatusTooManyRequests, RetryAfterSeconds: 1}})
			},
			call: func() error { _, err := noRetry.Account.Read(ctx); return err },
			want: client.ErrRateLimited,
			check: func(t *testing.T, e *client.Error) {
				if e.RetryAfter != time.Second {
					t.Errorf("RetryAfter = %s, want 1s", e.RetryAfter)
				}
			},
		},
		client.CodeInternalError: {
			setup: func(t *testing.T) {
				sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodGet, PathPrefix: "/api/v1/account", Status: http.StatusInternalServerError}})
			},
			call: func() error { _, err := c.Account.Read(ctx); return err },
			want: client.ErrInternal,
		},
		client.CodeUnavailable: {
			setup: func(t *testing.T) {
				sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodGet, PathPrefix: "/api/v1/account", Status: http.StatusServiceUnavailable}})
			},
			call: func() error { _, err := noRetry.Account.Read(ctx); return err },
			want: client.ErrUnavailable,
		},
		client.CodeConnectionDisconnected: {
			setup: func(t *testing.T) {
				if err := sb.ExpireRefreshToken(conn.ID); err != nil {
					t.Fatalf("ExpireRefreshToken: %v", err)
				}
			},
			call: func() error { _, err := client.Collect(c.CRM.ListProfiles(ctx, conn.ID)); return err },
			want: client.ErrConnectionDisconnected,
			check: func(t *testing.T, e *client.Error) {
				if e.ConnectionID != conn.ID || !strings.Contains(e.StatusReason, "invalid_grant") {
					t.Errorf("ConnectionID, StatusReason = %q, %q", e.ConnectionID, e.StatusReason)
				}
			},
		},
		// Stateful: runs after the stateless codes (see order below).
		client.CodeSeatLimitReached: {
			setup: func(t *testing.T) {
				active, imported := true, false
				for u, err := range c.CRM.ListUsers(ctx, conn.ID, client.CRMUserListOptions{Active: &active, Imported: &imported, ProfileIDs: []string{profileSalesRep}, PageSize: 1}) {
					if err != nil {
						t.Fatalf("CRM.ListUsers: %v", err)
					}
					freeSalesRep = u.ID
					break
				}
				acc, err := c.Account.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := sb.Platform().SetSeatLimit(acc.SeatsUsed); err != nil {
					t.Fatalf("SetSeatLimit: %v", err)
				}
			},
			call: func() error {
				_, err := c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: freeSalesRep})
				return err
			},
			want: client.ErrSeatLimitReached,
			check: func(t *testing.T, e *client.Error) {
				if e.SeatLimit == 0 || e.SeatsUsed != e.SeatLimit || e.SeatsRequested != 1 {
					t.Errorf("seats = used %d, limit %d, requested %d", e.SeatsUsed, e.SeatLimit, e.SeatsRequested)
				}
			},
		},
	}
	// Stateful codes run last, in this order: the seat limit stays lowered,
	// and an expired refresh token disconnects the connection.
	stateful := []string{client.CodeSeatLimitReached, client.CodeConnectionDisconnected}
	var order []string
	for code := range cases {
		if !slices.Contains(stateful, code) {
			order = append(order, code)
		}
	}
	slices.Sort(order)
	order = append(order, stateful...)

	for _, code := range order {
		tc := cases[code]
		t.Run(code, func(t *testing.T) {
			sb.ClearFaults()
			t.Cleanup(sb.ClearFaults)
			if tc.setup != nil {
				tc.setup(t)
			}
			err := tc.call()
			var apiErr *client.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *client.Error", err, err)
			}
			if apiErr.Code != code || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v (code %q), want code %q matching %v", err, apiErr.Code, code, tc.want)
			}
			if apiErr.Detail == "" {
				t.Error("the problem has no detail")
			}
			if tc.check != nil {
				tc.check(t, apiErr)
			}
		})
	}
}

func TestSandboxAuthenticateRejectsBadSecret(t *testing.T) {
	sb, _ := startSandbox(t)
	c := newSandboxClient(t, sb, func(cfg *client.Config) { cfg.ClientSecret = "wrong-secret-for-test" })
	err := c.Authenticate(context.Background())
	var authErr *client.AuthenticationError
	if !errors.As(err, &authErr) || authErr.Code != "invalid_client" || !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Authenticate = %v, want invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-for-test") {
		t.Errorf("error %q leaks the secret", err)
	}
}

func TestSandboxRetriesAndIdempotency(t *testing.T) {
	sb, c := startSandbox(t)
	ctx := context.Background()
	conn := createConnection(t, sb, c)
	before, err := c.Account.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Two 503s, then the real answer.
	sb.ResetCounters()
	sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodGet, PathPrefix: "/api/v1/account", Status: http.StatusServiceUnavailable, Count: 2}})
	if _, err := c.Account.Read(ctx); err != nil {
		t.Fatalf("Account.Read through two 503s: %v", err)
	}
	if n := sb.Counters()["GET /api/v1/account"]; n != 3 {
		t.Errorf("GET /api/v1/account served %d times, want 3 (two 503s and a success)", n)
	}

	// The create commits but its response is lost; the retry replays it.
	sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodPost, PathPrefix: "/api/v1/sales-users", DropResponseAfterCommit: true, Count: 1}})
	u, err := c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: priyaPatel, Role: "sales_manager"})
	if err != nil {
		t.Fatalf("SalesUsers.Create through a dropped response: %v", err)
	}
	sb.ClearFaults()
	if n := sb.Counters()["POST /api/v1/sales-users"]; n != 2 {
		t.Errorf("POST /api/v1/sales-users served %d times, want 2 (the dropped one and its replay)", n)
	}
	users, err := client.Collect(c.SalesUsers.List(ctx, client.SalesUserListOptions{CRMUsername: u.CRMUsername}))
	if err != nil || len(users) != 1 {
		t.Fatalf("sales users for %s = %d, %v; want exactly 1", u.CRMUsername, len(users), err)
	}
	after, err := c.Account.Read(ctx)
	if err != nil || after.SeatsUsed != before.SeatsUsed+1 {
		t.Fatalf("seats used %d → %+v (%v), want one more", before.SeatsUsed, after, err)
	}
}

// accessToken fetches a token for raw requests.
func accessToken(t *testing.T, sb *sandbox.Sandbox) string {
	t.Helper()
	creds := sb.Credentials()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, sb.URL()+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(creds.ClientID, creds.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token response: %v", err)
	}
	return tok.AccessToken
}

// rawRequest sends a request the client cannot produce (a bad token, a
// reused idempotency key) and returns its problem answer as *client.Error,
// or nil for a success.
func rawRequest(t *testing.T, sb *sandbox.Sandbox, method, path, token, idempotencyKey string, body []byte) error {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, sb.URL()+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 {
		return nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s %s: content type %q, want application/problem+json", method, path, ct)
	}
	var p client.Error
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("decoding the problem: %v", err)
	}
	return &p
}

func ptr[T any](v T) *T { return &v }

// TestSandboxBatch runs a seat-neutral swap on a full account as one batch
// through a 503 and a dropped response: the batch is applied exactly once,
// and each item's outcome comes back typed.
func TestSandboxBatch(t *testing.T) {
	sb, c := startSandbox(t)
	ctx := context.Background()
	conn := createConnection(t, sb, c)
	jordan, err := c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: jordanLee, Role: "sales"})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Account.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Platform().SetSeatLimit(acc.SeatsUsed); err != nil { // full
		t.Fatal(err)
	}
	items := []client.ValidateItem{
		{Action: client.ValidateActionCreate, CRMUserID: priyaPatel[:15], Role: ptr("sales_manager")},
		{Action: client.ValidateActionRemove, SalesUserID: jordan.ID},
		{Action: client.ValidateActionCreate, CRMUserID: chrisWalker, Role: ptr("sales")},
	}

	dry := make([]client.ValidateItem, len(items))
	for i, it := range items {
		if it.Action == client.ValidateActionCreate {
			it.ConnectionID = conn.ID
		}
		dry[i] = it
	}
	v, err := c.SalesUsers.Validate(ctx, client.ValidateOptions{Items: dry})
	if err != nil {
		t.Fatal(err)
	}
	if v.Seats.SeatsFreed != 1 || !v.Items[0].Valid || !v.Items[1].Valid || v.Items[2].Valid {
		t.Errorf("dry run: seats %+v, items %+v", v.Seats, v.Items)
	}
	// A create's verdict says who it imports and with which role.
	if cu := v.Items[0].CRMUser; cu == nil || cu.ID != priyaPatel || cu.Email == "" || cu.ProfileName == "" ||
		v.Items[0].Role != "sales_manager" || v.Items[0].RoleSource != client.RoleSourceExplicit {
		t.Errorf("create verdict: %+v (crm user %+v)", v.Items[0], v.Items[0].CRMUser)
	}
	if v.Items[1].CRMUser != nil || v.Items[1].RoleSource != "" {
		t.Errorf("a removal's verdict has no CRM user or role: %+v", v.Items[1])
	}
	if _, err := c.RoleMappings.Create(ctx, client.RoleMappingCreateOptions{ConnectionID: conn.ID, CRMProfileName: "Sales Rep", Role: "sales"}); err != nil {
		t.Fatal(err)
	}
	mapped, err := c.SalesUsers.Validate(ctx, client.ValidateOptions{Items: []client.ValidateItem{
		{Action: client.ValidateActionCreate, ConnectionID: conn.ID, CRMUserID: jordanLee},
		{Action: client.ValidateActionCreate, ConnectionID: conn.ID, CRMUserID: priyaPatel}}})
	if err != nil || mapped.Items[0].RoleSource != client.RoleSourceProfileMapping || mapped.Items[0].Role != "sales" ||
		mapped.Items[1].RoleSource != client.RoleSourceProfileMapping || mapped.Items[1].Role != "" {
		t.Errorf("creates following their profile's mapping (Sales Rep: sales; Sales Manager: none): %+v, %v", mapped.Items, err)
	}

	sb.ResetCounters()
	sb.SetFaults([]sandbox.FaultRule{
		{Method: http.MethodPost, PathPrefix: "/api/v1/sales-users/batch", Status: http.StatusServiceUnavailable, Count: 1},
	})
	// The 503 rule is used up by the first attempt; the second commits and
	// loses its response; the third is a replay.
	res, err := c.SalesUsers.Batch(ctx, client.SalesUserBatchOptions{ConnectionID: conn.ID, Items: items[:1]})
	if err != nil || res.Applied != 0 || res.Failed != 1 || !errors.Is(res.Items[0].Problem, client.ErrSeatLimitReached) {
		t.Fatalf("an import alone on a full account: %+v, %v", res, err)
	}
	sb.SetFaults([]sandbox.FaultRule{
		{Method: http.MethodPost, PathPrefix: "/api/v1/sales-users/batch", DropResponseAfterCommit: true, Count: 1},
	})
	res, err = c.SalesUsers.Batch(ctx, client.SalesUserBatchOptions{ConnectionID: conn.ID, Items: items})
	sb.ClearFaults()
	if err != nil {
		t.Fatalf("Batch through a dropped response: %v", err)
	}
	if n := sb.Counters()["POST /api/v1/sales-users/batch"]; n != 4 {
		t.Errorf("POST /api/v1/sales-users/batch served %d times, want 4 (503, success, dropped, replay)", n)
	}
	if res.Applied != 2 || res.Failed != 1 || res.Seats.SeatsUsedBefore != acc.SeatsUsed || res.Seats.SeatsUsed != acc.SeatsUsed {
		t.Fatalf("batch result: applied %d failed %d seats %+v", res.Applied, res.Failed, res.Seats)
	}
	if su := res.Items[0].SalesUser; su == nil || su.CRMUserID != priyaPatel || su.Role != "sales_manager" || res.Items[0].Problem != nil {
		t.Errorf("create item: %+v", res.Items[0])
	}
	if p := res.Items[2].Problem; !errors.Is(p, client.ErrCRMUserInactive) || res.Items[2].CRMUserID != chrisWalker {
		t.Errorf("inactive item: %+v", res.Items[2])
	}
	users, err := client.Collect(c.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: conn.ID}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.CRMUserID)
	}
	if !slices.Contains(ids, priyaPatel) || slices.Contains(ids, jordanLee) || len(ids) != acc.SeatsUsed {
		t.Errorf("sales users after the batch: %v (want Priya in, Jordan out, %d in all)", ids, acc.SeatsUsed)
	}
}

// TestSandboxUserManagementGroup covers the client's side of a connection
// that hands user management to a Salesforce public group: the setting, the
// org's groups, the group filter, the sync report and the typed refusal.
func TestSandboxUserManagementGroup(t *testing.T) {
	sb, c := startSandbox(t)
	ctx := context.Background()
	creds := sb.Credentials()
	g, err := sb.Org().AddGroup(creds.OrganizationID, sforg.GroupSeed{Name: "Sales Team", DeveloperName: "Sales_Team", MemberIDs: []string{jordanLee}})
	if err != nil {
		t.Fatalf("AddGroup: %v", err)
	}
	conn := createConnection(t, sb, c)
	groups, err := client.Collect(c.CRM.ListGroups(ctx, conn.ID))
	if err != nil || !slices.ContainsFunc(groups, func(x *client.CRMGroup) bool {
		return x.ID == g.ID && x.DeveloperName == "Sales_Team" && x.Name == "Sales Team"
	}) {
		t.Fatalf("CRM.ListGroups = %+v, %v", groups, err)
	}
	members, err := client.Collect(c.CRM.ListUsers(ctx, conn.ID, client.CRMUserListOptions{Groups: []string{"sales_team"}}))
	if err != nil || len(members) != 1 || members[0].ID != jordanLee {
		t.Fatalf("CRM.ListUsers by group = %+v, %v", members, err)
	}

	if _, err := c.RoleMappings.Create(ctx, client.RoleMappingCreateOptions{ConnectionID: conn.ID, CRMProfileName: "Sales Rep", Role: "sales"}); err != nil {
		t.Fatalf("RoleMappings.Create: %v", err)
	}
	group := "Sales_Team"
	managed, err := c.Connections.Update(ctx, conn.ID, client.ConnectionUpdateOptions{UserManagementGroup: &group})
	if err != nil || managed.UserManagementGroup != "Sales_Team" || managed.UserManagementGroupID != g.ID {
		t.Fatalf("Connections.Update = %+v, %v", managed, err)
	}
	// Handing it over syncs at once: Jordan is imported.
	if managed.LastSync == nil || managed.LastSync.Created != 1 || len(managed.LastSync.Problems) != 0 || managed.LastSync.SyncedAt.IsZero() {
		t.Fatalf("LastSync = %+v", managed.LastSync)
	}
	_, err = c.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: marcoRossi, Role: "marketing"})
	var apiErr *client.Error
	if !errors.Is(err, client.ErrUserManagementInSalesforce) || !errors.As(err, &apiErr) ||
		apiErr.UserManagementGroup != "Sales_Team" || apiErr.UserManagementGroupID != g.ID || apiErr.ConnectionID != conn.ID || apiErr.Status != 409 {
		t.Fatalf("SalesUsers.Create on a managed connection = %+v", err)
	}
}
