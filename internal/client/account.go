package client

import (
	"context"
	"net/http"
)

// AccountService reads the account.
type AccountService interface {
	// Read returns the account and its seat usage.
	Read(ctx context.Context) (*Account, error)
	// SeatReport returns where the account's seats go and which are wasted.
	SeatReport(ctx context.Context) (*SeatReport, error)
}

// Reasons a seat is wasted (WastedSeat.Reason).
const (
	WasteCRMUserInactive        = "crm_user_inactive"
	WasteConnectionDisconnected = "connection_disconnected"
)

// SeatReport is where the account's seats go: counts by connection, role,
// team and origin, and every wasted seat.
type SeatReport struct {
	SeatLimit      int                 `json:"seat_limit"`
	SeatsUsed      int                 `json:"seats_used"`
	SeatsAvailable int                 `json:"seats_available"`
	ByConnection   []SeatsByConnection `json:"by_connection"`
	// ByRole, ByTeam and ByOrigin count seats per effective role, team and
	// created_by; the key "" counts sales users without one.
	ByRole      []SeatCount  `json:"by_role"`
	ByTeam      []SeatCount  `json:"by_team"`
	ByOrigin    []SeatCount  `json:"by_origin"`
	SeatsWasted int          `json:"seats_wasted"`
	Wasted      []WastedSeat `json:"wasted"`
}

// SeatsByConnection counts the seats of one connection.
type SeatsByConnection struct {
	ConnectionID   string `json:"connection_id"`
	ConnectionName string `json:"connection_name"`
	Status         string `json:"status"`
	Seats          int    `json:"seats"`
}

// SeatCount counts the seats of one role, team or origin.
type SeatCount struct {
	Key   string `json:"key"`
	Seats int    `json:"seats"`
}

// WastedSeat is a seat held by a sales user who cannot use it.
type WastedSeat struct {
	Reason       string `json:"reason"`
	SalesUserID  string `json:"sales_user_id"`
	ConnectionID string `json:"connection_id"`
	CRMUserID    string `json:"crm_user_id"`
	CRMUsername  string `json:"crm_username"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Team         string `json:"team"`
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

func (s *accountService) SeatReport(ctx context.Context) (*SeatReport, error) {
	return doJSON[SeatReport](ctx, s.c, request{method: http.MethodGet, path: apiPrefix + "/account/seat-report"})
}
