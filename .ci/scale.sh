#!/usr/bin/env bash
# `make scale`: the seat roster at 10,000 members against the sandbox with
# 20 ms latency on every provisioning API call, side by side with a
# terraform_data whose input is the same 10,000-entry map, in one run; then
# the per-user for_each path at 2,000 users against a roster of 2,000, and
# its no-op plan against a terraform_data for_each of the same shape.
#
# For each operation it prints wall time, the provisioning API calls it made
# (from the sandbox's counters) and the provider's peak memory (max RSS of
# the provider process, through a wrapper, when /usr/bin/time exists), and
# checks the targets: roster no-op plan within 1.5x and apply within 2x of
# terraform_data, at most 10 + N/500 API calls per plan and per apply (an
# apply is measured as `terraform plan -out` and `terraform apply` of that
# plan, so each is counted on its own; the wall time compared is the sum),
# provider memory under 500 MB, and the roster at least 20x faster than
# per-user resources at 2,000.
#
# Environment: TERRAFORM, PROVIDER_BIN (as for make demo), SCALE_N (10000),
# SCALE_PER_USER_N (2000; 0 skips the per-user comparison), SCALE_LATENCY_MS (20).
set -euo pipefail
# The scale runs destroy and replace thousands of sales users on purpose:
# raise the provider's removal guard for every run of this script.
export SALESSEAT_MAX_REMOVALS=1000000

cd "$(dirname "$0")/.."
root=$PWD
terraform_bin=${TERRAFORM:-terraform}
provider_bin=${PROVIDER_BIN:-$root/bin/terraform-provider-salesseat}
n=${SCALE_N:-10000}
per_user_n=${SCALE_PER_USER_N:-2000}
latency=${SCALE_LATENCY_MS:-20}
dir=$root/.scale
failures=()

die() {
	printf 'scale: %s\n' "$*" >&2
	exit 1
}
[ -x "$provider_bin" ] || die "$provider_bin is missing: run 'make build' first."

rm -rf "$dir"
mkdir -p "$dir/plugins"

# A fixture with enough CRM users and seats: the default one, grown.
sed -e "s/^  seat_limit: 25$/  seat_limit: $((n + per_user_n + 500))/" \
	-e "s/^      count: 300$/      count: $((n + per_user_n + 100))/" \
	-e 's/^      inactive_every: 10$/      inactive_every: 0/' \
	examples/sandbox/fixture.yaml >"$dir/fixture.yaml"
grep -q "count: $((n + per_user_n + 100))" "$dir/fixture.yaml" || die "could not grow the fixture (examples/sandbox/fixture.yaml changed shape?)"

"$provider_bin" sandbox --listen 127.0.0.1:0 --fixture "$dir/fixture.yaml" >"$dir/sandbox.env" 2>"$dir/sandbox.log" &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
	grep -q '^SALESSEAT_ENDPOINT=' "$dir/sandbox.env" && break
	kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox exited: $(cat "$dir/sandbox.log")"
	sleep 0.1
done
set -a
eval "$(grep -E '^[A-Z][A-Z0-9_]*=' "$dir/sandbox.env")"
set +a

admin() { # METHOD PATH [JSON]
	curl -fsS -X "$1" -H "Authorization: Bearer $SALESSEAT_SANDBOX_ADMIN_TOKEN" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "$SALESSEAT_ENDPOINT$2"
}
token=$(curl -fsS -u "$SALESSEAT_CLIENT_ID:$SALESSEAT_CLIENT_SECRET" -d grant_type=client_credentials "$SALESSEAT_ENDPOINT/oauth/token" |
	sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')
api() { # METHOD PATH [JSON]
	curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SALESSEAT_ENDPOINT$2"
}

# new_connection NAME: a connection to the sandbox org with the role
# mappings of its profiles; prints its ID.
new_connection() {
	local id
	id=$(api POST /api/v1/connections "$(printf '{"name":"%s","environment":"sandbox","login_url":"%s","service_username":"%s","oauth_client_id":"%s","refresh_token":"%s"}' \
		"$1" "$SALESSEAT_SANDBOX_LOGIN_URL" "$SALESSEAT_SANDBOX_SERVICE_USERNAME" "$SALESSEAT_SANDBOX_OAUTH_CLIENT_ID" "$SALESSEAT_SANDBOX_REFRESH_TOKEN")" |
		sed -n 's/^{"id":"\([^"]*\)".*/\1/p; s/.*"id": *"\(conn_[^"]*\)".*/\1/p' | head -n 1)
	[ -n "$id" ] || die "could not create a connection"
	for profile in "Sales Rep:sales" "Sales Manager:sales_manager" "Marketing User:marketing" "System Administrator:administrator"; do
		api POST /api/v1/role-mappings "{\"connection_id\":\"$id\",\"crm_profile_name\":\"${profile%%:*}\",\"role\":\"${profile#*:}\"}" >/dev/null
	done
	echo "$id"
}
conn=$(new_connection scale)

# The IDs of the generated users (005G...), sorted.
cursor=""
: >"$dir/ids"
while :; do
	page=$(api GET "/api/v1/connections/$conn/crm-users?limit=1000&active=true${cursor:+&cursor=$cursor}")
	grep -o '"id": *"005G[^"]*"' <<<"$page" | sed 's/.*"\(005G[^"]*\)"/\1/' >>"$dir/ids"
	cursor=$(sed -n 's/.*"next_cursor": *"\([^"]*\)".*/\1/p' <<<"$page")
	[ -n "$cursor" ] || break
done
sort -o "$dir/ids" "$dir/ids"
[ "$(wc -l <"$dir/ids")" -ge $((n + per_user_n)) ] || die "the org has $(wc -l <"$dir/ids") generated active users, want $((n + per_user_n))"

# members.auto.tfvars.json-style map: id => {} (role from the mapping), the
# first 1% with an explicit role when CHANGE=1.
write_members() { # FILE FIRST COUNT
	local file=$1 first=$2 count=$3
	{
		echo '{'
		sed -n "${first},$((first + count - 1))p" "$dir/ids" | awk -v change_n=$((count / 100)) '
			{ printf "  %s = { role = (var.change && %d <= %d) ? \"sales_manager\" : null }\n", "\"" $0 "\"", NR, change_n }'
		echo '}'
	} >"$file"
}

# The provider runs through a wrapper that records its peak RSS (KiB).
rss_file=$dir/provider.rss
if [ -x /usr/bin/time ]; then
	cat >"$dir/plugins/terraform-provider-salesseat" <<EOF
#!/usr/bin/env bash
exec /usr/bin/time -a -o "$rss_file" -f '%M %U %S' "$provider_bin" "\$@"
EOF
	chmod +x "$dir/plugins/terraform-provider-salesseat"
	plugin_dir=$dir/plugins
else
	plugin_dir=$(dirname "$provider_bin")
	echo "scale: /usr/bin/time is missing; provider memory is not measured."
fi
cat >"$dir/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/salesseat/salesseat" = "$plugin_dir"
  }
}
EOF
export TF_CLI_CONFIG_FILE=$dir/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export SALESSEAT_ENDPOINT SALESSEAT_CLIENT_ID SALESSEAT_CLIENT_SECRET

# Every provisioning API call takes $latency ms from now on.
admin PUT /admin/v1/faults "{\"rules\":[{\"path_prefix\":\"/api/v1\",\"latency_ms\":$latency}]}" >/dev/null

# A root module: DIR KIND (roster | data | per_user | data_each | data_each_full) FIRST COUNT.
make_root() {
	local d=$dir/$1 kind=$2
	mkdir -p "$d"
	write_members "$d/members.tf.inc" "$3" "$4"
	{
		cat <<EOF
terraform {
  required_providers {
    salesseat = { source = "salesseat/salesseat" }
  }
}
variable "change" {
  type    = bool
  default = false
}
locals {
  members = $(cat "$d/members.tf.inc")
}
EOF
		case $kind in
		roster) printf 'resource "salesseat_sales_users" "scale" {\n  connection_id = "%s"\n  members       = local.members\n}\n' "$conn" ;;
		data) printf 'resource "terraform_data" "scale" {\n  input = local.members\n}\n' ;;
		per_user) printf 'resource "salesseat_sales_user" "scale" {\n  for_each      = local.members\n  connection_id = "%s"\n  crm_user_id   = each.key\n  role          = each.value.role\n}\n' "$conn" ;;
		data_each) printf 'resource "terraform_data" "scale" {\n  for_each = local.members\n  input    = { connection_id = "%s", crm_user_id = each.key, role = each.value.role }\n}\n' "$conn" ;;
		# The same values as a salesseat_sales_user's state: 22 attributes.
		data_each_full) printf 'resource "terraform_data" "scale" {\n  for_each = local.members\n  input = {\n    id = "su_${each.key}", connection_id = "%s", crm_user_id = each.key, crm_username = "u${each.key}@acme.example"\n    role = each.value.role, effective_role = each.value.role, role_source = "explicit", team = null, hidden_components = []\n    email = "u${each.key}@acme.example", first_name = "First", last_name = "Last", crm_active = true\n    crm_profile_id = "00e5A0000000001QAA", crm_profile_name = "Sales Rep", status = "active", adopted_existing_user = false\n    platform_user_id = "pu_${each.key}", created_by = "api", restore_from_recycle_bin = true, purge_on_destroy = false\n  }\n}\n' "$conn" ;;
		esac
	} >"$d/main.tf"
	rm "$d/members.tf.inc"
}

results=()
# measure LABEL DIR N COMMAND...: runs terraform, records time, API calls, RSS.
measure() {
	local label=$1 d=$2 count=$3
	shift 3
	admin DELETE /admin/v1/counters >/dev/null
	: >"$rss_file"
	local start end
	start=$(date +%s.%N)
	local tf_time=$dir/terraform.time
	: >"$tf_time"
	local timer=()
	[ -x /usr/bin/time ] && timer=(/usr/bin/time -o "$tf_time" -f '%U %S')
	"${timer[@]}" "$terraform_bin" -chdir="$d" "$@" >"$d/last.log" 2>&1 || {
		tail -n 40 "$d/last.log" >&2
		die "$label: terraform $* failed"
	}
	end=$(date +%s.%N)
	local secs calls rss cpu
	secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
	calls=$(admin GET /admin/v1/counters | { grep -o '"[A-Z]* /api/v1[^"]*": *[0-9]*' || true; } | sed 's/.*: *//' | awk '{ s += $1 } END { print s + 0 }')
	rss=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$rss_file")
	cpu=$(awk '{ c += $2 + $3 } END { printf "%.1f", c }' "$rss_file")
	local tf_cpu
	tf_cpu=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { c = $1 + $2 } END { printf "%.1f", c }' "$tf_time")
	results+=("$(printf '%-44s %8ss %7s calls %7s MB  provider CPU %6ss  terraform CPU %6ss' "$label" "$secs" "$calls" "$((rss / 1024))" "$cpu" "$tf_cpu")")
	printf '%s\n' "${results[-1]}"
	cp "$d/last.log" "$d/$(printf '%s' "$label" | tr -c 'a-zA-Z0-9' _).log"
	eval "last_secs=$secs last_calls=$calls last_rss_mb=$((rss / 1024))"
	last_n=$count
}

check() { # WHAT OK-EXPRESSION
	if awk "BEGIN { exit !($2) }"; then
		printf '  ok    %s\n' "$1"
	else
		printf '  FAIL  %s\n' "$1"
		failures+=("$1")
	fi
}
check_calls_mem() {
	local max_calls=$((10 + last_n / 500))
	check "API calls $last_calls <= 10 + N/500 = $max_calls" "$last_calls <= $max_calls"
	if [ "$last_rss_mb" -gt 0 ]; then check "provider memory ${last_rss_mb} MB < 500 MB" "$last_rss_mb < 500"; fi
}

echo
echo "== $n members, $latency ms per API call"
make_root roster roster 1 "$n"
make_root data data 1 "$n"

# apply_in_two LABEL DIR N [ARGS...]: `terraform plan -out` then `terraform
# apply` of that plan, each measured (API calls are counted per plan and per
# apply); apply_secs is the sum, what `terraform apply` costs.
apply_in_two() {
	local label=$1 d=$2 count=$3
	shift 3
	measure "$label: plan" "$d" "$count" plan -out=tfplan "$@"
	local plan_secs=$last_secs
	[ "$d" = "$dir/data" ] || check_calls_mem
	measure "$label: apply" "$d" "$count" apply tfplan
	[ "$d" = "$dir/data" ] || check_calls_mem
	apply_secs=$(awk -v a="$plan_secs" -v b="$last_secs" 'BEGIN { printf "%.1f", a + b }')
}

apply_in_two "terraform_data: apply from empty" "$dir/data" "$n"
data_apply=$apply_secs
apply_in_two "roster: apply from empty" "$dir/roster" "$n"
roster_apply=$apply_secs
check "roster apply ${roster_apply}s <= 2x terraform_data ${data_apply}s (plan + apply)" "$roster_apply <= 2 * $data_apply"

measure "terraform_data: no-op plan" "$dir/data" "$n" plan -detailed-exitcode
data_plan=$last_secs
measure "roster: no-op plan" "$dir/roster" "$n" plan -detailed-exitcode
roster_plan=$last_secs
check_calls_mem
check "roster no-op plan ${roster_plan}s <= 1.5x terraform_data ${data_plan}s" "$roster_plan <= 1.5 * $data_plan"
drift=0
grep -q 'changed outside of Terraform' "$dir/roster/last.log" && drift=1
check "the no-op plan reports no drift (what the apply stored is what a refresh reads)" "$drift == 0"

apply_in_two "terraform_data: 1% change" "$dir/data" "$n" -var change=true
data_change=$apply_secs
apply_in_two "roster: 1% change (role of $((n / 100)) members)" "$dir/roster" "$n" -var change=true
roster_change=$apply_secs
check "roster 1% change ${roster_change}s <= 2x terraform_data ${data_change}s (plan + apply)" "$roster_change <= 2 * $data_change"

if [ "$per_user_n" -gt 0 ]; then
	echo
	echo "== $per_user_n users: per-user for_each against one roster"
	# A connection of their own, so that listing its sales users does not
	# page through the big roster's.
	conn=$(new_connection "scale-per-user")
	make_root per_user per_user $((n + 1)) "$per_user_n"
	make_root roster_small roster $((n + 1)) "$per_user_n"
	make_root data_each data_each $((n + 1)) "$per_user_n"
	make_root data_each_full data_each_full $((n + 1)) "$per_user_n"
	measure "per-user salesseat_sales_user: apply" "$dir/per_user" "$per_user_n" apply -auto-approve -parallelism=10
	per_user_apply=$last_secs
	# The same shape of instances as terraform_data (one per entry), in the
	# same run: a no-op plan should cost what Terraform costs.
	measure "terraform_data for_each: apply" "$dir/data_each" "$per_user_n" apply -auto-approve
	measure "terraform_data for_each: no-op plan" "$dir/data_each" "$per_user_n" plan -detailed-exitcode
	data_each_plan=$last_secs
	measure "terraform_data for_each, a sales user's 22 values: apply" "$dir/data_each_full" "$per_user_n" apply -auto-approve
	measure "terraform_data for_each, a sales user's 22 values: no-op plan" "$dir/data_each_full" "$per_user_n" plan -detailed-exitcode
	data_full_plan=$last_secs
	measure "per-user salesseat_sales_user: no-op plan" "$dir/per_user" "$per_user_n" plan -detailed-exitcode
	per_user_plan=$last_secs
	check "per-user no-op plan ${per_user_plan}s <= 1.25x terraform_data for_each ${data_each_plan}s (3 values each)" "$per_user_plan <= 1.25 * $data_each_plan"
	check "per-user no-op plan ${per_user_plan}s <= 1.25x terraform_data for_each ${data_full_plan}s (the same 22 values)" "$per_user_plan <= 1.25 * $data_full_plan"
	measure "per-user salesseat_sales_user: destroy" "$dir/per_user" "$per_user_n" destroy -auto-approve
	measure "roster: apply" "$dir/roster_small" "$per_user_n" apply -auto-approve
	small_apply=$last_secs
	check "roster ${small_apply}s at least 20x faster than per-user ${per_user_apply}s" "$small_apply * 20 <= $per_user_apply"
fi

echo
echo "== summary"
printf '%s\n' "${results[@]}"
if [ "${#failures[@]}" -gt 0 ]; then
	printf 'scale: %d target(s) missed:\n' "${#failures[@]}"
	printf '  %s\n' "${failures[@]}"
	exit 1
fi
echo "scale: every target met."
