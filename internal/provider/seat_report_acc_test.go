package provider

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// TestAccSeatReport reads the seat report with real Terraform after drift
// made through the sandbox's admin API (a CRM user deactivated in
// Salesforce, a connection whose refresh token expired) and checks its
// figures against the API.
func TestAccSeatReport(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	ctx := context.Background()
	connA := e.createConnection(t)
	b, err := e.client.Connections.Create(ctx, client.ConnectionCreateOptions{
		Name: "Refresh token", Environment: environmentSandbox, LoginURL: e.creds.LoginURL,
		ServiceUsername: e.creds.ServiceUsername, OAuthClientID: e.creds.OAuthClientID, RefreshToken: e.creds.RefreshToken,
	})
	mustDo(t, "creating a refresh-token connection", err)
	connB := b.ID

	config := e.config(rosterConfig(connA, fmt.Sprintf(`
  members = {
    %q = { role = "sales" }
    %q = { role = "marketing", team = "West" }
  }`, userJordan, userMarco)), fmt.Sprintf(`
resource "salesseat_sales_user" "priya" {
  connection_id = %q
  crm_user_id   = %q
  role          = "sales_manager"
  team          = "West"
}

data "salesseat_seat_report" "this" {
  depends_on = [salesseat_sales_users.team, salesseat_sales_user.priya]
}

check "no_wasted_seats" {
  assert {
    condition     = data.salesseat_seat_report.this.seats_wasted == 0
    error_message = data.salesseat_seat_report.this.summary
  }
}
`, connB, userPriya))
	report := "data.salesseat_seat_report.this"
	at := func(p ...any) tfjsonpath.Path {
		out := tfjsonpath.New(p[0].(string)) //nolint:forcetypeassert // the first step is always a name
		for _, s := range p[1:] {
			switch v := s.(type) {
			case string:
				out = out.AtMapKey(v)
			case int:
				out = out.AtSliceIndex(v)
			}
		}
		return out
	}
	matchesAPI := func(st *terraform.State) error {
		acc, err := e.client.Account.Read(ctx)
		if err != nil {
			return err
		}
		rep, err := e.client.Account.SeatReport(ctx)
		if err != nil {
			return err
		}
		if rep.SeatsUsed != acc.SeatsUsed || rep.SeatLimit != acc.SeatLimit || rep.SeatsAvailable != acc.SeatsAvailable {
			return fmt.Errorf("report %d of %d (%d free), account %+v", rep.SeatsUsed, rep.SeatLimit, rep.SeatsAvailable, acc)
		}
		return resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(report, "seats_used", fmt.Sprint(acc.SeatsUsed)),
			resource.TestCheckResourceAttr(report, "seat_limit", fmt.Sprint(acc.SeatLimit)),
			resource.TestCheckResourceAttr(report, "seats_available", fmt.Sprint(acc.SeatsAvailable)),
			resource.TestCheckResourceAttr(report, "seats_wasted", fmt.Sprint(rep.SeatsWasted)),
		)(st)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(report, at("seats_used"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(report, at("seats_wasted"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(report, at("by_connection", connA, "seats"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(report, at("by_connection", connB, "status"), knownvalue.StringExact("connected")),
					statecheck.ExpectKnownValue(report, at("by_role"), knownvalue.MapExact(map[string]knownvalue.Check{
						"sales": knownvalue.Int64Exact(1), "marketing": knownvalue.Int64Exact(1), "sales_manager": knownvalue.Int64Exact(1),
					})),
					statecheck.ExpectKnownValue(report, at("by_team"), knownvalue.MapExact(map[string]knownvalue.Check{"West": knownvalue.Int64Exact(2)})),
					statecheck.ExpectKnownValue(report, at("seats_without_team"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(report, at("by_origin"), knownvalue.MapExact(map[string]knownvalue.Check{"api": knownvalue.Int64Exact(3)})),
				},
			},
			{
				// Drift through the admin API: Jordan is deactivated in
				// Salesforce, and the refresh token of connection B expires
				// (its next health check finds it disconnected).
				PreConfig: func() {
					e.admin(t, http.MethodPatch, fmt.Sprintf("/admin/v1/orgs/%s/users/%s", e.creds.OrganizationID, userJordan), map[string]any{"active": false}, nil)
					e.admin(t, http.MethodPost, fmt.Sprintf("/admin/v1/connections/%s/expire-refresh-token", connB), nil, nil)
					if c, err := e.client.Connections.Read(ctx, connB); err != nil || c.Status != "disconnected" {
						t.Fatalf("connection B after its token expired: %+v, %v", c, err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(report, at("seats_used"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(report, at("seats_wasted"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(report, at("by_connection", connB, "status"), knownvalue.StringExact("disconnected")),
					statecheck.ExpectKnownValue(report, at("wasted"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"reason": knownvalue.StringExact("connection_disconnected"), "crm_username": knownvalue.StringExact(usernamePriya),
							"connection_id": knownvalue.StringExact(connB), "role": knownvalue.StringExact("sales_manager"), "team": knownvalue.StringExact("West"),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"reason": knownvalue.StringExact("crm_user_inactive"), "crm_username": knownvalue.StringExact(usernameJordan),
							"name": knownvalue.StringExact("Jordan Lee"), "team": knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue(report, at("summary"), knownvalue.StringRegexp(regexpMust(`(?s)3 of 25 used.*2 wasted.*Priya Patel.*re-authorize.*Jordan Lee.*deactivated in Salesforce`))),
				},
				Check: matchesAPI,
			},
		},
	})
}
