# Brings an account that was set up by clicking under Terraform, without
# changing anything in it. See the guide "Importing an existing account".

terraform {
  required_providers {
    salesseat = {
      source = "salesseat/salesseat"
    }
  }
}

provider "salesseat" {}

locals {
  # From GET /api/v1/connections (or the platform's connector settings).
  connection_id = "conn_4f1c9a7e2b"
}

# 1. The connection. Write its arguments as they are in the platform; the
#    credential is sent once, on the first apply, and re-authorizes it.
import {
  to = salesseat_crm_connection.production
  id = local.connection_id
}

resource "salesseat_crm_connection" "production" {
  name             = "Salesforce production"
  environment      = "production"
  login_url        = "https://acme.my.salesforce.com"
  service_username = "integration@acme.example"
  oauth_client_id  = var.salesforce_consumer_key

  jwt_private_key_wo     = var.salesforce_jwt_private_key
  credentials_wo_version = 1
}

# 2. The profile role mappings, from GET /api/v1/role-mappings.
locals {
  role_mappings = {
    "Sales Rep"     = { id = "rm_7d2e9b4c1a", role = "sales" }
    "Sales Manager" = { id = "rm_2b8f0c6d4e", role = "sales_manager" }
  }
}

import {
  for_each = local.role_mappings

  to = salesseat_profile_role_mapping.this[each.key]
  id = each.value.id
}

resource "salesseat_profile_role_mapping" "this" {
  for_each = local.role_mappings

  connection_id    = salesseat_crm_connection.production.id
  crm_profile_name = each.key
  role             = each.value.role
}

# 3. The sales users: every CRM user of the connection that holds a seat,
#    imported by its sales user ID. Their settings come from
#    sales_users.auto.tfvars.json, written from the API (see the guide); a
#    seated user missing there fails the plan instead of being skipped.
#    The connection ID comes from local.connection_id, not from the resource:
#    the connection has a change pending in the first plan (the credential),
#    and a data source that refers to it would be read only during apply,
#    too late for for_each.
data "salesseat_crm_users" "seated" {
  connection_id = local.connection_id
  imported      = true
}

import {
  for_each = { for u in data.salesseat_crm_users.seated.users : u.crm_username => u.sales_user_id }

  to = salesseat_sales_user.this[each.key]
  id = each.value
}

resource "salesseat_sales_user" "this" {
  for_each = var.sales_users

  connection_id     = salesseat_crm_connection.production.id
  crm_username      = each.key
  role              = each.value.role
  team              = each.value.team
  hidden_components = each.value.hidden_components
}

# 4. After the import: warn in every plan about sales users that someone
#    imported by clicking, outside Terraform. (A user this plan destroys is
#    listed too, until the apply.) It reads the seated data source above: a
#    data source inside the check block would be planned for a read on every
#    run, so no plan would ever be empty.
check "no_unmanaged_sales_users" {
  assert {
    condition     = length(setsubtract(data.salesseat_crm_users.seated.users[*].crm_username, keys(var.sales_users))) == 0
    error_message = "Sales users not managed by Terraform: ${join(", ", setsubtract(data.salesseat_crm_users.seated.users[*].crm_username, keys(var.sales_users)))}. Import them, or remove them in the platform."
  }
}
