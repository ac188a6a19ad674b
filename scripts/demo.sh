#!/usr/bin/env bash
# The main job, on the embedded local sandbox: a node class and a warm pool
# from examples/demo applied with real Terraform and the provider built from
# this tree (dev_overrides: offline, no `terraform init`), then a summary of
# the pool's instances and nodes.
#
#   scripts/demo.sh           apply (again: reconciles) and summarize
#   scripts/demo.sh destroy   terraform destroy the demo
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

work="$STRATOS_ROOT/.sandbox/demo"
tf="$(stratos_terraform)"

echo "==> starting the sandbox (AWS APIs + a real kube-apiserver + simulated Bottlerocket nodes)"
go run ./cmd/stratos-sandbox up
# shellcheck disable=SC1091
source .sandbox/env
mkdir -p "$work/config"

echo "==> building the provider; Terraform is $tf"
export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE="$(stratos_dev_provider "$work/provider")"
cp examples/demo/*.tf "$work/config/"

export TF_VAR_cluster_name="$STRATOS_SANDBOX_CLUSTER_NAME"
export TF_VAR_cluster_endpoint="$STRATOS_SANDBOX_CLUSTER_ENDPOINT"
export TF_VAR_cluster_certificate="$STRATOS_SANDBOX_CLUSTER_CA"
export TF_VAR_service_cidr="$STRATOS_SANDBOX_SERVICE_CIDR"
tfc() { "$tf" -chdir="$work/config" "$@"; }

if [[ "${1:-}" == "destroy" ]]; then
	echo "==> terraform destroy"
	tfc destroy -auto-approve -input=false -no-color
	exit 0
fi

echo "==> terraform plan (what a CI reviewer sees)"
tfc plan -input=false -no-color -out="$work/plan" >"$work/plan.log" 2>&1 || { cat "$work/plan.log" >&2; exit 1; }
# The plan's own words: the summary line and the pool's warnings.
grep -E '^(Plan:|No changes)|^(size |running |[0-9]+ (standby|instance|failed)|destroy )' "$work/plan.log" | sed 's/^/    /' || true

echo "==> terraform apply: launch, verify (node Ready, CNI, DaemonSets), stop into standby"
start=$(date +%s)
tfc apply -input=false -no-color "$work/plan" >"$work/apply.log" 2>&1 || { cat "$work/apply.log" >&2; exit 1; }
echo "    applied in $(($(date +%s) - start)) s"

echo
go run ./cmd/stratos-demo -pool demo
echo
echo "Standby nodes are cordoned, tainted stratos.sh/standby:NoExecute and stopped (Ready=Unknown while stopped)."
echo "Run 'make demo' again: the plan is empty and nothing changes. Edit examples/demo/main.tf (pool_size, max_pods)"
echo "and run it again to see the plan explain the change."
echo
echo "Tear it down:  scripts/demo.sh destroy   (terminates the pool, deletes the node class)"
echo "               make sandbox-down         (stops the sandbox and removes .sandbox/)"
