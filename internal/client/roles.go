package client

import (
	"context"
	"net/http"
)

// RoleService lists the role catalog.
type RoleService interface {
	// List returns every role a sales user or role mapping can have.
	List(ctx context.Context) ([]Role, error)
}

// Role is one entry of the role catalog.
type Role struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type roleService struct{ c *Client }

func (s *roleService) List(ctx context.Context) ([]Role, error) {
	out, err := doJSON[struct {
		Items []Role `json:"items"`
	}](ctx, s.c, request{method: http.MethodGet, path: apiPrefix + "/roles"})
	if err != nil {
		return nil, err
	}
	return out.Items, nil
}
