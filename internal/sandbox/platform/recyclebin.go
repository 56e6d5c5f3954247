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
	items := view(p, func() []SalesUser {
		items := []SalesUser{}
		for _, u := range p.users {
			if u.DeletedAt == nil || (connID != "" && u.ConnectionID != connID) {
				continue
			}
			items = append(items, p.salesUserLocked(u))
		}
		return items
	})
	slices.SortFunc(items, func(a, b SalesUser) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(u SalesUser) string { return u.ID }, pr)
}

// DeleteSalesUser moves a sales user to the recycle bin, freeing its seat;
// it keeps its CRM username until purged or restored.
func (p *Platform) DeleteSalesUser(id string) error {
	_, err := commit(p, func() (struct{}, bool, error) {
		u, err := p.liveLocked(id)
		if err != nil {
			return struct{}{}, false, err
		}
		p.recycleLocked(u, p.clock())
		return struct{}{}, true, nil
	})
	return err
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
	plan, err := viewErr(p, func() (restorePlan, error) { return p.planRestoreLocked(id, in) })
	if err != nil {
		return SalesUser{}, err
	}
	cu, used, err := p.findRestoreTarget(ctx, id, in, plan)
	if err != nil {
		return SalesUser{}, err
	}
	return commit(p, func() (SalesUser, bool, error) {
		out, err := p.restoreLocked(id, used, cu, nil)
		return out, err == nil, err
	})
}

// restorePlan is what a restore learned from the state before it reads the
// CRM: the entry's CRM user and the connections to look it up through.
type restorePlan struct {
	crmID, username string
	ownExists       bool
	candidates      []string
}

// planRestoreLocked checks a restore's input against the recycle bin entry
// and picks the connections to try.
func (p *Platform) planRestoreLocked(id string, in RestoreInput) (restorePlan, error) {
	u, ok := p.users[id]
	if !ok || u.DeletedAt == nil {
		return restorePlan{}, NotFound(ResourceRecycleBinEntry, id)
	}
	connID := u.ConnectionID
	plan := restorePlan{crmID: u.CRMUserID, username: u.CRMUsername}
	_, plan.ownExists = p.conns[connID]
	_, givenExists := p.conns[in.ConnectionID]
	switch {
	case in.ConnectionID != "" && !givenExists:
		return restorePlan{}, Validation("connection_id", fmt.Sprintf(
			"connection %q does not exist; name a connection to the Salesforce org of CRM user %s (%s), or send no connection_id (list connections with GET /api/v1/connections)",
			in.ConnectionID, plan.crmID, plan.username))
	case plan.ownExists && in.ConnectionID != "" && in.ConnectionID != connID:
		return restorePlan{}, Validation("connection_id", fmt.Sprintf(
			"sales user %s was deleted from connection %s, which still exists, and a sales user is restored on its own connection; "+
				"send connection_id %q or none, or purge it with DELETE /api/v1/recycle-bin/%s and import CRM user %s anew on connection %s",
			id, connID, connID, id, plan.crmID, in.ConnectionID))
	case plan.ownExists:
		plan.candidates = []string{connID}
	case in.ConnectionID != "":
		plan.candidates = []string{in.ConnectionID}
	default:
		for cid, c := range p.conns {
			if c.Status == StatusConnected {
				plan.candidates = append(plan.candidates, cid)
			}
		}
		slices.Sort(plan.candidates)
	}
	return plan, nil
}

// findRestoreTarget reads the entry's CRM user through the planned
// connections (without the lock) and returns it with the connection that
// reached it.
func (p *Platform) findRestoreTarget(ctx context.Context, id string, in RestoreInput, plan restorePlan) (salesforce.User, string, error) {
	// Only the fallback search tolerates a candidate that fails.
	single := len(plan.candidates) == 1 && (plan.ownExists || in.ConnectionID != "")
	for _, cid := range plan.candidates {
		sess, err := p.session(ctx, cid)
		if err != nil {
			if single {
				return salesforce.User{}, "", err
			}
			continue
		}
		cu, err := p.lookupCRMUser(ctx, cid, sess, plan.crmID, "")
		if err == nil {
			return cu, cid, nil
		}
		if single && !plan.ownExists && IsCode(err, CodeNotFound) {
			return salesforce.User{}, "", p.wrongOrgProblem(ctx, id, plan.crmID, plan.username, cid)
		}
		if single {
			return salesforce.User{}, "", err
		}
	}
	return salesforce.User{}, "", Validation("connection_id", fmt.Sprintf(
		"sales user %s (CRM user %s, %s) belongs to no existing connection, and no connected connection reaches its CRM user; create a connection to its Salesforce org first, or purge it with DELETE /api/v1/recycle-bin/%s",
		id, plan.crmID, plan.username, id))
}

// restoreLocked re-checks the rules against the state as it is now and
// takes the entry out of the recycle bin onto connection connID. role, when
// set, is the explicit role the restored sales user will get (a batch
// restore sets it in the same step), so the rules are checked against it.
func (p *Platform) restoreLocked(id, connID string, cu salesforce.User, role *string) (SalesUser, error) {
	return p.restoreAsLocked(id, connID, cu, role, false)
}

// restoreAsLocked is restoreLocked; bySync is set for the automatic sync of
// a connection that hands user management to a Salesforce group, which
// restores a returning member's own entry (a restore by hand is refused on
// such a connection).
func (p *Platform) restoreAsLocked(id, connID string, cu salesforce.User, role *string, bySync bool) (SalesUser, error) {
	u, ok := p.users[id]
	if !ok || u.DeletedAt == nil {
		return SalesUser{}, NotFound(ResourceRecycleBinEntry, id)
	}
	conn, err := p.connectedLocked(connID)
	if err != nil {
		return SalesUser{}, err
	}
	cu.Username = u.CRMUsername // the entry holds its username; a renamed CRM user keeps the mapping
	explicit := u.Role
	if role != nil {
		explicit = *role
	}
	rules := p.manualImportRulesLocked
	if bySync {
		rules = p.importRulesLocked
	}
	if probs := rules(conn, cu, explicit, id); len(probs) > 0 {
		return SalesUser{}, probs[0]
	}
	if n := p.seatsUsedLocked(); n+1 > p.account.SeatLimit {
		prob := SeatLimitReached(n, p.account.SeatLimit, 1)
		prob.Detail = fmt.Sprintf("The account uses %d of %d seats, so restoring sales user %s from the recycle bin would exceed the seat limit. %s",
			n, p.account.SeatLimit, id, seatLimitFix)
		return SalesUser{}, prob
	}
	if other, ok := p.liveByCRMID[u.CRMUserID]; ok && other != id {
		return SalesUser{}, CRMUsernameMapped(u.CRMUsername, Conflict{SalesUserID: other, Email: p.users[other].Email, Name: fullName(p.users[other].FirstName, p.users[other].LastName)})
	}
	now := p.clock()
	applyCRMUser(u, cu)
	u.ConnectionID = conn.ID
	u.DeletedAt = nil
	u.UpdatedAt = now
	u.Version++
	p.liveByCRMID[u.CRMUserID] = u.ID
	return p.salesUserLocked(u), nil
}

// wrongOrgProblem explains that connection connID, named by a restore,
// does not reach the org of the entry's CRM user. It names that org when
// another connected connection reaches the CRM user.
func (p *Platform) wrongOrgProblem(ctx context.Context, id, crmID, username, connID string) *Problem {
	reaches, others := "", []string(nil)
	p.locked(func() {
		if c, ok := p.conns[connID]; ok && c.OrganizationID != "" {
			reaches = fmt.Sprintf(", to org %s,", c.OrganizationID)
		}
		for cid, c := range p.conns {
			if cid != connID && c.Status == StatusConnected {
				others = append(others, cid)
			}
		}
	})
	slices.Sort(others)
	org := "the Salesforce org of that CRM user"
	for _, cid := range others {
		sess, err := p.session(ctx, cid)
		if err != nil {
			continue
		}
		if _, err := p.lookupCRMUser(ctx, cid, sess, crmID, ""); err == nil {
			p.locked(func() {
				if c, ok := p.conns[cid]; ok && c.OrganizationID != "" {
					org = fmt.Sprintf("Salesforce org %s, which connection %s reaches", c.OrganizationID, cid)
				}
			})
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
	_, err := commit(p, func() (struct{}, bool, error) {
		u, ok := p.users[id]
		if !ok || u.DeletedAt == nil {
			return struct{}{}, false, NotFound(ResourceRecycleBinEntry, id)
		}
		delete(p.users, id)
		if pu, ok := p.platformUsers[u.PlatformUserID]; ok && pu.CreatedByImport {
			delete(p.platformUsers, pu.ID)
		}
		p.reindexLocked()
		return struct{}{}, true, nil
	})
	return err
}
