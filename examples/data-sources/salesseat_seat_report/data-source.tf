data "salesseat_seat_report" "this" {}

# Warn on every plan while seats are wasted: sales users whose CRM user is
# deactivated in Salesforce, or who are suspended because their connection
# is disconnected. A check block warns; it does not stop the apply.
check "wasted_seats" {
  assert {
    condition     = data.salesseat_seat_report.this.seats_wasted == 0
    error_message = data.salesseat_seat_report.this.summary
  }
}

# Markdown for a pull request comment, e.g.
# terraform output -raw seat_report | gh pr comment "$PR" --body-file -
output "seat_report" {
  value = data.salesseat_seat_report.this.summary
}

# Who holds seats they cannot use, by reason.
output "wasted_seats" {
  value = {
    for w in data.salesseat_seat_report.this.wasted : w.crm_username => w.reason
  }
}
