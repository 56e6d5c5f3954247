# The configuration `make demo` applies to the sandbox org: a connection to
# the simulated Salesforce org, profile → role mappings, and the seat roster
# (salesseat_sales_users), all in one terraform apply. See variables.tf for the knobs
# and .ci/demo.sh for how it is run.

terraform {
  required_providers {
    salesseat = {
      source = "salesseat/salesseat"
    }
  }
}

# The endpoint and the API client come from SALESSEAT_ENDPOINT,
# SALESSEAT_CLIENT_ID and SALESSEAT_CLIENT_SECRET, which the sandbox prints
# when it starts.
provider "salesseat" {}

resource "salesseat_crm_connection" "acme" {
  name             = "Acme Salesforce sandbox"
  environment      = "sandbox"
  login_url        = var.salesforce_login_url
  service_username = var.salesforce_service_username
  oauth_client_id  = var.salesforce_consumer_key

  # Write-only: the token reaches the API but never the plan or the state.
  # (On Terraform before 1.11, .ci/demo.sh overrides this with refresh_token.)
  refresh_token_wo       = var.salesforce_refresh_token
  credentials_wo_version = 1
}

resource "salesseat_profile_role_mapping" "this" {
  for_each = var.profile_roles

  connection_id    = salesseat_crm_connection.acme.id
  crm_profile_name = each.key
  role             = each.value
}

# The seats of the connection as one roster: every active Sales Rep of the
# company domain (selected by the provider during plan, so this applies in the
# same run that creates the connection), plus the members listed by ID. A rep
# deleted earlier (riley.brooks, in the sandbox's recycle bin) is restored with
# its history; one whose email matches an existing platform user is mapped to
# that user.
resource "salesseat_sales_users" "acme" {
  connection_id = salesseat_crm_connection.acme.id
  # A demo is short-lived: its destroy leaves no sales users in the recycle
  # bin, holding CRM usernames another setup (the module test) would need.
  purge_on_destroy = true

  select {
    crm_profile_names = ["Sales Rep"]
    email_domain      = var.email_domain
    team              = "Field sales"
  }

  # More profiles, all at once (to show the plan-time seat check).
  dynamic "select" {
    for_each = var.extra_select_profiles
    content {
      crm_profile_names = [select.value]
    }
  }

  members = var.members

  # Roles without an explicit one come from the profile mappings.
  depends_on = [salesseat_profile_role_mapping.this]
}

data "salesseat_account" "this" {
  # Read after the roster is applied, so the outputs count its seats.
  depends_on = [salesseat_sales_users.acme]
}
