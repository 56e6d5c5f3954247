package platform

import (
	"cmp"
	"slices"
	"strings"
)

// Reasons a seat is wasted.
const (
	WasteCRMUserInactive     = "crm_user_inactive"
	WasteConnectionSuspended = "connection_disconnected"
)

// SeatReport is where the account's seats go: counts by connection, role,
// team and origin, and the seats that are wasted, each listed.
type SeatReport struct {
	SeatLimit      int                 `json:"seat_limit"`
	SeatsUsed      int                 `json:"seats_used"`
	SeatsAvailable int                 `json:"seats_available"`
	ByConnection   []SeatsByConnection `json:"by_connection"`
	ByRole         []SeatCount         `json:"by_role"`
	ByTeam         []SeatCount         `json:"by_team"`
	ByOrigin       []SeatCount         `json:"by_origin"`
	SeatsWasted    int                 `json:"seats_wasted"`
	Wasted         []WastedSeat        `json:"wasted"`
}

// SeatsByConnection counts the seats of one connection.
type SeatsByConnection struct {
	ConnectionID   string `json:"connection_id"`
	ConnectionName string `json:"connection_name"`
	Status         string `json:"status"`
	Seats          int    `json:"seats"`
}

// SeatCount counts the seats of one role, team ("" = none) or origin
// (created_by).
type SeatCount struct {
	Key   string `json:"key"`
	Seats int    `json:"seats"`
}

// WastedSeat is a seat held by a sales user who cannot use it: its CRM user
// is deactivated in Salesforce, or its connection is disconnected (the
// sales user is suspended). A sales user with both reasons is listed once,
// with the first.
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

// SeatReport returns the account's seat report, as the platform knows its
// sales users now (CRM data as last synced; connection status as last
// checked).
func (p *Platform) SeatReport() SeatReport {
	return view(p, func() SeatReport {
		acc := p.accountLocked()
		r := SeatReport{SeatLimit: acc.SeatLimit, SeatsUsed: acc.SeatsUsed, SeatsAvailable: acc.SeatsAvailable,
			ByConnection: []SeatsByConnection{}, Wasted: []WastedSeat{}}
		byConn := map[string]int{}
		byRole, byTeam, byOrigin := map[string]int{}, map[string]int{}, map[string]int{}
		for _, rec := range p.users {
			if rec.DeletedAt != nil {
				continue
			}
			u := p.salesUserLocked(rec)
			byConn[u.ConnectionID]++
			byRole[u.Role]++
			byTeam[u.Team]++
			byOrigin[u.CreatedBy]++
			reason := ""
			switch {
			case !u.CRMActive:
				reason = WasteCRMUserInactive
			case u.Status == SalesUserSuspended:
				reason = WasteConnectionSuspended
			}
			if reason != "" {
				r.Wasted = append(r.Wasted, WastedSeat{Reason: reason, SalesUserID: u.ID, ConnectionID: u.ConnectionID,
					CRMUserID: u.CRMUserID, CRMUsername: u.CRMUsername, Email: u.Email, Name: fullName(u.FirstName, u.LastName),
					Role: u.Role, Team: u.Team})
			}
		}
		for id, n := range byConn {
			c := SeatsByConnection{ConnectionID: id, Seats: n}
			if conn, ok := p.conns[id]; ok {
				c.ConnectionName, c.Status = conn.Name, conn.Status
			}
			r.ByConnection = append(r.ByConnection, c)
		}
		slices.SortFunc(r.ByConnection, func(a, b SeatsByConnection) int { return strings.Compare(a.ConnectionID, b.ConnectionID) })
		r.ByRole, r.ByTeam, r.ByOrigin = seatCounts(byRole), seatCounts(byTeam), seatCounts(byOrigin)
		slices.SortFunc(r.Wasted, func(a, b WastedSeat) int {
			return cmp.Or(strings.Compare(a.Reason, b.Reason), strings.Compare(a.CRMUsername, b.CRMUsername), strings.Compare(a.SalesUserID, b.SalesUserID))
		})
		r.SeatsWasted = len(r.Wasted)
		return r
	})
}

// seatCounts turns counts by key into a list sorted by key.
func seatCounts(m map[string]int) []SeatCount {
	out := make([]SeatCount, 0, len(m))
	for k, n := range m {
		out = append(out, SeatCount{Key: k, Seats: n})
	}
	slices.SortFunc(out, func(a, b SeatCount) int { return strings.Compare(a.Key, b.Key) })
	return out
}
