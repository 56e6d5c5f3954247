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
}
