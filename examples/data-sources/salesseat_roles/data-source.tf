data "salesseat_roles" "all" {}

# Validate a module input against the live role catalogue.
variable "default_role" {
  type    = string
  default = "sales"
}

output "default_role_is_known" {
  value = contains(data.salesseat_roles.all.roles[*].name, var.default_role)
}

output "role_descriptions" {
  value = { for r in data.salesseat_roles.all.roles : r.name => r.description }
}
