package platform

import (
	"slices"
)

// UpdateSalesUser applies a patch to a sales user. Role "" follows the
// profile mapping, which must then exist when user sync is on. ifMatch 0
// means unconditional.
func (p *Platform) UpdateSalesUser(id string, in SalesUserPatch, ifMatch int) (SalesUser, error) {
	in, err := normalizeSalesUserPatch(in)
	if err != nil {
		return SalesUser{}, err
	}
	return commit(p, func() (SalesUser, bool, error) {
		u, err := p.liveLocked(id)
		if err != nil {
			return SalesUser{}, false, err
		}
		if ifMatch != 0 && ifMatch != u.Version {
			return SalesUser{}, false, PreconditionFailed(ResourceSalesUser, id, u.Version)
		}
		if prob := p.patchRulesLocked(u, in); prob != nil {
			return SalesUser{}, false, prob
		}
		changed := p.applyPatchLocked(u, in)
		return p.salesUserLocked(u), changed, nil
	})
}

// applyPatchLocked applies a normalized patch whose rules were checked and
// reports whether it changed the sales user.
func (p *Platform) applyPatchLocked(u *SalesUserRecord, in SalesUserPatch) bool {
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
	return changed
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
