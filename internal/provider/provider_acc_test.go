package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const accountData = `
data "salesseat_account" "this" {}
`

func TestAccProvider_badCredentials(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "salesseat" {
  endpoint      = %q
  client_id     = %q
  client_secret = "wrong-secret"
}
`, e.creds.Endpoint, e.creds.ClientID) + accountData,
				ExpectError: errorMatching("Unable To Authenticate", "Could not authenticate with the salesseat API",
					fmt.Sprintf("client_id %q", e.creds.ClientID), "invalid_client"),
			},
			{
				Config: fmt.Sprintf(`
provider "salesseat" {
  endpoint      = "http://example.com"
  client_id     = %q
  client_secret = "x"
}
`, e.creds.ClientID) + accountData,
				ExpectError: errorMatching("Invalid Provider Configuration", "only allowed for loopback hosts"),
			},
			{
				Config: fmt.Sprintf(`
provider "salesseat" {
  endpoint        = %q
  client_id       = %q
  client_secret   = %q
  request_timeout = "soon"
  max_retries     = 100
}
`, e.creds.Endpoint, e.creds.ClientID, e.creds.ClientSecret) + accountData,
				ExpectError: errorMatching("Invalid Duration", `request_timeout must be a duration such as "30s"`, `"soon" is not one`),
			},
		},
	})
}

// TestAccProvider_environment configures the provider from the environment
// alone. It sets process environment variables, so it does not run in
// parallel (parallel tests start only after it has finished and restored
// them).
func TestAccProvider_environment(t *testing.T) {
	e := newAccEnv(t)
	t.Setenv(envEndpoint, e.creds.Endpoint)
	t.Setenv(envClientID, e.creds.ClientID)
	t.Setenv(envClientSecret, e.creds.ClientSecret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accountData,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.salesseat_account.this", tfjsonpath.New("seat_limit"), knownvalue.Int64Exact(fixtureSeatLimit)),
				},
			},
		},
	})
}

// TestAccProvider_missingArguments names what is missing and where to set
// it. Not parallel: it clears the environment variables.
func TestAccProvider_missingArguments(t *testing.T) {
	newAccEnv(t)
	t.Setenv(envEndpoint, "")
	t.Setenv(envClientID, "")
	t.Setenv(envClientSecret, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      accountData,
				ExpectError: errorMatching("Missing Provider Argument", "set endpoint in the provider block or the SALESSEAT_ENDPOINT environment variable"),
			},
		},
	})
}

// TestAccProvider_unknownConfiguration configures the provider from a value
// known only after apply.
func TestAccProvider_unknownConfiguration(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		ExternalProviders: map[string]resource.ExternalProvider{
			"terraform": {Source: "terraform.io/builtin/terraform"},
		},
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
resource "terraform_data" "secret" {
  input = %q
}

provider "salesseat" {
  endpoint      = %q
  client_id     = %q
  client_secret = terraform_data.secret.output
}
`, e.creds.ClientSecret, e.creds.Endpoint, e.creds.ClientID) + accountData,
				ExpectError: errorMatching("Unknown Provider Argument", "client_secret depends on a value that is known only after apply"),
			},
		},
	})
}
