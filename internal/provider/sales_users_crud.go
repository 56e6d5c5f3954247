package provider

// The salesseat_sales_users apply: Create, Update and Delete send the
// roster's changes in batches; Read refreshes sales_users.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// apply resolves the roster again (the connection may have been created in
// this apply), sends its changes in batches, removals first, and returns the
// new state: what was applied. Items that fail are errors naming the member;
// the members that were applied are in the state all the same, so the next
// plan retries only the failures. prior is nil for a create.
func (r *salesUsersResource) apply(ctx context.Context, planned, prior rosterAttrs, diags *diag.Diagnostics) rosterAttrs {
	spec := specOf(planned)
	connID := spec.connectionID
	owned := map[string]bool{}
	var priorEntries map[string]tftypes.Value
	if prior != nil {
		owned = ownedSet(prior)
		priorEntries = mapOf(prior["sales_users"])
	}
	want := r.desired(ctx, spec, diags)
	if diags.HasError() {
		return prior
	}
	d, err := r.diff(ctx, connID, want, owned, spec.exclusive)
	if err != nil {
		addAPIError(diags, "read the sales users of connection "+connID+" to apply the roster", err, nil)
		return prior
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
		return nil
	}

	entries := map[string]tftypes.Value{}
	opsByID := map[string]int{}
	for i, op := range d.ops {
		opsByID[op.crmID] = i
	}
	for id := range d.want {
		i, hasOp := opsByID[id]
		switch {
		case hasOp && results[i] != nil:
			entries[id] = rosterEntry(results[i])
		case d.current[id] != nil:
			entries[id] = rosterEntry(d.current[id]) // unchanged, or its update failed
		}
	}
	for i, op := range d.ops {
		if op.want == nil && failed[i] {
			// A removal that failed: still held, so the next plan tries again.
			if e, ok := priorEntries[op.crmID]; ok {
				entries[op.crmID] = e
			} else if op.cur != nil {
				entries[op.crmID] = rosterEntry(op.cur)
			}
		}
	}
	out := maps.Clone(planned)
	out["id"] = tfString(connID)
	out["sales_users"] = entriesValue(entries)
	return out
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

// refresh updates sales_users in state from the connection's sales users:
// members deleted outside Terraform drop out (the next plan adds them back),
// CRM users deactivated in Salesforce show crm_active = false and a warning.
// It returns false when the roster's connection is gone, which removes the
// roster from the state.
func (r *salesUsersResource) refresh(ctx context.Context, state rosterAttrs, diags *diag.Diagnostics) bool {
	connID := stringOf(state["connection_id"])
	held := mapOf(state["sales_users"])
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		addAPIError(diags, "read the sales users of connection "+connID, err, nil)
		return true
	}
	if len(current) == 0 && len(held) > 0 {
		// Listing the sales users of a connection that no longer exists
		// answers an empty list; ask for the connection itself.
		if _, err := r.data.client.Connections.Read(ctx, connID); errors.Is(err, client.ErrNotFound) {
			tflog.Info(ctx, "The roster's connection is gone; removing the roster from the state", map[string]any{"connection_id": connID})
			return false
		}
	}
	entries := make(map[string]tftypes.Value, len(held))
	var inactive []string
	for id := range held {
		su, ok := current[id]
		if !ok {
			continue
		}
		entries[id] = rosterEntry(su)
		if !su.CRMActive {
			inactive = append(inactive, fmt.Sprintf("%q (%s)", su.CRMUsername, id))
		}
	}
	if len(inactive) > 0 {
		diags.AddWarning("CRM Users Deactivated", fmt.Sprintf(
			"%s of the roster on connection %s %s inactive in Salesforce but still %s a seat: %s. Reactivate them in Salesforce, or remove them from the roster to free the seats.",
			plural(len(inactive), "1 member", fmt.Sprintf("%d members", len(inactive))), connID, plural(len(inactive), "is", "are"),
			plural(len(inactive), "holds", "hold"), joinFirst(inactive, 10)))
	}
	state["sales_users"] = entriesValue(entries)
	return true
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

// remove removes the roster's sales users in batches; they go to the
// recycle bin, as a salesseat_sales_user's do. It returns the new state:
// nil, or what could not be removed, so a later destroy tries again.
func (r *salesUsersResource) remove(ctx context.Context, state rosterAttrs, diags *diag.Diagnostics) rosterAttrs {
	if state == nil {
		return nil
	}
	connID := stringOf(state["connection_id"])
	// A connection that is gone lists no sales users: nothing to remove.
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		addAPIError(diags, "read the sales users of connection "+connID+" to remove the roster", err, nil)
		return state
	}
	var ops []rosterOp
	for _, id := range slices.Sorted(maps.Keys(ownedSet(state))) {
		if su, ok := current[id]; ok {
			ops = append(ops, rosterOp{crmID: id, cur: su, item: client.ValidateItem{Action: client.ValidateActionRemove, SalesUserID: su.ID}})
		}
	}
	_, failed := r.send(ctx, connID, ops, true, diags)
	if b := boolOf(state["purge_on_destroy"]); b != nil && *b {
		r.purge(ctx, ops, failed, diags)
	}
	if len(failed) == 0 {
		return nil
	}
	held := mapOf(state["sales_users"])
	entries := map[string]tftypes.Value{}
	for i := range failed {
		if e, ok := held[ops[i].crmID]; ok {
			entries[ops[i].crmID] = e
		}
	}
	out := maps.Clone(state)
	out["sales_users"] = entriesValue(entries)
	return out
}

// purge purges the sales users the roster's destroy removed (purge_on_destroy),
// one request each (the API has no batch purge); failures are one error
// naming them.
func (r *salesUsersResource) purge(ctx context.Context, ops []rosterOp, failed map[int]bool, diags *diag.Diagnostics) {
	var left []string
	var lastErr error
	for i, op := range ops {
		if failed[i] {
			continue
		}
		if err := r.data.client.RecycleBin.Purge(ctx, op.cur.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			left = append(left, fmt.Sprintf("%s (%s)", op.cur.ID, op.cur.CRMUsername))
			lastErr = err
		}
	}
	r.data.wrote()
	if len(left) > 0 {
		diags.AddError("Roster Purged In Part", fmt.Sprintf(
			"The roster's %d sales users were removed, but %d of them could not be purged from the recycle bin (purge_on_destroy = true) and still hold their CRM usernames: %s. "+
				"Purge them in the platform (or DELETE /api/v1/recycle-bin/<ID>). Last error: %s",
			len(ops)-len(failed), len(left), joinFirst(left, 10), lastErr))
	}
}

// importState adopts every sales user of a connection as a member: the
// import ID is the connection ID. The members keep their explicit roles,
// teams and hidden components, so configuration generated from the state
// (terraform plan -generate-config-out) plans no change. It returns nil when
// the import fails.
func (r *salesUsersResource) importState(ctx context.Context, id string, diags *diag.Diagnostics) rosterAttrs {
	connID := strings.TrimSpace(id)
	if connID == "" || strings.ContainsAny(connID, " /") {
		diags.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID of a salesseat_sales_users roster is the ID of its connection (`conn_…`), e.g. import { to = salesseat_sales_users.x, id = \"conn_…\" }; got %q.", id))
		return nil
	}
	if _, err := r.data.client.Connections.Read(ctx, connID); err != nil {
		addAPIError(diags, "read connection "+connID+" to import its sales users", err, nil)
		return nil
	}
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		addAPIError(diags, "list the sales users of connection "+connID, err, nil)
		return nil
	}
	t := rosterTypes()
	members := make(map[string]tftypes.Value, len(current))
	entries := make(map[string]tftypes.Value, len(current))
	for id, su := range current {
		role := tfNullString
		if su.RoleSource == client.RoleSourceExplicit {
			role = tfString(su.Role)
		}
		members[id] = tftypes.NewValue(t.member, map[string]tftypes.Value{
			"role":              role,
			"team":              tfStringOrNull(su.Team),
			"hidden_components": tfStringSetOrNull(su.HiddenComponents),
		})
		entries[id] = rosterEntry(su)
	}
	membersValue := tftypes.NewValue(t.members, members)
	if len(members) == 0 {
		membersValue = tftypes.NewValue(t.members, nil)
	}
	return rosterAttrs{
		"id":               tfString(connID),
		"connection_id":    tfString(connID),
		"members":          membersValue,
		"select":           tftypes.NewValue(t.selectList, nil),
		"exclusive":        tfBool(false),
		"purge_on_destroy": tfBool(false),
		"sales_users":      entriesValue(entries),
	}
}
