package platform_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// TestSeatsUsedMatchesLiveSalesUsers walks a sequence of imports, deletes,
// restores, purges, a connection delete and a snapshot round trip, and checks
// after every step that the account's seats_used equals the number of sales
// users outside the recycle bin.
func TestSeatsUsedMatchesLiveSalesUsers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 10})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	var crmIDs []string
	for i := range 6 {
		name := string(rune('a'+i)) + "@seats.example"
		crmIDs = append(crmIDs, e.org.addUser(100+i, name, name, "Seat", "User", true, profSalesRep))
	}
	check := func(step string) {
		t.Helper()
		live := 0
		cursor := ""
		for {
			page, err := e.p.ListSalesUsers(platform.SalesUserFilter{}, platform.PageRequest{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatalf("%s: ListSalesUsers: %v", step, err)
			}
			live += len(page.Items)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if acc := e.p.Account(); acc.SeatsUsed != live || acc.SeatsAvailable != acc.SeatLimit-live {
			t.Fatalf("%s: account %+v, but %d sales users are live", step, acc, live)
		}
	}

	var ids []string
	for _, id := range crmIDs {
		ids = append(ids, e.importUser(t, id).ID)
	}
	check("after 6 imports")
	for _, id := range ids[:3] {
		if err := e.p.DeleteSalesUser(id); err != nil {
			t.Fatal(err)
		}
	}
	check("after 3 deletes")
	if _, err := e.p.RestoreSalesUser(ctx, ids[0], platform.RestoreInput{}); err != nil {
		t.Fatal(err)
	}
	check("after a restore")
	if err := e.p.PurgeSalesUser(ids[1]); err != nil {
		t.Fatal(err)
	}
	check("after a purge")
	if _, err := e.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: crmIDs[1]}); err != nil {
		t.Fatal(err)
	}
	check("after re-importing a purged user")

	raw, err := json.Marshal(e.p.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var st platform.State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Restore(st); err != nil {
		t.Fatal(err)
	}
	check("after a snapshot round trip")

	if err := e.p.DeleteConnection(ctx, e.conn.ID); err != nil {
		t.Fatal(err)
	}
	check("after deleting the connection")
	if acc := e.p.Account(); acc.SeatsUsed != 0 {
		t.Fatalf("seats_used %d after the connection and its sales users are gone", acc.SeatsUsed)
	}
}
