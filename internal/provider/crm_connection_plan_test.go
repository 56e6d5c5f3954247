package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

func connectionModel(status, reason string, jwt bool) crmConnectionResourceModel {
	m := crmConnectionResourceModel{
		ID: types.StringValue("conn_1"), Name: types.StringValue("Production"), Environment: types.StringValue("production"),
		LoginURL: types.StringValue("https://login.salesforce.com"), ServiceUsername: types.StringValue("svc@acme.example"),
		OAuthClientID: types.StringValue("3MVG9"), RefreshToken: types.StringValue("token"), JWTPrivateKey: types.StringNull(),
		RefreshTokenWO: types.StringNull(), JWTPrivateKeyWO: types.StringNull(), CredentialsWOVersion: types.Int64Null(),
		AutoImportCRMUsers: types.BoolValue(false), ProfileRoleSync: types.BoolValue(true), AuthMethod: types.StringValue(authMethodRefreshToken),
		Status: types.StringValue(status), StatusReason: types.StringValue(reason),
		OrganizationID: types.StringValue("00D5A0000000001UAA"), InstanceURL: types.StringValue("https://acme.my.salesforce.com"),
		UserManagementGroup: types.StringNull(), UserManagementGrpID: types.StringNull(), LastSync: types.ObjectNull(lastSyncAttrTypes),
	}
	if jwt {
		m.RefreshToken = types.StringNull()
		m.JWTPrivateKey = types.StringValue("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----")
		m.AuthMethod = types.StringValue(authMethodJWTBearer)
	}
	return m
}

func TestCRMConnectionModifyPlanDisconnected(t *testing.T) {
	const reason = "invalid_grant: expired access/refresh token"
	cases := map[string]struct {
		state  crmConnectionResourceModel
		config crmConnectionResourceModel
		// plan is what Terraform proposes; the configuration when nil.
		plan        *crmConnectionResourceModel
		wantStatus  string
		wantUnknown bool
		wantWarning string
	}{
		"refresh token expired, name changed: status left unknown": {
			// An update may find the connection healed (a token renewed
			// outside Terraform): planning the old status would make the
			// apply inconsistent.
			state: connectionModel(statusDisconnected, reason, false),
			config: func() crmConnectionResourceModel {
				m := connectionModel(statusDisconnected, reason, false)
				m.Name = types.StringValue("Renamed")
				return m
			}(),
			plan: func() *crmConnectionResourceModel {
				m := connectionModel(statusDisconnected, reason, false)
				m.Name = types.StringValue("Renamed")
				m.Status, m.StatusReason = types.StringUnknown(), types.StringUnknown()
				return &m
			}(),
			wantUnknown: true, wantWarning: "obtain a new refresh token",
		},
		"connected: nothing to do": {
			state: connectionModel(statusConnected, "", false), config: connectionModel(statusConnected, "", false),
			wantStatus: statusConnected,
		},
		"refresh token expired: warn, plan nothing": {
			state: connectionModel(statusDisconnected, reason, false), config: connectionModel(statusDisconnected, reason, false),
			wantStatus: statusDisconnected, wantWarning: "obtain a new refresh token",
		},
		"refresh token expired, new token given: re-authorize": {
			state: connectionModel(statusDisconnected, reason, false),
			config: func() crmConnectionResourceModel {
				m := connectionModel(statusDisconnected, reason, false)
				m.RefreshToken = types.StringValue("new-token")
				return m
			}(),
			wantStatus: statusConnected,
		},
		"JWT disconnected: re-authorize": {
			state: connectionModel(statusDisconnected, "invalid_grant: user is inactive", true), config: connectionModel(statusDisconnected, "", true),
			wantStatus: statusConnected,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			r := NewCRMConnectionResource()
			s := resourceSchema(t, r).Schema
			stateRaw := rawFrom(t, r, &tc.state)
			configRaw := rawFrom(t, r, &tc.config)
			planRaw := configRaw
			if tc.plan != nil {
				planRaw = rawFrom(t, r, tc.plan)
			}
			req := resource.ModifyPlanRequest{
				State:  tfsdk.State{Schema: s, Raw: stateRaw},
				Plan:   tfsdk.Plan{Schema: s, Raw: planRaw},
				Config: tfsdk.Config{Schema: s, Raw: configRaw},
			}
			resp := resource.ModifyPlanResponse{Plan: req.Plan}
			r.(*crmConnectionResource).ModifyPlan(ctx, req, &resp) //nolint:forcetypeassert // NewCRMConnectionResource returns this type
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			var plan crmConnectionResourceModel
			resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
			switch {
			case tc.wantUnknown:
				if !plan.Status.IsUnknown() || !plan.StatusReason.IsUnknown() {
					t.Errorf("planned status, reason = %v, %v; want both unknown", plan.Status, plan.StatusReason)
				}
			case plan.Status.ValueString() != tc.wantStatus:
				t.Errorf("planned status = %q, want %q", plan.Status.ValueString(), tc.wantStatus)
			}
			warnings := resp.Diagnostics.Warnings()
			switch {
			case tc.wantWarning == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings: %v", warnings)
			case tc.wantWarning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Detail(), tc.wantWarning) || !strings.Contains(warnings[0].Detail(), reason)):
				t.Errorf("warnings = %v, want one naming the reason and containing %q", warnings, tc.wantWarning)
			}
			for _, d := range resp.Diagnostics {
				if strings.Contains(d.Detail(), "token\"") || strings.Contains(d.Detail(), "new-token") {
					t.Errorf("diagnostic leaks a credential: %q", d.Detail())
				}
			}
		})
	}
}

func TestCRMConnectionValidateConfigWriteOnlyVersion(t *testing.T) {
	cases := map[string]struct {
		configure   func(m *crmConnectionResourceModel)
		wantWarning string // attribute the warning is on; "" for none
	}{
		"stored refresh token": {configure: func(*crmConnectionResourceModel) {}},
		"write-only refresh token with version": {configure: func(m *crmConnectionResourceModel) {
			m.RefreshToken, m.RefreshTokenWO, m.CredentialsWOVersion = types.StringNull(), types.StringValue("secret-token"), types.Int64Value(1)
		}},
		"write-only refresh token without version": {configure: func(m *crmConnectionResourceModel) {
			m.RefreshToken, m.RefreshTokenWO = types.StringNull(), types.StringValue("secret-token")
		}, wantWarning: "refresh_token_wo"},
		"write-only private key without version": {configure: func(m *crmConnectionResourceModel) {
			m.RefreshToken, m.JWTPrivateKeyWO = types.StringNull(), types.StringValue("-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----")
		}, wantWarning: "jwt_private_key_wo"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			r := &crmConnectionResource{}
			m := connectionModel(statusConnected, "", false)
			tc.configure(&m)
			req := resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: resourceSchema(t, r).Schema, Raw: rawFrom(t, r, &m)}}
			var resp resource.ValidateConfigResponse
			r.ValidateConfig(ctx, req, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			warnings := resp.Diagnostics.Warnings()
			if tc.wantWarning == "" {
				if len(warnings) > 0 {
					t.Errorf("unexpected warnings: %v", warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0].Detail(), "credentials_wo_version") {
				t.Fatalf("warnings = %v, want one asking for credentials_wo_version", warnings)
			}
			if wp, ok := warnings[0].(diag.DiagnosticWithPath); !ok || wp.Path().String() != tc.wantWarning {
				t.Errorf("warning %v is not on %q", warnings[0], tc.wantWarning)
			}
			if strings.Contains(warnings[0].Detail(), "secret") {
				t.Errorf("warning leaks the credential: %q", warnings[0].Detail())
			}
		})
	}
}

// TestCRMConnectionWarnsSyncProblems checks that a connection handing user
// management to a Salesforce group shows the members its last sync could not
// seat as one warning on every plan, and nothing when the sync succeeded.
func TestCRMConnectionWarnsSyncProblems(t *testing.T) {
	ctx := context.Background()
	r := NewCRMConnectionResource()
	s := resourceSchema(t, r).Schema
	report := &client.SyncReport{SyncedAt: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), Created: 3, Problems: []client.SyncProblem{
		{CRMUserID: "0055A0000000005QAA", CRMUsername: "marco.rossi@acme.example", Code: "profile_not_mapped", Detail: "Add a role mapping for the profile \"Marketing User\"."},
		{CRMUserID: "0055A0000000010QAA", CRMUsername: "late@acme.example", Code: "seat_limit_reached", Detail: "No free seat."},
	}}
	for name, tc := range map[string]struct {
		report *client.SyncReport
		want   []string
	}{
		"problems":    {report: report, want: []string{"Sales_Team", "2 members", `"marco.rossi@acme.example" (0055A0000000005QAA)`, "profile_not_mapped", "late@acme.example", "No free seat."}},
		"no problems": {report: &client.SyncReport{SyncedAt: report.SyncedAt, Created: 1, Problems: []client.SyncProblem{}}},
		"no sync yet": {},
	} {
		t.Run(name, func(t *testing.T) {
			m := connectionModel(statusConnected, "", false)
			m.StatusReason = types.StringNull()
			m.UserManagementGroup, m.UserManagementGrpID = types.StringValue("Sales_Team"), types.StringValue("00G5A0000000001QAA")
			m.LastSync = lastSyncValue(tc.report)
			stateRaw := rawFrom(t, r, &m)
			config := m
			config.AuthMethod, config.Status, config.StatusReason = types.StringNull(), types.StringNull(), types.StringNull()
			config.OrganizationID, config.InstanceURL, config.UserManagementGrpID = types.StringNull(), types.StringNull(), types.StringNull()
			config.LastSync = types.ObjectNull(lastSyncAttrTypes)
			req := resource.ModifyPlanRequest{
				State:  tfsdk.State{Schema: s, Raw: stateRaw},
				Plan:   tfsdk.Plan{Schema: s, Raw: stateRaw},
				Config: tfsdk.Config{Schema: s, Raw: rawFrom(t, r, &config)},
			}
			resp := resource.ModifyPlanResponse{Plan: req.Plan}
			r.(*crmConnectionResource).ModifyPlan(ctx, req, &resp) //nolint:forcetypeassert // NewCRMConnectionResource returns this type
			warnings := resp.Diagnostics.Warnings()
			if len(tc.want) == 0 {
				if len(resp.Diagnostics) > 0 {
					t.Errorf("diagnostics %v, want none", resp.Diagnostics)
				}
				return
			}
			if resp.Diagnostics.HasError() || len(warnings) != 1 || warnings[0].Summary() != "Salesforce Group Members Without A Seat" {
				t.Fatalf("diagnostics %v, want one warning", resp.Diagnostics)
			}
			for _, w := range tc.want {
				if !strings.Contains(warnings[0].Detail(), w) {
					t.Errorf("warning lacks %q:\n%s", w, warnings[0].Detail())
				}
			}
		})
	}
}

// TestCRMConnectionWarnsGroupTakeover checks the warning of a plan that
// hands user management to a Salesforce group: it names the connection's
// sales users outside the group (who lose their seats at the first sync)
// and not those in it, and an unknown group fails the plan on the
// attribute.
func TestCRMConnectionWarnsGroupTakeover(t *testing.T) {
	ctx := context.Background()
	data, sb := newSandboxData(t)
	creds := sb.Credentials()
	conn, err := data.client.Connections.Create(ctx, client.ConnectionCreateOptions{
		Name: "Takeover", Environment: environmentSandbox, LoginURL: creds.LoginURL, ServiceUsername: creds.ServiceUsername,
		OAuthClientID: creds.OAuthClientID, JWTPrivateKey: creds.JWTPrivateKeyPEM,
	})
	mustDo(t, "creating a connection", err)
	for _, id := range []string{userJordan, userMarco} {
		_, err := data.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn.ID, CRMUserID: id, Role: "sales"})
		mustDo(t, "importing "+id, err)
	}
	_, err = sb.Org().AddGroup(creds.OrganizationID, sforg.GroupSeed{Name: "Team", DeveloperName: "Team", MemberIDs: []string{userJordan}})
	mustDo(t, "adding a group", err)

	r := &crmConnectionResource{data: data}
	state := crmConnectionResourceModel{ID: types.StringValue(conn.ID), Name: types.StringValue("Takeover"), Status: types.StringValue(statusConnected)}
	var diags diag.Diagnostics
	r.warnGroupTakesOver(ctx, state, "team", &diags)
	w := diags.Warnings()
	if diags.HasError() || len(w) != 1 || !strings.Contains(w[0].Detail(), "1 sales user of this connection is not in the group") ||
		!strings.Contains(w[0].Detail(), usernameMarco) || strings.Contains(w[0].Detail(), usernameJordan) {
		t.Errorf("diagnostics %v", diags)
	}

	diags = nil
	r.warnGroupTakesOver(ctx, state, "No_Such_Group", &diags)
	if errs := diags.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Detail(), `"Team"`) {
		t.Errorf("unknown group: %v, want one error listing the org's groups", diags)
	}
}
