package platform

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SalesUserFilter filters the sales user list.
type SalesUserFilter struct {
	ConnectionID string
	CRMUsername  string
}

// ListSalesUsers lists the sales users that are not in the recycle bin,
// sorted by ID.
func (p *Platform) ListSalesUsers(f SalesUserFilter, pr PageRequest) (Page[SalesUser], error) {
	items := view(p, func() []SalesUser {
		items := make([]SalesUser, 0, len(p.users))
		for _, u := range p.users {
			if u.DeletedAt != nil || (f.ConnectionID != "" && u.ConnectionID != f.ConnectionID) ||
				(f.CRMUsername != "" && !strings.EqualFold(u.CRMUsername, f.CRMUsername)) {
				continue
			}
			items = append(items, p.salesUserLocked(u))
		}
		return items
	})
	slices.SortFunc(items, func(a, b SalesUser) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(u SalesUser) string { return u.ID }, pr)
}

// GetSalesUser returns a sales user that is not in the recycle bin.
func (p *Platform) GetSalesUser(id string) (SalesUser, error) {
	return viewErr(p, func() (SalesUser, error) {
		u, err := p.liveLocked(id)
		if err != nil {
			return SalesUser{}, err
		}
		return p.salesUserLocked(u), nil
	})
}

// GetSalesUserByCRMUsername returns the sales user (not in the recycle bin)
// of a CRM username, compared case-insensitively.
func (p *Platform) GetSalesUserByCRMUsername(username string) (SalesUser, error) {
	return viewErr(p, func() (SalesUser, error) {
		id, ok := p.byUsername[strings.ToLower(strings.TrimSpace(username))]
		if !ok || p.users[id].DeletedAt != nil {
			prob := NotFound(ResourceSalesUser, username)
			prob.Detail = fmt.Sprintf("No sales user holds the CRM username %q (the recycle bin is not searched: see GET /api/v1/recycle-bin). Import the CRM user first.", username)
			return SalesUser{}, prob
		}
		return p.salesUserLocked(p.users[id]), nil
	})
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
	out.Role, out.RoleSource = p.effectiveRoleLocked(u.ConnectionID, u.CRMProfileID, u.Role)
	if c, ok := p.conns[u.ConnectionID]; ok && c.Status != StatusConnected {
		out.Status = SalesUserSuspended
	}
	return out
}
