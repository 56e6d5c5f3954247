package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// TestAccForEachSurvivesConnectionChanges follows the documented pattern (a
// for_each of sales users over salesseat_crm_users, keyed by CRM user ID,
// the connection ID passed through locals) and renames the connection, then
// rotates its credential: each plans in one run, with the sales users
// unchanged, instead of failing with "Invalid for_each argument".
func TestAccForEachSurvivesConnectionChanges(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	users := `
locals {
  connection_id = salesseat_crm_connection.test.id
}

data "salesseat_crm_users" "reps" {
  connection_id = local.connection_id
  active        = true
  search        = "jordan.lee"
}

# (count, not for_each: the testing framework's state reader cannot read
# for_each instances; both need the list at plan.)
resource "salesseat_sales_user" "reps" {
  count         = length(data.salesseat_crm_users.reps.users)
  connection_id = local.connection_id
  crm_user_id   = data.salesseat_crm_users.reps.users[count.index].crm_user_id
  role          = "sales"
}
`
	jwt := func(version int) string {
		return fmt.Sprintf("jwt_private_key_wo = %q\n  credentials_wo_version = %d", e.creds.JWTPrivateKeyPEM, version)
	}
	const user = "salesseat_sales_user.reps[0]"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A new connection's ID is unknown: created first, alone.
				Config: e.connectionConfig("Production", "sandbox", jwt(1), ""),
			},
			{
				Config:           e.connectionConfig("Production", "sandbox", jwt(1), "") + users,
				ConfigPlanChecks: emptyPlanAfterApply,
			},
			{
				Config: e.connectionConfig("Renamed", "sandbox", jwt(1), "") + users,
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(user, plancheck.ResourceActionNoop),
				),
			},
			{
				Config: e.connectionConfig("Renamed", "sandbox", jwt(2), "") + users,
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(user, plancheck.ResourceActionNoop),
				),
			},
		},
	})
}
