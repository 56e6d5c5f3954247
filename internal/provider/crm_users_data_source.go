package provider

import (
	"context"
	"fmt"
	"github.com/hashicorp/terraform-plugin-framework/attr"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

var _ datasource.DataSourceWithConfigure = (*crmUsersDataSource)(nil)

// NewCRMUsersDataSource returns the salesseat_crm_users data source.
func NewCRMUsersDataSource() datasource.DataSource {
	return &crmUsersDataSource{}
}

// crmUsersDataSource defines the salesseat_crm_users data source.
type crmUsersDataSource struct {
	data *providerData
}

// crmUsersDataSourceModel describes the salesseat_crm_users data.
type crmUsersDataSourceModel struct {
	ConnectionID types.String   `tfsdk:"connection_id"`
	Active       types.Bool     `tfsdk:"active"`
	ProfileIDs   []types.String `tfsdk:"crm_profile_ids"`
	ProfileNames []types.String `tfsdk:"crm_profile_names"`
	Groups       []types.String `tfsdk:"crm_groups"`
	EmailDomain  types.String   `tfsdk:"email_domain"`
	Search       types.String   `tfsdk:"search"`
	Imported     types.Bool     `tfsdk:"imported"`
	Users        types.List     `tfsdk:"users"`
}

// crmUserAttrTypes is the type of one element of users. Read builds the list
// from object values directly: converting a slice of structs through the
// framework's reflection costs about five times the time and memory, which
// matters for orgs with tens of thousands of users (see
// BenchmarkCRMUsersDataSourceRead50k).
var crmUserAttrTypes = map[string]attr.Type{
	"crm_user_id":      types.StringType,
	"crm_username":     types.StringType,
	"email":            types.StringType,
	"first_name":       types.StringType,
	"last_name":        types.StringType,
	"crm_active":       types.BoolType,
	"crm_profile_id":   types.StringType,
	"crm_profile_name": types.StringType,
	"sales_user_id":    types.StringType,
}

// crmUserValue converts one CRM user into an element of users.
func crmUserValue(u *client.CRMUser) attr.Value {
	return types.ObjectValueMust(crmUserAttrTypes, map[string]attr.Value{
		"crm_user_id":      types.StringValue(u.ID),
		"crm_username":     stringOrNull(u.Username),
		"email":            stringOrNull(u.Email),
		"first_name":       stringOrNull(u.FirstName),
		"last_name":        stringOrNull(u.LastName),
		"crm_active":       types.BoolValue(u.Active),
		"crm_profile_id":   stringOrNull(u.ProfileID),
		"crm_profile_name": stringOrNull(u.ProfileName),
		"sales_user_id":    stringOrNull(u.SalesUserID),
	})
}

// Metadata returns the data source type name.
func (d *crmUsersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_crm_users"
}

// Schema describes the data source.
func (d *crmUsersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the users of the Salesforce org behind a connection, filtered on the server, to import whole groups with `for_each` " +
			"(for example all active users with the profile `Sales Rep`). Filters are combined with AND. The list is read in pages of 1,000, " +
			"so orgs with tens of thousands of users are fine. Users are sorted by ID.\n\n" +
			"Terraform reads a data source during apply instead of plan when it refers directly to a resource with changes pending, so pass the " +
			"connection ID through a `locals` value (`connection_id = local.connection_id`): then a `for_each` over this list plans in the same run " +
			"as a rename or credential rotation of the `salesseat_crm_connection`. Key such a `for_each` by `id`, which never changes, not by `username`.",
		Attributes: map[string]schema.Attribute{
			"connection_id": schema.StringAttribute{
				MarkdownDescription: "ID of the `salesseat_crm_connection`.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Only active (`true`) or only inactive (`false`) users. Inactive users cannot become sales users.",
				Optional:            true,
			},
			"crm_profile_ids": schema.ListAttribute{
				MarkdownDescription: "Only users with one of these profiles, by Salesforce profile ID (`00e…`, 15 or 18 characters).",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.List{listvalidator.ValueStringsAre(sfidtype.Validator("00e", "profile"))},
			},
			"crm_profile_names": schema.ListAttribute{
				MarkdownDescription: "Only users with one of these profiles, by profile name, e.g. `[\"Sales Rep\"]`.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.List{listvalidator.ValueStringsAre(nonBlankValidator{})},
			},
			"crm_groups": schema.ListAttribute{
				MarkdownDescription: "Only users who are direct members of one of these Salesforce public groups, by API name (the Group Name in Setup > Public Groups, " +
					"case-insensitive) or ID (`00G…`), e.g. `[\"Sales_Team\"]`. A group the org does not have fails the read with the list of its groups. " +
					"With `user_management_group` on the connection, `crm_groups = [that group]` lists the users who hold (or should hold) its seats.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.List{listvalidator.ValueStringsAre(nonBlankValidator{})},
			},
			"email_domain": schema.StringAttribute{
				MarkdownDescription: "Only users whose email is in this domain, e.g. `acme.com` (without `@`).",
				Optional:            true,
				Validators:          []validator.String{nonBlankValidator{}, emailDomainValidator{}},
			},
			"search": schema.StringAttribute{
				MarkdownDescription: "Only users whose username, email or full name contains this text (case-insensitive).",
				Optional:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"imported": schema.BoolAttribute{
				MarkdownDescription: "Only users that already are (`true`) or are not yet (`false`) sales users. " +
					"Do not use `imported = false` to choose the keys of a `for_each` of `salesseat_sales_user`: once applied, the users are imported, " +
					"drop out of the list, and the next plan destroys them.",
				Optional: true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The matching users, sorted by ID.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"crm_user_id":      schema.StringAttribute{MarkdownDescription: "18-character Salesforce ID of the user (`005…`), as `crm_user_id` of a `salesseat_sales_user` takes it.", Computed: true},
						"crm_username":     schema.StringAttribute{MarkdownDescription: "Salesforce username, unique across all of Salesforce.", Computed: true},
						"email":            schema.StringAttribute{MarkdownDescription: "Email of the user.", Computed: true},
						"first_name":       schema.StringAttribute{MarkdownDescription: "First name of the user.", Computed: true},
						"last_name":        schema.StringAttribute{MarkdownDescription: "Last name of the user.", Computed: true},
						"crm_active":       schema.BoolAttribute{MarkdownDescription: "Whether the user is active in Salesforce.", Computed: true},
						"crm_profile_id":   schema.StringAttribute{MarkdownDescription: "18-character ID of the user's profile.", Computed: true},
						"crm_profile_name": schema.StringAttribute{MarkdownDescription: "Name of the user's profile.", Computed: true},
						"sales_user_id":    schema.StringAttribute{MarkdownDescription: "ID of the sales user the CRM user is imported as; null when not imported.", Computed: true},
					},
				},
			},
		},
	}
}

// Configure receives the provider data.
func (d *crmUsersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, "Data Source", &resp.Diagnostics)
}

// Read lists the users, page by page.
func (d *crmUsersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var model crmUsersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := client.CRMUserListOptions{
		Active:      model.Active.ValueBoolPointer(),
		EmailDomain: model.EmailDomain.ValueString(),
		Search:      model.Search.ValueString(),
		Imported:    model.Imported.ValueBoolPointer(),
		PageSize:    pageSize,
	}
	for _, id := range model.ProfileIDs {
		if n, err := sfid.Normalize(id.ValueString()); err == nil {
			opts.ProfileIDs = append(opts.ProfileIDs, n)
		}
	}
	for _, n := range model.ProfileNames {
		opts.ProfileNames = append(opts.ProfileNames, n.ValueString())
	}
	for _, g := range model.Groups {
		opts.Groups = append(opts.Groups, g.ValueString())
	}
	connectionID := model.ConnectionID.ValueString()
	users := []attr.Value{}
	for u, err := range d.data.client.CRM.ListUsers(ctx, connectionID, opts) {
		if err != nil {
			addAPIError(&resp.Diagnostics, fmt.Sprintf("list the CRM users of connection %s", connectionID), err, func(e *client.Error) (path.Path, bool) {
				return fieldAttribute(e, "group=crm_groups")
			})
			return
		}
		users = append(users, crmUserValue(u))
	}
	model.Users = types.ListValueMust(types.ObjectType{AttrTypes: crmUserAttrTypes}, users)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
