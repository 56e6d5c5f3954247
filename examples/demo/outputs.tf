output "seats" {
  description = "Seat summary of the account after apply."
  value = {
    limit     = data.salesseat_account.this.seat_limit
    used      = data.salesseat_account.this.seats_used
    available = data.salesseat_account.this.seats_available
  }
}

output "connection_status" {
  description = "Health of the connection: connected or disconnected."
  value       = salesseat_crm_connection.acme.status
}

output "sales_users" {
  description = "How many sales users the roster holds, by role."
  value = {
    for role in distinct([for u in salesseat_sales_users.acme.sales_users : coalesce(u.role, "none")]) :
    role => length([for u in salesseat_sales_users.acme.sales_users : u if coalesce(u.role, "none") == role])
  }
}

output "adopted_existing_users" {
  description = "Members mapped to a platform user that already existed with the same email."
  value       = sort([for u in salesseat_sales_users.acme.sales_users : u.crm_username if u.adopted_existing_user])
}

output "members" {
  description = "The members listed by ID, with their roles."
  value       = { for id, m in var.members : salesseat_sales_users.acme.sales_users[id].crm_username => salesseat_sales_users.acme.sales_users[id].role }
}
