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

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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

// rosterSpec is a roster's configuration, read from known values.
type rosterSpec struct {
	connectionID string
	members      []memberSpec // sorted by key
	selects      []selectSpec
	exclusive    bool
}

// memberSpec is one members entry.
type memberSpec struct {
	key, role, team string
	hidden          []string // sorted, never nil
}

// selectSpec is one select block.
type selectSpec struct {
	profileNames, profileIDs []string
	groups                   []string
	active                   *bool
	emailDomain, search      string
	role, team               string
	hidden                   []string // sorted, never nil
}

// specOf reads the configuration of a roster from its attributes.
func specOf(attrs rosterAttrs) rosterSpec {
	spec := rosterSpec{connectionID: stringOf(attrs["connection_id"])}
	if b := boolOf(attrs["exclusive"]); b != nil {
		spec.exclusive = *b
	}
	members := mapOf(attrs["members"])
	for _, key := range slices.Sorted(maps.Keys(members)) {
		m := attrsOf(members[key])
		spec.members = append(spec.members, memberSpec{key: key, role: stringOf(m["role"]), team: stringOf(m["team"]), hidden: stringsOf(m["hidden_components"])})
	}
	for _, block := range listOf(attrs["select"]) {
		b := attrsOf(block)
		spec.selects = append(spec.selects, selectSpec{
			profileNames: stringsOf(b["crm_profile_names"]), profileIDs: stringsOf(b["crm_profile_ids"]), groups: stringsOf(b["crm_groups"]), active: boolOf(b["active"]),
			emailDomain: stringOf(b["email_domain"]), search: stringOf(b["search"]),
			role: stringOf(b["role"]), team: stringOf(b["team"]), hidden: stringsOf(b["hidden_components"]),
		})
	}
	return spec
}

// desired resolves members and select blocks to CRM users. A member in
// members wins over select blocks; an earlier block wins over a later one.
func (r *salesUsersResource) desired(ctx context.Context, spec rosterSpec, diags *diag.Diagnostics) map[string]*wantMember {
	want := map[string]*wantMember{}
	for _, m := range spec.members {
		id := normalizedID(m.key)
		if prev, dup := want[id]; dup {
			diags.AddAttributeError(memberPath(m.key), "Duplicate Roster Member",
				fmt.Sprintf("members keys %q and %q are the same CRM user (%s) in its 15- and 18-character forms. Keep one of them.", prev.key, m.key, id))
			continue
		}
		want[id] = &wantMember{crmID: id, key: m.key, source: "members", at: memberPath(m.key), role: m.role, team: m.team, hidden: m.hidden}
	}
	for i, sel := range spec.selects {
		opts := client.CRMUserListOptions{
			ProfileNames: sel.profileNames,
			Groups:       sel.groups,
			EmailDomain:  sel.emailDomain,
			Search:       sel.search,
			PageSize:     pageSize,
		}
		for _, id := range sel.profileIDs {
			opts.ProfileIDs = append(opts.ProfileIDs, normalizedID(id))
		}
		active := true
		if sel.active != nil {
			active = *sel.active
		}
		opts.Active = &active
		source := fmt.Sprintf("select[%d]", i)
		for u, err := range r.data.client.CRM.ListUsers(ctx, spec.connectionID, opts) {
			if err != nil {
				addAPIError(diags, fmt.Sprintf("read the CRM users that %s of the roster selects", source), err, func(e *client.Error) (path.Path, bool) {
					// A filter the API refuses (a group the org does not have).
					if _, ok := fieldAttribute(e, "group"); ok {
						return path.Root("select").AtListIndex(i).AtName("crm_groups"), true
					}
					return path.Empty(), false
				})
				return nil
			}
			if _, taken := want[u.ID]; taken {
				continue
			}
			want[u.ID] = &wantMember{
				crmID: u.ID, source: source, at: path.Root("select").AtListIndex(i), crm: u,
				role: sel.role, team: sel.team, hidden: sel.hidden,
			}
		}
	}
	return want
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
func ownedSet(state rosterAttrs) map[string]bool {
	owned := map[string]bool{}
	for id := range mapOf(state["sales_users"]) {
		owned[id] = true
	}
	return owned
}

// plan resolves the roster, computes what changes on its connection, checks
// every change with one batched dry run (one call per 10,000 changes),
// and returns sales_users as the apply will leave them; ok is false when it
// cannot (the diagnostics say why). planned holds known configuration
// values; prior is nil for a create.
func (r *salesUsersResource) plan(ctx context.Context, planned, prior rosterAttrs, diags *diag.Diagnostics) (tftypes.Value, bool) {
	spec := specOf(planned)
	connID := spec.connectionID
	sameConnection := prior != nil && prior["connection_id"].Equal(planned["connection_id"])
	owned := map[string]bool{}
	if sameConnection {
		owned = ownedSet(prior)
	}
	// A new roster learns of it from the dry run, which names the members
	// it would import; one in the state from the plan of its connection.
	if group, managed := r.data.ledger.managedGroup(connID); managed && sameConnection {
		diags.AddAttributeError(path.Root("connection_id"), userManagedSummary,
			userManagedDeclared(connID, group, "a roster (salesseat_sales_users)", "salesseat_sales_users.<name>"))
		return tftypes.Value{}, false
	}
	want := r.desired(ctx, spec, diags)
	if diags.HasError() {
		return tftypes.Value{}, false
	}
	d, err := r.diff(ctx, connID, want, owned, spec.exclusive)
	if err != nil {
		addAPIError(diags, "read the sales users of connection "+connID+" to plan the roster", err, func(e *client.Error) (path.Path, bool) {
			return path.Root("connection_id"), e.Code == client.CodeNotFound && e.Resource == "connection"
		})
		return tftypes.Value{}, false
	}
	// A roster replaced for a new connection is planned twice in one walk
	// (with the prior state, then as a create); only the create half claims.
	if prior == nil || sameConnection {
		for _, msg := range r.data.claims.claim(connID, rosterClaimant(connID, want), spec.exclusive, slices.Sorted(maps.Keys(want))) {
			diags.AddError("Sales User Declared Twice", msg)
		}
	}
	if spec.exclusive {
		// An exclusive roster would remove every sales user the Salesforce
		// group's sync creates, and the sync would bring them back.
		if c, err := r.data.client.Connections.Read(ctx, connID); err == nil && c.UserManagementGroup != "" {
			diags.AddAttributeError(path.Root("exclusive"), userManagedSummary, fmt.Sprintf(
				"Connection %s hands user management to the Salesforce public group %q: the platform's sync decides who holds its seats, "+
					"so an exclusive roster, which owns every seat of the connection, would remove the sales users the sync creates, and the sync would bring them back. "+
					"Remove this roster (manage the group's members in Salesforce, see the guide Managed in Salesforce), or remove user_management_group from the connection first.",
				connID, c.UserManagementGroup))
			return tftypes.Value{}, false
		}
	}
	// The removal guard counts the roster's members before the plan and
	// the sales users it removes (its own and, when exclusive, others).
	// A sales user whose CRM user is deactivated has no access to lose (a
	// select rule drops it by itself): it does not count.
	removed := map[string]string{}
	for _, op := range d.ops {
		if op.item.Action == client.ValidateActionRemove && op.cur != nil && op.cur.CRMActive {
			removed[op.cur.ID] = fmt.Sprintf("%s, %s", crmUser(op.cur.CRMUsername, op.crmID), op.why)
		}
	}
	if sameConnection {
		r.data.removals.checkShare(removed, len(owned), diags)
	}
	r.data.removals.remove(ctx, removed, diags)
	if diags.HasError() {
		return tftypes.Value{}, false
	}
	if d.unmanaged > 0 {
		diags.AddWarning("Seats Held Outside The Roster", fmt.Sprintf(
			"%s on connection %s %s not in this roster and %s left alone (imported in the platform, by automatic user sync, or by other resources); %s. "+
				"Add them to members to manage them here, or set exclusive = true to remove every sales user the roster does not declare.",
			plural(d.unmanaged, "1 sales user", fmt.Sprintf("%d sales users", d.unmanaged)), connID, plural(d.unmanaged, "is", "are"),
			plural(d.unmanaged, "is", "are"), plural(d.unmanaged, "it holds 1 seat", fmt.Sprintf("they hold %d seats", d.unmanaged))))
	}

	verdicts := r.dryRun(ctx, connID, d, diags)
	if diags.HasError() {
		return tftypes.Value{}, false
	}
	return entriesValue(r.plannedEntries(d, verdicts, connID)), true
}

// dryRun validates the ops in dry runs of client.MaxValidateItems (one for
// any roster up to that size) and reports
// their problems, one diagnostic per member and one for a seat shortage. It
// returns the verdict of each op by index.
func (r *salesUsersResource) dryRun(ctx context.Context, connID string, d *rosterDiff, diags *diag.Diagnostics) map[int]client.ValidationItem {
	verdicts := map[int]client.ValidationItem{}
	if len(d.ops) == 0 {
		return verdicts
	}
	for start := 0; start < len(d.ops); start += client.MaxValidateItems {
		chunk := d.ops[start:min(start+client.MaxValidateItems, len(d.ops))]
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
	var short, refused []string
	var refusal *client.Error
	disconnected := false
	for i, op := range d.ops {
		v := verdicts[i]
		if j := slices.IndexFunc(v.Problems, func(p *client.Error) bool { return p != nil && p.Code == client.CodeUserManagementInSalesforce }); j >= 0 {
			// No import by hand succeeds on this connection: one error for
			// the roster names every member it refuses.
			if op.want != nil {
				refusal = v.Problems[j]
				refused = append(refused, op.want.describe(v.CRMUsername))
			}
			continue
		}
		serviceAccount := slices.ContainsFunc(v.Problems, func(p *client.Error) bool { return p != nil && p.Code == client.CodeServiceAccountNotAllowed })
		for _, p := range v.Problems {
			if p == nil || p.Code == client.CodeSeatLimitReached {
				continue // counted for the roster as a whole below
			}
			if serviceAccount && p.Code == client.CodeProfileNotMapped {
				continue // no mapping makes the service account a sales user
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
	if refusal != nil {
		general := *refusal // the message names the members; the problem names the first
		general.CRMUsername, general.CRMUserID = "", ""
		_, body := describeProblem(&general)
		slices.Sort(refused)
		shown := refused[:min(len(refused), 20)]
		more := ""
		if len(refused) > len(shown) {
			more = fmt.Sprintf("\n  - and %d more", len(refused)-len(shown))
		}
		diags.AddAttributeError(path.Root("connection_id"), userManagedSummary, fmt.Sprintf(
			"The roster would import %d %s by hand:\n  - %s%s\n\n%s\n\nOriginal error: %s",
			len(refused), plural(len(refused), "member", "members"), strings.Join(shown, "\n  - "), more, body, refusal))
		return verdicts
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
		c, err := r.data.ledger.reserve(ctx, op.item.ConnectionID+"/id:"+op.crmID, op.crmID, r.data.client.Account.Read)
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
	if last.Budget > 0 {
		diags.AddError(rosterShortageSummary, fmt.Sprintf(
			"The roster adds %s but only %d seats are free for it under the seat budget (max_seats = %d in the provider configuration; %d in use after %d freed by the roster's removals%s, "+
				"and the account's seat limit is %d): remove %d from the roster, or raise max_seats if this configuration may take more of the account's seats. Members it adds: %s%s.",
			plural(adds, "1 sales user", fmt.Sprintf("%d sales users", adds)), fit, last.Budget, last.Used, frees, othersText, last.Limit, adds-fit,
			strings.Join(shown, ", "), more))
		return nil
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
func (r *salesUsersResource) plannedEntries(d *rosterDiff, verdicts map[int]client.ValidationItem, connID string) map[string]tftypes.Value {
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
	unknownStatus := suspended && len(d.ops) > 0
	out := make(map[string]tftypes.Value, len(d.want))
	for id, w := range d.want {
		i, hasOp := opsByID[id]
		cur, live := d.current[id]
		var e entryAttrs
		switch {
		case live && !hasOp:
			e = rosterEntryAttrs(cur)
			if anyMappingPlanned && cur.RoleSource == client.RoleSourceProfileMapping {
				e["role"] = tfUnknownString // the mapping it follows may change in this plan
			}
		case live:
			e = updatedEntry(cur, w, anyMappingPlanned)
		default:
			e = newEntry(d.ops[i], verdicts[i], w, anyMappingPlanned)
		}
		if unknownStatus {
			e["status"] = tfUnknownString
		}
		out[id] = e.value()
	}
	return out
}

// updatedEntry is the entry of a live sales user after its update.
func updatedEntry(cur *client.SalesUser, w *wantMember, mappingPlanned bool) entryAttrs {
	e := rosterEntryAttrs(cur)
	e["team"], e["hidden_components"] = tfStringOrNull(w.team), tfStringSet(w.hidden)
	switch {
	case w.role != "":
		e["role"], e["role_source"] = tfString(w.role), tfString(client.RoleSourceExplicit)
	case cur.RoleSource == client.RoleSourceProfileMapping && !mappingPlanned:
		// Follows its mapping, unchanged.
	default:
		e["role"], e["role_source"] = tfUnknownString, tfString(client.RoleSourceProfileMapping) // the mapping's role, read at apply
	}
	return e
}

// newEntry is the entry of a sales user the roster creates or restores.
func newEntry(op rosterOp, v client.ValidationItem, w *wantMember, mappingPlanned bool) entryAttrs {
	crm := v.CRMUser
	if crm == nil {
		crm = w.crm
	}
	e := entryAttrs{
		"sales_user_id":         tfUnknownString,
		"crm_username":          tfUnknownString,
		"name":                  tfUnknownString,
		"email":                 tfUnknownString,
		"crm_profile_name":      tfUnknownString,
		"role":                  tfUnknownString,
		"role_source":           tfString(client.RoleSourceProfileMapping),
		"team":                  tfStringOrNull(w.team),
		"hidden_components":     tfStringSet(w.hidden),
		"status":                tfString(client.SalesUserStatusActive),
		"crm_active":            tfUnknownBool,
		"adopted_existing_user": tfUnknownBool,
	}
	if w.role != "" {
		e["role"], e["role_source"] = tfString(w.role), tfString(client.RoleSourceExplicit)
	} else if v.RoleSource != "" && !mappingPlanned && op.item.Action == client.ValidateActionCreate {
		// (A restore reads the CRM user's profile again at apply, so the
		// role of the mapping it follows is known only then.)
		e["role"] = tfStringOrNull(v.Role)
	}
	if crm != nil && op.item.Action == client.ValidateActionCreate {
		e["crm_username"], e["email"] = tfStringOrNull(crm.Username), tfStringOrNull(crm.Email)
		e["name"], e["crm_profile_name"] = tfStringOrNull(fullName(crm.FirstName, crm.LastName)), tfStringOrNull(crm.ProfileName)
		e["crm_active"] = tfBool(crm.Active)
	}
	if op.item.Action == client.ValidateActionRestore && op.cur != nil {
		// The restore keeps the entry's ID and platform user; its CRM
		// fields are read again from the CRM at apply.
		e["sales_user_id"] = tfString(op.cur.ID)
		e["adopted_existing_user"] = tfBool(op.cur.AdoptedExistingUser)
		e["crm_username"] = tfStringOrNull(op.cur.CRMUsername)
	}
	return e
}

// entryAttrs are the attributes of a sales_users entry.
type entryAttrs map[string]tftypes.Value

// value is the entry as a value.
func (e entryAttrs) value() tftypes.Value {
	return tftypes.NewValue(rosterTypes().entry, map[string]tftypes.Value(e))
}

// rosterEntryAttrs are the sales_users entry of a sales user.
func rosterEntryAttrs(su *client.SalesUser) entryAttrs {
	return entryAttrs{
		"sales_user_id":         tfString(su.ID),
		"crm_username":          tfStringOrNull(su.CRMUsername),
		"name":                  tfStringOrNull(fullName(su.FirstName, su.LastName)),
		"email":                 tfStringOrNull(su.Email),
		"crm_profile_name":      tfStringOrNull(su.CRMProfileName),
		"role":                  tfStringOrNull(su.Role),
		"role_source":           tfStringOrNull(su.RoleSource),
		"team":                  tfStringOrNull(su.Team),
		"hidden_components":     tfStringSet(su.HiddenComponents),
		"status":                tfStringOrNull(su.Status),
		"crm_active":            tfBool(su.CRMActive),
		"adopted_existing_user": tfBool(su.AdoptedExistingUser),
	}
}

// rosterEntry is the sales_users entry of a sales user, as a value.
func rosterEntry(su *client.SalesUser) tftypes.Value {
	return rosterEntryAttrs(su).value()
}

// entriesValue is sales_users with these entries (empty, not null, when
// there are none).
func entriesValue(entries map[string]tftypes.Value) tftypes.Value {
	return tftypes.NewValue(rosterTypes().salesUsers, entries)
}

// fullName is a CRM user's first and last name.
func fullName(first, last string) string {
	return strings.TrimSpace(first + " " + last)
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
