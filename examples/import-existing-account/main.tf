# Brings an account that was set up by clicking under Terraform, without
# changing anything in it. See the guide "Importing an existing account".
#
# Write the import blocks, then let Terraform write the resources:
#
#   terraform plan -generate-config-out=generated.tf
#
# The resources below are what it writes for this account, tidied up: the
# generated configuration plans nothing but the imports.

terraform {
  required_providers {
    salesseat = {
      source = "salesseat/salesseat"
    }
  }
}

provider "salesseat" {}

locals {
  # The connection's ID, shown in the platform's connection settings.
  connection_id = "conn_4f1c9a7e2b"
}

# 1. The connection, by its ID.
import {
  to = salesseat_crm_connection.production
  id = local.connection_id
}

# 2. The profile role mappings, by connection and profile name.
import {
  to = salesseat_profile_role_mapping.sales_rep
  id = "${local.connection_id}/Sales Rep"
}

import {
  to = salesseat_profile_role_mapping.sales_manager
  id = "${local.connection_id}/Sales Manager"
}

# 3. Every sales user of the connection, as one roster, by the connection ID.
import {
  to = salesseat_sales_users.production
  id = local.connection_id
}

# The connection keeps the grant the platform stored: an imported connection
# needs no credential in the configuration. Add jwt_private_key_wo and
# credentials_wo_version when you rotate the credential.
resource "salesseat_crm_connection" "production" {
  name                  = "Salesforce production"
  environment           = "production"
  login_url             = "https://acme.my.salesforce.com"
  service_username      = "integration@acme.example"
  oauth_client_id       = "3MVG9A2kN3Bn17hs_example_consumer_key"
  auto_import_crm_users = false
  profile_role_sync     = true
}

resource "salesseat_profile_role_mapping" "sales_rep" {
  connection_id    = salesseat_crm_connection.production.id
  crm_profile_id   = "00e5A0000000001QAA"
  crm_profile_name = "Sales Rep"
  role             = "sales"
}

resource "salesseat_profile_role_mapping" "sales_manager" {
  connection_id    = salesseat_crm_connection.production.id
  crm_profile_id   = "00e5A0000000002QAA"
  crm_profile_name = "Sales Manager"
  role             = "sales_manager"
}

# The roster holds every seat of the connection, keyed by CRM user ID. A
# member without a role follows its profile's mapping, as it did in the
# platform. Once imported, set exclusive = true: sales users that someone
# adds by clicking then show up in the next plan as removals.
resource "salesseat_sales_users" "production" {
  connection_id = salesseat_crm_connection.production.id
  exclusive     = false
  members = {
    "0055A0000000003QAA" = { team = "West" }
    "0055A0000000004QAA" = { role = "sales_manager" }
    "0055A0000000005QAA" = { hidden_components = ["hot_prospects"] }
  }

  depends_on = [salesseat_profile_role_mapping.sales_rep, salesseat_profile_role_mapping.sales_manager]
}
