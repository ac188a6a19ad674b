#!/usr/bin/env bash
# Prints the path of a Terraform CLI for tests, docs and examples checks.
#
# A terraform on PATH wins. Otherwise a pinned release is built from source with
# the Go toolchain into a per-version cache folder: v1.5.7 is the newest release
# that `go install` accepts (later ones carry replace directives in go.mod).
# Everything else in this script only goes to stderr, so callers can capture
# the path with $(scripts/terraform.sh).
set -euo pipefail

readonly TERRAFORM_VERSION=1.5.7

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

cache="${XDG_CACHE_HOME:-$HOME/.cache}/stratos/terraform-${TERRAFORM_VERSION}"
bin="$cache/terraform"
if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache"
# One build at a time: parallel `make test` runs share the cache folder.
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if [[ ! -x "$bin" ]]; then
	echo "terraform.sh: no terraform on PATH; building terraform v${TERRAFORM_VERSION} into $cache (a few minutes, once)" >&2
	tmp="$(mktemp -d "$cache/.build.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	# GOFLAGS=-mod=mod keeps a caller's -mod=vendor or similar from leaking in;
	# running outside any module keeps the provider's go.mod out of the build.
	(cd "$tmp" && GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod GOBIN="$tmp" \
		go install "github.com/hashicorp/terraform@v${TERRAFORM_VERSION}") >&2
	mv "$tmp/terraform" "$bin"
fi
echo "$bin"
