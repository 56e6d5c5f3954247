package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Role names of the role catalog; they are part of the API contract.
const (
	RoleAdministrator = "administrator"
	RoleMarketing     = "marketing"
	RoleSalesManager  = "sales_manager"
	RoleSales         = "sales"
)

// Environments of a CRM connection.
const (
	EnvironmentProduction = "production"
	EnvironmentSandbox    = "sandbox"
)

// Default login URLs per environment.
const (
	ProductionLoginURL = "https://login.salesforce.com"
	SandboxLoginURL    = "https://test.salesforce.com"
)

// Authentication methods of a CRM connection.
const (
	AuthMethodRefreshToken = "refresh_token"
	AuthMethodJWTBearer    = "jwt_bearer"
)

// Connection statuses.
const (
	StatusConnected    = "connected"
	StatusDisconnected = "disconnected"
)

// Sales user statuses.
const (
	SalesUserActive    = "active"
	SalesUserSuspended = "suspended"
)

// Role sources of a sales user.
const (
	RoleSourceExplicit       = "explicit"
	RoleSourceProfileMapping = "profile_mapping"
)

// Creators of a sales user.
const (
	CreatedByAPI           = "api"
	CreatedByAutomaticSync = "automatic_sync"
)

// Validate actions.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionRemove  = "remove"
	ActionRestore = "restore"
)

// Scopes an API client can hold.
const (
	ScopeRead  = "salesseat.read"
	ScopeWrite = "salesseat.write"
)

// Page limits.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// Account is the platform account and its seat accounting.
type Account struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	SeatLimit      int    `json:"seat_limit"`
	SeatsUsed      int    `json:"seats_used"`
	SeatsAvailable int    `json:"seats_available"`
}

// Role is one entry of the role catalog.
type Role struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Connection links the account to one Salesforce org. Credentials are never
// part of it.
type Connection struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Environment       string `json:"environment"`
	LoginURL          string `json:"login_url"`
	ServiceUsername   string `json:"service_username"`
	OAuthClientID     string `json:"oauth_client_id"`
	AuthMethod        string `json:"auth_method"`
	AutomaticUserSync bool   `json:"automatic_user_sync"`
	UserSync          bool   `json:"user_sync"`
	// UserManagementGroup is the API name (DeveloperName) of the Salesforce
	// public group that user management is handed to; "" keeps it on the
	// platform. UserManagementGroupID is that group's ID.
	UserManagementGroup   string      `json:"user_management_group"`
	UserManagementGroupID string      `json:"user_management_group_id"`
	LastSync              *SyncReport `json:"last_sync"`
	Status                string      `json:"status"`
	StatusReason          string      `json:"status_reason"`
	OrganizationID        string      `json:"organization_id"`
	InstanceURL           string      `json:"instance_url"`
	CreatedAt             time.Time   `json:"created_at"`
	UpdatedAt             time.Time   `json:"updated_at"`
	Version               int         `json:"version"`
}

// SyncReport is what the last automatic sync of a connection did. A sync
// replaces the report as a whole, so a connection record stays comparable.
type SyncReport struct {
	SyncedAt time.Time     `json:"synced_at"`
	Created  int           `json:"created"`
	Removed  int           `json:"removed"`
	Problems []SyncProblem `json:"problems"`
}

// SyncProblem is a CRM user the sync should have imported but could not:
// the problem code and detail are those a manual import would get.
type SyncProblem struct {
	CRMUserID   string `json:"crm_user_id"`
	CRMUsername string `json:"crm_username"`
	Code        string `json:"code"`
	Detail      string `json:"detail"`
}

// CRMGroup is a Salesforce public group read through a connection.
type CRMGroup struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	DeveloperName string `json:"developer_name"`
}

// CRMUser is a Salesforce user read through a connection.
type CRMUser struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Active      bool   `json:"active"`
	ProfileID   string `json:"profile_id"`
	ProfileName string `json:"profile_name"`
	UserRole    string `json:"user_role"`
	SalesUserID string `json:"sales_user_id"`
}

// CRMProfile is a Salesforce profile read through a connection.
type CRMProfile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	UserCount int    `json:"user_count"`
}

// RoleMapping maps one CRM profile of a connection to a platform role.
type RoleMapping struct {
	ID             string    `json:"id"`
	ConnectionID   string    `json:"connection_id"`
	CRMProfileID   string    `json:"crm_profile_id"`
	CRMProfileName string    `json:"crm_profile_name"`
	Role           string    `json:"role"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Version        int       `json:"version"`
}

// SalesUser links one CRM user to a platform user and holds a seat while it
// is not in the recycle bin.
type SalesUser struct {
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
	RoleSource          string     `json:"role_source"`
	Team                string     `json:"team"`
	HiddenComponents    []string   `json:"hidden_components"`
	Status              string     `json:"status"`
	AdoptedExistingUser bool       `json:"adopted_existing_user"`
	PlatformUserID      string     `json:"platform_user_id"`
	CreatedBy           string     `json:"created_by"`
	DeletedAt           *time.Time `json:"deleted_at"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	Version             int        `json:"version"`
}

// PlatformUser is a user of the platform itself (someone who can log in).
type PlatformUser struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// Seats is the seat summary of a validation result.
type Seats struct {
	SeatLimit      int `json:"seat_limit"`
	SeatsUsed      int `json:"seats_used"`
	SeatsAvailable int `json:"seats_available"`
	SeatsRequested int `json:"seats_requested"`
	// SeatsFreed counts the valid removals, which are applied first.
	SeatsFreed int `json:"seats_freed"`
}

// ValidationItem is the verdict on one item of a validation request.
type ValidationItem struct {
	Index       int    `json:"index"`
	Valid       bool   `json:"valid"`
	CRMUserID   string `json:"crm_user_id,omitempty"`
	CRMUsername string `json:"crm_username,omitempty"`
	// CRMUser is the CRM user a create resolves to (as the CRM has it now)
	// or a restore brings back (as its entry last saw it).
	CRMUser *CRMUser `json:"crm_user,omitempty"`
	// Role and RoleSource are what the sales user of a create or restore
	// would get: the explicit role, or the profile mapping's ("" without
	// one).
	Role       string     `json:"role,omitempty"`
	RoleSource string     `json:"role_source,omitempty"`
	Problems   []*Problem `json:"problems"`
}

// ValidationResult is the answer of a dry run: Valid is true only when every
// item is.
type ValidationResult struct {
	Valid bool             `json:"valid"`
	Seats Seats            `json:"seats"`
	Items []ValidationItem `json:"items"`
}

// Page is one page of a list; NextCursor is empty on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// PageRequest selects a page: Limit 0 means DefaultPageLimit, Cursor "" the
// first page.
type PageRequest struct {
	Limit  int
	Cursor string
}

// ConnectionInput is the body of a connection create.
type ConnectionInput struct {
	Name              string `json:"name"`
	Environment       string `json:"environment"`
	LoginURL          string `json:"login_url,omitempty"`
	ServiceUsername   string `json:"service_username"`
	OAuthClientID     string `json:"oauth_client_id"`
	RefreshToken      string `json:"refresh_token,omitempty"`
	JWTPrivateKey     string `json:"jwt_private_key,omitempty"`
	AutomaticUserSync *bool  `json:"automatic_user_sync,omitempty"`
	UserSync          *bool  `json:"user_sync,omitempty"`
	// UserManagementGroup names the Salesforce public group (API name or
	// ID) that user management is handed to; empty keeps it on the platform.
	UserManagementGroup string `json:"user_management_group,omitempty"`
}

// ConnectionPatch is the body of a connection update; nil fields stay as
// they are. Supplying RefreshToken or JWTPrivateKey switches the auth method
// and re-authorizes. Environment cannot change; it is accepted only when it
// equals the current one.
type ConnectionPatch struct {
	Name              *string `json:"name,omitempty"`
	Environment       *string `json:"environment,omitempty"`
	LoginURL          *string `json:"login_url,omitempty"`
	ServiceUsername   *string `json:"service_username,omitempty"`
	OAuthClientID     *string `json:"oauth_client_id,omitempty"`
	AutomaticUserSync *bool   `json:"automatic_user_sync,omitempty"`
	UserSync          *bool   `json:"user_sync,omitempty"`
	// UserManagementGroup: a group's API name or ID hands user management
	// to it; "" takes it back to the platform.
	UserManagementGroup *string `json:"user_management_group,omitempty"`
	RefreshToken        *string `json:"refresh_token,omitempty"`
	JWTPrivateKey       *string `json:"jwt_private_key,omitempty"`
}

// AuthorizeInput is the optional body of a re-authorization; both empty
// re-runs the stored grant.
type AuthorizeInput struct {
	RefreshToken  string `json:"refresh_token,omitempty"`
	JWTPrivateKey string `json:"jwt_private_key,omitempty"`
}

// RestoreInput is the optional body of a restore from the recycle bin.
type RestoreInput struct {
	// ConnectionID is the connection to restore the sales user on: its own
	// connection, or, when that is gone, one that reaches the org of its CRM
	// user. Empty picks the connection as before.
	ConnectionID string `json:"connection_id,omitempty"`
}

// CRMUserFilter filters CRM users; all filters are AND-ed and pushed down
// into the SOQL query.
type CRMUserFilter struct {
	Active       *bool
	ProfileIDs   []string
	ProfileNames []string
	EmailDomain  string
	Search       string
	Imported     *bool
	// Groups are Salesforce public groups (API names or IDs): users who are
	// direct members of any of them.
	Groups []string
}

// RoleMappingInput is the body of a role mapping create: exactly one of
// CRMProfileID and CRMProfileName.
type RoleMappingInput struct {
	ConnectionID   string `json:"connection_id"`
	CRMProfileID   string `json:"crm_profile_id,omitempty"`
	CRMProfileName string `json:"crm_profile_name,omitempty"`
	Role           string `json:"role"`
}

// SalesUserInput is the body of a sales user create: exactly one of
// CRMUserID and CRMUsername. An empty Role follows the profile mapping.
type SalesUserInput struct {
	ConnectionID     string   `json:"connection_id"`
	CRMUserID        string   `json:"crm_user_id,omitempty"`
	CRMUsername      string   `json:"crm_username,omitempty"`
	Role             string   `json:"role,omitempty"`
	Team             string   `json:"team,omitempty"`
	HiddenComponents []string `json:"hidden_components,omitempty"`
}

// SalesUserPatch is the body of a sales user update: nil fields stay as they
// are; a Role of "" (or JSON null) makes the user follow its profile mapping.
type SalesUserPatch struct {
	Role             *string   `json:"role,omitempty"`
	Team             *string   `json:"team,omitempty"`
	HiddenComponents *[]string `json:"hidden_components,omitempty"`
}

// UnmarshalJSON decodes a patch, treating an explicit null as "clear": role
// null follows the mapping, team null clears the team, hidden_components null
// hides nothing. Unknown fields are rejected.
func (p *SalesUserPatch) UnmarshalJSON(data []byte) error {
	var out SalesUserPatch
	err := decodeObject(data, map[string]func(json.RawMessage) error{
		"role": func(v json.RawMessage) error { return decodeNullableString(v, "role", &out.Role) },
		"team": func(v json.RawMessage) error { return decodeNullableString(v, "team", &out.Team) },
		"hidden_components": func(v json.RawMessage) error {
			return decodeNullableList(v, "hidden_components", &out.HiddenComponents)
		},
	})
	if err != nil {
		return err
	}
	*p = out
	return nil
}

// ValidateItem is one item of a dry run or a batch. Action "create" uses
// ConnectionID, CRMUserID or CRMUsername, Role, Team and HiddenComponents
// like SalesUserInput; action "update" uses SalesUserID and the patch fields
// like SalesUserPatch (nil = unchanged); "remove" uses SalesUserID; "restore"
// uses the SalesUserID of a recycle bin entry, ConnectionID like
// RestoreInput, and the patch fields, applied after the restore.
type ValidateItem struct {
	Action           string    `json:"action"`
	SalesUserID      string    `json:"sales_user_id,omitempty"`
	ConnectionID     string    `json:"connection_id,omitempty"`
	CRMUserID        string    `json:"crm_user_id,omitempty"`
	CRMUsername      string    `json:"crm_username,omitempty"`
	Role             *string   `json:"role,omitempty"`
	Team             *string   `json:"team,omitempty"`
	HiddenComponents *[]string `json:"hidden_components,omitempty"`
}

// UnmarshalJSON decodes an item with the null semantics of SalesUserPatch.
// Unknown fields are rejected.
func (it *ValidateItem) UnmarshalJSON(data []byte) error {
	var out ValidateItem
	str := func(name string, dst *string) func(json.RawMessage) error {
		return func(v json.RawMessage) error {
			var s *string
			if err := decodeNullableString(v, name, &s); err != nil {
				return err
			}
			*dst = *s
			return nil
		}
	}
	err := decodeObject(data, map[string]func(json.RawMessage) error{
		"action":        str("action", &out.Action),
		"sales_user_id": str("sales_user_id", &out.SalesUserID),
		"connection_id": str("connection_id", &out.ConnectionID),
		"crm_user_id":   str("crm_user_id", &out.CRMUserID),
		"crm_username":  str("crm_username", &out.CRMUsername),
		"role":          func(v json.RawMessage) error { return decodeNullableString(v, "role", &out.Role) },
		"team":          func(v json.RawMessage) error { return decodeNullableString(v, "team", &out.Team) },
		"hidden_components": func(v json.RawMessage) error {
			return decodeNullableList(v, "hidden_components", &out.HiddenComponents)
		},
	})
	if err != nil {
		return err
	}
	*it = out
	return nil
}

// CreateInput returns the item as the body of a sales user create.
func (it ValidateItem) CreateInput() SalesUserInput {
	in := SalesUserInput{ConnectionID: it.ConnectionID, CRMUserID: it.CRMUserID, CRMUsername: it.CRMUsername}
	if it.Role != nil {
		in.Role = *it.Role
	}
	if it.Team != nil {
		in.Team = *it.Team
	}
	if it.HiddenComponents != nil {
		in.HiddenComponents = *it.HiddenComponents
	}
	return in
}

// Patch returns the item as the body of a sales user update.
func (it ValidateItem) Patch() SalesUserPatch {
	return SalesUserPatch{Role: it.Role, Team: it.Team, HiddenComponents: it.HiddenComponents}
}

// decodeObject decodes a JSON object field by field, rejecting unknown
// fields with a validation problem that names them.
func decodeObject(data []byte, fields map[string]func(json.RawMessage) error) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Validation("", fmt.Sprintf("the request body must be a JSON object: %v", err))
	}
	for name, v := range raw {
		dec, ok := fields[name]
		if !ok {
			return Validation(name, fmt.Sprintf("unknown field %q; remove it (see the API reference for the fields this request accepts)", name))
		}
		if err := dec(v); err != nil {
			return err
		}
	}
	return nil
}

func decodeNullableString(v json.RawMessage, name string, dst **string) error {
	s := ""
	if !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		if err := json.Unmarshal(v, &s); err != nil {
			return Validation(name, fmt.Sprintf("%s must be a string or null", name))
		}
	}
	*dst = &s
	return nil
}

func decodeNullableList(v json.RawMessage, name string, dst **[]string) error {
	list := []string{}
	if !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		if err := json.Unmarshal(v, &list); err != nil {
			return Validation(name, fmt.Sprintf("%s must be an array of strings or null", name))
		}
	}
	*dst = &list
	return nil
}
