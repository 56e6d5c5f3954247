package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

const userAddr = "salesseat_sales_user.test"

// salesUserConfig renders the sales user under test; body holds its
// arguments besides connection_id.
func salesUserConfig(connectionID, body string) string {
	return fmt.Sprintf(`
resource "salesseat_sales_user" "test" {
  connection_id = %q
  %s
}
`, connectionID, body)
}

// repMapping maps "Sales Rep" to role on the connection.
func repMapping(connectionID, role string) string {
	return fmt.Sprintf(`
resource "salesseat_profile_role_mapping" "rep" {
  connection_id    = %q
  crm_profile_name = "Sales Rep"
  role             = %q
}
`, connectionID, role)
}

func TestAccSalesUser_lifecycle(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	jordan15 := userJordan[:15]
	sameID := statecheck.CompareValue(compare.ValuesSame())
	replacedID := statecheck.CompareValue(compare.ValuesDiffer())
	dependsOnMapping := "depends_on = [salesseat_profile_role_mapping.rep]"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// The role comes from the profile's mapping, created in the
				// same plan; the CRM user is given by its 15-character ID.
				Config: e.config(repMapping(conn, "sales"), salesUserConfig(conn, fmt.Sprintf("crm_user_id = %q\n  %s", jordan15, dependsOnMapping))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate),
					// The dry run resolved the CRM user: the plan shows its username.
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_username"), knownvalue.StringExact(usernameJordan)),
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_source"), knownvalue.StringExact("profile_mapping")),
					// The mapping planned before it gives the role.
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("effective_role"), knownvalue.StringExact("sales")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userAddr, tfjsonpath.New("id")),
					replacedID.AddStateValue(userAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^su_`))),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_user_id"), knownvalue.StringExact(jordan15)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_username"), knownvalue.StringExact(usernameJordan)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact(usernameJordan)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("first_name"), knownvalue.StringExact("Jordan")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_name"), knownvalue.StringExact("Lee")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role"), knownvalue.Null()),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("effective_role"), knownvalue.StringExact("sales")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_source"), knownvalue.StringExact("profile_mapping")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("team"), knownvalue.Null()),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("hidden_components"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_profile_id"), knownvalue.StringExact(profileSalesRep)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_profile_name"), knownvalue.StringExact("Sales Rep")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("adopted_existing_user"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("platform_user_id"), knownvalue.StringRegexp(regexp.MustCompile(`^pu_`))),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("created_by"), knownvalue.StringExact("api")),
				},
			},
			{
				// In place: explicit role, team, hidden components.
				Config: e.config(repMapping(conn, "sales"), salesUserConfig(conn, fmt.Sprintf(`crm_user_id = %q
  role              = "sales_manager"
  team              = "West"
  hidden_components = ["hot_prospects", "sent_messages"]`, jordan15))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
					// An update does not touch what follows the CRM: the plan
					// shows those values, not "known after apply".
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact(usernameJordan)),
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_name"), knownvalue.StringExact("Lee")),
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_active"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_profile_name"), knownvalue.StringExact("Sales Rep")),
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role"), knownvalue.StringExact("sales_manager")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("effective_role"), knownvalue.StringExact("sales_manager")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_source"), knownvalue.StringExact("explicit")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("team"), knownvalue.StringExact("West")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("hidden_components"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("hot_prospects"), knownvalue.StringExact("sent_messages"),
					})),
				},
			},
			{
				ResourceName:      userAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Import stores the API's 18-character form of the ID the
				// configuration writes with 15 characters; both are the same
				// ID (the next step's import block plans no change).
				ImportStateVerifyIgnore: []string{"crm_user_id"},
			},
			{
				ResourceName:            userAddr,
				ImportState:             true,
				ImportStateIdFunc:       stateAttr(userAddr, "crm_username", "username:%s"),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"crm_user_id"},
			},
			{
				ResourceName:    userAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				ResourceName:  userAddr,
				ImportState:   true,
				ImportStateId: "username:nobody@acme.example",
				ExpectError: errorMatching("Sales User Not Found", `No sales user has the CRM username "nobody@acme.example"`,
					`Use the sales user's ID (e.g. "su_123") or "username:<CRM username>"`),
			},
			{
				// Back to the mapping's role, which has changed meanwhile.
				Config: e.config(repMapping(conn, "marketing"), salesUserConfig(conn, fmt.Sprintf(`crm_user_id = %q
  team = "West"
  %s`, jordan15, dependsOnMapping))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
					// The mapping's new role, planned before the sales user.
					plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("effective_role"), knownvalue.StringExact("marketing")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role"), knownvalue.Null()),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("effective_role"), knownvalue.StringExact("marketing")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_source"), knownvalue.StringExact("profile_mapping")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("hidden_components"), knownvalue.SetExact([]knownvalue.Check{})),
				},
			},
			{
				// Another CRM user (by username) replaces the sales user.
				Config: e.config(repMapping(conn, "marketing"), salesUserConfig(conn, fmt.Sprintf(`crm_username = %q
  role = "sales_manager"`, usernamePriya))),
				ConfigPlanChecks: withPreApply(plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionDestroyBeforeCreate)),
				ConfigStateChecks: []statecheck.StateCheck{
					replacedID.AddStateValue(userAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_user_id"), knownvalue.StringExact(userPriya)),
				},
			},
		},
	})
}

// TestAccSalesUser_planTimeErrors checks that every mapping rule fails the
// plan, on the right attribute, with the exact reason.
func TestAccSalesUser_planTimeErrors(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	holder := e.createSalesUser(t, conn, userMarco)

	cases := []struct {
		body string
		want *regexp.Regexp
	}{
		{ // 1. mapped to another platform user, live
			body: fmt.Sprintf(`crm_user_id = %q
  role = "sales"`, userMarco),
			want: errorMatching("CRM Username Already Mapped", "with salesseat_sales_user.test", "crm_user_id",
				`The CRM username "marco.rossi@acme.example" is already mapped to sales user `+holder.ID+" (Marco Rossi <marco.rossi@acme.example>)",
				"import {", "to = salesseat_sales_user.<name>", `id = "`+holder.ID+`"`),
		},
		{ // 1. mapped to a user in the recycle bin, which is not to be restored
			body: fmt.Sprintf(`crm_username = %q
  role = "sales"
  restore_from_recycle_bin = false`, usernameRiley),
			want: errorMatching("CRM Username Already Mapped", "crm_username",
				`The CRM username "riley.brooks@acme.example" is still held by sales user su_sandboxrileybrooks (Riley Brooks <riley.brooks@acme.example>), which was deleted and is in the recycle bin`,
				"restore_from_recycle_bin = true (the default)",
				"restore it from the recycle bin yourself", "POST /api/v1/recycle-bin/su_sandboxrileybrooks/restore", `id = "su_sandboxrileybrooks"`,
				"purge it from the recycle bin", "DELETE /api/v1/recycle-bin/su_sandboxrileybrooks",
				"This resource sets restore_from_recycle_bin = false"),
		},
		{ // 2. reserved for another platform user
			body: fmt.Sprintf(`crm_user_id = %q
  role = "sales"`, userSamantha),
			want: errorMatching("CRM Username Reserved", "crm_user_id",
				`The CRM username "sam.taylor@acme.example" equals the email of platform user Sam Taylor <sam.taylor@acme.example> (pu_sandboxsamtaylor)`),
		},
		{ // 3. profile without a role mapping, no explicit role
			body: fmt.Sprintf(`crm_user_id = %q`, userPriya),
			want: errorMatching("Profile Has No Role Mapping",
				`profile "Sales Manager" (`+profileSalesManager+`) has no role mapping on connection `+conn,
				`resource "salesseat_profile_role_mapping" "sales_manager" {`, `connection_id = "`+conn+`"`, `crm_profile_id = "`+profileSalesManager+`" # Sales Manager`),
		},
		{ // 4. inactive
			body: fmt.Sprintf(`crm_username = %q
  role = "sales"`, usernameChris),
			want: errorMatching("CRM User Inactive", "crm_username", `CRM user "chris.walker@acme.example" (`+userChris+`) is inactive in Salesforce`),
		},
		{ // 4. the service account
			body: fmt.Sprintf(`crm_username = %q
  role = "sales"`, usernameService),
			want: errorMatching("Service Account Cannot Be A Sales User", "crm_username", `"integration@acme.example"`, "is the service account"),
		},
		{ // a username in the wrong case
			body: `crm_username = "Jordan.Lee@acme.example"
  role = "sales"`,
			want: errorMatching("Invalid Salesforce Username", `write "jordan.lee@acme.example" instead of "Jordan.Lee@acme.example"`),
		},
		{ // a CRM user that does not exist
			body: `crm_username = "nobody@acme.example"
  role = "sales"`,
			want: errorMatching("CRM User Not Found", "crm_username"),
		},
		{ // malformed ID
			body: `crm_user_id = "0055A000000000"
  role = "sales"`,
			want: errorMatching("Invalid Salesforce ID", "The value of crm_user_id is not a valid 15- or 18-character Salesforce ID", "it has 14 characters"),
		},
		{ // bad checksum
			body: `crm_user_id = "0055A0000000003AAA"
  role = "sales"`,
			want: errorMatching("Invalid Salesforce ID", `its last three characters should be "QAA"`),
		},
		{ // a profile ID where a user ID belongs
			body: fmt.Sprintf(`crm_user_id = %q
  role = "sales"`, profileSalesRep),
			want: errorMatching("Wrong Kind Of Salesforce ID", `crm_user_id must be the ID of a Salesforce user, which starts with "005"`),
		},
		{ // unknown role
			body: fmt.Sprintf(`crm_user_id = %q
  role = "boss"`, userJordan),
			want: errorMatching("role", `value must be one of: ["administrator" "marketing" "sales_manager" "sales"], got: "boss"`),
		},
		{ // unknown hidden component
			body: fmt.Sprintf(`crm_user_id = %q
  role = "sales"
  hidden_components = ["dashboard"]`, userJordan),
			want: errorMatching("hidden_components", `value must be one of: ["hot_prospects"`, `got: "dashboard"`),
		},
		{ // both keys, naming different CRM users
			body: fmt.Sprintf(`crm_user_id = %q
  crm_username = %q
  role = "sales"`, userJordan, usernamePriya),
			want: errorMatching("CRM User ID and Username Disagree", `is the CRM user "`+usernameJordan+`", but crm_username = "`+usernamePriya+`"`),
		},
		{ // no key
			body: `role = "sales"`,
			want: errorMatching("Missing Attribute Configuration", "crm_user_id", "crm_username"),
		},
		{ // empty team
			body: fmt.Sprintf(`crm_user_id = %q
  role = "sales"
  team = ""`, userJordan),
			want: errorMatching("Empty Value", "team must not be empty"),
		},
		{ // a connection that does not exist
			body: fmt.Sprintf(`crm_user_id = %q
  role = "sales"`, userJordan),
			want: errorMatching("Connection Not Found", "connection_id"),
		},
	}
	var steps []resource.TestStep
	for i, c := range cases {
		connection := conn
		if i == len(cases)-1 {
			connection = "conn_doesnotexist"
		}
		steps = append(steps, resource.TestStep{
			Config:      e.config(salesUserConfig(connection, c.body)),
			PlanOnly:    true,
			ExpectError: c.want,
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccSalesUser_seatShortage plans a for_each of four sales users with
// two free seats: the plan fails for lack of seats, naming the numbers.
// With the limit raised, the same configuration applies.
func TestAccSalesUser_seatShortage(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	e.createSalesUser(t, conn, userStaylor) // one seat used
	extra, err := e.sb.Org().AddUser(e.creds.OrganizationID, sforg.UserSeed{
		Username: "dana.extra@acme.example", Email: "dana.extra@acme.example", FirstName: "Dana", LastName: "Extra",
		Active: true, ProfileID: profileSalesRep,
	})
	mustDo(t, "adding a CRM user", err)
	_, err = e.sb.Platform().SetSeatLimit(3)
	mustDo(t, "lowering the seat limit", err)

	team := fmt.Sprintf("[%q, %q, %q, %q]", usernameJordan, usernamePriya, usernameMarco, usernameAvery)
	// plugin-testing cannot read a state with for_each instances (its state
	// shim supports count indexes only), so for_each is used where the plan
	// fails and nothing is stored, and count where the users are created.
	forEach := e.config(fmt.Sprintf(`
resource "salesseat_sales_user" "team" {
  for_each      = toset(%s)
  connection_id = %q
  crm_username  = each.value
  role          = "sales"
}
`, team, conn))
	countOf := func(team string) string {
		return e.config(fmt.Sprintf(`
locals {
  team = %s
}

resource "salesseat_sales_user" "team" {
  count         = length(local.team)
  connection_id = %q
  crm_username  = local.team[count.index]
  role          = "sales"
}
`, team, conn))
	}
	count := countOf(team)
	replaced := fmt.Sprintf("[%q, %q, %q, %q]", usernameJordan, usernamePriya, usernameMarco, extra.Username)
	// One error for the plan, with its totals and the planned users sorted.
	shortage := errorMatching("Not Enough Seats",
		"4 sales users are planned for creation, 2 seats are free (the account's seat limit is 3 and 1 seat is used): remove 2 from the configuration",
		"The planned sales users: "+usernameAvery+", "+usernameJordan+", "+usernameMarco+", "+usernamePriya+".",
		"-target", "terraform destroy -refresh=false",
		"The seat limit is raised by your vendor, not Terraform.")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:      forEach,
				PlanOnly:    true,
				ExpectError: shortage,
			},
			{
				Config:      count,
				PlanOnly:    true,
				ExpectError: shortage,
			},
			{
				PreConfig: func() {
					_, err := e.sb.Platform().SetSeatLimit(5)
					mustDo(t, "raising the seat limit", err)
				},
				Config:           count,
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesseat_sales_user.team[3]", tfjsonpath.New("crm_username"), knownvalue.StringExact(usernameAvery)),
					statecheck.ExpectKnownValue("salesseat_sales_user.team[3]", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
			},
			{
				// Full now, but replacing a sales user frees its seat first.
				Config: countOf(replaced),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction("salesseat_sales_user.team[3]", plancheck.ResourceActionDestroyBeforeCreate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesseat_sales_user.team[3]", tfjsonpath.New("crm_username"), knownvalue.StringExact(extra.Username)),
				},
			},
			{
				// Full: one more sales user does not fit.
				PreConfig: func() {
					_, err := e.sb.Platform().SetSeatLimit(5)
					mustDo(t, "keeping the seat limit", err)
				},
				Config: countOf(replaced) + salesUserConfig(conn, fmt.Sprintf(`crm_username = %q
  role = "sales"`, usernameAvery)),
				PlanOnly:    true,
				ExpectError: errorMatching("Not Enough Seats", "1 sales user is planned for creation, 0 seats are free (the account's seat limit is 5 and 5 seats are used): remove 1"),
			},
		},
	})
}

// TestAccSalesUser_seatShortageNewConnection plans sales users on a
// connection created in the same plan: the connection ID is unknown, so the
// dry run waits for apply, but the seats (counted account-wide) are checked
// at plan time, on the instance that does not fit.
func TestAccSalesUser_seatShortageNewConnection(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	_, err := e.sb.Platform().SetSeatLimit(1)
	mustDo(t, "lowering the seat limit", err)
	conn := strings.Replace(e.connectionConfig("New", "sandbox", fmt.Sprintf("jwt_private_key = %q", e.creds.JWTPrivateKeyPEM), ""), e.providerConfig(), "", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.config(conn, fmt.Sprintf(`
resource "salesseat_sales_user" "team" {
  count         = 2
  connection_id = salesseat_crm_connection.test.id
  crm_username  = [%q, %q][count.index]
  role          = "sales"
}
`, usernameJordan, usernamePriya)),
				PlanOnly: true,
				ExpectError: errorMatching("Not Enough Seats", "with salesseat_sales_user.team[", "crm_username",
					"2 sales users are planned for creation, 1 seat is free (the account's seat limit is 1 and 0 seats are used): remove 1",
					"The seat limit is raised by your vendor, not Terraform."),
			},
		},
	})
}

// TestAccSalesUser_drift changes things outside Terraform.
func TestAccSalesUser_drift(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	// Without restore_from_recycle_bin, a sales user deleted outside
	// Terraform cannot come back (TestAccSalesUser_restoreAfterDestroy
	// shows the restore).
	config := e.config(salesUserConfig(conn, fmt.Sprintf(`crm_user_id = %q
  role = "sales"
  restore_from_recycle_bin = false`, userJordan)))
	var firstID string
	replacedID := statecheck.CompareValue(compare.ValuesDiffer())
	setActive := func(active bool) func() {
		return func() {
			_, err := e.sb.UpdateCRMUser(context.Background(), e.creds.OrganizationID, userJordan, sforg.UserPatch{Active: &active})
			mustDo(t, "changing the CRM user", err)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{replacedID.AddStateValue(userAddr, tfjsonpath.New("id"))},
				Check:             captureID(userAddr, &firstID),
			},
			{
				// Deleted outside Terraform: gone from the state, and the
				// re-creation fails at plan time because the deleted user
				// still holds the username in the recycle bin.
				PreConfig: func() {
					mustDo(t, "deleting the sales user", e.client.SalesUsers.Delete(context.Background(), firstID))
				},
				Config:      config,
				PlanOnly:    true,
				ExpectError: errorMatching("CRM Username Already Mapped", "which was deleted and is in the recycle bin", "This resource sets restore_from_recycle_bin = false"),
			},
			{
				// Purged: planned for re-creation, and re-created.
				PreConfig: func() {
					mustDo(t, "purging the sales user", e.client.RecycleBin.Purge(context.Background(), firstID))
				},
				Config:            config,
				ConfigPlanChecks:  withPreApply(plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate)),
				ConfigStateChecks: []statecheck.StateCheck{replacedID.AddStateValue(userAddr, tfjsonpath.New("id"))},
			},
			{
				// Deactivated in Salesforce: the refresh shows it.
				PreConfig:    setActive(false),
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(userAddr, "crm_active", "false"),
			},
			{
				PreConfig:        setActive(true),
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_active"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccSalesUser_forEachCRMUsers imports a whole group from the CRM users
// data source, and refreshes it with a listing instead of a read per user.
func TestAccSalesUser_forEachCRMUsers(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	profile, err := e.sb.Org().AddProfile(e.creds.OrganizationID, sforg.ProfileSeed{Name: "Field Sales"})
	mustDo(t, "adding a profile", err)
	for i := range 6 {
		_, err := e.sb.Org().AddUser(e.creds.OrganizationID, sforg.UserSeed{
			Username:  fmt.Sprintf("field%d@fieldsales.example", i),
			Email:     fmt.Sprintf("field%d@fieldsales.example", i),
			FirstName: "Field", LastName: fmt.Sprintf("Rep %d", i),
			Active:    i != 5, // one inactive user, filtered out
			ProfileID: profile.ID,
		})
		mustDo(t, "adding a CRM user", err)
	}
	common := fmt.Sprintf(`
data "salesseat_crm_users" "field" {
  connection_id = %[1]q
  active        = true
  crm_profile_names = ["Field Sales"]
  email_domain  = "fieldsales.example"
}

resource "salesseat_profile_role_mapping" "field" {
  connection_id  = %[1]q
  crm_profile_id = %[2]q
  role           = "sales"
}
`, conn, profile.ID)
	// plugin-testing cannot read a state with for_each instances (its state
	// shim supports count indexes only): the for_each configuration is
	// planned, and the same group is applied with count.
	forEach := e.config(common, fmt.Sprintf(`
resource "salesseat_sales_user" "field" {
  for_each      = { for u in data.salesseat_crm_users.field.users : u.crm_username => u }
  connection_id = %q
  crm_user_id   = each.value.crm_user_id
  team          = "Field"
  depends_on    = [salesseat_profile_role_mapping.field]
}
`, conn))
	count := e.config(common, fmt.Sprintf(`
resource "salesseat_sales_user" "field" {
  count         = length(data.salesseat_crm_users.field.users)
  connection_id = %q
  crm_user_id   = data.salesseat_crm_users.field.users[count.index].crm_user_id
  team          = "Field"
  depends_on    = [salesseat_profile_role_mapping.field]
}

data "salesseat_crm_users" "imported" {
  connection_id = %q
  imported      = true
  depends_on    = [salesseat_sales_user.field]
}

output "imported" {
  value = length(data.salesseat_crm_users.imported.users)
}
`, conn, conn))
	var creates []plancheck.PlanCheck
	for i := range 5 {
		addr := fmt.Sprintf(`salesseat_sales_user.field["field%d@fieldsales.example"]`, i)
		creates = append(creates,
			plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("crm_username"), knownvalue.StringExact(fmt.Sprintf("field%d@fieldsales.example", i))),
		)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:             forEach,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: creates},
			},
			{
				Config:           count,
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.salesseat_crm_users.field", tfjsonpath.New("users"), knownvalue.ListSizeExact(5)),
					statecheck.ExpectKnownValue("salesseat_sales_user.field[0]", tfjsonpath.New("effective_role"), knownvalue.StringExact("sales")),
					statecheck.ExpectKnownValue("salesseat_sales_user.field[4]", tfjsonpath.New("crm_profile_name"), knownvalue.StringExact("Field Sales")),
					statecheck.ExpectKnownOutputValue("imported", knownvalue.Int64Exact(5)),
				},
			},
			{
				// Refreshing five sales users lists them once instead of
				// reading each one.
				PreConfig:    e.sb.ResetCounters,
				RefreshState: true,
				Check: func(*terraform.State) error {
					counts := e.sb.Counters()
					if n := counts["GET /api/v1/sales-users/{sales_user_id}"]; n != 0 {
						return fmt.Errorf("refresh read %d sales users one by one, want 0 (counters: %v)", n, counts)
					}
					if n := counts["GET /api/v1/sales-users"]; n != 1 {
						return fmt.Errorf("refresh listed sales users %d times, want 1 (counters: %v)", n, counts)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSalesUser_adoptsExistingPlatformUser(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(salesUserConfig(conn, `crm_username = "staylor@acme.example"
  role = "sales"`)),
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("adopted_existing_user"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("platform_user_id"), knownvalue.StringExact("pu_sandboxsamtaylor")),
				},
			},
		},
	})
}

// TestAccSalesUser_unknownConnection creates the connection and its sales
// user in one plan: the connection ID is unknown at plan time, so the checks
// run at apply.
func TestAccSalesUser_unknownConnection(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := strings.Replace(e.connectionConfig("New", "sandbox", fmt.Sprintf("jwt_private_key = %q", e.creds.JWTPrivateKeyPEM), ""), e.providerConfig(), "", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(conn, `
resource "salesseat_sales_user" "test" {
  connection_id = salesseat_crm_connection.test.id
  crm_username  = "priya.patel@acme.example"
}
`),
				// Priya's profile has no mapping. The plan cannot tell (the
				// connection ID is unknown); the apply re-plans the sales user
				// once the connection exists, and the check fails there.
				ExpectError: errorMatching("Profile Has No Role Mapping", `profile "Sales Manager"`),
			},
			{
				Config: e.config(conn, `
resource "salesseat_sales_user" "test" {
  connection_id = salesseat_crm_connection.test.id
  crm_username  = "priya.patel@acme.example"
  role          = "sales_manager"
}
`),
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_user_id"), knownvalue.StringExact(userPriya)),
				},
			},
		},
	})
}

// seatsUsed returns a Check that the account uses want seats and that the
// recycle bin holds exactly the given sales users.
func (e *accEnv) seatsUsed(want int, inRecycleBin ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		acc, err := e.client.Account.Read(ctx)
		if err != nil {
			return err
		}
		if acc.SeatsUsed != want {
			return fmt.Errorf("seats used = %d, want %d", acc.SeatsUsed, want)
		}
		var bin []string
		for u, err := range e.client.RecycleBin.List(ctx, client.RecycleBinListOptions{}) {
			if err != nil {
				return err
			}
			bin = append(bin, u.ID)
		}
		slices.Sort(bin)
		slices.Sort(inRecycleBin)
		if !slices.Equal(bin, inRecycleBin) {
			return fmt.Errorf("recycle bin holds %v, want %v", bin, inRecycleBin)
		}
		return nil
	}
}

// TestAccSalesUser_restoreAfterDestroy destroys a sales user and adds it
// back: the apply restores it from the recycle bin (same ID, one seat)
// instead of failing on the CRM username it still holds there.
func TestAccSalesUser_restoreAfterDestroy(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	body := fmt.Sprintf(`crm_user_id = %q
  role = "sales"
  team = "West"`, userJordan)
	config := e.config(salesUserConfig(conn, body))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var firstID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(userAddr, tfjsonpath.New("id"))},
				Check:             resource.ComposeAggregateTestCheckFunc(captureID(userAddr, &firstID), e.seatsUsed(1, "su_sandboxrileybrooks")),
			},
			{
				// Destroyed: in the recycle bin, holding the username.
				Config: e.providerConfig(),
				Check: func(s *terraform.State) error {
					return e.seatsUsed(0, "su_sandboxrileybrooks", firstID)(s)
				},
			},
			{
				// Back in the configuration, with another team: restored,
				// then updated to match.
				Config: e.config(salesUserConfig(conn, strings.Replace(body, "West", "East", 1))),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_user_id"), knownvalue.StringExact(userJordan)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("team"), knownvalue.StringExact("East")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("effective_role"), knownvalue.StringExact("sales")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("restore_from_recycle_bin"), knownvalue.Bool(true)),
				},
				Check: e.seatsUsed(1, "su_sandboxrileybrooks"),
			},
			{
				// The setting only matters to a create: changing it
				// replaces nothing.
				Config: e.config(salesUserConfig(conn, strings.Replace(body, "West", "East", 1)+"\n  restore_from_recycle_bin = false")),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("restore_from_recycle_bin"), knownvalue.Bool(false)),
				},
			},
			{
				ResourceName:      userAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// An import cannot know the setting, which only a create
				// reads; it gets the default.
				ImportStateVerifyIgnore: []string{"restore_from_recycle_bin"},
			},
		},
	})
}

// TestAccSalesUser_restoreSeededEntry imports the CRM user of the fixture's
// recycle bin entry (Riley Brooks).
func TestAccSalesUser_restoreSeededEntry(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	riley := func(extra string) string {
		return salesUserConfig(conn, fmt.Sprintf(`crm_username = %q
  role = "sales_manager"
  team = "Central"
  %s`, usernameRiley, extra))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// Told instead of restored.
				Config:   e.config(riley("restore_from_recycle_bin = false")),
				PlanOnly: true,
				ExpectError: errorMatching("CRM Username Already Mapped", "crm_username",
					"su_sandboxrileybrooks (Riley Brooks <riley.brooks@acme.example>), which was deleted and is in the recycle bin",
					"This resource sets restore_from_recycle_bin = false, so Terraform does not restore it"),
			},
			{
				// Riley was deleted while following the "Sales Rep" mapping,
				// and a restore re-checks that role before Terraform sets
				// role: without the mapping, the plan says so.
				Config:   e.config(riley("")),
				PlanOnly: true,
				ExpectError: errorMatching("Profile Has No Role Mapping", `profile "Sales Rep"`,
					"Sales user su_sandboxrileybrooks (Riley Brooks) is restored from the recycle bin with the role it was deleted with"),
			},
			{
				Config: e.config(repMapping(conn, "sales"), riley("depends_on = [salesseat_profile_role_mapping.rep]")),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("id"), knownvalue.StringExact("su_sandboxrileybrooks")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("crm_user_id"), knownvalue.StringExact("0055A0000000009QAA")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("connection_id"), knownvalue.StringExact(conn)),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("team"), knownvalue.StringExact("Central")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role"), knownvalue.StringExact("sales_manager")),
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_source"), knownvalue.StringExact("explicit")),
				},
				Check: e.seatsUsed(1),
			},
		},
	})
}

// TestAccSalesUser_restoreAcrossConnections moves a sales user to another
// connection. While its old connection exists, a restore would bring it back
// there, so the plan fails and says so; once the old connection is gone,
// the sales user is restored through the new one.
func TestAccSalesUser_restoreAcrossConnections(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	oldConn := e.createConnection(t)
	newConn := e.createConnection(t)
	body := fmt.Sprintf(`crm_user_id = %q
  role = "sales"`, userJordan)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            e.config(salesUserConfig(oldConn, body)),
				ConfigPlanChecks:  emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(userAddr, tfjsonpath.New("id"))},
			},
			{
				Config:   e.config(salesUserConfig(newConn, body)),
				PlanOnly: true,
				ExpectError: errorMatching("CRM Username Already Mapped", "This plan replaces sales user",
					"belongs to connection "+oldConn+", which still exists", "not on connection "+newConn, "Set connection_id back to "+oldConn),
			},
			{
				// Deleting the old connection outside Terraform moves its
				// sales users to the recycle bin. The refresh forgets the
				// sales user, and the provider cannot tell its entry from
				// another setup's (a module test's): no restore across
				// connections without this plan replacing it; the message
				// says how to restore it deliberately.
				PreConfig: func() {
					mustDo(t, "deleting the old connection", e.client.Connections.Delete(context.Background(), oldConn))
				},
				Config:      e.config(salesUserConfig(newConn, body)),
				ExpectError: errorMatching("CRM Username Already Mapped", "which no longer exists", "purge_on_destroy", `"connection_id": "`+newConn+`"`),
			},
		},
	})
}
