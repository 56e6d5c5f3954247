package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

var (
	_ resource.ResourceWithConfigure        = (*profileRoleMappingResource)(nil)
	_ resource.ResourceWithImportState      = (*profileRoleMappingResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*profileRoleMappingResource)(nil)
	_ resource.ResourceWithConfigValidators = (*profileRoleMappingResource)(nil)
)

// NewProfileRoleMappingResource returns the salesseat_profile_role_mapping
// resource.
func NewProfileRoleMappingResource() resource.Resource {
	return &profileRoleMappingResource{}
}

// profileRoleMappingResource defines the salesseat_profile_role_mapping
// resource.
type profileRoleMappingResource struct {
	data *providerData
}

// profileRoleMappingResourceModel describes the salesseat_profile_role_mapping
// data.
type profileRoleMappingResourceModel struct {
	ID             types.String `tfsdk:"id"`
	ConnectionID   types.String `tfsdk:"connection_id"`
	CRMProfileID   sfidtype.ID  `tfsdk:"crm_profile_id"`
	CRMProfileName types.String `tfsdk:"crm_profile_name"`
	Role           types.String `tfsdk:"role"`
}

// Metadata returns the resource type name.
func (r *profileRoleMappingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_profile_role_mapping"
}

// Schema describes the resource.
func (r *profileRoleMappingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keyNote := " Exactly one of `crm_profile_id` and `crm_profile_name` must be set; the other is filled in. Changing it replaces the mapping."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Maps a Salesforce (CRM) profile to a platform role on one connection. A sales user without an explicit `role` gets the role " +
			"of its profile's mapping, and while the connection has `user_sync` enabled, a CRM user whose profile has no mapping cannot be imported " +
			"without an explicit role. A profile maps to one role per connection.\n\n" +
			"When sales users in the same configuration rely on a mapping, add the mapping to their `depends_on` so that Terraform creates it first " +
			"(and the plan's checks know about it).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the mapping (`rm_…`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_id": schema.StringAttribute{
				MarkdownDescription: "ID of the `salesseat_crm_connection`. Changing it replaces the mapping.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"crm_profile_id": schema.StringAttribute{
				MarkdownDescription: "Salesforce ID of the profile (`00e…`), in its 15- or 18-character form; both forms of one ID are equal, so either causes no diff." + keyNote,
				CustomType:          sfidtype.IDType{},
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{sfidtype.PrefixValidator("00e", "profile")},
				PlanModifiers: []planmodifier.String{
					sfidtype.PreferStateWhenEquivalent(),
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"crm_profile_name": schema.StringAttribute{
				MarkdownDescription: "Name of the profile, e.g. `Sales Rep`." + keyNote,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{nonBlankValidator{}},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "Platform role the profile maps to. " + supportedValues(roleNames) + " Changing it updates the mapping in place, " +
					"and every sales user of the profile without an explicit role follows.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(roleNames...)},
			},
		},
	}
}

// ConfigValidators requires exactly one profile key.
func (r *profileRoleMappingResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("crm_profile_id"), path.MatchRoot("crm_profile_name")),
	}
}

// Configure receives the provider data.
func (r *profileRoleMappingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, "Resource", &resp.Diagnostics)
}

// keyPath returns the profile attribute the configuration sets.
func (m profileRoleMappingResourceModel) keyPath() path.Path {
	if m.CRMProfileID.IsNull() && !m.CRMProfileName.IsNull() {
		return path.Root("crm_profile_name")
	}
	return path.Root("crm_profile_id")
}

func (m profileRoleMappingResourceModel) problemAttribute() problemAttribute {
	key := m.keyPath()
	return func(e *client.Error) (path.Path, bool) {
		switch e.Code {
		case client.CodeRoleMappingExists:
			return key, true
		case client.CodeNotFound:
			switch e.Resource {
			case "crm_profile":
				return key, true
			case "connection":
				return path.Root("connection_id"), true
			}
		}
		return fieldAttribute(e, "connection_id", "crm_profile_id", "crm_profile_name", "role")
	}
}

// ModifyPlan records a planned mapping in the plan-scoped ledger (so that
// sales users of the same plan know the profile will be mapped, see
// salesUserResource.reportProblems), and for a new mapping checks at plan
// time that the profile exists and is not mapped yet; the plan then also
// shows the profile's other key.
func (r *profileRoleMappingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if !req.State.Raw.IsNull() {
		r.recordRoleChange(ctx, req, resp)
		return // only creates are checked
	}
	var plan, config profileRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !allKnown(plan.ConnectionID, config.CRMProfileID, config.CRMProfileName) {
		return
	}
	connectionID := plan.ConnectionID.ValueString()
	var keys []string
	if !config.CRMProfileID.IsNull() {
		keys = profileKeys(config.CRMProfileID.ValueString(), "")
	} else {
		keys = profileKeys("", config.CRMProfileName.ValueString())
	}

	profile, ok := r.findProfile(ctx, connectionID, config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if ok {
		keys = append(keys, profileKeys(profile.ID, profile.Name)...)
		if config.CRMProfileID.IsNull() {
			plan.CRMProfileID = sfidtype.NewIDValue(profile.ID)
		}
		if config.CRMProfileName.IsNull() {
			plan.CRMProfileName = types.StringValue(profile.Name)
		}
		r.checkNotMapped(ctx, connectionID, profile, config, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	for _, k := range keys {
		r.data.ledger.planMapping(connectionID, k)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// findProfile looks the configured profile up in the connection's org. It
// reports a profile that does not exist as an error listing the existing
// ones; when the profiles cannot be read (e.g. the connection is
// disconnected) it returns false without a diagnostic and leaves the check to
// apply.
func (r *profileRoleMappingResource) findProfile(ctx context.Context, connectionID string, config profileRoleMappingResourceModel, diags *diag.Diagnostics) (*client.CRMProfile, bool) {
	wantID, _ := config.CRMProfileID.Normalized()
	wantName := config.CRMProfileName.ValueString()
	var names []string
	var otherCase *client.CRMProfile
	for p, err := range r.data.client.CRM.ListProfiles(ctx, connectionID) {
		if err != nil {
			tflog.Debug(ctx, "Could not list CRM profiles at plan time; the check runs at apply", map[string]any{"error": err.Error()})
			return nil, false
		}
		if (wantID != "" && sfid.Equal(p.ID, wantID)) || (wantName != "" && p.Name == wantName) {
			return p, true
		}
		if wantName != "" && strings.EqualFold(p.Name, wantName) {
			otherCase = p
		}
		names = append(names, fmt.Sprintf("%q (%s)", p.Name, p.ID))
	}
	if otherCase != nil {
		// The API would resolve the name and store the org's spelling, which
		// would then differ from the configuration on every plan.
		diags.AddAttributeError(config.keyPath(), "CRM Profile Name Differs In Case",
			fmt.Sprintf("The Salesforce org of connection %s has no profile named %q, but one named %q (%s). "+
				"Write crm_profile_name = %q, exactly as Salesforce spells it, so that the name the API stores matches the configuration.",
				connectionID, wantName, otherCase.Name, otherCase.ID, otherCase.Name))
		return nil, false
	}
	sort.Strings(names)
	const maxNames = 25
	if len(names) > maxNames {
		names = append(names[:maxNames], "…")
	}
	what := fmt.Sprintf("the profile ID %s", config.CRMProfileID.ValueString())
	if wantName != "" {
		what = fmt.Sprintf("the profile name %q (names are case-sensitive)", wantName)
	}
	diags.AddAttributeError(config.keyPath(), "CRM Profile Not Found",
		fmt.Sprintf("The Salesforce org of connection %s has no profile with %s. Its profiles are: %s. "+
			"The salesseat_crm_profiles data source lists them with their IDs.", connectionID, what, strings.Join(names, ", ")))
	return nil, false
}

// checkNotMapped fails the plan when the profile already has a mapping on the
// connection, and shows how to import it.
func (r *profileRoleMappingResource) checkNotMapped(ctx context.Context, connectionID string, profile *client.CRMProfile, config profileRoleMappingResourceModel, diags *diag.Diagnostics) {
	for m, err := range r.data.client.RoleMappings.List(ctx, client.RoleMappingListOptions{ConnectionID: connectionID, PageSize: pageSize}) {
		if err != nil {
			tflog.Debug(ctx, "Could not list role mappings at plan time; the check runs at apply", map[string]any{"error": err.Error()})
			return
		}
		if sfid.Equal(m.CRMProfileID, profile.ID) {
			summary, body := describeProblem(&client.Error{
				Code:                     client.CodeRoleMappingExists,
				CRMProfileID:             fmt.Sprintf("%q (%s)", profile.Name, profile.ID),
				ConflictingRoleMappingID: m.ID,
			})
			diags.AddAttributeError(config.keyPath(), summary, body)
			return
		}
	}
}

// Create creates the mapping.
func (r *profileRoleMappingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, config profileRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := client.RoleMappingCreateOptions{
		ConnectionID:   plan.ConnectionID.ValueString(),
		CRMProfileName: config.CRMProfileName.ValueString(),
		Role:           plan.Role.ValueString(),
	}
	if !config.CRMProfileID.IsNull() {
		opts.CRMProfileID = normalizedID(config.CRMProfileID.ValueString())
	}
	m, err := r.data.client.RoleMappings.Create(ctx, opts)
	r.data.wrote()
	if err != nil {
		addAPIError(&resp.Diagnostics, "create the role mapping", err, config.problemAttribute())
		return
	}
	plan.fromAPI(m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read refreshes the mapping.
func (r *profileRoleMappingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state profileRoleMappingResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.data.client.RoleMappings.Read(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read role mapping "+state.ID.ValueString(), err, nil)
		return
	}
	state.fromAPI(m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes the role in place.
func (r *profileRoleMappingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, state profileRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.data.client.RoleMappings.Update(ctx, state.ID.ValueString(), client.RoleMappingUpdateOptions{Role: plan.Role.ValueString()})
	r.data.wrote()
	if err != nil {
		addAPIError(&resp.Diagnostics, "update role mapping "+state.ID.ValueString(), err, plan.problemAttribute())
		return
	}
	plan.fromAPI(m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete deletes the mapping; one already gone is fine.
func (r *profileRoleMappingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state profileRoleMappingResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.RoleMappings.Delete(ctx, state.ID.ValueString())
	r.data.wrote()
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "delete role mapping "+state.ID.ValueString(), err, nil)
	}
}

// ImportState imports a mapping by ID.
func (r *profileRoleMappingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// fromAPI copies the API's view into the model.
func (m *profileRoleMappingResourceModel) fromAPI(rm *client.RoleMapping) {
	m.ID = types.StringValue(rm.ID)
	m.ConnectionID = types.StringValue(rm.ConnectionID)
	m.CRMProfileID = sfidtype.NewIDValue(rm.CRMProfileID)
	m.CRMProfileName = stringOrNull(rm.CRMProfileName)
	m.Role = stringOrNull(rm.Role)
}

// recordRoleChange records a planned change of a mapping's role in the
// ledger, so that a roster planned after it (depends_on) knows that the role
// of its members who follow the mapping is known only after apply.
func (r *profileRoleMappingResource) recordRoleChange(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, state profileRoleMappingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || plan.Role.Equal(state.Role) || state.ConnectionID.IsUnknown() {
		return
	}
	for _, k := range profileKeys(state.CRMProfileID.ValueString(), state.CRMProfileName.ValueString()) {
		r.data.ledger.planMapping(state.ConnectionID.ValueString(), k)
	}
}
