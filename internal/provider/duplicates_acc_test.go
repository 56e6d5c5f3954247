package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccDuplicatesFailAtPlan declares one CRM user twice (by ID and by
// username; by its 15- and its 18-character ID) and one profile mapped twice
// (by name and by ID; by the same name): each fails the plan, naming both
// declarations, instead of an apply that creates one and fails the other.
func TestAccDuplicatesFailAtPlan(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	users := func(a, b string) string {
		return fmt.Sprintf(`
resource "salesseat_sales_user" "a" {
  connection_id = %[1]q
  %[2]s
  role          = "sales"
}

resource "salesseat_sales_user" "b" {
  connection_id = %[1]q
  %[3]s
  role          = "sales"
}
`, conn, a, b)
	}
	mappings := func(a, b string) string {
		return fmt.Sprintf(`
resource "salesseat_profile_role_mapping" "a" {
  connection_id = %[1]q
  %[2]s
  role          = "sales"
}

resource "salesseat_profile_role_mapping" "b" {
  connection_id = %[1]q
  %[3]s
  role          = "marketing"
}
`, conn, a, b)
	}
	id := func(attr, v string) string { return fmt.Sprintf("%s = %q", attr, v) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      e.config(users(id("crm_user_id", userJordan), id("crm_username", usernameJordan))),
				PlanOnly:    true,
				ExpectError: errorMatching("Sales User Declared Twice", fmt.Sprintf(`crm_user_id = %q`, userJordan), fmt.Sprintf(`crm_username = %q`, usernameJordan)),
			},
			{
				Config:      e.config(users(id("crm_user_id", userJordan[:15]), id("crm_user_id", userJordan))),
				PlanOnly:    true,
				ExpectError: errorMatching("Sales User Declared Twice", fmt.Sprintf(`crm_user_id = %q`, userJordan[:15]), fmt.Sprintf(`crm_user_id = %q`, userJordan)),
			},
			{
				Config:      e.config(mappings(id("crm_profile_name", "Sales Rep"), id("crm_profile_id", profileSalesRep))),
				PlanOnly:    true,
				ExpectError: errorMatching("Profile Mapped Twice", `crm_profile_name = "Sales Rep"`, fmt.Sprintf(`crm_profile_id = %q`, profileSalesRep)),
			},
			{
				Config:      e.config(mappings(id("crm_profile_name", "Sales Rep"), id("crm_profile_name", "Sales Rep"))),
				PlanOnly:    true,
				ExpectError: errorMatching("Profile Mapped Twice", `crm_profile_name = "Sales Rep"`),
			},
		},
	})
}
