package provider

// The no-op fast path of salesseat_sales_user: a refresh that finds the
// sales user as the state has it, and a plan that changes nothing, are
// answered on terraform-plugin-go values without the framework, which would
// otherwise convert every value of the state, the configuration and the
// plan through reflection and walk the schema several times per instance
// (about 6 ms of CPU per sales user in a no-op plan, more than Terraform
// itself spends; profiled with pprof). Anything else (a difference, a
// warning to give, a deferred or unconfigured provider) falls back to the
// framework, whose Read and ModifyPlan stay the one definition of what a
// refresh and a plan do: the fast path only recognizes their no-op
// outcomes.

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// salesUserTypeName is the resource type the fast path serves.
const salesUserTypeName = "salesseat_sales_user"

var (
	salesUserTypeOnce sync.Once
	salesUserType     tftypes.Object
)

// salesUserObjectType is the Terraform type of salesseat_sales_user, from
// the framework schema.
func salesUserObjectType() tftypes.Object {
	salesUserTypeOnce.Do(func() {
		var sr resource.SchemaResponse
		(&salesUserResource{}).Schema(context.Background(), resource.SchemaRequest{}, &sr)
		salesUserType = mustType[tftypes.Object](sr.Schema.Type().TerraformType(context.Background()))
	})
	return salesUserType
}

// salesUserFast answers the no-op refresh and plan of salesseat_sales_user.
type salesUserFast struct {
	configured *configuredProvider
}

// decodeSalesUser decodes a value of salesseat_sales_user; nil when it is
// null or cannot be decoded.
func decodeSalesUser(dv *tfprotov6.DynamicValue) map[string]tftypes.Value {
	if dv == nil {
		return nil
	}
	v, err := dv.Unmarshal(salesUserObjectType())
	if err != nil {
		return nil
	}
	return attrsOf(v)
}

// data returns the provider data, nil when the provider is not configured
// (or deferred): the framework handles those.
func (f *salesUserFast) data() *providerData {
	if f == nil || f.configured == nil || f.configured.deferred.Load() {
		return nil
	}
	return f.configured.data.Load()
}

// read answers a refresh that finds the sales user as the state has it;
// ok is false when the framework must handle it.
func (f *salesUserFast) read(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	data := f.data()
	if data == nil {
		return nil, false
	}
	state := decodeSalesUser(req.CurrentState)
	if state == nil {
		return nil, false
	}
	su, found := data.salesUsers.get(ctx, data.client, stringOf(state["connection_id"]), stringOf(state["id"]))
	if !found || !su.CRMActive || !su.DeletedAt.IsZero() || !salesUserStateMatches(state, su) {
		return nil, false // changed, gone, or a warning to give: the framework's Read
	}
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, true
}

// salesUserStateMatches reports whether the state holds exactly what Read
// would store for the sales user (see salesUserResourceModel.fromAPI).
func salesUserStateMatches(state map[string]tftypes.Value, su *client.SalesUser) bool {
	if boolOf(state["restore_from_recycle_bin"]) == nil || boolOf(state["purge_on_destroy"]) == nil {
		return false // Read fills in the defaults
	}
	role := ""
	if su.RoleSource == roleSourceExplicit {
		role = su.Role
	}
	team := su.Team
	strs := map[string]string{
		"id": su.ID, "connection_id": su.ConnectionID, "crm_username": su.CRMUsername, "role": role, "effective_role": su.Role,
		"role_source": su.RoleSource, "team": team, "email": su.Email, "first_name": su.FirstName, "last_name": su.LastName,
		"crm_profile_id": su.CRMProfileID, "crm_profile_name": su.CRMProfileName, "status": su.Status,
		"platform_user_id": su.PlatformUserID, "created_by": su.CreatedBy,
	}
	for name, want := range strs {
		if !state[name].Equal(tfStringOrNull(want)) {
			return false
		}
	}
	if id := stringOf(state["crm_user_id"]); id == "" || !sfid.Equal(id, su.CRMUserID) {
		return false
	}
	if b := boolOf(state["crm_active"]); b == nil || *b != su.CRMActive {
		return false
	}
	if b := boolOf(state["adopted_existing_user"]); b == nil || *b != su.AdoptedExistingUser {
		return false
	}
	hidden := state["hidden_components"]
	if !hidden.IsKnown() || hidden.IsNull() {
		return false
	}
	want := slices.Clone(su.HiddenComponents)
	slices.Sort(want)
	return slices.Equal(stringsOf(hidden), want)
}

// plan answers a plan that changes nothing; ok is false when the framework
// must handle it.
func (f *salesUserFast) plan(req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, bool) {
	data := f.data()
	if data == nil {
		return nil, false
	}
	prior, config := decodeSalesUser(req.PriorState), decodeSalesUser(req.Config)
	if prior == nil || config == nil || !salesUserConfigMatches(config, prior) {
		return nil, false
	}
	// A connection whose seats follow a Salesforce group: the framework's
	// ModifyPlan fails the plan.
	if _, managed := data.ledger.managedGroup(stringOf(prior["connection_id"])); managed {
		return nil, false
	}
	// A mapping this plan creates or changes for the profile changes the
	// effective role: the framework's ModifyPlan says so.
	if _, planned := data.ledger.plannedRole(stringOf(prior["connection_id"]),
		profileKeys(stringOf(prior["crm_profile_id"]), stringOf(prior["crm_profile_name"]))...); planned {
		return nil, false
	}
	// Should Terraform replace the sales user after all (terraform plan
	// -replace), the create half learns from the private data which one
	// it replaces, as from the framework's ModifyPlan.
	private, ok := withPrivateKey(req.PriorPrivate, privateKeyReplaces, encodeReplaced(recycledFromAttrs(prior)))
	if !ok {
		return nil, false
	}
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState, PlannedPrivate: private}
	// The claim ModifyPlan records (see claimSeat), with the same message.
	conn, id := stringOf(prior["connection_id"]), normalizedID(stringOf(prior["crm_user_id"]))
	keyAttr := "crm_user_id" // as salesUserResourceModel.keyPath
	if config["crm_user_id"].IsNull() {
		keyAttr = "crm_username"
	}
	desc := salesUserClaimDesc(stringOf(config["crm_user_id"]), stringOf(config["crm_username"]), id)
	for _, msg := range data.claims.claimAs(stringOf(prior["id"]), conn, desc, false, []string{id}) {
		resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{
			Severity: tfprotov6.DiagnosticSeverityError, Summary: "Sales User Declared Twice", Detail: msg,
			Attribute: tftypes.NewAttributePath().WithAttributeName(keyAttr),
		})
	}
	return resp, true
}

// salesUserConfigMatches reports whether the configuration asks for nothing
// the state does not have (see desiredStateUnchanged), with every
// configured value known.
func salesUserConfigMatches(config, state map[string]tftypes.Value) bool {
	for _, v := range config {
		if !v.IsFullyKnown() {
			return false
		}
	}
	sameString := func(name string) bool { return config[name].Equal(state[name]) }
	// role holds the configured role only (null while the sales user
	// follows its mapping); a state that holds anything else, or lacks what
	// the framework's Read fills in, is the framework's to plan.
	if !sameString("connection_id") || !sameString("team") || !sameString("role") || stringOf(state["crm_user_id"]) == "" ||
		state["effective_role"].IsNull() || state["hidden_components"].IsNull() {
		return false
	}
	if v := config["crm_user_id"]; !v.IsNull() && !sfid.Equal(stringOf(v), stringOf(state["crm_user_id"])) {
		return false
	}
	if v := config["crm_username"]; !v.IsNull() && !v.Equal(state["crm_username"]) {
		return false
	}
	if v := config["crm_user_id"]; !v.IsNull() && stringOf(v) != stringOf(state["crm_user_id"]) {
		// An equivalent ID in the other form: the framework's plan
		// modifiers keep the state's form; leave that to them.
		return false
	}
	switch role := config["role"]; {
	case role.IsNull():
		if stringOf(state["role_source"]) != roleSourceProfileMapping {
			return false
		}
	default:
		if !role.Equal(state["role"]) || stringOf(state["role_source"]) != roleSourceExplicit {
			return false
		}
	}
	hidden := config["hidden_components"]
	if hidden.IsNull() {
		if len(stringsOf(state["hidden_components"])) != 0 {
			return false
		}
	} else if !slices.Equal(stringsOf(hidden), stringsOf(state["hidden_components"])) {
		return false
	}
	restore, purge := boolOf(state["restore_from_recycle_bin"]), boolOf(state["purge_on_destroy"])
	return restore != nil && purge != nil &&
		boolOr(config["restore_from_recycle_bin"], true) == *restore && boolOr(config["purge_on_destroy"], false) == *purge
}

// boolOr is a bool value, def when null (the attribute's default).
func boolOr(v tftypes.Value, def bool) bool {
	if b := boolOf(v); b != nil {
		return *b
	}
	return def
}

// upgrade decodes a stored state of the current schema version (0); ok is
// false when the framework must handle it.
func (f *salesUserFast) upgrade(req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, bool) {
	if req.Version != 0 || req.RawState == nil || req.RawState.JSON == nil {
		return nil, false
	}
	t := salesUserObjectType()
	v, err := req.RawState.UnmarshalWithOpts(t, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return nil, false
	}
	dv, err := tfprotov6.NewDynamicValue(t, v)
	if err != nil {
		return nil, false
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, true
}

// recycledFromAttrs describes the sales user of a state, as
// recycledFromModel does.
func recycledFromAttrs(state map[string]tftypes.Value) salesUserResourceModel {
	return salesUserResourceModel{
		ID: tfToString(state["id"]), ConnectionID: tfToString(state["connection_id"]), CRMUserID: sfidtype.NewIDValue(stringOf(state["crm_user_id"])),
		CRMUsername: tfToString(state["crm_username"]), FirstName: tfToString(state["first_name"]), LastName: tfToString(state["last_name"]),
		RoleSource: tfToString(state["role_source"]), PurgeOnDestroy: types.BoolValue(boolOr(state["purge_on_destroy"], false)),
	}
}

// tfToString converts a known string value; null stays null.
func tfToString(v tftypes.Value) types.String {
	if v.IsNull() {
		return types.StringNull()
	}
	return types.StringValue(stringOf(v))
}

// withPrivateKey returns private data with key set to value, in the
// framework's encoding of private state (a JSON object of base64-encoded
// JSON values, which its ModifyPlan and the create half read back); ok is
// false when the prior private data is not in that encoding.
func withPrivateKey(prior []byte, key string, value []byte) ([]byte, bool) {
	m := map[string][]byte{}
	if len(prior) > 0 {
		if err := json.Unmarshal(prior, &m); err != nil {
			return nil, false
		}
	}
	m[key] = value
	out, err := json.Marshal(m)
	return out, err == nil
}
