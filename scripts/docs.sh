#!/usr/bin/env bash
# docs.sh generate: renders docs/ from the provider's schema, templates/ and
#                   examples/ with tfplugindocs (pinned in tools/go.mod).
# docs.sh check:    renders into a scratch folder and fails when docs/ differs.
#
# Offline: tfplugindocs builds the provider and asks Terraform for its schema
# through a local plugin directory; it would download Terraform only when
# none is on PATH, so the one from terraform.sh is put first on PATH.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

mode="${1:-generate}"
tf="$(stratos_terraform)"
export PATH="$(dirname "$tf"):$PATH"
# Terraform must not pick up dev_overrides or mirrors from the user's config.
export TF_CLI_CONFIG_FILE=/dev/null

tfplugindocs() {
	go -C tools tool tfplugindocs generate \
		--provider-dir "$STRATOS_ROOT" \
		--provider-name stratos \
		--rendered-provider-name Stratos \
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
	trap 'rm -rf "$STRATOS_ROOT/$scratch"' EXIT
	out="$(tfplugindocs --rendered-website-dir "$scratch" 2>&1)" || { echo "$out" >&2; exit 1; }
	if ! diff -ru docs "$scratch" >&2; then
		echo "docs: docs/ is stale; run: make docs" >&2
		exit 1
	fi
	echo "docs: docs/ is up to date"
	;;
*)
	echo "usage: $0 generate|check" >&2
	exit 2
	;;
esac
