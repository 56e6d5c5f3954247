# Test fixture: a connection to the sandbox's simulated org and the profile
# role mappings the module relies on. The salesforce_* variables come from
# the TF_VAR_ environment variables set from the sandbox's start-up output.

terraform {
  required_providers {
    salesseat = {
      source = "salesseat/salesseat"
    }
  }
}

variable "salesforce_login_url" {
  type = string
}

variable "salesforce_service_username" {
  type = string
}

variable "salesforce_consumer_key" {
  type = string
}

variable "salesforce_refresh_token" {
  type      = string
  sensitive = true
}

resource "salesseat_crm_connection" "test" {
  name             = "module test"
  environment      = "sandbox"
  login_url        = var.salesforce_login_url
  service_username = var.salesforce_service_username
  oauth_client_id  = var.salesforce_consumer_key

  # Write-only (Terraform 1.11 and later); on older versions use
  # refresh_token instead.
  refresh_token_wo       = var.salesforce_refresh_token
  credentials_wo_version = 1
}

resource "salesseat_profile_role_mapping" "marketing" {
  connection_id    = salesseat_crm_connection.test.id
  crm_profile_name = "Marketing User"
  role             = "marketing"
}

output "connection_id" {
  # Known only once the mapping exists, so the module's users get its role.
  value = salesseat_profile_role_mapping.marketing.connection_id
}
