# The connection ID goes through a local: a data source that refers to the
# connection resource directly is read at apply whenever the connection has a
# change pending (a rename, new credentials), and the for_each below would
# fail with "Invalid for_each argument".
locals {
  production_connection_id = salesseat_crm_connection.production.id
}

# Active users with the "Sales Rep" or "Sales Manager" profile whose email is
# in the acme.example domain. Filters run on the server and are combined with
# AND, so even an org with tens of thousands of users is read in a few pages.
data "salesseat_crm_users" "field_sales" {
  connection_id     = local.production_connection_id
  active            = true
  crm_profile_names = ["Sales Rep", "Sales Manager"]
  email_domain      = "acme.example"
}

# Turn every one of them into a sales user.
# Keyed by CRM user ID, which never changes: a username changed in Salesforce
# then changes nothing here (keyed by username, it would replace the sales user).
resource "salesseat_sales_user" "field_sales" {
  for_each = { for u in data.salesseat_crm_users.field_sales.users : u.crm_user_id => u }

  connection_id = local.production_connection_id
  crm_user_id   = each.value.crm_user_id
}

# Users that still need a seat: useful in a review, not as a for_each source
# (the list shrinks as users are imported).
data "salesseat_crm_users" "not_imported" {
  connection_id = local.production_connection_id
  active        = true
  imported      = false
}

output "users_without_seat" {
  value = [for u in data.salesseat_crm_users.not_imported.users : u.crm_username]
}
