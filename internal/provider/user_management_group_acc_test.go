package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// admin calls the sandbox's admin API, as a Salesforce admin (or the
// platform's scheduler) would act, and decodes the answer into out.
func (e *accEnv) admin(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		mustDo(t, "encoding an admin request", err)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.creds.Endpoint+path, r)
	mustDo(t, "building an admin request", err)
	req.Header.Set("Authorization", "Bearer "+e.creds.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	mustDo(t, method+" "+path, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		mustDo(t, "decoding "+path, json.Unmarshal(data, out))
	}
}

// TestAccUserManagementGroup covers a connection that hands user management
// to a Salesforce public group: the setting applied, the sync report in the
// state, a member added in Salesforce holding a seat after a sync, a member
// removed from the group losing it, and the plan-time refusal of sales users
// declared by hand (per user and in a roster) on that connection.
func TestAccUserManagementGroup(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	org := e.creds.OrganizationID
	var group struct {
		ID string `json:"id"`
	}
	e.admin(t, http.MethodPost, "/admin/v1/orgs/"+org+"/groups",
		map[string]any{"name": "Sales Team", "developer_name": "Sales_Team", "member_ids": []string{userJordan}}, &group)
	sync := func() {
		conn := e.connectionByName(t, "Managed")
		e.admin(t, http.MethodPost, "/admin/v1/connections/"+conn.ID+"/sync", nil, nil)
	}

	connection := fmt.Sprintf(`
resource "salesseat_crm_connection" "managed" {
  name                  = "Managed"
  environment           = "sandbox"
  login_url             = %q
  service_username      = %q
  oauth_client_id       = %q
  refresh_token         = %q
  user_management_group = "sales_team"
}

locals {
  connection_id = salesseat_crm_connection.managed.id
}
`, e.creds.LoginURL, e.creds.ServiceUsername, e.creds.OAuthClientID, e.creds.RefreshToken)
	mapping := `
resource "salesseat_profile_role_mapping" "rep" {
  connection_id    = local.connection_id
  crm_profile_name = "Sales Rep"
  role             = "sales"
}
`
	members := `
data "salesseat_crm_users" "team" {
  connection_id = local.connection_id
  crm_groups    = ["Sales_Team"]
  imported      = true
}
`
	connAddr := "salesseat_crm_connection.managed"
	seated := func(want int) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.salesseat_crm_users.team", tfjsonpath.New("users"), knownvalue.ListSizeExact(want))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				// The setting is applied (named in other case: the
				// configuration keeps its spelling). The first sync ran
				// before the mapping existed, so it reports Jordan.
				Config: e.config(connection, mapping),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("user_management_group"), knownvalue.StringExact("sales_team")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("user_management_group_id"), knownvalue.StringExact(group.ID)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("last_sync").AtMapKey("problems"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"crm_user_id": knownvalue.StringExact(userJordan), "code": knownvalue.StringExact("profile_not_mapped"),
						}),
					})),
				},
				Check: func(*terraform.State) error {
					conn := e.connectionByName(t, "Managed")
					if conn.UserManagementGroup != "Sales_Team" || conn.UserManagementGroupID != group.ID {
						return fmt.Errorf("the API has user_management_group %q (%s), want Sales_Team (%s)", conn.UserManagementGroup, conn.UserManagementGroupID, group.ID)
					}
					return nil
				},
			},
			{
				// With the mapping in place, the next sync gives the member
				// its seat, with the mapped role.
				PreConfig: sync,
				Config:    e.config(connection, mapping, members),
				ConfigStateChecks: []statecheck.StateCheck{
					seated(1),
					statecheck.ExpectKnownValue("data.salesseat_crm_users.team", tfjsonpath.New("users").AtSliceIndex(0).AtMapKey("crm_user_id"), knownvalue.StringExact(userJordan)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("last_sync").AtMapKey("created"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("last_sync").AtMapKey("problems"), knownvalue.ListSizeExact(0)),
				},
				Check: e.checkSalesUser(usernameJordan, "sales"),
			},
			{
				// A member added in Salesforce waits for the sync; then
				// holds a seat.
				PreConfig: func() {
					e.admin(t, http.MethodPut, fmt.Sprintf("/admin/v1/orgs/%s/groups/%s/members/%s", org, group.ID, userStaylor), nil, nil)
					sync()
				},
				Config:            e.config(connection, mapping, members),
				ConfigStateChecks: []statecheck.StateCheck{seated(2)},
			},
			{
				// A member removed from the group loses the seat at the
				// next sync.
				PreConfig: func() {
					e.admin(t, http.MethodDelete, fmt.Sprintf("/admin/v1/orgs/%s/groups/%s/members/%s", org, group.ID, userJordan), nil, nil)
					sync()
				},
				Config:            e.config(connection, mapping, members),
				ConfigStateChecks: []statecheck.StateCheck{seated(1)},
				Check: func(*terraform.State) error {
					_, err := e.client.SalesUsers.ReadByCRMUsername(context.Background(), usernameJordan)
					if !errors.Is(err, client.ErrNotFound) {
						return fmt.Errorf("jordan left the group but still holds a seat: %w", err)
					}
					return nil
				},
			},
			{
				// A sales user declared by hand on the connection fails at
				// plan, naming the group and the fix.
				Config: e.config(connection, mapping, members, `
resource "salesseat_sales_user" "marco" {
  connection_id = local.connection_id
  crm_user_id   = "`+userMarco+`"
  role          = "marketing"
}
`),
				PlanOnly:    true,
				ExpectError: errorMatching("User Management Is In Salesforce", `"Sales_Team"`, "add it to the group", "remove this salesseat_sales_user"),
			},
			{
				// So does a roster member, once for the whole roster.
				Config: e.config(connection, mapping, members, `
resource "salesseat_sales_users" "team" {
  connection_id = local.connection_id
  members = {
    "`+userMarco+`" = { role = "marketing" }
    "`+userPriya+`" = { role = "sales_manager" }
  }
}
`),
				PlanOnly:    true,
				ExpectError: errorMatching("User Management Is In Salesforce", "would import 2 members", usernameMarco, usernamePriya, `"Sales_Team"`),
			},
			{
				// An exclusive roster would fight the group's sync.
				Config: e.config(connection, mapping, members, `
resource "salesseat_sales_users" "team" {
  connection_id = local.connection_id
  exclusive     = true
}
`),
				PlanOnly:    true,
				ExpectError: errorMatching("User Management Is In Salesforce", `"Sales_Team"`, "exclusive roster"),
			},
			{
				// Handing user management back to the platform plans as an
				// in-place update, and the plan-time refusal is gone.
				Config: e.config(`
resource "salesseat_crm_connection" "managed" {
  name             = "Managed"
  environment      = "sandbox"
  login_url        = "`+e.creds.LoginURL+`"
  service_username = "`+e.creds.ServiceUsername+`"
  oauth_client_id  = "`+e.creds.OAuthClientID+`"
  refresh_token    = "`+e.creds.RefreshToken+`"
}
`, mapping, `
locals {
  connection_id = salesseat_crm_connection.managed.id
}
`),
				ConfigPlanChecks: withPreApply(plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("user_management_group"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("last_sync"), knownvalue.Null()),
				},
			},
		},
	})
}

// connectionByName finds a connection through the API.
func (e *accEnv) connectionByName(t *testing.T, name string) *client.Connection {
	t.Helper()
	for c, err := range e.client.Connections.List(context.Background(), client.ListOptions{}) {
		mustDo(t, "listing connections", err)
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no connection named %q", name)
	return nil
}

// checkSalesUser checks through the API that the CRM user holds a seat with
// the role.
func (e *accEnv) checkSalesUser(username, role string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		su, err := e.client.SalesUsers.ReadByCRMUsername(context.Background(), username)
		if err != nil {
			return fmt.Errorf("%s holds no seat: %w", username, err)
		}
		if su.Role != role || su.CreatedBy != "automatic_sync" {
			return fmt.Errorf("%s: role %q created by %q, want %q by automatic_sync", username, su.Role, su.CreatedBy, role)
		}
		return nil
	}
}

// TestAccRosterSelectByGroup selects a roster's members by Salesforce
// public group (the default fixture's West_Sales: Jordan, Priya and one
// generated user) on a connection that keeps user management on the
// platform, and a group the org does not have fails the plan, naming the
// org's groups.
func TestAccRosterSelectByGroup(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	conn := e.createConnection(t)
	byGroup := func(group string) string {
		return e.config(rosterConfig(conn, fmt.Sprintf(`
  select {
    crm_groups = [%q]
    role       = "sales"
  }`, group)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: byGroup("west_sales"),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectKnownValue("salesseat_sales_users.team", entry(userJordan, "crm_username"), knownvalue.StringExact(usernameJordan)),
					plancheck.ExpectKnownValue("salesseat_sales_users.team", entry(userPriya, "crm_username"), knownvalue.StringExact(usernamePriya)),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesseat_sales_users.team", tfjsonpath.New("sales_users"), knownvalue.MapSizeExact(3)),
				},
			},
			{
				Config:      byGroup("East_Sales"),
				PlanOnly:    true,
				ExpectError: errorMatching(`crm_groups = ["East_Sales"]`, `no public group "East_Sales"`, `"West_Sales"`),
			},
		},
	})
}

// TestAccUserManagementGroupTakeover hands an existing connection's user
// management to a Salesforce group while a salesseat_sales_user is declared
// on it: the plan fails on the sales user, showing the removed block that
// keeps it; with that block the handover applies, and the first sync
// removes the sales user outside the group.
func TestAccUserManagementGroupTakeover(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	connection := func(extra string) string {
		return fmt.Sprintf(`
resource "salesseat_crm_connection" "takeover" {
  name             = "Takeover"
  environment      = "sandbox"
  login_url        = %q
  service_username = %q
  oauth_client_id  = %q
  refresh_token    = %q
  %s
}
`, e.creds.LoginURL, e.creds.ServiceUsername, e.creds.OAuthClientID, e.creds.RefreshToken, extra)
	}
	marco := `
resource "salesseat_sales_user" "marco" {
  connection_id = salesseat_crm_connection.takeover.id
  crm_user_id   = "` + userMarco + `"
  role          = "marketing"
}
`
	forget := `
removed {
  from = salesseat_sales_user.marco

  lifecycle {
    destroy = false
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: e.config(connection(""), marco)},
			{
				Config:      e.config(connection(`user_management_group = "West_Sales"`), marco),
				PlanOnly:    true,
				ExpectError: errorMatching("User Management Is In Salesforce", `"West_Sales"`, "removed {", "from = salesseat_sales_user.<name>", "destroy = false"),
			},
			{
				Config: e.config(connection(`user_management_group = "West_Sales"`), forget),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesseat_crm_connection.takeover", tfjsonpath.New("last_sync").AtMapKey("removed"), knownvalue.Int64Exact(1)),
				},
				Check: func(*terraform.State) error {
					if _, err := e.client.SalesUsers.ReadByCRMUsername(context.Background(), usernameMarco); !errors.Is(err, client.ErrNotFound) {
						return fmt.Errorf("marco is not in West_Sales but still holds a seat (err %w)", err)
					}
					return nil
				},
			},
		},
	})
}
