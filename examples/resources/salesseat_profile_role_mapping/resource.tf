# Map CRM profiles to platform roles, by profile name. Sales users without an
# explicit role get the role of their profile's mapping and follow it.
locals {
  profile_roles = {
    "Sales Rep"      = "sales"
    "Sales Manager"  = "sales_manager"
    "Marketing User" = "marketing"
  }
}

resource "salesseat_profile_role_mapping" "this" {
  for_each = local.profile_roles

  connection_id    = salesseat_crm_connection.production.id
  crm_profile_name = each.key
  role             = each.value
}

# A profile can also be given by its Salesforce ID (15 or 18 characters).
resource "salesseat_profile_role_mapping" "admins" {
  connection_id  = salesseat_crm_connection.production.id
  crm_profile_id = "00e5A0000000001QAA"
  role           = "administrator"
}
