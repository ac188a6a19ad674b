#!/usr/bin/env bash
# docs.sh generate: renders docs/ from the provider's schema, templates/ and
#                   examples/ with tfplugindocs (pinned in tools/go.mod).
# docs.sh check:    renders into a scratch folder and fails when docs/ differs.
#
# Offline and independent of the Terraform CLI: tfplugindocs would otherwise
# build the provider, run `terraform init` and `terraform providers schema`
# (downloading Terraform when none is on PATH), and a Terraform older than
# 1.8 would drop the provider functions from the docs. Instead the provider
# prints that same schema JSON itself (internal/provider/cmd/providerschema)
# and tfplugindocs reads it with --providers-schema.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

mode="${1:-generate}"
schema_dir="$(mktemp -d)"
trap 'rm -rf "$schema_dir"' EXIT
go run ./internal/provider/cmd/providerschema -o "$schema_dir/schema.json"

tfplugindocs() {
	go -C tools tool tfplugindocs generate \
		--provider-dir "$STRATOS_ROOT" \
		--provider-name stratos \
		--rendered-provider-name Stratos \
		--providers-schema "$schema_dir/schema.json" \
		"$@"
}

case "$mode" in
generate)
	out="$(tfplugindocs 2>&1)" || { echo "$out" >&2; exit 1; }
	echo "docs: generated docs/"
	;;
check)
	# tfplugindocs writes below --provider-dir; .cache/ is git-ignored.
	scratch=".cache/docs-check"
	rm -rf "$scratch"
	trap 'rm -rf "$STRATOS_ROOT/$scratch" "$schema_dir"' EXIT
	out="$(tfplugindocs --rendered-website-dir "$scratch" 2>&1)" || { echo "$out" >&2; exit 1; }
	if ! diff -ru docs "$scratch" >&2; then
		echo "docs: docs/ is stale; run: make docs" >&2
		exit 1
	fi
	# Registry rules: front matter, file names, guide subcategories.
	out="$(go -C tools tool tfplugindocs validate --provider-dir "$STRATOS_ROOT" --provider-name stratos \
		--providers-schema "$schema_dir/schema.json" --allowed-guide-subcategories Guides 2>&1)" || {
		echo "$out" >&2
		exit 1
	}
	echo "docs: docs/ is up to date and valid"
	;;
*)
	echo "usage: $0 generate|check" >&2
	exit 2
	;;
esac
