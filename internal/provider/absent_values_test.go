package provider

import (
	"context"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// emptyStrings returns the paths of the "" strings in v.
func emptyStrings(t *testing.T, v tftypes.Value) []string {
	t.Helper()
	var found []string
	err := tftypes.Walk(v, func(p *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		if v.Type().Is(tftypes.String) && v.IsKnown() && !v.IsNull() {
			var s string
			if err := v.As(&s); err != nil {
				return false, err
			}
			if s == "" {
				found = append(found, p.String())
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestAbsentValuesAreNull converts API objects that have no value for
// anything optional (only their IDs) into the state of every resource and
// data source, and fails on any "" in it: an absent value is null, so that
// `u.sales_user_id == null` selects what it reads as.
func TestAbsentValuesAreNull(t *testing.T) {
	ctx := context.Background()
	su := &client.SalesUser{ID: "su_1", ConnectionID: "conn_1", CRMUserID: "005000000000001AAA"}
	crmUser := &client.CRMUser{ID: "005000000000001AAA"}
	// Each entry builds the state the way the provider does, from blank API
	// objects; a resource or data source missing here fails the test.
	states := map[string]func(t *testing.T) any{
		"salesseat_crm_connection": func(t *testing.T) any {
			var m crmConnectionResourceModel
			m.fromAPI(&client.Connection{ID: "conn_1"})
			return &m
		},
		"salesseat_profile_role_mapping": func(t *testing.T) any {
			var m profileRoleMappingResourceModel
			m.fromAPI(&client.RoleMapping{ID: "rm_1", ConnectionID: "conn_1", CRMProfileID: "00e000000000001AAA"})
			return &m
		},
		"salesseat_sales_user": func(t *testing.T) any {
			var m salesUserResourceModel
			if diags := m.fromAPI(ctx, su); diags.HasError() {
				t.Fatal(diags)
			}
			return &m
		},
		"salesseat_sales_users": func(t *testing.T) any {
			// The entry of a sales user read from the API, and the
			// entry the plan of a create makes from the CRM user.
			created := newEntry(rosterOp{item: client.ValidateItem{Action: client.ValidateActionCreate}},
				client.ValidationItem{CRMUser: crmUser}, &wantMember{}, false)
			return []tftypes.Value{rosterEntry(su), created.value()}
		},
		"salesseat_crm_users": func(t *testing.T) any {
			var m crmUsersDataSourceModel
			users, diags := types.ListValue(types.ObjectType{AttrTypes: crmUserAttrTypes}, []attr.Value{crmUserValue(crmUser)})
			if diags.HasError() {
				t.Fatal(diags)
			}
			m.Users = users
			return &m
		},
		"salesseat_crm_profiles": func(t *testing.T) any {
			return &crmProfilesDataSourceModel{Profiles: []crmProfileModel{crmProfileModelOf(&client.CRMProfile{ID: "00e000000000001AAA"})}}
		},
		"salesseat_seat_report": func(t *testing.T) any {
			m := seatReportModel(&client.SeatReport{
				ByConnection: []client.SeatsByConnection{{ConnectionID: "conn_1"}},
				ByRole:       []client.SeatCount{{Key: ""}}, ByTeam: []client.SeatCount{{Key: ""}},
				Wasted: []client.WastedSeat{{Reason: client.WasteCRMUserInactive}},
			})
			return &m
		},
		"salesseat_account": func(t *testing.T) any {
			m := accountModel(&client.Account{ID: "acc_1"})
			return &m
		},
		"salesseat_roles": func(t *testing.T) any {
			return &rolesDataSourceModel{Roles: []roleModel{roleModelOf(client.Role{Name: "sales"})}}
		},
	}

	p := New("test")()
	var names []string
	check := func(name string, s tfsdk.State) {
		t.Run(name, func(t *testing.T) {
			build, ok := states[name]
			if !ok {
				t.Fatalf("%s has no entry in this test: add how its state is built from a blank API object", name)
			}
			var raw []tftypes.Value
			switch v := build(t).(type) {
			case []tftypes.Value:
				raw = v
			default:
				if diags := s.Set(ctx, v); diags.HasError() {
					t.Fatal(diags)
				}
				raw = []tftypes.Value{s.Raw}
			}
			for _, r := range raw {
				if found := emptyStrings(t, r); len(found) > 0 {
					t.Errorf("%s has \"\" where the API has no value (should be null): %v", name, found)
				}
			}
		})
	}
	for _, f := range p.Resources(ctx) {
		r := f()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "salesseat"}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		names = append(names, md.TypeName)
		check(md.TypeName, tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)})
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var md datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "salesseat"}, &md)
		var sr datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &sr)
		names = append(names, md.TypeName)
		check(md.TypeName, tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)})
	}
	sort.Strings(names)
	if len(names) != len(states) {
		t.Errorf("this test builds %d states, the provider has %d resources and data sources: %v", len(states), len(names), names)
	}
}
