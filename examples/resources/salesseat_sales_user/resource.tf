# One sales user, by CRM username, with an explicit role, a team and hidden
# platform components.
resource "salesseat_sales_user" "priya" {
  connection_id     = salesseat_crm_connection.production.id
  crm_username      = "priya.patel@acme.example"
  role              = "sales_manager"
  team              = "West"
  hidden_components = ["website_visitors", "sent_messages"]

  # If Priya's previous sales user was deleted and sits in the recycle bin,
  # fail the plan instead of restoring it (the default restores it).
  restore_from_recycle_bin = false
}

# A sales user of a short-lived setup (a review app, a module test): its
# destroy also purges it from the recycle bin, so it holds no CRM username
# afterwards. effective_role shows the role it gets from the profile's mapping.
resource "salesseat_sales_user" "review_app" {
  connection_id    = salesseat_crm_connection.production.id
  crm_user_id      = "0055A0000000003QAA"
  purge_on_destroy = true
}

output "review_app_role" {
  value = salesseat_sales_user.review_app.effective_role
}

# A whole group: every active "Sales Rep" of the acme.example domain, with the
# role of the profile's mapping. Key the instances by CRM user ID so that
# adding or removing a user in Salesforce touches only that user, and a
# username changed in Salesforce changes nothing. The connection ID goes
# through a local so the list is read at plan even while the connection has a
# change pending (see the crm_users data source).
#
# Do not filter on `imported = false` here: once applied, the users are
# imported and would drop out of the list, and the next plan would destroy them.
locals {
  sales_reps_connection_id = salesseat_crm_connection.production.id
}

data "salesseat_crm_users" "sales_reps" {
  connection_id     = local.sales_reps_connection_id
  active            = true
  crm_profile_names = ["Sales Rep"]
  email_domain      = "acme.example"
}

resource "salesseat_sales_user" "sales_reps" {
  for_each = { for u in data.salesseat_crm_users.sales_reps.users : u.crm_user_id => u }

  connection_id = salesseat_crm_connection.production.id
  crm_user_id   = each.value.crm_user_id
  team          = "Field sales"

  # Creates the mapping first, so the plan-time check knows the profile's role.
  depends_on = [salesseat_profile_role_mapping.this]
}
