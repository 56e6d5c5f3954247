# Take over every sales user of a connection; with -generate-config-out,
# Terraform writes a members map that plans no change.
import {
  to = salesseat_sales_users.production
  id = "conn_4f1a2b3c4d5e6f70"
}
