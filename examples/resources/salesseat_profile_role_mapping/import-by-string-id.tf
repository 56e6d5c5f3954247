import {
  to = salesseat_profile_role_mapping.this["Sales Rep"]
  id = "rm_7d2e9b4c1a"
}
