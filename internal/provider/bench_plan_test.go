package provider

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
		RestoreFromRecycleBin: types.BoolValue(true),
	}
	n := types.StringNull()
	config = salesUserResourceModel{
		ID: n, ConnectionID: plan.ConnectionID, CRMUserID: plan.CRMUserID, CRMUsername: n,
		Role: plan.Role, EffectiveRole: n, RoleSource: n, Team: n, HiddenComponents: types.SetNull(types.StringType),
		Email: n, FirstName: n, LastName: n, CRMActive: types.BoolNull(), CRMProfileID: n, CRMProfileName: n, Status: n,
		AdoptedExistingUser: types.BoolNull(), PlatformUserID: n, CreatedBy: n, RestoreFromRecycleBin: types.BoolNull(),
	}
	return plan, config
}
