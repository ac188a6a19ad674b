#!/usr/bin/env bash
# Prints the path of the Terraform-compatible CLI for tests, docs and
# examples checks.
#
# $STRATOS_TERRAFORM wins, then a terraform on PATH. Otherwise OpenTofu
# (internal/opentofu.Version) is built from the Go module proxy into a
# per-version cache folder, once: Terraform's own releases after v1.5.7 do
# not build from the module proxy (their go.mod carries replace directives),
# and v1.5.7 cannot run provider-defined functions (Terraform ≥ 1.8 can,
# OpenTofu ≥ 1.7). Everything else goes to stderr, so callers can capture
# the path with $(scripts/terraform.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ -n "${STRATOS_TERRAFORM:-}" ]]; then
	# An explicit choice (e.g. a test of the fallback) bypasses PATH lookup.
	[[ -x "$STRATOS_TERRAFORM" ]] || { echo "terraform.sh: STRATOS_TERRAFORM=$STRATOS_TERRAFORM is not executable" >&2; exit 1; }
	echo "$STRATOS_TERRAFORM"
	exit 0
fi

if found="$(command -v terraform 2>/dev/null)"; then
	echo "$found"
	exit 0
fi

echo "terraform.sh: no terraform on PATH; using OpenTofu" >&2
stratos_tofu
