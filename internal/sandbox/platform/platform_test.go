package platform_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

var testKey = sync.OnceValues(func() (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
})

func testKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
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
				prob := requireProblem(t, err, tc.code, platform.AsProblem(err).Status, tc.ext)
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
	requireProblem(t, err, platform.CodePreconditionFailed, 412, map[string]any{"current_etag": platform.ETag(got.Version)})
	_, err = e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{Environment: ptr(platform.EnvironmentProduction)}, 0)
	prob := requireProblem(t, err, platform.CodeValidationFailed, 422, nil)
	if !strings.Contains(prob.Detail, "environment cannot change") {
		t.Errorf("detail %q", prob.Detail)
	}
	// New credentials that fail leave the connection as it was.
	_, err = e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{RefreshToken: ptr("bogus")}, 0)
	requireProblem(t, err, platform.CodeCRMAuthorizationFailed, 422, map[string]any{"connection_id": e.conn.ID})
	if tok, _, _ := e.p.ConnectionRefreshToken(e.conn.ID); tok != goodToken {
		t.Error("a failed credential change replaced the stored token")
	}
	same, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{Name: ptr("Renamed")}, 0)
	if err != nil || same.Version != got.Version {
		t.Errorf("no-op patch bumped the version: %d -> %d (%v)", got.Version, same.Version, err)
	}
}

func TestRoleMappings(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	cases := map[string]struct {
		in     platform.RoleMappingInput
		code   string
		ext    map[string]any
		detail string
		want   string // profile ID
	}{
		"by name":                {in: platform.RoleMappingInput{CRMProfileName: "Sales Rep", Role: "sales"}, want: profSalesRep},
		"by name, other case":    {in: platform.RoleMappingInput{CRMProfileName: "sales manager", Role: "sales_manager"}, want: profSalesMgr},
		"by 15-character ID":     {in: platform.RoleMappingInput{CRMProfileID: profMarketing[:15], Role: "marketing"}, want: profMarketing},
		"by 18-character ID":     {in: platform.RoleMappingInput{CRMProfileID: profAdmin, Role: "administrator"}, want: profAdmin},
		"unknown role":           {in: platform.RoleMappingInput{CRMProfileID: profAdmin, Role: "owner"}, code: platform.CodeValidationFailed, detail: "\"administrator\", \"marketing\", \"sales_manager\", \"sales\""},
		"unknown profile name":   {in: platform.RoleMappingInput{CRMProfileName: "Sales Reps", Role: "sales"}, code: platform.CodeNotFound, ext: map[string]any{"resource": "crm_profile"}, detail: "\"Sales Rep\""},
		"unknown profile ID":     {in: platform.RoleMappingInput{CRMProfileID: sfid.FromSeq("00e", "5A", 99), Role: "sales"}, code: platform.CodeNotFound},
		"malformed profile ID":   {in: platform.RoleMappingInput{CRMProfileID: "00e123", Role: "sales"}, code: platform.CodeValidationFailed, detail: "crm_profile_id"},
		"both ID and name":       {in: platform.RoleMappingInput{CRMProfileID: profAdmin, CRMProfileName: "Sales Rep", Role: "sales"}, code: platform.CodeValidationFailed},
		"neither ID nor name":    {in: platform.RoleMappingInput{Role: "sales"}, code: platform.CodeValidationFailed},
		"unknown connection":     {in: platform.RoleMappingInput{ConnectionID: "conn_nope", CRMProfileID: profAdmin, Role: "sales"}, code: platform.CodeNotFound, ext: map[string]any{"resource": "connection"}},
		"second mapping for one": {in: platform.RoleMappingInput{CRMProfileID: profIntegration, Role: "sales"}, code: platform.CodeRoleMappingExists},
	}
	existing := e.mapProfile(t, profIntegration, platform.RoleAdministrator)
	cases["second mapping for one"] = struct {
		in     platform.RoleMappingInput
		code   string
		ext    map[string]any
		detail string
		want   string
	}{
		in: platform.RoleMappingInput{CRMProfileName: "Integration User", Role: "sales"}, code: platform.CodeRoleMappingExists,
		ext:    map[string]any{"conflicting_role_mapping_id": existing.ID, "crm_profile_id": profIntegration},
		detail: fmt.Sprintf("import { to = salesseat_profile_role_mapping.x, id = %q }", existing.ID),
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.in.ConnectionID == "" {
				tc.in.ConnectionID = e.conn.ID
			}
			m, err := e.p.CreateRoleMapping(ctx, tc.in)
			if tc.code != "" {
				prob := requireProblem(t, err, tc.code, platform.AsProblem(err).Status, tc.ext)
				if !strings.Contains(prob.Detail, tc.detail) {
					t.Errorf("detail %q does not mention %q", prob.Detail, tc.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.CRMProfileID != tc.want || !strings.HasPrefix(m.ID, "rm_") || m.Version != 1 || m.CRMProfileName == "" {
				t.Errorf("mapping %+v, want profile %s", m, tc.want)
			}
		})
	}

	// Sales users follow the mapping's current role.
	m, err := e.p.UpdateRoleMapping(existing.ID, platform.RoleMarketing, existing.Version)
	if err != nil || m.Role != platform.RoleMarketing || m.Version != 2 {
		t.Fatalf("UpdateRoleMapping = %+v, %v", m, err)
	}
	_, err = e.p.UpdateRoleMapping(existing.ID, platform.RoleSales, 1)
	requireProblem(t, err, platform.CodePreconditionFailed, 412, map[string]any{"current_etag": `"2"`})
	list, err := e.p.ListRoleMappings(e.conn.ID, platform.PageRequest{})
	if err != nil || len(list.Items) != 5 {
		t.Errorf("ListRoleMappings: %d items, %v", len(list.Items), err)
	}
	if err := e.p.DeleteRoleMapping(existing.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.p.DeleteRoleMapping(existing.ID); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestMappingChangesEffectiveRole(t *testing.T) {
	e := newEnv(t, envOptions{})
	m := e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	if _, err := e.p.UpdateRoleMapping(m.ID, platform.RoleSalesManager, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Role != platform.RoleSalesManager {
		t.Errorf("role %q after the mapping changed", got.Role)
	}
	if err := e.p.DeleteRoleMapping(m.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.p.GetSalesUser(su.ID); got.Role != "" || got.RoleSource != platform.RoleSourceProfileMapping {
		t.Errorf("role %q (%s) after the mapping was deleted", got.Role, got.RoleSource)
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t, envOptions{noConnection: true})
	var calls atomic.Int32
	do := func(status int) func() platform.StoredResponse {
		return func() platform.StoredResponse {
			n := calls.Add(1)
			return platform.StoredResponse{Status: status, Body: fmt.Appendf(nil, `{"n":%d}`, n), ETag: `"1"`}
		}
	}
	first, replayed, err := e.p.Idempotent("cli", "k1", "fp-a", do(201))
	if err != nil || replayed || string(first.Body) != `{"n":1}` {
		t.Fatalf("first: %s %v %v", first.Body, replayed, err)
	}

	cases := map[string]struct {
		scope, key, fp string
		status         int
		wantReplay     bool
		wantCode       string
		wantBody       string
	}{
		"same key and body replays":       {scope: "cli", key: "k1", fp: "fp-a", wantReplay: true, wantBody: `{"n":1}`},
		"same key, other body is refused": {scope: "cli", key: "k1", fp: "fp-b", wantCode: platform.CodeIdempotencyKeyReused},
		"same key, other client runs":     {scope: "other", key: "k1", fp: "fp-a", status: 201},
		"empty key is refused":            {scope: "cli", key: "", fp: "fp-a", wantCode: platform.CodeValidationFailed},
		"over-long key is refused":        {scope: "cli", key: strings.Repeat("k", 256), fp: "fp-a", wantCode: platform.CodeValidationFailed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp, replayed, err := e.p.Idempotent(tc.scope, tc.key, tc.fp, do(tc.status))
			if tc.wantCode != "" {
				requireProblem(t, err, tc.wantCode, 422, nil)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if replayed != tc.wantReplay || (tc.wantBody != "" && string(resp.Body) != tc.wantBody) {
				t.Errorf("replayed=%v body=%s", replayed, resp.Body)
			}
		})
	}

	t.Run("server errors are not kept", func(t *testing.T) {
		if _, _, err := e.p.Idempotent("cli", "k5", "fp", do(503)); err != nil {
			t.Fatal(err)
		}
		resp, replayed, err := e.p.Idempotent("cli", "k5", "fp", do(201))
		if err != nil || replayed || resp.Status != 201 {
			t.Errorf("retry after 503: status %d replayed %v %v", resp.Status, replayed, err)
		}
	})

	t.Run("records expire after 24 hours", func(t *testing.T) {
		e.clock.Advance(platform.IdempotencyTTL)
		_, replayed, err := e.p.Idempotent("cli", "k1", "fp-b", do(201))
		if err != nil || replayed {
			t.Errorf("after expiry: replayed %v, %v", replayed, err)
		}
	})

	t.Run("concurrent duplicates wait for the first", func(t *testing.T) {
		release := make(chan struct{})
		started := make(chan struct{})
		var runs atomic.Int32
		slow := func() platform.StoredResponse {
			runs.Add(1)
			close(started)
			<-release
			return platform.StoredResponse{Status: 201, Body: []byte("first")}
		}
		var wg sync.WaitGroup
		results := make([]string, 10)
		replays := make([]bool, 10)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, rep, _ := e.p.Idempotent("cli", "dup", "fp", slow)
			results[0], replays[0] = string(r.Body), rep
		}()
		<-started
		for i := 1; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, rep, _ := e.p.Idempotent("cli", "dup", "fp", func() platform.StoredResponse {
					runs.Add(1)
					return platform.StoredResponse{Status: 201, Body: []byte("second")}
				})
				results[i], replays[i] = string(r.Body), rep
			}()
		}
		close(release)
		wg.Wait()
		if runs.Load() != 1 {
			t.Errorf("the operation ran %d times", runs.Load())
		}
		for i, r := range results {
			if r != "first" || replays[i] != (i != 0) {
				t.Errorf("caller %d got %q replayed=%v", i, r, replays[i])
			}
		}
	})
}

func TestValidateBatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	live := e.importUser(t, e.org.addUser(10, "live@acme.example", "live@acme.example", "L", "Ive", true, profSalesRep))
	a := e.org.addUser(11, "a@acme.example", "a@acme.example", "A", "A", true, profSalesRep)
	b := e.org.addUser(12, "b@acme.example", "b@acme.example", "B", "B", true, profSalesRep)
	e.org.addUser(13, "c@acme.example", "c@acme.example", "C", "C", true, profSalesRep)
	inactive := e.org.addUser(14, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	unmapped := e.org.addUser(15, "mkt@acme.example", "mkt@acme.example", "M", "Kt", true, profMarketing)

	items := []platform.ValidateItem{
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: a},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: b[:15]},
		{Action: "create", ConnectionID: e.conn.ID, CRMUsername: "c@acme.example"},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: inactive},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: unmapped, Role: ptr("")},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: a},
		{Action: "update", SalesUserID: live.ID, Role: ptr("administrator")},
		{Action: "update", SalesUserID: "su_nope"},
		{Action: "delete"},
	}
	want := [][]string{
		nil,
		nil,
		{platform.CodeSeatLimitReached},
		{platform.CodeCRMUserInactive, platform.CodeSeatLimitReached},
		{platform.CodeProfileNotMapped, platform.CodeSeatLimitReached},
		{platform.CodeValidationFailed, platform.CodeSeatLimitReached},
		nil,
		{platform.CodeNotFound},
		{platform.CodeValidationFailed},
	}
	res, err := e.p.Validate(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid {
		t.Error("valid = true")
	}
	if res.Seats != (platform.Seats{SeatLimit: 3, SeatsUsed: 1, SeatsAvailable: 2, SeatsRequested: 6}) {
		t.Errorf("seats = %+v", res.Seats)
	}
	for i, it := range res.Items {
		var codes []string
		for _, p := range it.Problems {
			codes = append(codes, p.Code)
		}
		if fmt.Sprint(codes) != fmt.Sprint(want[i]) || it.Valid != (len(want[i]) == 0) || it.Index != i || it.Problems == nil {
			t.Errorf("item %d: valid=%v problems %v, want %v", i, it.Valid, codes, want[i])
		}
	}
	if res.Items[1].CRMUserID != b {
		t.Errorf("item 1 crm_user_id %q, want the 18-character %q", res.Items[1].CRMUserID, b)
	}
	seat := res.Items[2].Problems[0]
	if seat.Ext["seats_used"] != 3 || seat.Ext["seat_limit"] != 3 || seat.Ext["seats_requested"] != 1 || !strings.Contains(seat.Detail, "2 earlier imports of this batch") {
		t.Errorf("seat problem %+v: %s", seat.Ext, seat.Detail)
	}
	if seat.Instance != "/api/v1/sales-users" {
		t.Errorf("instance %q", seat.Instance)
	}
	// A dry run changes nothing.
	if acc := e.p.Account(); acc.SeatsUsed != 1 {
		t.Errorf("seats_used %d after a dry run", acc.SeatsUsed)
	}
	if got, _ := e.p.GetSalesUser(live.ID); got.Role != platform.RoleSales {
		t.Errorf("the dry run changed the role to %q", got.Role)
	}
	// Within the limit the batch is valid.
	res, err = e.p.Validate(ctx, items[:2])
	if err != nil || !res.Valid {
		t.Errorf("two creates with two free seats: valid=%v %v", res.Valid, err)
	}
	raw, _ := json.Marshal(res)
	if !strings.Contains(string(raw), `"problems":[]`) {
		t.Errorf("problems must be an empty array: %s", raw)
	}
}

func TestAutomaticSync(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3, noConnection: true})
	for i := range 5 {
		e.org.addUser(10+i, fmt.Sprintf("rep%d@acme.example", i), fmt.Sprintf("rep%d@acme.example", i), "Rep", "X", true, profSalesRep)
	}
	e.org.addUser(20, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	e.org.addUser(21, "mkt@acme.example", "mkt@acme.example", "M", "Kt", true, profMarketing)

	e.conn = e.connect(t, nil, true)
	if n, err := e.p.RunAutomaticSync(ctx, e.conn.ID); err != nil || n != 0 {
		t.Errorf("sync without mappings: %d, %v", n, err)
	}
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	n, err := e.p.RunAutomaticSync(ctx, e.conn.ID)
	if err != nil || n != 3 {
		t.Fatalf("sync: created %d, %v; want 3 (the seat limit)", n, err)
	}
	page, _ := e.p.ListSalesUsers(platform.SalesUserFilter{ConnectionID: e.conn.ID}, platform.PageRequest{})
	for _, su := range page.Items {
		if su.CreatedBy != platform.CreatedByAutomaticSync || su.CRMUsername == svcUsername || !su.CRMActive || su.CRMProfileID != profSalesRep {
			t.Errorf("synced %+v", su)
		}
	}
	if acc := e.p.Account(); acc.SeatsUsed != 3 {
		t.Errorf("seats_used %d", acc.SeatsUsed)
	}

	// More seats and a CRM change: the rest arrives.
	if _, err := e.p.SetSeatLimit(10); err != nil {
		t.Fatal(err)
	}
	e.org.addUser(22, "new@acme.example", "new@acme.example", "N", "Ew", true, profSalesRep)
	e.p.NotifyCRMChange(ctx, e.conn.OrganizationID)
	if acc := e.p.Account(); acc.SeatsUsed != 6 {
		t.Errorf("seats_used %d after NotifyCRMChange, want 6", acc.SeatsUsed)
	}

	// With the setting off nothing is imported.
	off, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{AutomaticUserSync: ptr(false)}, 0)
	if err != nil || off.AutomaticUserSync {
		t.Fatal(err)
	}
	e.org.addUser(23, "later@acme.example", "later@acme.example", "L", "Ater", true, profSalesRep)
	e.p.NotifyCRMChange(ctx, e.conn.OrganizationID)
	if n, _ := e.p.RunAutomaticSync(ctx, e.conn.ID); n != 0 {
		t.Errorf("sync with the setting off created %d", n)
	}
	// Turning it on syncs at once.
	if _, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{AutomaticUserSync: ptr(true)}, 0); err != nil {
		t.Fatal(err)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 7 {
		t.Errorf("seats_used %d after turning sync on, want 7", acc.SeatsUsed)
	}
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 100})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	for i := range 9 {
		e.org.addUser(10+i, fmt.Sprintf("u%d@acme.example", i), fmt.Sprintf("u%d@other.example", i%2), "U", "Ser", i != 4, profSalesRep)
	}
	walk := func(t *testing.T, f platform.CRMUserFilter, limit int) []string {
		t.Helper()
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("pagination does not end")
			}
			page, err := e.p.ListCRMUsers(ctx, e.conn.ID, f, platform.PageRequest{Limit: limit, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > limit {
				t.Fatalf("page of %d items with limit %d", len(page.Items), limit)
			}
			for _, u := range page.Items {
				ids = append(ids, u.ID)
			}
			if page.NextCursor == "" {
				return ids
			}
			cursor = page.NextCursor
		}
	}
	imported := e.importUser(t, sfid.FromSeq("005", "5A", 10))

	cases := map[string]struct {
		filter platform.CRMUserFilter
		limit  int
		want   int
	}{
		"all, pages of 2":          {limit: 2, want: 10},
		"all, one page":            {limit: 1000, want: 10},
		"active":                   {filter: platform.CRMUserFilter{Active: ptr(true)}, limit: 3, want: 9},
		"email domain":             {filter: platform.CRMUserFilter{EmailDomain: "@other.example"}, limit: 2, want: 9},
		"search":                   {filter: platform.CRMUserFilter{Search: "U3@"}, limit: 2, want: 1},
		"profile by 15-char ID":    {filter: platform.CRMUserFilter{ProfileIDs: []string{profSalesRep[:15]}}, limit: 4, want: 9},
		"profile by name":          {filter: platform.CRMUserFilter{ProfileNames: []string{"Integration User"}}, limit: 4, want: 1},
		"imported":                 {filter: platform.CRMUserFilter{Imported: ptr(true)}, limit: 4, want: 1},
		"not imported":             {filter: platform.CRMUserFilter{Imported: ptr(false)}, limit: 4, want: 9},
		"not imported and active":  {filter: platform.CRMUserFilter{Imported: ptr(false), Active: ptr(true)}, limit: 4, want: 8},
		"imported with none found": {filter: platform.CRMUserFilter{Imported: ptr(true), Search: "nobody"}, limit: 4, want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ids := walk(t, tc.filter, tc.limit)
			if len(ids) != tc.want {
				t.Errorf("%d users, want %d", len(ids), tc.want)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i-1] >= ids[i] {
					t.Errorf("not sorted by ID at %d", i)
				}
			}
		})
	}

	u, err := e.p.GetCRMUser(ctx, e.conn.ID, sfid.FromSeq("005", "5A", 10)[:15])
	if err != nil || u.SalesUserID != imported.ID || u.ProfileName != "Sales Rep" {
		t.Errorf("GetCRMUser = %+v, %v", u, err)
	}
	if _, err := e.p.GetCRMUser(ctx, e.conn.ID, sfid.FromSeq("005", "5A", 99)); !platform.IsCode(err, platform.CodeNotFound) {
		t.Errorf("unknown CRM user: %v", err)
	}

	bad := map[string]platform.PageRequest{
		"limit 0 is the default, -1 is not": {Limit: -1},
		"limit over 1000":                   {Limit: 1001},
		"foreign cursor":                    {Cursor: "not-a-cursor"},
	}
	for name, pr := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := e.p.ListCRMUsers(ctx, e.conn.ID, platform.CRMUserFilter{}, pr)
			requireProblem(t, err, platform.CodeValidationFailed, 422, nil)
			_, err = e.p.ListSalesUsers(platform.SalesUserFilter{}, pr)
			requireProblem(t, err, platform.CodeValidationFailed, 422, nil)
		})
	}

	profiles, err := e.p.ListCRMProfiles(ctx, e.conn.ID, platform.PageRequest{Limit: 2})
	if err != nil || len(profiles.Items) != 2 || profiles.NextCursor == "" {
		t.Fatalf("profiles page = %+v, %v", profiles, err)
	}
	rest, err := e.p.ListCRMProfiles(ctx, e.conn.ID, platform.PageRequest{Limit: 10, Cursor: profiles.NextCursor})
	if err != nil || len(rest.Items) != 3 || rest.NextCursor != "" {
		t.Fatalf("second profiles page = %+v, %v", rest, err)
	}
	for _, p := range append(profiles.Items, rest.Items...) {
		if p.ID == profSalesRep && p.UserCount != 9 {
			t.Errorf("Sales Rep user_count %d, want 9", p.UserCount)
		}
	}

	// Sales user cursors stay valid while items are added.
	for _, i := range []int{1, 2, 3, 5, 6} { // u4 is inactive
		e.importUser(t, sfid.FromSeq("005", "5A", 10+i))
	}
	first, _ := e.p.ListSalesUsers(platform.SalesUserFilter{}, platform.PageRequest{Limit: 3})
	e.importUser(t, sfid.FromSeq("005", "5A", 17))
	second, _ := e.p.ListSalesUsers(platform.SalesUserFilter{}, platform.PageRequest{Limit: 10, Cursor: first.NextCursor})
	seen := map[string]bool{}
	for _, su := range append(first.Items, second.Items...) {
		if seen[su.ID] {
			t.Errorf("sales user %s listed twice", su.ID)
		}
		seen[su.ID] = true
	}
	if len(seen) < 6 {
		t.Errorf("walked %d sales users, want at least the 6 that existed", len(seen))
	}
	byName, err := e.p.ListSalesUsers(platform.SalesUserFilter{CRMUsername: "U1@acme.example"}, platform.PageRequest{})
	if err != nil || len(byName.Items) != 1 {
		t.Errorf("filter by CRM username: %d items, %v", len(byName.Items), err)
	}
	if su, err := e.p.GetSalesUserByCRMUsername("U1@ACME.example"); err != nil || su.CRMUsername != "u1@acme.example" {
		t.Errorf("GetSalesUserByCRMUsername = %+v, %v", su, err)
	}
}

func TestSnapshotRestoreAndOnChange(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{platformUsers: []platform.PlatformUserSeed{{Email: "pat@acme.example"}}})
	var changes atomic.Int32
	e.p.OnChange(func() {
		changes.Add(1)
		_ = e.p.Snapshot() // the hook runs without the lock held
	})
	m := e.mapProfile(t, profSalesRep, platform.RoleSales)
	su := e.importUser(t, e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep))
	if _, _, err := e.p.Idempotent("cli", "k", "fp", func() platform.StoredResponse {
		return platform.StoredResponse{Status: 201, Body: []byte(`{"id":"x"}`)}
	}); err != nil {
		t.Fatal(err)
	}
	if changes.Load() < 3 {
		t.Errorf("OnChange ran %d times, want one per mutation", changes.Load())
	}

	raw, err := json.Marshal(e.p.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), goodToken) {
		t.Error("the snapshot must keep the connection's credentials")
	}
	var st platform.State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	q := platform.New(platform.Seed{AccountName: "other"}, e.org.dial, platform.Options{Now: e.clock.Now})
	if err := q.Restore(st); err != nil {
		t.Fatal(err)
	}
	if q.Account() != e.p.Account() {
		t.Errorf("account %+v, want %+v", q.Account(), e.p.Account())
	}
	got, err := q.GetSalesUser(su.ID)
	if err != nil || got.Role != platform.RoleSales || got.Version != su.Version {
		t.Errorf("restored sales user %+v, %v", got, err)
	}
	if _, err := q.GetRoleMapping(m.ID); err != nil {
		t.Error(err)
	}
	resp, replayed, err := q.Idempotent("cli", "k", "fp", func() platform.StoredResponse { return platform.StoredResponse{Status: 500} })
	if err != nil || !replayed || string(resp.Body) != `{"id":"x"}` {
		t.Errorf("idempotency record not restored: %s %v %v", resp.Body, replayed, err)
	}
	// The restored platform re-authorizes with the stored credentials.
	dials := e.org.dialCount()
	conn, err := q.GetConnection(ctx, e.conn.ID)
	if err != nil || conn.Status != platform.StatusConnected || e.org.dialCount() != dials+1 {
		t.Errorf("restored connection %+v, %v (dials %d -> %d)", conn, err, dials, e.org.dialCount())
	}
	// Rules still hold after a restore.
	_, err = q.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: su.CRMUserID})
	requireProblem(t, err, platform.CodeCRMUsernameMapped, 409, nil)

	if err := q.Restore(platform.State{}); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("restoring an empty state: %v", err)
	}
}

func TestAccountAndAdmin(t *testing.T) {
	e := newEnv(t, envOptions{seatLimit: 2, noConnection: true})
	if scopes, ok := e.p.AuthenticateClient("cli", "sec"); !ok || len(scopes) != 2 {
		t.Errorf("AuthenticateClient = %v, %v", scopes, ok)
	}
	if _, ok := e.p.AuthenticateClient("cli", "wrong"); ok {
		t.Error("a wrong secret authenticated")
	}
	if _, err := e.p.SetSeatLimit(-1); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("negative seat limit: %v", err)
	}
	acc, err := e.p.SetSeatLimit(30)
	if err != nil || acc.SeatLimit != 30 || acc.SeatsAvailable != 30 || !strings.HasPrefix(acc.ID, "acc_") {
		t.Errorf("SetSeatLimit = %+v, %v", acc, err)
	}
	if roles := e.p.Roles(); len(roles) != 4 || roles[0].Name != "administrator" || roles[3].Name != "sales" {
		t.Errorf("roles %+v", roles)
	}
	pu, err := e.p.CreatePlatformUser(platform.PlatformUserSeed{Email: "pat@acme.example", FirstName: "Pat"})
	if err != nil || !strings.HasPrefix(pu.ID, "pu_") {
		t.Errorf("CreatePlatformUser = %+v, %v", pu, err)
	}
	if _, err := e.p.CreatePlatformUser(platform.PlatformUserSeed{Email: "PAT@acme.example"}); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("duplicate email: %v", err)
	}
	if _, err := e.p.CreatePlatformUser(platform.PlatformUserSeed{Email: "nope"}); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("bad email: %v", err)
	}
}

func TestProblemJSON(t *testing.T) {
	prob := platform.SeatLimitReached(25, 25, 1)
	prob.Instance = "/api/v1/sales-users"
	raw, err := json.Marshal(prob)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type": "https://salesseat.dev/problems/seat_limit_reached", "title": "Seat limit reached", "status": 409.0,
		"code": "seat_limit_reached", "instance": "/api/v1/sales-users", "seats_used": 25.0, "seat_limit": 25.0, "seats_requested": 1.0,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if m["detail"] != "The account uses 25 of 25 seats, so importing 1 more sales user would exceed the seat limit. The seat limit is part of your contract: ask your vendor to raise it (it cannot be changed through the API or Terraform), or delete sales users you no longer need." {
		t.Errorf("detail %q", m["detail"])
	}
	var back platform.Problem
	if err := json.Unmarshal(raw, &back); err != nil || back.Code != prob.Code || back.Status != 409 || back.Ext["seats_used"] != 25.0 {
		t.Errorf("round trip %+v, %v", back, err)
	}
	if got := platform.AsProblem(fmt.Errorf("boom: %w", prob)); got != prob {
		t.Error("AsProblem does not unwrap")
	}
	if got := platform.AsProblem(fmt.Errorf("secret=hunter2")); got.Code != platform.CodeInternalError || strings.Contains(got.Detail, "hunter2") {
		t.Errorf("AsProblem of a plain error = %+v", got)
	}
	_ = time.Second
}

func TestFingerprint(t *testing.T) {
	base := platform.Fingerprint("POST", "/api/v1/sales-users", []byte(`{"connection_id":"conn_1","crm_user_id":"005"}`))
	cases := map[string]struct {
		method, path, body string
		same               bool
	}{
		"key order and spacing":   {"POST", "/api/v1/sales-users", "{ \"crm_user_id\": \"005\",\n \"connection_id\": \"conn_1\" }", true},
		"other value":             {"POST", "/api/v1/sales-users", `{"connection_id":"conn_1","crm_user_id":"006"}`, false},
		"other path":              {"POST", "/api/v1/role-mappings", `{"connection_id":"conn_1","crm_user_id":"005"}`, false},
		"other method":            {"PUT", "/api/v1/sales-users", `{"connection_id":"conn_1","crm_user_id":"005"}`, false},
		"not JSON, byte for byte": {"POST", "/api/v1/sales-users", `connection_id=conn_1`, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := platform.Fingerprint(tc.method, tc.path, []byte(tc.body))
			if (got == base) != tc.same {
				t.Errorf("same fingerprint = %v, want %v", got == base, tc.same)
			}
		})
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
