# Bring users that were imported by clicking under Terraform, by CRM username.
import {
  for_each = toset(["jordan.lee@acme.example", "staylor@acme.example"])

  to = salesseat_sales_user.sales_reps[each.key]
  id = "username:${each.key}"
}

# Or by sales user ID.
import {
  to = salesseat_sales_user.priya
  id = "su_9b3f6e1d2c"
}
