variable "salesforce_consumer_key" {
  description = "Consumer key of the connected app the platform uses."
  type        = string
}

variable "salesforce_jwt_private_key" {
  description = "PEM private key whose certificate is uploaded to the connected app."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "sales_users" {
  description = "Sales users by CRM username. A null role follows the profile's role mapping."
  type = map(object({
    role              = optional(string)
    team              = optional(string)
    hidden_components = optional(set(string), [])
  }))
}
