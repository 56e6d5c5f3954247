# The seats of the production connection as one roster: every active "Sales Rep"
# of the acme.example domain with the role of the profile's mapping, every
# "Sales Manager" as a sales manager of team West, and two users by ID. The
# provider reads the CRM users during plan, so there is no for_each and nothing
# unknown at plan, even in the run that creates the connection.
resource "salesseat_sales_users" "production" {
  connection_id = salesseat_crm_connection.production.id

  select {
    crm_profile_names = ["Sales Rep"]
    email_domain      = "acme.example"
  }

  select {
    crm_profile_names = ["Sales Manager"]
    role              = "sales_manager"
    team              = "West"
  }

  # Keyed by Salesforce user ID (15 or 18 characters), so a username or profile
  # renamed in Salesforce changes nothing. An entry here wins over select.
  members = {
    "0055A0000000002QAA" = { role = "administrator" }
    "0055A0000000005QAA" = { role = "marketing", hidden_components = ["sent_messages"] }
  }

  # Remove sales users on the connection that this roster does not declare
  # (imported by clicking, or by automatic user sync).
  exclusive = true

  # The roles of members without one come from these mappings.
  depends_on = [salesseat_profile_role_mapping.this]
}

# Who holds a seat, with which role: the plan shows this map's changes.
output "roster" {
  value = {
    for id, u in salesseat_sales_users.production.sales_users : u.crm_username => u.role
  }
}
