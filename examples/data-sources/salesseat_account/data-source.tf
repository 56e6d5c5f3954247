data "salesseat_account" "this" {}

output "seats" {
  value = "${data.salesseat_account.this.seats_used} of ${data.salesseat_account.this.seat_limit} seats used"
}

# Warn in every plan when fewer than 5 seats are left. The seat limit is
# bought from the vendor; Terraform cannot raise it.
check "seat_headroom" {
  assert {
    condition     = data.salesseat_account.this.seats_available >= 5
    error_message = "Only ${data.salesseat_account.this.seats_available} seats left: ask the vendor to raise the limit of ${data.salesseat_account.this.seat_limit}."
  }
}
