package platform

import (
	"context"
	"errors"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

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

	return commit(p, func() (SalesUser, bool, error) {
		conn, err := p.connectedLocked(in.ConnectionID)
		if err != nil {
			return SalesUser{}, false, err
		}
		if probs := p.manualImportRulesLocked(conn, u, in.Role, ""); len(probs) > 0 {
			return SalesUser{}, false, probs[0]
		}
		if used := p.seatsUsedLocked(); used+1 > p.account.SeatLimit {
			return SalesUser{}, false, SeatLimitReached(used, p.account.SeatLimit, 1)
		}
		rec := p.insertLocked(conn, u, in.Role, in.Team, in.HiddenComponents, CreatedByAPI)
		return p.salesUserLocked(rec), true, nil
	})
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

// insertLocked creates the sales user and links it to a platform user by
// adoptOrCreatePlatformUserLocked. The caller has checked the rules.
func (p *Platform) insertLocked(conn *ConnectionRecord, u salesforce.User, role, team string, hidden []string, createdBy string) *SalesUserRecord {
	now := p.clock()
	rec := &SalesUserRecord{
		ID: newID("su_"), ConnectionID: conn.ID, Role: role, Team: team,
		HiddenComponents: append([]string{}, hidden...), CreatedBy: createdBy,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	applyCRMUser(rec, u)
	rec.PlatformUserID, rec.AdoptedExistingUser = p.adoptOrCreatePlatformUserLocked(u.Email, u.FirstName, u.LastName)
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
