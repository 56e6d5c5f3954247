#!/usr/bin/env bash
# `make demo`: apply examples/demo to a sandbox org, end to end, offline.
#
#  1. start `terraform-provider-salesseat sandbox` on a free loopback port and
#     read the NAME=value lines it prints (endpoint, API client, org details);
#  2. point Terraform at ./bin through dev_overrides (no `terraform init`,
#     nothing downloaded) in a scratch directory, .demo/;
#  3. apply the connection alone first: for_each over the CRM users of a
#     connection needs the connection's ID at plan time;
#  4. plan and apply the rest: role mappings and sales users;
#  5. show the outputs and check that a second plan is empty;
#  6. show two changes that cannot work failing at plan time (too few seats,
#     a username held in the recycle bin), after the plan that works for the
#     same username: by default the provider restores the deleted sales user
#     from the recycle bin and the plan says so in a warning; the failure
#     needs restore_from_recycle_bin = false (-var
#     restore_deleted_sales_reps=false), the setting for teams that want to
#     be told and purge or restore by hand;
#  7. run the module test of the sandbox guide (examples/module-test);
#  8. stop the sandbox, however the script ends.
#
# Environment: TERRAFORM (terraform binary, default: terraform on PATH) and
# PROVIDER_BIN (the built provider, default: bin/terraform-provider-salesseat).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
terraform_bin=${TERRAFORM:-terraform}
provider_bin=${PROVIDER_BIN:-$root/bin/terraform-provider-salesseat}
demo_dir=$root/.demo
work_dir=$demo_dir/work

banner() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

[ -x "$provider_bin" ] || die "$provider_bin is missing: run 'make build' first."
command -v "$terraform_bin" >/dev/null || die "no terraform at '$terraform_bin': run 'make demo', which installs one."

rm -rf "$demo_dir"
mkdir -p "$work_dir"
cp examples/demo/*.tf "$work_dir/"

banner "Starting the sandbox org"
"$provider_bin" sandbox --listen 127.0.0.1:0 >"$demo_dir/sandbox.env" 2>"$demo_dir/sandbox.log" &
sandbox_pid=$!

stop_sandbox() {
	local rc=$?
	if kill -0 "$sandbox_pid" 2>/dev/null; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
		echo "demo: sandbox stopped (log: .demo/sandbox.log)"
	fi
	if [ "$rc" -ne 0 ]; then echo "demo: FAILED (exit $rc)" >&2; fi
}
trap stop_sandbox EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 100); do
	grep -q '^SALESSEAT_ENDPOINT=' "$demo_dir/sandbox.env" && break
	kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox exited at start-up: $(cat "$demo_dir/sandbox.log")"
	sleep 0.1
done
grep -q '^SALESSEAT_ENDPOINT=' "$demo_dir/sandbox.env" || die "the sandbox printed no SALESSEAT_ENDPOINT within 10s (log: .demo/sandbox.log)"

# The sandbox prints shell-quoted NAME=value lines meant for eval.
set -a
eval "$(grep -E '^[A-Z][A-Z0-9_]*=' "$demo_dir/sandbox.env")"
set +a
echo "sandbox listening on $SALESSEAT_ENDPOINT"

export TF_VAR_salesforce_login_url=$SALESSEAT_SANDBOX_LOGIN_URL
export TF_VAR_salesforce_service_username=$SALESSEAT_SANDBOX_SERVICE_USERNAME
export TF_VAR_salesforce_consumer_key=$SALESSEAT_SANDBOX_OAUTH_CLIENT_ID
export TF_VAR_salesforce_refresh_token=$SALESSEAT_SANDBOX_REFRESH_TOKEN

cat >"$demo_dir/terraformrc" <<EOF
# Written by .ci/demo.sh: use the provider built into ./bin, install nothing.
provider_installation {
  dev_overrides {
    "registry.terraform.io/salesseat/salesseat" = "$(dirname "$provider_bin")"
  }
}
EOF
export TF_CLI_CONFIG_FILE=$demo_dir/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
tf() { "$terraform_bin" -chdir="$work_dir" "$@"; }

# Write-only arguments need Terraform 1.11. Older versions get an override
# file that passes the token in refresh_token (kept in the state, sensitive).
tf_version=$("$terraform_bin" version -json | sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p')
echo "terraform $tf_version ($terraform_bin)"
write_only=true
if [ "$(printf '%s\n' 1.11.0 "$tf_version" | sort -V | head -n 1)" != 1.11.0 ]; then
	write_only=false
	cat >"$work_dir/credentials_override.tf" <<'EOF'
resource "salesseat_crm_connection" "acme" {
  refresh_token_wo       = null
  credentials_wo_version = null
  refresh_token          = var.salesforce_refresh_token
}
EOF
	echo "terraform before 1.11: the refresh token goes into refresh_token instead of refresh_token_wo."
fi

banner "Creating the connection first (its ID keys the for_each over CRM users)"
tf apply -auto-approve -target=salesseat_crm_connection.acme

banner "Planning role mappings and sales users"
tf plan -out=demo.tfplan

banner "Applying the plan"
tf apply demo.tfplan

banner "Outputs"
tf output

banner "Planning again: the plan must be empty"
set +e
tf plan -detailed-exitcode
rc=$?
set -e
case $rc in
0) echo "demo: the second plan is empty." ;;
2) die "the second plan is not empty: the provider shows a perpetual diff (see above)." ;;
*) die "the second plan failed (exit $rc)." ;;
esac

# The plan is where a change that cannot work shows up, before apply: each
# of these plans must fail, and the first error is shown as a reviewer sees it.
expect_plan_error() {
	local what=$1 pattern=$2
	shift 2
	banner "Plan-time check: $what"
	local out rc
	set +e
	out=$(tf plan -no-color "$@" 2>&1)
	rc=$?
	set -e
	[ "$rc" -ne 0 ] || die "terraform plan $* succeeded; it should have failed ($what)."
	grep -Eqi "$pattern" <<<"$out" || die "terraform plan $* failed, but its errors do not match /$pattern/:"$'\n'"$out"
	awk '/^Error: / { n++ } n == 1' <<<"$out"
}

# A plan that passes with a warning; the warning is shown as a reviewer sees it.
expect_plan_warning() {
	local what=$1 pattern=$2
	shift 2
	banner "Plan-time notice: $what"
	local out rc
	set +e
	out=$(tf plan -no-color "$@" 2>&1)
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || die "terraform plan $* failed; it should have passed with a warning ($what):"$'\n'"$out"
	grep -Eqi "$pattern" <<<"$out" || die "terraform plan $* passed, but shows no warning matching /$pattern/:"$'\n'"$out"
	# From the matching warning to the next diagnostic, rule or note.
	awk -v pat="$pattern" '/^(Warning|Error|Note): |^─/ { w = ($0 ~ pat) } w' <<<"$out"
}

expect_plan_error "more sales reps than free seats" 'Error: .*seat' -var max_sales_reps=29
expect_plan_warning "a sales rep deleted earlier is restored from the recycle bin" 'Warning: Sales User Will Be Restored' -var 'excluded_usernames=[]'
expect_plan_error "a username held by a deleted sales user in the recycle bin, with restore_from_recycle_bin = false" \
	'Error: CRM Username Already Mapped' -var 'excluded_usernames=[]' -var restore_deleted_sales_reps=false

# The same sandbox serves module tests: run the example of the sandbox guide.
banner "terraform test of examples/module-test against the same sandbox"
if [ "$write_only" != true ]; then
	echo "skipped: the example passes a write-only credential, which needs Terraform 1.11 or later."
else
	cp -R examples/module-test "$demo_dir/module-test"
	"$terraform_bin" -chdir="$demo_dir/module-test" get >/dev/null
	"$terraform_bin" -chdir="$demo_dir/module-test" test
fi

echo
echo "demo: done; the sandbox stops now, and with it everything the demo created."
