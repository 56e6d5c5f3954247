# The configuration `make demo` applies to the sandbox org: a connection to
# the simulated Salesforce org, profile → role mappings, and sales users
# chosen from the org's users with for_each. See variables.tf for the knobs
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

# Active sales reps of the company domain, sorted by Salesforce ID.
data "salesseat_crm_users" "sales_reps" {
  connection_id = salesseat_crm_connection.acme.id
  active        = true
  profile_names = ["Sales Rep"]
  email_domain  = var.email_domain
}

locals {
  candidates = [
    for u in data.salesseat_crm_users.sales_reps.users : u
    if !contains(var.excluded_usernames, u.username)
  ]
  # The first max_sales_reps by ID: the choice is the same on every plan, so
  # the second plan is empty.
  sales_reps = {
    for u in slice(local.candidates, 0, min(var.max_sales_reps, length(local.candidates))) : u.username => u
  }
}

resource "salesseat_sales_user" "sales_reps" {
  for_each = local.sales_reps

  connection_id = salesseat_crm_connection.acme.id
  crm_user_id   = each.value.id
  team          = "Field sales"

  # A rep deleted earlier (in the recycle bin) is restored, keeping its
  # history, rather than failing the plan on the username it still holds.
  restore_from_recycle_bin = var.restore_deleted_sales_reps

  # The role comes from the "Sales Rep" mapping, so create the mappings first.
  depends_on = [salesseat_profile_role_mapping.this]
}

# One sales user picked by username, with a team and hidden components; its
# role comes from the "Sales Manager" mapping.
resource "salesseat_sales_user" "manager" {
  connection_id     = salesseat_crm_connection.acme.id
  crm_username      = var.sales_manager_username
  team              = "West"
  hidden_components = ["website_visitors"]

  depends_on = [salesseat_profile_role_mapping.this]
}

data "salesseat_account" "this" {
  # Read after the sales users are applied, so the outputs count their seats.
  depends_on = [salesseat_sales_user.sales_reps, salesseat_sales_user.manager]
}
