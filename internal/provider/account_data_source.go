package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*accountDataSource)(nil)

// NewAccountDataSource returns the salesseat_account data source.
func NewAccountDataSource() datasource.DataSource {
	return &accountDataSource{}
}

// accountDataSource defines the salesseat_account data source.
type accountDataSource struct {
	data *providerData
}

// accountDataSourceModel describes the salesseat_account data.
type accountDataSourceModel struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	SeatLimit      types.Int64  `tfsdk:"seat_limit"`
	SeatsUsed      types.Int64  `tfsdk:"seats_used"`
	SeatsAvailable types.Int64  `tfsdk:"seats_available"`
}

// Metadata returns the data source type name.
func (d *accountDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account"
}

// Schema describes the data source.
func (d *accountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the account the API client belongs to and its seats. The seat limit is bought from the vendor and cannot be changed with Terraform; " +
			"use it, for example, in a `check` block or a precondition.",
		Attributes: map[string]schema.Attribute{
			"id":              schema.StringAttribute{MarkdownDescription: "ID of the account (`acc_…`).", Computed: true},
			"name":            schema.StringAttribute{MarkdownDescription: "Name of the account.", Computed: true},
			"seat_limit":      schema.Int64Attribute{MarkdownDescription: "Number of seats the account has bought.", Computed: true},
			"seats_used":      schema.Int64Attribute{MarkdownDescription: "Number of seats in use: every sales user not in the recycle bin uses one, suspended ones included.", Computed: true},
			"seats_available": schema.Int64Attribute{MarkdownDescription: "Number of free seats.", Computed: true},
		},
	}
}

// Configure receives the provider data.
func (d *accountDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, "Data Source", &resp.Diagnostics)
}

// Read reads the account.
func (d *accountDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	acc, err := d.data.client.Account.Read(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "read the account", err, nil)
		return
	}
	model := accountModel(acc)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// accountModel converts the account into the data source's model.
func accountModel(acc *client.Account) accountDataSourceModel {
	return accountDataSourceModel{
		ID:             types.StringValue(acc.ID),
		Name:           stringOrNull(acc.Name),
		SeatLimit:      types.Int64Value(int64(acc.SeatLimit)),
		SeatsUsed:      types.Int64Value(int64(acc.SeatsUsed)),
		SeatsAvailable: types.Int64Value(int64(acc.SeatsAvailable)),
	}
}
