package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sandboxtest"
)

// TestSalesUserFastPath checks the no-op fast path against the framework's
// Read and ModifyPlan: it answers only when they would change nothing, and
// declines (leaving the framework to answer) whenever the sales user or the
// configuration differs from the state.
func TestSalesUserFastPath(t *testing.T) {
	ctx := context.Background()
	o := sandboxtest.StartLargeOrg(t, 20, 3)
	bo := &benchOrg{o}
	var sus []*client.SalesUser
	for su, err := range bo.providerDataT(t).client.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: o.ConnectionID}) {
		if err != nil {
			t.Fatal(err)
		}
		sus = append(sus, su)
	}
	su := sus[0]
	var sr resource.SchemaResponse
	(&salesUserResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := salesUserObjectType()
	encode := func(m salesUserResourceModel) *tfprotov6.DynamicValue {
		st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
		if d := st.Set(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		dv, err := tfprotov6.NewDynamicValue(typ, st.Raw)
		if err != nil {
			t.Fatal(err)
		}
		return &dv
	}
	var state salesUserResourceModel
	if d := state.fromAPI(ctx, su); d.HasError() {
		t.Fatal(d)
	}
	state.RestoreFromRecycleBin, state.PurgeOnDestroy = types.BoolValue(true), types.BoolValue(false)
	config := salesUserConfigModel(state.ConnectionID, state.CRMUserID, types.StringNull())
	fast := func() *salesUserFast {
		p := &configuredProvider{}
		p.data.Store(bo.providerDataT(t))
		return &salesUserFast{configured: p}
	}

	t.Run("read: unchanged sales user answered", func(t *testing.T) {
		if _, ok := fast().read(ctx, &tfprotov6.ReadResourceRequest{TypeName: salesUserTypeName, CurrentState: encode(state)}); !ok {
			t.Error("the fast path declined a refresh that changes nothing")
		}
	})
	t.Run("read: changed or defaulted state declined", func(t *testing.T) {
		for name, mutate := range map[string]func(*salesUserResourceModel){
			"team":           func(m *salesUserResourceModel) { m.Team = types.StringValue("Elsewhere") },
			"email":          func(m *salesUserResourceModel) { m.Email = types.StringValue("old@acme.example") },
			"effective role": func(m *salesUserResourceModel) { m.EffectiveRole = types.StringValue("administrator") },
			"no default":     func(m *salesUserResourceModel) { m.PurgeOnDestroy = types.BoolNull() },
		} {
			m := state
			mutate(&m)
			if _, ok := fast().read(ctx, &tfprotov6.ReadResourceRequest{TypeName: salesUserTypeName, CurrentState: encode(m)}); ok {
				t.Errorf("%s: the fast path answered a refresh that changes the state", name)
			}
		}
	})
	t.Run("plan: no change answered with the prior state", func(t *testing.T) {
		prior := encode(state)
		resp, ok := fast().plan(&tfprotov6.PlanResourceChangeRequest{TypeName: salesUserTypeName, PriorState: prior, ProposedNewState: prior, Config: encode(config)})
		if !ok || resp.PlannedState != prior || len(resp.Diagnostics) > 0 {
			t.Errorf("ok = %t, diagnostics %v: want the prior state planned", ok, resp)
		}
	})
	t.Run("plan: the private data tells a create half what it replaces (terraform plan -replace)", func(t *testing.T) {
		prior := encode(state)
		resp, ok := fast().plan(&tfprotov6.PlanResourceChangeRequest{TypeName: salesUserTypeName, PriorState: prior, ProposedNewState: prior, Config: encode(config)})
		if !ok {
			t.Fatal("declined")
		}
		// Decoded the way the framework decodes private state.
		var m map[string][]byte
		if err := json.Unmarshal(resp.PlannedPrivate, &m); err != nil {
			t.Fatalf("private data %q: %v", resp.PlannedPrivate, err)
		}
		replaced := replacedFromPrivate(ctx, privateMap(m))
		if replaced == nil || replaced.ID != su.ID || normalizedID(replaced.CRMUserID) != normalizedID(su.CRMUserID) {
			t.Errorf("the create half reads %+v, want sales user %s", replaced, su.ID)
		}
		// And its claim is the same instance's: no "declared twice".
		f := fast()
		if resp, _ := f.plan(&tfprotov6.PlanResourceChangeRequest{TypeName: salesUserTypeName, PriorState: prior, ProposedNewState: prior, Config: encode(config)}); len(resp.Diagnostics) > 0 {
			t.Fatal(resp.Diagnostics)
		}
		if got := f.configured.data.Load().claims.claimAs(su.ID, su.ConnectionID, "the create half", false, []string{normalizedID(su.CRMUserID)}); len(got) > 0 {
			t.Errorf("the create half of a replacement conflicts with its own first half: %v", got)
		}
	})
	t.Run("plan: any asked change declined", func(t *testing.T) {
		for name, mutate := range map[string]func(*salesUserResourceModel){
			"role":   func(m *salesUserResourceModel) { m.Role = types.StringValue("administrator") },
			"team":   func(m *salesUserResourceModel) { m.Team = types.StringValue("West") },
			"hidden": func(m *salesUserResourceModel) { m.HiddenComponents = types.SetValueMust(types.StringType, nil) },
			"purge":  func(m *salesUserResourceModel) { m.PurgeOnDestroy = types.BoolValue(true) },
			"another user": func(m *salesUserResourceModel) {
				m.CRMUserID = state.CRMUserID
				m.CRMUsername = types.StringValue("someone@acme.example")
			},
			"15-character key": func(m *salesUserResourceModel) { m.CRMUserID = sfidtype.NewIDValue(state.CRMUserID.ValueString()[:15]) },
		} {
			c := config
			mutate(&c)
			prior := encode(state)
			if name == "hidden" {
				// An explicit empty set is the default: no change.
				if _, ok := fast().plan(&tfprotov6.PlanResourceChangeRequest{TypeName: salesUserTypeName, PriorState: prior, ProposedNewState: prior, Config: encode(c)}); !ok {
					t.Errorf("%s: declined", name)
				}
				continue
			}
			if _, ok := fast().plan(&tfprotov6.PlanResourceChangeRequest{TypeName: salesUserTypeName, PriorState: prior, ProposedNewState: prior, Config: encode(c)}); ok {
				t.Errorf("%s: the fast path answered a plan that asks for a change", name)
			}
		}
	})
	t.Run("plan: a planned mapping of the profile declined", func(t *testing.T) {
		f := fast()
		f.configured.data.Load().ledger.planMapping(su.ConnectionID, "id:"+normalizedID(su.CRMProfileID), "administrator")
		prior := encode(state)
		if _, ok := f.plan(&tfprotov6.PlanResourceChangeRequest{TypeName: salesUserTypeName, PriorState: prior, ProposedNewState: prior, Config: encode(config)}); ok {
			t.Error("the fast path answered although a mapping of the profile changes the effective role")
		}
	})
}

// privateMap serves GetKey from decoded private data.
type privateMap map[string][]byte

func (p privateMap) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

// TestMappingRoleChangeWarnsFollowers: a plan that changes a mapping's role
// says how many sales users follow it, by name.
func TestMappingRoleChangeWarnsFollowers(t *testing.T) {
	ctx := context.Background()
	o := &benchOrg{sandboxtest.StartLargeOrg(t, 20, 4)}
	data := o.providerDataT(t)
	var profileID, profileName string
	followers := 0
	for su, err := range data.client.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: o.ConnectionID}) {
		if err != nil {
			t.Fatal(err)
		}
		if profileID == "" {
			profileID, profileName = su.CRMProfileID, su.CRMProfileName
		}
		if su.CRMProfileID == profileID && su.RoleSource == client.RoleSourceProfileMapping {
			followers++
		}
	}
	r := &profileRoleMappingResource{data: data}
	state := profileRoleMappingResourceModel{
		ConnectionID: types.StringValue(o.ConnectionID), CRMProfileID: sfidtype.NewIDValue(profileID),
		CRMProfileName: types.StringValue(profileName), Role: types.StringValue("sales"),
	}
	plan := state
	plan.Role = types.StringValue("marketing")
	var diags diag.Diagnostics
	r.warnFollowers(ctx, state, plan, &diags)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || !strings.Contains(diags[0].Detail(), fmt.Sprintf("%d sales user(s)", followers)) ||
		!strings.Contains(diags[0].Detail(), `from "sales" to "marketing"`) {
		t.Errorf("want one warning counting %d followers, got %v", followers, diags)
	}
}

// TestPlanTimeChecksSkippedOnce: an API client that may not run dry runs
// gets one warning per plan, not one per sales user.
func TestPlanTimeChecksSkippedOnce(t *testing.T) {
	data := &providerData{ledger: newSeatLedger(), salesUsers: newSalesUserCache()}
	data.dryRunsOnce.Do(func() {
		data.dryRuns = newDryRunBatcher(func(context.Context, client.ValidateOptions) (*client.ValidationResult, error) {
			return nil, &client.Error{Status: 403, Code: client.CodeInsufficientScope}
		})
	})
	r := &salesUserResource{data: data}
	var diags diag.Diagnostics
	for _, u := range []string{"a", "b", "c"} {
		config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue(u + "@acme.example")}
		if _, ok := r.dryRun(context.Background(), client.ValidateItem{CRMUsername: u + "@acme.example"}, config, &diags); ok {
			t.Fatal("the dry run passed")
		}
	}
	if len(diags) != 1 || diags[0].Summary() != "Plan-Time Checks Skipped" || !strings.Contains(diags[0].Detail(), "Still checked in this plan: free seats") {
		t.Errorf("want one Plan-Time Checks Skipped warning saying what is still checked, got %v", diags)
	}
}
