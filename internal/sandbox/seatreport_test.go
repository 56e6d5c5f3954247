package sandbox

import (
	"net/http"
	"testing"
)

// TestSeatReport checks the seat report against drift made through the
// admin API: a CRM user deactivated in Salesforce and a connection whose
// refresh token expired waste their seats, and the counts by connection,
// role, team and origin add up to the seats in use.
func TestSeatReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jwt := e.createJWTConnection()
	rt := e.createConnection()
	e.do(http.MethodPost, "/api/v1/role-mappings", map[string]any{"connection_id": jwt, "crm_profile_id": profileRep, "role": "sales"}).wantStatus(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": jwt, "crm_user_id": userJordan}).wantStatus(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": jwt, "crm_user_id": userMarco, "role": "marketing", "team": "West"}).wantStatus(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/sales-users", map[string]any{"connection_id": rt, "crm_user_id": userPriya, "role": "sales_manager", "team": "West"}).wantStatus(http.StatusCreated)

	// Drift: Jordan is deactivated in Salesforce; the refresh token of the
	// second connection expires, and its health check finds out.
	e.do(http.MethodPatch, pathf("/admin/v1/orgs/%s/users/%s", e.creds.OrganizationID, userJordan), map[string]any{"active": false}).wantStatus(http.StatusOK)
	e.do(http.MethodPost, pathf("/admin/v1/connections/%s/expire-refresh-token", rt), nil).wantStatus(http.StatusNoContent)
	if c := e.do(http.MethodGet, pathf("/api/v1/connections/%s", rt), nil).wantStatus(http.StatusOK).object(); c["status"] != "disconnected" {
		t.Fatalf("connection %s is %v after its token expired", rt, c["status"])
	}

	var r struct {
		SeatLimit    int `json:"seat_limit"`
		SeatsUsed    int `json:"seats_used"`
		SeatsWasted  int `json:"seats_wasted"`
		ByConnection []struct {
			ConnectionID string `json:"connection_id"`
			Status       string `json:"status"`
			Seats        int    `json:"seats"`
		} `json:"by_connection"`
		ByRole   []seatCount `json:"by_role"`
		ByTeam   []seatCount `json:"by_team"`
		ByOrigin []seatCount `json:"by_origin"`
		Wasted   []struct {
			Reason      string `json:"reason"`
			CRMUsername string `json:"crm_username"`
			Name        string `json:"name"`
			Role        string `json:"role"`
		} `json:"wasted"`
	}
	e.do(http.MethodGet, "/api/v1/account/seat-report", nil).wantStatus(http.StatusOK).decode(&r)
	acc := e.do(http.MethodGet, "/api/v1/account", nil).wantStatus(http.StatusOK).object()
	if float64(r.SeatsUsed) != acc["seats_used"] || float64(r.SeatLimit) != acc["seat_limit"] || r.SeatsUsed < 3 {
		t.Errorf("report seats %d of %d, account %v", r.SeatsUsed, r.SeatLimit, acc)
	}
	perConn := map[string]int{}
	for _, c := range r.ByConnection {
		perConn[c.ConnectionID] = c.Seats
		if c.ConnectionID == rt && c.Status != "disconnected" {
			t.Errorf("by_connection %s status %q", rt, c.Status)
		}
	}
	if perConn[jwt] != 2 || perConn[rt] != 1 {
		t.Errorf("by_connection %+v, want 2 on %s and 1 on %s", r.ByConnection, jwt, rt)
	}
	for name, counts := range map[string][]seatCount{"by_role": r.ByRole, "by_team": r.ByTeam, "by_origin": r.ByOrigin} {
		sum := 0
		for _, c := range counts {
			sum += c.Seats
		}
		if sum != r.SeatsUsed {
			t.Errorf("%s %+v adds up to %d, want %d", name, counts, sum, r.SeatsUsed)
		}
	}
	if got := countOf(r.ByTeam, "West"); got != 2 {
		t.Errorf("by_team West = %d, want 2", got)
	}
	if got := countOf(r.ByRole, "sales_manager"); got != 1 {
		t.Errorf("by_role sales_manager = %d, want 1", got)
	}
	if got := countOf(r.ByOrigin, "api"); got != 3 {
		t.Errorf("by_origin api = %d, want 3", got)
	}
	if r.SeatsWasted != 2 || len(r.Wasted) != 2 ||
		r.Wasted[0].Reason != "connection_disconnected" || r.Wasted[0].CRMUsername != "priya.patel@acme.example" ||
		r.Wasted[1].Reason != "crm_user_inactive" || r.Wasted[1].CRMUsername != "jordan.lee@acme.example" || r.Wasted[1].Role != "sales" {
		t.Errorf("wasted %d: %+v", r.SeatsWasted, r.Wasted)
	}
}

type seatCount struct {
	Key   string `json:"key"`
	Seats int    `json:"seats"`
}

func countOf(counts []seatCount, key string) int {
	for _, c := range counts {
		if c.Key == key {
			return c.Seats
		}
	}
	return 0
}
