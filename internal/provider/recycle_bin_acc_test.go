package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// TestAccSalesUser_purgeOnDestroy destroys a sales user that sets
// purge_on_destroy: the seat is freed and nothing is left in the recycle
// bin, so a sales user for the same CRM user later is imported anew (a new
// ID), not restored.
func TestAccSalesUser_purgeOnDestroy(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	body := fmt.Sprintf("crm_user_id = %q\n  role = \"sales\"\n  purge_on_destroy = true", userJordan)
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(salesUserConfig(conn, body)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("purge_on_destroy"), knownvalue.Bool(true)),
				},
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[userAddr].Primary.ID
					return nil
				},
			},
			{
				// Destroyed: the seat is free and the recycle bin empty.
				Config: e.config(),
				Check: func(*terraform.State) error {
					for u, err := range e.client.RecycleBin.List(context.Background(), client.RecycleBinListOptions{}) {
						if err != nil {
							return err
						}
						if u.ID == first {
							return fmt.Errorf("sales user %s is still in the recycle bin", first)
						}
					}
					return e.seatsUsed(0, "su_sandboxrileybrooks")(nil) // the fixture's seeded entry stays
				},
			},
			{
				Config: e.config(salesUserConfig(conn, body)),
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[userAddr].Primary.ID; id == first {
						return fmt.Errorf("sales user %s was restored; want a new import after the purge", id)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSalesUser_noRestoreFromForeignConnection leaves a deleted sales
// user in the recycle bin from a connection that is gone (as a module
// test's teardown does): a sales user for the same CRM user on another
// connection fails the plan, saying why and to purge it, instead of
// restoring another setup's sales user.
func TestAccSalesUser_noRestoreFromForeignConnection(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	ctx := context.Background()
	testConn := e.createConnection(t)
	su, err := e.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: testConn, CRMUserID: userJordan, Role: "sales"})
	mustDo(t, "creating a sales user", err)
	mustDo(t, "deleting the sales user", e.client.SalesUsers.Delete(ctx, su.ID))
	mustDo(t, "deleting its connection", e.client.Connections.Delete(ctx, testConn))
	conn := e.createConnection(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:   e.config(salesUserConfig(conn, fmt.Sprintf("crm_user_id = %q\n  role = \"sales\"", userJordan))),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)CRM Username Already Mapped.*` + regexp.QuoteMeta(su.ID) + `.*was deleted from connection ` +
					regexp.QuoteMeta(testConn) + `, which no longer exists.*purge_on_destroy = true`),
			},
		},
	})
}

// TestAccSalesUsers_purgeOnDestroy destroys a roster that sets
// purge_on_destroy: its sales users leave nothing in the recycle bin.
func TestAccSalesUsers_purgeOnDestroy(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	var ids []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.config(fmt.Sprintf(`
resource "salesseat_sales_users" "test" {
  connection_id    = %q
  purge_on_destroy = true
  members = {
    %q = { role = "sales" }
    %q = { role = "sales_manager" }
  }
}
`, conn, userJordan, userPriya)),
				Check: func(s *terraform.State) error {
					for u, err := range e.client.SalesUsers.List(context.Background(), client.SalesUserListOptions{ConnectionID: conn}) {
						if err != nil {
							return err
						}
						ids = append(ids, u.ID)
					}
					if len(ids) != 2 {
						return fmt.Errorf("%d sales users on the connection, want 2", len(ids))
					}
					return nil
				},
			},
			{
				Config: e.config(),
				Check: func(*terraform.State) error {
					for u, err := range e.client.RecycleBin.List(context.Background(), client.RecycleBinListOptions{}) {
						if err != nil {
							return err
						}
						for _, id := range ids {
							if u.ID == id {
								return fmt.Errorf("sales user %s of the destroyed roster is still in the recycle bin", id)
							}
						}
					}
					return e.seatsUsed(0, "su_sandboxrileybrooks")(nil)
				},
			},
		},
	})
}
