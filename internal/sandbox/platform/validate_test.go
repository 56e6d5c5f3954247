package platform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestValidateBatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	live := e.importUser(t, e.org.addUser(10, "live@acme.example", "live@acme.example", "L", "Ive", true, profSalesRep))
	a := e.org.addUser(11, "a@acme.example", "a@acme.example", "A", "A", true, profSalesRep)
	b := e.org.addUser(12, "b@acme.example", "b@acme.example", "B", "B", true, profSalesRep)
	e.org.addUser(13, "c@acme.example", "c@acme.example", "C", "C", true, profSalesRep)
	inactive := e.org.addUser(14, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	unmapped := e.org.addUser(15, "mkt@acme.example", "mkt@acme.example", "M", "Kt", true, profMarketing)

	items := []platform.ValidateItem{
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: a},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: b[:15]},
		{Action: "create", ConnectionID: e.conn.ID, CRMUsername: "c@acme.example"},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: inactive},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: unmapped, Role: ptr("")},
		{Action: "create", ConnectionID: e.conn.ID, CRMUserID: a},
		{Action: "update", SalesUserID: live.ID, Role: ptr("administrator")},
		{Action: "update", SalesUserID: "su_nope"},
		{Action: "delete"},
	}
	want := [][]string{
		nil,
		nil,
		{platform.CodeSeatLimitReached},
		{platform.CodeCRMUserInactive, platform.CodeSeatLimitReached},
		{platform.CodeProfileNotMapped, platform.CodeSeatLimitReached},
		{platform.CodeValidationFailed, platform.CodeSeatLimitReached},
		nil,
		{platform.CodeNotFound},
		{platform.CodeValidationFailed},
	}
	res, err := e.p.Validate(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid {
		t.Error("valid = true")
	}
	if res.Seats != (platform.Seats{SeatLimit: 3, SeatsUsed: 1, SeatsAvailable: 2, SeatsRequested: 6}) {
		t.Errorf("seats = %+v", res.Seats)
	}
	for i, it := range res.Items {
		var codes []string
		for _, p := range it.Problems {
			codes = append(codes, p.Code)
		}
		if fmt.Sprint(codes) != fmt.Sprint(want[i]) || it.Valid != (len(want[i]) == 0) || it.Index != i || it.Problems == nil {
			t.Errorf("item %d: valid=%v problems %v, want %v", i, it.Valid, codes, want[i])
		}
	}
	if res.Items[1].CRMUserID != b {
		t.Errorf("item 1 crm_user_id %q, want the 18-character %q", res.Items[1].CRMUserID, b)
	}
	seat := res.Items[2].Problems[0]
	if seat.Ext["seats_used"] != 3 || seat.Ext["seat_limit"] != 3 || seat.Ext["seats_requested"] != 1 || !strings.Contains(seat.Detail, "2 earlier imports of this batch") {
		t.Errorf("seat problem %+v: %s", seat.Ext, seat.Detail)
	}
	// A dry run changes nothing.
	if acc := e.p.Account(); acc.SeatsUsed != 1 {
		t.Errorf("seats_used %d after a dry run", acc.SeatsUsed)
	}
	if got, _ := e.p.GetSalesUser(live.ID); got.Role != platform.RoleSales {
		t.Errorf("the dry run changed the role to %q", got.Role)
	}
	// Within the limit the batch is valid.
	res, err = e.p.Validate(ctx, items[:2])
	if err != nil || !res.Valid {
		t.Errorf("two creates with two free seats: valid=%v %v", res.Valid, err)
	}
	raw, _ := json.Marshal(res)
	if !strings.Contains(string(raw), `"problems":[]`) {
		t.Errorf("problems must be an empty array: %s", raw)
	}
}
