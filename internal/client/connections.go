package client

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// ConnectionService manages connections to Salesforce orgs.
type ConnectionService interface {
	// List returns every connection.
	List(ctx context.Context, opts ListOptions) iter.Seq2[*Connection, error]
	// Create creates a connection; the platform authorizes it at once.
	Create(ctx context.Context, opts ConnectionCreateOptions) (*Connection, error)
	// Read returns a connection after a live health check of its org.
	Read(ctx context.Context, connectionID string) (*Connection, error)
	// Update changes a connection; supplying credentials re-authorizes it.
	Update(ctx context.Context, connectionID string, opts ConnectionUpdateOptions) (*Connection, error)
	// Delete deletes a connection with its role mappings; its sales users
	// move to the recycle bin.
	Delete(ctx context.Context, connectionID string) error
	// Authorize re-runs the stored grant, or authorizes with new credentials.
	Authorize(ctx context.Context, connectionID string, opts ConnectionAuthorizeOptions) (*Connection, error)
	// UpdateFromCRM refreshes every sales user of the connection from the
	// org and returns how many were updated.
	UpdateFromCRM(ctx context.Context, connectionID string) (int, error)
}

// Connection environments.
const (
	EnvironmentProduction = "production"
	EnvironmentSandbox    = "sandbox"
)

// Connection authentication methods.
const (
	AuthMethodRefreshToken = "refresh_token"
	AuthMethodJWTBearer    = "jwt_bearer"
)

// Connection statuses.
const (
	ConnectionStatusConnected    = "connected"
	ConnectionStatusDisconnected = "disconnected"
)

// Connection is a connection to a Salesforce org. Its credentials are
// write-only and never returned.
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
	// UserManagementGroup is the API name of the Salesforce public group
	// user management is handed to, or empty; UserManagementGroupID is its
	// ID.
	UserManagementGroup   string `json:"user_management_group"`
	UserManagementGroupID string `json:"user_management_group_id"`
	// LastSync is what the last automatic sync did, or nil.
	LastSync       *SyncReport `json:"last_sync"`
	Status         string      `json:"status"`
	StatusReason   string      `json:"status_reason"`
	OrganizationID string      `json:"organization_id"`
	InstanceURL    string      `json:"instance_url"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	Version        int         `json:"version"`
	// ETag is the response's ETag header, for Update's IfMatch.
	ETag string `json:"-"`
}

// SyncReport is what an automatic sync of a connection did.
type SyncReport struct {
	SyncedAt time.Time `json:"synced_at"`
	Created  int       `json:"created"`
	// Removed counts the sales users moved to the recycle bin because their
	// CRM user left the user management group.
	Removed int `json:"removed"`
	// Problems are the CRM users the sync could not import.
	Problems []SyncProblem `json:"problems"`
}

// SyncProblem is a CRM user the sync could not import, with the problem
// code and detail a manual import would get.
type SyncProblem struct {
	CRMUserID   string `json:"crm_user_id"`
	CRMUsername string `json:"crm_username"`
	Code        string `json:"code"`
	Detail      string `json:"detail"`
}

func (c *Connection) setETag(etag string) { c.ETag = etag }

// ConnectionCreateOptions is the body of a connection create. Exactly one of
// RefreshToken and JWTPrivateKey is required.
type ConnectionCreateOptions struct {
	Name        string `json:"name"`
	Environment string `json:"environment"`
	// LoginURL defaults to https://login.salesforce.com (production) or
	// https://test.salesforce.com (sandbox).
	LoginURL          string `json:"login_url,omitempty"`
	ServiceUsername   string `json:"service_username"`
	OAuthClientID     string `json:"oauth_client_id"`
	RefreshToken      string `json:"refresh_token,omitempty"`
	JWTPrivateKey     string `json:"jwt_private_key,omitempty"`
	AutomaticUserSync *bool  `json:"automatic_user_sync,omitempty"`
	UserSync          *bool  `json:"user_sync,omitempty"`
	// UserManagementGroup hands user management to a Salesforce public group
	// (API name or ID); empty keeps it on the platform.
	UserManagementGroup string `json:"user_management_group,omitempty"`
}

// ConnectionUpdateOptions is the body of a connection update; nil fields are
// left unchanged.
type ConnectionUpdateOptions struct {
	Name              *string `json:"name,omitempty"`
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
	// IfMatch makes the update conditional on the connection's ETag; a
	// mismatch fails with ErrPreconditionFailed.
	IfMatch string `json:"-"`
}

// ConnectionAuthorizeOptions optionally supplies new credentials to
// Authorize; with both empty the stored grant is re-run.
type ConnectionAuthorizeOptions struct {
	RefreshToken  string `json:"refresh_token,omitempty"`
	JWTPrivateKey string `json:"jwt_private_key,omitempty"`
}

type connectionService struct{ c *Client }

const connectionsPath = apiPrefix + "/connections"

func connectionPath(id string) (string, error) {
	seg, err := pathSegment("connection", id)
	if err != nil {
		return "", err
	}
	return connectionsPath + "/" + seg, nil
}

func (s *connectionService) List(ctx context.Context, opts ListOptions) iter.Seq2[*Connection, error] {
	return list[Connection](ctx, s.c, connectionsPath, nil, opts.PageSize)
}

func (s *connectionService) Create(ctx context.Context, opts ConnectionCreateOptions) (*Connection, error) {
	return doJSON[Connection](ctx, s.c, request{method: http.MethodPost, path: connectionsPath, body: opts, idempotencyKey: true})
}

func (s *connectionService) Read(ctx context.Context, connectionID string) (*Connection, error) {
	p, err := connectionPath(connectionID)
	if err != nil {
		return nil, err
	}
	return doJSON[Connection](ctx, s.c, request{method: http.MethodGet, path: p})
}

func (s *connectionService) Update(ctx context.Context, connectionID string, opts ConnectionUpdateOptions) (*Connection, error) {
	p, err := connectionPath(connectionID)
	if err != nil {
		return nil, err
	}
	return doJSON[Connection](ctx, s.c, request{method: http.MethodPatch, path: p, body: opts, ifMatch: opts.IfMatch, retrySafe: opts.IfMatch == ""})
}

func (s *connectionService) Delete(ctx context.Context, connectionID string) error {
	p, err := connectionPath(connectionID)
	if err != nil {
		return err
	}
	_, err = s.c.do(ctx, request{method: http.MethodDelete, path: p, retrySafe: true}, nil)
	return err
}

func (s *connectionService) Authorize(ctx context.Context, connectionID string, opts ConnectionAuthorizeOptions) (*Connection, error) {
	p, err := connectionPath(connectionID)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodPost, path: p + "/authorize", retrySafe: true}
	if opts != (ConnectionAuthorizeOptions{}) {
		r.body = opts
	}
	return doJSON[Connection](ctx, s.c, r)
}

func (s *connectionService) UpdateFromCRM(ctx context.Context, connectionID string) (int, error) {
	p, err := connectionPath(connectionID)
	if err != nil {
		return 0, err
	}
	out, err := doJSON[struct {
		Updated int `json:"updated"`
	}](ctx, s.c, request{method: http.MethodPost, path: p + "/update-from-crm", retrySafe: true})
	if err != nil {
		return 0, err
	}
	return out.Updated, nil
}
