package platform

import (
	"context"
	"slices"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// UpdateSalesUserFromCRM refreshes name, email, active flag and profile of a
// sales user from the org.
func (p *Platform) UpdateSalesUserFromCRM(ctx context.Context, id string) (SalesUser, error) {
	type target struct{ connID, crmID string }
	t, err := viewErr(p, func() (target, error) {
		u, err := p.liveLocked(id)
		if err != nil {
			return target{}, err
		}
		return target{u.ConnectionID, u.CRMUserID}, nil
	})
	if err != nil {
		return SalesUser{}, err
	}

	sess, err := p.session(ctx, t.connID)
	if err != nil {
		return SalesUser{}, err
	}
	cu, err := p.lookupCRMUser(ctx, t.connID, sess, t.crmID, "")
	if err != nil {
		return SalesUser{}, err
	}
	out, err := commit(p, func() (SalesUser, bool, error) {
		u, err := p.liveLocked(id)
		if err != nil {
			return SalesUser{}, false, err
		}
		changed := refreshFromCRM(u, cu, p.clock())
		return p.salesUserLocked(u), changed, nil
	})
	if err != nil {
		return SalesUser{}, err
	}
	if _, err := p.RunAutomaticSync(ctx, t.connID); err == nil {
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
	ids := view(p, func() []string {
		var ids []string
		for _, u := range p.users {
			if u.ConnectionID == id && u.DeletedAt == nil {
				ids = append(ids, u.CRMUserID)
			}
		}
		return ids
	})
	slices.Sort(ids)
	fresh, err := fetchUsersByID(ctx, sess.crm, ids)
	if err != nil {
		return 0, p.crmError(id, sess, err)
	}
	n, _ := commit(p, func() (int, bool, error) {
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
		return n, n > 0, nil
	})
	_, _ = p.RunAutomaticSync(ctx, id) // CRM data arrived; best effort
	return n, nil
}

// NotifyCRMChange tells the platform that CRM data of an org changed (a user
// or profile was added or edited), as the platform's CRM sync would learn it:
// for every connected connection to that org, the sales users' name, email,
// active flag and profile are updated from the CRM, and automatic user sync
// runs where it is on. So a user deactivated in Salesforce shows
// crm_active=false on the next read, without any client having to ask for
// an update. Failures are left for the connection's status to show.
func (p *Platform) NotifyCRMChange(ctx context.Context, orgID string) {
	ids := view(p, func() []string {
		var ids []string
		for id, c := range p.conns {
			if c.Status == StatusConnected && (c.OrganizationID == orgID || sfid.Equal(c.OrganizationID, orgID)) {
				ids = append(ids, id)
			}
		}
		return ids
	})
	slices.Sort(ids)
	for _, id := range ids {
		// UpdateConnectionFromCRM also runs automatic user sync.
		_, _ = p.UpdateConnectionFromCRM(ctx, id)
	}
}
