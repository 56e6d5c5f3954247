package provider

// The salesseat_sales_user resource's Create, Read, Update, Delete and
// ImportState, and what an update sends.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// importUsernamePrefix introduces a CRM username in an import ID.
const importUsernamePrefix = "username:"

// Create imports the CRM user as a sales user.
func (r *salesUserResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, config salesUserResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := client.SalesUserCreateOptions{
		ConnectionID:     plan.ConnectionID.ValueString(),
		Role:             config.Role.ValueString(),
		Team:             plan.Team.ValueString(),
		HiddenComponents: setStrings(plan.HiddenComponents),
	}
	opts.CRMUserID, opts.CRMUsername = config.apiKey()
	// The plan's record of a replaced sales user has done its job.
	if resp.Private != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, nil)...)
	}
	su, err := r.data.client.SalesUsers.Create(ctx, opts)
	r.data.wrote()
	var conflict *client.Error
	switch {
	case err != nil && errors.As(err, &conflict) && conflict.Code == client.CodeCRMUsernameMapped && conflict.InRecycleBin:
		su = r.restoreOnCreate(ctx, conflict, err, plan, config, &resp.Diagnostics)
		if su == nil {
			return
		}
		resp.Diagnostics.Append(plan.fromAPI(ctx, su)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	case err != nil:
		addAPIError(&resp.Diagnostics, "create the "+config.describe(), err, config.problemAttribute())
		return
	}
	if su.AdoptedExistingUser {
		resp.Diagnostics.AddWarning("Existing Platform User Adopted",
			fmt.Sprintf("A platform user with the email %q already existed, so CRM user %q was mapped to it (platform user %s) instead of creating a second one.",
				su.Email, su.CRMUsername, su.PlatformUserID))
	}
	resp.Diagnostics.Append(plan.fromAPI(ctx, su)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read refreshes the sales user from the process-wide listing (see
// salesUserCache), falling back to a read by ID.
func (r *salesUserResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state salesUserResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	su, ok := r.data.salesUsers.get(ctx, r.data.client, state.ConnectionID.ValueString(), id)
	if !ok {
		var err error
		su, err = r.data.client.SalesUsers.Read(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			tflog.Info(ctx, "Sales user is gone; removing it from the state", map[string]any{"id": id})
			resp.State.RemoveResource(ctx)
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, "read sales user "+id, err, nil)
			return
		}
	}
	if !su.DeletedAt.IsZero() {
		// Deleted outside Terraform, sitting in the recycle bin.
		resp.State.RemoveResource(ctx)
		return
	}
	if !su.CRMActive {
		resp.Diagnostics.AddWarning("CRM User Deactivated",
			fmt.Sprintf("CRM user %q (%s %s, %s) of sales user %s is inactive in Salesforce, but still holds a seat. "+
				"Reactivate the user in Salesforce, or remove the salesseat_sales_user resource to free the seat.",
				su.CRMUsername, su.FirstName, su.LastName, su.CRMUserID, su.ID))
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, su)...)
	if state.RestoreFromRecycleBin.IsNull() {
		// Imported, or created by a provider version without the
		// attribute: the default, so that the next plan shows no change.
		state.RestoreFromRecycleBin = types.BoolValue(true)
	}
	if state.PurgeOnDestroy.IsNull() {
		state.PurgeOnDestroy = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes the role, team and hidden components in place.
func (r *salesUserResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var plan, state, config salesUserResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if resp.Private != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, nil)...)
	}
	opts := updateOptions(plan, config, state)
	id := state.ID.ValueString()
	var su *client.SalesUser
	var err error
	if updatesNothing(opts) {
		su, err = r.data.client.SalesUsers.Read(ctx, id)
	} else {
		su, err = r.data.client.SalesUsers.Update(ctx, id, opts)
		r.data.wrote()
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "update sales user "+id, err, config.problemAttribute())
		return
	}
	planned := plan
	resp.Diagnostics.Append(plan.fromAPI(ctx, su)...)
	// The plan promised the CRM fields would not change (see ModifyPlan);
	// keep that promise, the next refresh reads what the CRM changed.
	plan.copyCRMFields(planned)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateOptions returns what an update sends: only what changed. A role
// removed from the configuration is sent as "", which makes the sales user
// follow its profile's mapping again.
func updateOptions(plan, config, state salesUserResourceModel) client.SalesUserUpdateOptions {
	var opts client.SalesUserUpdateOptions
	switch {
	case !config.Role.IsNull() && (!config.Role.Equal(state.Role) || state.RoleSource.ValueString() != roleSourceExplicit):
		role := config.Role.ValueString()
		opts.Role = &role
	case config.Role.IsNull() && state.RoleSource.ValueString() == roleSourceExplicit:
		role := ""
		opts.Role = &role
	}
	if !plan.Team.Equal(state.Team) {
		team := plan.Team.ValueString() // "" clears it
		opts.Team = &team
	}
	if !plan.HiddenComponents.IsUnknown() && !plan.HiddenComponents.Equal(state.HiddenComponents) {
		hidden := setStrings(plan.HiddenComponents)
		opts.HiddenComponents = &hidden
	}
	return opts
}

// updatesNothing reports whether an update with opts would change nothing,
// so that it costs no request (and a plan without a change no dry run).
func updatesNothing(opts client.SalesUserUpdateOptions) bool {
	return opts.Role == nil && opts.Team == nil && opts.HiddenComponents == nil
}

// Delete removes the sales user, which frees its seat and moves it to the
// recycle bin. A sales user already gone is fine.
func (r *salesUserResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var state salesUserResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.data.client.SalesUsers.Delete(ctx, id)
	r.data.wrote()
	switch {
	case errors.Is(err, client.ErrNotFound):
		// Already gone (maybe into the recycle bin, which a purge empties).
	case err != nil:
		addAPIError(&resp.Diagnostics, "delete sales user "+id, err, nil)
		return
	default:
		r.data.ledger.release(id, false)
	}
	if !state.PurgeOnDestroy.ValueBool() {
		if err == nil {
			r.data.recycleBin.recordDelete(recycledFromModel(state))
		}
		return
	}
	if err := r.data.client.RecycleBin.Purge(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("purge sales user %s from the recycle bin (purge_on_destroy = true; it was deleted, and holds its CRM username %q until it is purged: "+
			"run terraform destroy again, or purge it in the platform)", id, state.CRMUsername.ValueString()), err, nil)
	}
}

// ImportState imports a sales user by ID (`su_…`) or by CRM username
// (`username:<crm username>`).
func (r *salesUserResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	formats := "Use the sales user's ID (e.g. \"su_123\") or \"username:<CRM username>\" (e.g. \"username:jane@acme.com\")."
	username, byUsername := strings.CutPrefix(id, importUsernamePrefix)
	switch {
	case id == "":
		resp.Diagnostics.AddError("Invalid Import ID", "The import ID is empty. "+formats)
		return
	case byUsername && strings.TrimSpace(username) == "":
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID %q has no username after %q. %s", req.ID, importUsernamePrefix, formats))
		return
	case !byUsername && (strings.Contains(id, "@") || strings.Contains(id, ":")):
		hint := ""
		if !strings.Contains(id, ":") {
			hint = fmt.Sprintf(" To import by CRM username, use %q.", importUsernamePrefix+id)
		}
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID %q is neither a sales user ID nor of the form \"username:<CRM username>\".%s %s", req.ID, hint, formats))
		return
	case !byUsername:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
		return
	}
	if r.data == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	username = strings.TrimSpace(username)
	su, err := r.data.client.SalesUsers.ReadByCRMUsername(ctx, username)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Sales User Not Found",
			fmt.Sprintf("No sales user has the CRM username %q (sales users in the recycle bin are not imported: restore one first). "+
				"Check the username, or import by ID. %s", username, formats))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("find the sales user with CRM username %q", username), err, nil)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), su.ID)...)
}
