package platform_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// codes lists each batch item's problem code ("" when applied).
func codes(res platform.BatchResult) []string {
	out := make([]string, len(res.Items))
	for i, it := range res.Items {
		if it.Problem != nil {
			out[i] = it.Problem.Code
		}
	}
	return out
}

func TestBatchSwapOnAFullAccount(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 2})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	a := e.importUser(t, e.org.addUser(10, "a@acme.example", "a@acme.example", "A", "A", true, profSalesRep))
	b := e.importUser(t, e.org.addUser(11, "b@acme.example", "b@acme.example", "B", "B", true, profSalesRep))
	c := e.org.addUser(12, "c@acme.example", "c@acme.example", "C", "C", true, profSalesRep)

	// The create comes first in the request, the removal second: removals
	// are applied first all the same, so the freed seat counts.
	items := []platform.ValidateItem{
		{Action: platform.ActionCreate, CRMUserID: c[:15], Team: ptr("West")},
		{Action: platform.ActionRemove, SalesUserID: a.ID},
		{Action: platform.ActionUpdate, SalesUserID: b.ID, Role: ptr(platform.RoleSalesManager)},
	}
	dry, err := e.p.Validate(ctx, withConnection(items, e.conn.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !dry.Valid || dry.Seats.SeatsFreed != 1 || dry.Seats.SeatsRequested != 1 {
		t.Fatalf("dry run of a seat-neutral swap on a full account: valid=%v seats=%+v items=%+v", dry.Valid, dry.Seats, dry.Items)
	}

	res, err := e.p.Batch(ctx, e.conn.ID, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 3 || res.Failed != 0 || fmt.Sprint(codes(res)) != "[  ]" {
		t.Fatalf("applied=%d failed=%d codes=%q", res.Applied, res.Failed, codes(res))
	}
	if res.Seats != (platform.BatchSeats{SeatLimit: 2, SeatsUsedBefore: 2, SeatsUsed: 2}) {
		t.Errorf("seats = %+v", res.Seats)
	}
	created := res.Items[0]
	if created.CRMUserID != c || created.SalesUser == nil || created.SalesUser.Team != "West" || created.SalesUser.Role != platform.RoleSales {
		t.Errorf("create result = %+v (sales user %+v)", created, created.SalesUser)
	}
	if rm := res.Items[1]; rm.SalesUser == nil || rm.SalesUser.DeletedAt == nil {
		t.Errorf("remove result = %+v: want the sales user as moved to the recycle bin", rm)
	}
	if got, _ := e.p.GetSalesUser(b.ID); got.Role != platform.RoleSalesManager {
		t.Errorf("update not applied: role %q", got.Role)
	}
	if bin, _ := e.p.ListRecycleBin(e.conn.ID, platform.PageRequest{}); len(bin.Items) != 1 || bin.Items[0].ID != a.ID {
		t.Errorf("recycle bin = %+v", bin.Items)
	}
}

// withConnection sets the connection of create items, as a dry run needs.
func withConnection(items []platform.ValidateItem, connID string) []platform.ValidateItem {
	out := make([]platform.ValidateItem, len(items))
	for i, it := range items {
		if it.Action == platform.ActionCreate {
			it.ConnectionID = connID
		}
		out[i] = it
	}
	return out
}

func TestBatchAppliesWhatItCanAndReportsTheRest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	live := e.importUser(t, e.org.addUser(10, "live@acme.example", "live@acme.example", "L", "Ive", true, profSalesRep))
	ok1 := e.org.addUser(11, "ok1@acme.example", "ok1@acme.example", "O", "K", true, profSalesRep)
	inactive := e.org.addUser(12, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	ok2 := e.org.addUser(13, "ok2@acme.example", "ok2@acme.example", "O", "K", true, profSalesRep)
	over := e.org.addUser(14, "over@acme.example", "over@acme.example", "O", "Ver", true, profSalesRep)
	other := e.connectOther(t)

	items := []platform.ValidateItem{
		{Action: platform.ActionCreate, CRMUserID: ok1},
		{Action: platform.ActionCreate, CRMUserID: inactive},
		{Action: platform.ActionCreate, CRMUserID: ok2},
		{Action: platform.ActionCreate, CRMUserID: over},                             // the account is full by now
		{Action: platform.ActionCreate, CRMUserID: ok1},                              // already imported by item 0
		{Action: platform.ActionUpdate, SalesUserID: "su_nope", Role: ptr("sales")},  // not found
		{Action: platform.ActionUpdate, SalesUserID: live.ID, Team: ptr("East")},     // applied
		{Action: platform.ActionRemove, SalesUserID: live.ID},                        // names live.ID again
		{Action: platform.ActionCreate, CRMUserID: ok2, ConnectionID: other.ID},      // another connection
		{Action: "delete", SalesUserID: live.ID},                                     // unknown action
		{Action: platform.ActionRemove, SalesUserID: live.ID, Role: ptr("sales")},    // a removal takes no patch
		{Action: platform.ActionRestore, SalesUserID: "su_gone"},                     // not in the recycle bin
		{Action: platform.ActionCreate, SalesUserID: live.ID, CRMUserID: "005nope1"}, // mixed keys
	}
	res, err := e.p.Batch(ctx, e.conn.ID, items)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", platform.CodeCRMUserInactive, "", platform.CodeSeatLimitReached, platform.CodeCRMUsernameMapped,
		platform.CodeNotFound, "", platform.CodeValidationFailed, platform.CodeValidationFailed, platform.CodeValidationFailed,
		platform.CodeValidationFailed, platform.CodeNotFound, platform.CodeValidationFailed}
	if got := codes(res); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("codes\n got %q\nwant %q", got, want)
	}
	if res.Applied != 3 || res.Failed != 10 || res.Seats.SeatsUsedBefore != 1 || res.Seats.SeatsUsed != 3 {
		t.Errorf("applied=%d failed=%d seats=%+v", res.Applied, res.Failed, res.Seats)
	}
	if it := res.Items[1]; it.CRMUserID != inactive || it.CRMUsername != "off@acme.example" || it.SalesUser != nil {
		t.Errorf("a failed create names its CRM user: %+v", it)
	}
	if d := res.Items[7].Problem.Detail; !strings.Contains(d, "item 6 of this batch already acts on sales user "+live.ID) {
		t.Errorf("duplicate detail: %s", d)
	}
	if got, _ := e.p.GetSalesUser(live.ID); got.Team != "East" || got.DeletedAt != nil {
		t.Errorf("live sales user after the batch: %+v", got)
	}
	// What failed can be sent again once its cause is gone; what was
	// applied is not sent again.
	e.org.setActive(inactive, true)
	if _, err := e.p.SetSeatLimit(4); err != nil {
		t.Fatal(err)
	}
	res, err = e.p.Batch(ctx, e.conn.ID, []platform.ValidateItem{{Action: platform.ActionCreate, CRMUserID: inactive}})
	if err != nil || res.Applied != 1 {
		t.Fatalf("retry of the failed item: %+v, %v", res, err)
	}
}

func TestBatchRestoresFromTheRecycleBin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 1})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	a := e.importUser(t, e.org.addUser(10, "a@acme.example", "a@acme.example", "A", "A", true, profSalesRep))
	b := e.org.addUser(11, "b@acme.example", "b@acme.example", "B", "B", true, profSalesRep)
	res, err := e.p.Batch(ctx, e.conn.ID, []platform.ValidateItem{
		{Action: platform.ActionRemove, SalesUserID: a.ID},
		{Action: platform.ActionCreate, CRMUserID: b},
	})
	if err != nil || res.Applied != 2 {
		t.Fatalf("swap: %+v, %v", res, err)
	}
	bID := res.Items[1].SalesUser.ID

	// Swap back: a is restored (same ID) with a new role, b removed.
	items := []platform.ValidateItem{
		{Action: platform.ActionRestore, SalesUserID: a.ID, Role: ptr(platform.RoleAdministrator)},
		{Action: platform.ActionRemove, SalesUserID: bID},
	}
	dry, err := e.p.Validate(ctx, items)
	if err != nil || !dry.Valid {
		t.Fatalf("dry run of restore + remove: %+v, %v", dry, err)
	}
	res, err = e.p.Batch(ctx, e.conn.ID, items)
	if err != nil || res.Applied != 2 {
		t.Fatalf("restore: %+v, %v", res, err)
	}
	restored := res.Items[0].SalesUser
	if restored.ID != a.ID || restored.DeletedAt != nil || restored.Role != platform.RoleAdministrator || restored.RoleSource != platform.RoleSourceExplicit {
		t.Errorf("restored = %+v", restored)
	}
	// A restore needs a seat like an import.
	res, err = e.p.Batch(ctx, e.conn.ID, []platform.ValidateItem{{Action: platform.ActionRestore, SalesUserID: bID}})
	if err != nil || fmt.Sprint(codes(res)) != fmt.Sprint([]string{platform.CodeSeatLimitReached}) {
		t.Errorf("restore on a full account: %+v, %v", res, err)
	}
}

func TestBatchRefusesWhatIsNotABatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	tooMany := make([]platform.ValidateItem, platform.MaxBatchItems+1)
	for i := range tooMany {
		tooMany[i] = platform.ValidateItem{Action: platform.ActionRemove, SalesUserID: fmt.Sprintf("su_%d", i)}
	}
	cases := map[string]struct {
		conn  string
		items []platform.ValidateItem
		code  string
	}{
		"no connection":      {"", tooMany[:1], platform.CodeValidationFailed},
		"unknown connection": {"conn_nope", tooMany[:1], platform.CodeNotFound},
		"no items":           {e.conn.ID, nil, platform.CodeValidationFailed},
		"too many items":     {e.conn.ID, tooMany, platform.CodeValidationFailed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := e.p.Batch(ctx, tc.conn, tc.items)
			requireProblem(t, err, tc.code, nil)
		})
	}
}
