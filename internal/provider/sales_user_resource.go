package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

var (
	_ resource.ResourceWithConfigure        = (*salesUserResource)(nil)
	_ resource.ResourceWithImportState      = (*salesUserResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*salesUserResource)(nil)
	_ resource.ResourceWithConfigValidators = (*salesUserResource)(nil)
)

// importUsernamePrefix introduces a CRM username in an import ID.
const importUsernamePrefix = "username:"

// NewSalesUserResource returns the salesseat_sales_user resource.
func NewSalesUserResource() resource.Resource {
	return &salesUserResource{}
}

// salesUserResource defines the salesseat_sales_user resource.
type salesUserResource struct {
	data *providerData
}

// salesUserResourceModel describes the salesseat_sales_user data.
type salesUserResourceModel struct {
	ID                  types.String `tfsdk:"id"`
	ConnectionID        types.String `tfsdk:"connection_id"`
	CRMUserID           sfidtype.ID  `tfsdk:"crm_user_id"`
	CRMUsername         types.String `tfsdk:"crm_username"`
	Role                types.String `tfsdk:"role"`
	RoleSource          types.String `tfsdk:"role_source"`
	Team                types.String `tfsdk:"team"`
	HiddenComponents    types.Set    `tfsdk:"hidden_components"`
	Email               types.String `tfsdk:"email"`
	FirstName           types.String `tfsdk:"first_name"`
	LastName            types.String `tfsdk:"last_name"`
	CRMActive           types.Bool   `tfsdk:"crm_active"`
	CRMProfileID        types.String `tfsdk:"crm_profile_id"`
	CRMProfileName      types.String `tfsdk:"crm_profile_name"`
	Status              types.String `tfsdk:"status"`
	AdoptedExistingUser types.Bool   `tfsdk:"adopted_existing_user"`
	PlatformUserID      types.String `tfsdk:"platform_user_id"`
	CreatedBy           types.String `tfsdk:"created_by"`
	// RestoreFromRecycleBin matters only to Create; see recycle_bin.go.
	RestoreFromRecycleBin types.Bool `tfsdk:"restore_from_recycle_bin"`
}

// Metadata returns the resource type name.
func (r *salesUserResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sales_user"
}

// Schema describes the resource.
func (r *salesUserResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keyNote := " Exactly one of `crm_user_id` and `crm_username` must be set; the other is filled in. Changing it replaces the sales user."
	resp.Schema = schema.Schema{
		MarkdownDescription: "A sales user: a Salesforce (CRM) user imported into the platform, holding one paid seat, with a role, an optional team " +
			"and the platform components hidden from it.\n\n" +
			"The plan checks the import with the API's dry run and fails with the exact reason when it cannot work: not enough free seats " +
			"(counted across every sales user the plan adds), a CRM username already mapped to another platform user (also one in the recycle bin), " +
			"a username reserved for another platform user, a profile without a role mapping, an inactive CRM user, or the connection's service account. " +
			"If a platform user with the CRM user's email exists, the import maps to it (`adopted_existing_user = true`).\n\n" +
			"Name, email and the active flag follow the CRM: a user deactivated in Salesforce shows `crm_active = false` and a warning.\n\n" +
			"Destroying a sales user frees its seat and moves it to the platform's recycle bin, where it keeps its CRM username until it is purged or restored. " +
			"A sales user for the same CRM user created later (after `terraform destroy`, with `-replace`, or when a new `connection_id` replaces it) " +
			"restores the deleted one instead of importing the CRM user anew; see `restore_from_recycle_bin`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the sales user (`su_…`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_id": schema.StringAttribute{
				MarkdownDescription: "ID of the `salesseat_crm_connection` the CRM user comes through. Changing it replaces the sales user.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"crm_user_id": schema.StringAttribute{
				MarkdownDescription: "Salesforce ID of the CRM user (`005…`), in its 15- or 18-character form; both forms of one ID are equal, so either causes no diff." + keyNote,
				CustomType:          sfidtype.IDType{},
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{sfidtype.PrefixValidator("005", "user")},
				PlanModifiers: []planmodifier.String{
					sfidtype.PreferStateWhenEquivalent(),
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"crm_username": schema.StringAttribute{
				MarkdownDescription: "Salesforce username of the CRM user (email-shaped, unique across Salesforce, in lower case)." + keyNote,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{usernameValidator{}},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "Platform role of the sales user. " + supportedValues(roleNames) + " When not set, the sales user gets the role its CRM " +
					"profile is mapped to with `salesseat_profile_role_mapping`, and follows that mapping when it changes. Changing it updates the sales user in place.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(roleNames...)},
			},
			"role_source": schema.StringAttribute{
				MarkdownDescription: "Where `role` comes from: `explicit` (set on this resource) or `profile_mapping` (the CRM profile's role mapping).",
				Computed:            true,
			},
			"team": schema.StringAttribute{
				MarkdownDescription: "Team of the sales user, e.g. `West`.",
				Optional:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"hidden_components": schema.SetAttribute{
				MarkdownDescription: "Platform components hidden from the sales user. " + supportedValues(hiddenComponentNames) + " Defaults to none.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(hiddenComponentNames...))},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email of the user, from the CRM.",
				Computed:            true,
			},
			"first_name": schema.StringAttribute{
				MarkdownDescription: "First name of the user, from the CRM.",
				Computed:            true,
			},
			"last_name": schema.StringAttribute{
				MarkdownDescription: "Last name of the user, from the CRM.",
				Computed:            true,
			},
			"crm_active": schema.BoolAttribute{
				MarkdownDescription: "Whether the CRM user is active in Salesforce. A user deactivated in Salesforce keeps its seat until the sales user is removed.",
				Computed:            true,
			},
			"crm_profile_id": schema.StringAttribute{
				MarkdownDescription: "18-character ID of the CRM user's Salesforce profile.",
				Computed:            true,
			},
			"crm_profile_name": schema.StringAttribute{
				MarkdownDescription: "Name of the CRM user's Salesforce profile.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`active`, or `suspended` while the connection is disconnected.",
				Computed:            true,
			},
			"adopted_existing_user": schema.BoolAttribute{
				MarkdownDescription: "Whether the import mapped the CRM user to a platform user that already existed with the same email, instead of creating one.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"platform_user_id": schema.StringAttribute{
				MarkdownDescription: "ID of the platform user (`pu_…`) the CRM user is mapped to.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_by": schema.StringAttribute{
				MarkdownDescription: "`api` when created through the API (Terraform), `automatic_sync` when the platform imported the user by itself.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"restore_from_recycle_bin": schema.BoolAttribute{
				MarkdownDescription: "What the create does when the CRM user's previous sales user sits in the platform's recycle bin, still holding the CRM username " +
					"(after `terraform destroy` and apply, `terraform apply -replace`, a new `connection_id`, or a deletion in the platform). " +
					"`true` (the default): restore that sales user instead of importing the CRM user anew, keeping its ID, platform user and history, " +
					"then set `role`, `team` and `hidden_components` as configured. The plan shows a warning naming the sales user it restores, and the restore takes a seat like an import. " +
					"`false`: fail the plan with `crm_username_mapped`, naming the sales user to purge or restore yourself. " +
					"The provider never restores a recycle bin entry of another CRM user that had the same username, nor one deleted from another connection that still exists " +
					"(a restore brings a sales user back on its own connection): the plan fails and says what to do. " +
					"Only the create reads this argument: changing it later changes nothing on the platform and does not replace the sales user.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
		},
	}
}

// ConfigValidators requires exactly one CRM key.
func (r *salesUserResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("crm_user_id"), path.MatchRoot("crm_username")),
	}
}

// Configure receives the provider data.
func (r *salesUserResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, "Resource", &resp.Diagnostics)
}

// keyPath returns the CRM key attribute the configuration sets.
func (m salesUserResourceModel) keyPath() path.Path {
	if !m.CRMUsername.IsNull() && m.CRMUserID.IsNull() {
		return path.Root("crm_username")
	}
	return path.Root("crm_user_id")
}

// problemAttribute attaches a sales user problem to the attribute at fault.
func (m salesUserResourceModel) problemAttribute() problemAttribute {
	key := m.keyPath()
	return func(e *client.Error) (path.Path, bool) {
		switch e.Code {
		case client.CodeCRMUsernameMapped, client.CodeCRMUsernameReserved, client.CodeCRMUserInactive, client.CodeServiceAccountNotAllowed:
			return key, true
		case client.CodeProfileNotMapped:
			return path.Root("role"), true
		case client.CodeConnectionDisconnected:
			return path.Root("connection_id"), true
		case client.CodeNotFound:
			switch e.Resource {
			case "crm_user":
				return key, true
			case "connection":
				return path.Root("connection_id"), true
			}
		}
		return fieldAttribute(e, "connection_id", "crm_user_id", "crm_username", "role", "team", "hidden_components")
	}
}

// describe names the sales user for messages.
func (m salesUserResourceModel) describe() string {
	switch {
	case !m.CRMUsername.IsNull() && !m.CRMUsername.IsUnknown():
		return fmt.Sprintf("sales user for %q", m.CRMUsername.ValueString())
	case !m.CRMUserID.IsNull() && !m.CRMUserID.IsUnknown():
		return fmt.Sprintf("sales user for CRM user %s", m.CRMUserID.ValueString())
	}
	return "sales user"
}

// ModifyPlan makes the plan show what will fail. For a sales user the plan
// creates, it reserves a seat in the plan-wide seat ledger and asks the API
// for a dry run of the import; for one it updates, it dry-runs the update.
// Every problem the dry run finds becomes an error on the attribute at fault,
// with the exact reason and the fix, except a CRM username held by the CRM
// user's own deleted sales user: with restore_from_recycle_bin, that becomes
// a warning announcing the restore (see planRestore).
//
// Values unknown at plan time (e.g. the ID of a connection created in the
// same plan) skip the checks; they run at apply, where Create's API errors
// become the same diagnostics.
func (r *salesUserResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured (unknown configuration)
	}
	var plan, config salesUserResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating := req.State.Raw.IsNull()
	var state salesUserResourceModel
	var replaced *recycledUser
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		// Should Terraform replace the sales user (see privateKeyReplaces),
		// the create half of the replacement learns which one it replaces.
		if resp.Private != nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, encodeReplaced(state))...)
		}
	} else if req.Private != nil {
		if replaced = replacedFromPrivate(ctx, req.Private); replaced != nil {
			// The replaced sales user is destroyed first, freeing its seat.
			r.data.ledger.release(replaced.ID, true)
			if resp.Private != nil {
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, nil)...)
			}
		}
	}

	// An explicit role is the configured one; without one, the role follows
	// the profile's mapping and is known only after apply when that
	// changes.
	if config.Role.IsNull() {
		plan.RoleSource = types.StringValue(roleSourceProfileMapping)
		if !creating && state.RoleSource.ValueString() == roleSourceExplicit {
			plan.Role = types.StringUnknown()
		}
	} else {
		plan.RoleSource = types.StringValue(roleSourceExplicit)
	}

	if !creating && replacing(plan, config, state) {
		// Terraform plans the replacement's create separately (with no
		// prior state), which reserves the new seat; the old one is freed
		// first.
		r.data.ledger.release(state.ID.ValueString(), true)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	if !creating && desiredStateUnchanged(plan, config, state) {
		// Nothing the configuration controls on the platform differs from
		// the state. The plan can still differ where Terraform proposed the
		// configured value of an equivalent key (a 15-character CRM user ID
		// against the imported 18-character one), which made the framework
		// mark every computed attribute unknown; plan no change at all,
		// except for restore_from_recycle_bin, which must follow the
		// configuration (a change of it is an update that calls no API).
		state.RestoreFromRecycleBin = plan.RestoreFromRecycleBin
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &state)...)
		return
	}

	if creating && allKnown(config.CRMUserID, config.CRMUsername) {
		// Seats are counted account-wide, so the count does not need the
		// connection: a for_each on a connection created in the same plan
		// is checked too.
		r.reserveSeat(ctx, plan.ConnectionID, config, &resp.Diagnostics)
	}
	if !creating {
		// An update changes only the role, team and hidden components. The
		// attributes that follow the CRM keep their refreshed values instead
		// of showing as "known after apply" (Update keeps these planned
		// values; the next refresh picks up what the CRM changes meanwhile).
		plan.copyCRMFields(state)
	}

	if !allKnown(plan.ConnectionID, config.Role, config.Team, config.HiddenComponents, config.CRMUserID, config.CRMUsername, plan.RestoreFromRecycleBin) {
		tflog.Debug(ctx, "Skipping the plan-time dry run: some values are known only after apply")
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	switch {
	case creating:
		r.checkCreate(ctx, &plan, config, replaced, &resp.Diagnostics)
	default:
		r.checkUpdate(ctx, plan, config, state, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// replacing reports whether the plan replaces the sales user: its connection
// or its CRM user changes (mirroring the RequiresReplace plan modifiers,
// whose outcome ModifyPlan does not see).
func replacing(plan, config, state salesUserResourceModel) bool {
	return !plan.ConnectionID.Equal(state.ConnectionID) ||
		(!config.CRMUserID.IsNull() && !plan.CRMUserID.Equal(state.CRMUserID)) ||
		(!config.CRMUsername.IsNull() && !config.CRMUsername.Equal(state.CRMUsername))
}

// desiredStateUnchanged reports whether the plan asks for nothing the state
// does not already have.
func desiredStateUnchanged(plan, config, state salesUserResourceModel) bool {
	sameKey := func(p, c, s attr.Value) bool {
		return p.Equal(s) || (c.IsNull() && p.IsUnknown())
	}
	roleSame := state.RoleSource.ValueString() == roleSourceProfileMapping
	if !config.Role.IsNull() {
		roleSame = config.Role.Equal(state.Role) && state.RoleSource.ValueString() == roleSourceExplicit
	}
	return plan.ConnectionID.Equal(state.ConnectionID) &&
		sameKey(plan.CRMUserID, config.CRMUserID, state.CRMUserID) &&
		sameKey(plan.CRMUsername, config.CRMUsername, state.CRMUsername) &&
		roleSame &&
		plan.Team.Equal(state.Team) &&
		plan.HiddenComponents.Equal(state.HiddenComponents)
}

// allKnown reports whether none of the values is unknown.
func allKnown(values ...attr.Value) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// reserveSeat reserves a seat for the sales user in the plan-wide seat
// ledger and reports a shortage on the CRM key of the instance that does not
// fit, so the message names the instance: an error on the first one that
// does not fit, which fails the plan, and a short warning with the same
// summary on each later one, which Terraform collapses into one.
func (r *salesUserResource) reserveSeat(ctx context.Context, connectionID types.String, config salesUserResourceModel, diags *diag.Diagnostics) {
	conn := connectionID.ValueString()
	if connectionID.IsUnknown() {
		conn = "(unknown connection)"
	}
	check, err := r.data.ledger.reserve(ctx, conn+"/"+ledgerUserKey(config), r.data.client.Account.Read)
	if err != nil {
		addAPIError(diags, "read the account's seats to check the plan", err, nil)
		return
	}
	switch {
	case check.OK:
	case check.First:
		// One error fails the whole plan.
		diags.AddAttributeError(config.keyPath(), seatShortageSummary, seatShortageText(check))
	default:
		diags.AddAttributeWarning(config.keyPath(), seatShortageSummary, seatShortageWarningText(config.describe(), check))
	}
}

// checkCreate dry-runs the import of the sales user. When the dry run
// resolves the CRM user, the plan shows its other key. A CRM username held
// by a deleted sales user (in the recycle bin, or replaced by this plan) is
// left to planRestore; replaced is the sales user this plan replaces, if
// any.
func (r *salesUserResource) checkCreate(ctx context.Context, plan *salesUserResourceModel, config salesUserResourceModel, replaced *recycledUser, diags *diag.Diagnostics) {
	connectionID := plan.ConnectionID.ValueString()
	item := client.ValidateItem{
		Action:           "create",
		ConnectionID:     connectionID,
		CRMUsername:      config.CRMUsername.ValueString(),
		Role:             config.Role.ValueStringPointer(),
		Team:             config.Team.ValueStringPointer(),
		HiddenComponents: setStrings(plan.HiddenComponents),
	}
	if !config.CRMUserID.IsNull() {
		item.CRMUserID = config.CRMUserID.ValueString()
	}
	result, ok := r.dryRun(ctx, item, config, diags)
	if !ok {
		return
	}
	if config.CRMUserID.IsNull() && result.CRMUserID != "" {
		plan.CRMUserID = sfidtype.NewIDValue(result.CRMUserID)
	}
	if config.CRMUsername.IsNull() && result.CRMUsername != "" {
		plan.CRMUsername = types.StringValue(result.CRMUsername)
	}
	r.reportCreateProblems(ctx, *plan, config, replaced, result, diags)
}

// reportCreateProblems reports the problems of a create's dry run: a CRM
// username held by a deleted sales user goes to planRestore, everything else
// to reportProblems.
func (r *salesUserResource) reportCreateProblems(ctx context.Context, plan, config salesUserResourceModel, replaced *recycledUser, result client.ValidationItem, diags *diag.Diagnostics) {
	problems := make([]*client.Error, 0, len(result.Problems))
	for _, p := range result.Problems {
		if p != nil && p.Code == client.CodeCRMUsernameMapped && r.planRestore(ctx, p, plan, config, replaced, result, diags) {
			continue
		}
		problems = append(problems, p)
	}
	r.reportProblems(problems, config, plan.ConnectionID.ValueString(), diags)
}

// checkUpdate dry-runs a change of role, team or hidden components; a plan
// without such a change costs no request.
func (r *salesUserResource) checkUpdate(ctx context.Context, plan, config, state salesUserResourceModel, diags *diag.Diagnostics) {
	opts := updateOptions(plan, config, state)
	if opts.Role == nil && opts.Team == nil && opts.HiddenComponents == nil {
		return
	}
	item := client.ValidateItem{
		Action:      "update",
		SalesUserID: state.ID.ValueString(),
		Role:        opts.Role,
		Team:        opts.Team,
	}
	if opts.HiddenComponents != nil {
		item.HiddenComponents = *opts.HiddenComponents
	}
	result, ok := r.dryRun(ctx, item, config, diags)
	if !ok {
		return
	}
	r.reportProblems(result.Problems, config, plan.ConnectionID.ValueString(), diags)
}

// updateOptions returns what an update sends: only what changed. A role
// removed from the configuration is sent as "", which makes the sales user
// follow its profile's mapping again.
func updateOptions(plan, config, state salesUserResourceModel) client.SalesUserUpdateOptions {
	var opts client.SalesUserUpdateOptions
	switch {
	case !config.Role.IsNull() && (!config.Role.Equal(state.Role) || state.RoleSource.ValueString() != roleSourceExplicit):
		role := config.Role.ValueString()
		opts.Role = &role
	case config.Role.IsNull() && state.RoleSource.ValueString() == roleSourceExplicit:
		role := ""
		opts.Role = &role
	}
	if !plan.Team.Equal(state.Team) {
		team := plan.Team.ValueString() // "" clears it
		opts.Team = &team
	}
	if !plan.HiddenComponents.IsUnknown() && !plan.HiddenComponents.Equal(state.HiddenComponents) {
		hidden := setStrings(plan.HiddenComponents)
		opts.HiddenComponents = &hidden
	}
	return opts
}

// dryRun asks the API to validate one item. A client that may not write
// (the dry run needs the write scope, and plan-only CI credentials often
// lack it) only gets a warning: the checks then happen at apply.
func (r *salesUserResource) dryRun(ctx context.Context, item client.ValidateItem, config salesUserResourceModel, diags *diag.Diagnostics) (client.ValidationItem, bool) {
	res, err := r.data.client.SalesUsers.Validate(ctx, client.ValidateOptions{Items: []client.ValidateItem{item}})
	if errors.Is(err, client.ErrInsufficientScope) {
		diags.AddWarning("Plan-Time Checks Skipped",
			fmt.Sprintf("The %s could not be checked with the API's dry run, because the API client lacks the salesseat.write scope the dry run needs. "+
				"Seat and mapping problems will show at apply instead. Grant salesseat.write to the API client used for planning to see them in the plan.", config.describe()))
		return client.ValidationItem{}, false
	}
	if err != nil {
		addAPIError(diags, "check the "+config.describe()+" with the API's dry run", err, config.problemAttribute())
		return client.ValidationItem{}, false
	}
	if len(res.Items) == 0 {
		return client.ValidationItem{Valid: res.Valid}, true
	}
	return res.Items[0], true
}

// reportProblems turns the dry run's problems into diagnostics.
//
// Seat problems are left to the seat ledger, which counts every sales user
// of the plan, not just this one.
//
// profile_not_mapped needs care: a salesseat_profile_role_mapping created in
// the same plan does not exist yet when the dry run runs, so the dry run
// reports the profile as unmapped although the apply would map it first.
// Mapping resources record themselves in the plan-scoped ledger from their
// own ModifyPlan; Terraform plans resources in dependency order, but in no
// particular order otherwise, so a record is only guaranteed to be there when
// the sales user depends on the mapping (depends_on or a reference) — which
// it must anyway, or the apply could create the user before the mapping. The
// rule is therefore: no diagnostic when a planned mapping covers the user's
// profile; a warning when mappings are planned on the connection but none
// (yet) for that profile, since the ordering may hide it; an error when no
// mapping is planned on the connection at all. Every message names the
// profile and shows the resource that fixes it.
//
// connection_disconnected becomes a warning: the connection resource plans
// its own re-authorization when it can, and the create fails with the same
// message at apply if it is still disconnected then.
func (r *salesUserResource) reportProblems(problems []*client.Error, config salesUserResourceModel, connectionID string, diags *diag.Diagnostics) {
	at := config.problemAttribute()
	for _, p := range problems {
		if p == nil {
			continue
		}
		summary, body := describeProblem(p)
		detail := fmt.Sprintf("The plan's dry run found that the %s cannot be imported. %s", config.describe(), body)
		switch p.Code {
		case client.CodeSeatLimitReached:
			continue
		case client.CodeProfileNotMapped:
			r.reportProfileNotMapped(p, config, connectionID, "", diags)
			continue
		case client.CodeConnectionDisconnected:
			diags.AddAttributeWarning(path.Root("connection_id"), summary, detail)
			continue
		}
		if attrPath, ok := at(p); ok {
			diags.AddAttributeError(attrPath, summary, detail)
		} else {
			diags.AddError(summary, detail)
		}
	}
}

// reportProfileNotMapped reports a profile_not_mapped problem of the dry run
// (see reportProblems); extra, when not empty, is added as a last paragraph.
func (r *salesUserResource) reportProfileNotMapped(p *client.Error, config salesUserResourceModel, connectionID, extra string, diags *diag.Diagnostics) {
	planned, forProfile := r.data.ledger.plannedMappings(connectionID, profileKeys(p.CRMProfileID, p.CRMProfileName)...)
	if forProfile {
		return
	}
	summary, body := describeProblem(p)
	detail := fmt.Sprintf("The plan's dry run found that the %s cannot be imported. %s", config.describe(), body)
	if extra != "" {
		detail += "\n\n" + extra
	}
	if planned {
		diags.AddAttributeWarning(path.Root("role"), summary, detail+
			"\n\nThis plan creates role mappings on this connection, but none for this profile has been planned before this sales user. "+
			"If one of them maps this profile, add it to depends_on; otherwise the apply will fail.")
		return
	}
	diags.AddAttributeError(path.Root("role"), summary, detail)
}

// ledgerUserKey identifies the CRM user in the seat ledger.
func ledgerUserKey(config salesUserResourceModel) string {
	if !config.CRMUserID.IsNull() {
		if id, err := config.CRMUserID.Normalized(); err == nil {
			return "id:" + id
		}
		return "id:" + config.CRMUserID.ValueString()
	}
	return "username:" + strings.ToLower(config.CRMUsername.ValueString())
}

// profileKeys are the ledger keys of a profile.
func profileKeys(id, name string) []string {
	keys := []string{}
	if id != "" {
		if n, err := client.NormalizeSalesforceID(id); err == nil {
			id = n
		}
		keys = append(keys, "id:"+id)
	}
	if name != "" {
		keys = append(keys, "name:"+strings.ToLower(name))
	}
	return keys
}

// setStrings returns the elements of a known set of strings, sorted.
func setStrings(s types.Set) []string {
	out := make([]string, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		if v, ok := e.(types.String); ok {
			out = append(out, v.ValueString())
		}
	}
	slices.Sort(out)
	return out
}

// Create imports the CRM user as a sales user.
func (r *salesUserResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, config salesUserResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := client.SalesUserCreateOptions{
		ConnectionID:     plan.ConnectionID.ValueString(),
		CRMUsername:      config.CRMUsername.ValueString(),
		Role:             config.Role.ValueString(),
		Team:             plan.Team.ValueString(),
		HiddenComponents: setStrings(plan.HiddenComponents),
	}
	if !config.CRMUserID.IsNull() {
		id, err := config.CRMUserID.Normalized()
		if err != nil {
			id = config.CRMUserID.ValueString()
		}
		opts.CRMUserID = id
	}
	// The plan's record of a replaced sales user has done its job.
	if resp.Private != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, nil)...)
	}
	su, err := r.data.client.SalesUsers.Create(ctx, opts)
	r.data.wrote()
	var conflict *client.Error
	switch {
	case err != nil && errors.As(err, &conflict) && conflict.Code == client.CodeCRMUsernameMapped && conflict.InRecycleBin:
		su = r.restoreOnCreate(ctx, conflict, err, plan, config, &resp.Diagnostics)
		if su == nil {
			return
		}
		resp.Diagnostics.Append(plan.fromAPI(ctx, su)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	case err != nil:
		addAPIError(&resp.Diagnostics, "create the "+config.describe(), err, config.problemAttribute())
		return
	}
	if su.AdoptedExistingUser {
		resp.Diagnostics.AddWarning("Existing Platform User Adopted",
			fmt.Sprintf("A platform user with the email %q already existed, so CRM user %q was mapped to it (platform user %s) instead of creating a second one.",
				su.Email, su.CRMUsername, su.PlatformUserID))
	}
	resp.Diagnostics.Append(plan.fromAPI(ctx, su)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read refreshes the sales user from the process-wide listing (see
// salesUserCache), falling back to a read by ID.
func (r *salesUserResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state salesUserResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	su, ok := r.data.salesUsers.get(ctx, r.data.client, state.ConnectionID.ValueString(), id)
	if !ok {
		var err error
		su, err = r.data.client.SalesUsers.Read(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			tflog.Info(ctx, "Sales user is gone; removing it from the state", map[string]any{"id": id})
			resp.State.RemoveResource(ctx)
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, "read sales user "+id, err, nil)
			return
		}
	}
	if !su.DeletedAt.IsZero() {
		// Deleted outside Terraform, sitting in the recycle bin.
		resp.State.RemoveResource(ctx)
		return
	}
	if !su.CRMActive {
		resp.Diagnostics.AddWarning("CRM User Deactivated",
			fmt.Sprintf("CRM user %q (%s %s, %s) of sales user %s is inactive in Salesforce, but still holds a seat. "+
				"Reactivate the user in Salesforce, or remove the salesseat_sales_user resource to free the seat.",
				su.CRMUsername, su.FirstName, su.LastName, su.CRMUserID, su.ID))
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, su)...)
	if state.RestoreFromRecycleBin.IsNull() {
		// Imported, or created by a provider version without the
		// attribute: the default, so that the next plan shows no change.
		state.RestoreFromRecycleBin = types.BoolValue(true)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes the role, team and hidden components in place.
func (r *salesUserResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, state, config salesUserResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if resp.Private != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, nil)...)
	}
	opts := updateOptions(plan, config, state)
	id := state.ID.ValueString()
	var su *client.SalesUser
	var err error
	if opts.Role == nil && opts.Team == nil && opts.HiddenComponents == nil {
		su, err = r.data.client.SalesUsers.Read(ctx, id)
	} else {
		su, err = r.data.client.SalesUsers.Update(ctx, id, opts)
		r.data.wrote()
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "update sales user "+id, err, config.problemAttribute())
		return
	}
	planned := plan
	resp.Diagnostics.Append(plan.fromAPI(ctx, su)...)
	// The plan promised the CRM fields would not change (see ModifyPlan);
	// keep that promise, the next refresh reads what the CRM changed.
	plan.copyCRMFields(planned)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete removes the sales user, which frees its seat and moves it to the
// recycle bin. A sales user already gone is fine.
func (r *salesUserResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state salesUserResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.SalesUsers.Delete(ctx, state.ID.ValueString())
	r.data.wrote()
	if errors.Is(err, client.ErrNotFound) {
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "delete sales user "+state.ID.ValueString(), err, nil)
		return
	}
	r.data.ledger.release(state.ID.ValueString(), false)
	r.data.recycleBin.recordDelete(recycledFromModel(state))
}

// ImportState imports a sales user by ID (`su_…`) or by CRM username
// (`username:<crm username>`).
func (r *salesUserResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	formats := "Use the sales user's ID (e.g. \"su_123\") or \"username:<CRM username>\" (e.g. \"username:jane@acme.com\")."
	username, byUsername := strings.CutPrefix(id, importUsernamePrefix)
	switch {
	case id == "":
		resp.Diagnostics.AddError("Invalid Import ID", "The import ID is empty. "+formats)
		return
	case byUsername && strings.TrimSpace(username) == "":
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID %q has no username after %q. %s", req.ID, importUsernamePrefix, formats))
		return
	case !byUsername && (strings.Contains(id, "@") || strings.Contains(id, ":")):
		hint := ""
		if !strings.Contains(id, ":") {
			hint = fmt.Sprintf(" To import by CRM username, use %q.", importUsernamePrefix+id)
		}
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID %q is neither a sales user ID nor of the form \"username:<CRM username>\".%s %s", req.ID, hint, formats))
		return
	case !byUsername:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
		return
	}
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	username = strings.TrimSpace(username)
	su, err := r.data.client.SalesUsers.ReadByCRMUsername(ctx, username)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Sales User Not Found",
			fmt.Sprintf("No sales user has the CRM username %q (sales users in the recycle bin are not imported: restore one first). "+
				"Check the username, or import by ID. %s", username, formats))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("find the sales user with CRM username %q", username), err, nil)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), su.ID)...)
}

// copyCRMFields copies the known attributes that follow the CRM (username,
// name, email, active flag, profile) and the status from src.
func (m *salesUserResourceModel) copyCRMFields(src salesUserResourceModel) {
	copyKnown := func(dst *types.String, v types.String) {
		if !v.IsUnknown() && !v.IsNull() {
			*dst = v
		}
	}
	copyKnown(&m.CRMUsername, src.CRMUsername)
	copyKnown(&m.Email, src.Email)
	copyKnown(&m.FirstName, src.FirstName)
	copyKnown(&m.LastName, src.LastName)
	copyKnown(&m.CRMProfileID, src.CRMProfileID)
	copyKnown(&m.CRMProfileName, src.CRMProfileName)
	copyKnown(&m.Status, src.Status)
	if !src.CRMActive.IsUnknown() && !src.CRMActive.IsNull() {
		m.CRMActive = src.CRMActive
	}
}

// fromAPI copies the API's view into the model. A configured CRM user ID
// keeps its form (the ID type's semantic equality tells the framework that
// the API's 18-character form is the same).
func (m *salesUserResourceModel) fromAPI(ctx context.Context, su *client.SalesUser) diag.Diagnostics {
	m.ID = types.StringValue(su.ID)
	m.ConnectionID = types.StringValue(su.ConnectionID)
	m.CRMUserID = sfidtype.NewIDValue(su.CRMUserID)
	m.CRMUsername = types.StringValue(su.CRMUsername)
	m.Role = types.StringValue(su.Role)
	m.RoleSource = types.StringValue(su.RoleSource)
	m.Team = types.StringNull()
	if su.Team != "" {
		m.Team = types.StringValue(su.Team)
	}
	hidden := su.HiddenComponents
	if hidden == nil {
		hidden = []string{}
	}
	set, diags := types.SetValueFrom(ctx, types.StringType, hidden)
	m.HiddenComponents = set
	m.Email = types.StringValue(su.Email)
	m.FirstName = types.StringValue(su.FirstName)
	m.LastName = types.StringValue(su.LastName)
	m.CRMActive = types.BoolValue(su.CRMActive)
	m.CRMProfileID = types.StringValue(su.CRMProfileID)
	m.CRMProfileName = types.StringValue(su.CRMProfileName)
	m.Status = types.StringValue(su.Status)
	m.AdoptedExistingUser = types.BoolValue(su.AdoptedExistingUser)
	m.PlatformUserID = types.StringValue(su.PlatformUserID)
	m.CreatedBy = types.StringValue(su.CreatedBy)
	return diags
}
