package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// guardProviderConfig is the provider block without the test suite's
// raised max_removals, with extra arguments.
func (e *accEnv) guardProviderConfig(extra string) string {
	return strings.Replace(e.providerConfig(), "  max_removals = 1000000\n", extra+"\n", 1)
}

// TestAccRemovalGuard covers the removal guard with real Terraform, for a
// roster and for per-user resources: the failing plan listing who would
// lose access, the override for one run (SALESSEAT_MAX_REMOVALS), and the
// passing plan under the limit.
//
// Not parallel: the override is an environment variable of the run, and
// the provider runs in the test process.
func TestAccRemovalGuard(t *testing.T) { //nolint:paralleltest // sets SALESSEAT_MAX_REMOVALS for the in-process provider
	e := newAccEnv(t)
	conn := e.createConnection(t)
	addBulkUsers(t, e, 30)
	_, err := e.sb.Platform().SetSeatLimit(100)
	mustDo(t, "raising the seat limit", err)
	t.Setenv(envMaxRemovals, "")
	mustDo(t, "clearing "+envMaxRemovals, os.Unsetenv(envMaxRemovals))

	roster := func(profile string) string {
		return e.guardProviderConfig("") + rosterConfig(conn, fmt.Sprintf(`
  select {
    crm_profile_names = [%q]
    role              = "sales"
  }`, profile))
	}
	perUser := func(n int) string {
		return e.guardProviderConfig("  max_removals = 1") + fmt.Sprintf(`
locals {
  users = [%q, %q, %q]
}

resource "salesseat_sales_user" "rep" {
  count         = %d
  connection_id = %q
  crm_user_id   = local.users[count.index]
  role          = "sales"
}
`, userJordan, userPriya, userMarco, n, conn)
	}
	rosterAddr := "salesseat_sales_users.team"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            roster("Bulk"),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(rosterAddr, tfjsonpath.New("sales_users"), knownvalue.MapSizeExact(30))},
			},
			{
				// A selection rule that suddenly matches nobody (a renamed
				// profile) would remove all 30: the plan fails under the
				// default limit of 20, listing who would lose access.
				Config:      roster("Bulk Users"),
				PlanOnly:    true,
				ExpectError: errorMatching(removalGuardSummary, "removes 30 sales users", "default max_removals of 20", `"bulk00000@bulk.example"`, `"bulk00029@bulk.example"`, envMaxRemovals+"=30 terraform apply"),
			},
			{
				// Raised for this run, the same change applies.
				PreConfig:         func() { t.Setenv(envMaxRemovals, "30") },
				Config:            roster("Bulk Users"),
				ConfigPlanChecks:  withPreApply(plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(rosterAddr, tfjsonpath.New("sales_users"), knownvalue.MapSizeExact(0))},
			},
			{
				// Per-user resources: three, under max_removals = 1.
				PreConfig: func() { mustDo(t, "clearing "+envMaxRemovals, os.Unsetenv(envMaxRemovals)) },
				Config:    perUser(3),
			},
			{
				// Destroying two of them at once is one too many: one error
				// names both.
				Config:      perUser(1),
				PlanOnly:    true,
				ExpectError: errorMatching(removalGuardSummary, "removes 2 sales users", "max_removals = 1 in the provider configuration", usernameMarco, usernamePriya),
			},
			{
				// One at a time passes.
				Config:           perUser(2),
				ConfigPlanChecks: withPreApply(plancheck.ExpectResourceAction("salesseat_sales_user.rep[2]", plancheck.ResourceActionDestroy)),
			},
			{
				// A share: removing 1 of 2 is 50%, more than 40% allows.
				Config:      strings.Replace(perUser(1), "  max_removals = 1", "  max_removals = 10\n  max_removal_percent = 40", 1),
				PlanOnly:    true,
				ExpectError: errorMatching(removalGuardSummary, "removes 1 sales user", "at most 40% of the 2 it manages"),
			},
			{
				// The suite's destroy removes the rest under a raised guard.
				Config: strings.Replace(perUser(2), "  max_removals = 1", "  max_removals = 10", 1),
			},
		},
	})
}
