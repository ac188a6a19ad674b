#!/usr/bin/env bash
# `make bench`: real `terraform apply` / `plan` / `destroy` of warm pools of
# 10, 100 and 500 instances against the sandbox (latencies of a real launch:
# launch 2s, boot 5s, cni 2s, stop 3s), one table of wall times, EC2 calls,
# Kubernetes requests and the provider's peak memory; then a create of 1,000
# and a node class replacement under EC2's modelled rate limits (a second
# table: calls EC2 throttled, the critical path the RunInstances bucket imposes).
# Between them, the cost of the rest of the cluster: a pool of 20 in an empty
# cluster and with 20,000 background pods on 200 other nodes, and one pool of
# 10 against 8 pools of 10 in one configuration (ratios against the goals).
# The provider runs as the documented ClusterRole (examples/kubernetes).
#
#   make bench                          # sizes 10, 100, 500, then 1,000 under EC2's rate limits
#   BENCH_ARGS=-large make bench        # and 1000
#   BENCH_ARGS='-sizes 10' make bench   # just one size (and the rate limits part)
#   BENCH_ARGS='-ec2-limits 0' make bench            # without the rate limits part
#   BENCH_ARGS='-busy-pods 0 -pools 0' make bench    # without the busy-cluster and many-pools rows
#   BENCH_ARGS=-sizes= make bench                    # no sizes: busy cluster, many pools, rate limits
#   BENCH_ARGS='-ec2-limits-time-scale 1' make bench # the documented refill rates (a replacement takes minutes longer)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$STRATOS_ROOT"

tf="$(stratos_terraform)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "==> building the provider and the benchmark; terraform is $tf (v$(stratos_terraform_version "$tf"))" >&2
mkdir -p "$work/bin"
go build -o "$work/bin/terraform-provider-stratos" .
go build -o "$work/stratos-bench" ./cmd/stratos-bench
# The user's CLI configuration (mirrors, credentials) must not change what is measured.
: >"$work/empty.tfrc"
export TF_CLI_CONFIG_FILE="$work/empty.tfrc"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
"$work/stratos-bench" -terraform "$tf" -provider "$work/bin/terraform-provider-stratos" -work "$work/run" ${BENCH_ARGS:-} "$@"

# Scale-up latency, the product: time from the start of a converge (what
# terraform apply runs) to N schedulable nodes, and to N pending pods bound
# by kube-scheduler and running on them, from standby versus a cold launch,
# for N = 1, 10, 100 (see BenchmarkScaleUp in internal/warmpool).
echo "==> scale-up latency: standby start vs cold launch (BenchmarkScaleUp)" >&2
STRATOS_SANDBOX=1 go test ./internal/warmpool/ -run '^$' -bench ScaleUp -benchtime 1x -timeout 30m
