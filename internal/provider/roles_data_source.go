package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*rolesDataSource)(nil)

// NewRolesDataSource returns the salesseat_roles data source.
func NewRolesDataSource() datasource.DataSource {
	return &rolesDataSource{}
}

// rolesDataSource defines the salesseat_roles data source.
type rolesDataSource struct {
	data *providerData
}

// rolesDataSourceModel describes the salesseat_roles data.
type rolesDataSourceModel struct {
	Roles []roleModel `tfsdk:"roles"`
}

// roleModel is one element of roles.
type roleModel struct {
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
}

// Metadata returns the data source type name.
func (d *rolesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_roles"
}

// Schema describes the data source.
func (d *rolesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the platform's role catalog, the roles sales users and profile role mappings can have. " + supportedValues(roleNames),
		Attributes: map[string]schema.Attribute{
			"roles": schema.ListNestedAttribute{
				MarkdownDescription: "The roles, in the catalog's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":        schema.StringAttribute{MarkdownDescription: "Name of the role, as used in `role` arguments.", Computed: true},
						"description": schema.StringAttribute{MarkdownDescription: "What the role may do.", Computed: true},
					},
				},
			},
		},
	}
}

// Configure receives the provider data.
func (d *rolesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, "Data Source", &resp.Diagnostics)
}

// Read lists the roles.
func (d *rolesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	roles, err := d.data.client.Roles.List(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "list the role catalog", err, nil)
		return
	}
	model := rolesDataSourceModel{Roles: make([]roleModel, 0, len(roles))}
	for _, r := range roles {
		model.Roles = append(model.Roles, roleModelOf(r))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// roleModelOf converts a role into an element of roles.
func roleModelOf(r client.Role) roleModel {
	return roleModel{Name: types.StringValue(r.Name), Description: stringOrNull(r.Description)}
}
