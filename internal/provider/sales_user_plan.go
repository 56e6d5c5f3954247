package provider

// The salesseat_sales_user resource's ModifyPlan and the plan-time checks it
// runs: the seat ledger, the API's dry run and the diagnostics made of its
// problems. Restores from the recycle bin are decided in restore_decision.go.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// ModifyPlan makes the plan show what will fail. For a sales user the plan
// creates, it reserves a seat in the plan-wide seat ledger and asks the API
// for a dry run of the import; for one it updates, it dry-runs the update.
// Every problem the dry run finds becomes an error on the attribute at fault,
// with the exact reason and the fix, except a CRM username held by the CRM
// user's own deleted sales user: with restore_from_recycle_bin, that becomes
// a warning announcing the restore (see planRestore).
//
// Values unknown at plan time (e.g. the ID of a connection created in the
// same plan) skip the checks; they run at apply, where Create's API errors
// become the same diagnostics.
func (r *salesUserResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return // the provider is not configured (unknown configuration)
	}
	if req.Plan.Raw.IsNull() {
		// Destroy: the removal guard counts the sales user that loses its seat.
		var state salesUserResourceModel
		if !req.State.Raw.IsNull() {
			resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
			if !resp.Diagnostics.HasError() {
				r.data.removals.remove(ctx, state.removal("its salesseat_sales_user is destroyed"), &resp.Diagnostics)
			}
		}
		return
	}
	var plan, config salesUserResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A replacement is planned twice in one walk (with the prior state,
	// then as a create); only the create half claims the CRM user.
	replaces := false
	owner := "" // the sales user this instance stands for, see seatClaims.claimAs
	defer func() {
		if !replaces {
			r.claimSeat(ctx, owner, config, resp)
		}
	}()
	creating := req.State.Raw.IsNull()
	// A new sales user learns of it from the dry run, which names the CRM
	// user; one in the state from the plan of its connection.
	if group, managed := r.data.ledger.managedGroup(plan.ConnectionID.ValueString()); managed && !creating && !plan.ConnectionID.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("connection_id"), userManagedSummary,
			userManagedDeclared(plan.ConnectionID.ValueString(), group, "a salesseat_sales_user", "salesseat_sales_user.<name>"))
		return
	}
	var state salesUserResourceModel
	var replaced *recycledUser
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		owner = state.ID.ValueString()
		// Should Terraform replace the sales user (see privateKeyReplaces),
		// the create half of the replacement learns which one it replaces.
		if resp.Private != nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, encodeReplaced(state))...)
		}
	} else if req.Private != nil {
		if replaced = replacedFromPrivate(ctx, req.Private); replaced != nil {
			owner = replaced.ID
			// The replaced sales user is destroyed first, freeing its seat.
			r.data.ledger.release(replaced.ID, true)
			if resp.Private != nil {
				resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplaces, nil)...)
			}
		}
	}

	// An explicit role is the configured one; without one, the role follows
	// the profile's mapping: unchanged while the mapping is, known after
	// apply when this plan changes it (or the sales user stops having a
	// role of its own). A create learns it from the dry run (checkCreate).
	if config.Role.IsNull() {
		plan.RoleSource = types.StringValue(roleSourceProfileMapping)
		plan.EffectiveRole = types.StringUnknown()
		if !creating {
			if role, planned := r.data.ledger.plannedRole(state.ConnectionID.ValueString(), profileKeys(state.CRMProfileID.ValueString(), state.CRMProfileName.ValueString())...); planned {
				plan.EffectiveRole = stringOrUnknown(role)
			} else if state.RoleSource.ValueString() == roleSourceProfileMapping {
				plan.EffectiveRole = state.EffectiveRole
			}
		}
	} else {
		plan.RoleSource = types.StringValue(roleSourceExplicit)
		plan.EffectiveRole = config.Role
	}

	if !creating && replacing(plan, config, state) {
		replaces = true
		// A replacement for another CRM user takes the seat from this one;
		// one on another connection keeps the CRM user (restored there).
		otherUser := (!config.CRMUserID.IsNull() && !sfid.Equal(config.CRMUserID.ValueString(), state.CRMUserID.ValueString())) ||
			(config.CRMUserID.IsNull() && !config.CRMUsername.IsNull() && !strings.EqualFold(config.CRMUsername.ValueString(), state.CRMUsername.ValueString()))
		if otherUser {
			r.data.removals.remove(ctx, state.removal("its salesseat_sales_user is replaced for another CRM user"), &resp.Diagnostics)
		}
		// Terraform plans the replacement's create separately (with no
		// prior state), which reserves the new seat; the old one is freed
		// first.
		r.data.ledger.release(state.ID.ValueString(), true)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	if !creating && desiredStateUnchanged(plan, config, state) {
		// Nothing the configuration controls on the platform differs from
		// the state. The plan can still differ where Terraform proposed the
		// configured value of an equivalent key (a 15-character CRM user ID
		// against the imported 18-character one), which made the framework
		// mark every computed attribute unknown; plan no change at all,
		// except for restore_from_recycle_bin, which must follow the
		// configuration (a change of it is an update that calls no API).
		// The effective role still follows a mapping this plan changes.
		state.RestoreFromRecycleBin = plan.RestoreFromRecycleBin
		state.PurgeOnDestroy = plan.PurgeOnDestroy
		state.EffectiveRole = plan.EffectiveRole
		// role holds only the configured role (a state written before
		// effective_role held the effective one there).
		state.Role = config.Role
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &state)...)
		return
	}

	if creating && allKnown(config.CRMUserID, config.CRMUsername) {
		// Seats are counted account-wide, so the count does not need the
		// connection: a for_each on a connection created in the same plan
		// is checked too.
		r.reserveSeat(ctx, plan.ConnectionID, config, &resp.Diagnostics)
	}
	if !creating {
		// An update changes only the role, team and hidden components. The
		// attributes that follow the CRM keep their refreshed values instead
		// of showing as "known after apply" (Update keeps these planned
		// values; the next refresh picks up what the CRM changes meanwhile).
		plan.copyCRMFields(state)
	}

	if !allKnown(plan.ConnectionID, config.Role, config.Team, config.HiddenComponents, config.CRMUserID, config.CRMUsername, plan.RestoreFromRecycleBin) {
		tflog.Debug(ctx, "Skipping the plan-time dry run: some values are known only after apply")
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	switch {
	case creating:
		r.checkCreate(ctx, &plan, config, replaced, &resp.Diagnostics)
	default:
		r.checkUpdate(ctx, plan, config, state, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// replacing reports whether the plan replaces the sales user: its connection
// or its CRM user changes (mirroring the RequiresReplace plan modifiers,
// whose outcome ModifyPlan does not see).
func replacing(plan, config, state salesUserResourceModel) bool {
	return !plan.ConnectionID.Equal(state.ConnectionID) ||
		(!config.CRMUserID.IsNull() && !plan.CRMUserID.Equal(state.CRMUserID)) ||
		(!config.CRMUsername.IsNull() && !config.CRMUsername.Equal(state.CRMUsername))
}

// desiredStateUnchanged reports whether the plan asks for nothing the state
// does not already have.
func desiredStateUnchanged(plan, config, state salesUserResourceModel) bool {
	sameKey := func(p, c, s attr.Value) bool {
		return p.Equal(s) || (c.IsNull() && p.IsUnknown())
	}
	roleSame := state.RoleSource.ValueString() == roleSourceProfileMapping
	if !config.Role.IsNull() {
		roleSame = config.Role.Equal(state.Role) && state.RoleSource.ValueString() == roleSourceExplicit
	}
	return plan.ConnectionID.Equal(state.ConnectionID) &&
		sameKey(plan.CRMUserID, config.CRMUserID, state.CRMUserID) &&
		sameKey(plan.CRMUsername, config.CRMUsername, state.CRMUsername) &&
		roleSame &&
		plan.Team.Equal(state.Team) &&
		plan.HiddenComponents.Equal(state.HiddenComponents)
}

// reserveSeat reserves a seat for the sales user in the plan-wide seat
// ledger. A shortage is one error for the whole plan, with its totals: the
// first sales user that does not fit waits until Terraform has planned the
// others (see seatLedger.settle) and reports it; every later one that does
// not fit adds nothing (one diagnostic per cause, not one per instance).
func (r *salesUserResource) reserveSeat(ctx context.Context, connectionID types.String, config salesUserResourceModel, diags *diag.Diagnostics) {
	conn := connectionID.ValueString()
	if connectionID.IsUnknown() {
		conn = "(unknown connection)"
	}
	check, err := r.data.ledger.reserve(ctx, conn+"/"+ledgerUserKey(config), config.keyName(), r.data.client.Account.Read)
	if err != nil {
		addAPIError(diags, "read the account's seats to check the plan", err, nil)
		return
	}
	if check.OK || !check.First {
		return
	}
	totals, names := r.data.ledger.settle(ctx, seatSettleQuiet)
	if totals.Planned <= totals.Free {
		return // seats freed meanwhile (a roster's removals): no shortage after all
	}
	diags.AddAttributeError(config.keyPath(), seatShortageSummary, seatShortageText(totals, names))
}

// seatSettleQuiet is how long the seat ledger waits without a new
// reservation before the plan's seat totals are taken as final.
var seatSettleQuiet = time.Second

// checkCreate dry-runs the import of the sales user. When the dry run
// resolves the CRM user, the plan shows its other key. A CRM username held
// by a deleted sales user (in the recycle bin, or replaced by this plan) is
// left to planRestore; replaced is the sales user this plan replaces, if
// any.
func (r *salesUserResource) checkCreate(ctx context.Context, plan *salesUserResourceModel, config salesUserResourceModel, replaced *recycledUser, diags *diag.Diagnostics) {
	connectionID := plan.ConnectionID.ValueString()
	item := client.ValidateItem{
		Action:           "create",
		ConnectionID:     connectionID,
		Role:             config.Role.ValueStringPointer(),
		Team:             config.Team.ValueStringPointer(),
		HiddenComponents: setStrings(plan.HiddenComponents),
	}
	item.CRMUserID, item.CRMUsername = config.apiKey()
	result, ok := r.dryRun(ctx, item, config, diags)
	if !ok {
		return
	}
	if !config.CRMUserID.IsNull() && !config.CRMUsername.IsNull() && result.CRMUsername != "" &&
		!strings.EqualFold(result.CRMUsername, config.CRMUsername.ValueString()) {
		diags.AddAttributeError(path.Root("crm_username"), "CRM User ID and Username Disagree",
			fmt.Sprintf("crm_user_id = %q is the CRM user %q, but crm_username = %q. Set only one of them, or correct the one that is wrong.",
				config.CRMUserID.ValueString(), result.CRMUsername, config.CRMUsername.ValueString()))
		return
	}
	if config.CRMUserID.IsNull() && result.CRMUserID != "" {
		plan.CRMUserID = sfidtype.NewIDValue(result.CRMUserID)
	}
	if config.CRMUsername.IsNull() && result.CRMUsername != "" {
		plan.CRMUsername = types.StringValue(result.CRMUsername)
	}
	// Without a role of its own, the sales user gets its profile's mapped
	// role, which the dry run reports, unless this plan changes that
	// mapping.
	if config.Role.IsNull() {
		var keys []string
		if result.CRMUser != nil {
			keys = profileKeys(result.CRMUser.ProfileID, result.CRMUser.ProfileName)
		}
		if role, planned := r.data.ledger.plannedRole(connectionID, keys...); planned {
			plan.EffectiveRole = stringOrUnknown(role)
		} else if result.Role != "" {
			plan.EffectiveRole = types.StringValue(result.Role)
		}
	}
	r.reportCreateProblems(ctx, *plan, config, replaced, result, diags)
}

// reportCreateProblems reports the problems of a create's dry run: a CRM
// username held by a deleted sales user goes to planRestore, everything else
// to reportProblems.
func (r *salesUserResource) reportCreateProblems(ctx context.Context, plan, config salesUserResourceModel, replaced *recycledUser, result client.ValidationItem, diags *diag.Diagnostics) {
	refused := slices.ContainsFunc(result.Problems, func(p *client.Error) bool { return p != nil && p.Code == client.CodeUserManagementInSalesforce })
	problems := make([]*client.Error, 0, len(result.Problems))
	for _, p := range result.Problems {
		// On a connection whose seats follow a Salesforce group nothing is
		// restored by hand either: the refusal says it all.
		if p != nil && p.Code == client.CodeCRMUsernameMapped && !refused && r.planRestore(ctx, p, plan, config, replaced, result, diags) {
			continue
		}
		problems = append(problems, p)
	}
	r.reportProblems(problems, config, plan.ConnectionID.ValueString(), diags)
}

// checkUpdate dry-runs a change of role, team or hidden components; a plan
// without such a change costs no request.
func (r *salesUserResource) checkUpdate(ctx context.Context, plan, config, state salesUserResourceModel, diags *diag.Diagnostics) {
	opts := updateOptions(plan, config, state)
	if updatesNothing(opts) {
		return
	}
	item := client.ValidateItem{
		Action:      "update",
		SalesUserID: state.ID.ValueString(),
		Role:        opts.Role,
		Team:        opts.Team,
	}
	if opts.HiddenComponents != nil {
		item.HiddenComponents = *opts.HiddenComponents
	}
	result, ok := r.dryRun(ctx, item, config, diags)
	if !ok {
		return
	}
	r.reportProblems(result.Problems, config, plan.ConnectionID.ValueString(), diags)
}

// dryRun asks the API to validate one item. A client that may not write
// (the dry run needs the write scope, and plan-only CI credentials often
// lack it) only gets a warning: the checks then happen at apply.
func (r *salesUserResource) dryRun(ctx context.Context, item client.ValidateItem, config salesUserResourceModel, diags *diag.Diagnostics) (client.ValidationItem, bool) {
	res, err := r.data.dryRunner().run(ctx, item)
	if errors.Is(err, client.ErrInsufficientScope) {
		if r.data.scopeWarned.CompareAndSwap(false, true) {
			diags.AddWarning("Plan-Time Checks Skipped", planChecksSkippedText)
		}
		return client.ValidationItem{}, false
	}
	if err != nil {
		addAPIError(diags, "check the "+config.describe()+" with the API's dry run", err, config.problemAttribute())
		return client.ValidationItem{}, false
	}
	return res, true
}

// planChecksSkippedText says, once per plan, what a plan whose API client
// may not run dry runs checks and what it leaves to the apply.
const planChecksSkippedText = "The API client lacks the salesseat.write scope that the API's dry run needs, so this plan did not check the sales users it creates or updates " +
	"against the platform's rules: an inactive CRM user, a profile without a role mapping, a CRM username held by another platform user or by the recycle bin, " +
	"the connection's service account. The apply reports those. Still checked in this plan: free seats (from the account's seat usage), " +
	"a CRM user or profile declared twice, and the values of every attribute. Grant salesseat.write to the API client used for planning to check everything in the plan."

// dryRunDetail is the detail of a diagnostic for a problem the plan's dry
// run found with the import of the sales user; body says why and what to do.
func dryRunDetail(config salesUserResourceModel, body string) string {
	return fmt.Sprintf("The plan's dry run found that the %s cannot be imported. %s", config.describe(), body)
}

// reportProblems turns the dry run's problems into diagnostics.
//
// Seat problems are left to the seat ledger, which counts every sales user
// of the plan, not just this one.
//
// profile_not_mapped needs care: a salesseat_profile_role_mapping created in
// the same plan does not exist yet when the dry run runs, so the dry run
// reports the profile as unmapped although the apply would map it first.
// Mapping resources record themselves in the plan-scoped ledger from their
// own ModifyPlan; Terraform plans resources in dependency order, but in no
// particular order otherwise, so a record is only guaranteed to be there when
// the sales user depends on the mapping (depends_on or a reference) — which
// it must anyway, or the apply could create the user before the mapping. The
// rule is therefore: no diagnostic when a planned mapping covers the user's
// profile; a warning when mappings are planned on the connection but none
// (yet) for that profile, since the ordering may hide it; an error when no
// mapping is planned on the connection at all. Every message names the
// profile and shows the resource that fixes it.
//
// connection_disconnected becomes a warning: the connection resource plans
// its own re-authorization when it can, and the create fails with the same
// message at apply if it is still disconnected then.
func (r *salesUserResource) reportProblems(problems []*client.Error, config salesUserResourceModel, connectionID string, diags *diag.Diagnostics) {
	at := config.problemAttribute()
	serviceAccount := false
	for _, p := range problems {
		serviceAccount = serviceAccount || (p != nil && p.Code == client.CodeServiceAccountNotAllowed)
	}
	for _, p := range problems {
		if p != nil && p.Code == client.CodeUserManagementInSalesforce {
			// Nothing else matters: no import by hand succeeds on this
			// connection, whatever the user's profile or status.
			summary, body := describeProblem(p)
			diags.AddAttributeError(path.Root("connection_id"), summary, dryRunDetail(config, body))
			return
		}
	}
	for _, p := range problems {
		if p == nil {
			continue
		}
		if serviceAccount && p.Code == client.CodeProfileNotMapped {
			// The service account cannot be a sales user whatever its
			// profile's mapping; advising a mapping would mislead.
			continue
		}
		summary, body := describeProblem(p)
		detail := dryRunDetail(config, body)
		switch p.Code {
		case client.CodeSeatLimitReached:
			continue
		case client.CodeProfileNotMapped:
			r.reportProfileNotMapped(p, config, connectionID, "", diags)
			continue
		case client.CodeConnectionDisconnected:
			diags.AddAttributeWarning(path.Root("connection_id"), summary, detail)
			continue
		}
		if attrPath, ok := at(p); ok {
			diags.AddAttributeError(attrPath, summary, detail)
		} else {
			diags.AddError(summary, detail)
		}
	}
}

// reportProfileNotMapped reports a profile_not_mapped problem of the dry run
// (see reportProblems); extra, when not empty, is added as a last paragraph.
func (r *salesUserResource) reportProfileNotMapped(p *client.Error, config salesUserResourceModel, connectionID, extra string, diags *diag.Diagnostics) {
	planned, forProfile := r.data.ledger.plannedMappings(connectionID, profileKeys(p.CRMProfileID, p.CRMProfileName)...)
	if forProfile {
		return
	}
	summary, _ := describeProblem(p)
	detail := dryRunDetail(config, profileNotMappedText(p, !config.Role.IsNull()))
	if extra != "" {
		detail += "\n\n" + extra
	}
	if planned {
		diags.AddAttributeWarning(path.Root("role"), summary, detail+
			"\n\nThis plan creates role mappings on this connection, but none for this profile has been planned before this sales user. "+
			"If one of them maps this profile, add it to depends_on; otherwise the apply will fail.")
		return
	}
	diags.AddAttributeError(path.Root("role"), summary, detail)
}

// claimSeat records the CRM user the planned sales user holds in the plan's
// seat claims, so that a roster declaring the same CRM user (or an exclusive
// roster on the same connection) fails the plan, naming both.
func (r *salesUserResource) claimSeat(ctx context.Context, owner string, config salesUserResourceModel, resp *resource.ModifyPlanResponse) {
	if resp.Diagnostics.HasError() {
		return
	}
	var planned salesUserResourceModel
	if diags := resp.Plan.Get(ctx, &planned); diags.HasError() {
		return
	}
	if planned.ConnectionID.IsUnknown() || planned.CRMUserID.IsUnknown() || planned.CRMUserID.IsNull() {
		return
	}
	// Named by its configured keys, which find it in the configuration.
	id := normalizedID(planned.CRMUserID.ValueString())
	desc := salesUserClaimDesc(config.CRMUserID.ValueString(), config.CRMUsername.ValueString(), id)
	for _, msg := range r.data.claims.claimAs(owner, planned.ConnectionID.ValueString(), desc, false, []string{id}) {
		resp.Diagnostics.AddAttributeError(config.keyPath(), "Sales User Declared Twice", msg)
	}
}

// removal names the sales user of a state for the removal guard: none when
// its CRM user is deactivated in Salesforce (no access to lose) or it has
// no ID.
func (m salesUserResourceModel) removal(why string) map[string]string {
	id := m.ID.ValueString()
	if id == "" || (!m.CRMActive.IsNull() && !m.CRMActive.ValueBool()) {
		return nil
	}
	return map[string]string{id: crmUser(m.CRMUsername.ValueString(), m.CRMUserID.ValueString()) + ", " + why}
}
