package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*seatReportDataSource)(nil)

// NewSeatReportDataSource returns the salesseat_seat_report data source.
func NewSeatReportDataSource() datasource.DataSource {
	return &seatReportDataSource{}
}

// seatReportDataSource defines the salesseat_seat_report data source.
type seatReportDataSource struct {
	data *providerData
}

// seatReportDataSourceModel describes the salesseat_seat_report data.
type seatReportDataSourceModel struct {
	SeatLimit        types.Int64  `tfsdk:"seat_limit"`
	SeatsUsed        types.Int64  `tfsdk:"seats_used"`
	SeatsAvailable   types.Int64  `tfsdk:"seats_available"`
	SeatsWasted      types.Int64  `tfsdk:"seats_wasted"`
	ByConnection     types.Map    `tfsdk:"by_connection"`
	ByRole           types.Map    `tfsdk:"by_role"`
	SeatsWithoutRole types.Int64  `tfsdk:"seats_without_role"`
	ByTeam           types.Map    `tfsdk:"by_team"`
	SeatsWithoutTeam types.Int64  `tfsdk:"seats_without_team"`
	ByOrigin         types.Map    `tfsdk:"by_origin"`
	Wasted           types.List   `tfsdk:"wasted"`
	Summary          types.String `tfsdk:"summary"`
}

var (
	seatsByConnectionAttrTypes = map[string]attr.Type{"connection_name": types.StringType, "status": types.StringType, "seats": types.Int64Type}
	wastedSeatAttrTypes        = map[string]attr.Type{
		"reason": types.StringType, "sales_user_id": types.StringType, "connection_id": types.StringType, "crm_user_id": types.StringType,
		"crm_username": types.StringType, "email": types.StringType, "name": types.StringType, "role": types.StringType, "team": types.StringType,
	}
)

// Metadata returns the data source type name.
func (d *seatReportDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_seat_report"
}

// Schema describes the data source.
func (d *seatReportDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	count := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	counts := func(desc string) schema.MapAttribute {
		return schema.MapAttribute{MarkdownDescription: desc, ElementType: types.Int64Type, Computed: true}
	}
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Where the account's seats go, and which are wasted: seats in use by connection, role, team and origin " +
			"(imported through the API, Terraform included, or by the platform's automatic sync), and every seat held by a sales user who cannot use it — " +
			"its CRM user is deactivated in Salesforce, or its connection is disconnected so it is suspended. " +
			"Covers the whole account, also seats held outside this configuration. CRM data is as the platform last synced it; a connection's status as last checked " +
			"(a refresh of the `salesseat_crm_connection` checks it). Use it in a `check` block that warns on every plan while seats are wasted, " +
			"and put `summary` in a pull request comment (see the guide *Seat report*).",
		Attributes: map[string]schema.Attribute{
			"seat_limit":      count("Seats the account has bought."),
			"seats_used":      count("Seats in use: every sales user not in the recycle bin, suspended ones included."),
			"seats_available": count("Free seats."),
			"seats_wasted":    count("Seats held by sales users who cannot use them (the length of `wasted`)."),
			"by_connection": schema.MapNestedAttribute{
				MarkdownDescription: "Seats per connection, by connection ID (connections without sales users are left out).",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"connection_name": str("Name of the connection."),
					"status":          str("`connected` or `disconnected`."),
					"seats":           count("Seats its sales users hold."),
				}},
			},
			"by_role":            counts("Seats per effective role (the explicit role, or the profile mapping's), e.g. `{ sales = 12, marketing = 3 }`."),
			"seats_without_role": count("Seats of sales users without a role (no explicit role and no mapping for their profile)."),
			"by_team":            counts("Seats per team."),
			"seats_without_team": count("Seats of sales users without a team."),
			"by_origin":          counts("Seats per origin: `api` (imported through the API, Terraform included) and `automatic_sync` (imported by the platform: `auto_import_crm_users` or `user_management_group`)."),
			"wasted": schema.ListNestedAttribute{
				MarkdownDescription: "Every wasted seat, sorted by reason, then CRM username. A sales user with both reasons is listed once, as `crm_user_inactive`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"reason": str("`crm_user_inactive` (the CRM user is deactivated in Salesforce: remove the sales user to free the seat) or " +
						"`connection_disconnected` (the connection is disconnected and the sales user suspended: re-authorize the connection)."),
					"sales_user_id": str("ID of the sales user."),
					"connection_id": str("Its connection."),
					"crm_user_id":   str("Salesforce ID of its CRM user."),
					"crm_username":  str("Its CRM username."),
					"email":         str("Its email; null when none."),
					"name":          str("Its full name; null when none."),
					"role":          str("Its effective role; null without one."),
					"team":          str("Its team; null without one."),
				}},
			},
			"summary": str("The report as a short Markdown text for a pull request comment or a CI log: seats used and free, and each wasted seat with its reason."),
		},
	}
}

// Configure receives the provider data.
func (d *seatReportDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, "Data Source", &resp.Diagnostics)
}

// Read reads the report.
func (d *seatReportDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	rep, err := d.data.client.Account.SeatReport(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "read the seat report", err, nil)
		return
	}
	model := seatReportModel(rep)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// seatReportModel converts the API's report into the data source's model.
func seatReportModel(rep *client.SeatReport) seatReportDataSourceModel {
	m := seatReportDataSourceModel{
		SeatLimit: types.Int64Value(int64(rep.SeatLimit)), SeatsUsed: types.Int64Value(int64(rep.SeatsUsed)),
		SeatsAvailable: types.Int64Value(int64(rep.SeatsAvailable)), SeatsWasted: types.Int64Value(int64(len(rep.Wasted))),
	}
	conns := map[string]attr.Value{}
	for _, c := range rep.ByConnection {
		conns[c.ConnectionID] = types.ObjectValueMust(seatsByConnectionAttrTypes, map[string]attr.Value{
			"connection_name": stringOrNull(c.ConnectionName), "status": stringOrNull(c.Status), "seats": types.Int64Value(int64(c.Seats)),
		})
	}
	m.ByConnection = types.MapValueMust(types.ObjectType{AttrTypes: seatsByConnectionAttrTypes}, conns)
	var noRole, noTeam int64
	m.ByRole, noRole = countsMap(rep.ByRole)
	m.ByTeam, noTeam = countsMap(rep.ByTeam)
	m.ByOrigin, _ = countsMap(rep.ByOrigin)
	m.SeatsWithoutRole, m.SeatsWithoutTeam = types.Int64Value(noRole), types.Int64Value(noTeam)
	wasted := make([]attr.Value, 0, len(rep.Wasted))
	for _, w := range rep.Wasted {
		wasted = append(wasted, types.ObjectValueMust(wastedSeatAttrTypes, map[string]attr.Value{
			"reason": types.StringValue(w.Reason), "sales_user_id": stringOrNull(w.SalesUserID), "connection_id": stringOrNull(w.ConnectionID),
			"crm_user_id": stringOrNull(w.CRMUserID), "crm_username": stringOrNull(w.CRMUsername), "email": stringOrNull(w.Email),
			"name": stringOrNull(w.Name), "role": stringOrNull(w.Role), "team": stringOrNull(w.Team),
		}))
	}
	m.Wasted = types.ListValueMust(types.ObjectType{AttrTypes: wastedSeatAttrTypes}, wasted)
	m.Summary = types.StringValue(seatReportSummary(rep))
	return m
}

// countsMap turns the API's counts into a map; the count of key "" (none)
// is returned apart.
func countsMap(counts []client.SeatCount) (types.Map, int64) {
	m := map[string]attr.Value{}
	var none int64
	for _, c := range counts {
		if c.Key == "" {
			none += int64(c.Seats)
			continue
		}
		m[c.Key] = types.Int64Value(int64(c.Seats))
	}
	return types.MapValueMust(types.Int64Type, m), none
}

// summaryMaxWasted bounds the wasted seats the summary lists, so a
// disconnected connection with thousands of sales users stays a readable
// warning and a pull request comment within the forge's size limit.
const summaryMaxWasted = 50

// markdownEscaper escapes what Markdown would read as emphasis or code in
// names and usernames.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)

// seatReportSummary is the report as Markdown for a pull request comment.
func seatReportSummary(rep *client.SeatReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Seats:** %d of %d used, %d free", rep.SeatsUsed, rep.SeatLimit, rep.SeatsAvailable)
	if len(rep.Wasted) == 0 {
		b.WriteString("; none wasted.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "; **%d wasted**:\n", len(rep.Wasted))
	for i, w := range rep.Wasted {
		if i == summaryMaxWasted {
			fmt.Fprintf(&b, "- and %d more (see the data source's wasted list)\n", len(rep.Wasted)-i)
			break
		}
		why := "deactivated in Salesforce: remove the sales user to free the seat"
		if w.Reason == client.WasteConnectionDisconnected {
			why = "suspended, connection " + w.ConnectionID + " is disconnected: re-authorize it"
		}
		who := w.CRMUsername
		if w.Name != "" {
			who = w.Name + " (" + w.CRMUsername + ")"
		}
		fmt.Fprintf(&b, "- %s: %s\n", markdownEscaper.Replace(who), why)
	}
	return b.String()
}
