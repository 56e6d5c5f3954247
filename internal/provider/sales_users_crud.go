package provider

// The salesseat_sales_users apply: Create, Update and Delete send the
// roster's changes in batches; Read refreshes sales_users.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// Create applies a new roster.
func (r *salesUsersResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan salesUsersModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, nil, &resp.State, &resp.Diagnostics)
}

// Update applies a changed roster.
func (r *salesUsersResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, state salesUsersModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, &state, &resp.State, &resp.Diagnostics)
}

// stateSetter is the part of tfsdk.State that apply needs.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// apply resolves the roster again (the connection may have been created in
// this apply), sends its changes in batches, removals first, and saves what
// was applied. Items that fail are errors naming the member; the members
// that were applied are in the state all the same, so the next plan retries
// only the failures.
func (r *salesUsersResource) apply(ctx context.Context, plan salesUsersModel, prior *salesUsersModel, out stateSetter, diags *diag.Diagnostics) {
	connID := plan.ConnectionID.ValueString()
	owned := map[string]bool{}
	priorEntries := map[string]attr.Value{}
	if prior != nil {
		owned = ownedSet(*prior)
		if !prior.SalesUsers.IsNull() && !prior.SalesUsers.IsUnknown() {
			priorEntries = prior.SalesUsers.Elements()
		}
	}
	want := r.desired(ctx, plan, diags)
	if diags.HasError() {
		return
	}
	d, err := r.diff(ctx, connID, want, owned, plan.Exclusive.ValueBool())
	if err != nil {
		addAPIError(diags, "read the sales users of connection "+connID+" to apply the roster", err, nil)
		return
	}
	results, failed := r.send(ctx, connID, d.ops, prior != nil, diags)
	if prior == nil && len(failed) > 0 {
		// Terraform taints a resource whose create fails, and replacing a
		// tainted roster would remove and restore every member that was
		// applied. So a first apply that fails in part saves no state: the
		// members it applied are live on the connection, and the next apply
		// takes them over (as after an interrupted apply) and sends only
		// what failed.
		diags.AddError("Roster Applied In Part", fmt.Sprintf(
			"%d of %d changes of the roster on connection %s were applied; the others failed (see the errors above). "+
				"Terraform records the roster once all of its changes are applied: run terraform apply again, and it takes over the sales users "+
				"already imported and retries only what failed.", len(d.ops)-len(failed), len(d.ops), connID))
		return
	}

	entries := map[string]attr.Value{}
	opsByID := map[string]int{}
	for i, op := range d.ops {
		opsByID[op.crmID] = i
	}
	for id, w := range d.want {
		i, hasOp := opsByID[id]
		switch {
		case hasOp && results[i] != nil:
			entries[id] = rosterEntry(results[i], w.source)
		case d.current[id] != nil:
			entries[id] = rosterEntry(d.current[id], w.source) // unchanged, or its update failed
		}
	}
	for i, op := range d.ops {
		if op.want == nil && failed[i] {
			// A removal that failed: still held, so the next plan tries again.
			if e, ok := priorEntries[op.crmID]; ok {
				entries[op.crmID] = e
			} else if op.cur != nil {
				entries[op.crmID] = rosterEntry(op.cur, "removed")
			}
		}
	}
	plan.ID = types.StringValue(connID)
	plan.SalesUsers = types.MapValueMust(rosterEntryType, entries)
	diags.Append(out.Set(ctx, &plan)...)
}

// send applies ops in batches of client.MaxBatchItems, in order (removals
// come first in ops). It returns the resulting sales user of each applied op
// and marks the failed ones, each reported as an error naming its member.
// A batch the API refuses as a whole fails all its items; the batches
// after it are still sent, so one bad batch does not hold back the rest.
//
// recorded says whether what is applied is saved in the state even when
// something fails (not so for a roster's first apply), for the messages.
func (r *salesUsersResource) send(ctx context.Context, connID string, ops []rosterOp, recorded bool, diags *diag.Diagnostics) (map[int]*client.SalesUser, map[int]bool) {
	results := map[int]*client.SalesUser{}
	failed := map[int]bool{}
	if len(ops) == 0 {
		return results, failed
	}
	defer r.data.wrote()
	for start := 0; start < len(ops); start += client.MaxBatchItems {
		chunk := ops[start:min(start+client.MaxBatchItems, len(ops))]
		items := make([]client.ValidateItem, len(chunk))
		for i, op := range chunk {
			items[i] = op.item
			items[i].ConnectionID = ""
		}
		res, err := r.data.client.SalesUsers.Batch(ctx, client.SalesUserBatchOptions{ConnectionID: connID, Items: items})
		if err != nil {
			for i := range chunk {
				failed[start+i] = true
			}
			addAPIError(diags, fmt.Sprintf("apply %d changes of the roster on connection %s (they stay planned; run terraform apply again)", len(chunk), connID), err, nil)
			continue
		}
		tflog.Debug(ctx, "Applied a roster batch", map[string]any{"connection_id": connID, "applied": res.Applied, "failed": res.Failed})
		for _, it := range res.Items {
			i := start + it.Index
			op := ops[i]
			if it.Applied {
				results[i] = it.SalesUser
				continue
			}
			if op.want == nil && errors.Is(it.Problem, client.ErrNotFound) {
				continue // removed meanwhile: what the removal wanted
			}
			failed[i] = true
			summary, body := describeProblem(it.Problem)
			who, source, at := "CRM user "+op.crmID, op.why, (*wantMember)(nil)
			if op.want != nil {
				who, source, at = op.want.describe(it.CRMUsername), op.want.source, op.want
			} else if op.cur != nil {
				who = fmt.Sprintf("%q (%s)", op.cur.CRMUsername, op.crmID)
			}
			after := "the changes that went through are in the state, and the next terraform apply retries only this one and the other failures"
			if !recorded {
				after = "the next terraform apply takes over the sales users that were imported and retries this one"
			}
			detail := fmt.Sprintf("Sales user %s of the roster (%s) could not be %s; %s. %s\n\nOriginal error: %s",
				who, source, actionVerb(op.item.Action), after, body, it.Problem)
			if at != nil {
				diags.AddAttributeError(at.at, summary, detail)
			} else {
				diags.AddError(summary, detail)
			}
		}
	}
	return results, failed
}

// Read refreshes sales_users from the connection's sales users: members
// deleted outside Terraform drop out (the next plan adds them back), CRM
// users deactivated in Salesforce show crm_active = false and a warning.
func (r *salesUsersResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state salesUsersModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	connID := state.ConnectionID.ValueString()
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		addAPIError(&resp.Diagnostics, "read the sales users of connection "+connID, err, nil)
		return
	}
	if len(current) == 0 && len(state.SalesUsers.Elements()) > 0 {
		// Listing the sales users of a connection that no longer exists
		// answers an empty list; ask for the connection itself.
		if _, err := r.data.client.Connections.Read(ctx, connID); errors.Is(err, client.ErrNotFound) {
			tflog.Info(ctx, "The roster's connection is gone; removing the roster from the state", map[string]any{"connection_id": connID})
			resp.State.RemoveResource(ctx)
			return
		}
	}
	entries := map[string]attr.Value{}
	var inactive []string
	if !state.SalesUsers.IsNull() && !state.SalesUsers.IsUnknown() {
		for id, e := range state.SalesUsers.Elements() {
			su, ok := current[id]
			if !ok {
				continue
			}
			source := "members"
			if obj, ok := e.(types.Object); ok {
				if s, ok := obj.Attributes()["source"].(types.String); ok && !s.IsNull() && !s.IsUnknown() {
					source = s.ValueString()
				}
			}
			entries[id] = rosterEntry(su, source)
			if !su.CRMActive {
				inactive = append(inactive, fmt.Sprintf("%q (%s)", su.CRMUsername, id))
			}
		}
	}
	if len(inactive) > 0 {
		resp.Diagnostics.AddWarning("CRM Users Deactivated", fmt.Sprintf(
			"%s of the roster on connection %s %s inactive in Salesforce but still %s a seat: %s. Reactivate them in Salesforce, or remove them from the roster to free the seats.",
			plural(len(inactive), "1 member", fmt.Sprintf("%d members", len(inactive))), connID, plural(len(inactive), "is", "are"),
			plural(len(inactive), "holds", "hold"), joinFirst(inactive, 10)))
	}
	state.SalesUsers = types.MapValueMust(rosterEntryType, entries)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// joinFirst joins the first n items, saying how many more there are.
func joinFirst(items []string, n int) string {
	slices.Sort(items)
	out := ""
	for i, s := range items {
		if i == n {
			return out + fmt.Sprintf(" and %d more", len(items)-n)
		}
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// Delete removes the roster's sales users in batches; they go to the
// recycle bin, as a salesseat_sales_user's do.
func (r *salesUsersResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state salesUsersModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	connID := state.ConnectionID.ValueString()
	// A connection that is gone lists no sales users: nothing to remove.
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		addAPIError(&resp.Diagnostics, "read the sales users of connection "+connID+" to remove the roster", err, nil)
		return
	}
	var ops []rosterOp
	for _, id := range slices.Sorted(maps.Keys(ownedSet(state))) {
		if su, ok := current[id]; ok {
			ops = append(ops, rosterOp{crmID: id, cur: su, item: client.ValidateItem{Action: client.ValidateActionRemove, SalesUserID: su.ID}})
		}
	}
	_, failed := r.send(ctx, connID, ops, true, &resp.Diagnostics)
	if len(failed) > 0 {
		// Keep what could not be removed, so a later destroy tries again.
		entries := map[string]attr.Value{}
		held := state.SalesUsers.Elements()
		for i := range failed {
			if e, ok := held[ops[i].crmID]; ok {
				entries[ops[i].crmID] = e
			}
		}
		state.SalesUsers = types.MapValueMust(rosterEntryType, entries)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}
