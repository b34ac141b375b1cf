#!/usr/bin/env bash
# make bench: measures every figure of issue 14, each beside its reference
# in the same run, in four steps that each leave their figures as JSON
# (and their tables as markdown) in one temporary directory; bench/collect
# then writes bench/results.json (one key per step) and bench/results.md
# (the summary of every target at its top) and prints the details and the
# summary table. A step that fails does not stop the others: what there is
# gets written, and make bench exits non-zero.
#
# DynamoDB Local on 2 cores is far slower than DynamoDB: read the request
# counts and units as the target, the times as this machine's.
# COLDSTART_RUNS=5 BENCHTIME=200ms make bench for a quick look (the issue's
# figures are 30 and 2s).
set -euo pipefail

cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
status=0

# step NAME COMMAND...: runs the command, noting its exit status and
# wall time in steps.tsv for bench/collect.
step() {
	local name=$1 start=$SECONDS code=0
	shift
	echo "bench.sh: step $name" >&2
	"$@" || code=$?
	printf '%s\t%d\t%d\n' "$name" "$code" $((SECONDS - start)) >>"$out/steps.tsv"
	if ((code != 0)); then
		echo "bench.sh: step $name failed ($code); the other steps still run" >&2
		status=1
	fi
}

# The Go benchmarks (the HTTP ones against DynamoDB Local), on make test's
# stack through its runner; bench/collect parses their output. Log lines
# (they start with the year) stay out of the terminal.
benchmarks() {
	PKGS="./internal/closeloop/ ./internal/render/ ./internal/pages/ ./internal/storeapi/" infra/test.sh \
		-run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" |
		tee "$out/benchmarks.txt" | { grep -v '^20' || true; } >&2
}

# Capacity units per operation and the cost per 10,000 surveys
# (internal/capacity), on a stack of their own.
capacity() {
	CLOSELOOP_CAPACITY_OUT="$out/capacity.json" CLOSELOOP_CAPACITY_MD="$out/capacity.md" PKGS="./internal/capacity/" \
		infra/test.sh -run '^TestOperationUnits$' -count 1 >&2
}

# Binary sizes and cold starts under the Runtime Interface Emulator
# (bench/coldstart), which infra/test.sh installed; it starts a local stack
# of its own for the functions' first events, on CLOSELOOP_TEST_PORTS
# under test.sh's lock.
coldstart() {
	go run ./bench/coldstart -rie .local/bin/aws-lambda-rie -runs "${COLDSTART_RUNS:-30}" \
		-json "$out/coldstart.json" >"$out/coldstart.md"
}

# Load, dispatch rate, follow-up latency and summary scaling (bench/load):
# the product under concurrent submits, each figure beside its reference
# measured in the same run. Each benchmark gets a fresh stack, as make
# test's batches do: DynamoDB Local keeps every stream record since it
# started and scans them all at each DescribeStream, so a benchmark run
# after another one measured that one's leftovers. go test applies no
# -timeout to benchmarks, so timeout(1) bounds each (BENCH_LOAD_TIMEOUT,
# default 30m): it signals test.sh, go test and the benchmark, and test.sh
# stops its stack on the way out.
load() {
	local names name code=0 one
	mapfile -t names < <(go test -list '^Benchmark' ./bench/load/ | grep '^Benchmark')
	if ((${#names[@]} == 0)); then
		echo "bench.sh: no benchmarks in bench/load" >&2
		return 1
	fi
	for name in "${names[@]}"; do
		CLOSELOOP_BENCH_MD="$out/load.md" CLOSELOOP_BENCH_JSON="$out/load.json" PKGS="./bench/load/" \
			timeout --kill-after 1m "${BENCH_LOAD_TIMEOUT:-30m}" infra/test.sh -run '^$' -bench "^$name\$" -benchtime 1x |
			{ grep -v '^20' || true; } >&2
		one=${PIPESTATUS[0]}
		if ((one == 124)); then
			echo "bench.sh: $name ran longer than ${BENCH_LOAD_TIMEOUT:-30m} and was stopped" >&2
		fi
		if ((one != 0)); then
			code=$one
		fi
	done
	return "$code"
}

step benchmarks benchmarks
step capacity capacity
step coldstart coldstart
step load load

mkdir -p bench
go run ./bench/collect -dir "$out" -started "$started" -json bench/results.json -md bench/results.md || status=1
exit "$status"
