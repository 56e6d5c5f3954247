# Runs against a sandbox org: start `terraform-provider-salesseat sandbox`,
# export the variables it prints (see the sandbox guide), then run
# `terraform init` and `terraform test`.

# Create the connection first, in its own run: the module's for_each needs
# the connection ID at plan time.
run "setup" {
  module {
    source = "./tests/setup"
  }
}

run "marketing_team_gets_seats" {
  variables {
    connection_id = run.setup.connection_id
    profile_name  = "Marketing User"
    team          = "Marketing"
    # A test's sales users leave no recycle bin entries behind.
    purge_on_destroy = true
    max_users        = 3
  }

  assert {
    condition     = length(salesseat_sales_user.this) == 3
    error_message = "Expected 3 sales users, got ${length(salesseat_sales_user.this)}."
  }

  assert {
    condition     = alltrue([for u in salesseat_sales_user.this : u.effective_role == "marketing" && u.role_source == "profile_mapping"])
    error_message = "Every marketing user should get the role of the Marketing User mapping."
  }
}
