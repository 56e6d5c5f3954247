package provider

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

func TestRestoreVerdict(t *testing.T) {
	holder := func(connectionID, crmUserID, username string) *recycledUser {
		return &recycledUser{ID: "su_old", ConnectionID: connectionID, CRMUserID: crmUserID, CRMUsername: username}
	}
	cases := map[string]struct {
		c    restoreCase
		want restoreVerdict
	}{
		"held by a live sales user": {
			c:    restoreCase{Enabled: true, Holder: holder("conn_1", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreNotApplicable,
		},
		"disabled": {
			c:    restoreCase{Deleted: true, Holder: holder("conn_1", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreDisabled,
		},
		"entry not found": {
			c:    restoreCase{Enabled: true, Deleted: true, CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreEntryMissing,
		},
		"same CRM user, same connection": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_1", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreOK,
		},
		"same CRM user by its 15-character ID": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_1", userJordan[:15], usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreOK,
		},
		"another CRM user had the username": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_1", userPriya, usernameJordan), CRMUserID: userJordan, CRMUsername: usernameJordan, ConnectionID: "conn_1"},
			want: restoreOtherCRMUser,
		},
		"CRM user ID unknown: same username, any case": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_1", userJordan, usernameJordan), CRMUsername: "Jordan.Lee@acme.example", ConnectionID: "conn_1"},
			want: restoreOK,
		},
		"CRM user ID unknown: another username": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_1", userJordan, usernameJordan), CRMUsername: usernamePriya, ConnectionID: "conn_1"},
			want: restoreOtherCRMUser,
		},
		"holder's ID unknown: same username": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_1", "", usernameJordan), CRMUserID: userJordan, CRMUsername: usernameJordan, ConnectionID: "conn_1"},
			want: restoreOK,
		},
		"deleted from another connection that still exists": {
			c: restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_old", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1",
				HolderConnectionExists: true},
			want: restoreOtherConnection,
		},
		"this resource's own, replaced onto a new connection; the old one is gone": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_old", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1", Replaced: true},
			want: restoreOK,
		},
		"another setup's, deleted from a connection that is gone": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("conn_test", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreForeignConnection,
		},
		"deleted with no connection (seeded)": {
			c:    restoreCase{Enabled: true, Deleted: true, Holder: holder("", userJordan, usernameJordan), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreOK,
		},
		"disabled wins over another CRM user": {
			c:    restoreCase{Deleted: true, Holder: holder("conn_1", userPriya, usernamePriya), CRMUserID: userJordan, ConnectionID: "conn_1"},
			want: restoreDisabled,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.c.verdict(); got != tc.want {
				t.Errorf("verdict = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestRestoreTexts(t *testing.T) {
	holder := recycledUser{ID: "su_old", ConnectionID: "conn_old", CRMUserID: userPriya, CRMUsername: usernameJordan, FirstName: "Jordan", LastName: "Lee"}
	if got, want := restoreWarningText(holder, false),
		"Sales user su_old (Jordan Lee, jordan.lee@acme.example) is in the recycle bin and will be restored instead of imported anew; set restore_from_recycle_bin = false to be told instead."; got != want {
		t.Errorf("warning:\n got %q\nwant %q", got, want)
	}
	if got := restoreWarningText(recycledUser{ID: "su_x", CRMUsername: "x@acme.example"}, false); !strings.Contains(got, "su_x (unknown name, x@acme.example)") {
		t.Errorf("warning without a name: %q", got)
	}

	inBin := &client.Error{Code: client.CodeCRMUsernameMapped, CRMUsername: usernameJordan, ConflictingSalesUserID: "su_old", ConflictingUserName: "Jordan Lee", InRecycleBin: true}
	live := &client.Error{Code: client.CodeCRMUsernameMapped, CRMUsername: usernameJordan, ConflictingSalesUserID: "su_old", ConflictingUserName: "Jordan Lee"}
	cases := map[string]struct {
		v        restoreVerdict
		p        *client.Error
		replaced bool
		want     []string
		notWant  string
	}{
		"disabled, in the recycle bin": {
			v: restoreDisabled, p: inBin,
			want: []string{"in the recycle bin", "POST /api/v1/recycle-bin/su_old/restore", "DELETE /api/v1/recycle-bin/su_old",
				"restore_from_recycle_bin = true (the default)", "This resource sets restore_from_recycle_bin = false, so Terraform does not restore it"},
		},
		"disabled, replaced": {
			v: restoreDisabled, p: live, replaced: true,
			want: []string{"This plan replaces sales user su_old", "This resource sets restore_from_recycle_bin = false. Remove that setting"},
		},
		"another CRM user": {
			v: restoreOtherCRMUser, p: inBin,
			want: []string{"restore_from_recycle_bin does not apply here", "belongs to CRM user " + userPriya + ", not to CRM user " + userJordan, "Purge it"},
		},
		"another connection": {
			v: restoreOtherConnection, p: inBin,
			want: []string{"belongs to connection conn_old, which still exists", "not on connection conn_new", "Set connection_id back to conn_old"},
		},
		"entry missing": {v: restoreEntryMissing, p: inBin, want: []string{"could not find sales user su_old in the recycle bin"}},
		"entry missing, replaced": {
			v: restoreEntryMissing, p: live, replaced: true,
			want: []string{"This plan replaces sales user su_old"}, notWant: "could not find",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := restoreRefusalText(tc.v, tc.p, &holder, tc.replaced, userJordan, "conn_new")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("text does not contain %q:\n%s", w, got)
				}
			}
			if tc.notWant != "" && strings.Contains(got, tc.notWant) {
				t.Errorf("text contains %q:\n%s", tc.notWant, got)
			}
		})
	}
}

// fakePrivate holds private state data for replacedFromPrivate.
type fakePrivate map[string][]byte

func (f fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return f[key], nil
}

func TestReplacedFromPrivate(t *testing.T) {
	state := salesUserResourceModel{
		ID: types.StringValue("su_1"), ConnectionID: types.StringValue("conn_1"), CRMUserID: sfidtype.NewIDValue(userJordan),
		CRMUsername: types.StringValue(usernameJordan), FirstName: types.StringValue("Jordan"), LastName: types.StringValue("Lee"),
		RoleSource: types.StringValue(roleSourceExplicit),
	}
	cases := map[string]struct {
		data fakePrivate
		want *recycledUser
	}{
		"recorded by the first plan call": {
			data: fakePrivate{privateKeyReplaces: encodeReplaced(state)},
			want: &recycledUser{ID: "su_1", ConnectionID: "conn_1", CRMUserID: userJordan, CRMUsername: usernameJordan, FirstName: "Jordan", LastName: "Lee", ExplicitRole: true},
		},
		"nothing recorded":  {data: fakePrivate{}},
		"not JSON":          {data: fakePrivate{privateKeyReplaces: []byte("{")}},
		"record without ID": {data: fakePrivate{privateKeyReplaces: []byte(`{"connection_id":"conn_1"}`)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := replacedFromPrivate(context.Background(), tc.data)
			switch {
			case tc.want == nil && got != nil:
				t.Errorf("got %+v, want nil", *got)
			case tc.want != nil && (got == nil || *got != *tc.want):
				t.Errorf("got %+v, want %+v", got, *tc.want)
			}
		})
	}
}

// restoreEnv is a sandbox with a connection, provider data and helpers to
// plan and create sales users directly through the resource.
type restoreEnv struct {
	t    *testing.T
	data *providerData
	sb   *sandbox.Sandbox
	conn string
}

func newRestoreEnv(t *testing.T) *restoreEnv {
	t.Helper()
	data, sb := newSandboxData(t)
	e := &restoreEnv{t: t, data: data, sb: sb}
	e.conn = e.connection("restore")
	return e
}

// connection creates a connection to the fixture's org.
func (e *restoreEnv) connection(name string) string {
	e.t.Helper()
	creds := e.sb.Credentials()
	conn, err := e.data.client.Connections.Create(context.Background(), client.ConnectionCreateOptions{
		Name: name, Environment: environmentSandbox, LoginURL: creds.LoginURL,
		ServiceUsername: creds.ServiceUsername, OAuthClientID: creds.OAuthClientID, JWTPrivateKey: creds.JWTPrivateKeyPEM,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return conn.ID
}

// deleted imports a CRM user on a connection and deletes it again, which
// leaves it in the recycle bin.
func (e *restoreEnv) deleted(connectionID, crmUserID string) *client.SalesUser {
	e.t.Helper()
	ctx := context.Background()
	su, err := e.data.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: connectionID, CRMUserID: crmUserID, Role: "sales"})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.data.client.SalesUsers.Delete(ctx, su.ID); err != nil {
		e.t.Fatal(err)
	}
	return su
}

// createModels returns the configuration and the plan Terraform proposes
// for a new sales user.
func createModels(connectionID, crmUserID, username, role, team string, restore bool) (config, plan salesUserResourceModel) {
	str := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	config = salesUserResourceModel{
		ID: types.StringNull(), ConnectionID: types.StringValue(connectionID), CRMUserID: sfidtype.NewIDNull(), CRMUsername: str(username),
		Role: str(role), RoleSource: types.StringNull(), Team: str(team), HiddenComponents: types.SetNull(types.StringType),
		Email: types.StringNull(), FirstName: types.StringNull(), LastName: types.StringNull(), CRMActive: types.BoolNull(),
		CRMProfileID: types.StringNull(), CRMProfileName: types.StringNull(), Status: types.StringNull(),
		AdoptedExistingUser: types.BoolNull(), PlatformUserID: types.StringNull(), CreatedBy: types.StringNull(),
		RestoreFromRecycleBin: types.BoolValue(restore),
	}
	if crmUserID != "" {
		config.CRMUserID = sfidtype.NewIDValue(crmUserID)
	}
	plan = config
	plan.ID, plan.RoleSource, plan.Email, plan.FirstName, plan.LastName = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	plan.CRMActive, plan.AdoptedExistingUser = types.BoolUnknown(), types.BoolUnknown()
	plan.CRMProfileID, plan.CRMProfileName, plan.Status, plan.PlatformUserID, plan.CreatedBy = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	plan.HiddenComponents = types.SetValueMust(types.StringType, []attr.Value{})
	if crmUserID == "" {
		plan.CRMUserID = sfidtype.NewIDUnknown()
	} else {
		plan.CRMUsername = types.StringUnknown()
	}
	if role == "" {
		plan.Role = types.StringUnknown()
	}
	return config, plan
}

// planCreate runs ModifyPlan for a new sales user.
func (e *restoreEnv) planCreate(config, plan salesUserResourceModel) diag.Diagnostics {
	e.t.Helper()
	r := &salesUserResource{data: e.data}
	s := resourceSchema(e.t, r).Schema
	req := resource.ModifyPlanRequest{
		State:  tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(context.Background()), nil)},
		Plan:   tfsdk.Plan{Schema: s, Raw: rawFrom(e.t, r, &plan)},
		Config: tfsdk.Config{Schema: s, Raw: rawFrom(e.t, r, &config)},
	}
	resp := resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(context.Background(), req, &resp)
	return resp.Diagnostics
}

func TestSalesUserPlanRestore(t *testing.T) {
	ctx := context.Background()
	e := newRestoreEnv(t)
	jordan := e.deleted(e.conn, userJordan)

	// Marco was deleted from a connection that still exists, and is
	// planned on another one.
	other := e.connection("other")
	marco := e.deleted(other, userMarco)

	const warning = "Sales User Will Be Restored"
	cases := map[string]struct {
		crmUserID, username, role, connection string
		restore                               bool
		plannedMapping                        bool // a role mapping for Sales Rep is planned on the connection
		wantWarning                           string
		wantError                             []string
	}{
		"deleted sales user of the CRM user: restored": {
			crmUserID: userJordan, role: "sales", restore: true,
			wantWarning: "Sales user " + jordan.ID + " (Jordan Lee, jordan.lee@acme.example) is in the recycle bin and will be restored instead of imported anew; " +
				"set restore_from_recycle_bin = false to be told instead.",
		},
		"restore off": {
			crmUserID: userJordan, role: "sales", restore: false,
			wantError: []string{"CRM Username Already Mapped", "which was deleted and is in the recycle bin", "This resource sets restore_from_recycle_bin = false"},
		},
		"by username": {
			username: usernameJordan, role: "sales", restore: true, wantWarning: "Sales user " + jordan.ID + " (Jordan Lee",
		},
		"deleted from another connection that still exists": {
			crmUserID: userMarco, role: "marketing", restore: true,
			wantError: []string{"CRM Username Already Mapped", "belongs to connection " + other + ", which still exists", "not on connection " + e.conn},
		},
		"deleted from the connection planned": {
			crmUserID: userMarco, role: "marketing", connection: other, restore: true, wantWarning: "Sales user " + marco.ID,
		},
		"restore needs the mapping its deleted sales user followed": {
			// Jordan was deleted with an explicit role: no mapping needed.
			// The seeded entry of Riley has none, so its restore does.
			username: usernameRiley, role: "sales", restore: true,
			wantError: []string{"Profile Has No Role Mapping", "is restored from the recycle bin with the role it was deleted with"},
		},
		"mapping planned": {
			username: usernameRiley, role: "sales", restore: true, plannedMapping: true,
			wantWarning: "Sales user su_sandboxrileybrooks (Riley Brooks, riley.brooks@acme.example) is in the recycle bin",
		},
		"no role: the dry run itself asks for the mapping": {
			username: usernameRiley, restore: true, wantError: []string{"Profile Has No Role Mapping"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e.data.ledger = newSeatLedger()
			e.data.claims = newSeatClaims() // each case is a plan of its own
			connection := e.conn
			if tc.connection != "" {
				connection = tc.connection
			}
			if tc.plannedMapping {
				e.data.ledger.planMapping(connection, "name:sales rep", "sales")
			}
			config, plan := createModels(connection, tc.crmUserID, tc.username, tc.role, "", tc.restore)
			diags := e.planCreate(config, plan)
			if tc.wantError != nil {
				if diags.ErrorsCount() != 1 {
					t.Fatalf("want one error, got %v", diags)
				}
				d := diags.Errors()[0]
				for _, w := range tc.wantError {
					if !strings.Contains(d.Summary()+": "+d.Detail(), w) {
						t.Errorf("error does not contain %q:\n%s: %s", w, d.Summary(), d.Detail())
					}
				}
				return
			}
			if diags.ErrorsCount() != 0 || diags.WarningsCount() != 1 {
				t.Fatalf("want one warning, got %v", diags)
			}
			if d := diags.Warnings()[0]; d.Summary() != warning || !strings.Contains(d.Detail(), tc.wantWarning) {
				t.Errorf("warning %q: %q does not contain %q", d.Summary(), d.Detail(), tc.wantWarning)
			}
			// A restore takes a seat like an import.
			if check, err := e.data.ledger.reserve(ctx, "probe", "probe", e.data.client.Account.Read); err != nil || check.Planned != 2 {
				t.Errorf("the ledger holds %d reservations before the probe (err %v), want 1", check.Planned-1, err)
			}
		})
	}
}

// TestSalesUserPlanRestoreOtherCRMUser renames Riley's CRM user in
// Salesforce and gives the username riley.brooks@acme.example to a new CRM
// user: the recycle bin entry of the old Riley still holds it, and is not
// restored for the new one.
func TestSalesUserPlanRestoreOtherCRMUser(t *testing.T) {
	ctx := context.Background()
	e := newRestoreEnv(t)
	org := e.sb.Credentials().OrganizationID
	const oldRiley = "0055A0000000009QAA"
	renamed := "riley.old@acme.example"
	_, err := e.sb.UpdateCRMUser(ctx, org, oldRiley, sforg.UserPatch{Username: &renamed})
	mustDo(t, "renaming a CRM user", err)
	newRiley, err := e.sb.AddCRMUser(ctx, org, sforg.UserSeed{
		Username: usernameRiley, Email: "riley.b@acme.example", FirstName: "Riley", LastName: "Brooks", Active: true, ProfileID: profileSalesRep,
	})
	mustDo(t, "adding a CRM user", err)

	for name, byID := range map[string]bool{"by CRM user ID": true, "by username": false} {
		t.Run(name, func(t *testing.T) {
			id, username := newRiley.ID, ""
			if !byID {
				id, username = "", usernameRiley
			}
			config, plan := createModels(e.conn, id, username, "sales", "", true)
			diags := e.planCreate(config, plan)
			if diags.ErrorsCount() != 1 || diags.WarningsCount() != 0 {
				t.Fatalf("want one error, got %v", diags)
			}
			want := "belongs to CRM user " + oldRiley + ", not to CRM user " + newRiley.ID
			if d := diags.Errors()[0]; d.Summary() != "CRM Username Already Mapped" || !strings.Contains(d.Detail(), want) {
				t.Errorf("error %q: %q does not contain %q", d.Summary(), d.Detail(), want)
			}
		})
	}
}

func TestRecycleBinFind(t *testing.T) {
	ctx := context.Background()
	e := newRestoreEnv(t)
	jordan := e.deleted(e.conn, userJordan)
	const listings = "GET /api/v1/recycle-bin"

	cases := map[string]struct {
		bin          func() *recycleBin
		prepare      func(b *recycleBin)
		id           string
		wantFound    bool
		wantListings int
	}{
		"entry of the connection: one listing": {id: jordan.ID, wantFound: true, wantListings: 1},
		"entry without a connection: the whole bin is listed too": {
			id: "su_sandboxrileybrooks", wantFound: true, wantListings: 2,
		},
		"listed before: no request": {
			prepare: func(b *recycleBin) { _, _, _ = b.find(ctx, e.data.client, e.conn, jordan.ID) },
			id:      jordan.ID, wantFound: true,
		},
		"deleted by this process: no request": {
			prepare: func(b *recycleBin) { b.recordDelete(recycledUser{ID: "su_mine", CRMUserID: userPriya}) },
			id:      "su_mine", wantFound: true,
		},
		"missing, nothing written since the listing: no new listing": {
			prepare: func(b *recycleBin) { _, _, _ = b.find(ctx, e.data.client, e.conn, "su_unknown") },
			id:      "su_unknown",
		},
		"missing after a write: listed again": {
			prepare: func(b *recycleBin) {
				_, _, _ = b.find(ctx, e.data.client, e.conn, "su_unknown")
				b.wrote()
			},
			id: "su_unknown", wantListings: 2,
		},
		"no cache": {bin: func() *recycleBin { return nil }, id: jordan.ID, wantFound: true, wantListings: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := newRecycleBin()
			if tc.bin != nil {
				b = tc.bin()
			}
			if tc.prepare != nil {
				tc.prepare(b)
			}
			e.sb.ResetCounters()
			u, found, err := b.find(ctx, e.data.client, e.conn, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if found != tc.wantFound || (found && u.ID != tc.id) {
				t.Errorf("find(%s) = %+v, %t; want found %t", tc.id, u, found, tc.wantFound)
			}
			if n := e.sb.Counters()[listings]; n != tc.wantListings {
				t.Errorf("%d listings, want %d (counters: %v)", n, tc.wantListings, e.sb.Counters())
			}
		})
	}
}

// TestSalesUserRestoreOnCreate runs the apply half: a create that finds the
// CRM username in the recycle bin restores the deleted sales user.
func TestSalesUserRestoreOnCreate(t *testing.T) {
	ctx := context.Background()
	e := newRestoreEnv(t)
	jordan := e.deleted(e.conn, userJordan)
	r := &salesUserResource{data: e.data}

	create := func(config, plan salesUserResourceModel) (*client.SalesUser, diag.Diagnostics) {
		opts := client.SalesUserCreateOptions{ConnectionID: config.ConnectionID.ValueString(), CRMUserID: config.CRMUserID.ValueString(), CRMUsername: config.CRMUsername.ValueString(), Role: config.Role.ValueString()}
		_, err := e.data.client.SalesUsers.Create(ctx, opts)
		var conflict *client.Error
		if !errors.As(err, &conflict) || conflict.Code != client.CodeCRMUsernameMapped || !conflict.InRecycleBin {
			t.Fatalf("create: %v, want crm_username_mapped in the recycle bin", err)
		}
		var diags diag.Diagnostics
		return r.restoreOnCreate(ctx, conflict, err, plan, config, &diags), diags
	}

	t.Run("restored with the configured team and role", func(t *testing.T) {
		config, plan := createModels(e.conn, userJordan, "", "sales_manager", "West", true)
		su, diags := create(config, plan)
		if diags.HasError() || su == nil {
			t.Fatalf("restore failed: %v", diags)
		}
		if su.ID != jordan.ID || su.Team != "West" || su.Role != "sales_manager" || su.RoleSource != roleSourceExplicit || !su.DeletedAt.IsZero() {
			t.Errorf("restored %+v, want %s with team West and role sales_manager", *su, jordan.ID)
		}
	})

	t.Run("own connection deleted, two others to the org: restored on the planned one", func(t *testing.T) {
		// Priya was deleted from a connection that is gone since; the
		// restore names the planned connection rather than leaving the
		// platform to pick one of the connections that reach her org.
		gone := e.connection("gone")
		priya := e.deleted(gone, userPriya)
		mustDo(t, "deleting the connection", e.data.client.Connections.Delete(ctx, gone))
		// It is this resource's own: the apply destroyed it (replacing it
		// onto a new connection) before this create.
		e.data.recycleBin.recordDelete(recycledUser{ID: priya.ID, ConnectionID: gone, CRMUserID: userPriya})
		second := e.connection("second")
		planned := max(e.conn, second) // the platform picks the first connected one by itself
		config, plan := createModels(planned, userPriya, "", "sales_manager", "", true)
		su, diags := create(config, plan)
		if diags.HasError() || su == nil {
			t.Fatalf("restore failed: %v", diags)
		}
		t.Cleanup(func() { _ = e.data.client.SalesUsers.Delete(ctx, su.ID) })
		if su.ID != priya.ID || su.ConnectionID != planned || su.Role != "sales_manager" || !su.DeletedAt.IsZero() {
			t.Errorf("restored %s on %s with role %s, want %s on the planned connection %s with role sales_manager", su.ID, su.ConnectionID, su.Role, priya.ID, planned)
		}
	})

	t.Run("restore fails: both causes named", func(t *testing.T) {
		marco := e.deleted(e.conn, userMarco)
		_, err := e.sb.Platform().SetSeatLimit(1) // Jordan holds the only seat
		mustDo(t, "lowering the seat limit", err)
		config, plan := createModels(e.conn, userMarco, "", "marketing", "", true)
		su, diags := create(config, plan)
		if su != nil || diags.ErrorsCount() != 1 {
			t.Fatalf("want no sales user and one error, got %v, %v", su, diags)
		}
		d := diags.Errors()[0]
		for _, w := range []string{"held by sales user " + marco.ID, "restoring that sales user (restore_from_recycle_bin = true) failed", "seat", "Original error:"} {
			if !strings.Contains(d.Detail(), w) {
				t.Errorf("error does not contain %q:\n%s", w, d.Detail())
			}
		}
	})
}
