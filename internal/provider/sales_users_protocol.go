package provider

// The salesseat_sales_users RPCs, served on terraform-plugin-go.
//
// A roster of 10,000 members is one resource of over 100,000 values.
// terraform-plugin-framework (v1.19.0) walks every value of a resource
// several times per RPC (conversion to its own values, write-only and
// collection-block nullification, computed-value marking, nested attribute
// plan modifiers and validators), each step with a schema lookup per value
// that rebuilds nested object types: measured, about 10 s of provider CPU
// for the no-op plan of a 2,000-member roster and 100 s at 10,000, more than
// ten times what Terraform itself spends. So the roster's resource RPCs
// decode the protocol's values (tftypes) once, work on plain Go values, and
// encode the result once. The framework still declares the roster's schema
// (for GetProviderSchema and the docs) and its validators, which
// ValidateResourceConfig calls here; see protocolServer in server.go.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// rosterTypeName is the roster's resource type.
const rosterTypeName = "salesseat_sales_users"

// rosterServer serves the roster's resource RPCs. configured holds the
// provider data once the framework has configured the provider.
type rosterServer struct {
	configured *configuredProvider
}

// deferred is the answer for an RPC while the provider's configuration is
// deferred, as the framework answers for its resources; nil otherwise.
func (s *rosterServer) deferred(allowed bool) *tfprotov6.Deferred {
	if !allowed || s.configured == nil || !s.configured.deferred.Load() {
		return nil
	}
	return &tfprotov6.Deferred{Reason: tfprotov6.DeferredReasonProviderConfigUnknown}
}

// resource returns the roster resource with the provider data, and an
// error diagnostic while the provider is not configured.
func (s *rosterServer) resource(diags *diag.Diagnostics) *salesUsersResource {
	var data *providerData
	if s.configured != nil {
		data = s.configured.data.Load()
	}
	if data == nil {
		notConfigured(diags)
		return nil
	}
	return &salesUsersResource{data: data}
}

// rosterTypeSet holds the roster's schema and its tftypes, taken from the
// framework schema once.
type rosterTypeSet struct {
	schema      schema.Schema
	object      tftypes.Object
	members     tftypes.Map
	member      tftypes.Object
	salesUsers  tftypes.Map
	entry       tftypes.Object
	selectList  tftypes.List
	selectBlock tftypes.Object
}

// rosterTypes returns the roster's schema and types.
var rosterTypes = sync.OnceValue(func() rosterTypeSet {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&salesUsersResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	t := rosterTypeSet{schema: resp.Schema}
	t.object = mustType[tftypes.Object](resp.Schema.Type().TerraformType(ctx))
	t.members = mustType[tftypes.Map](t.object.AttributeTypes["members"])
	t.member = mustType[tftypes.Object](t.members.ElementType)
	t.salesUsers = mustType[tftypes.Map](t.object.AttributeTypes["sales_users"])
	t.entry = mustType[tftypes.Object](t.salesUsers.ElementType)
	t.selectList = mustType[tftypes.List](t.object.AttributeTypes["select"])
	t.selectBlock = mustType[tftypes.Object](t.selectList.ElementType)
	return t
})

// mustType asserts a type of the roster's schema; the schema is fixed, so a
// mismatch is a bug that the unit tests catch.
func mustType[T tftypes.Type](t tftypes.Type) T {
	v, ok := t.(T)
	if !ok {
		panic(fmt.Sprintf("roster schema: unexpected type %s", t))
	}
	return v
}

// rosterAttrs are the attributes of a roster value.
type rosterAttrs map[string]tftypes.Value

// decodeRoster decodes a roster value: nil when it is null (or absent).
func decodeRoster(dv *tfprotov6.DynamicValue) (tftypes.Value, rosterAttrs, error) {
	t := rosterTypes().object
	if dv == nil {
		return tftypes.NewValue(t, nil), nil, nil
	}
	v, err := dv.Unmarshal(t)
	if err != nil {
		return v, nil, err
	}
	if v.IsNull() || !v.IsKnown() {
		return v, nil, nil
	}
	var attrs rosterAttrs
	if err := v.As((*map[string]tftypes.Value)(&attrs)); err != nil {
		return v, nil, err
	}
	return v, attrs, nil
}

// encodeRoster encodes roster attributes; nil is the null roster.
func encodeRoster(attrs rosterAttrs) (*tfprotov6.DynamicValue, error) {
	t := rosterTypes().object
	v := tftypes.NewValue(t, nil)
	if attrs != nil {
		if err := tftypes.ValidateValue(t, map[string]tftypes.Value(attrs)); err != nil {
			return nil, err
		}
		v = tftypes.NewValue(t, map[string]tftypes.Value(attrs))
	}
	dv, err := tfprotov6.NewDynamicValue(t, v)
	return &dv, err
}

// valueError is the diagnostic for a value the provider could not decode
// or encode, which only a provider bug (or a Terraform it does not know)
// can cause.
func valueError(diags *diag.Diagnostics, what string, err error) {
	diags.AddError("Unexpected Roster Value", fmt.Sprintf("Could not %s of the salesseat_sales_users roster: %s. %s", what, err, reportBug))
}

// ValidateResourceConfig runs the validators the roster's schema declares,
// value by value.
func (s *rosterServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	var diags diag.Diagnostics
	_, attrs, err := decodeRoster(req.Config)
	if err != nil {
		valueError(&diags, "decode the configuration", err)
	} else if attrs != nil {
		validateRoster(ctx, attrs, &diags)
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: toProtoDiagnostics(diags)}, nil
}

// UpgradeResourceState decodes the stored state. The roster is at schema
// version 0; attributes that earlier builds stored and the schema no longer
// has are dropped.
func (s *rosterServer) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	var diags diag.Diagnostics
	resp := &tfprotov6.UpgradeResourceStateResponse{}
	t := rosterTypes().object
	if req.Version != 0 {
		diags.AddError("Unsupported Roster State Version", fmt.Sprintf(
			"The state of this salesseat_sales_users roster was written at schema version %d, which this provider version does not know; it knows 0. "+
				"Use the provider version that wrote the state, or a newer one.", req.Version))
		resp.Diagnostics = toProtoDiagnostics(diags)
		return resp, nil
	}
	if req.RawState == nil {
		return resp, nil
	}
	v, err := req.RawState.UnmarshalWithOpts(t, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if attrs := attrsOf(v); err == nil && attrs != nil && attrs["purge_on_destroy"].IsNull() {
		// Stored before the attribute existed: its default.
		attrs["purge_on_destroy"] = tfBool(false)
		v = tftypes.NewValue(t, attrs)
	}
	if err == nil {
		var dv tfprotov6.DynamicValue
		dv, err = tfprotov6.NewDynamicValue(t, v)
		resp.UpgradedState = &dv
	}
	if err != nil {
		valueError(&diags, "read the stored state", err)
	}
	resp.Diagnostics = toProtoDiagnostics(diags)
	return resp, nil
}

// ReadResource refreshes sales_users; see salesUsersResource.refresh.
func (s *rosterServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	var diags diag.Diagnostics
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}
	if resp.Deferred = s.deferred(req.ClientCapabilities != nil && req.ClientCapabilities.DeferralAllowed); resp.Deferred != nil {
		return resp, nil
	}
	_, state, err := decodeRoster(req.CurrentState)
	if err != nil {
		valueError(&diags, "decode the state", err)
	}
	if r := s.resource(&diags); r != nil && state != nil && !diags.HasError() {
		if r.refresh(ctx, state, &diags) {
			resp.NewState, err = encodeRoster(state)
		} else {
			resp.NewState, err = encodeRoster(nil)
		}
		if err != nil {
			valueError(&diags, "encode the state", err)
		}
	}
	resp.Diagnostics = toProtoDiagnostics(diags)
	return resp, nil
}

// PlanResourceChange plans the roster; see salesUsersResource.plan.
func (s *rosterServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	var diags diag.Diagnostics
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}
	_, proposed, err := decodeRoster(req.ProposedNewState)
	var prior, configAttrs rosterAttrs
	var config tftypes.Value
	if err == nil {
		_, prior, err = decodeRoster(req.PriorState)
	}
	if err == nil {
		config, configAttrs, err = decodeRoster(req.Config)
	}
	if err != nil {
		valueError(&diags, "decode the plan", err)
		resp.Diagnostics = toProtoDiagnostics(diags)
		return resp, nil
	}
	if proposed == nil {
		// Destroy: no plan-time checks, but the removal guard counts the
		// members that lose their seats.
		if removed := rosterRemovals(prior, "its roster is destroyed"); len(removed) > 0 {
			if r := s.resource(&diags); r != nil {
				r.data.removals.remove(ctx, removed, &diags)
			}
		}
		resp.Diagnostics = toProtoDiagnostics(diags)
		return resp, nil
	}
	planned := maps.Clone(proposed)
	if configAttrs == nil || configAttrs["exclusive"].IsNull() {
		// The default, when the configuration leaves it out: Terraform
		// proposes the prior value then, which would keep a roster that
		// was exclusive exclusive after the line is deleted.
		planned["exclusive"] = tfBool(false)
	}
	if configAttrs == nil || configAttrs["purge_on_destroy"].IsNull() {
		planned["purge_on_destroy"] = tfBool(false) // the default, as for exclusive
	}
	conn := planned["connection_id"]
	if prior != nil && !prior["connection_id"].Equal(conn) {
		resp.RequiresReplace = []*tftypes.AttributePath{tftypes.NewAttributePath().WithAttributeName("connection_id")}
		// The replacement removes every member from the old connection.
		if removed := rosterRemovals(prior, "its roster moves to another connection"); len(removed) > 0 {
			if r := s.resource(&diags); r != nil {
				r.data.removals.remove(ctx, removed, &diags)
			}
		}
	}
	planned["id"] = conn
	planned["sales_users"] = tftypes.NewValue(rosterTypes().salesUsers, tftypes.UnknownValue)
	// A value known only at apply anywhere in the configuration (the ID of
	// a connection created in this plan, a team from another resource, a
	// profile ID from a data source read at apply) would resolve to other
	// members at apply: resolve nothing now; the apply resolves the roster.
	resp.Deferred = s.deferred(req.ClientCapabilities != nil && req.ClientCapabilities.DeferralAllowed)
	if conn.IsKnown() && config.IsFullyKnown() && resp.Deferred == nil {
		if r := s.resource(&diags); r != nil {
			if entries, ok := r.plan(ctx, planned, prior, &diags); ok {
				planned["sales_users"] = entries
			}
		}
	}
	if !diags.HasError() {
		if resp.PlannedState, err = encodeRoster(planned); err != nil {
			valueError(&diags, "encode the plan", err)
		}
	}
	resp.Diagnostics = toProtoDiagnostics(diags)
	return resp, nil
}

// ApplyResourceChange creates, updates or deletes the roster; see
// salesUsersResource.apply and remove.
func (s *rosterServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	var diags diag.Diagnostics
	resp := &tfprotov6.ApplyResourceChangeResponse{NewState: req.PriorState, Private: req.PlannedPrivate}
	_, planned, err := decodeRoster(req.PlannedState)
	var prior rosterAttrs
	if err == nil {
		_, prior, err = decodeRoster(req.PriorState)
	}
	if err != nil {
		valueError(&diags, "decode the planned change", err)
		resp.Diagnostics = toProtoDiagnostics(diags)
		return resp, nil
	}
	r := s.resource(&diags)
	if r == nil {
		resp.Diagnostics = toProtoDiagnostics(diags)
		return resp, nil
	}
	var out rosterAttrs
	if planned == nil {
		out = r.remove(ctx, prior, &diags)
	} else {
		out = r.apply(ctx, planned, prior, &diags)
	}
	if resp.NewState, err = encodeRoster(out); err != nil {
		valueError(&diags, "encode the new state", err)
	}
	resp.Diagnostics = toProtoDiagnostics(diags)
	return resp, nil
}

// ImportResourceState imports a roster by connection ID; see
// salesUsersResource.importState.
func (s *rosterServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	var diags diag.Diagnostics
	resp := &tfprotov6.ImportResourceStateResponse{}
	if resp.Deferred = s.deferred(req.ClientCapabilities != nil && req.ClientCapabilities.DeferralAllowed); resp.Deferred != nil {
		return resp, nil
	}
	if r := s.resource(&diags); r != nil {
		if state := r.importState(ctx, req.ID, &diags); state != nil {
			dv, err := encodeRoster(state)
			if err != nil {
				valueError(&diags, "encode the imported state", err)
			} else {
				resp.ImportedResources = []*tfprotov6.ImportedResource{{TypeName: rosterTypeName, State: dv}}
			}
		}
	}
	resp.Diagnostics = toProtoDiagnostics(diags)
	return resp, nil
}

// validateRoster runs the validators of the roster's schema on a
// configuration: those of its string, set and bool attributes, at the top
// level, in each members entry and in each select block, and the map
// validators of members.
func validateRoster(ctx context.Context, attrs rosterAttrs, diags *diag.Diagnostics) {
	sch := rosterTypes().schema
	validateAttributes(ctx, sch.Attributes, attrs, path.Empty(), diags)

	if members, ok := sch.Attributes["members"].(schema.MapNestedAttribute); ok {
		elems := mapOf(attrs["members"])
		if elems != nil && len(members.Validators) > 0 {
			value, err := members.GetType().ValueFromTerraform(ctx, attrs["members"])
			if err != nil {
				valueError(diags, "read members", err)
				return
			}
			if mapValue, ok := value.(basetypes.MapValue); ok {
				for _, v := range members.Validators {
					var resp validator.MapResponse
					v.ValidateMap(ctx, validator.MapRequest{Path: path.Root("members"), PathExpression: path.Root("members").Expression(), ConfigValue: mapValue}, &resp)
					diags.Append(resp.Diagnostics...)
				}
			}
		}
		for _, key := range slices.Sorted(maps.Keys(elems)) {
			validateAttributes(ctx, members.NestedObject.Attributes, attrsOf(elems[key]), memberPath(key), diags)
		}
	}
	if sel, ok := sch.Blocks["select"].(schema.ListNestedBlock); ok {
		for i, block := range listOf(attrs["select"]) {
			validateAttributes(ctx, sel.NestedObject.Attributes, attrsOf(block), path.Root("select").AtListIndex(i), diags)
		}
	}
}

// validateAttributes runs the validators of the string, set and bool
// attributes of a schema on the values in attrs, reporting at base.
func validateAttributes(ctx context.Context, schemaAttrs map[string]schema.Attribute, attrs map[string]tftypes.Value, base path.Path, diags *diag.Diagnostics) {
	for _, name := range slices.Sorted(maps.Keys(schemaAttrs)) {
		tv, ok := attrs[name]
		if !ok {
			continue
		}
		a := schemaAttrs[name]
		at := base.AtName(name)
		if base.Equal(path.Empty()) {
			at = path.Root(name)
		}
		value, err := a.GetType().ValueFromTerraform(ctx, tv)
		if err != nil {
			valueError(diags, "read "+at.String(), err)
			continue
		}
		switch a := a.(type) {
		case schema.StringAttribute:
			if v, ok := value.(basetypes.StringValue); ok {
				for _, val := range a.Validators {
					var resp validator.StringResponse
					val.ValidateString(ctx, validator.StringRequest{Path: at, PathExpression: at.Expression(), ConfigValue: v}, &resp)
					diags.Append(resp.Diagnostics...)
				}
			}
		case schema.SetAttribute:
			if v, ok := value.(basetypes.SetValue); ok {
				for _, val := range a.Validators {
					var resp validator.SetResponse
					val.ValidateSet(ctx, validator.SetRequest{Path: at, PathExpression: at.Expression(), ConfigValue: v}, &resp)
					diags.Append(resp.Diagnostics...)
				}
			}
		case schema.BoolAttribute:
			if v, ok := value.(basetypes.BoolValue); ok {
				for _, val := range a.Validators {
					var resp validator.BoolResponse
					val.ValidateBool(ctx, validator.BoolRequest{Path: at, PathExpression: at.Expression(), ConfigValue: v}, &resp)
					diags.Append(resp.Diagnostics...)
				}
			}
		}
	}
}

// Readers of tftypes values: each is lenient, giving the zero value for a
// null or unknown value, because the callers check what must be known.

// attrsOf returns the attributes of an object value, nil when null or
// unknown.
func attrsOf(v tftypes.Value) map[string]tftypes.Value {
	if !v.IsKnown() || v.IsNull() {
		return nil
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil
	}
	return m
}

// mapOf returns the elements of a map value, nil when null or unknown.
func mapOf(v tftypes.Value) map[string]tftypes.Value {
	return attrsOf(v) // a map reads into the same Go type as an object
}

// listOf returns the elements of a list or set value, nil when null or
// unknown.
func listOf(v tftypes.Value) []tftypes.Value {
	if !v.IsKnown() || v.IsNull() {
		return nil
	}
	var l []tftypes.Value
	if err := v.As(&l); err != nil {
		return nil
	}
	return l
}

// stringOf returns a string value, "" when null or unknown.
func stringOf(v tftypes.Value) string {
	if !v.IsKnown() || v.IsNull() {
		return ""
	}
	var s string
	if err := v.As(&s); err != nil {
		return ""
	}
	return s
}

// stringsOf returns the strings of a list or set value, sorted, empty (not
// nil) when null or unknown.
func stringsOf(v tftypes.Value) []string {
	elems := listOf(v)
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		out = append(out, stringOf(e))
	}
	slices.Sort(out)
	return out
}

// boolOf returns a bool value, nil when null or unknown.
func boolOf(v tftypes.Value) *bool {
	if !v.IsKnown() || v.IsNull() {
		return nil
	}
	var b bool
	if err := v.As(&b); err != nil {
		return nil
	}
	return &b
}

// Builders of tftypes values.

var (
	tfUnknownString = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	tfUnknownBool   = tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)
	tfNullString    = tftypes.NewValue(tftypes.String, nil)
)

// tfString is a string value.
func tfString(s string) tftypes.Value {
	return tftypes.NewValue(tftypes.String, s)
}

// tfStringOrNull is a string value, null when empty: an absent value is
// null, never "".
func tfStringOrNull(s string) tftypes.Value {
	if s == "" {
		return tfNullString
	}
	return tfString(s)
}

// tfBool is a bool value.
func tfBool(b bool) tftypes.Value {
	return tftypes.NewValue(tftypes.Bool, b)
}

// tfStringSet is a set of strings (empty, not null, when there are none).
func tfStringSet(values []string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, s := range values {
		elems[i] = tfString(s)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}

// tfStringSetOrNull is tfStringSet, null when there are no values.
func tfStringSetOrNull(values []string) tftypes.Value {
	if len(values) == 0 {
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, nil)
	}
	return tfStringSet(values)
}

// rosterRemovals names, by sales user ID, every member of a roster state
// whose CRM user is active, for the removal guard.
func rosterRemovals(state rosterAttrs, why string) map[string]string {
	out := map[string]string{}
	for crmID, e := range mapOf(state["sales_users"]) {
		entry := attrsOf(e)
		if active := boolOf(entry["crm_active"]); active != nil && !*active {
			continue // deactivated in Salesforce: no access to lose
		}
		id := stringOf(entry["sales_user_id"])
		if id == "" {
			id = crmID
		}
		out[id] = fmt.Sprintf("%s, %s", crmUser(stringOf(entry["crm_username"]), crmID), why)
	}
	return out
}
