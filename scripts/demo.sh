#!/usr/bin/env bash
# The main job, on the embedded local sandbox: examples/demo/main.tf (the
# README's quick start: a node class and a warm pool) applied with the CLI
# scripts/terraform.sh picks and the provider built from this tree
# (dev_overrides: offline, no `init`). Then the product's point: capacity
# taken from standby (`running`) timed against a cold launch in the same
# run (examples/demo/cold.tf, a pool with no standby), and back to standby.
#
#   scripts/demo.sh           apply (again: reconciles), compare, summarize
#   scripts/demo.sh destroy   explain the destroy (its plan), then do it
#
# Vary it without editing files: POOL_SIZE=5 RUNNING=3 (or `make demo
# POOL_SIZE=5 RUNNING=3`; TF_VAR_pool_size works too). DEMO_LATENCY sets the
# sandbox's simulated EC2 and boot latencies (JSON, Go durations).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

pool_size="${POOL_SIZE:-${TF_VAR_pool_size:-3}}"
running="${RUNNING:-$((pool_size < 2 ? pool_size : 2))}"
[[ "$pool_size" =~ ^[0-9]+$ && "$running" =~ ^[0-9]+$ ]] || { echo "demo.sh: POOL_SIZE and RUNNING are numbers" >&2; exit 2; }
if ((running > pool_size)); then
	echo "demo.sh: RUNNING=$running exceeds POOL_SIZE=$pool_size: the demo takes running nodes from standby" >&2
	exit 2
fi
# Of the order EC2 and a Bottlerocket boot show, shortened (make bench uses the same).
default_latency='{"launch": "2s", "boot": "5s", "cni": "2s", "stop": "3s", "start": "1s", "terminate": "1s"}'
latency="${DEMO_LATENCY:-$default_latency}"

sandbox_dir="${STRATOS_SANDBOX_DIR:-$STRATOS_ROOT/.sandbox}" # as cmd/stratos-sandbox finds it
work="$sandbox_dir/demo"
tf="$(stratos_terraform)"
cli="$(basename "$tf")"

echo "==> starting the sandbox (AWS APIs + a real kube-apiserver + simulated Bottlerocket nodes)"
go run ./cmd/stratos-sandbox up
# shellcheck disable=SC1091
source "$sandbox_dir/env"
mkdir -p "$work/config" "$work/bin"

echo "==> building the provider; the CLI is $(stratos_cli_name "$tf") $(stratos_terraform_version "$tf") ($tf)"
export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE="$(stratos_dev_provider "$work/provider")"
go build -o "$work/bin/stratos-demo" ./cmd/stratos-demo
demo="$work/bin/stratos-demo"
rm -f "$work/config"/*.tf
cp examples/demo/*.tf "$work/config/"

export TF_VAR_cluster_name="$STRATOS_SANDBOX_CLUSTER_NAME"
export TF_VAR_cluster_endpoint="$STRATOS_SANDBOX_CLUSTER_ENDPOINT"
export TF_VAR_cluster_certificate="$STRATOS_SANDBOX_CLUSTER_CA"
export TF_VAR_service_cidr="$STRATOS_SANDBOX_SERVICE_CIDR"
export TF_VAR_pool_size="$pool_size" TF_VAR_running=0 TF_VAR_cold_running=0
tfc() { "$tf" -chdir="$work/config" "$@"; }

# narrate LOG: the plan's own words, as a CI reviewer reads them: each
# warning's summary and text (without the source excerpt), and the summary
# line. The CLI's note on dev_overrides is left out. A terminal gets the
# warnings in "│ " boxes, a file without: both forms are read.
narrate() {
	awk '
		{ line = $0; sub(/^│ ?/, "", line) }
		/^╵/ { state = 0; next }
		line ~ /^Warning: Provider development overrides/ { state = 0; next }
		line ~ /^(Warning|Error): / { state = 1; print "    " line; next }
		state == 1 {
			if (line ~ /^[[:space:]]*$/ || line ~ /^  (with|on) / || line ~ /^ *[0-9]+: /) next
			state = 2
		}
		state == 2 {
			if (line ~ /^[[:space:]]*$/ || line ~ /^─/) { state = 0; next }
			print "      " line
			next
		}
		/^(Plan:|No changes)/ { print "    " $0 }
	' "$1"
}

# plan NAME [ARGS]: plans into $work/NAME.plan, prints the narration;
# fails (with the CLI's output) on an error. Returns 1 when nothing changes.
plan() {
	local name="$1"
	shift
	local status=0
	tfc plan -input=false -no-color -detailed-exitcode -out="$work/$name.plan" "$@" >"$work/$name.plan.log" 2>&1 || status=$?
	case $status in
	0) narrate "$work/$name.plan.log"; return 1 ;;
	2) narrate "$work/$name.plan.log"; return 0 ;;
	*) cat "$work/$name.plan.log" >&2; exit 1 ;;
	esac
}

apply() {
	local name="$1"
	tfc apply -input=false -no-color "$work/$name.plan" >"$work/$name.apply.log" 2>&1 || { cat "$work/$name.apply.log" >&2; exit 1; }
}

if [[ "${1:-}" == "destroy" ]]; then
	echo "==> $cli plan -destroy: what the destroy will do"
	if ! plan destroy -destroy; then
		echo "    nothing to destroy"
		exit 0
	fi
	echo "==> $cli apply: destroying"
	apply destroy
	grep -E '^(Apply|Destroy) complete' "$work/destroy.apply.log" | sed 's/^/    /'
	exit 0
fi

echo "==> sandbox latencies: $("$demo" latency "$latency")"

echo "==> $cli plan: pool \"demo\" of $pool_size standby instances (what a CI reviewer sees)"
if plan standby; then
	echo "==> $cli apply: launch, verify (node Ready, CNI, DaemonSets), stop into standby"
	start=$(date +%s)
	apply standby
	echo "    applied in $(($(date +%s) - start)) s"
else
	echo "    nothing to apply: the pool already holds $pool_size verified standby instances"
fi

# timed_running POOL: plans (the caller has set the TF_VAR_ raising POOL's
# running), applies and prints the seconds from the apply's start until
# $running of POOL's nodes are schedulable.
timed_running() {
	local pool="$1"
	plan "$pool" >&2 || true
	local start apply_pid seconds
	start=$(date +%s%N)
	apply "$pool" &
	apply_pid=$!
	seconds="$("$demo" wait-schedulable -pool "$pool" -count "$running" -since "$start")" || { kill "$apply_pid" 2>/dev/null; wait "$apply_pid" || true; exit 1; }
	wait "$apply_pid"
	echo "$seconds"
}

nodes() { if (($1 == 1)); then echo "1 node"; else echo "$1 nodes"; fi; }

if ((running > 0)); then
	echo "==> running = $running: pool \"demo\" starts $running of its standby instances"
	export TF_VAR_running="$running"
	from_standby="$(timed_running demo)"
	echo "    $(nodes "$running") schedulable ${from_standby} s after the apply started (the apply then refills standby)"

	echo "==> the same without standby: pool \"demo-cold\" (examples/demo/cold.tf, size 0) launches $running cold"
	export TF_VAR_cold_running="$running"
	cold="$(timed_running demo-cold)"
	echo "    $(nodes "$running") schedulable ${cold} s after the apply started"

	echo
	echo "    time to $(nodes "$running") schedulable, same run and sandbox:  from standby ${from_standby} s   cold launch ${cold} s"
	echo "    (sandbox latencies above; on EC2 a cold launch also pulls images and boots for minutes, a start takes seconds)"
	echo

	echo "==> running = 0: drain and stop them back into standby; the pool without standby terminates its nodes"
	export TF_VAR_running=0 TF_VAR_cold_running=0
	plan return || true
	apply return
fi

echo
"$demo" show -pool demo
echo
echo "Standby instances are stopped and have no Node: a Node is deleted once its instance is verified stopped, so the"
echo "cluster never counts a NotReady node for standby; a start registers it again (cloud-initialized, Ready, CNI up)."
echo "Run 'make demo' again: nothing to apply for standby, and the comparison runs again."
echo "Vary it without editing files: make demo POOL_SIZE=5 RUNNING=3 (the plan explains the change)."
echo
echo "Tear it down:  scripts/demo.sh destroy   (explains, then terminates the pools and deletes the node class)"
echo "               make sandbox-down         (stops the sandbox and removes .sandbox/)"
