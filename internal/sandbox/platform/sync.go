package platform

import (
	"context"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// RunAutomaticSync imports, when the connection has automatic user sync on,
// every active CRM user that is not imported, is not the service account,
// passes the mapping rules and whose profile has a role mapping, in ID order
// while seats are free. The sales users it creates have created_by
// "automatic_sync". It returns how many it created (0 when the setting is
// off).
func (p *Platform) RunAutomaticSync(ctx context.Context, connID string) (int, error) {
	profileIDs, err := viewErr(p, func() ([]string, error) {
		conn, ok := p.conns[connID]
		if !ok {
			return nil, NotFound(ResourceConnection, connID)
		}
		if !conn.AutomaticUserSync {
			return nil, nil
		}
		var profileIDs []string
		for _, m := range p.mappings {
			if m.ConnectionID == connID {
				profileIDs = append(profileIDs, m.CRMProfileID)
			}
		}
		return profileIDs, nil
	})
	if err != nil || len(profileIDs) == 0 {
		return 0, err
	}
	slices.Sort(profileIDs)

	sess, err := p.session(ctx, connID)
	if err != nil {
		return 0, err
	}
	active := true
	candidates, err := sess.crm.Users(ctx, salesforce.UserQuery{Active: &active, ProfileIDs: profileIDs, ExcludeIDs: p.importedCRMIDs(connID)})
	if err != nil {
		return 0, p.crmError(connID, sess, err)
	}
	slices.SortFunc(candidates, func(a, b salesforce.User) int { return strings.Compare(a.ID, b.ID) })

	return commit(p, func() (int, bool, error) {
		conn, err := p.connectedLocked(connID)
		if err != nil || !conn.AutomaticUserSync {
			return 0, false, err
		}
		created, used := 0, p.seatsUsedLocked()
		for _, u := range candidates {
			if used >= p.account.SeatLimit {
				break
			}
			if _, imported := p.liveByCRMID[u.ID]; imported {
				continue
			}
			if p.mappingForLocked(connID, u.ProfileID) == nil || len(p.importRulesLocked(conn, u, "", "")) > 0 {
				continue
			}
			p.insertLocked(conn, u, "", "", nil, CreatedByAutomaticSync)
			created++
			used++
		}
		return created, created > 0, nil
	})
}
