package client

import (
	"context"
	"net/http"
)

// AccountService reads the account.
type AccountService interface {
	// Read returns the account and its seat usage.
	Read(ctx context.Context) (*Account, error)
}

// Account is the salesseat account of the API client.
type Account struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	SeatLimit      int    `json:"seat_limit"`
	SeatsUsed      int    `json:"seats_used"`
	SeatsAvailable int    `json:"seats_available"`
}

type accountService struct{ c *Client }

func (s *accountService) Read(ctx context.Context) (*Account, error) {
	return doJSON[Account](ctx, s.c, request{method: http.MethodGet, path: apiPrefix + "/account"})
}
