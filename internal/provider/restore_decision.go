package provider

// This file implements restore_from_recycle_bin of salesseat_sales_user.
//
// Deleting a sales user moves it to the platform's recycle bin, where it
// keeps its CRM username until it is purged or restored. Without help, a
// Terraform destroy followed by an apply of the same configuration, a
// -replace, or a replacement forced by a new connection_id cannot create the
// sales user again: the import fails with crm_username_mapped
// (in_recycle_bin: true). With restore_from_recycle_bin = true (the default)
// the plan announces a restore instead, and Create restores the deleted sales
// user and sets its role, team and hidden components as configured. The
// cached lookup of recycle bin entries (recycleBin) is in cache.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// privateKeyReplaces is the private state key under which the first of the
// two plan calls of a replacement hands the replaced sales user to the
// second.
//
// Terraform plans a replacement twice: once with the prior state (which,
// for `terraform apply -replace`, looks like no change at all, so the
// provider cannot tell it is a replacement), and once more with no prior
// state for the create half, passing the private data of the first call
// along. The first call therefore always records the sales user it plans
// for; when the second call sees that record, the create replaces that sales
// user, which will be in the recycle bin, holding the CRM username, by the
// time the create runs. Create and Update drop the key, so it never stays in
// the state.
const privateKeyReplaces = "replaces"

// recycledUser is what the provider knows about a sales user that is in the
// recycle bin, or will be once this plan destroys it.
type recycledUser struct {
	ID           string `json:"id"`
	ConnectionID string `json:"connection_id"`
	CRMUserID    string `json:"crm_user_id"`
	CRMUsername  string `json:"crm_username"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	// ExplicitRole is true when the sales user had a role of its own rather
	// than its profile's mapping. A restore re-checks the sales user's own
	// role, so one that followed the mapping needs its profile mapped.
	ExplicitRole bool `json:"explicit_role"`
	// Purged is true for a sales user this plan replaces whose state sets
	// purge_on_destroy: its destroy empties the recycle bin entry, so the
	// create finds the username free.
	Purged bool `json:"purged,omitempty"`
}

// recycledFromAPI describes a recycle bin entry.
func recycledFromAPI(su *client.SalesUser) recycledUser {
	return recycledUser{
		ID: su.ID, ConnectionID: su.ConnectionID, CRMUserID: su.CRMUserID, CRMUsername: su.CRMUsername,
		FirstName: su.FirstName, LastName: su.LastName, ExplicitRole: su.RoleSource == roleSourceExplicit,
	}
}

// recycledFromModel describes the sales user of a state.
func recycledFromModel(m salesUserResourceModel) recycledUser {
	return recycledUser{
		ID: m.ID.ValueString(), ConnectionID: m.ConnectionID.ValueString(), CRMUserID: m.CRMUserID.ValueString(),
		CRMUsername: m.CRMUsername.ValueString(), FirstName: m.FirstName.ValueString(), LastName: m.LastName.ValueString(),
		ExplicitRole: m.RoleSource.ValueString() == roleSourceExplicit, Purged: m.PurgeOnDestroy.ValueBool(),
	}
}

// name is the user's full name, or "unknown name".
func (u recycledUser) name() string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return "unknown name"
}

// restoreVerdict is whether a sales user whose CRM username is held by a
// deleted sales user can have that sales user restored instead.
type restoreVerdict int

const (
	// restoreNotApplicable: the username is held by a live sales user that
	// this plan does not replace.
	restoreNotApplicable restoreVerdict = iota
	// restoreDisabled: restore_from_recycle_bin is false.
	restoreDisabled
	// restoreEntryMissing: the holder could not be found in the recycle bin
	// (restored or purged meanwhile).
	restoreEntryMissing
	// restoreOtherCRMUser: the holder belongs to another CRM user that had
	// the same username.
	restoreOtherCRMUser
	// restoreOtherConnection: the holder was deleted from another
	// connection, which still exists; a restore would bring it back there.
	restoreOtherConnection
	// restoreForeignConnection: the holder was deleted from another
	// connection, which is gone, and is not the sales user this plan
	// replaces: it belongs to another setup (a module test's, a connection
	// destroyed earlier), and restoring it here would be a surprise.
	restoreForeignConnection
	// restoreOK: restore the holder.
	restoreOK
)

// restoreCase is what decides a restoreVerdict.
type restoreCase struct {
	// Enabled is the value of restore_from_recycle_bin.
	Enabled bool
	// Deleted is true when the holder is in the recycle bin, or is the sales
	// user this plan replaces (and so will be in the bin before the create).
	Deleted bool
	// Holder is the holder, nil when it was not found.
	Holder *recycledUser
	// CRMUserID (normalised, or "" when unknown) and CRMUsername identify
	// the CRM user of the resource.
	CRMUserID, CRMUsername string
	// ConnectionID is the resource's connection.
	ConnectionID string
	// HolderConnectionExists tells whether the holder's connection still
	// exists; consulted only when it differs from ConnectionID.
	HolderConnectionExists bool
	// Replaced is true when the holder is the sales user this plan
	// replaces (this resource's own, e.g. after a new connection_id).
	Replaced bool
}

// needsConnectionCheck reports whether the verdict depends on whether the
// holder's connection still exists.
func (c restoreCase) needsConnectionCheck() bool {
	return c.Holder != nil && c.Holder.ConnectionID != "" && c.Holder.ConnectionID != c.ConnectionID
}

// verdict decides whether the holder is restored.
//
// The CRM user is compared by Salesforce ID when both IDs are known, else by
// username: a username can pass from one Salesforce user to another, and
// restoring the other person's sales user would be wrong. The connection
// matters because a restore brings a sales user back on the connection it
// was deleted from while that connection exists; when it is gone, the
// restore names the resource's connection, which must reach the CRM user's
// org (the plan's dry run has checked that it does).
func (c restoreCase) verdict() restoreVerdict {
	switch {
	case !c.Deleted:
		return restoreNotApplicable
	case !c.Enabled:
		return restoreDisabled
	case c.Holder == nil:
		return restoreEntryMissing
	case !sameCRMUser(*c.Holder, c.CRMUserID, c.CRMUsername):
		return restoreOtherCRMUser
	case c.needsConnectionCheck() && c.HolderConnectionExists:
		return restoreOtherConnection
	case c.needsConnectionCheck() && !c.Replaced:
		return restoreForeignConnection
	}
	return restoreOK
}

// sameCRMUser reports whether the holder belongs to the CRM user with the
// given normalised ID (when known) and username.
func sameCRMUser(holder recycledUser, crmUserID, username string) bool {
	if crmUserID != "" && holder.CRMUserID != "" {
		return normalizedID(holder.CRMUserID) == crmUserID
	}
	return username != "" && strings.EqualFold(strings.TrimSpace(holder.CRMUsername), strings.TrimSpace(username))
}

// restoreWarningText announces the restore of the holder in the plan.
func restoreWarningText(holder recycledUser, replaced bool) string {
	where := "is in the recycle bin"
	if replaced {
		where = "goes to the recycle bin when this plan destroys it"
	}
	return fmt.Sprintf("Sales user %s (%s, %s) %s and will be restored instead of imported anew; set restore_from_recycle_bin = false to be told instead.",
		holder.ID, holder.name(), holder.CRMUsername, where)
}

// restoreRefusalText explains a crm_username_mapped problem whose holder is
// deleted but is not restored, and what to do instead.
func restoreRefusalText(v restoreVerdict, p *client.Error, holder *recycledUser, replaced bool, crmUserID, connectionID string) string {
	var body string
	if replaced {
		body = replacedHolderText(p)
	} else {
		body = usernameMappedText(p)
	}
	var note string
	switch v {
	case restoreDisabled:
		if replaced {
			note = "This resource sets restore_from_recycle_bin = false. Remove that setting (it defaults to true) to have the apply restore that sales user instead of importing the CRM user anew."
		} else {
			note = "This resource sets restore_from_recycle_bin = false, so Terraform does not restore it. Remove that setting (it defaults to true) to have the apply restore it, or restore or purge it yourself as described above."
		}
	case restoreEntryMissing:
		if replaced {
			break
		}
		note = fmt.Sprintf("Terraform could not find sales user %s in the recycle bin to restore it: it was restored or purged meanwhile. Run terraform plan again.", p.ConflictingSalesUserID)
	case restoreOtherCRMUser:
		note = fmt.Sprintf("restore_from_recycle_bin does not apply here: sales user %s belongs to CRM user %s, not to CRM user %s of this resource (the username has passed from one Salesforce user to another), "+
			"and restoring it would bring back the other person. Purge it to free the username.",
			p.ConflictingSalesUserID, orDash(holder.CRMUserID), orDash(crmUserID))
	case restoreForeignConnection:
		note = fmt.Sprintf("restore_from_recycle_bin does not apply here: sales user %s was deleted from connection %s, which no longer exists (a module test's, or a connection destroyed earlier), "+
			"not from connection %s of this resource, so restoring it would bring another setup's sales user, with its history, onto this connection. "+
			"Purge it to free the username (in the platform, or DELETE /api/v1/recycle-bin/%s); set purge_on_destroy = true on sales users of short-lived setups so their deleted sales users do not hold usernames. "+
			"To keep it (say it was this configuration's own, and its connection was deleted outside Terraform), restore it onto this connection yourself "+
			"(POST /api/v1/recycle-bin/%s/restore with {\"connection_id\": %q}) and import it with the import block above.",
			holder.ID, holder.ConnectionID, connectionID, holder.ID, holder.ID, connectionID)
	case restoreOtherConnection:
		note = fmt.Sprintf("restore_from_recycle_bin does not apply here: sales user %s belongs to connection %s, which still exists, and a restore brings a sales user back on its own connection, not on connection %s of this resource. "+
			"Set connection_id back to %s, or purge the sales user. If this change also destroys connection %s, apply that first: once the connection is gone, the next apply restores the sales user through connection %s.",
			holder.ID, holder.ConnectionID, connectionID, holder.ConnectionID, holder.ConnectionID, connectionID)
	}
	if note == "" {
		return body
	}
	return body + "\n\n" + note
}

// replacedFromPrivate returns the sales user the plan replaces, recorded in
// the private data by the first plan call (see privateKeyReplaces), or nil.
func replacedFromPrivate(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) *recycledUser {
	raw, diags := private.GetKey(ctx, privateKeyReplaces)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var u recycledUser
	if err := json.Unmarshal(raw, &u); err != nil || u.ID == "" {
		return nil
	}
	return &u
}

// encodeReplaced encodes the private data that records the sales user of a
// state.
func encodeReplaced(state salesUserResourceModel) []byte {
	raw, err := json.Marshal(recycledFromModel(state))
	if err != nil {
		return nil // cannot happen: the struct holds strings and a bool
	}
	return raw
}

// wantCRMUser returns the normalised CRM user ID (or "") and the username
// that identify the CRM user of a plan, falling back to what the dry run or
// the API resolved.
func wantCRMUser(plan, config salesUserResourceModel, resolvedID, resolvedUsername string) (string, string) {
	id := resolvedID
	for _, v := range []string{config.CRMUserID.ValueString(), plan.CRMUserID.ValueString()} {
		if v != "" {
			id = v
			break
		}
	}
	id = normalizedID(id)
	username := resolvedUsername
	if !config.CRMUsername.IsNull() && !config.CRMUsername.IsUnknown() {
		username = config.CRMUsername.ValueString()
	} else if !plan.CRMUsername.IsNull() && !plan.CRMUsername.IsUnknown() && plan.CRMUsername.ValueString() != "" {
		username = plan.CRMUsername.ValueString()
	}
	return id, username
}

// restoreCaseFor gathers what decides whether the holder of a
// crm_username_mapped problem is restored: it finds the holder (in the
// recycle bin, or the sales user this plan replaces) and, when the verdict
// depends on it, whether the holder's connection still exists. ok is false
// when a lookup failed (diags says why).
func (r *salesUserResource) restoreCaseFor(ctx context.Context, p *client.Error, plan, config salesUserResourceModel, replaced *recycledUser,
	resolvedID, resolvedUsername string, diags *diag.Diagnostics,
) (c restoreCase, isReplaced bool, ok bool) {
	c = restoreCase{
		Enabled:      plan.RestoreFromRecycleBin.ValueBool(),
		ConnectionID: plan.ConnectionID.ValueString(),
	}
	c.CRMUserID, c.CRMUsername = wantCRMUser(plan, config, resolvedID, resolvedUsername)
	if c.CRMUsername == "" {
		c.CRMUsername = p.CRMUsername
	}
	switch {
	case p.InRecycleBin:
		c.Deleted = true
		holder, found, err := r.data.recycleBin.find(ctx, r.data.client, c.ConnectionID, p.ConflictingSalesUserID)
		if err != nil {
			addAPIError(diags, fmt.Sprintf("look up sales user %s in the recycle bin, which holds the CRM username %q", p.ConflictingSalesUserID, p.CRMUsername), err, nil)
			return c, false, false
		}
		if found {
			c.Holder = &holder
		}
	case replaced != nil && replaced.ID == p.ConflictingSalesUserID:
		c.Deleted, c.Holder, isReplaced = true, replaced, true
	case r.data.ledger.freed(p.ConflictingSalesUserID):
		// Replaced, but the first plan call left no record of it.
		c.Deleted, isReplaced = true, true
	default:
		return c, false, true
	}
	// This resource's own sales user: the one this plan replaces, or one
	// this process deleted (in the apply, the replaced half is destroyed
	// before the create, and is then found in the recycle bin).
	c.Replaced = isReplaced || r.data.ledger.freed(p.ConflictingSalesUserID) || r.data.recycleBin.deletedHere(p.ConflictingSalesUserID)
	if c.Enabled && c.needsConnectionCheck() && c.Holder != nil && sameCRMUser(*c.Holder, c.CRMUserID, c.CRMUsername) {
		_, err := r.data.client.Connections.Read(ctx, c.Holder.ConnectionID)
		switch {
		case errors.Is(err, client.ErrNotFound):
			c.HolderConnectionExists = false
		case err != nil:
			addAPIError(diags, fmt.Sprintf("check connection %s, from which sales user %s was deleted", c.Holder.ConnectionID, c.Holder.ID), err, nil)
			return c, isReplaced, false
		default:
			c.HolderConnectionExists = true
		}
	}
	return c, isReplaced, true
}

// planRestore handles a crm_username_mapped problem of the plan's dry run.
// It returns true when it reported the problem (as the announcement of a
// restore, or as an error that explains why there is none), false when the
// problem is an ordinary conflict for reportProblems.
func (r *salesUserResource) planRestore(ctx context.Context, p *client.Error, plan, config salesUserResourceModel, replaced *recycledUser,
	result client.ValidationItem, diags *diag.Diagnostics,
) bool {
	c, isReplaced, ok := r.restoreCaseFor(ctx, p, plan, config, replaced, result.CRMUserID, result.CRMUsername, diags)
	if !ok {
		return true
	}
	if isReplaced && c.Holder != nil && c.Holder.Purged {
		return true // its destroy purges it: the create finds the username free
	}
	v := c.verdict()
	switch v {
	case restoreNotApplicable:
		return false
	case restoreOK:
		diags.AddAttributeWarning(config.keyPath(), "Sales User Will Be Restored", restoreWarningText(*c.Holder, isReplaced))
		r.checkRestoreRole(ctx, *c.Holder, plan, config, diags)
		return true
	}
	summary, _ := describeProblem(p)
	detail := dryRunDetail(config, restoreRefusalText(v, p, c.Holder, isReplaced, c.CRMUserID, c.ConnectionID))
	diags.AddAttributeError(config.keyPath(), summary, detail)
	return true
}

// checkRestoreRole makes sure a restore will pass the profile mapping rule.
// The platform re-checks the rules with the deleted sales user's own role
// before Terraform can set the configured one, so a sales user that
// followed its profile's mapping needs that mapping even when this resource
// sets role. (Without role, the plan's dry run has checked the mapping
// already.)
func (r *salesUserResource) checkRestoreRole(ctx context.Context, holder recycledUser, plan, config salesUserResourceModel, diags *diag.Diagnostics) {
	if holder.ExplicitRole || config.Role.IsNull() {
		return
	}
	item := client.ValidateItem{
		Action:       "create",
		ConnectionID: plan.ConnectionID.ValueString(),
	}
	item.CRMUserID, item.CRMUsername = config.apiKey()
	result, ok := r.dryRun(ctx, item, config, diags)
	if !ok {
		return
	}
	extra := fmt.Sprintf("Sales user %s (%s) is restored from the recycle bin with the role it was deleted with, which came from its profile's mapping; "+
		"role = %q is set after the restore. The platform checks the mapping before that, so the profile needs one even though this resource sets role.",
		holder.ID, holder.name(), config.Role.ValueString())
	for _, p := range result.Problems {
		if p != nil && p.Code == client.CodeProfileNotMapped {
			r.reportProfileNotMapped(p, config, plan.ConnectionID.ValueString(), extra, diags)
		}
	}
}

// restoreOnCreate handles a create that failed because a deleted sales user
// holds the CRM username: it restores that sales user when
// restore_from_recycle_bin allows it, then sets the configured role, team
// and hidden components. It returns the restored sales user, or nil after
// adding the diagnostic that says why there is none. When the restore
// worked but setting the configuration did not, it returns the restored
// sales user along with the error, so that the state records it.
func (r *salesUserResource) restoreOnCreate(ctx context.Context, conflict *client.Error, createErr error, plan, config salesUserResourceModel, diags *diag.Diagnostics) *client.SalesUser {
	action := "create the " + config.describe()
	c, _, ok := r.restoreCaseFor(ctx, conflict, plan, config, nil, "", conflict.CRMUsername, diags)
	if !ok {
		return nil
	}
	if v := c.verdict(); v != restoreOK {
		summary, _ := describeProblem(conflict)
		diags.AddAttributeError(config.keyPath(), summary, fmt.Sprintf("Could not %s. %s\n\nOriginal error: %s",
			action, restoreRefusalText(v, conflict, c.Holder, false, c.CRMUserID, c.ConnectionID), createErr))
		return nil
	}
	holder := *c.Holder
	tflog.Debug(ctx, "Restoring the sales user from the recycle bin instead of importing the CRM user anew", map[string]any{
		"sales_user_id": holder.ID, "crm_user_id": holder.CRMUserID, "crm_username": holder.CRMUsername, "connection_id": c.ConnectionID,
	})
	su, err := r.data.client.RecycleBin.Restore(ctx, holder.ID, client.RecycleBinRestoreOptions{ConnectionID: c.ConnectionID})
	r.data.wrote()
	if err != nil {
		summary, restoreDetail := describeError(fmt.Sprintf("restore sales user %s (%s) from the recycle bin", holder.ID, holder.name()), err)
		diags.AddError(summary, fmt.Sprintf("Could not %s: its CRM username %q is held by sales user %s (%s) in the recycle bin, "+
			"and restoring that sales user (restore_from_recycle_bin = true) failed.\n\n%s\n\n"+
			"Fix the cause of the restore failure and apply again, or set restore_from_recycle_bin = false and purge the sales user "+
			"(in the platform, or DELETE /api/v1/recycle-bin/%s) to import the CRM user anew.\n\nOriginal error: %s",
			action, conflict.CRMUsername, holder.ID, holder.name(), restoreDetail, holder.ID, createErr))
		return nil
	}
	var restored salesUserResourceModel
	diags.Append(restored.fromAPI(ctx, su)...)
	if diags.HasError() {
		return nil
	}
	opts := updateOptions(plan, config, restored)
	if updatesNothing(opts) {
		return su
	}
	tflog.Debug(ctx, "Setting the configured role, team and hidden components on the restored sales user", map[string]any{"sales_user_id": su.ID})
	updated, err := r.data.client.SalesUsers.Update(ctx, su.ID, opts)
	r.data.wrote()
	if err != nil {
		addAPIError(diags, fmt.Sprintf("set the role, team and hidden components of sales user %s, which was restored from the recycle bin. "+
			"Terraform keeps the restored sales user in the state but marks it tainted, which would replace it: "+
			"run terraform untaint on this resource, then apply again to set them", su.ID), err, config.problemAttribute())
		return su
	}
	return updated
}
