terraform {
  required_providers {
    salesseat = {
      source  = "salesseat/salesseat"
      version = "~> 0.1"
    }
  }
}

# The API client's ID and secret come from the SALESSEAT_CLIENT_ID and
# SALESSEAT_CLIENT_SECRET environment variables, so no secret is written here.
provider "salesseat" {
  endpoint = "https://api.salesseat.example"

  # Guards: this configuration may hold at most 40 of the account's seats,
  # and one plan may take access from at most 25 people (a roster at most
  # 20% of its members). Raise the removal guard for one run with
  # SALESSEAT_MAX_REMOVALS=<n> terraform apply.
  max_seats           = 40
  max_removals        = 25
  max_removal_percent = 20
}
