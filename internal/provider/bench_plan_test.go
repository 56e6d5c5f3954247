package provider

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

// BenchmarkSalesUserPlanCreates1k plans 1,000 salesseat_sales_user creates
// the way Terraform does (ten ModifyPlan calls at a time, each with its own
// dry run) with new provider data per operation, and reports the dry-run
// (validate) calls from the sandbox's counters. Concurrent plan calls share
// a batched dry run, so a plan of N creates must stay within N/10 + 10.
func BenchmarkSalesUserPlanCreates1k(b *testing.B) {
	const creates, parallelism = 1000, 10
	o := startBenchOrg(b, 1500, 0)
	if _, err := o.Sandbox.Platform().SetSeatLimit(10 * creates); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var ids []string
	active := true
	for u, err := range o.providerData(b).client.CRM.ListUsers(ctx, o.ConnectionID, client.CRMUserListOptions{Active: &active, PageSize: pageSize}) {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	// Keep the CRM users an import takes (the fixture's named users include
	// the service account and reserved usernames).
	items := make([]client.ValidateItem, len(ids))
	for i, id := range ids {
		items[i] = client.ValidateItem{Action: client.ValidateActionCreate, ConnectionID: o.ConnectionID, CRMUserID: id, Role: &[]string{"sales"}[0]}
	}
	res, err := o.providerData(b).client.SalesUsers.Validate(ctx, client.ValidateOptions{Items: items})
	if err != nil {
		b.Fatal(err)
	}
	ids = ids[:0]
	for _, it := range res.Items {
		if it.Valid && len(ids) < creates {
			ids = append(ids, items[it.Index].CRMUserID)
		}
	}
	if len(ids) < creates {
		b.Fatalf("the org has %d active CRM users, want %d", len(ids), creates)
	}
	r := &salesUserResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	requests := make([]resource.ModifyPlanRequest, creates)
	for i, id := range ids {
		plan, config := benchCreateModels(o.ConnectionID, id)
		p := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
		c := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
		if d := p.Set(ctx, &plan); d.HasError() {
			b.Fatal(d)
		}
		if d := c.Set(ctx, &config); d.HasError() {
			b.Fatal(d)
		}
		requests[i] = resource.ModifyPlanRequest{
			Plan: p, Config: tfsdk.Config{Schema: sr.Schema, Raw: c.Raw},
			State: tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)},
		}
	}

	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		r := &salesUserResource{data: newProviderData(o.providerData(b).client)}
		work := make(chan resource.ModifyPlanRequest)
		var wg sync.WaitGroup
		var failed sync.Once
		for range parallelism {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for req := range work {
					resp := resource.ModifyPlanResponse{Plan: req.Plan}
					r.ModifyPlan(ctx, req, &resp)
					if resp.Diagnostics.HasError() {
						failed.Do(func() { b.Errorf("plan: %v", resp.Diagnostics) })
					}
				}
			}()
		}
		for _, req := range requests {
			work <- req
		}
		close(work)
		wg.Wait()
	}
	var validates int
	for route, n := range o.Sandbox.Counters() {
		if strings.HasSuffix(route, "/sales-users/validate") {
			validates += n
		}
	}
	perOp := validates / b.N
	b.ReportMetric(float64(perOp), "validate-calls/op")
	if limit := creates/10 + 10; perOp > limit {
		b.Errorf("a plan of %d creates made %d dry-run calls, want at most %d", creates, perOp, limit)
	}
}

// benchCreateModels are the plan and the configuration of a sales user
// create for a CRM user by ID, with the role set.
func benchCreateModels(connectionID, crmUserID string) (plan, config salesUserResourceModel) {
	u := types.StringUnknown()
	plan = salesUserResourceModel{
		ID: u, ConnectionID: types.StringValue(connectionID), CRMUserID: sfidtype.NewIDValue(crmUserID), CRMUsername: u,
		Role: types.StringValue("sales"), EffectiveRole: u, RoleSource: u, Team: types.StringNull(),
		HiddenComponents: types.SetValueMust(types.StringType, nil), Email: u, FirstName: u, LastName: u, CRMActive: types.BoolUnknown(),
		CRMProfileID: u, CRMProfileName: u, Status: u, AdoptedExistingUser: types.BoolUnknown(), PlatformUserID: u, CreatedBy: u,
		RestoreFromRecycleBin: types.BoolValue(true), PurgeOnDestroy: types.BoolValue(false),
	}
	return plan, salesUserConfigModel(plan.ConnectionID, plan.CRMUserID, plan.Role)
}

// salesUserConfigModel is the configuration of a salesseat_sales_user that
// sets the connection, the CRM user by ID and role (null to follow the
// mapping), and nothing else.
func salesUserConfigModel(connectionID types.String, crmUserID sfidtype.ID, role types.String) salesUserResourceModel {
	n := types.StringNull()
	return salesUserResourceModel{
		ID: n, ConnectionID: connectionID, CRMUserID: crmUserID, CRMUsername: n, Role: role, EffectiveRole: n, RoleSource: n, Team: n,
		HiddenComponents: types.SetNull(types.StringType), Email: n, FirstName: n, LastName: n, CRMActive: types.BoolNull(), CRMProfileID: n,
		CRMProfileName: n, Status: n, AdoptedExistingUser: types.BoolNull(), PlatformUserID: n, CreatedBy: n,
		RestoreFromRecycleBin: types.BoolNull(), PurgeOnDestroy: types.BoolNull(),
	}
}

// BenchmarkSalesUserNoopPlan1k drives the refresh and the no-op plan of
// 1,000 salesseat_sales_user instances through the provider's protocol
// server, as Terraform does (a new server per operation, configured, then
// ReadResource and PlanResourceChange per instance), and asserts that every
// plan is the prior state. It reports the provisioning API calls per
// operation (one listing of the connection's sales users).
func BenchmarkSalesUserNoopPlan1k(b *testing.B) {
	const n = 1000
	o := startBenchOrg(b, 1500, n)
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&salesUserResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := salesUserObjectType()
	type instance struct{ state, config *tfprotov6.DynamicValue }
	var instances []instance
	for su, err := range o.providerData(b).client.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: o.ConnectionID, PageSize: pageSize}) {
		if err != nil {
			b.Fatal(err)
		}
		var m salesUserResourceModel
		if d := m.fromAPI(ctx, su); d.HasError() {
			b.Fatal(d)
		}
		m.RestoreFromRecycleBin, m.PurgeOnDestroy = types.BoolValue(true), types.BoolValue(false)
		st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
		if d := st.Set(ctx, &m); d.HasError() {
			b.Fatal(d)
		}
		config := salesUserConfigModel(m.ConnectionID, m.CRMUserID, types.StringNull())
		ct := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
		if d := ct.Set(ctx, &config); d.HasError() {
			b.Fatal(d)
		}
		sv, err := tfprotov6.NewDynamicValue(typ, st.Raw)
		if err != nil {
			b.Fatal(err)
		}
		cv, err := tfprotov6.NewDynamicValue(typ, ct.Raw)
		if err != nil {
			b.Fatal(err)
		}
		instances = append(instances, instance{state: &sv, config: &cv})
	}
	if len(instances) != n {
		b.Fatalf("%d sales users, want %d", len(instances), n)
	}
	creds := o.Sandbox.Credentials()
	schemaResp, err := func() (*tfprotov6.GetProviderSchemaResponse, error) {
		s, err := NewProtocol6Server("bench")()
		if err != nil {
			return nil, err
		}
		return s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	}()
	if err != nil {
		b.Fatal(err)
	}
	providerType := schemaResp.Provider.ValueType()
	providerConfig := map[string]tftypes.Value{}
	for name, t := range mustType[tftypes.Object](providerType).AttributeTypes {
		providerConfig[name] = tftypes.NewValue(t, nil)
	}
	providerConfig["endpoint"] = tftypes.NewValue(tftypes.String, creds.Endpoint)
	providerConfig["client_id"] = tftypes.NewValue(tftypes.String, creds.ClientID)
	providerConfig["client_secret"] = tftypes.NewValue(tftypes.String, creds.ClientSecret)
	pc, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, providerConfig))
	if err != nil {
		b.Fatal(err)
	}

	o.Sandbox.ResetCounters()
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewProtocol6Server("bench")()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
			b.Fatal(err)
		}
		conf, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pc})
		if err != nil || len(conf.Diagnostics) > 0 {
			b.Fatalf("configure: %v %+v", err, conf.Diagnostics)
		}
		for _, in := range instances {
			read, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: salesUserTypeName, CurrentState: in.state})
			if err != nil || len(read.Diagnostics) > 0 {
				b.Fatalf("read: %v %+v", err, read.Diagnostics[0])
			}
			plan, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: salesUserTypeName, PriorState: read.NewState, ProposedNewState: read.NewState, Config: in.config,
			})
			if err != nil || len(plan.Diagnostics) > 0 {
				b.Fatalf("plan: %v %+v", err, plan.Diagnostics)
			}
			planned, _ := plan.PlannedState.Unmarshal(typ)
			prior, _ := read.NewState.Unmarshal(typ)
			if !planned.Equal(prior) {
				b.Fatal("the no-op plan changes the sales user")
			}
		}
	}
	o.reportCalls(b)
}
