package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*crmProfilesDataSource)(nil)

// NewCRMProfilesDataSource returns the salesseat_crm_profiles data source.
func NewCRMProfilesDataSource() datasource.DataSource {
	return &crmProfilesDataSource{}
}

// crmProfilesDataSource defines the salesseat_crm_profiles data source.
type crmProfilesDataSource struct {
	data *providerData
}

// crmProfilesDataSourceModel describes the salesseat_crm_profiles data.
type crmProfilesDataSourceModel struct {
	ConnectionID types.String      `tfsdk:"connection_id"`
	Profiles     []crmProfileModel `tfsdk:"profiles"`
}

// crmProfileModel is one element of profiles.
type crmProfileModel struct {
	ID        types.String `tfsdk:"crm_profile_id"`
	Name      types.String `tfsdk:"crm_profile_name"`
	UserCount types.Int64  `tfsdk:"user_count"`
}

// Metadata returns the data source type name.
func (d *crmProfilesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_crm_profiles"
}

// Schema describes the data source.
func (d *crmProfilesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the profiles of the Salesforce org behind a connection, to write `salesseat_profile_role_mapping` resources without hard-coding profile IDs.",
		Attributes: map[string]schema.Attribute{
			"connection_id": schema.StringAttribute{
				MarkdownDescription: "ID of the `salesseat_crm_connection`.",
				Required:            true,
				Validators:          []validator.String{nonBlankValidator{}},
			},
			"profiles": schema.ListNestedAttribute{
				MarkdownDescription: "The org's profiles.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"crm_profile_id":   schema.StringAttribute{MarkdownDescription: "18-character Salesforce ID of the profile (`00e…`).", Computed: true},
						"crm_profile_name": schema.StringAttribute{MarkdownDescription: "Name of the profile, e.g. `Sales Rep`.", Computed: true},
						"user_count":       schema.Int64Attribute{MarkdownDescription: "Number of users with the profile.", Computed: true},
					},
				},
			},
		},
	}
}

// Configure receives the provider data.
func (d *crmProfilesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, "Data Source", &resp.Diagnostics)
}

// Read lists the profiles.
func (d *crmProfilesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var model crmProfilesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	connectionID := model.ConnectionID.ValueString()
	profiles := []crmProfileModel{}
	for p, err := range d.data.client.CRM.ListProfiles(ctx, connectionID) {
		if err != nil {
			addAPIError(&resp.Diagnostics, fmt.Sprintf("list the CRM profiles of connection %s", connectionID), err, nil)
			return
		}
		profiles = append(profiles, crmProfileModelOf(p))
	}
	model.Profiles = profiles
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// crmProfileModelOf converts a CRM profile into an element of profiles.
func crmProfileModelOf(p *client.CRMProfile) crmProfileModel {
	return crmProfileModel{
		ID:        types.StringValue(p.ID),
		Name:      stringOrNull(p.Name),
		UserCount: types.Int64Value(int64(p.UserCount)),
	}
}
