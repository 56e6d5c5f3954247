package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
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
		return e.guardProviderConfig("  max_removal_percent = 50") + rosterConfig(conn, fmt.Sprintf(`
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
				// A share: a narrower rule keeps 10 of the 30 members; losing
				// 20 (66%) is more than max_removal_percent = 50 allows, even
				// under max_removals = 100.
				Config:      strings.Replace(roster("Bulk"), "    role              = \"sales\"", "    role              = \"sales\"\n    search            = \"bulk0000\"", 1),
				PlanOnly:    true,
				ExpectError: errorMatching(removalGuardSummary, "removes 20 of the roster's 30 members (66%)", "max_removal_percent = 50", `"bulk00010@bulk.example"`),
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
				// Priya is deactivated in Salesforce: she has no access to
				// lose, so removing her does not count.
				PreConfig: func() {
					active := false
					_, err := e.sb.UpdateCRMUser(context.Background(), e.creds.OrganizationID, userPriya, sforg.UserPatch{Active: &active})
					mustDo(t, "deactivating Priya", err)
				},
				Config:           perUser(1),
				ConfigPlanChecks: withPreApply(plancheck.ExpectResourceAction("salesseat_sales_user.rep[1]", plancheck.ResourceActionDestroy)),
			},
			{
				// The suite's destroy removes the rest under a raised guard.
				Config: strings.Replace(perUser(1), "  max_removals = 1", "  max_removals = 10", 1),
			},
		},
	})
}
