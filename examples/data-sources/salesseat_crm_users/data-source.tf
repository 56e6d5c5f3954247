# Active users with the "Sales Rep" or "Sales Manager" profile whose email is
# in the acme.example domain. Filters run on the server and are combined with
# AND, so even an org with tens of thousands of users is read in a few pages.
data "salesseat_crm_users" "field_sales" {
  connection_id = salesseat_crm_connection.production.id
  active        = true
  profile_names = ["Sales Rep", "Sales Manager"]
  email_domain  = "acme.example"
}

# Turn every one of them into a sales user, keyed by username.
resource "salesseat_sales_user" "field_sales" {
  for_each = { for u in data.salesseat_crm_users.field_sales.users : u.username => u }

  connection_id = salesseat_crm_connection.production.id
  crm_user_id   = each.value.id
}

# Users that still need a seat: useful in a review, not as a for_each source
# (the list shrinks as users are imported).
data "salesseat_crm_users" "not_imported" {
  connection_id = salesseat_crm_connection.production.id
  active        = true
  imported      = false
}

output "users_without_seat" {
  value = [for u in data.salesseat_crm_users.not_imported.users : u.username]
}
