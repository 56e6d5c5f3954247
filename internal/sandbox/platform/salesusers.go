package platform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// SalesUserFilter filters the sales user list.
type SalesUserFilter struct {
	ConnectionID string
	CRMUsername  string
}

// ListSalesUsers lists the sales users that are not in the recycle bin,
// sorted by ID.
func (p *Platform) ListSalesUsers(f SalesUserFilter, pr PageRequest) (Page[SalesUser], error) {
	p.mu.Lock()
	items := make([]SalesUser, 0, len(p.users))
	for _, u := range p.users {
		if u.DeletedAt != nil || (f.ConnectionID != "" && u.ConnectionID != f.ConnectionID) ||
			(f.CRMUsername != "" && !strings.EqualFold(u.CRMUsername, f.CRMUsername)) {
			continue
		}
		items = append(items, p.salesUserLocked(u))
	}
	p.mu.Unlock()
	slices.SortFunc(items, func(a, b SalesUser) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(u SalesUser) string { return u.ID }, pr)
}

// ListRecycleBin lists the deleted sales users, of one connection when
// connID is set, sorted by ID.
func (p *Platform) ListRecycleBin(connID string, pr PageRequest) (Page[SalesUser], error) {
	p.mu.Lock()
	items := []SalesUser{}
	for _, u := range p.users {
		if u.DeletedAt == nil || (connID != "" && u.ConnectionID != connID) {
			continue
		}
		items = append(items, p.salesUserLocked(u))
	}
	p.mu.Unlock()
	slices.SortFunc(items, func(a, b SalesUser) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(u SalesUser) string { return u.ID }, pr)
}

// GetSalesUser returns a sales user that is not in the recycle bin.
func (p *Platform) GetSalesUser(id string) (SalesUser, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.liveLocked(id)
	if err != nil {
		return SalesUser{}, err
	}
	return p.salesUserLocked(u), nil
}

// GetSalesUserByCRMUsername returns the sales user (not in the recycle bin)
// of a CRM username, compared case-insensitively.
func (p *Platform) GetSalesUserByCRMUsername(username string) (SalesUser, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.byUsername[strings.ToLower(strings.TrimSpace(username))]
	if !ok || p.users[id].DeletedAt != nil {
		prob := NotFound(ResourceSalesUser, username)
		prob.Detail = fmt.Sprintf("No sales user holds the CRM username %q (the recycle bin is not searched: see GET /api/v1/recycle-bin). Import the CRM user first.", username)
		return SalesUser{}, prob
	}
	return p.salesUserLocked(p.users[id]), nil
}

func (p *Platform) liveLocked(id string) (*SalesUserRecord, error) {
	u, ok := p.users[id]
	if !ok {
		return nil, NotFound(ResourceSalesUser, id)
	}
	if u.DeletedAt != nil {
		prob := NotFound(ResourceSalesUser, id)
		prob.Detail = fmt.Sprintf("Sales user %s was deleted on %s and is in the recycle bin. Restore it with POST /api/v1/recycle-bin/%s/restore, or purge it with DELETE /api/v1/recycle-bin/%s.",
			id, u.DeletedAt.Format(time.RFC3339), id, id)
		return nil, prob
	}
	return u, nil
}

// salesUserLocked renders a record: the effective role, its source and the
// status derived from the connection.
func (p *Platform) salesUserLocked(u *SalesUserRecord) SalesUser {
	out := SalesUser{
		ID: u.ID, ConnectionID: u.ConnectionID, CRMUserID: u.CRMUserID, CRMUsername: u.CRMUsername,
		Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, CRMActive: u.CRMActive,
		CRMProfileID: u.CRMProfileID, CRMProfileName: u.CRMProfileName, Team: u.Team,
		HiddenComponents: append([]string{}, u.HiddenComponents...), Status: SalesUserActive,
		AdoptedExistingUser: u.AdoptedExistingUser, PlatformUserID: u.PlatformUserID, CreatedBy: u.CreatedBy,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version,
	}
	if u.DeletedAt != nil {
		t := *u.DeletedAt
		out.DeletedAt = &t
	}
	out.Role, out.RoleSource = u.Role, RoleSourceExplicit
	if u.Role == "" {
		out.RoleSource = RoleSourceProfileMapping
		if m := p.mappingForLocked(u.ConnectionID, u.CRMProfileID); m != nil {
			out.Role = m.Role
		}
	}
	if c, ok := p.conns[u.ConnectionID]; ok && c.Status != StatusConnected {
		out.Status = SalesUserSuspended
	}
	return out
}

// CreateSalesUser imports a CRM user as a sales user. Rules are checked in
// the order of the API contract; the CRM is read before the lock is taken,
// and the rules and the seat limit are re-checked under it.
func (p *Platform) CreateSalesUser(ctx context.Context, in SalesUserInput) (SalesUser, error) {
	in, err := normalizeSalesUserInput(in)
	if err != nil {
		return SalesUser{}, err
	}
	sess, err := p.session(ctx, in.ConnectionID)
	if err != nil {
		return SalesUser{}, err
	}
	u, err := p.lookupCRMUser(ctx, in.ConnectionID, sess, in.CRMUserID, in.CRMUsername)
	if err != nil {
		return SalesUser{}, err
	}

	p.mu.Lock()
	conn, err := p.connectedLocked(in.ConnectionID)
	if err != nil {
		p.mu.Unlock()
		return SalesUser{}, err
	}
	if probs := p.importRulesLocked(conn, u, in.Role, ""); len(probs) > 0 {
		p.mu.Unlock()
		return SalesUser{}, probs[0]
	}
	if used := p.seatsUsedLocked(); used+1 > p.account.SeatLimit {
		p.mu.Unlock()
		return SalesUser{}, SeatLimitReached(used, p.account.SeatLimit, 1)
	}
	rec := p.insertLocked(conn, u, in.Role, in.Team, in.HiddenComponents, CreatedByAPI)
	out := p.salesUserLocked(rec)
	p.mu.Unlock()
	p.changed()
	return out, nil
}

// connectedLocked returns a connection that exists and is connected.
func (p *Platform) connectedLocked(connID string) (*ConnectionRecord, error) {
	conn, ok := p.conns[connID]
	if !ok {
		return nil, NotFound(ResourceConnection, connID)
	}
	if conn.Status != StatusConnected {
		return nil, ConnectionDisconnected(connID, conn.StatusReason)
	}
	return conn, nil
}

// lookupCRMUser reads the CRM user named by ID (normalized) or username.
func (p *Platform) lookupCRMUser(ctx context.Context, connID string, sess *session, id, username string) (salesforce.User, error) {
	var (
		u   salesforce.User
		err error
	)
	if id != "" {
		u, err = sess.crm.User(ctx, id)
	} else {
		u, err = sess.crm.UserByUsername(ctx, username)
	}
	if errors.Is(err, salesforce.ErrNotFound) {
		if id == "" {
			id = username
		}
		return salesforce.User{}, NotFound(ResourceCRMUser, id)
	}
	if err != nil {
		return salesforce.User{}, p.crmError(connID, sess, err)
	}
	return u, nil
}

// importRulesLocked checks the mapping rules for importing (or restoring,
// when selfID is set) CRM user u on conn, in contract order:
// service_account_not_allowed, crm_user_inactive, crm_username_mapped,
// crm_username_reserved, profile_not_mapped. It returns every violation.
func (p *Platform) importRulesLocked(conn *ConnectionRecord, u salesforce.User, explicitRole, selfID string) []*Problem {
	var probs []*Problem
	if strings.EqualFold(u.Username, conn.ServiceUsername) {
		probs = append(probs, ServiceAccountNotAllowed(u.ID, u.Username))
	}
	if !u.Active {
		probs = append(probs, CRMUserInactive(u.ID, u.Username))
	}
	if otherID, ok := p.byUsername[strings.ToLower(u.Username)]; ok && otherID != selfID {
		other := p.users[otherID]
		c := Conflict{SalesUserID: other.ID, Email: other.Email, Name: fullName(other.FirstName, other.LastName), InRecycleBin: other.DeletedAt != nil}
		if pu, ok := p.platformUsers[other.PlatformUserID]; ok {
			c.Email, c.Name = pu.Email, fullName(pu.FirstName, pu.LastName)
		}
		probs = append(probs, CRMUsernameMapped(u.Username, c))
	}
	if puID, ok := p.puByEmail[strings.ToLower(u.Username)]; ok {
		pu := p.platformUsers[puID]
		if !strings.EqualFold(pu.Email, u.Email) && p.puMappedTo[puID] == "" {
			probs = append(probs, CRMUsernameReserved(u.Username, pu.PlatformUser))
		}
	}
	if conn.UserSync && explicitRole == "" && p.mappingForLocked(conn.ID, u.ProfileID) == nil {
		probs = append(probs, ProfileNotMapped(u.ProfileID, u.ProfileName, conn.ID))
	}
	return probs
}

// insertLocked creates the sales user (and its platform user, unless one
// with the same email is free to adopt). The caller has checked the rules.
func (p *Platform) insertLocked(conn *ConnectionRecord, u salesforce.User, role, team string, hidden []string, createdBy string) *SalesUserRecord {
	now := p.clock()
	rec := &SalesUserRecord{
		ID: newID("su_"), ConnectionID: conn.ID, Role: role, Team: team,
		HiddenComponents: append([]string{}, hidden...), CreatedBy: createdBy,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	applyCRMUser(rec, u)
	if puID, ok := p.puByEmail[strings.ToLower(u.Email)]; ok && p.puMappedTo[puID] == "" {
		rec.PlatformUserID, rec.AdoptedExistingUser = puID, true
	} else {
		pu := &PlatformUserRecord{
			PlatformUser:    PlatformUser{ID: newID("pu_"), Email: u.Email, FirstName: u.FirstName, LastName: u.LastName},
			CreatedByImport: true,
		}
		p.platformUsers[pu.ID] = pu
		if _, taken := p.puByEmail[strings.ToLower(u.Email)]; !taken {
			p.puByEmail[strings.ToLower(u.Email)] = pu.ID
		}
		rec.PlatformUserID = pu.ID
	}
	p.users[rec.ID] = rec
	p.byUsername[strings.ToLower(rec.CRMUsername)] = rec.ID
	p.liveByCRMID[rec.CRMUserID] = rec.ID
	p.puMappedTo[rec.PlatformUserID] = rec.ID
	return rec
}

// applyCRMUser copies the CRM-owned fields into a record and reports
// whether anything changed.
func applyCRMUser(rec *SalesUserRecord, u salesforce.User) bool {
	before := [8]any{rec.CRMUserID, rec.CRMUsername, rec.Email, rec.FirstName, rec.LastName, rec.CRMActive, rec.CRMProfileID, rec.CRMProfileName}
	rec.CRMUserID, rec.CRMUsername, rec.Email = u.ID, u.Username, u.Email
	rec.FirstName, rec.LastName, rec.CRMActive = u.FirstName, u.LastName, u.Active
	rec.CRMProfileID, rec.CRMProfileName = u.ProfileID, u.ProfileName
	after := [8]any{rec.CRMUserID, rec.CRMUsername, rec.Email, rec.FirstName, rec.LastName, rec.CRMActive, rec.CRMProfileID, rec.CRMProfileName}
	return before != after
}

// UpdateSalesUser applies a patch to a sales user. Role "" follows the
// profile mapping, which must then exist when user sync is on. ifMatch 0
// means unconditional.
func (p *Platform) UpdateSalesUser(id string, in SalesUserPatch, ifMatch int) (SalesUser, error) {
	in, err := normalizeSalesUserPatch(in)
	if err != nil {
		return SalesUser{}, err
	}
	p.mu.Lock()
	u, err := p.liveLocked(id)
	if err != nil {
		p.mu.Unlock()
		return SalesUser{}, err
	}
	if ifMatch != 0 && ifMatch != u.Version {
		v := u.Version
		p.mu.Unlock()
		return SalesUser{}, PreconditionFailed(ResourceSalesUser, id, v)
	}
	if prob := p.patchRulesLocked(u, in); prob != nil {
		p.mu.Unlock()
		return SalesUser{}, prob
	}
	changed := false
	if in.Role != nil && *in.Role != u.Role {
		u.Role, changed = *in.Role, true
	}
	if in.Team != nil && *in.Team != u.Team {
		u.Team, changed = *in.Team, true
	}
	if in.HiddenComponents != nil && !slices.Equal(*in.HiddenComponents, u.HiddenComponents) {
		u.HiddenComponents, changed = slices.Clone(*in.HiddenComponents), true
	}
	if changed {
		u.UpdatedAt = p.clock()
		u.Version++
	}
	out := p.salesUserLocked(u)
	p.mu.Unlock()
	if changed {
		p.changed()
	}
	return out, nil
}

// patchRulesLocked checks the rules an update can break: following the
// profile mapping needs one when user sync is on.
func (p *Platform) patchRulesLocked(u *SalesUserRecord, in SalesUserPatch) *Problem {
	if in.Role == nil || *in.Role != "" {
		return nil
	}
	conn, ok := p.conns[u.ConnectionID]
	if ok && conn.UserSync && p.mappingForLocked(conn.ID, u.CRMProfileID) == nil {
		return ProfileNotMapped(u.CRMProfileID, u.CRMProfileName, conn.ID)
	}
	return nil
}

// DeleteSalesUser moves a sales user to the recycle bin, freeing its seat;
// it keeps its CRM username until purged or restored.
func (p *Platform) DeleteSalesUser(id string) error {
	p.mu.Lock()
	u, err := p.liveLocked(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	p.recycleLocked(u, p.clock())
	p.mu.Unlock()
	p.changed()
	return nil
}

func (p *Platform) recycleLocked(u *SalesUserRecord, now time.Time) {
	u.DeletedAt = &now
	u.UpdatedAt = now
	u.Version++
	if p.liveByCRMID[u.CRMUserID] == u.ID {
		delete(p.liveByCRMID, u.CRMUserID)
	}
}

// UpdateSalesUserFromCRM refreshes name, email, active flag and profile of a
// sales user from the org.
func (p *Platform) UpdateSalesUserFromCRM(ctx context.Context, id string) (SalesUser, error) {
	p.mu.Lock()
	u, err := p.liveLocked(id)
	if err != nil {
		p.mu.Unlock()
		return SalesUser{}, err
	}
	connID, crmID := u.ConnectionID, u.CRMUserID
	p.mu.Unlock()

	sess, err := p.session(ctx, connID)
	if err != nil {
		return SalesUser{}, err
	}
	cu, err := p.lookupCRMUser(ctx, connID, sess, crmID, "")
	if err != nil {
		return SalesUser{}, err
	}
	p.mu.Lock()
	u, err = p.liveLocked(id)
	if err != nil {
		p.mu.Unlock()
		return SalesUser{}, err
	}
	changed := refreshFromCRM(u, cu, p.clock())
	out := p.salesUserLocked(u)
	p.mu.Unlock()
	if changed {
		p.changed()
	}
	if _, err := p.RunAutomaticSync(ctx, connID); err == nil {
		if fresh, err := p.GetSalesUser(id); err == nil {
			out = fresh
		}
	}
	return out, nil
}

// refreshFromCRM updates the CRM-owned fields a sync refreshes (not the
// username, which identifies the mapping).
func refreshFromCRM(u *SalesUserRecord, cu salesforce.User, now time.Time) bool {
	cu.ID, cu.Username = u.CRMUserID, u.CRMUsername
	if !applyCRMUser(u, cu) {
		return false
	}
	u.UpdatedAt = now
	u.Version++
	return true
}

// UpdateConnectionFromCRM refreshes every sales user of a connection from
// the org and returns how many changed.
func (p *Platform) UpdateConnectionFromCRM(ctx context.Context, id string) (int, error) {
	sess, err := p.session(ctx, id)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	var ids []string
	for _, u := range p.users {
		if u.ConnectionID == id && u.DeletedAt == nil {
			ids = append(ids, u.CRMUserID)
		}
	}
	p.mu.Unlock()
	slices.Sort(ids)
	fresh, err := fetchUsersByID(ctx, sess.crm, ids)
	if err != nil {
		return 0, p.crmError(id, sess, err)
	}
	p.mu.Lock()
	n := 0
	now := p.clock()
	for _, u := range p.users {
		if u.ConnectionID != id || u.DeletedAt != nil {
			continue
		}
		if cu, ok := fresh[u.CRMUserID]; ok && refreshFromCRM(u, cu, now) {
			n++
		}
	}
	p.mu.Unlock()
	if n > 0 {
		p.changed()
	}
	_, _ = p.RunAutomaticSync(ctx, id) // CRM data arrived; best effort
	return n, nil
}

// RestoreSalesUser takes a sales user out of the recycle bin. It needs a
// free seat, and the mapping rules are checked again against the CRM user
// as it is now. A sales user is restored on its own connection while that
// exists; in.ConnectionID may name it, but no other. An entry whose
// connection is gone is restored through in.ConnectionID, which must reach
// the org of its CRM user, or, without one, through a connected connection
// that reaches its CRM user.
func (p *Platform) RestoreSalesUser(ctx context.Context, id string, in RestoreInput) (SalesUser, error) {
	p.mu.Lock()
	u, ok := p.users[id]
	if !ok || u.DeletedAt == nil {
		p.mu.Unlock()
		return SalesUser{}, NotFound(ResourceRecycleBinEntry, id)
	}
	connID, crmID, username := u.ConnectionID, u.CRMUserID, u.CRMUsername
	_, ownExists := p.conns[connID]
	_, givenExists := p.conns[in.ConnectionID]
	var candidates []string
	switch {
	case in.ConnectionID != "" && !givenExists:
		p.mu.Unlock()
		return SalesUser{}, Validation("connection_id", fmt.Sprintf(
			"connection %q does not exist; name a connection to the Salesforce org of CRM user %s (%s), or send no connection_id (list connections with GET /api/v1/connections)",
			in.ConnectionID, crmID, username))
	case ownExists && in.ConnectionID != "" && in.ConnectionID != connID:
		p.mu.Unlock()
		return SalesUser{}, Validation("connection_id", fmt.Sprintf(
			"sales user %s was deleted from connection %s, which still exists, and a sales user is restored on its own connection; "+
				"send connection_id %q or none, or purge it with DELETE /api/v1/recycle-bin/%s and import CRM user %s anew on connection %s",
			id, connID, connID, id, crmID, in.ConnectionID))
	case ownExists:
		candidates = []string{connID}
	case in.ConnectionID != "":
		candidates = []string{in.ConnectionID}
	default:
		for cid, c := range p.conns {
			if c.Status == StatusConnected {
				candidates = append(candidates, cid)
			}
		}
		slices.Sort(candidates)
	}
	p.mu.Unlock()

	// Only the fallback search tolerates a candidate that fails.
	single := len(candidates) == 1 && (ownExists || in.ConnectionID != "")
	var (
		cu   salesforce.User
		used string
	)
	for _, cid := range candidates {
		sess, err := p.session(ctx, cid)
		if err != nil {
			if single {
				return SalesUser{}, err
			}
			continue
		}
		cu, err = p.lookupCRMUser(ctx, cid, sess, crmID, "")
		if err == nil {
			used = cid
			break
		}
		if single && !ownExists && IsCode(err, CodeNotFound) {
			return SalesUser{}, p.wrongOrgProblem(ctx, id, crmID, username, cid)
		}
		if single {
			return SalesUser{}, err
		}
	}
	if used == "" {
		return SalesUser{}, Validation("connection_id", fmt.Sprintf(
			"sales user %s (CRM user %s, %s) belongs to no existing connection, and no connected connection reaches its CRM user; create a connection to its Salesforce org first, or purge it with DELETE /api/v1/recycle-bin/%s",
			id, crmID, username, id))
	}

	p.mu.Lock()
	u, ok = p.users[id]
	if !ok || u.DeletedAt == nil {
		p.mu.Unlock()
		return SalesUser{}, NotFound(ResourceRecycleBinEntry, id)
	}
	conn, err := p.connectedLocked(used)
	if err != nil {
		p.mu.Unlock()
		return SalesUser{}, err
	}
	cu.Username = u.CRMUsername // the entry holds its username; a renamed CRM user keeps the mapping
	if probs := p.importRulesLocked(conn, cu, u.Role, id); len(probs) > 0 {
		p.mu.Unlock()
		return SalesUser{}, probs[0]
	}
	if n := p.seatsUsedLocked(); n+1 > p.account.SeatLimit {
		p.mu.Unlock()
		prob := SeatLimitReached(n, p.account.SeatLimit, 1)
		prob.Detail = fmt.Sprintf("The account uses %d of %d seats, so restoring sales user %s from the recycle bin would exceed the seat limit. %s",
			n, p.account.SeatLimit, id, seatLimitFix)
		return SalesUser{}, prob
	}
	if other, ok := p.liveByCRMID[u.CRMUserID]; ok && other != id {
		p.mu.Unlock()
		return SalesUser{}, CRMUsernameMapped(u.CRMUsername, Conflict{SalesUserID: other, Email: p.users[other].Email, Name: fullName(p.users[other].FirstName, p.users[other].LastName)})
	}
	now := p.clock()
	applyCRMUser(u, cu)
	u.ConnectionID = conn.ID
	u.DeletedAt = nil
	u.UpdatedAt = now
	u.Version++
	p.liveByCRMID[u.CRMUserID] = u.ID
	out := p.salesUserLocked(u)
	p.mu.Unlock()
	p.changed()
	return out, nil
}

// wrongOrgProblem explains that connection connID, named by a restore,
// does not reach the org of the entry's CRM user. It names that org when
// another connected connection reaches the CRM user.
func (p *Platform) wrongOrgProblem(ctx context.Context, id, crmID, username, connID string) *Problem {
	p.mu.Lock()
	reaches := ""
	if c, ok := p.conns[connID]; ok && c.OrganizationID != "" {
		reaches = fmt.Sprintf(", to org %s,", c.OrganizationID)
	}
	var others []string
	for cid, c := range p.conns {
		if cid != connID && c.Status == StatusConnected {
			others = append(others, cid)
		}
	}
	p.mu.Unlock()
	slices.Sort(others)
	org := "the Salesforce org of that CRM user"
	for _, cid := range others {
		sess, err := p.session(ctx, cid)
		if err != nil {
			continue
		}
		if _, err := p.lookupCRMUser(ctx, cid, sess, crmID, ""); err == nil {
			p.mu.Lock()
			if c, ok := p.conns[cid]; ok && c.OrganizationID != "" {
				org = fmt.Sprintf("Salesforce org %s, which connection %s reaches", c.OrganizationID, cid)
			}
			p.mu.Unlock()
			break
		}
	}
	return Validation("connection_id", fmt.Sprintf(
		"connection %s%s does not reach CRM user %s (%s) of sales user %s; it must reach %s. Name a connection to that org, or purge the sales user with DELETE /api/v1/recycle-bin/%s",
		connID, reaches, crmID, username, id, org, id))
}

// PurgeSalesUser deletes a recycle bin entry for good, freeing its CRM
// username. A platform user created by the import goes with it; an adopted
// one stays, unmapped.
func (p *Platform) PurgeSalesUser(id string) error {
	p.mu.Lock()
	u, ok := p.users[id]
	if !ok || u.DeletedAt == nil {
		p.mu.Unlock()
		return NotFound(ResourceRecycleBinEntry, id)
	}
	delete(p.users, id)
	if pu, ok := p.platformUsers[u.PlatformUserID]; ok && pu.CreatedByImport {
		delete(p.platformUsers, pu.ID)
	}
	p.reindexLocked()
	p.mu.Unlock()
	p.changed()
	return nil
}

// normalizeSalesUserInput checks a create body: exactly one of CRM user ID
// (normalized to 18 characters) and username, a catalog role or "", and
// hidden components from the catalog (sorted, de-duplicated).
func normalizeSalesUserInput(in SalesUserInput) (SalesUserInput, error) {
	var errs []FieldError
	if in.ConnectionID == "" {
		errs = append(errs, FieldError{Field: "connection_id", Message: "connection_id is required"})
	}
	in.CRMUsername = strings.TrimSpace(in.CRMUsername)
	switch {
	case in.CRMUserID != "" && in.CRMUsername != "":
		errs = append(errs, FieldError{Field: "crm_user_id", Message: "supply either crm_user_id or crm_username, not both"})
	case in.CRMUserID != "":
		n, err := sfid.Normalize(in.CRMUserID)
		if err != nil {
			errs = append(errs, FieldError{Field: "crm_user_id", Message: err.Error()})
		}
		in.CRMUserID = n
	case in.CRMUsername == "":
		errs = append(errs, FieldError{Field: "crm_user_id", Message: "supply crm_user_id (the CRM user's Salesforce ID) or crm_username"})
	}
	if msg := checkRole(in.Role, true); msg != "" {
		errs = append(errs, FieldError{Field: "role", Message: msg + " (or omit it to follow the profile's role mapping)"})
	}
	hidden, msg := normalizeHidden(in.HiddenComponents)
	if msg != "" {
		errs = append(errs, FieldError{Field: "hidden_components", Message: msg})
	}
	in.HiddenComponents = hidden
	if len(errs) > 0 {
		return in, ValidationErrors(errs)
	}
	return in, nil
}

func normalizeSalesUserPatch(in SalesUserPatch) (SalesUserPatch, error) {
	var errs []FieldError
	if in.Role != nil {
		if msg := checkRole(*in.Role, true); msg != "" {
			errs = append(errs, FieldError{Field: "role", Message: msg + " (or \"\"/null to follow the profile's role mapping)"})
		}
	}
	if in.HiddenComponents != nil {
		hidden, msg := normalizeHidden(*in.HiddenComponents)
		if msg != "" {
			errs = append(errs, FieldError{Field: "hidden_components", Message: msg})
		}
		in.HiddenComponents = &hidden
	}
	if len(errs) > 0 {
		return in, ValidationErrors(errs)
	}
	return in, nil
}

// normalizeHidden validates hidden components against the catalog and
// returns them sorted, de-duplicated and never nil.
func normalizeHidden(in []string) ([]string, string) {
	catalog := HiddenComponentNames()
	out := []string{}
	for _, c := range in {
		if !slices.Contains(catalog, c) {
			return []string{}, fmt.Sprintf("unknown component %q; hidden_components takes any of %s", c, quoteJoin(catalog))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, ""
}
