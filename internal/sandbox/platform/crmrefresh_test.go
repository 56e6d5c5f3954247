package platform_test

import (
	"context"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestUpdateFromCRM(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	e.mapProfile(t, profSalesRep, platform.RoleSales)
	id := e.org.addUser(10, "ann@acme.example", "ann@acme.example", "Ann", "E", true, profSalesRep)
	su := e.importUser(t, id)
	e.org.addUser(10, "ann@acme.example", "ann.new@acme.example", "Annie", "Example", false, profSalesMgr)

	got, err := e.p.UpdateSalesUserFromCRM(ctx, su.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "ann.new@acme.example" || got.FirstName != "Annie" || got.CRMActive || got.CRMProfileName != "Sales Manager" || got.Version != su.Version+1 {
		t.Errorf("after update from CRM: %+v", got)
	}
	n, err := e.p.UpdateConnectionFromCRM(ctx, e.conn.ID)
	if err != nil || n != 0 {
		t.Errorf("UpdateConnectionFromCRM = %d, %v; want 0 (already fresh)", n, err)
	}
	e.org.setActive(id, true)
	if n, err := e.p.UpdateConnectionFromCRM(ctx, e.conn.ID); err != nil || n != 1 {
		t.Errorf("UpdateConnectionFromCRM = %d, %v; want 1", n, err)
	}
}
