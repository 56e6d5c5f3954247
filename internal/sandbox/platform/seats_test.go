package platform_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
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

// TestConcurrentImportsNeverExceedSeats imports 50 distinct users at once
// with 25 free seats.
func TestConcurrentImportsNeverExceedSeats(t *testing.T) {
	e := newEnv(t, envOptions{seatLimit: 25})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	ids := make([]string, 50)
	for i := range ids {
		username := "rep" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "@acme.example"
		ids[i] = e.org.addUser(100+i, username, username, "Rep", "X", true, profSalesRep)
	}
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok, full   int
		unexpected []error
	)
	e.org.holdUserCalls(len(ids)) // every import has read the CRM before any takes the lock
	start := make(chan struct{})
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.p.CreateSalesUser(context.Background(), platform.SalesUserInput{ConnectionID: e.conn.ID, CRMUserID: id})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case platform.IsCode(err, platform.CodeSeatLimitReached):
				full++
			default:
				unexpected = append(unexpected, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(unexpected) > 0 {
		t.Fatalf("unexpected errors: %v", unexpected)
	}
	acc := e.p.Account()
	if ok != 25 || full != 25 || acc.SeatsUsed != acc.SeatLimit || acc.SeatsAvailable != 0 {
		t.Errorf("ok=%d full=%d account=%+v, want 25/25 and seats_used == seat_limit", ok, full, acc)
	}
}

func TestAccountAndAdmin(t *testing.T) {
	e := newEnv(t, envOptions{seatLimit: 2, noConnection: true})
	if scopes, ok := e.p.AuthenticateClient("cli", "sec"); !ok || len(scopes) != 2 {
		t.Errorf("AuthenticateClient = %v, %v", scopes, ok)
	}
	if _, ok := e.p.AuthenticateClient("cli", "wrong"); ok {
		t.Error("a wrong secret authenticated")
	}
	if _, err := e.p.SetSeatLimit(-1); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("negative seat limit: %v", err)
	}
	acc, err := e.p.SetSeatLimit(30)
	if err != nil || acc.SeatLimit != 30 || acc.SeatsAvailable != 30 || !strings.HasPrefix(acc.ID, "acc_") {
		t.Errorf("SetSeatLimit = %+v, %v", acc, err)
	}
	if roles := e.p.Roles(); len(roles) != 4 || roles[0].Name != "administrator" || roles[3].Name != "sales" {
		t.Errorf("roles %+v", roles)
	}
	pu, err := e.p.CreatePlatformUser(platform.PlatformUserSeed{Email: "pat@acme.example", FirstName: "Pat"})
	if err != nil || !strings.HasPrefix(pu.ID, "pu_") {
		t.Errorf("CreatePlatformUser = %+v, %v", pu, err)
	}
	if _, err := e.p.CreatePlatformUser(platform.PlatformUserSeed{Email: "PAT@acme.example"}); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("duplicate email: %v", err)
	}
	if _, err := e.p.CreatePlatformUser(platform.PlatformUserSeed{Email: "nope"}); !platform.IsCode(err, platform.CodeValidationFailed) {
		t.Errorf("bad email: %v", err)
	}
}
