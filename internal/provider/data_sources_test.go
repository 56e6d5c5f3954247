package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccDataSources(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	e.createSalesUser(t, conn, userJordan)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Bad filters fail at plan time (before anything is in the state).
				Config: e.config(fmt.Sprintf(`
data "salesseat_crm_users" "bad" {
  connection_id = %q
  crm_profile_ids   = ["00e5A0000000002QAB"]
  email_domain  = "jane@acme.example"
}
`, conn)),
				ExpectError: errorMatching("Invalid Salesforce ID", `The value of crm_profile_ids[0] is not a valid 15- or 18-character Salesforce ID: "00e5A0000000002QAB": its last three characters should be "QAA"`,
					"Invalid Email Domain", `for "jane@acme.example" use "acme.example"`),
			},
			{
				Config: e.config(fmt.Sprintf(`
data "salesseat_account" "this" {}

data "salesseat_roles" "all" {}

data "salesseat_crm_profiles" "all" {
  connection_id = %[1]q
}

# The Sales Rep profile by its 15-character ID, narrowed down to Jordan.
data "salesseat_crm_users" "reps_named" {
  connection_id = %[1]q
  crm_profile_ids   = [%[2]q]
  search        = "Jordan Lee"
}

data "salesseat_crm_users" "inactive_reps" {
  connection_id = %[1]q
  crm_profile_names = ["Sales Rep"]
  active        = false
  search        = "chris"
}

data "salesseat_crm_users" "imported" {
  connection_id = %[1]q
  imported      = true
}

locals {
  profiles = { for p in data.salesseat_crm_profiles.all.profiles : p.crm_profile_name => p }
}

output "sales_rep_profile" {
  value = local.profiles["Sales Rep"].crm_profile_id
}

# An absent value is null: the natural filter selects the users not imported.
output "inactive_not_imported" {
  value = [for u in data.salesseat_crm_users.inactive_reps.users : u.crm_username if u.sales_user_id == null]
}
`, conn, profileSalesRep[:15])),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.salesseat_account.this", tfjsonpath.New("seat_limit"), knownvalue.Int64Exact(fixtureSeatLimit)),
					statecheck.ExpectKnownValue("data.salesseat_account.this", tfjsonpath.New("seats_used"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("data.salesseat_account.this", tfjsonpath.New("seats_available"), knownvalue.Int64Exact(fixtureSeatLimit-1)),
					statecheck.ExpectKnownValue("data.salesseat_account.this", tfjsonpath.New("name"), knownvalue.StringExact("Acme Corp")),
					statecheck.ExpectKnownValue("data.salesseat_roles.all", tfjsonpath.New("roles"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("administrator"), "description": knownvalue.NotNull()}),
						3: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("sales")}),
					})),
					statecheck.ExpectKnownValue("data.salesseat_roles.all", tfjsonpath.New("roles"), knownvalue.ListSizeExact(len(roleNames))),
					statecheck.ExpectKnownValue("data.salesseat_crm_profiles.all", tfjsonpath.New("profiles"), knownvalue.ListSizeExact(5)),
					statecheck.ExpectKnownOutputValue("sales_rep_profile", knownvalue.StringExact(profileSalesRep)),
					statecheck.ExpectKnownOutputValue("inactive_not_imported", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(usernameChris)})),
					statecheck.ExpectKnownValue("data.salesseat_crm_users.reps_named", tfjsonpath.New("users"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"crm_user_id":      knownvalue.StringExact(userJordan),
							"crm_username":     knownvalue.StringExact(usernameJordan),
							"email":            knownvalue.StringExact(usernameJordan),
							"first_name":       knownvalue.StringExact("Jordan"),
							"last_name":        knownvalue.StringExact("Lee"),
							"crm_active":       knownvalue.Bool(true),
							"crm_profile_id":   knownvalue.StringExact(profileSalesRep),
							"crm_profile_name": knownvalue.StringExact("Sales Rep"),
							"sales_user_id":    knownvalue.StringRegexp(regexpMust(`^su_`)),
						}),
					})),
					statecheck.ExpectKnownValue("data.salesseat_crm_users.inactive_reps", tfjsonpath.New("users"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"crm_username":  knownvalue.StringExact(usernameChris),
							"crm_active":    knownvalue.Bool(false),
							"sales_user_id": knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue("data.salesseat_crm_users.imported", tfjsonpath.New("users"), knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}

// TestAccCRMUsers_largeOrg pages through an org of more than a thousand
// users.
func TestAccCRMUsers_largeOrg(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	const extra = 1500
	profile := addBulkUsers(t, e, extra)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.config(fmt.Sprintf(`
data "salesseat_crm_users" "bulk" {
  connection_id = %q
  crm_profile_ids   = [%q]
}

output "count" {
  value = length(data.salesseat_crm_users.bulk.users)
}
`, conn, profile)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("count", knownvalue.Int64Exact(extra)),
				},
			},
		},
	})
}
