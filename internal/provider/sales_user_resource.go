package provider

import (
	"context"
	"fmt"

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

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

var (
	_ resource.ResourceWithConfigure        = (*salesUserResource)(nil)
	_ resource.ResourceWithImportState      = (*salesUserResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*salesUserResource)(nil)
	_ resource.ResourceWithConfigValidators = (*salesUserResource)(nil)
)

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
	// RestoreFromRecycleBin matters only to Create; see restore_decision.go.
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

// copyCRMFields copies the known attributes that follow the CRM (username,
// name, email, active flag, profile) and the status from src.
func (m *salesUserResourceModel) copyCRMFields(src salesUserResourceModel) {
	// A null value is known too: the API has no value (a user without a
	// first name).
	copyKnown := func(dst *types.String, v types.String) {
		if !v.IsUnknown() {
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
	if !src.CRMActive.IsUnknown() {
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
	m.CRMUsername = stringOrNull(su.CRMUsername)
	m.Role = stringOrNull(su.Role)
	m.RoleSource = stringOrNull(su.RoleSource)
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
	m.Email = stringOrNull(su.Email)
	m.FirstName = stringOrNull(su.FirstName)
	m.LastName = stringOrNull(su.LastName)
	m.CRMActive = types.BoolValue(su.CRMActive)
	m.CRMProfileID = stringOrNull(su.CRMProfileID)
	m.CRMProfileName = stringOrNull(su.CRMProfileName)
	m.Status = stringOrNull(su.Status)
	m.AdoptedExistingUser = types.BoolValue(su.AdoptedExistingUser)
	m.PlatformUserID = stringOrNull(su.PlatformUserID)
	m.CreatedBy = stringOrNull(su.CreatedBy)
	return diags
}
