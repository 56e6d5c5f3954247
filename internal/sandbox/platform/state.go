package platform

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// State is the whole platform state, JSON-serializable, credentials
// included (a state file is as secret as the fixture).
type State struct {
	Account       AccountState         `json:"account"`
	APIClients    []APIClientSeed      `json:"api_clients"`
	PlatformUsers []PlatformUserRecord `json:"platform_users"`
	Connections   []ConnectionRecord   `json:"connections"`
	RoleMappings  []RoleMapping        `json:"role_mappings"`
	SalesUsers    []SalesUserRecord    `json:"sales_users"`
}

// AccountState is the stored part of the account.
type AccountState struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	SeatLimit int    `json:"seat_limit"`
}

// PlatformUserRecord is a stored platform user. CreatedByImport marks users
// the platform created for an import; purging that sales user removes them.
type PlatformUserRecord struct {
	PlatformUser
	CreatedByImport bool `json:"created_by_import"`
}

// ConnectionRecord is a stored connection with its credentials.
type ConnectionRecord struct {
	Connection
	RefreshToken  string `json:"refresh_token,omitempty"`
	JWTPrivateKey string `json:"jwt_private_key,omitempty"`
}

// SalesUserRecord is a stored sales user. Role is the explicit role ("" =
// follow the profile mapping); status and the effective role are derived.
type SalesUserRecord struct {
	ID                  string     `json:"id"`
	ConnectionID        string     `json:"connection_id"`
	CRMUserID           string     `json:"crm_user_id"`
	CRMUsername         string     `json:"crm_username"`
	Email               string     `json:"email"`
	FirstName           string     `json:"first_name"`
	LastName            string     `json:"last_name"`
	CRMActive           bool       `json:"crm_active"`
	CRMProfileID        string     `json:"crm_profile_id"`
	CRMProfileName      string     `json:"crm_profile_name"`
	Role                string     `json:"role"`
	Team                string     `json:"team"`
	HiddenComponents    []string   `json:"hidden_components"`
	AdoptedExistingUser bool       `json:"adopted_existing_user"`
	PlatformUserID      string     `json:"platform_user_id"`
	CreatedBy           string     `json:"created_by"`
	DeletedAt           *time.Time `json:"deleted_at"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	Version             int        `json:"version"`
}

// Snapshot returns a deep copy of the whole state.
func (p *Platform) Snapshot() State {
	return view(p, p.snapshotLocked)
}

func (p *Platform) snapshotLocked() State {
	st := State{
		Account:       p.account,
		APIClients:    cloneAPIClients(p.apiClients),
		PlatformUsers: make([]PlatformUserRecord, 0, len(p.platformUsers)),
		Connections:   make([]ConnectionRecord, 0, len(p.conns)),
		RoleMappings:  make([]RoleMapping, 0, len(p.mappings)),
		SalesUsers:    make([]SalesUserRecord, 0, len(p.users)),
	}
	for _, pu := range p.platformUsers {
		st.PlatformUsers = append(st.PlatformUsers, *pu)
	}
	for _, c := range p.conns {
		st.Connections = append(st.Connections, *c)
	}
	for _, m := range p.mappings {
		st.RoleMappings = append(st.RoleMappings, *m)
	}
	for _, u := range p.users {
		st.SalesUsers = append(st.SalesUsers, cloneSalesUserRecord(u))
	}
	slices.SortFunc(st.PlatformUsers, func(a, b PlatformUserRecord) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(st.Connections, func(a, b ConnectionRecord) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(st.RoleMappings, func(a, b RoleMapping) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(st.SalesUsers, func(a, b SalesUserRecord) int { return strings.Compare(a.ID, b.ID) })
	return st
}

// Restore replaces the whole state with st (a Snapshot, possibly read back
// from JSON). Cached CRM sessions are dropped; connections re-authorize with
// their stored credentials on next use.
func (p *Platform) Restore(st State) error {
	if st.Account.ID == "" {
		return Validation("account.id", "the state has no account ID; it is not a platform snapshot")
	}
	pus := map[string]*PlatformUserRecord{}
	for _, pu := range st.PlatformUsers {
		if pu.ID == "" {
			return Validation("platform_users", "a platform user has no ID")
		}
		pus[pu.ID] = &pu
	}
	conns := map[string]*ConnectionRecord{}
	for _, c := range st.Connections {
		if c.ID == "" {
			return Validation("connections", "a connection has no ID")
		}
		conns[c.ID] = &c
	}
	mappings := map[string]*RoleMapping{}
	for _, m := range st.RoleMappings {
		if m.ID == "" {
			return Validation("role_mappings", "a role mapping has no ID")
		}
		mappings[m.ID] = &m
	}
	users := map[string]*SalesUserRecord{}
	for _, u := range st.SalesUsers {
		if u.ID == "" {
			return Validation("sales_users", "a sales user has no ID")
		}
		if _, dup := users[u.ID]; dup {
			return Validation("sales_users", fmt.Sprintf("sales user %s appears twice", u.ID))
		}
		c := cloneSalesUserRecord(&u)
		users[u.ID] = &c
	}

	_, err := commit(p, func() (struct{}, bool, error) {
		p.account = st.Account
		p.apiClients = cloneAPIClients(st.APIClients)
		p.platformUsers = pus
		p.conns = conns
		p.mappings = mappings
		p.users = users
		p.sessions = map[string]*session{}
		p.reindexLocked()
		return struct{}{}, true, nil
	})
	return err
}

func cloneSalesUserRecord(u *SalesUserRecord) SalesUserRecord {
	c := *u
	c.HiddenComponents = append([]string{}, u.HiddenComponents...)
	if u.DeletedAt != nil {
		t := *u.DeletedAt
		c.DeletedAt = &t
	}
	return c
}
