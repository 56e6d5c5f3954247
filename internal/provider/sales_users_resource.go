package provider

// The salesseat_sales_users resource (the seat roster): type, model, schema,
// Metadata, Configure and ImportState. The plan is in sales_users_plan.go,
// the batched apply in sales_users_crud.go.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

var (
	_ resource.ResourceWithConfigure   = (*salesUsersResource)(nil)
	_ resource.ResourceWithImportState = (*salesUsersResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*salesUsersResource)(nil)
)

// NewSalesUsersResource returns the salesseat_sales_users resource.
func NewSalesUsersResource() resource.Resource {
	return &salesUsersResource{}
}

// salesUsersResource defines the salesseat_sales_users resource: a set of
// seats on one connection, planned and applied in batches.
type salesUsersResource struct {
	data *providerData
}

// salesUsersModel describes the salesseat_sales_users data.
type salesUsersModel struct {
	ID           types.String `tfsdk:"id"`
	ConnectionID types.String `tfsdk:"connection_id"`
	Members      types.Map    `tfsdk:"members"`
	Select       types.List   `tfsdk:"select"`
	Exclusive    types.Bool   `tfsdk:"exclusive"`
	SalesUsers   types.Map    `tfsdk:"sales_users"`
}

// selectModel is one select block.
type selectModel struct {
	ProfileNames     types.Set    `tfsdk:"profile_names"`
	ProfileIDs       types.Set    `tfsdk:"profile_ids"`
	Active           types.Bool   `tfsdk:"active"`
	EmailDomain      types.String `tfsdk:"email_domain"`
	Search           types.String `tfsdk:"search"`
	Role             types.String `tfsdk:"role"`
	Team             types.String `tfsdk:"team"`
	HiddenComponents types.Set    `tfsdk:"hidden_components"`
}

// Attribute types of the nested values, built once: the roster's maps hold
// thousands of entries, so values are built directly instead of through
// reflection.
var (
	memberAttrTypes = map[string]attr.Type{
		"role":              types.StringType,
		"team":              types.StringType,
		"hidden_components": types.SetType{ElemType: types.StringType},
	}
	memberType = types.ObjectType{AttrTypes: memberAttrTypes}

	rosterEntryAttrTypes = map[string]attr.Type{
		"sales_user_id":         types.StringType,
		"crm_username":          types.StringType,
		"email":                 types.StringType,
		"first_name":            types.StringType,
		"last_name":             types.StringType,
		"crm_profile_id":        types.StringType,
		"crm_profile_name":      types.StringType,
		"role":                  types.StringType,
		"role_source":           types.StringType,
		"team":                  types.StringType,
		"hidden_components":     types.SetType{ElemType: types.StringType},
		"status":                types.StringType,
		"crm_active":            types.BoolType,
		"adopted_existing_user": types.BoolType,
		"source":                types.StringType,
	}
	rosterEntryType = types.ObjectType{AttrTypes: rosterEntryAttrTypes}
)

// Metadata returns the resource type name.
func (r *salesUsersResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sales_users"
}

// Schema describes the resource.
func (r *salesUsersResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	roleDesc := "Platform role. " + supportedValues(roleNames) + " When not set, the sales user gets the role its CRM profile is mapped to " +
		"with `salesseat_profile_role_mapping`, and follows that mapping when it changes."
	hiddenDesc := "Platform components hidden from the sales user. " + supportedValues(hiddenComponentNames) + " When not set, none."
	hidden := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc,
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(hiddenComponentNames...))},
		}
	}
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A seat roster: the sales users of one connection (or of a slice of it), declared as one resource and planned and " +
			"applied in batches of up to 500 per API call, so 10,000 seats plan in seconds.\n\n" +
			"Members are CRM users, listed by Salesforce ID in `members` or chosen by `select` rules that the provider resolves during plan " +
			"(so there is no `for_each`, nothing is unknown at plan, and a change to the connection never breaks the plan). " +
			"The plan checks every change with one batched dry run and shows in `sales_users` who is added, removed or changed, with which role. " +
			"Seats are counted for the roster as a whole, its removals first, so swapping users on a full account works in one apply. " +
			"When part of an apply fails, the members that were applied are kept in the state and each failure is reported; the next apply retries only those.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The connection ID (the roster is imported by it).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_id": schema.StringAttribute{
				MarkdownDescription: "ID of the `salesseat_crm_connection` whose CRM users the roster holds. Changing it replaces the roster: its sales users are removed from the old connection " +
					"(to the recycle bin) and imported on the new one. A removed sales user keeps its CRM username while its connection exists, so moving a roster to another " +
					"connection to the same Salesforce org fails on every member: delete the old connection, or purge the recycle bin, first.",
				Required:      true,
				Validators:    []validator.String{nonBlankValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"members": schema.MapNestedAttribute{
				MarkdownDescription: "The CRM users that hold a seat, keyed by Salesforce user ID (`005…`, 15 or 18 characters; both forms name the same user). " +
					"Keyed by ID, so a username or profile renamed in Salesforce changes nothing. An entry here takes precedence over `select` for the same user.",
				Optional: true,
				Validators: []validator.Map{
					mapvalidator.KeysAre(sfidtype.Validator("005", "user")),
				},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"role": schema.StringAttribute{
							MarkdownDescription: roleDesc,
							Optional:            true,
							Validators:          []validator.String{stringvalidator.OneOf(roleNames...)},
						},
						"team": schema.StringAttribute{
							MarkdownDescription: "Team of the sales user, e.g. `West`. When not set, none.",
							Optional:            true,
							Validators:          []validator.String{nonBlankValidator{}},
						},
						"hidden_components": hidden(hiddenDesc),
					},
				},
			},
			"exclusive": schema.BoolAttribute{
				MarkdownDescription: "`true`: the roster owns every seat on the connection, and sales users on it that the configuration does not declare " +
					"(imported by hand in the platform, or by automatic user sync) are planned for removal. " +
					"`false` (the default): they are left alone, and the plan says how many seats they hold.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"sales_users": schema.MapNestedAttribute{
				MarkdownDescription: "The sales users of the roster, keyed by 18-character CRM user ID, as the plan will leave them: known at plan for every member " +
					"whose CRM user is known, so the plan shows who is added, removed or changed and with which role.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"sales_user_id":    computedString("ID of the sales user (`su_…`); known after apply for a new one."),
						"crm_username":     computedString("Salesforce username."),
						"email":            computedString("Email, from the CRM."),
						"first_name":       computedString("First name, from the CRM; null when the CRM user has none."),
						"last_name":        computedString("Last name, from the CRM."),
						"crm_profile_id":   computedString("18-character ID of the CRM user's profile."),
						"crm_profile_name": computedString("Name of the CRM user's profile."),
						"role":             computedString("Effective platform role: the member's `role`, or its profile mapping's; null when neither gives one."),
						"role_source":      computedString("`explicit` (set in the roster) or `profile_mapping`."),
						"team":             computedString("Team; null when none."),
						"hidden_components": schema.SetAttribute{
							MarkdownDescription: "Platform components hidden from the sales user.",
							ElementType:         types.StringType,
							Computed:            true,
						},
						"status":                computedString("`active`, or `suspended` while the connection is disconnected."),
						"crm_active":            schema.BoolAttribute{MarkdownDescription: "Whether the CRM user is active in Salesforce.", Computed: true},
						"adopted_existing_user": schema.BoolAttribute{MarkdownDescription: "Whether the import mapped to a platform user that already had the CRM user's email.", Computed: true},
						"source":                computedString("What declares the member: `members`, or `select[N]` for the Nth `select` block (from 0)."),
					},
				},
			},
		},
		Blocks: map[string]schema.Block{
			"select": schema.ListNestedBlock{
				MarkdownDescription: "A selection rule: the CRM users of the connection matching every filter set in the block become members, " +
					"with the block's `role`, `team` and `hidden_components`. The provider reads the CRM users during plan. " +
					"A user matched by several blocks takes the first; an entry in `members` takes precedence over every block. " +
					"A user who stops matching (deactivated in Salesforce, moved to another profile) is planned for removal.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"profile_names": schema.SetAttribute{
							MarkdownDescription: "Users with one of these profiles, by name, e.g. `[\"Sales Rep\"]`.",
							ElementType:         types.StringType,
							Optional:            true,
							Validators:          []validator.Set{setvalidator.ValueStringsAre(nonBlankValidator{})},
						},
						"profile_ids": schema.SetAttribute{
							MarkdownDescription: "Users with one of these profiles, by Salesforce profile ID (`00e…`, 15 or 18 characters).",
							ElementType:         types.StringType,
							Optional:            true,
							Validators:          []validator.Set{setvalidator.ValueStringsAre(sfidtype.Validator("00e", "profile"))},
						},
						"active": schema.BoolAttribute{
							MarkdownDescription: "Active (`true`) or inactive (`false`) users; when not set, active users only (an inactive user cannot hold a seat).",
							Optional:            true,
						},
						"email_domain": schema.StringAttribute{
							MarkdownDescription: "Users whose email is in this domain, e.g. `acme.com` (without `@`).",
							Optional:            true,
							Validators:          []validator.String{nonBlankValidator{}, emailDomainValidator{}},
						},
						"search": schema.StringAttribute{
							MarkdownDescription: "Users whose username, email or full name contains this text (case-insensitive).",
							Optional:            true,
							Validators:          []validator.String{nonBlankValidator{}},
						},
						"role": schema.StringAttribute{
							MarkdownDescription: roleDesc,
							Optional:            true,
							Validators:          []validator.String{stringvalidator.OneOf(roleNames...)},
						},
						"team": schema.StringAttribute{
							MarkdownDescription: "Team of the selected sales users. When not set, none.",
							Optional:            true,
							Validators:          []validator.String{nonBlankValidator{}},
						},
						"hidden_components": hidden(hiddenDesc),
					},
				},
			},
		},
	}
}

// Configure receives the provider data.
func (r *salesUsersResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, "Resource", &resp.Diagnostics)
}

// ImportState adopts every sales user of a connection as a member: the
// import ID is the connection ID. The members keep their explicit roles,
// teams and hidden components, so configuration generated from the state
// (terraform plan -generate-config-out) plans no change.
func (r *salesUsersResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	connID := strings.TrimSpace(req.ID)
	if connID == "" || strings.ContainsAny(connID, " /") {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID of a salesseat_sales_users roster is the ID of its connection (`conn_…`), e.g. import { to = salesseat_sales_users.x, id = \"conn_…\" }; got %q.", req.ID))
		return
	}
	if _, err := r.data.client.Connections.Read(ctx, connID); err != nil {
		addAPIError(&resp.Diagnostics, "read connection "+connID+" to import its sales users", err, nil)
		return
	}
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		addAPIError(&resp.Diagnostics, "list the sales users of connection "+connID, err, nil)
		return
	}
	members := make(map[string]attr.Value, len(current))
	entries := make(map[string]attr.Value, len(current))
	for id, su := range current {
		role := types.StringNull()
		if su.RoleSource == client.RoleSourceExplicit {
			role = types.StringValue(su.Role)
		}
		members[id] = types.ObjectValueMust(memberAttrTypes, map[string]attr.Value{
			"role":              role,
			"team":              nullIfEmpty(su.Team),
			"hidden_components": nullSetIfEmpty(su.HiddenComponents),
		})
		entries[id] = rosterEntry(su, "members")
	}
	state := salesUsersModel{
		ID:           types.StringValue(connID),
		ConnectionID: types.StringValue(connID),
		Members:      types.MapValueMust(memberType, members),
		Select:       types.ListNull(types.ObjectType{AttrTypes: selectAttrTypes}),
		Exclusive:    types.BoolValue(false),
		SalesUsers:   types.MapValueMust(rosterEntryType, entries),
	}
	if len(members) == 0 {
		state.Members = types.MapNull(memberType)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// selectAttrTypes are the attribute types of a select block.
var selectAttrTypes = map[string]attr.Type{
	"profile_names":     types.SetType{ElemType: types.StringType},
	"profile_ids":       types.SetType{ElemType: types.StringType},
	"active":            types.BoolType,
	"email_domain":      types.StringType,
	"search":            types.StringType,
	"role":              types.StringType,
	"team":              types.StringType,
	"hidden_components": types.SetType{ElemType: types.StringType},
}

// rosterEntry is the sales_users entry of a sales user.
func rosterEntry(su *client.SalesUser, source string) attr.Value {
	return types.ObjectValueMust(rosterEntryAttrTypes, map[string]attr.Value{
		"sales_user_id":         types.StringValue(su.ID),
		"crm_username":          types.StringValue(su.CRMUsername),
		"email":                 types.StringValue(su.Email),
		"first_name":            nullIfEmpty(su.FirstName),
		"last_name":             types.StringValue(su.LastName),
		"crm_profile_id":        types.StringValue(su.CRMProfileID),
		"crm_profile_name":      types.StringValue(su.CRMProfileName),
		"role":                  nullIfEmpty(su.Role),
		"role_source":           types.StringValue(su.RoleSource),
		"team":                  nullIfEmpty(su.Team),
		"hidden_components":     stringSet(su.HiddenComponents),
		"status":                types.StringValue(su.Status),
		"crm_active":            types.BoolValue(su.CRMActive),
		"adopted_existing_user": types.BoolValue(su.AdoptedExistingUser),
		"source":                types.StringValue(source),
	})
}

// nullIfEmpty is s as a string value, null when empty: an absent value is
// null, never "".
func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringSet is a set of strings (empty, not null, when there are none).
func stringSet(values []string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

// nullSetIfEmpty is stringSet, null when there are no values.
func nullSetIfEmpty(values []string) types.Set {
	if len(values) == 0 {
		return types.SetNull(types.StringType)
	}
	return stringSet(values)
}

// memberPath is the path of a members entry, for diagnostics.
func memberPath(key string) path.Path {
	return path.Root("members").AtMapKey(key)
}
