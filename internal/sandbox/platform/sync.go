package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// RunAutomaticSync runs the connection's automatic sync and returns its
// report, which the connection also keeps as last_sync. There are two
// modes; without either the sync does nothing and reports nothing.
//
//   - automatic_user_sync: every active CRM user that is not imported, is not
//     the service account, passes the mapping rules and whose profile has a
//     role mapping is imported, in ID order while seats are free.
//   - user_management_group: the Salesforce public group decides. Its
//     active direct members are imported (every mapping rule and the seat
//     limit still apply; a member that cannot be imported is reported on
//     the connection with the problem a manual import would get), and the
//     sales users of the connection whose CRM user is not a member are moved
//     to the recycle bin, seats freed before any import.
//
// The sales users it creates have created_by "automatic_sync"; a member who
// comes back to the group gets its own sales user back from the recycle bin
// (counted as created).
func (p *Platform) RunAutomaticSync(ctx context.Context, connID string) (SyncReport, error) {
	type mode struct {
		group, groupID string
		profileIDs     []string
	}
	m, err := viewErr(p, func() (mode, error) {
		conn, ok := p.conns[connID]
		if !ok {
			return mode{}, NotFound(ResourceConnection, connID)
		}
		if conn.UserManagementGroupID != "" {
			return mode{group: conn.UserManagementGroup, groupID: conn.UserManagementGroupID}, nil
		}
		if !conn.AutomaticUserSync {
			return mode{}, nil
		}
		var profileIDs []string
		for _, m := range p.mappings {
			if m.ConnectionID == connID {
				profileIDs = append(profileIDs, m.CRMProfileID)
			}
		}
		return mode{profileIDs: profileIDs}, nil
	})
	if err != nil || (m.groupID == "" && len(m.profileIDs) == 0) {
		return SyncReport{}, err
	}
	slices.Sort(m.profileIDs)

	sess, err := p.session(ctx, connID)
	if err != nil {
		return SyncReport{}, err
	}
	var q salesforce.UserQuery
	if m.groupID != "" {
		// A group deleted in Salesforce (or a connection now reaching another
		// org) has no members: that must not empty the connection.
		groups, err := sess.crm.Groups(ctx)
		if err != nil {
			return SyncReport{}, p.crmError(connID, sess, err)
		}
		if _, ok := findGroup(groups, m.groupID); !ok {
			prob := NotFound(ResourceCRMGroup, m.groupID)
			prob.Detail = fmt.Sprintf("The Salesforce public group %q (%s) that connection %s hands user management to is not in the org any more, so the sync imported and removed nothing. "+
				"Recreate the group in Salesforce, or set user_management_group to another group (or clear it).", m.group, m.groupID, connID)
			return SyncReport{}, prob
		}
		// Every member, active or not: a deactivated member keeps its seat
		// (it shows as crm_active = false); only leaving the group frees it.
		q = salesforce.UserQuery{GroupIDs: []string{m.groupID}}
	} else {
		active := true
		q = salesforce.UserQuery{Active: &active, ProfileIDs: m.profileIDs, ExcludeIDs: p.importedCRMIDs(connID)}
	}
	candidates, err := sess.crm.Users(ctx, q)
	if err != nil {
		return SyncReport{}, p.crmError(connID, sess, err)
	}
	slices.SortFunc(candidates, func(a, b salesforce.User) int { return strings.Compare(a.ID, b.ID) })

	return commit(p, func() (SyncReport, bool, error) {
		conn, err := p.connectedLocked(connID)
		if err != nil {
			return SyncReport{}, false, err
		}
		if conn.UserManagementGroupID != m.groupID || (m.groupID == "" && !conn.AutomaticUserSync) {
			return SyncReport{}, false, nil // the setting changed meanwhile
		}
		rep := SyncReport{SyncedAt: p.clock(), Problems: []SyncProblem{}}
		if m.groupID != "" {
			rep.Removed = p.removeNonMembersLocked(connID, candidates, rep.SyncedAt)
		}
		used := p.seatsUsedLocked()
		for _, u := range candidates {
			if _, imported := p.liveByCRMID[u.ID]; imported || !u.Active {
				// A deactivated member keeps a seat it holds; one without a
				// seat is not a candidate (only active members are).
				continue
			}
			if m.groupID != "" {
				// A member who left the group and came back gets its own
				// sales user back from the recycle bin.
				if id, ok := p.byUsername[strings.ToLower(u.Username)]; ok && p.users[id].DeletedAt != nil && p.users[id].CRMUserID == u.ID {
					if used >= p.account.SeatLimit {
						rep.Problems = append(rep.Problems, syncProblem(u, SeatLimitReached(used, p.account.SeatLimit, 1)))
						continue
					}
					if _, err := p.restoreAsLocked(id, connID, u, nil, true); err != nil {
						rep.Problems = append(rep.Problems, syncProblem(u, AsProblem(err)))
						continue
					}
					rep.Created++
					used++
					continue
				}
			}
			if m.groupID == "" {
				// Profile mode: the rules decide who is a candidate at all.
				if p.mappingForLocked(connID, u.ProfileID) == nil || len(p.importRulesLocked(conn, u, "", "")) > 0 {
					continue
				}
			} else if probs := p.importRulesLocked(conn, u, "", ""); len(probs) > 0 {
				rep.Problems = append(rep.Problems, syncProblem(u, probs[0]))
				continue
			}
			if used >= p.account.SeatLimit {
				rep.Problems = append(rep.Problems, syncProblem(u, SeatLimitReached(used, p.account.SeatLimit, 1)))
				continue
			}
			p.insertLocked(conn, u, "", "", nil, CreatedByAutomaticSync)
			rep.Created++
			used++
		}
		conn.LastSync = &rep
		return rep, true, nil
	})
}

// removeNonMembersLocked moves the live sales users of connID whose CRM
// user is not among members to the recycle bin and returns how many.
func (p *Platform) removeNonMembersLocked(connID string, members []salesforce.User, now time.Time) int {
	in := make(map[string]bool, len(members))
	for _, u := range members {
		in[u.ID] = true
	}
	removed := 0
	for _, u := range p.users {
		if u.ConnectionID == connID && u.DeletedAt == nil && !in[u.CRMUserID] {
			p.recycleLocked(u, now)
			removed++
		}
	}
	return removed
}

// syncProblem reports a CRM user the sync could not import.
func syncProblem(u salesforce.User, prob *Problem) SyncProblem {
	return SyncProblem{CRMUserID: u.ID, CRMUsername: u.Username, Code: prob.Code, Detail: prob.Detail}
}

// manualImportRulesLocked is importRulesLocked for an import or restore
// made through the API: on a connection that hands user management to a
// Salesforce group, the refusal comes first.
func (p *Platform) manualImportRulesLocked(conn *ConnectionRecord, u salesforce.User, explicitRole, selfID string) []*Problem {
	if prob := manualImportLocked(conn, u.ID, u.Username); prob != nil {
		return append([]*Problem{prob}, p.importRulesLocked(conn, u, explicitRole, selfID)...)
	}
	return p.importRulesLocked(conn, u, explicitRole, selfID)
}

// manualImportLocked refuses an import or restore by hand on a connection
// that hands user management to a Salesforce group.
func manualImportLocked(conn *ConnectionRecord, userID, username string) *Problem {
	if conn.UserManagementGroupID == "" {
		return nil
	}
	return UserManagementInSalesforce(conn.ID, conn.UserManagementGroup, conn.UserManagementGroupID, userID, username)
}
