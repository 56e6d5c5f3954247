package sforg

import (
	"fmt"
	"sort"
	"time"
)

// built is the state a Server runs on, assembled before it is installed.
type built struct {
	orgs      map[string]*org
	order     []string
	byKey     map[string]*org
	usernames map[string]string
	refresh   map[string]*refreshToken
	access    map[string]*accessToken
}

func (s *Server) install(b *built) {
	s.mu.Lock()
	s.orgs, s.order, s.byKey, s.usernames = b.orgs, b.order, b.byKey, b.usernames
	s.refresh, s.access = b.refresh, b.access
	s.mu.Unlock()
	s.cursorMu.Lock()
	s.cursors = map[string]*cursor{}
	s.cursorMu.Unlock()
}

// build validates a State and turns it into runnable form.
func (s *Server) build(st State) (*built, error) {
	b := &built{
		orgs: map[string]*org{}, byKey: map[string]*org{}, usernames: map[string]string{},
		refresh: map[string]*refreshToken{}, access: map[string]*accessToken{},
	}
	for i, ost := range st.Orgs {
		o, err := buildOrg(i, ost, b.usernames)
		if err != nil {
			return nil, err
		}
		if _, dup := b.orgs[o.id]; dup {
			return nil, fmt.Errorf("%w: orgs[%d].id %s is used by two orgs; give each org its own ID", ErrConflict, i, o.id)
		}
		if other, dup := b.byKey[o.consumerKey]; dup {
			return nil, fmt.Errorf("%w: orgs[%d].consumer_key is also the consumer key of org %s; each org's connected app needs its own key", ErrConflict, i, other.id)
		}
		b.orgs[o.id] = o
		b.order = append(b.order, o.id)
		b.byKey[o.consumerKey] = o
		// Seeded refresh tokens name their user by username.
		for j, rt := range ost.RefreshTokens {
			field := fmt.Sprintf("orgs[%d].refresh_tokens[%d]", i, j)
			if rt.Token == "" {
				return nil, fmt.Errorf("%w: %s.token is empty; give every seeded refresh token a value", ErrInvalid, field)
			}
			if _, dup := b.refresh[rt.Token]; dup {
				return nil, fmt.Errorf("%w: %s.token is used twice; refresh tokens must be unique", ErrConflict, field)
			}
			u := findUsername(o.data, rt.Username)
			if u == nil {
				return nil, fmt.Errorf("%w: %s.username %q is not a user of org %s; add the user or fix the username", ErrInvalid, field, rt.Username, o.id)
			}
			b.refresh[rt.Token] = &refreshToken{token: rt.Token, orgID: o.id, userID: u.ID, issuedAt: s.now(), expiresAt: rt.ExpiresAt, revoked: rt.Revoked}
		}
	}
	for i, rt := range st.RefreshTokens {
		o, ok := b.orgs[rt.OrgID]
		if !ok || o.data.userByID[rt.UserID] == nil || rt.Token == "" {
			return nil, fmt.Errorf("%w: refresh_tokens[%d] names org %q and user %q, which do not exist", ErrInvalid, i, rt.OrgID, rt.UserID)
		}
		if _, dup := b.refresh[rt.Token]; dup {
			return nil, fmt.Errorf("%w: refresh_tokens[%d].token is used twice; refresh tokens must be unique", ErrConflict, i)
		}
		b.refresh[rt.Token] = &refreshToken{token: rt.Token, orgID: rt.OrgID, userID: rt.UserID, issuedAt: rt.IssuedAt, expiresAt: rt.ExpiresAt, expired: rt.Expired, revoked: rt.Revoked}
	}
	for i, at := range st.AccessTokens {
		o, ok := b.orgs[at.OrgID]
		if !ok || o.data.userByID[at.UserID] == nil || at.Token == "" {
			return nil, fmt.Errorf("%w: access_tokens[%d] names org %q and user %q, which do not exist", ErrInvalid, i, at.OrgID, at.UserID)
		}
		b.access[at.Token] = &accessToken{token: at.Token, orgID: at.OrgID, userID: at.UserID, refresh: at.RefreshToken, expiresAt: at.ExpiresAt}
	}
	return b, nil
}

// State is the whole state of a Server (orgs, their records, roles and
// public groups, refresh and access tokens) as JSON-serialisable data. Open
// query locators are not part of it: like Salesforce's, they do not survive
// a restart. Nor are the IDs of GroupMember records: a group keeps its
// members, in order, but their GroupMember IDs are minted anew.
type State struct {
	Orgs          []OrgState          `json:"orgs"`
	RefreshTokens []RefreshTokenState `json:"refresh_tokens"`
	AccessTokens  []AccessTokenState  `json:"access_tokens"`
}

// OrgState is one org in a State. Its RefreshTokens are empty: tokens are
// kept in State.RefreshTokens.
type OrgState struct {
	OrgSeed
	Roles []RoleState `json:"roles"`
}

// RoleState is a user role of an org.
type RoleState struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// RefreshTokenState is an issued refresh token.
type RefreshTokenState struct {
	Token     string    `json:"token"`
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Expired   bool      `json:"expired,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// AccessTokenState is a live session.
type AccessTokenState struct {
	Token        string    `json:"token"`
	OrgID        string    `json:"org_id"`
	UserID       string    `json:"user_id"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Snapshot returns the whole state; Restore(Snapshot()) is a no-op.
func (s *Server) Snapshot() State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := State{Orgs: []OrgState{}, RefreshTokens: []RefreshTokenState{}, AccessTokens: []AccessTokenState{}}
	for _, id := range s.order {
		o := s.orgs[id]
		ost := OrgState{OrgSeed: OrgSeed{
			ID: o.id, Name: o.name, IsSandbox: o.isSandbox, ConsumerKey: o.consumerKey, ConsumerSecret: o.consumerSecret,
			CertificatePEM: o.certPEM, Profiles: []ProfileSeed{}, Users: []UserSeed{}, Groups: []GroupSeed{},
		}, Roles: []RoleState{}}
		for _, p := range o.data.profiles {
			ost.Profiles = append(ost.Profiles, ProfileSeed{ID: p.ID, Name: p.Name, ViewAllData: p.ViewAllData})
		}
		for _, u := range o.data.users {
			ost.Users = append(ost.Users, userSeed(o.data, u))
		}
		for _, r := range o.data.roles {
			ost.Roles = append(ost.Roles, RoleState{ID: r.ID, Name: r.Name})
		}
		for _, g := range o.data.groups {
			ost.Groups = append(ost.Groups, groupSeed(o.data, g))
		}
		st.Orgs = append(st.Orgs, ost)
	}
	for _, rt := range s.refresh {
		st.RefreshTokens = append(st.RefreshTokens, RefreshTokenState{Token: rt.token, OrgID: rt.orgID, UserID: rt.userID,
			IssuedAt: rt.issuedAt, ExpiresAt: rt.expiresAt, Expired: rt.expired, Revoked: rt.revoked})
	}
	for _, at := range s.access {
		st.AccessTokens = append(st.AccessTokens, AccessTokenState{Token: at.token, OrgID: at.orgID, UserID: at.userID,
			RefreshToken: at.refresh, ExpiresAt: at.expiresAt})
	}
	sort.Slice(st.RefreshTokens, func(i, j int) bool { return st.RefreshTokens[i].Token < st.RefreshTokens[j].Token })
	sort.Slice(st.AccessTokens, func(i, j int) bool { return st.AccessTokens[i].Token < st.AccessTokens[j].Token })
	return st
}

// Restore replaces the whole state with st (as returned by Snapshot). It is
// validated first; on error nothing changes. Open query locators are
// dropped.
func (s *Server) Restore(st State) error {
	b, err := s.build(st)
	if err != nil {
		return err
	}
	s.install(b)
	return nil
}
