package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccSeatBudget sets the provider's max_seats below the account's free
// seats: a plan that would take the seats in use above the budget fails,
// stating used, budget and planned, for per-user resources and for a
// roster; raising the budget for the run lets the same plan pass.
func TestAccSeatBudget(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	withBudget := func(n int, blocks ...string) string {
		p := strings.Replace(e.providerConfig(), "  max_retries     = 2\n", fmt.Sprintf("  max_retries     = 2\n  max_seats       = %d\n", n), 1)
		return p + strings.Join(blocks, "\n")
	}
	users := fmt.Sprintf(`
resource "salesseat_sales_user" "a" {
  connection_id = %[1]q
  crm_user_id   = %[2]q
  role          = "sales"
}

resource "salesseat_sales_user" "b" {
  connection_id = %[1]q
  crm_user_id   = %[3]q
  role          = "sales"
}
`, conn, userJordan, userPriya)
	roster := fmt.Sprintf(`
resource "salesseat_sales_users" "team" {
  connection_id = %q
  members = {
    %q = { role = "sales" }
  }
}
`, conn, userMarco)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// 25 seats, none used, but a budget of 1.
				Config:   withBudget(1, users),
				PlanOnly: true,
				ExpectError: errorMatching("Not Enough Seats", "2 sales users are planned for creation, 1 seat is free under the seat budget",
					"max_seats = 1 in the provider configuration; 0 seats are used, and the account's seat limit is 25", "remove 1", "raise max_seats"),
			},
			{
				// The budget raised for this run: the same plan passes.
				Config: withBudget(2, users),
				Check:  e.seatsUsed(2, "su_sandboxrileybrooks"),
			},
			{
				// Full budget: a roster that adds one more fails.
				Config:   withBudget(2, users, roster),
				PlanOnly: true,
				ExpectError: errorMatching("Not Enough Seats For The Roster", "only 0 seats are free for it under the seat budget",
					"max_seats = 2", "remove 1 from the roster"),
			},
			{
				Config: withBudget(3, users, roster),
				Check:  e.seatsUsed(3, "su_sandboxrileybrooks"),
			},
		},
	})
}
