package provider

// The salesseat_sales_users plan: resolving members and selection rules to
// CRM users, the difference from the connection's sales users, and one
// batched dry run of it.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// rosterShortageSummary is the summary of the roster's seat shortage.
const rosterShortageSummary = "Not Enough Seats For The Roster"

// wantMember is a CRM user the configuration declares.
type wantMember struct {
	crmID  string    // 18 characters
	key    string    // the members key as configured; "" for a select match
	source string    // "members" or "select[N]"
	at     path.Path // where to report its problems
	role   string    // "" follows the profile mapping
	team   string
	hidden []string        // sorted, never nil
	crm    *client.CRMUser // known for select matches
}

// describe names the member for messages: username and ID when known.
func (w *wantMember) describe(username string) string {
	if username == "" && w.crm != nil {
		username = w.crm.Username
	}
	if username == "" {
		return "CRM user " + w.crmID
	}
	return fmt.Sprintf("%q (%s)", username, w.crmID)
}

// rosterOp is one change the roster makes, as a batch item.
type rosterOp struct {
	item  client.ValidateItem
	crmID string
	want  *wantMember       // nil for a removal
	cur   *client.SalesUser // the live sales user (update, removal) or the recycle bin entry (restore)
	why   string            // a removal's reason, for messages
}

// rosterDiff is what a roster changes on its connection.
type rosterDiff struct {
	want      map[string]*wantMember
	current   map[string]*client.SalesUser
	ops       []rosterOp // removals first, then updates, restores, creates, each sorted by CRM user ID
	unmanaged int        // live sales users the roster neither declares nor removes
}

// adds counts the ops that take a seat.
func (d *rosterDiff) adds() int {
	n := 0
	for _, op := range d.ops {
		if op.item.Action == client.ValidateActionCreate || op.item.Action == client.ValidateActionRestore {
			n++
		}
	}
	return n
}

// removes counts the ops that free a seat.
func (d *rosterDiff) removes() int {
	n := 0
	for _, op := range d.ops {
		if op.item.Action == client.ValidateActionRemove {
			n++
		}
	}
	return n
}

// desired resolves members and select blocks to CRM users. A member in
// members wins over select blocks; an earlier block wins over a later one.
func (r *salesUsersResource) desired(ctx context.Context, m salesUsersModel, diags *diag.Diagnostics) map[string]*wantMember {
	want := map[string]*wantMember{}
	if !m.Members.IsNull() {
		elems := m.Members.Elements() // a copy: take it once
		for _, key := range slices.Sorted(maps.Keys(elems)) {
			obj, ok := elems[key].(types.Object)
			if !ok {
				continue
			}
			id := normalizedID(key)
			if prev, dup := want[id]; dup {
				diags.AddAttributeError(memberPath(key), "Duplicate Roster Member",
					fmt.Sprintf("members keys %q and %q are the same CRM user (%s) in its 15- and 18-character forms. Keep one of them.", prev.key, key, id))
				continue
			}
			attrs := obj.Attributes()
			w := &wantMember{crmID: id, key: key, source: "members", at: memberPath(key)}
			w.role, w.team, w.hidden = stringAttr(attrs["role"]), stringAttr(attrs["team"]), setAttr(attrs["hidden_components"])
			want[id] = w
		}
	}
	var selects []selectModel
	if !m.Select.IsNull() {
		diags.Append(m.Select.ElementsAs(ctx, &selects, false)...)
	}
	for i, sel := range selects {
		opts := client.CRMUserListOptions{
			ProfileNames: setStrings(sel.ProfileNames),
			EmailDomain:  sel.EmailDomain.ValueString(),
			Search:       sel.Search.ValueString(),
			PageSize:     pageSize,
		}
		for _, id := range setStrings(sel.ProfileIDs) {
			opts.ProfileIDs = append(opts.ProfileIDs, normalizedID(id))
		}
		active := true
		if !sel.Active.IsNull() {
			active = sel.Active.ValueBool()
		}
		opts.Active = &active
		source := fmt.Sprintf("select[%d]", i)
		for u, err := range r.data.client.CRM.ListUsers(ctx, m.ConnectionID.ValueString(), opts) {
			if err != nil {
				addAPIError(diags, fmt.Sprintf("read the CRM users that %s of the roster selects", source), err, nil)
				return nil
			}
			if _, taken := want[u.ID]; taken {
				continue
			}
			want[u.ID] = &wantMember{
				crmID: u.ID, source: source, at: path.Root("select").AtListIndex(i), crm: u,
				role: sel.Role.ValueString(), team: sel.Team.ValueString(), hidden: setAttr(sel.HiddenComponents),
			}
		}
	}
	return want
}

// stringAttr is a string value, "" when null.
func stringAttr(v attr.Value) string {
	if s, ok := v.(types.String); ok {
		return s.ValueString()
	}
	return ""
}

// setAttr is a set of strings, sorted, empty when null.
func setAttr(v attr.Value) []string {
	if s, ok := v.(types.Set); ok && !s.IsNull() && !s.IsUnknown() {
		return setStrings(s)
	}
	return []string{}
}

// diff computes the ops that turn the connection's sales users into the
// desired ones. owned are the CRM users the roster held before (its state).
func (r *salesUsersResource) diff(ctx context.Context, connID string, want map[string]*wantMember, owned map[string]bool, exclusive bool) (*rosterDiff, error) {
	current, err := r.data.salesUsers.all(ctx, r.data.client, connID)
	if err != nil {
		return nil, err
	}
	if len(current) == 0 && len(want) > 0 {
		// The listing of a connection that does not exist is empty too; ask
		// for the connection, so the error names it rather than each member.
		if _, err := r.data.client.Connections.Read(ctx, connID); err != nil {
			return nil, err
		}
	}
	d := &rosterDiff{want: want, current: current}
	var removes, updates, restores, creates []rosterOp
	for _, id := range slices.Sorted(maps.Keys(current)) {
		if _, ok := want[id]; ok {
			continue
		}
		if owned[id] || exclusive {
			cur := current[id]
			why := "no longer declared by the roster"
			if !owned[id] {
				why = "not declared by the exclusive roster"
			}
			removes = append(removes, rosterOp{crmID: id, cur: cur, why: why, item: client.ValidateItem{Action: client.ValidateActionRemove, SalesUserID: cur.ID}})
		} else {
			d.unmanaged++
		}
	}
	var missing []string
	for _, id := range slices.Sorted(maps.Keys(want)) {
		w := want[id]
		cur, live := current[id]
		if !live {
			missing = append(missing, id)
			continue
		}
		if item, changed := updateItem(cur, w); changed {
			updates = append(updates, rosterOp{crmID: id, want: w, cur: cur, item: item})
		}
	}
	if len(missing) > 0 {
		bin, err := r.data.salesUsers.restorableEntries(ctx, r.data.client, connID)
		if err != nil {
			return nil, err
		}
		for _, id := range missing {
			w := want[id]
			role, team, hidden := w.role, w.team, w.hidden
			if entry, ok := bin[id]; ok {
				restores = append(restores, rosterOp{crmID: id, want: w, cur: entry, item: client.ValidateItem{
					Action: client.ValidateActionRestore, SalesUserID: entry.ID, ConnectionID: connID, Role: &role, Team: &team, HiddenComponents: hidden}})
				continue
			}
			item := client.ValidateItem{Action: client.ValidateActionCreate, ConnectionID: connID, CRMUserID: id, HiddenComponents: hidden}
			if role != "" {
				item.Role = &role
			}
			if team != "" {
				item.Team = &team
			}
			creates = append(creates, rosterOp{crmID: id, want: w, item: item})
		}
	}
	d.ops = slices.Concat(removes, updates, restores, creates)
	return d, nil
}

// updateItem is the update that gives cur the member's role, team and hidden
// components; changed is false when it already has them.
func updateItem(cur *client.SalesUser, w *wantMember) (client.ValidateItem, bool) {
	item := client.ValidateItem{Action: client.ValidateActionUpdate, SalesUserID: cur.ID}
	changed := false
	curRole := ""
	if cur.RoleSource == client.RoleSourceExplicit {
		curRole = cur.Role
	}
	if curRole != w.role {
		role := w.role
		item.Role, changed = &role, true
	}
	if cur.Team != w.team {
		team := w.team
		item.Team, changed = &team, true
	}
	if !slices.Equal(cur.HiddenComponents, w.hidden) {
		// An empty list clears them; the client sends [] for an empty,
		// non-nil slice only when asked to, so send it explicitly.
		item.HiddenComponents, changed = append([]string{}, w.hidden...), true
	}
	return item, changed
}

// ownedSet is the set of CRM users a roster state holds.
func ownedSet(state salesUsersModel) map[string]bool {
	owned := map[string]bool{}
	if state.SalesUsers.IsNull() || state.SalesUsers.IsUnknown() {
		return owned
	}
	for id := range state.SalesUsers.Elements() {
		owned[id] = true
	}
	return owned
}

// ModifyPlan resolves the roster, computes what changes on its connection,
// checks every change with one batched dry run (at most one call per 500
// changes), and plans sales_users as the apply will leave them.
//
// With the connection ID unknown (a connection created in the same plan),
// nothing can be read: sales_users is known after apply, and the apply
// resolves the roster itself.
func (r *salesUsersResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy: never blocked by plan-time checks; or not configured yet
	}
	var plan salesUsersModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state salesUsersModel
	owned := map[string]bool{}
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if state.ConnectionID.Equal(plan.ConnectionID) {
			owned = ownedSet(state)
		}
	}
	connID := plan.ConnectionID.ValueString()
	// A value known only at apply anywhere in the configuration (a team
	// from another resource, a profile ID from a data source read at apply)
	// would resolve to other members at apply: resolve nothing now.
	if plan.ConnectionID.IsUnknown() || !req.Config.Raw.IsFullyKnown() {
		plan.ID = types.StringUnknown()
		plan.SalesUsers = types.MapUnknown(rosterEntryType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	plan.ID = types.StringValue(connID)

	want := r.desired(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	d, err := r.diff(ctx, connID, want, owned, plan.Exclusive.ValueBool())
	if err != nil {
		addAPIError(&resp.Diagnostics, "read the sales users of connection "+connID+" to plan the roster", err, func(e *client.Error) (path.Path, bool) {
			return path.Root("connection_id"), e.Code == client.CodeNotFound && e.Resource == "connection"
		})
		return
	}
	// A roster replaced for a new connection is planned twice in one walk
	// (with the prior state, then as a create); only the create half claims.
	if req.State.Raw.IsNull() || state.ConnectionID.Equal(plan.ConnectionID) {
		for _, msg := range r.data.claims.claim(connID, rosterClaimant(connID, want), plan.Exclusive.ValueBool(), slices.Sorted(maps.Keys(want))) {
			resp.Diagnostics.AddError("Sales User Declared Twice", msg)
		}
	}
	if d.unmanaged > 0 {
		resp.Diagnostics.AddWarning("Seats Held Outside The Roster", fmt.Sprintf(
			"%s on connection %s %s not in this roster and %s left alone (imported in the platform, by automatic user sync, or by other resources); %s. "+
				"Add them to members to manage them here, or set exclusive = true to remove every sales user the roster does not declare.",
			plural(d.unmanaged, "1 sales user", fmt.Sprintf("%d sales users", d.unmanaged)), connID, plural(d.unmanaged, "is", "are"),
			plural(d.unmanaged, "is", "are"), plural(d.unmanaged, "it holds 1 seat", fmt.Sprintf("they hold %d seats", d.unmanaged))))
	}

	verdicts := r.dryRun(ctx, connID, d, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	planned := r.plannedEntries(d, verdicts, connID)
	plan.SalesUsers = types.MapValueMust(rosterEntryType, planned)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// dryRun validates the ops in batches of client.MaxBatchItems and reports
// their problems, one diagnostic per member and one for a seat shortage. It
// returns the verdict of each op by index.
func (r *salesUsersResource) dryRun(ctx context.Context, connID string, d *rosterDiff, diags *diag.Diagnostics) map[int]client.ValidationItem {
	verdicts := map[int]client.ValidationItem{}
	if len(d.ops) == 0 {
		return verdicts
	}
	for start := 0; start < len(d.ops); start += client.MaxBatchItems {
		chunk := d.ops[start:min(start+client.MaxBatchItems, len(d.ops))]
		items := make([]client.ValidateItem, len(chunk))
		for i, op := range chunk {
			items[i] = op.item
		}
		res, err := r.data.client.SalesUsers.Validate(ctx, client.ValidateOptions{Items: items})
		if err != nil {
			if errors.Is(err, client.ErrInsufficientScope) {
				diags.AddWarning("Plan-Time Checks Skipped", "The API client may not run dry runs (it lacks the salesseat.write scope), so the roster's changes are checked at apply.")
				return verdicts
			}
			addAPIError(diags, "check the roster's changes with a dry run", err, nil)
			return nil
		}
		for _, v := range res.Items {
			verdicts[start+v.Index] = v
		}
	}
	var short []string
	disconnected := false
	for i, op := range d.ops {
		v := verdicts[i]
		for _, p := range v.Problems {
			if p == nil || p.Code == client.CodeSeatLimitReached {
				continue // counted for the roster as a whole below
			}
			if op.want == nil {
				continue // a removal of what is already gone changes nothing
			}
			summary, body := describeProblem(p)
			at := op.want.at
			detail := fmt.Sprintf("Member %s of the roster (%s) cannot be %s. %s\n\nOriginal error: %s",
				op.want.describe(v.CRMUsername), op.want.source, actionVerb(op.item.Action), body, p)
			switch p.Code {
			case client.CodeProfileNotMapped:
				planned, forProfile := r.data.ledger.plannedMappings(connID, profileKeys(p.CRMProfileID, p.CRMProfileName)...)
				if forProfile {
					continue // the mapping this plan creates (planned first: depends_on) gives the role
				}
				if op.want.key != "" {
					at = at.AtName("role")
				}
				if planned {
					diags.AddAttributeWarning(at, summary, detail+"\n\nThis plan creates role mappings on this connection, but none for this profile "+
						"has been planned before the roster. If one of them maps this profile, add it to the roster's depends_on; otherwise the apply will fail.")
					continue
				}
			case client.CodeConnectionDisconnected:
				// The connection resource plans its own re-authorization when
				// it can; the apply fails with the same message otherwise.
				if !disconnected {
					diags.AddAttributeWarning(path.Root("connection_id"), summary, body)
					disconnected = true
				}
				continue
			}
			diags.AddAttributeError(at, summary, detail)
		}
		if op.want != nil && (op.item.Action == client.ValidateActionCreate || op.item.Action == client.ValidateActionRestore) {
			short = append(short, op.want.describe(v.CRMUsername))
		}
	}
	if err := r.checkSeats(ctx, d, short, diags); err != nil {
		addAPIError(diags, "read the account's seats to check the roster", err, nil)
	}
	return verdicts
}

// checkSeats counts the roster's seats in the plan-wide seat ledger that
// salesseat_sales_user uses too: the roster's removals are released first
// (a batch applies them before its imports), then every import and restore
// is reserved, so rosters and per-user resources of one plan share one
// count of the free seats. A shortage is one error with the totals, naming
// the first members (sorted) that the roster adds.
func (r *salesUsersResource) checkSeats(ctx context.Context, d *rosterDiff, adding []string, diags *diag.Diagnostics) error {
	adds, frees := d.adds(), d.removes()
	if adds == 0 {
		return nil
	}
	for _, op := range d.ops {
		if op.item.Action == client.ValidateActionRemove && op.cur != nil {
			r.data.ledger.release(op.cur.ID, true)
		}
	}
	fit := 0
	var last seatCheck
	for _, op := range d.ops {
		if op.item.Action != client.ValidateActionCreate && op.item.Action != client.ValidateActionRestore {
			continue
		}
		c, err := r.data.ledger.reserve(ctx, op.item.ConnectionID+"/id:"+op.crmID, r.data.client.Account.Read)
		if err != nil {
			return err
		}
		if c.OK {
			fit++
		}
		last = c
	}
	if fit == adds {
		return nil
	}
	others := max(last.Planned-adds, 0)
	slices.Sort(adding)
	shown := adding[:min(len(adding), 10)]
	more := ""
	if len(adding) > len(shown) {
		more = fmt.Sprintf(", and %d more", len(adding)-len(shown))
	}
	othersText := ""
	if others > 0 {
		othersText = fmt.Sprintf(", %d taken by other sales users this plan creates", others)
	}
	diags.AddError(rosterShortageSummary, fmt.Sprintf(
		"The roster adds %s but only %d seats are free for it (%d of %d in use after %d freed by the roster's removals%s): remove %d from the roster, "+
			"or free seats elsewhere. Members it adds: %s%s. %s",
		plural(adds, "1 sales user", fmt.Sprintf("%d sales users", adds)), fit, last.Used, last.Limit, frees, othersText, adds-fit,
		strings.Join(shown, ", "), more, seatLimitNote))
	return nil
}

// actionVerb names what an op does to a member, for messages.
func actionVerb(action string) string {
	switch action {
	case client.ValidateActionCreate:
		return "imported"
	case client.ValidateActionRestore:
		return "restored from the recycle bin"
	case client.ValidateActionUpdate:
		return "updated"
	}
	return "removed"
}

// plannedEntries builds sales_users as the apply will leave it: entries of
// live sales users with their updates, restored and created ones from the
// dry run's verdicts. What the plan cannot know (a new sales user's ID, a
// role that follows a mapping this plan changes) is unknown.
func (r *salesUsersResource) plannedEntries(d *rosterDiff, verdicts map[int]client.ValidationItem, connID string) map[string]attr.Value {
	anyMappingPlanned, _ := r.data.ledger.plannedMappings(connID)
	opsByID := map[string]int{}
	for i, op := range d.ops {
		opsByID[op.crmID] = i
	}
	// A suspended member becomes active when its connection is authorized
	// again, possibly by this apply, before the roster's own changes.
	suspended := false
	for _, cur := range d.current {
		suspended = suspended || cur.Status == client.SalesUserStatusSuspended
	}
	out := make(map[string]attr.Value, len(d.want))
	defer func() {
		if !suspended || len(d.ops) == 0 {
			return
		}
		for id, e := range out {
			if obj, ok := e.(types.Object); ok {
				attrs := obj.Attributes()
				attrs["status"] = types.StringUnknown()
				out[id] = types.ObjectValueMust(rosterEntryAttrTypes, attrs)
			}
		}
	}()
	for id, w := range d.want {
		i, hasOp := opsByID[id]
		cur, live := d.current[id]
		switch {
		case live && !hasOp && anyMappingPlanned && cur.RoleSource == client.RoleSourceProfileMapping:
			// The mapping it follows may change in this plan.
			out[id] = withRole(rosterEntry(cur, w.source), types.StringUnknown())
		case live && !hasOp:
			out[id] = rosterEntry(cur, w.source)
		case live:
			out[id] = updatedEntry(cur, w, anyMappingPlanned)
		default:
			out[id] = newEntry(d.ops[i], verdicts[i], w, anyMappingPlanned)
		}
	}
	return out
}

// withRole returns an entry with its role replaced.
func withRole(entry attr.Value, role types.String) attr.Value {
	obj, ok := entry.(types.Object)
	if !ok {
		return entry
	}
	attrs := obj.Attributes()
	attrs["role"] = role
	return types.ObjectValueMust(rosterEntryAttrTypes, attrs)
}

// updatedEntry is the entry of a live sales user after its update.
func updatedEntry(cur *client.SalesUser, w *wantMember, mappingPlanned bool) attr.Value {
	next := *cur
	next.Team = w.team
	next.HiddenComponents = w.hidden
	var role types.String
	switch {
	case w.role != "":
		next.Role, next.RoleSource = w.role, client.RoleSourceExplicit
		role = types.StringValue(w.role)
	case cur.RoleSource == client.RoleSourceProfileMapping && !mappingPlanned:
		role = nullIfEmpty(cur.Role)
	default:
		next.RoleSource = client.RoleSourceProfileMapping
		role = types.StringUnknown() // the mapping's role, read at apply
	}
	return withRole(rosterEntry(&next, w.source), role)
}

// newEntry is the entry of a sales user the roster creates or restores.
func newEntry(op rosterOp, v client.ValidationItem, w *wantMember, mappingPlanned bool) attr.Value {
	crm := v.CRMUser
	if crm == nil {
		crm = w.crm
	}
	unknownString := types.StringUnknown()
	attrs := map[string]attr.Value{
		"sales_user_id":         unknownString,
		"crm_username":          unknownString,
		"email":                 unknownString,
		"first_name":            unknownString,
		"last_name":             unknownString,
		"crm_profile_id":        unknownString,
		"crm_profile_name":      unknownString,
		"role":                  unknownString,
		"role_source":           types.StringValue(client.RoleSourceProfileMapping),
		"team":                  nullIfEmpty(w.team),
		"hidden_components":     stringSet(w.hidden),
		"status":                types.StringValue(client.SalesUserStatusActive),
		"crm_active":            types.BoolUnknown(),
		"adopted_existing_user": types.BoolUnknown(),
		"source":                types.StringValue(w.source),
	}
	if w.role != "" {
		attrs["role"], attrs["role_source"] = types.StringValue(w.role), types.StringValue(client.RoleSourceExplicit)
	} else if v.RoleSource != "" && !mappingPlanned && op.item.Action == client.ValidateActionCreate {
		// (A restore reads the CRM user's profile again at apply, so the
		// role of the mapping it follows is known only then.)
		attrs["role"] = nullIfEmpty(v.Role)
	}
	if crm != nil && op.item.Action == client.ValidateActionCreate {
		attrs["crm_username"], attrs["email"] = types.StringValue(crm.Username), types.StringValue(crm.Email)
		attrs["first_name"], attrs["last_name"] = nullIfEmpty(crm.FirstName), types.StringValue(crm.LastName)
		attrs["crm_profile_id"], attrs["crm_profile_name"] = types.StringValue(crm.ProfileID), types.StringValue(crm.ProfileName)
		attrs["crm_active"] = types.BoolValue(crm.Active)
	}
	if op.item.Action == client.ValidateActionRestore && op.cur != nil {
		// The restore keeps the entry's ID and platform user; its CRM
		// fields are read again from the CRM at apply.
		attrs["sales_user_id"] = types.StringValue(op.cur.ID)
		attrs["adopted_existing_user"] = types.BoolValue(op.cur.AdoptedExistingUser)
		attrs["crm_username"] = types.StringValue(op.cur.CRMUsername)
	}
	return types.ObjectValueMust(rosterEntryAttrTypes, attrs)
}

// rosterClaimant describes a roster for conflict messages: Terraform does not
// tell the provider its address, so it is named by its connection and its
// first members.
func rosterClaimant(connID string, want map[string]*wantMember) string {
	ids := slices.Sorted(maps.Keys(want))
	var names []string
	for _, id := range ids[:min(len(ids), 3)] {
		names = append(names, want[id].describe(""))
	}
	if len(ids) > 3 {
		names = append(names, fmt.Sprintf("%d more", len(ids)-3))
	}
	return fmt.Sprintf("the salesseat_sales_users roster on connection %s with members %s", connID, strings.Join(names, ", "))
}
