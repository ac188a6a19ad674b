#!/usr/bin/env bash
# The main job, on the embedded local default. Until the sandbox and the warm
# pool land, it renders Bottlerocket user data from examples/ with real
# Terraform and the provider built from this tree (dev_overrides: offline,
# no `terraform init`), and shows what EC2 would receive.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

tf="$(stratos_terraform)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "==> building the provider and using $tf"
export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE="$(stratos_dev_provider "$work/provider")"

example=examples/data-sources/stratos_bottlerocket_userdata
cp -R "$example" "$work/config"
stratos_providers_tf >"$work/config/_stratos_required_providers.tf"
cat >>"$work/config/_stratos_required_providers.tf" <<'TF'

output "demo" {
  value = {
    compressed = data.stratos_bottlerocket_userdata.web.compressed
    size_bytes = data.stratos_bottlerocket_userdata.web.size_bytes
    sha256     = data.stratos_bottlerocket_userdata.web.sha256
  }
}
TF

echo "==> terraform apply ($example)"
"$tf" -chdir="$work/config" apply -auto-approve -input=false -no-color >"$work/apply.log" 2>&1 || {
	cat "$work/apply.log" >&2
	exit 1
}

echo
echo "==> rendered Bottlerocket TOML (validated at plan time)"
"$tf" -chdir="$work/config" output -raw toml
echo
"$tf" -chdir="$work/config" output -json demo | sed -n 's/.*"compressed":\([a-z]*\).*"sha256":"\([0-9a-f]*\)".*"size_bytes":\([0-9]*\).*/==> EC2 receives \3 bytes (limit 16384), gzip: \1, sha256 \2/p'
echo
echo "Edit $example/data-source.tf (e.g. a label key under kubernetes.io/) and run 'make demo' again to see a plan-time error."
