# Shared by the scripts in this folder: source it, don't run it.
#
# Everything here works offline: Terraform comes from scripts/terraform.sh
# (PATH, or OpenTofu built into the cache), and the provider under
# development is served to the CLI through dev_overrides, so no
# configuration ever needs `terraform init` or a registry.

export GOTOOLCHAIN=local GOWORK=off
# Terraform's update check is the only other network call it would make.
export CHECKPOINT_DISABLE=1

STRATOS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly STRATOS_ROOT
# source = "stratos-sh/stratos" means registry.terraform.io/… to Terraform
# and registry.opentofu.org/… to OpenTofu; dev_overrides name both.
readonly STRATOS_PROVIDER_ADDRESSES=(
	"registry.terraform.io/stratos-sh/stratos"
	"registry.opentofu.org/stratos-sh/stratos"
)

# stratos_terraform prints the Terraform CLI to use (see terraform.sh): a
# terraform on PATH, else OpenTofu.
stratos_terraform() {
	"$STRATOS_ROOT/scripts/terraform.sh"
}

# stratos_tofu prints the OpenTofu CLI, built once into the cache (cmd/stratos-tofu).
stratos_tofu() {
	(cd "$STRATOS_ROOT" && go run ./cmd/stratos-tofu)
}

# stratos_terraform_version prints e.g. 1.11.4 (OpenTofu reports its own
# version under the same key).
stratos_terraform_version() {
	"$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p'
}

# stratos_cli_name prints "OpenTofu" or "Terraform" for the CLI at $1.
stratos_cli_name() {
	local out
	out="$("$1" version 2>/dev/null || true)" # not piped into grep -q: its early exit would fail the pipe
	if [[ "$out" == *OpenTofu* ]]; then echo OpenTofu; else echo Terraform; fi
}

# stratos_version_at_least A B: whether version A >= B (dotted numbers).
stratos_version_at_least() {
	[[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

# stratos_dev_provider DIR: builds the provider into DIR/bin and writes
# DIR/terraformrc with a dev_overrides block for it; prints the rc path.
# Point TF_CLI_CONFIG_FILE at it and Terraform uses this build without init.
stratos_dev_provider() {
	local dir="$1"
	mkdir -p "$dir/bin"
	(cd "$STRATOS_ROOT" && go build -o "$dir/bin/terraform-provider-stratos" .) >&2
	{
		echo 'provider_installation {'
		echo '  dev_overrides {'
		for addr in "${STRATOS_PROVIDER_ADDRESSES[@]}"; do
			echo "    \"$addr\" = \"$dir/bin\""
		done
		echo '  }'
		echo '  direct {}'
		echo '}'
	} >"$dir/terraformrc"
	echo "$dir/terraformrc"
}

# stratos_providers_tf prints a terraform block requiring this provider, for
# example snippets that (as tfplugindocs examples do) leave it out.
stratos_providers_tf() {
	cat <<'TF'
terraform {
  required_providers {
    stratos = {
      source = "stratos-sh/stratos"
    }
  }
}
TF
}
