#!/usr/bin/env bash
# Checks every configuration under examples/: `terraform fmt -check`, then
# `terraform validate` against the provider built from this tree, with the
# CLI scripts/terraform.sh picks ($STRATOS_TERRAFORM=<path to tofu> checks
# them with OpenTofu). Validation
# runs the provider's own plan-time checks, so an example with invalid user
# data fails here. Offline: dev_overrides instead of `terraform init`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

tf="$(stratos_terraform)"
tf_version="$(stratos_terraform_version "$tf")"
tf_name="$(stratos_cli_name "$tf")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE="$(stratos_dev_provider "$work/provider")"

echo "examples: fmt -check and validate with $tf_name $tf (v$tf_version)"

# A copy of the whole tree, so that examples may refer to each other's files
# and nothing (lock files, .terraform) is written into the repository.
mkdir -p "$work/tree"
cp -R examples "$work/tree/"
find "$work/tree" \( -name .terraform -o -name '*.tfstate*' -o -name .terraform.lock.hcl \) -prune -exec rm -rf {} +

examples_dirs="$(find examples -name '*.tf' -not -path '*/.terraform/*' -exec dirname {} \; | sort -u)"
# Snippets leave the terraform block out (tfplugindocs examples do); without
# one Terraform would look for hashicorp/stratos. Every module directory
# needs it, also those only used by another example.
while IFS= read -r dir; do
	if ! grep -qs 'required_providers' "$work/tree/$dir"/*.tf; then
		stratos_providers_tf >"$work/tree/$dir/_stratos_required_providers.tf"
	fi
done <<<"$examples_dirs"

failed=0
checked=0
while IFS= read -r dir; do
	copy="$work/tree/$dir"
	if grep -qs 'provider::' "$copy"/*.tf && [[ "$tf_name" == Terraform ]] && ! stratos_version_at_least "$tf_version" 1.8.0; then
		# Older CLIs cannot even parse the call syntax (OpenTofu can since 1.7).
		echo "examples: skip $dir (provider functions need Terraform >= 1.8, found $tf_version)"
		continue
	fi
	if ! "$tf" fmt -check -diff -no-color "$dir" >&2; then
		echo "examples: FAIL $dir (not formatted; run: terraform fmt -recursive examples/)"
		failed=1
		continue
	fi
	if grep -qsE '^\s*module\s+"' "$copy"/*.tf; then
		# Modules must be installed first. `get` installs modules only (local
		# ones need no network); `init` would also ask the registry for the
		# provider that dev_overrides replaces.
		if ! out="$("$tf" -chdir="$copy" get -no-color 2>&1)"; then
			echo "examples: FAIL $dir (terraform get)"; echo "$out" >&2; failed=1; continue
		fi
	fi
	if out="$("$tf" -chdir="$copy" validate -no-color 2>&1)"; then
		echo "examples: ok   $dir"
		checked=$((checked + 1))
	else
		echo "examples: FAIL $dir"
		echo "$out" | grep -v -e 'Provider development overrides' -e 'dev_overrides' >&2 || true
		failed=1
	fi
done <<<"$examples_dirs"

if [[ $failed -ne 0 ]]; then
	echo "examples: some examples failed (see above)" >&2
	exit 1
fi
echo "examples: $checked configurations valid with $tf_name $tf_version"
