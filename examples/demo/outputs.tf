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

output "sales_reps" {
  description = "CRM usernames of the sales reps holding a seat."
  value       = sort(keys(salesseat_sales_user.sales_reps))
}

output "adopted_existing_users" {
  description = "Sales reps mapped to a platform user that already existed with the same email."
  value       = sort([for name, u in salesseat_sales_user.sales_reps : name if u.adopted_existing_user])
}

output "manager_role" {
  description = "Role of the sales manager, from the profile mapping."
  value       = "${salesseat_sales_user.manager.crm_username}: ${salesseat_sales_user.manager.role} (${salesseat_sales_user.manager.role_source})"
}
