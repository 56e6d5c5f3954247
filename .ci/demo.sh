#!/usr/bin/env bash
# `make demo`: apply examples/demo to a sandbox org, end to end, offline.
#
#  1. start `terraform-provider-salesseat sandbox` on a free loopback port,
#     read the NAME=value lines it prints (endpoint, API client, org details)
#     and print the URL of its read-only console, which shows every apply;
#  2. point Terraform at ./bin through dev_overrides (no `terraform init`,
#     nothing downloaded) in a scratch directory, .demo/;
#  3. give the account 250 seats (admin API) and apply everything in one
#     terraform apply: the connection, role mappings and a seat roster of ~200
#     sales users (salesseat_sales_users, which selects its CRM users during
#     plan, so nothing waits for the connection);
#  4. show the outputs and check that a second plan is empty;
#  5. fill the account (seat limit = seats used) and swap one member for
#     another in one apply: the roster's removals free the seat its import
#     needs;
#  6. show a change that cannot work failing at plan time: one more profile's
#     users than there are free seats, as one error with the totals;
#  7. show the removal guard refusing to destroy the whole roster, then
#     destroy with the guard raised for that run (SALESSEAT_MAX_REMOVALS),
#     which frees the seats, and run the module test of the sandbox guide (examples/module-test);
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
echo "Sandbox console: ${SALESSEAT_SANDBOX_CONSOLE:-$SALESSEAT_ENDPOINT/} (open it to watch the applies)"

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

admin() { # METHOD PATH [JSON]: call the sandbox's admin API
	curl -fsS -X "$1" -H "Authorization: Bearer $SALESSEAT_SANDBOX_ADMIN_TOKEN" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "$SALESSEAT_ENDPOINT$2"
}
seats_used() { curl -fsS -H "Authorization: Bearer $(token)" "$SALESSEAT_ENDPOINT/api/v1/account" | sed -n 's/.*"seats_used": *\([0-9]*\).*/\1/p'; }
token() {
	curl -fsS -u "$SALESSEAT_CLIENT_ID:$SALESSEAT_CLIENT_SECRET" -d grant_type=client_credentials "$SALESSEAT_ENDPOINT/oauth/token" |
		sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p'
}

banner "The account buys 250 seats (admin API)"
admin PUT /admin/v1/account/seat-limit '{"seat_limit":250}' >/dev/null
echo "seat limit: 250"

banner "Planning everything at once: connection, role mappings and the seat roster"
tf plan -out=demo.tfplan

banner "Applying the plan"
tf apply demo.tfplan

banner "Outputs"
tf output

expect_empty_plan() {
	local what=$1
	shift
	banner "Planning again: the plan must be empty ($what)"
	set +e
	tf plan -detailed-exitcode "$@"
	local rc=$?
	set -e
	case $rc in
	0) echo "demo: the plan is empty." ;;
	2) die "the plan is not empty: the provider shows a perpetual diff (see above)." ;;
	*) die "the plan failed (exit $rc)." ;;
	esac
}
expect_empty_plan "after the first apply"

used=$(seats_used)
banner "A seat-neutral swap on a full account: seat limit = seats used = $used"
admin PUT /admin/v1/account/seat-limit "{\"seat_limit\":$used}" >/dev/null
# priya.patel out, marco.rossi (Marketing User) in, in one apply.
swap='members={"0055A0000000005QAA"={role="marketing"}}'
tf apply -auto-approve -var "$swap"
after=$(seats_used)
[ "$after" = "$used" ] || die "seats used went from $used to $after in a seat-neutral swap."
echo "demo: swapped on a full account; seats used still $after of $used."
expect_empty_plan "after the swap" -var "$swap"

# The plan is where a change that cannot work shows up, before apply: the
# plan must fail, and the error is shown as a reviewer sees it.
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
expect_plan_error "every Marketing User too, on a full account" 'Error: Not Enough Seats For The Roster' \
	-var "$swap" -var 'extra_select_profiles=["Marketing User"]'

banner "the removal guard stops a plan that takes access from many people at once"
expect_plan_error "destroying the whole roster (more than max_removals)" 'Error: Too Many Sales Users Removed' -destroy -var "$swap"

banner "terraform destroy, with the guard raised for this run, frees the seats"
SALESSEAT_MAX_REMOVALS=1000 tf destroy -auto-approve -var "$swap" >/dev/null
echo "demo: destroyed; seats used now $(seats_used)."
# The roster sets purge_on_destroy: nothing of the demo is left in the
# recycle bin to hold CRM usernames the module test below needs.
bin_count=$(curl -fsS -H "Authorization: Bearer $(token)" "$SALESSEAT_ENDPOINT/api/v1/recycle-bin?limit=1000" | grep -o '"id": *"su_[^"]*"' | wc -l)
echo "demo: $bin_count sales users in the recycle bin (the fixture's one)."

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
