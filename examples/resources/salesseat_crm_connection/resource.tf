# Production org, JWT bearer flow: the connection re-authorizes by itself when
# its access token expires. The private key is write-only (Terraform 1.11 and
# later): it reaches the API but never the plan or the state.
resource "salesseat_crm_connection" "production" {
  name             = "Salesforce production"
  environment      = "production"
  login_url        = "https://acme.my.salesforce.com"
  service_username = "integration@acme.example"
  oauth_client_id  = var.salesforce_consumer_key

  jwt_private_key_wo = var.salesforce_jwt_private_key
  # Increase to send a rotated key: Terraform cannot see changes of
  # write-only values by itself.
  credentials_wo_version = 1
}

# Full-copy sandbox org, authorized with a refresh token obtained once out of
# band. If the token expires, the plan warns that the connection is
# disconnected; supply a new token and increase credentials_wo_version.
resource "salesseat_crm_connection" "uat" {
  name             = "Salesforce UAT"
  environment      = "sandbox"
  service_username = "integration@acme.example.uat"
  oauth_client_id  = var.salesforce_consumer_key

  refresh_token_wo       = var.salesforce_uat_refresh_token
  credentials_wo_version = 1
}

# User management handed to Salesforce: the members of the public group
# Sales_Team hold the seats of this connection (the platform syncs them), and
# Terraform declares only the connection and the profile role mappings.
resource "salesseat_crm_connection" "managed_in_salesforce" {
  name             = "Salesforce (seats managed in Salesforce)"
  environment      = "production"
  login_url        = "https://acme-emea.my.salesforce.com"
  service_username = "integration@acme-emea.example"
  oauth_client_id  = var.salesforce_consumer_key

  jwt_private_key_wo     = var.salesforce_jwt_private_key
  credentials_wo_version = 1

  user_management_group = "Sales_Team"
}

variable "salesforce_consumer_key" {
  description = "Consumer key of the connected app the platform uses."
  type        = string
}

# Ephemeral variables (Terraform 1.10 and later) are never stored either, and
# can only be passed to write-only arguments.
variable "salesforce_jwt_private_key" {
  description = "PEM private key whose certificate is uploaded to the connected app."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "salesforce_uat_refresh_token" {
  description = "Refresh token of the UAT service account."
  type        = string
  sensitive   = true
  ephemeral   = true
}
