package provider

// The salesseat_crm_connection resource's ModifyPlan and what it derives from
// the configuration.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// ModifyPlan fills in what the configuration leaves to the API (the login
// URL and the auth method follow from the configuration), and shows a
// disconnected connection in the plan: a JWT connection is planned for
// re-authorization, a refresh-token connection gets a warning.
func (r *crmConnectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		// Destroy: its sales users go to the recycle bin with it.
		var state crmConnectionResourceModel
		if !req.State.Raw.IsNull() && !req.State.Get(ctx, &state).HasError() {
			r.guardRemovals(ctx, state.ID.ValueString(), "its connection is destroyed", &resp.Diagnostics)
		}
		return
	}
	var plan, config crmConnectionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if config.LoginURL.IsNull() && !plan.Environment.IsUnknown() {
		plan.LoginURL = types.StringValue(defaultLoginURLs[plan.Environment.ValueString()])
	}
	plan.AuthMethod = authMethodOf(config)
	noCredential := config.RefreshToken.IsNull() && config.JWTPrivateKey.IsNull() && config.RefreshTokenWO.IsNull() && config.JWTPrivateKeyWO.IsNull()

	if req.State.Raw.IsNull() {
		if noCredential {
			resp.Diagnostics.AddAttributeError(path.Root("refresh_token_wo"), "Connection Credential Missing",
				"A new connection needs a credential for its Salesforce service account: set refresh_token_wo or jwt_private_key_wo "+
					"(with credentials_wo_version), or refresh_token or jwt_private_key. "+
					"Only a connection that already exists (imported) may leave them out: it keeps the grant the platform stored.")
			return
		}
		// A connection is created only when the platform could authorize it.
		plan.Status = types.StringValue(statusConnected)
		plan.StatusReason = types.StringNull()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	var state crmConnectionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(resp.RequiresReplace) > 0 {
		// A replacement (a new environment) deletes the old connection with
		// its sales users.
		r.guardRemovals(ctx, state.ID.ValueString(), "its connection is replaced", &resp.Diagnostics)
	}

	if noCredential {
		// An imported connection without credentials in the configuration
		// keeps the grant the platform stored, and its auth method.
		plan.AuthMethod = state.AuthMethod
	}
	credentialsChange := credentialsChanged(plan, state)
	// A Salesforce username is unique across Salesforce and belongs to one
	// org, so only a new service username or login URL can lead to another
	// org (or instance); new credentials or a rename keep them.
	identityChange := !plan.LoginURL.Equal(state.LoginURL) || !plan.ServiceUsername.Equal(state.ServiceUsername)
	if identityChange {
		// New login details may point at another org.
		plan.OrganizationID = types.StringUnknown()
		plan.InstanceURL = types.StringUnknown()
	} else {
		plan.OrganizationID = state.OrganizationID
		plan.InstanceURL = state.InstanceURL
	}

	disconnected := state.Status.ValueString() == statusDisconnected
	jwt := plan.AuthMethod.ValueString() == authMethodJWTBearer
	switch {
	case credentialsChange || (disconnected && jwt):
		// Supplying credentials re-authorizes, and a JWT connection can
		// re-run its grant without a person: either way the update
		// succeeds only with a connected connection, so the plan says so.
		plan.Status = types.StringValue(statusConnected)
		plan.StatusReason = types.StringNull()
	case !disconnected:
		// A connected connection stays connected through an update that
		// sends no credentials (a rename, a sync setting).
		plan.Status = state.Status
		plan.StatusReason = state.StatusReason
	case disconnected:
		// The status is left as Terraform proposes it: unchanged when
		// nothing else changes, unknown when an update (which may find the
		// connection healed) is planned anyway.
		resp.Diagnostics.AddWarning("Connection Disconnected",
			fmt.Sprintf("Connection %q (%s) is disconnected: %s. Sync is suspended for its sales users, and no sales user can be created on it until it is re-authorized. "+
				"A refresh token cannot be renewed without a person: obtain a new refresh token for the connected app and set refresh_token, "+
				"or set refresh_token_wo and increase credentials_wo_version; or switch to the JWT bearer flow (jwt_private_key_wo), which Terraform re-authorizes on its own. "+
				"If a for_each takes its keys from a data source of this connection, pass the connection ID to the data source through a locals value, so the re-authorization plans in the same run.",
				state.Name.ValueString(), state.ID.ValueString(), orDash(state.StatusReason.ValueString())))
	}
	if g := plan.UserManagementGroup; !g.IsNull() && !g.IsUnknown() {
		if r.data != nil {
			// Sales users declared on this connection fail their plans (see
			// userManagedDeclared).
			r.data.ledger.planManagedConnection(state.ID.ValueString(), g.ValueString())
		}
		sameGroup := strings.EqualFold(strings.TrimSpace(g.ValueString()), strings.TrimSpace(state.UserManagementGroup.ValueString())) ||
			sfid.Equal(strings.TrimSpace(g.ValueString()), state.UserManagementGrpID.ValueString())
		switch {
		case sameGroup && !identityChange:
			plan.UserManagementGrpID = state.UserManagementGrpID
			warnSyncProblems(state, &resp.Diagnostics)
		case !sameGroup:
			r.warnGroupTakesOver(ctx, state, g.ValueString(), &resp.Diagnostics)
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	// Any update of a connection that syncs (a re-authorization too) may run
	// a sync, which writes a new last_sync: the plan cannot know it.
	syncs := !plan.UserManagementGroup.IsNull() || !state.UserManagementGroup.IsNull() || plan.AutoImportCRMUsers.ValueBool() || state.AutoImportCRMUsers.ValueBool()
	if syncs && !resp.Plan.Raw.Equal(req.State.Raw) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("last_sync"), types.ObjectUnknown(lastSyncAttrTypes))...)
	}
}

// guardRemovals counts the live sales users of a connection the plan deletes
// in the removal guard (those whose CRM user is active: the others have no
// access to lose).
func (r *crmConnectionResource) guardRemovals(ctx context.Context, connID, why string, diags *diag.Diagnostics) {
	if r.data == nil || connID == "" {
		return
	}
	live, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		diags.AddWarning("Removal Guard Could Not Count", fmt.Sprintf(
			"Could not list the sales users of connection %s, which this plan deletes with the connection, so the removal guard (max_removals) did not count them: %s", connID, err))
		return
	}
	removed := map[string]string{}
	for _, su := range live {
		if su.CRMActive {
			removed[su.ID] = crmUser(su.CRMUsername, su.CRMUserID) + ", " + why
		}
	}
	r.data.removals.remove(ctx, removed, diags)
}

// warnSyncProblems shows the problems the platform's last sync reported on
// a connection that hands user management to a Salesforce group: group
// members who hold no seat, and why.
func warnSyncProblems(state crmConnectionResourceModel, diags *diag.Diagnostics) {
	problems := syncProblemsOf(state.LastSync)
	if len(problems) == 0 {
		return
	}
	lines := make([]string, 0, len(problems))
	for _, p := range problems {
		lines = append(lines, fmt.Sprintf("  - %s: %s (%s)", crmUser(p.CRMUsername, p.CRMUserID), p.Detail, p.Code))
	}
	diags.AddAttributeWarning(path.Root("last_sync"), "Salesforce Group Members Without A Seat",
		fmt.Sprintf("The platform's last sync of connection %q (%s) could not give %d %s of the Salesforce group %q a seat:\n%s\n\n"+
			"Fix each cause (in Salesforce, or with a salesseat_profile_role_mapping for an unmapped profile; seats are freed by removing members from the group), "+
			"or remove those users from the group. The next sync retries them; this warning shows on every plan until it succeeds.",
			state.Name.ValueString(), state.ID.ValueString(), len(problems), plural(len(problems), "member", "members"),
			state.UserManagementGroup.ValueString(), strings.Join(lines, "\n")))
}

// warnGroupTakesOver tells, when the plan hands user management to a
// Salesforce group, which sales users of the connection the group does not
// hold: the first sync moves them to the recycle bin. A group the org does
// not have fails the plan.
func (r *crmConnectionResource) warnGroupTakesOver(ctx context.Context, state crmConnectionResourceModel, group string, diags *diag.Diagnostics) {
	if r.data == nil || state.Status.ValueString() != statusConnected {
		return
	}
	connID := state.ID.ValueString()
	live, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		diags.AddAttributeWarning(path.Root("user_management_group"), "User Management Handed To Salesforce",
			fmt.Sprintf("Could not list the sales users of connection %s to tell which the Salesforce group %q does not hold (%s): the first sync moves every sales user outside the group to the recycle bin.", connID, group, err))
		return
	}
	outside := map[string]string{} // the connection's sales users not in the group, by CRM user ID
	for id, su := range live {
		outside[id] = crmUser(su.CRMUsername, su.CRMUserID)
	}
	imported := true
	for u, err := range r.data.client.CRM.ListUsers(ctx, connID, client.CRMUserListOptions{Imported: &imported, Groups: []string{group}, PageSize: pageSize}) {
		if err != nil {
			addAPIError(diags, fmt.Sprintf("check the Salesforce group %q", group), err, func(*client.Error) (path.Path, bool) { return path.Root("user_management_group"), true })
			return
		}
		delete(outside, u.ID)
	}
	detail := fmt.Sprintf("From this apply on, the Salesforce group %q decides who holds a seat on connection %q: each sync imports its active members "+
		"and moves the connection's other sales users to the recycle bin, and imports by hand (salesseat_sales_user, roster members) are refused on this connection.",
		group, state.Name.ValueString())
	if n := len(outside); n > 0 {
		detail += fmt.Sprintf(" %d sales %s of this connection %s not in the group and will lose %s seat at the first sync:\n%s\n\n"+
			"Add them to the group in Salesforce before applying if they should keep access.",
			n, plural(n, "user", "users"), plural(n, "is", "are"), plural(n, "its", "their"), nameList(outside))
	}
	diags.AddAttributeWarning(path.Root("user_management_group"), "User Management Handed To Salesforce", detail)
}

// authMethodOf derives the auth method from which credential is configured.
func authMethodOf(config crmConnectionResourceModel) types.String {
	switch {
	case !config.JWTPrivateKey.IsNull() || !config.JWTPrivateKeyWO.IsNull():
		return types.StringValue(authMethodJWTBearer)
	case !config.RefreshToken.IsNull() || !config.RefreshTokenWO.IsNull():
		return types.StringValue(authMethodRefreshToken)
	}
	return types.StringUnknown()
}

// credentialsChanged reports whether the plan sends credentials: a changed
// stored credential, or a changed version of the write-only ones.
func credentialsChanged(plan, state crmConnectionResourceModel) bool {
	return !plan.RefreshToken.Equal(state.RefreshToken) ||
		!plan.JWTPrivateKey.Equal(state.JWTPrivateKey) ||
		!plan.CredentialsWOVersion.Equal(state.CredentialsWOVersion) ||
		!plan.AuthMethod.Equal(state.AuthMethod)
}
