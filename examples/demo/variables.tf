# The salesforce_* values describe the simulated org. The sandbox prints them
# at start-up and .ci/demo.sh passes them as TF_VAR_ environment variables.

variable "salesforce_login_url" {
  description = "Login URL of the simulated Salesforce org (the sandbox's own URL)."
  type        = string
}

variable "salesforce_service_username" {
  description = "The org's integration user, which has View All Data."
  type        = string
}

variable "salesforce_consumer_key" {
  description = "Consumer key of the connected app."
  type        = string
}

variable "salesforce_refresh_token" {
  description = "Refresh token of the integration user."
  type        = string
  sensitive   = true
}

variable "profile_roles" {
  description = "Platform role of each CRM profile."
  type        = map(string)
  default = {
    "Sales Rep"      = "sales"
    "Sales Manager"  = "sales_manager"
    "Marketing User" = "marketing"
  }
}

variable "email_domain" {
  description = "Only CRM users with an email in this domain become sales users."
  type        = string
  default     = "acme.example"
}

variable "max_sales_reps" {
  description = "How many sales reps get a seat. The sandbox account has 25 seats."
  type        = number
  default     = 20
}

variable "excluded_usernames" {
  description = "CRM users that must not become sales users."
  type        = list(string)
  # riley.brooks was a sales user once and still sits in the recycle bin,
  # which keeps the username mapped. Remove it from this list to see the plan
  # announce that the deleted sales user will be restored; with
  # restore_deleted_sales_reps = false, the plan fails with
  # crm_username_mapped instead, naming the deleted user and the fix.
  default = ["riley.brooks@acme.example"]
}

variable "restore_deleted_sales_reps" {
  description = "Whether a sales rep whose previous sales user sits in the recycle bin gets it restored (true) or fails the plan (false)."
  type        = bool
  default     = true
}

variable "sales_manager_username" {
  description = "CRM username of the sales manager to import."
  type        = string
  default     = "priya.patel@acme.example"
}
