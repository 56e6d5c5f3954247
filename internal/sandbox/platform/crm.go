package platform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// crmChunk bounds the IDs put into one IN clause.
const crmChunk = 200

// session returns the CRM session of a connected connection, dialing with
// the stored credentials when none is cached (after a restart). A
// disconnected connection fails with connection_disconnected at once.
func (p *Platform) session(ctx context.Context, connID string) (*session, error) {
	type current struct {
		rec  ConnectionRecord
		sess *session
	}
	cur, err := viewErr(p, func() (current, error) {
		rec, ok := p.conns[connID]
		if !ok {
			return current{}, NotFound(ResourceConnection, connID)
		}
		if rec.Status != StatusConnected {
			return current{}, ConnectionDisconnected(connID, rec.StatusReason)
		}
		return current{*rec, p.sessions[connID]}, nil
	})
	if err != nil {
		return nil, err
	}
	if cur.sess != nil {
		return cur.sess, nil
	}
	snapshot := cur.rec

	crm, err := p.dial(ctx, credentialsOf(&snapshot))
	if err != nil {
		return nil, p.crmError(connID, nil, err)
	}
	s := &session{crm: crm}
	if !p.adoptSession(connID, &snapshot, s) {
		return p.session(ctx, connID) // the connection changed meanwhile; use what it has now
	}
	return s, nil
}

// crmError turns an error of a CRM call into a problem: an authorization
// failure marks the connection disconnected.
func (p *Platform) crmError(connID string, used *session, err error) error {
	var ae *salesforce.AuthError
	if errors.As(err, &ae) {
		p.markDisconnected(connID, used, ae.Error())
		return ConnectionDisconnected(connID, ae.Error())
	}
	var prob *Problem
	if errors.As(err, &prob) {
		return prob
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return Unavailable(fmt.Sprintf("The Salesforce org of connection %s did not answer as expected (%v). Retry later; if it persists, check the connection with GET /api/v1/connections/%s.", connID, err, connID))
}

// ListCRMUsers lists the org's users, sorted by ID, with every filter pushed
// down into the query.
func (p *Platform) ListCRMUsers(ctx context.Context, connID string, f CRMUserFilter, pr PageRequest) (Page[CRMUser], error) {
	limit, err := pageLimit(pr.Limit)
	if err != nil {
		return Page[CRMUser]{}, err
	}
	after, err := decodeCursor(pr.Cursor)
	if err != nil {
		return Page[CRMUser]{}, err
	}
	q := salesforce.UserQuery{
		Active:       f.Active,
		ProfileNames: slices.Clone(f.ProfileNames),
		EmailDomain:  strings.TrimPrefix(strings.TrimSpace(f.EmailDomain), "@"),
		Search:       strings.TrimSpace(f.Search),
		AfterID:      after,
		Limit:        limit + 1,
	}
	for _, id := range f.ProfileIDs {
		n, err := sfid.Normalize(id)
		if err != nil {
			return Page[CRMUser]{}, Validation("profile_id", err.Error())
		}
		q.ProfileIDs = append(q.ProfileIDs, n)
	}
	sess, err := p.session(ctx, connID)
	if err != nil {
		return Page[CRMUser]{}, err
	}
	if len(f.Groups) > 0 {
		groups, err := sess.crm.Groups(ctx)
		if err != nil {
			return Page[CRMUser]{}, p.crmError(connID, sess, err)
		}
		for _, ref := range f.Groups {
			g, prob := lookupGroup(groups, "group", strings.TrimSpace(ref))
			if prob != nil {
				return Page[CRMUser]{}, prob
			}
			q.GroupIDs = append(q.GroupIDs, g.ID)
		}
	}
	if f.Imported != nil {
		imported := p.importedCRMIDs(connID)
		if *f.Imported {
			if len(imported) == 0 {
				return Page[CRMUser]{Items: []CRMUser{}}, nil
			}
			q.IDs = imported
		} else {
			q.ExcludeIDs = imported
		}
	}
	users, err := sess.crm.Users(ctx, q)
	if err != nil {
		return Page[CRMUser]{}, p.crmError(connID, sess, err)
	}
	page := Page[CRMUser]{Items: p.crmUsers(users)}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor(page.Items[limit-1].ID)
	}
	return page, nil
}

// GetCRMUser reads one CRM user by its 15- or 18-character ID.
func (p *Platform) GetCRMUser(ctx context.Context, connID, userID string) (CRMUser, error) {
	id, err := sfid.Normalize(userID)
	if err != nil {
		return CRMUser{}, Validation("crm_user_id", err.Error())
	}
	sess, err := p.session(ctx, connID)
	if err != nil {
		return CRMUser{}, err
	}
	u, err := sess.crm.User(ctx, id)
	if errors.Is(err, salesforce.ErrNotFound) {
		return CRMUser{}, NotFound(ResourceCRMUser, id)
	}
	if err != nil {
		return CRMUser{}, p.crmError(connID, sess, err)
	}
	return p.crmUsers([]salesforce.User{u})[0], nil
}

// ListCRMProfiles lists the org's profiles with their user counts, sorted by
// ID.
func (p *Platform) ListCRMProfiles(ctx context.Context, connID string, pr PageRequest) (Page[CRMProfile], error) {
	if _, err := pageLimit(pr.Limit); err != nil {
		return Page[CRMProfile]{}, err
	}
	if _, err := decodeCursor(pr.Cursor); err != nil {
		return Page[CRMProfile]{}, err
	}
	sess, err := p.session(ctx, connID)
	if err != nil {
		return Page[CRMProfile]{}, err
	}
	profiles, err := sess.crm.Profiles(ctx)
	if err != nil {
		return Page[CRMProfile]{}, p.crmError(connID, sess, err)
	}
	counts, err := profileUserCounts(ctx, sess.crm)
	if err != nil {
		return Page[CRMProfile]{}, p.crmError(connID, sess, err)
	}
	items := make([]CRMProfile, 0, len(profiles))
	for _, pr := range profiles {
		items = append(items, CRMProfile{ID: pr.ID, Name: pr.Name, UserCount: counts[pr.ID]})
	}
	slices.SortFunc(items, func(a, b CRMProfile) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(c CRMProfile) string { return c.ID }, pr)
}

// ListCRMGroups lists the org's public groups, sorted by ID.
func (p *Platform) ListCRMGroups(ctx context.Context, connID string, pr PageRequest) (Page[CRMGroup], error) {
	if _, err := pageLimit(pr.Limit); err != nil {
		return Page[CRMGroup]{}, err
	}
	if _, err := decodeCursor(pr.Cursor); err != nil {
		return Page[CRMGroup]{}, err
	}
	sess, err := p.session(ctx, connID)
	if err != nil {
		return Page[CRMGroup]{}, err
	}
	groups, err := sess.crm.Groups(ctx)
	if err != nil {
		return Page[CRMGroup]{}, p.crmError(connID, sess, err)
	}
	items := make([]CRMGroup, 0, len(groups))
	for _, g := range groups {
		items = append(items, CRMGroup{ID: g.ID, Name: g.Name, DeveloperName: g.DeveloperName})
	}
	slices.SortFunc(items, func(a, b CRMGroup) int { return strings.Compare(a.ID, b.ID) })
	return paginate(items, func(c CRMGroup) string { return c.ID }, pr)
}

// importedCRMIDs returns the IDs of the CRM users of connID's org that hold
// a live sales user (through any connection to that org), sorted.
func (p *Platform) importedCRMIDs(connID string) []string {
	ids := view(p, func() []string {
		org := ""
		if c, ok := p.conns[connID]; ok {
			org = c.OrganizationID
		}
		ids := make([]string, 0, len(p.liveByCRMID))
		for id, suID := range p.liveByCRMID {
			if c, ok := p.conns[p.users[suID].ConnectionID]; ok && c.OrganizationID == org {
				ids = append(ids, id)
			}
		}
		return ids
	})
	slices.Sort(ids)
	return ids
}

// crmUsers converts CRM users and fills in their sales user IDs.
func (p *Platform) crmUsers(users []salesforce.User) []CRMUser {
	return view(p, func() []CRMUser {
		out := make([]CRMUser, len(users))
		for i, u := range users {
			out[i] = *p.crmUserLocked(u)
		}
		return out
	})
}

// fetchUsersByID reads CRM users by ID in chunks; missing IDs are absent
// from the result.
func fetchUsersByID(ctx context.Context, crm CRM, ids []string) (map[string]salesforce.User, error) {
	out := make(map[string]salesforce.User, len(ids))
	for start := 0; start < len(ids); start += crmChunk {
		chunk := ids[start:min(start+crmChunk, len(ids))]
		users, err := crm.Users(ctx, salesforce.UserQuery{IDs: chunk})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out[u.ID] = u
		}
	}
	return out, nil
}

// profileCounter is implemented by CRMs that count users per profile in one
// aggregate query (*salesforce.Client does).
type profileCounter interface {
	ProfileUserCounts(ctx context.Context, active *bool) (map[string]int, error)
}

// profileUserCounts counts users per profile, with one aggregate query when
// the CRM supports it, else by reading every user.
func profileUserCounts(ctx context.Context, crm CRM) (map[string]int, error) {
	if pc, ok := crm.(profileCounter); ok {
		return pc.ProfileUserCounts(ctx, nil)
	}
	users, err := crm.Users(ctx, salesforce.UserQuery{})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, u := range users {
		counts[u.ProfileID]++
	}
	return counts, nil
}
