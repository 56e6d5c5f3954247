package platform_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestAutomaticSync(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{seatLimit: 3, noConnection: true})
	for i := range 5 {
		e.org.addUser(10+i, fmt.Sprintf("rep%d@acme.example", i), fmt.Sprintf("rep%d@acme.example", i), "Rep", "X", true, profSalesRep)
	}
	e.org.addUser(20, "off@acme.example", "off@acme.example", "O", "Ff", false, profSalesRep)
	e.org.addUser(21, "mkt@acme.example", "mkt@acme.example", "M", "Kt", true, profMarketing)

	e.conn = e.connect(t, nil, true)
	if n, err := e.p.RunAutomaticSync(ctx, e.conn.ID); err != nil || n != 0 {
		t.Errorf("sync without mappings: %d, %v", n, err)
	}
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	n, err := e.p.RunAutomaticSync(ctx, e.conn.ID)
	if err != nil || n != 3 {
		t.Fatalf("sync: created %d, %v; want 3 (the seat limit)", n, err)
	}
	page, _ := e.p.ListSalesUsers(platform.SalesUserFilter{ConnectionID: e.conn.ID}, platform.PageRequest{})
	for _, su := range page.Items {
		if su.CreatedBy != platform.CreatedByAutomaticSync || su.CRMUsername == svcUsername || !su.CRMActive || su.CRMProfileID != profSalesRep {
			t.Errorf("synced %+v", su)
		}
	}
	if acc := e.p.Account(); acc.SeatsUsed != 3 {
		t.Errorf("seats_used %d", acc.SeatsUsed)
	}

	// More seats and a CRM change: the rest arrives.
	if _, err := e.p.SetSeatLimit(10); err != nil {
		t.Fatal(err)
	}
	e.org.addUser(22, "new@acme.example", "new@acme.example", "N", "Ew", true, profSalesRep)
	e.p.NotifyCRMChange(ctx, e.conn.OrganizationID)
	if acc := e.p.Account(); acc.SeatsUsed != 6 {
		t.Errorf("seats_used %d after NotifyCRMChange, want 6", acc.SeatsUsed)
	}

	// With the setting off nothing is imported.
	off, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{AutomaticUserSync: ptr(false)}, 0)
	if err != nil || off.AutomaticUserSync {
		t.Fatal(err)
	}
	e.org.addUser(23, "later@acme.example", "later@acme.example", "L", "Ater", true, profSalesRep)
	e.p.NotifyCRMChange(ctx, e.conn.OrganizationID)
	if n, _ := e.p.RunAutomaticSync(ctx, e.conn.ID); n != 0 {
		t.Errorf("sync with the setting off created %d", n)
	}
	// Turning it on syncs at once.
	if _, err := e.p.UpdateConnection(ctx, e.conn.ID, platform.ConnectionPatch{AutomaticUserSync: ptr(true)}, 0); err != nil {
		t.Fatal(err)
	}
	if acc := e.p.Account(); acc.SeatsUsed != 7 {
		t.Errorf("seats_used %d after turning sync on, want 7", acc.SeatsUsed)
	}
}
