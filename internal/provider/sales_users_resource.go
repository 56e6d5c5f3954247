package provider

// The salesseat_sales_users resource (the seat roster): type, model, schema,
// Metadata, Configure and ImportState. The plan is in sales_users_plan.go,
// the batched apply in sales_users_crud.go.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

var (
	_ resource.ResourceWithConfigure = (*salesUsersResource)(nil)
)

// NewSalesUsersResource returns the salesseat_sales_users resource.
func NewSalesUsersResource() resource.Resource {
	return &salesUsersResource{}
}

// salesUsersResource defines the salesseat_sales_users resource: a set of
// seats on one connection, planned and applied in batches. The framework
// declares its schema; its resource RPCs are served on terraform-plugin-go
// (sales_users_protocol.go), so the framework's CRUD methods below are never
// called.
type salesUsersResource struct {
	data *providerData
}

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
			"purge_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "What destroying the roster does with its sales users. `false` (the default): they go to the platform's recycle bin, keeping " +
					"their CRM usernames and history. `true`: they are also purged from the recycle bin, which frees the CRM usernames for good, as module tests and " +
					"short-lived environments want (their deleted sales users would otherwise hold usernames, which another setup's resources do not restore). " +
					"Only the destroy reads it: it must be applied before the destroy it should govern. Members removed from the configuration go to the recycle bin either way.",
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
						"name":             computedString("Full name, from the CRM."),
						"email":            computedString("Email, from the CRM."),
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
						"crm_profile_names": schema.SetAttribute{
							MarkdownDescription: "Users with one of these profiles, by name, e.g. `[\"Sales Rep\"]`.",
							ElementType:         types.StringType,
							Optional:            true,
							Validators:          []validator.Set{setvalidator.ValueStringsAre(nonBlankValidator{})},
						},
						"crm_profile_ids": schema.SetAttribute{
							MarkdownDescription: "Users with one of these profiles, by Salesforce profile ID (`00e…`, 15 or 18 characters).",
							ElementType:         types.StringType,
							Optional:            true,
							Validators:          []validator.Set{setvalidator.ValueStringsAre(sfidtype.Validator("00e", "profile"))},
						},
						"crm_groups": schema.SetAttribute{
							MarkdownDescription: "Users who are direct members of one of these Salesforce public groups, by API name (the Group Name in Setup > Public Groups, " +
								"case-insensitive) or ID (`00G…`). A group the org does not have fails the plan with the list of its groups. " +
								"Not for a connection with `user_management_group`: there the platform itself gives the group's members their seats.",
							ElementType: types.StringType,
							Optional:    true,
							Validators:  []validator.Set{setvalidator.ValueStringsAre(nonBlankValidator{})},
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

// Create, Read, Update and Delete are never called: the roster's resource
// RPCs are served by rosterServer. They fail loudly rather than do nothing
// if a server without it ever reaches them.
func (r *salesUsersResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	notServed(&resp.Diagnostics)
}

// Read is never called; see Create.
func (r *salesUsersResource) Read(_ context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	notServed(&resp.Diagnostics)
}

// Update is never called; see Create.
func (r *salesUsersResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	notServed(&resp.Diagnostics)
}

// Delete is never called; see Create.
func (r *salesUsersResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	notServed(&resp.Diagnostics)
}

// notServed is the error of a roster RPC that reached the framework.
func notServed(diags *diag.Diagnostics) {
	diags.AddError("Roster Not Served", "The salesseat_sales_users resource is served by the provider's own protocol server (provider.NewProtocol6Server), "+
		"not by the framework's. "+reportBug)
}

// memberPath is the path of a members entry, for diagnostics.
func memberPath(key string) path.Path {
	return path.Root("members").AtMapKey(key)
}
