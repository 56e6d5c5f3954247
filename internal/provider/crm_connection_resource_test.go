package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
)

const connAddr = "salesseat_crm_connection.test"

// connectionConfig renders a connection to the sandbox org; credentials is
// the credential argument(s), e.g. `refresh_token = "..."`.
func (e *accEnv) connectionConfig(name, environment, credentials, extra string) string {
	return e.config(fmt.Sprintf(`
resource "salesseat_crm_connection" "test" {
  name             = %q
  environment      = %q
  login_url        = %q
  service_username = %q
  oauth_client_id  = %q
  %s
  %s
}
`, name, environment, e.creds.LoginURL, e.creds.ServiceUsername, e.creds.OAuthClientID, credentials, extra))
}

func TestAccCRMConnection_lifecycle(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	refreshToken := fmt.Sprintf("refresh_token = %q", e.creds.RefreshToken)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	replacedID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.connectionConfig("Salesforce sandbox", "sandbox", refreshToken, ""),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("refresh_token")),
					plancheck.ExpectSensitiveValue(connAddr, tfjsonpath.New("refresh_token")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(connAddr, tfjsonpath.New("id")),
					replacedID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^conn_`))),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status_reason"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("organization_id"), knownvalue.StringExact(e.creds.OrganizationID)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("instance_url"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("refresh_token")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("auto_import_crm_users"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("profile_role_sync"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("login_url"), knownvalue.StringExact(e.creds.LoginURL)),
				},
			},
			{
				// In place: name and sync settings.
				Config: e.connectionConfig("Renamed", "sandbox", refreshToken, "profile_role_sync = false"),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					// What a rename cannot change is known in the plan.
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("status_reason"), knownvalue.Null()),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("organization_id"), knownvalue.StringExact(e.creds.OrganizationID)),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("instance_url"), knownvalue.NotNull()),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("name"), knownvalue.StringExact("Renamed")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("profile_role_sync"), knownvalue.Bool(false)),
				},
			},
			{
				ResourceName:      connAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The API never returns credentials.
				ImportStateVerifyIgnore: []string{"refresh_token"},
			},
			{
				ResourceName:  connAddr,
				ImportState:   true,
				ImportStateId: "Salesforce sandbox",
				ExpectError:   errorMatching("Invalid Import ID", `"Salesforce sandbox" is not a connection ID`, `starts with "conn_"`),
			},
			{
				// The environment cannot change in place.
				Config: e.connectionConfig("Renamed", "production", refreshToken, "profile_role_sync = false"),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionDestroyBeforeCreate),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					replacedID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("environment"), knownvalue.StringExact("production")),
				},
			},
		},
	})
}

// TestAccCRMConnection_defaultLoginURL plans the login URL from the
// environment; the sandbox org cannot be reached there, so the create fails
// with Salesforce's authorization error, which is what a user would see.
func TestAccCRMConnection_defaultLoginURL(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.config(fmt.Sprintf(`
resource "salesseat_crm_connection" "test" {
  name             = "Production"
  environment      = "production"
  service_username = %q
  oauth_client_id  = %q
  refresh_token    = %q
}
`, e.creds.ServiceUsername, e.creds.OAuthClientID, e.creds.RefreshToken)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("login_url"), knownvalue.StringExact("https://login.salesforce.com")),
					},
				},
			},
		},
	})
}

func TestAccCRMConnection_writeOnlyCredentials(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	jwt := fmt.Sprintf("jwt_private_key_wo = %q\n  credentials_wo_version = 1", e.creds.JWTPrivateKeyPEM)
	refreshToken := fmt.Sprintf("refresh_token_wo = %q\n  credentials_wo_version = 2", e.creds.RefreshToken)

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:           e.connectionConfig("JWT", "sandbox", jwt, ""),
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("jwt_bearer")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					// Write-only values never reach the state.
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("jwt_private_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("jwt_private_key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("credentials_wo_version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				// A new version sends the new write-only credential and
				// re-authorizes in place.
				Config: e.connectionConfig("JWT", "sandbox", refreshToken, ""),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("refresh_token")),
					// New credentials of the same service account reach the same org.
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("organization_id"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("instance_url"), knownvalue.NotNull()),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("refresh_token")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("refresh_token_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
				},
			},
		},
	})
}

// TestAccCRMConnection_expiredRefreshToken expires the connection's refresh
// token in the org: the refresh shows the connection disconnected, the plan
// stays empty (with a warning asking for a new token), and a new refresh
// token re-authorizes the connection in place.
func TestAccCRMConnection_expiredRefreshToken(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	fresh, err := e.sb.Org().MintRefreshToken(e.creds.OrganizationID, e.creds.ServiceUsername, 0)
	mustDo(t, "minting a refresh token", err)
	var connID string
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            e.connectionConfig("Expiring", "sandbox", fmt.Sprintf("refresh_token = %q", e.creds.RefreshToken), ""),
				ConfigPlanChecks:  emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(connAddr, tfjsonpath.New("id"))},
				Check:             captureID(connAddr, &connID),
			},
			{
				PreConfig:    func() { mustDo(t, "expiring the refresh token", e.sb.ExpireRefreshToken(connID)) },
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(connAddr, "status", "disconnected"),
					resource.TestMatchResourceAttr(connAddr, "status_reason", regexp.MustCompile(`invalid_grant: expired access/refresh token`)),
				),
			},
			{
				// Nothing Terraform can do without a new token: an empty plan
				// (the warning names the fix).
				Config:   e.connectionConfig("Expiring", "sandbox", fmt.Sprintf("refresh_token = %q", e.creds.RefreshToken), ""),
				PlanOnly: true,
			},
			{
				Config: e.connectionConfig("Expiring", "sandbox", fmt.Sprintf("refresh_token = %q", fresh), ""),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status_reason"), knownvalue.Null()),
				},
			},
		},
	})
}

// TestAccCRMConnection_expiredTokenSwitchToJWT fixes a connection whose
// refresh token expired by switching it to the JWT bearer flow, which
// re-authorizes it on apply.
func TestAccCRMConnection_expiredTokenSwitchToJWT(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	var connID string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	jwt := fmt.Sprintf("jwt_private_key = %q", e.creds.JWTPrivateKeyPEM)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:            e.connectionConfig("Switching", "sandbox", fmt.Sprintf("refresh_token = %q", e.creds.RefreshToken), ""),
				ConfigPlanChecks:  emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(connAddr, tfjsonpath.New("id"))},
				Check:             captureID(connAddr, &connID),
			},
			{
				PreConfig: func() { mustDo(t, "expiring the refresh token", e.sb.ExpireRefreshToken(connID)) },
				Config:    e.connectionConfig("Switching", "sandbox", jwt, ""),
				ConfigPlanChecks: withPreApply(
					plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("jwt_bearer")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(connAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("auth_method"), knownvalue.StringExact("jwt_bearer")),
				},
			},
		},
	})
}

// TestAccCRMConnection_disconnectedJWT disconnects a JWT connection (its
// service account is deactivated, so the grant fails): the plan shows the
// connection going back to "connected" as an in-place update. Once the
// account is active again, the connection heals.
func TestAccCRMConnection_disconnectedJWT(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	jwt := fmt.Sprintf("jwt_private_key = %q", e.creds.JWTPrivateKeyPEM)
	setActive := func(active bool) func() {
		return func() {
			_, err := e.sb.UpdateCRMUser(context.Background(), e.creds.OrganizationID, userServiceAccount, sforg.UserPatch{Active: &active})
			mustDo(t, "changing the service account", err)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config:           e.connectionConfig("JWT", "sandbox", jwt, ""),
				ConfigPlanChecks: emptyPlanAfterApply,
			},
			{
				PreConfig:          setActive(false),
				Config:             e.connectionConfig("JWT", "sandbox", jwt, ""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(connAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
					},
				},
			},
			{
				PreConfig:        setActive(true),
				Config:           e.connectionConfig("JWT", "sandbox", jwt, ""),
				ConfigPlanChecks: emptyPlanAfterApply,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connAddr, tfjsonpath.New("status"), knownvalue.StringExact("connected")),
				},
			},
		},
	})
}

func TestAccCRMConnection_invalidConfig(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	block := func(body string) string {
		return e.config(fmt.Sprintf(`
resource "salesseat_crm_connection" "test" {
  name             = "Bad"
  service_username = %q
  oauth_client_id  = %q
  %s
}
`, e.creds.ServiceUsername, e.creds.OAuthClientID, body))
	}
	steps := []struct {
		body string
		want *regexp.Regexp
	}{
		{body: `environment = "sandbox"
  login_url = "http://login.salesforce.com"
  refresh_token = "x"`, want: errorMatching("Invalid Login URL", "login_url must use https")},
		{body: `environment = "sandbox"
  login_url = "https://acme.my.salesforce.com/services"
  refresh_token = "x"`, want: errorMatching("Invalid Login URL", "without a path")},
		{body: `environment = "staging"
  refresh_token = "x"`, want: errorMatching("environment", `value must be one of: ["production" "sandbox"]`)},
		{body: `environment = "sandbox"
  refresh_token = "x"
  jwt_private_key = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"`, want: errorMatching("Invalid Attribute Combination", "refresh_token")},
		{body: `environment = "sandbox"`, want: errorMatching("Connection Credential Missing", "A new connection needs a credential")},
		{body: `environment = "sandbox"
  jwt_private_key = "not a key"`, want: errorMatching("Invalid Private Key", "jwt_private_key must be a PEM-encoded RSA private key")},
		{body: `environment = "sandbox"
  refresh_token = "x"
  credentials_wo_version = 1`, want: errorMatching("Invalid Attribute Combination", "credentials_wo_version")},
	}
	var testSteps []resource.TestStep
	for _, s := range steps {
		testSteps = append(testSteps, resource.TestStep{Config: block(s.body), PlanOnly: true, ExpectError: s.want})
	}
	// A bad refresh token fails at apply with Salesforce's reason.
	testSteps = append(testSteps, resource.TestStep{
		Config:      e.connectionConfig("Bad token", "sandbox", `refresh_token = "not-a-token"`, ""),
		ExpectError: errorMatching("Salesforce Authorization Failed", "Could not create connection", "invalid_grant"),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return nil },
		Steps:                    testSteps,
	})
}
