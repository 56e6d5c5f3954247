package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// RoleMappingService manages profile to role mappings: a sales user without
// an explicit role gets the role its CRM profile is mapped to.
type RoleMappingService interface {
	// List returns the role mappings, optionally of one connection.
	List(ctx context.Context, opts RoleMappingListOptions) iter.Seq2[*RoleMapping, error]
	// Create maps a CRM profile of a connection to a role.
	Create(ctx context.Context, opts RoleMappingCreateOptions) (*RoleMapping, error)
	// Read returns a role mapping.
	Read(ctx context.Context, mappingID string) (*RoleMapping, error)
	// Update changes a role mapping's role.
	Update(ctx context.Context, mappingID string, opts RoleMappingUpdateOptions) (*RoleMapping, error)
	// Delete deletes a role mapping.
	Delete(ctx context.Context, mappingID string) error
}

// RoleMapping maps a CRM profile of a connection to a role.
type RoleMapping struct {
	ID             string    `json:"id"`
	ConnectionID   string    `json:"connection_id"`
	CRMProfileID   string    `json:"crm_profile_id"`
	CRMProfileName string    `json:"crm_profile_name"`
	Role           string    `json:"role"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Version        int       `json:"version"`
	// ETag is the response's ETag header, for Update's IfMatch.
	ETag string `json:"-"`
}

func (m *RoleMapping) setETag(etag string) { m.ETag = etag }

// RoleMappingListOptions filters List.
type RoleMappingListOptions struct {
	// ConnectionID limits the list to one connection; empty lists all.
	ConnectionID string
	PageSize     int
}

// RoleMappingCreateOptions is the body of a role mapping create. Exactly one
// of CRMProfileID (15 or 18 characters) and CRMProfileName is required.
type RoleMappingCreateOptions struct {
	ConnectionID   string `json:"connection_id"`
	CRMProfileID   string `json:"crm_profile_id,omitempty"`
	CRMProfileName string `json:"crm_profile_name,omitempty"`
	Role           string `json:"role"`
}

// RoleMappingUpdateOptions is the body of a role mapping update.
type RoleMappingUpdateOptions struct {
	Role string `json:"role"`
	// IfMatch makes the update conditional on the mapping's ETag.
	IfMatch string `json:"-"`
}

type roleMappingService struct{ c *Client }

const roleMappingsPath = apiPrefix + "/role-mappings"

func roleMappingPath(id string) (string, error) {
	seg, err := pathSegment("role mapping", id)
	if err != nil {
		return "", err
	}
	return roleMappingsPath + "/" + seg, nil
}

func (s *roleMappingService) List(ctx context.Context, opts RoleMappingListOptions) iter.Seq2[*RoleMapping, error] {
	q := url.Values{}
	if opts.ConnectionID != "" {
		q.Set("connection_id", opts.ConnectionID)
	}
	return list[RoleMapping](ctx, s.c, roleMappingsPath, q, opts.PageSize)
}

func (s *roleMappingService) Create(ctx context.Context, opts RoleMappingCreateOptions) (*RoleMapping, error) {
	id, err := normalizeIDField("crm_profile_id", opts.CRMProfileID)
	if err != nil {
		return nil, err
	}
	opts.CRMProfileID = id
	return doJSON[RoleMapping](ctx, s.c, request{method: http.MethodPost, path: roleMappingsPath, body: opts, idempotencyKey: true})
}

func (s *roleMappingService) Read(ctx context.Context, mappingID string) (*RoleMapping, error) {
	p, err := roleMappingPath(mappingID)
	if err != nil {
		return nil, err
	}
	return doJSON[RoleMapping](ctx, s.c, request{method: http.MethodGet, path: p})
}

func (s *roleMappingService) Update(ctx context.Context, mappingID string, opts RoleMappingUpdateOptions) (*RoleMapping, error) {
	p, err := roleMappingPath(mappingID)
	if err != nil {
		return nil, err
	}
	return doJSON[RoleMapping](ctx, s.c, request{method: http.MethodPatch, path: p, body: opts, ifMatch: opts.IfMatch, retrySafe: opts.IfMatch == ""})
}

func (s *roleMappingService) Delete(ctx context.Context, mappingID string) error {
	p, err := roleMappingPath(mappingID)
	if err != nil {
		return err
	}
	_, err = s.c.do(ctx, request{method: http.MethodDelete, path: p, retrySafe: true}, nil)
	return err
}
