#!/usr/bin/env bash
# Every test, as CI runs it (.ci/run → make test) on a fresh clone with
# nothing installed by hand: static checks, generated docs and examples, then
# unit, fuzz-seed and acceptance tests. The acceptance tests run Terraform
# (or, without one on PATH, OpenTofu) against the provider in-process (no
# downloads) and the sandbox (built from the Go module proxy on first use);
# OpenTofu is built and checked on every run. The last line is go test's.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

step() { echo "==> $*"; }

step "opentofu (built once from the Go module proxy, then cached)"
# Every run checks OpenTofu too: the examples validate with it and
# internal/scaletest's TestOpenTofu_lifecycle applies and destroys a pool with it.
tofu="$(stratos_tofu)"
export STRATOS_TOFU="$tofu"
echo "using $tofu (v$(stratos_terraform_version "$tofu"))"

step "terraform"
tf="$(stratos_terraform)"
export TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tf"
echo "acceptance tests use $(stratos_cli_name "$tf") $tf (v$(stratos_terraform_version "$tf"))"
if [[ "$(stratos_cli_name "$tf")" == OpenTofu ]]; then
	# terraform-plugin-testing serves the provider in-process under
	# <host>/<namespace>/stratos; OpenTofu resolves a provider without a
	# source on registry.opentofu.org (OpenTofu's "How to Develop Providers").
	export TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp
fi
# The user's CLI configuration (mirrors, dev_overrides, credentials) must not
# change what the tests see.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
: >"$scratch/empty.tfrc"
export TF_CLI_CONFIG_FILE="$scratch/empty.tfrc"

step "gofmt"
unformatted="$(git ls-files -co --exclude-standard -- '*.go' | xargs -r gofmt -l)"
if [[ -n "$unformatted" ]]; then
	echo "not gofmt-ed:" >&2
	echo "$unformatted" >&2
	exit 1
fi

step "go vet"
go vet ./...

if [[ -d cmd/stratos-sandbox ]]; then
	step "sandbox binaries (built once, then cached)"
	go run ./cmd/stratos-sandbox build
fi

step "docs"
./scripts/docs.sh check

step "examples"
./scripts/examples-check.sh
if [[ "$tf" != "$tofu" ]]; then
	STRATOS_TERRAFORM="$tofu" ./scripts/examples-check.sh
fi

step "go test"
# Fuzz targets run their seed corpora as ordinary tests.
# -count=1: acceptance tests drive processes and a sandbox; a cached pass proves nothing.
go test -count=1 -timeout 60m ./...
