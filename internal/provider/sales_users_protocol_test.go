package provider

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// testRoster returns roster attributes, every one null but those given.
func testRoster(t *testing.T, set map[string]tftypes.Value) rosterAttrs {
	t.Helper()
	attrs := rosterAttrs{}
	for name, typ := range rosterTypes().object.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range set {
		if _, ok := attrs[name]; !ok {
			t.Fatalf("the roster has no attribute %q", name)
		}
		attrs[name] = v
	}
	return attrs
}

// testDynamic encodes roster attributes (nil: the null roster).
func testDynamic(t *testing.T, attrs rosterAttrs) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := encodeRoster(attrs)
	if err != nil {
		t.Fatalf("encodeRoster: %v", err)
	}
	return dv
}

// testMembers is a members map value.
func testMembers(members map[string]map[string]tftypes.Value) tftypes.Value {
	t := rosterTypes()
	elems := map[string]tftypes.Value{}
	for key, set := range members {
		m := map[string]tftypes.Value{}
		for name, typ := range t.member.AttributeTypes {
			m[name] = tftypes.NewValue(typ, nil)
		}
		for name, v := range set {
			m[name] = v
		}
		elems[key] = tftypes.NewValue(t.member, m)
	}
	return tftypes.NewValue(t.members, elems)
}

// diagnosticAt finds the diagnostic whose summary contains summary; it
// reports the attribute path it names.
func diagnosticAt(diags []*tfprotov6.Diagnostic, summary string) (*tfprotov6.Diagnostic, bool) {
	for _, d := range diags {
		if strings.Contains(d.Summary, summary) {
			return d, true
		}
	}
	return nil, false
}

func TestToAttributePath(t *testing.T) {
	cases := map[string]struct {
		in   path.Path
		want *tftypes.AttributePath
	}{
		"empty":    {in: path.Empty(), want: nil},
		"map key":  {in: path.Root("members").AtMapKey("005x").AtName("role"), want: tftypes.NewAttributePath().WithAttributeName("members").WithElementKeyString("005x").WithAttributeName("role")},
		"list":     {in: path.Root("select").AtListIndex(2).AtName("team"), want: tftypes.NewAttributePath().WithAttributeName("select").WithElementKeyInt(2).WithAttributeName("team")},
		"set ends": {in: path.Root("a").AtSetValue(types.StringValue("x")).AtName("b"), want: tftypes.NewAttributePath().WithAttributeName("a")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := toAttributePath(tc.in)
			if (got == nil) != (tc.want == nil) || (got != nil && !got.Equal(tc.want)) {
				t.Errorf("toAttributePath(%s) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestToProtoDiagnostics(t *testing.T) {
	var diags diag.Diagnostics
	diags.AddWarning("W", "warning detail")
	diags.AddAttributeError(path.Root("connection_id"), "E", "error detail")
	got := toProtoDiagnostics(diags)
	if len(got) != 2 {
		t.Fatalf("%d diagnostics, want 2", len(got))
	}
	if got[0].Severity != tfprotov6.DiagnosticSeverityWarning || got[0].Summary != "W" || got[0].Detail != "warning detail" || got[0].Attribute != nil {
		t.Errorf("warning = %+v", got[0])
	}
	if got[1].Severity != tfprotov6.DiagnosticSeverityError || !got[1].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("connection_id")) {
		t.Errorf("error = %+v", got[1])
	}
}

// TestRosterEntryMatchesSchema builds every kind of sales_users entry: a
// key missing from, or added to, the schema panics in tftypes.NewValue.
func TestRosterEntryMatchesSchema(t *testing.T) {
	su := &client.SalesUser{ID: "su_1", CRMUsername: "a@b.example", FirstName: "", LastName: "Lee", Role: "sales", RoleSource: client.RoleSourceProfileMapping, Status: "active", HiddenComponents: []string{}}
	w := &wantMember{crmID: "0055A0000000001QAA", team: "West", hidden: []string{"hot_prospects"}}
	create := rosterOp{item: client.ValidateItem{Action: client.ValidateActionCreate}}
	restore := rosterOp{item: client.ValidateItem{Action: client.ValidateActionRestore}, cur: su}
	verdict := client.ValidationItem{CRMUser: &client.CRMUser{Username: "a@b.example", LastName: "Lee", Active: true}, RoleSource: client.RoleSourceProfileMapping, Role: "sales"}
	entries := map[string]tftypes.Value{
		"live":    rosterEntry(su),
		"updated": updatedEntry(su, w, false).value(),
		"created": newEntry(create, verdict, w, false).value(),
		"restore": newEntry(restore, client.ValidationItem{}, w, true).value(),
	}
	if _, err := encodeRoster(testRoster(t, map[string]tftypes.Value{"sales_users": entriesValue(entries)})); err != nil {
		t.Fatalf("encodeRoster: %v", err)
	}
	attrs := attrsOf(entries["live"])
	if name := attrs["name"]; !name.Equal(tfString("Lee")) {
		t.Errorf("name = %v, want the last name alone when there is no first name", name)
	}
	if team := attrs["team"]; !team.IsNull() {
		t.Errorf("team = %v, want null (absent), never \"\"", team)
	}
	if role := attrsOf(entries["created"])["role"]; !role.Equal(tfString("sales")) {
		t.Errorf("a created member's role = %v, want the mapping's role from the dry run", role)
	}
	if role := attrsOf(entries["restore"])["role"]; role.IsKnown() {
		t.Errorf("a restored member's mapping role = %v, want unknown (read at apply)", role)
	}
}

func TestRosterValidateResourceConfig(t *testing.T) {
	s := &rosterServer{}
	ctx := context.Background()
	sel := func(set map[string]tftypes.Value) tftypes.Value {
		t := rosterTypes()
		b := map[string]tftypes.Value{}
		for name, typ := range t.selectBlock.AttributeTypes {
			b[name] = tftypes.NewValue(typ, nil)
		}
		for name, v := range set {
			b[name] = v
		}
		return tftypes.NewValue(t.selectList, []tftypes.Value{tftypes.NewValue(t.selectBlock, b)})
	}
	cases := map[string]struct {
		config  rosterAttrs
		summary string // "" for none
		at      *tftypes.AttributePath
	}{
		"valid": {config: testRoster(t, map[string]tftypes.Value{
			"connection_id": tfString("conn_1"),
			"members":       testMembers(map[string]map[string]tftypes.Value{"0055A0000000001QAA": {"role": tfString("sales")}}),
		})},
		"unknown values are not validated": {config: testRoster(t, map[string]tftypes.Value{
			"connection_id": tfUnknownString,
			"members":       testMembers(map[string]map[string]tftypes.Value{"0055A0000000001QAA": {"role": tfUnknownString}}),
		})},
		"bad member key": {
			config: testRoster(t, map[string]tftypes.Value{"connection_id": tfString("conn_1"),
				"members": testMembers(map[string]map[string]tftypes.Value{"jordan@acme.example": {}})}),
			summary: "Invalid Salesforce ID", at: tftypes.NewAttributePath().WithAttributeName("members").WithElementKeyString("jordan@acme.example"),
		},
		"bad role": {
			config: testRoster(t, map[string]tftypes.Value{"connection_id": tfString("conn_1"),
				"members": testMembers(map[string]map[string]tftypes.Value{"0055A0000000001QAA": {"role": tfString("boss")}})}),
			summary: "Invalid", at: tftypes.NewAttributePath().WithAttributeName("members").WithElementKeyString("0055A0000000001QAA").WithAttributeName("role"),
		},
		"blank connection": {
			config:  testRoster(t, map[string]tftypes.Value{"connection_id": tfString(" ")}),
			summary: "", at: tftypes.NewAttributePath().WithAttributeName("connection_id"),
		},
		"bad email domain in a select block": {
			config:  testRoster(t, map[string]tftypes.Value{"connection_id": tfString("conn_1"), "select": sel(map[string]tftypes.Value{"email_domain": tfString("@acme.com")})}),
			summary: "", at: tftypes.NewAttributePath().WithAttributeName("select").WithElementKeyInt(0).WithAttributeName("email_domain"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: rosterTypeName, Config: testDynamic(t, tc.config)})
			if err != nil {
				t.Fatal(err)
			}
			if tc.at == nil {
				if len(resp.Diagnostics) > 0 {
					t.Fatalf("diagnostics %+v, want none", resp.Diagnostics[0])
				}
				return
			}
			d, ok := diagnosticAt(resp.Diagnostics, tc.summary)
			if !ok || d.Severity != tfprotov6.DiagnosticSeverityError {
				t.Fatalf("no error %q in %+v", tc.summary, resp.Diagnostics)
			}
			if !d.Attribute.Equal(tc.at) {
				t.Errorf("error at %v, want %v (%s: %s)", d.Attribute, tc.at, d.Summary, d.Detail)
			}
		})
	}
}

func TestRosterUpgradeResourceState(t *testing.T) {
	s := &rosterServer{}
	ctx := context.Background()
	// An entry as an earlier build stored it, with attributes the schema
	// no longer has: they are dropped, the others kept.
	raw := `{"id":"conn_1","connection_id":"conn_1","exclusive":false,"members":null,"select":null,` +
		`"sales_users":{"0055A0000000001QAA":{"sales_user_id":"su_1","crm_username":"a@b.example","first_name":"Al","source":"members","role":"sales"}}}`
	resp, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: rosterTypeName, RawState: &tfprotov6.RawState{JSON: []byte(raw)}})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("UpgradeResourceState: %v %+v", err, resp.Diagnostics)
	}
	_, attrs, err := decodeRoster(resp.UpgradedState)
	if err != nil {
		t.Fatal(err)
	}
	e := attrsOf(mapOf(attrs["sales_users"])["0055A0000000001QAA"])
	if !e["sales_user_id"].Equal(tfString("su_1")) || !e["role"].Equal(tfString("sales")) || !e["name"].IsNull() {
		t.Errorf("entry = %v", e)
	}

	resp, err = s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: rosterTypeName, Version: 3, RawState: &tfprotov6.RawState{JSON: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := diagnosticAt(resp.Diagnostics, "Unsupported Roster State Version"); !ok {
		t.Errorf("a state of an unknown schema version: diagnostics %+v", resp.Diagnostics)
	}
}

// TestRosterPlanWithoutAPI covers the plans that need no API call: a
// destroy, and a roster whose connection is created in the same plan.
func TestRosterPlanWithoutAPI(t *testing.T) {
	s := &rosterServer{} // not configured: any API call would be an error
	ctx := context.Background()
	prior := testRoster(t, map[string]tftypes.Value{"id": tfString("conn_1"), "connection_id": tfString("conn_1"), "exclusive": tfBool(false), "sales_users": entriesValue(nil)})

	t.Run("destroy", func(t *testing.T) {
		resp, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: rosterTypeName, PriorState: testDynamic(t, prior), ProposedNewState: testDynamic(t, nil), Config: testDynamic(t, nil),
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("%v %+v", err, resp.Diagnostics)
		}
		if v, _, _ := decodeRoster(resp.PlannedState); !v.IsNull() {
			t.Errorf("planned %v, want null", v)
		}
	})

	t.Run("connection known after apply", func(t *testing.T) {
		config := testRoster(t, map[string]tftypes.Value{"connection_id": tfUnknownString})
		resp, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: rosterTypeName, PriorState: testDynamic(t, prior), ProposedNewState: testDynamic(t, config), Config: testDynamic(t, config),
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("%v %+v", err, resp.Diagnostics)
		}
		_, planned, err := decodeRoster(resp.PlannedState)
		if err != nil {
			t.Fatal(err)
		}
		if planned["sales_users"].IsKnown() || planned["id"].IsKnown() {
			t.Errorf("sales_users %v, id %v: want both unknown", planned["sales_users"], planned["id"])
		}
		if !planned["exclusive"].Equal(tfBool(false)) {
			t.Errorf("exclusive = %v, want the default false", planned["exclusive"])
		}
		if len(resp.RequiresReplace) != 1 || !resp.RequiresReplace[0].Equal(tftypes.NewAttributePath().WithAttributeName("connection_id")) {
			t.Errorf("requires replace %v, want connection_id", resp.RequiresReplace)
		}
	})

	t.Run("exclusive left out of the configuration is false", func(t *testing.T) {
		exclusivePrior := maps.Clone(prior)
		exclusivePrior["exclusive"] = tfBool(true)
		config := testRoster(t, map[string]tftypes.Value{"connection_id": tfUnknownString})
		// Terraform proposes the prior value of an optional, computed
		// attribute that the configuration leaves out.
		proposed := maps.Clone(config)
		proposed["exclusive"] = tfBool(true)
		resp, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: rosterTypeName, PriorState: testDynamic(t, exclusivePrior), ProposedNewState: testDynamic(t, proposed), Config: testDynamic(t, config),
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("%v %+v", err, resp.Diagnostics)
		}
		_, planned, _ := decodeRoster(resp.PlannedState)
		if !planned["exclusive"].Equal(tfBool(false)) {
			t.Errorf("exclusive = %v, want false: removing exclusive = true from the configuration ends exclusivity", planned["exclusive"])
		}
	})

	t.Run("provider configuration deferred", func(t *testing.T) {
		deferred := &rosterServer{configured: &configuredProvider{}}
		deferred.configured.deferred.Store(true)
		config := testRoster(t, map[string]tftypes.Value{"connection_id": tfString("conn_1")})
		resp, err := deferred.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: rosterTypeName, PriorState: testDynamic(t, prior), ProposedNewState: testDynamic(t, config), Config: testDynamic(t, config),
			ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{DeferralAllowed: true},
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("%v %+v", err, resp.Diagnostics)
		}
		if resp.Deferred == nil || resp.Deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown {
			t.Errorf("deferred = %+v, want provider config unknown", resp.Deferred)
		}
		if _, planned, _ := decodeRoster(resp.PlannedState); planned["sales_users"].IsKnown() {
			t.Errorf("sales_users = %v, want unknown", planned["sales_users"])
		}
		read, err := deferred.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: rosterTypeName, CurrentState: testDynamic(t, prior),
			ClientCapabilities: &tfprotov6.ReadResourceClientCapabilities{DeferralAllowed: true}})
		if err != nil || len(read.Diagnostics) > 0 || read.Deferred == nil {
			t.Errorf("read: %v %+v deferred %+v", err, read.Diagnostics, read.Deferred)
		}
	})

	t.Run("not configured", func(t *testing.T) {
		config := testRoster(t, map[string]tftypes.Value{"connection_id": tfString("conn_1")})
		resp, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: rosterTypeName, PriorState: testDynamic(t, prior), ProposedNewState: testDynamic(t, config), Config: testDynamic(t, config),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := diagnosticAt(resp.Diagnostics, "Provider Not Configured"); !ok {
			t.Errorf("diagnostics %+v, want Provider Not Configured", resp.Diagnostics)
		}
	})
}
