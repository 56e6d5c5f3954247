# A small module to test against the sandbox org: it gives a seat to the
# first max_users active CRM users of one profile, as members of one team.

terraform {
  required_providers {
    salesseat = {
      source = "salesseat/salesseat"
    }
  }
}

variable "connection_id" {
  description = "ID of the salesseat_crm_connection the users come through."
  type        = string
}

variable "profile_name" {
  description = "CRM profile whose active users get a seat."
  type        = string
}

variable "team" {
  description = "Team of the sales users."
  type        = string
}

variable "purge_on_destroy" {
  description = "Purge the sales users from the recycle bin when they are destroyed (tests and other short-lived setups: their deleted sales users then hold no usernames)."
  type        = bool
  default     = false
}

variable "max_users" {
  description = "Upper bound on the seats this team takes."
  type        = number
}

data "salesseat_crm_users" "this" {
  connection_id     = var.connection_id
  active            = true
  crm_profile_names = [var.profile_name]
}

locals {
  users = slice(data.salesseat_crm_users.this.users, 0, min(var.max_users, length(data.salesseat_crm_users.this.users)))
}

resource "salesseat_sales_user" "this" {
  for_each = { for u in local.users : u.crm_username => u }

  connection_id    = var.connection_id
  crm_user_id      = each.value.crm_user_id
  team             = var.team
  purge_on_destroy = var.purge_on_destroy
}

output "usernames" {
  value = sort(keys(salesseat_sales_user.this))
}
