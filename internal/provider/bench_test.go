package provider

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sandboxtest"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// The benchmarks here measure what a plan of a large org costs the provider:
// reading the salesseat_crm_users data source over 50,000 CRM users, and the
// sales user cache that serves the refresh of 10,000 salesseat_sales_user
// resources. They run against the in-process sandbox and report, from its
// request counters, the requests per operation:
//
//   - api-calls/op: requests to the provisioning API, token included;
//   - crm-calls/op: requests the platform's connector made to the simulated
//     Salesforce org to answer them.
//
// Each operation uses new provider data (client, ledger, cache), as a new
// provider process does; the HTTP transport is shared so that operations do
// not leave idle connections behind. Allocations include the in-process
// sandbox's; BenchmarkCRMUsersStateSet50k isolates the framework conversion.

// benchOrg is a large sandbox org (see sandboxtest.StartLargeOrg).
type benchOrg struct{ *sandboxtest.LargeOrg }

// startBenchOrg starts a large sandbox org; see sandboxtest.StartLargeOrg.
func startBenchOrg(b *testing.B, generated, salesUsers int) *benchOrg {
	b.Helper()
	return &benchOrg{sandboxtest.StartLargeOrg(b, generated, salesUsers)}
}

// providerData returns new provider data talking to the sandbox, as the
// Configure of a new provider process makes.
func (o *benchOrg) providerData(b *testing.B) *providerData { return o.providerDataT(b) }

// providerDataT is providerData for tests and benchmarks alike.
func (o *benchOrg) providerDataT(b testing.TB) *providerData {
	b.Helper()
	creds := o.Sandbox.Credentials()
	c, err := client.New(client.Config{
		Endpoint: creds.Endpoint, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, HTTPClient: o.HTTPClient,
	})
	if err != nil {
		b.Fatalf("client.New: %v", err)
	}
	return &providerData{client: c, ledger: newSeatLedger(), salesUsers: newSalesUserCache()}
}

// reportCalls reports the requests counted since the last ResetCounters,
// per operation.
func (o *benchOrg) reportCalls(b *testing.B) {
	b.Helper()
	var api, crm int
	for route, n := range o.Sandbox.Counters() {
		if strings.Contains(route, " /services/") || strings.Contains(route, " /id/") {
			crm += n
		} else {
			api += n
		}
	}
	b.ReportMetric(float64(api)/float64(b.N), "api-calls/op")
	b.ReportMetric(float64(crm)/float64(b.N), "crm-calls/op")
}

// benchCRMUsersSchema returns the schema of the salesseat_crm_users data
// source and a null value of its type.
func benchCRMUsersSchema(b *testing.B) (tfsdk.Config, tftypes.Value) {
	b.Helper()
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewCRMUsersDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		b.Fatalf("Schema: %v", resp.Diagnostics)
	}
	return tfsdk.Config{Schema: resp.Schema}, tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)
}

// BenchmarkCRMUsersDataSourceRead50k reads the salesseat_crm_users data
// source without filters over an org of 50,000 users: the client lists them
// in pages of 1,000 (about 50 requests plus a token) and the framework
// converts them into the users list.
func BenchmarkCRMUsersDataSourceRead50k(b *testing.B) {
	o := startBenchOrg(b, 50000, 0)
	ctx := context.Background()
	config, null := benchCRMUsersSchema(b)
	st := tfsdk.State{Schema: config.Schema, Raw: null}
	if d := st.Set(ctx, &crmUsersDataSourceModel{ConnectionID: types.StringValue(o.ConnectionID), Users: types.ListNull(types.ObjectType{AttrTypes: crmUserAttrTypes})}); d.HasError() {
		b.Fatalf("building the configuration: %v", d)
	}
	config.Raw = st.Raw

	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		d := &crmUsersDataSource{data: o.providerData(b)}
		resp := datasource.ReadResponse{State: tfsdk.State{Schema: config.Schema, Raw: null}}
		d.Read(ctx, datasource.ReadRequest{Config: config}, &resp)
		if resp.Diagnostics.HasError() {
			b.Fatalf("Read: %v", resp.Diagnostics)
		}
		if n := benchListLen(b, resp.State.Raw, "users"); n != o.CRMUsers {
			b.Fatalf("the data source read %d users, want %d", n, o.CRMUsers)
		}
	}
	o.reportCalls(b)
}

// benchListLen returns the length of the list attribute name of an object
// value without converting its elements (which would cost about as much as
// the Read being measured).
func benchListLen(b *testing.B, obj tftypes.Value, name string) int {
	b.Helper()
	var attrs map[string]tftypes.Value
	if err := obj.As(&attrs); err != nil {
		b.Fatalf("reading the state: %v", err)
	}
	var elems []tftypes.Value
	if err := attrs[name].As(&elems); err != nil {
		b.Fatalf("reading %s from the state: %v", name, err)
	}
	return len(elems)
}

// benchCRMUsers returns n CRM users as the client decodes them.
func benchCRMUsers(n int) []*client.CRMUser {
	users := make([]*client.CRMUser, n)
	for i := range users {
		username := fmt.Sprintf("user%05d@acme.example", i)
		users[i] = &client.CRMUser{
			ID: fmt.Sprintf("005G0%010dAAA", i), Username: username, Email: username, FirstName: "User", LastName: strconv.Itoa(i),
			Active: i%10 != 0, ProfileID: "00e5A0000000002QAA", ProfileName: "Sales Rep", UserRole: "West",
		}
	}
	return users
}

// BenchmarkCRMUsersStateSet50k is the provider's part of the data source's
// Read without the listing: converting 50,000 users into the users list (as
// Read does, with crmUserValue) and setting the model into the state. Before
// Read built the list directly, the framework's reflection over a slice of
// structs took about five times as long and as much memory.
func BenchmarkCRMUsersStateSet50k(b *testing.B) {
	ctx := context.Background()
	config, null := benchCRMUsersSchema(b)
	users := benchCRMUsers(50000)
	b.ReportAllocs()
	for b.Loop() {
		elems := make([]attr.Value, 0, len(users))
		for _, u := range users {
			elems = append(elems, crmUserValue(u))
		}
		model := crmUsersDataSourceModel{
			ConnectionID: types.StringValue("conn_bench"),
			Users:        types.ListValueMust(types.ObjectType{AttrTypes: crmUserAttrTypes}, elems),
		}
		st := tfsdk.State{Schema: config.Schema, Raw: null}
		if d := st.Set(ctx, &model); d.HasError() {
			b.Fatalf("State.Set: %v", d)
		}
	}
}

// BenchmarkSalesUserCacheLoad10k serves the refresh of 10,000 sales users of
// one connection from the sales user cache: one listing in pages of 1,000
// (about 10 requests plus a token) instead of 10,000 reads.
func BenchmarkSalesUserCacheLoad10k(b *testing.B) {
	const salesUsers = 10000
	o := startBenchOrg(b, 20000, salesUsers)
	ctx := context.Background()
	setup := o.providerData(b)
	var ids []string
	for su, err := range setup.client.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: o.ConnectionID, PageSize: pageSize}) {
		if err != nil {
			b.Fatalf("SalesUsers.List: %v", err)
		}
		ids = append(ids, su.ID)
	}
	if len(ids) != salesUsers {
		b.Fatalf("listed %d sales users, want %d", len(ids), salesUsers)
	}

	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		data := o.providerData(b)
		for _, id := range ids {
			if su, ok := data.salesUsers.get(ctx, data.client, o.ConnectionID, id); !ok || su.ID != id {
				b.Fatalf("the cache did not serve sales user %s", id)
			}
		}
	}
	o.reportCalls(b)
}

// BenchmarkRosterNoopPlan10k drives what `terraform plan` asks of a roster of
// 10,000 members with no change, through the roster's protocol server: a
// refresh (ReadResource), then PlanResourceChange, each with its encoded
// values, as a new provider process does. The plan must be the state as it
// is; the figures to compare with Terraform's own cost are in `make scale`.
func BenchmarkRosterNoopPlan10k(b *testing.B) {
	const members = 10000
	o := startBenchOrg(b, 20000, members)
	ctx := context.Background()
	server := func() *rosterServer {
		p := &configuredProvider{}
		p.data.Store(o.providerData(b))
		return &rosterServer{configured: p}
	}
	imported, err := server().ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: rosterTypeName, ID: o.ConnectionID})
	if err != nil || len(imported.Diagnostics) > 0 || len(imported.ImportedResources) != 1 {
		b.Fatalf("import: %v %+v", err, imported.Diagnostics)
	}
	state := imported.ImportedResources[0].State
	_, stateAttrs, err := decodeRoster(state)
	if err != nil || len(mapOf(stateAttrs["sales_users"])) != members {
		b.Fatalf("imported state: %v, %d sales users", err, len(mapOf(stateAttrs["sales_users"])))
	}
	config := maps.Clone(stateAttrs)
	config["id"] = tftypes.NewValue(tftypes.String, nil)
	config["sales_users"] = tftypes.NewValue(rosterTypes().salesUsers, nil)
	configValue, err := encodeRoster(config)
	if err != nil {
		b.Fatal(err)
	}

	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		s := server()
		read, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: rosterTypeName, CurrentState: state})
		if err != nil || len(read.Diagnostics) > 0 {
			b.Fatalf("read: %v %+v", err, read.Diagnostics)
		}
		plan, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: rosterTypeName, PriorState: read.NewState, ProposedNewState: read.NewState, Config: configValue,
		})
		if err != nil || len(plan.Diagnostics) > 0 {
			b.Fatalf("plan: %v %+v", err, plan.Diagnostics)
		}
		planned, _, _ := decodeRoster(plan.PlannedState)
		prior, _, _ := decodeRoster(read.NewState)
		if !planned.Equal(prior) {
			b.Fatal("the no-op plan changes the roster")
		}
	}
	o.reportCalls(b)
}

// BenchmarkRosterValidate10k validates the configuration of a roster of
// 10,000 members, as Terraform asks in every walk; it must find nothing.
func BenchmarkRosterValidate10k(b *testing.B) {
	t := rosterTypes()
	members := make(map[string]tftypes.Value, 10000)
	for i := range 10000 {
		members[sfid.FromSeq("005", "G0", i)] = tftypes.NewValue(t.member, map[string]tftypes.Value{
			"role": tfString("sales"), "team": tfString("West"), "hidden_components": tfStringSetOrNull(nil),
		})
	}
	attrs := rosterAttrs{}
	for name, typ := range t.object.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	attrs["connection_id"] = tfString("conn_1")
	attrs["members"] = tftypes.NewValue(t.members, members)
	config, err := encodeRoster(attrs)
	if err != nil {
		b.Fatal(err)
	}
	s := &rosterServer{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := s.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: rosterTypeName, Config: config})
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatalf("validate: %v, %d diagnostics, first %+v", err, len(resp.Diagnostics), resp.Diagnostics[0])
		}
	}
}
