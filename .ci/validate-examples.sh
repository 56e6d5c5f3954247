#!/usr/bin/env bash
# Checks every example against the provider's schema with `terraform validate`,
# offline: the provider comes from ./bin through dev_overrides.
#
# The resource and data source examples refer to each other (for example
# salesseat_crm_connection.production), so they are validated together as one
# configuration; the other directories under examples/ are roots of their own.
#
# Environment: TERRAFORM (default: terraform on PATH) and PROVIDER_BIN
# (default: bin/terraform-provider-salesseat).
set -euo pipefail

cd "$(dirname "$0")/.."
terraform_bin=${TERRAFORM:-terraform}
provider_bin=${PROVIDER_BIN:-$PWD/bin/terraform-provider-salesseat}
scratch=$PWD/bin/examples-check

[ -x "$provider_bin" ] || { echo "validate-examples: $provider_bin is missing: run 'make build' first." >&2; exit 1; }

rm -rf "$scratch"
mkdir -p "$scratch/reference"
for f in examples/provider/*.tf examples/resources/*/*.tf examples/data-sources/*/*.tf; do
	rel=${f#examples/}
	cp "$f" "$scratch/reference/${rel//\//_}"
done
roots=(reference)
for d in examples/*/; do
	d=${d%/}
	case ${d#examples/} in provider | resources | data-sources) continue ;; esac
	compgen -G "$d/*.tf" >/dev/null || continue # e.g. examples/sandbox: a fixture, no configuration
	cp -R "$d" "$scratch/${d#examples/}"
	roots+=("${d#examples/}")
done

cat >"$scratch/terraformrc" <<EOF
# Written by .ci/validate-examples.sh: use the provider built into ./bin.
provider_installation {
  dev_overrides {
    "registry.terraform.io/salesseat/salesseat" = "$(dirname "$provider_bin")"
  }
}
EOF
export TF_CLI_CONFIG_FILE=$scratch/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# The examples use write-only arguments and ephemeral variables.
tf_version=$("$terraform_bin" version -json | sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p')
if [ "$(printf '%s\n' 1.11.0 "$tf_version" | sort -V | head -n 1)" != 1.11.0 ]; then
	echo "validate-examples: skipped, the examples need Terraform 1.11 or later (found $tf_version)."
	exit 0
fi

for dir in "${roots[@]}"; do
	echo "terraform validate examples ($dir)"
	# `get` installs local modules (the module test's setup module); `init`
	# would look the overridden provider up in the Registry.
	"$terraform_bin" -chdir="$scratch/$dir" get >/dev/null
	# Only errors matter: every run warns that dev_overrides are in effect.
	"$terraform_bin" -chdir="$scratch/$dir" validate -no-color >"$scratch/$dir.log" 2>&1 || {
		cat "$scratch/$dir.log" >&2
		exit 1
	}
done
