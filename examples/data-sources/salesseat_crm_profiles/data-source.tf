data "salesseat_crm_profiles" "production" {
  connection_id = salesseat_crm_connection.production.id
}

# Give every profile whose name ends in "Rep" the role "sales", by profile ID.
resource "salesseat_profile_role_mapping" "reps" {
  for_each = {
    for p in data.salesseat_crm_profiles.production.profiles : p.crm_profile_name => p
    if endswith(p.crm_profile_name, "Rep")
  }

  connection_id  = salesseat_crm_connection.production.id
  crm_profile_id = each.value.crm_profile_id
  role           = "sales"
}

output "profile_user_counts" {
  value = { for p in data.salesseat_crm_profiles.production.profiles : p.crm_profile_name => p.user_count }
}
