# A profile role mapping is imported by its ID.
terraform import 'salesseat_profile_role_mapping.this["Sales Rep"]' rm_7d2e9b4c1a
