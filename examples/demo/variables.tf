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

variable "members" {
  description = "CRM users that hold a seat besides the selected sales reps, by Salesforce user ID."
  type = map(object({
    role              = optional(string)
    team              = optional(string)
    hidden_components = optional(set(string))
  }))
  default = {
    # priya.patel@acme.example, Sales Manager: the role comes from the mapping.
    "0055A0000000004QAA" = { team = "West", hidden_components = ["website_visitors"] }
  }
}

variable "extra_select_profiles" {
  description = "CRM profiles whose users all get a seat too, on top of the sales reps."
  type        = list(string)
  default     = []
}
