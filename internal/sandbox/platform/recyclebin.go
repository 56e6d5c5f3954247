package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

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
