package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
)

const rosterAddr = "salesseat_sales_users.team"

// rosterConfig renders the roster under test; body holds its arguments
// besides connection_id.
func rosterConfig(connectionID, body string) string {
	return fmt.Sprintf(`
resource "salesseat_sales_users" "team" {
  connection_id = %q
  %s
}
`, connectionID, body)
}

// entry is the path of an attribute of a roster's sales_users entry.
func entry(crmUserID, attr string) tfjsonpath.Path {
	return tfjsonpath.New("sales_users").AtMapKey(crmUserID).AtMapKey(attr)
}

// liveSalesUsers lists the live sales users of a connection by CRM user ID.
func liveSalesUsers(t *testing.T, e *accEnv, connectionID string) map[string]*client.SalesUser {
	t.Helper()
	users, err := client.Collect(e.client.SalesUsers.List(context.Background(), client.SalesUserListOptions{ConnectionID: connectionID, PageSize: 1000}))
	mustDo(t, "listing sales users", err)
	out := map[string]*client.SalesUser{}
	for _, u := range users {
		out[u.CRMUserID] = u
	}
	return out
}

// liveWant is what checkLive expects of a live sales user.
type liveWant struct {
	team   string
	hidden []string // nil: none
}

// checkLive checks the team and hidden components of live sales users of
// a connection, by CRM user ID: what the roster applied, which its
// sales_users does not repeat.
func (e *accEnv) checkLive(t *testing.T, connectionID string, want map[string]liveWant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		live := liveSalesUsers(t, e, connectionID)
		for id, w := range want {
			su, ok := live[id]
			if !ok {
				return fmt.Errorf("CRM user %s holds no seat", id)
			}
			if su.Team != w.team || !slices.Equal(su.HiddenComponents, append([]string{}, w.hidden...)) {
				return fmt.Errorf("CRM user %s: team %q, hidden %v; want team %q, hidden %v", id, su.Team, su.HiddenComponents, w.team, w.hidden)
			}
		}
		return nil
	}
}

func TestAccSalesUsers_lifecycle(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	priyaID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// Members by ID (one in its 15-character form) and a
				// selection rule; the mapping is created in the same plan.
				Config: e.config(repMapping(conn, "sales"), rosterConfig(conn, fmt.Sprintf(`
  members = {
    %q = { hidden_components = ["hot_prospects"] }
    %q = { role = "sales_manager", team = "East" }
  }
  select {
    crm_profile_names = ["Marketing User"]
    search        = "marco.rossi"
    role          = "marketing"
  }
  depends_on = [salesseat_profile_role_mapping.rep]`, userJordan[:15], userPriya))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionCreate),
					// Who is added, with which role, is in the plan.
					plancheck.ExpectKnownValue(rosterAddr, entry(userPriya, "crm_username"), knownvalue.StringExact(usernamePriya)),
					plancheck.ExpectKnownValue(rosterAddr, entry(userPriya, "role"), knownvalue.StringExact("sales_manager")),
					plancheck.ExpectKnownValue(rosterAddr, entry(userMarco, "crm_username"), knownvalue.StringExact(usernameMarco)),
					plancheck.ExpectKnownValue(rosterAddr, entry(userMarco, "role"), knownvalue.StringExact("marketing")),
					plancheck.ExpectKnownValue(rosterAddr, entry(userMarco, "name"), knownvalue.StringExact("Marco Rossi")),
					plancheck.ExpectKnownValue(rosterAddr, entry(userJordan, "crm_username"), knownvalue.StringExact(usernameJordan)),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rosterAddr, tfjsonpath.New("id"), knownvalue.StringExact(conn)),
					statecheck.ExpectKnownValue(rosterAddr, entry(userJordan, "role"), knownvalue.StringExact("sales")),
					statecheck.ExpectKnownValue(rosterAddr, entry(userJordan, "role_source"), knownvalue.StringExact("profile_mapping")),
					statecheck.ExpectKnownValue(rosterAddr, entry(userJordan, "sales_user_id"), knownvalue.StringRegexp(regexp.MustCompile(`^su_`))),
					statecheck.ExpectKnownValue(rosterAddr, entry(userPriya, "role_source"), knownvalue.StringExact("explicit")),
					statecheck.ExpectKnownValue(rosterAddr, entry(userMarco, "role"), knownvalue.StringExact("marketing")),
					priyaID.AddStateValue(rosterAddr, entry(userPriya, "sales_user_id")),
				},
				Check: e.checkLive(t, conn, map[string]liveWant{userJordan: {hidden: []string{"hot_prospects"}}, userPriya: {team: "East"}}),
			},
			{
				// A team change and the hidden components cleared, in
				// place, and Priya removed.
				Config: e.config(repMapping(conn, "sales"), rosterConfig(conn, fmt.Sprintf(`
  members = {
    %q = { team = "West" }
  }
  select {
    crm_profile_names = ["Marketing User"]
    search        = "marco.rossi"
    role          = "marketing"
  }`, userJordan))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(rosterAddr, entry(userJordan, "role"), knownvalue.StringExact("sales")),
					plancheck.ExpectKnownValue(rosterAddr, entry(userJordan, "team"), knownvalue.StringExact("West")),
					plancheck.ExpectKnownValue(rosterAddr, entry(userJordan, "hidden_components"), knownvalue.SetExact([]knownvalue.Check{})),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rosterAddr, tfjsonpath.New("sales_users"), knownvalue.MapSizeExact(2)),
				},
				Check: func(s *terraform.State) error {
					if _, ok := liveSalesUsers(t, e, conn)[userPriya]; ok {
						return fmt.Errorf("priya still holds a seat")
					}
					return e.checkLive(t, conn, map[string]liveWant{userJordan: {team: "West"}})(s)
				},
			},
			{
				// The mapping Jordan follows changes in the same apply as the
				// roster (Marco's team): Jordan's role is known after apply.
				Config: e.config(repMapping(conn, "sales_manager"), rosterConfig(conn, fmt.Sprintf(`
  members = {
    %q = { team = "West" }
  }
  select {
    crm_profile_names = ["Marketing User"]
    search        = "marco.rossi"
    role          = "marketing"
    team          = "Growth"
  }
  depends_on = [salesseat_profile_role_mapping.rep]`, userJordan))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(rosterAddr, entry(userJordan, "role")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rosterAddr, entry(userJordan, "role"), knownvalue.StringExact("sales_manager")),
				},
				Check: e.checkLive(t, conn, map[string]liveWant{userJordan: {team: "West"}, userMarco: {team: "Growth"}}),
			},
			{
				// A seat-neutral swap on a full account, in one apply:
				// Jordan out, Priya back (restored from the recycle bin, with
				// her sales user ID).
				PreConfig: func() {
					_, err := e.sb.Platform().SetSeatLimit(len(liveSalesUsers(t, e, conn)))
					mustDo(t, "filling the account", err)
				},
				Config: e.config(repMapping(conn, "sales"), rosterConfig(conn, fmt.Sprintf(`
  members = {
    %q = { role = "sales_manager", team = "East" }
  }
  select {
    crm_profile_names = ["Marketing User"]
    search        = "marco.rossi"
    role          = "marketing"
  }`, userPriya))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(rosterAddr, entry(userPriya, "role"), knownvalue.StringExact("sales_manager")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					priyaID.AddStateValue(rosterAddr, entry(userPriya, "sales_user_id")),
					statecheck.ExpectKnownValue(rosterAddr, tfjsonpath.New("sales_users"), knownvalue.MapSizeExact(2)),
				},
			},
			{
				// One more member than seats: one error with the totals.
				Config: e.config(repMapping(conn, "sales"), rosterConfig(conn, fmt.Sprintf(`
  members = {
    %q = { role = "sales_manager", team = "East" }
    %q = {}
  }
  select {
    crm_profile_names = ["Marketing User"]
    search        = "marco.rossi"
    role          = "marketing"
  }`, userPriya, userJordan))),
				ExpectError: regexp.MustCompile(`(?s)Not Enough Seats For The Roster.*adds 1 sales user but only 0 seats are free.*remove 1`),
			},
		},
	})
}

func TestAccSalesUsers_partialFailureConverges(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	addBulkUsers(t, e, client.MaxBatchItems+1)
	_, err := e.sb.Platform().SetSeatLimit(1000)
	mustDo(t, "raising the seat limit", err)
	config := e.config(rosterConfig(conn, `
  select {
    crm_profile_names = ["Bulk"]
    role          = "sales"
  }`))
	withTeam := e.config(rosterConfig(conn, `
  select {
    crm_profile_names = ["Bulk"]
    role          = "sales"
    team          = "Bulk"
  }`))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// The first batch of 500 fails through every retry (three
				// 503s); the second batch of 1 is applied and kept.
				PreConfig: func() {
					e.sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodPost, PathPrefix: "/api/v1/sales-users/batch", Status: http.StatusServiceUnavailable, Count: 3}})
				},
				Config:      config,
				ExpectError: regexp.MustCompile(`apply 500 changes of the roster`),
			},
			{
				PreConfig: func() {
					e.sb.ClearFaults()
					if n := len(liveSalesUsers(t, e, conn)); n != 1 {
						t.Errorf("%d sales users after the partial apply, want the 1 of the batch that went through", n)
					}
					e.sb.ResetCounters()
				},
				Config: config,
				// A first apply that failed in part records no roster (a
				// failed create would be tainted and replaced); this one takes
				// over the sales user already imported.
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionCreate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rosterAddr, tfjsonpath.New("sales_users"), knownvalue.MapSizeExact(client.MaxBatchItems+1)),
				},
				Check: func(_ *terraform.State) error {
					if n := len(liveSalesUsers(t, e, conn)); n != client.MaxBatchItems+1 {
						return fmt.Errorf("%d sales users, want %d", n, client.MaxBatchItems+1)
					}
					// The retry sent only what had failed: one batch.
					if n := e.sb.Counters()["POST /api/v1/sales-users/batch"]; n != 1 {
						return fmt.Errorf("%d batch requests for the retry, want 1", n)
					}
					return nil
				},
			},
			{
				// An update that fails in part keeps what was applied in the
				// state: every member gets a team; the first batch fails.
				PreConfig: func() {
					e.sb.SetFaults([]sandbox.FaultRule{{Method: http.MethodPost, PathPrefix: "/api/v1/sales-users/batch", Status: http.StatusServiceUnavailable, Count: 3}})
				},
				Config:      withTeam,
				ExpectError: regexp.MustCompile(`apply 500 changes of the roster`),
			},
			{
				PreConfig: func() {
					e.sb.ClearFaults()
					e.sb.ResetCounters()
				},
				Config: withTeam,
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate),
				),
				Check: func(_ *terraform.State) error {
					for id, su := range liveSalesUsers(t, e, conn) {
						if su.Team != "Bulk" {
							return fmt.Errorf("sales user of %s has team %q", id, su.Team)
						}
					}
					if n := e.sb.Counters()["POST /api/v1/sales-users/batch"]; n != 1 {
						return fmt.Errorf("%d batch requests for the retry, want 1 (the 500 that failed)", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSalesUsers_exclusive(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	config := func(exclusive bool) string {
		return e.config(rosterConfig(conn, fmt.Sprintf(`
  exclusive = %t
  members = {
    %q = { role = "sales" }
  }`, exclusive, userJordan)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{Config: config(false)},
			{
				// A sales user clicked in outside Terraform: left alone
				// while the roster is not exclusive.
				PreConfig: func() { e.createSalesUser(t, conn, userPriya) },
				Config:    config(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Exclusive: the plan removes it.
				Config: config(true),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate),
				),
				Check: func(_ *terraform.State) error {
					live := liveSalesUsers(t, e, conn)
					if _, ok := live[userPriya]; ok || len(live) != 1 {
						return fmt.Errorf("sales users after an exclusive apply: %v", live)
					}
					return nil
				},
			},
			{
				// Drift: a member deleted outside Terraform is added back.
				PreConfig: func() {
					mustDo(t, "deleting the member", e.client.SalesUsers.Delete(context.Background(), liveSalesUsers(t, e, conn)[userJordan].ID))
				},
				Config: config(true),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(rosterAddr, plancheck.ResourceActionUpdate),
				),
				Check: func(_ *terraform.State) error {
					if _, ok := liveSalesUsers(t, e, conn)[userJordan]; !ok {
						return fmt.Errorf("the deleted member was not added back")
					}
					return nil
				},
			},
		},
	})
}

func TestAccSalesUsers_conflicts(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	second := fmt.Sprintf(`
resource "salesseat_sales_users" "other" {
  connection_id = %q
  members = {
    %q = { role = "sales" }
  }
}
`, conn, userJordan)
	perUser := salesUserConfig(conn, fmt.Sprintf("crm_user_id = %q\n  role = \"sales\"", userPriya))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:      e.config(rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userJordan)), second),
				ExpectError: regexp.MustCompile(`(?s)Sales User Declared Twice.*CRM user ` + userJordan + ` is declared by`),
			},
			{
				Config:      e.config(rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userPriya)), perUser),
				ExpectError: regexp.MustCompile(`(?s)Sales User Declared Twice.*CRM user ` + userPriya + ` is declared by`),
			},
			{
				Config:      e.config(rosterConfig(conn, fmt.Sprintf("exclusive = true\n  members = { %q = { role = \"sales\" } }", userJordan)), perUser),
				ExpectError: regexp.MustCompile(`(?s)Sales User Declared Twice.*exclusive`),
			},
		},
	})
}

func TestAccSalesUsers_import(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	e.createSalesUser(t, conn, userJordan) // explicit role "sales"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// The configuration an import generates plans no change.
				Config:             e.config(rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userJordan))),
				ResourceName:       rosterAddr,
				ImportState:        true,
				ImportStateId:      conn,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["members.%"] != "1" || states[0].Attributes["members."+userJordan+".role"] != "sales" {
						return fmt.Errorf("imported state: %v", states)
					}
					return nil
				},
			},
			{
				Config: e.config(rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userJordan))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccSalesUsers_valuesKnownAtApply plans a roster whose member's team is
// known only at apply: nothing is resolved at plan, and the apply resolves
// the roster with the real value.
func TestAccSalesUsers_valuesKnownAtApply(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(`
resource "terraform_data" "team" {
  input = "West"
}
`, rosterConfig(conn, fmt.Sprintf(`members = { %q = { role = "sales", team = terraform_data.team.output } }`, userJordan))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectUnknownValue(rosterAddr, tfjsonpath.New("sales_users")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rosterAddr, entry(userJordan, "role"), knownvalue.StringExact("sales")),
				},
				Check: e.checkLive(t, conn, map[string]liveWant{userJordan: {team: "West"}}),
			},
		},
	})
}

// TestAccSalesUsers_seatsSharedWithPerUserResources plans a roster and a
// salesseat_sales_user that each fit alone but not together: one plan, one
// count of the free seats.
func TestAccSalesUsers_seatsSharedWithPerUserResources(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	acc, err := e.client.Account.Read(context.Background())
	mustDo(t, "reading the account", err)
	_, err = e.sb.Platform().SetSeatLimit(acc.SeatsUsed + 1)
	mustDo(t, "leaving one seat free", err)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(
					rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userJordan)),
					salesUserConfig(conn, fmt.Sprintf("crm_user_id = %q\n  role = \"sales\"", userPriya)),
				),
				ExpectError: regexp.MustCompile(`Not Enough Seats`),
			},
			{
				// Either alone fits.
				Config: e.config(rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userJordan))),
			},
		},
	})
}

// TestAccSalesUsers_connectionGone plans a roster whose connection was
// deleted outside Terraform (its sales users went to the recycle bin with
// it): one error on connection_id, not a restore error per member.
func TestAccSalesUsers_connectionGone(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	config := e.config(rosterConfig(conn, fmt.Sprintf("members = { %q = { role = \"sales\" } }", userJordan)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					mustDo(t, "deleting the connection", e.client.Connections.Delete(context.Background(), conn))
				},
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Connection Not Found.*connection_id`),
			},
		},
	})
}
