package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

func TestSalesUserImportStateIDFormats(t *testing.T) {
	ctx := context.Background()
	r := &salesUserResource{}
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)

	cases := map[string]struct {
		id        string
		wantID    string
		wantError string
	}{
		"sales user id":            {id: "su_123", wantID: "su_123"},
		"padded id":                {id: " su_123 ", wantID: "su_123"},
		"empty":                    {id: "  ", wantError: "The import ID is empty"},
		"username prefix":          {id: "username:", wantError: `has no username after "username:"`},
		"bare username":            {id: "jane@acme.example", wantError: `neither a sales user ID nor of the form "username:<CRM username>". To import by CRM username, use "username:jane@acme.example".`},
		"other prefix":             {id: "email:jane@acme.example", wantError: "neither a sales user ID"},
		"unconfigured by username": {id: "username:jane@acme.example", wantError: "Provider Not Configured"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := resource.ImportStateResponse{State: tfsdk.State{
				Schema: sresp.Schema,
				Raw:    tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil),
			}}
			r.ImportState(ctx, resource.ImportStateRequest{ID: tc.id}, &resp)
			if tc.wantError != "" {
				if !resp.Diagnostics.HasError() {
					t.Fatal("want an error")
				}
				d := resp.Diagnostics.Errors()[0]
				if !strings.Contains(d.Summary()+": "+d.Detail(), tc.wantError) {
					t.Errorf("error %q: %q does not contain %q", d.Summary(), d.Detail(), tc.wantError)
				}
				if d.Summary() == "Invalid Import ID" && (!strings.Contains(d.Detail(), "su_123") || !strings.Contains(d.Detail(), "username:jane@acme.com")) {
					t.Errorf("detail %q should name both accepted formats", d.Detail())
				}
				return
			}
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected error: %v", resp.Diagnostics)
			}
			var id types.String
			resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("id"), &id)...)
			if id.ValueString() != tc.wantID {
				t.Errorf("id = %q, want %q", id.ValueString(), tc.wantID)
			}
		})
	}
}

func TestSalesUserUpdateOptions(t *testing.T) {
	hidden := func(v ...string) types.Set {
		elems := make([]attr.Value, len(v))
		for i, s := range v {
			elems[i] = types.StringValue(s)
		}
		return types.SetValueMust(types.StringType, elems)
	}
	state := salesUserResourceModel{
		Role: types.StringValue("sales"), RoleSource: types.StringValue(roleSourceExplicit),
		Team: types.StringValue("West"), HiddenComponents: hidden("hot_prospects"),
		CRMUserID: sfidtype.NewIDValue("0055A0000000003QAA"),
	}
	mapped := state
	mapped.Role, mapped.RoleSource = types.StringValue("marketing"), types.StringValue(roleSourceProfileMapping)

	cases := map[string]struct {
		state         salesUserResourceModel
		configRole    types.String
		planTeam      types.String
		planHidden    types.Set
		wantRole      *string
		wantTeam      *string
		wantHidden    []string
		wantHiddenSet bool
	}{
		"nothing changes": {state: state, configRole: types.StringValue("sales"), planTeam: types.StringValue("West"), planHidden: hidden("hot_prospects")},
		"new role":        {state: state, configRole: types.StringValue("marketing"), planTeam: types.StringValue("West"), planHidden: hidden("hot_prospects"), wantRole: ptr("marketing")},
		"role removed: follow the mapping": {
			state: state, configRole: types.StringNull(), planTeam: types.StringValue("West"), planHidden: hidden("hot_prospects"), wantRole: ptr(""),
		},
		"mapped role made explicit with the same value": {
			state: mapped, configRole: types.StringValue("marketing"), planTeam: types.StringValue("West"), planHidden: hidden("hot_prospects"), wantRole: ptr("marketing"),
		},
		"mapped role stays mapped": {state: mapped, configRole: types.StringNull(), planTeam: types.StringValue("West"), planHidden: hidden("hot_prospects")},
		"team cleared":             {state: state, configRole: types.StringValue("sales"), planTeam: types.StringNull(), planHidden: hidden("hot_prospects"), wantTeam: ptr("")},
		"hidden changed": {
			state: state, configRole: types.StringValue("sales"), planTeam: types.StringValue("West"), planHidden: hidden("sent_messages", "activity_history"),
			wantHidden: []string{"activity_history", "sent_messages"}, wantHiddenSet: true,
		},
		"hidden cleared": {
			state: state, configRole: types.StringValue("sales"), planTeam: types.StringValue("West"), planHidden: hidden(),
			wantHidden: []string{}, wantHiddenSet: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			config := tc.state
			config.Role, config.Team, config.HiddenComponents = tc.configRole, tc.planTeam, tc.planHidden
			plan := config
			got := updateOptions(plan, config, tc.state)
			if !equalPtr(got.Role, tc.wantRole) || !equalPtr(got.Team, tc.wantTeam) {
				t.Errorf("role, team = %v, %v; want %v, %v", deref(got.Role), deref(got.Team), deref(tc.wantRole), deref(tc.wantTeam))
			}
			if (got.HiddenComponents != nil) != tc.wantHiddenSet ||
				(got.HiddenComponents != nil && strings.Join(*got.HiddenComponents, ",") != strings.Join(tc.wantHidden, ",")) {
				t.Errorf("hidden = %v, want %v (set: %t)", got.HiddenComponents, tc.wantHidden, tc.wantHiddenSet)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func equalPtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
