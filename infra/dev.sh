#!/usr/bin/env bash
# make dev: installs and starts the local AWS stack "dev" (DynamoDB Local on
# 8000, the SES inbox on 8005, SQS on 5005), then runs every function's
# handler in one process on http://localhost:8080 with a demo store, which
# storectl seed fills with a week of answers once the server is up. Ctrl-C
# stops all of it.
set -euo pipefail

cd "$(dirname "$0")/.."

infra/stack.sh install
trap 'infra/stack.sh stop dev' EXIT
trap 'exit 130' INT TERM
infra/stack.sh start dev 8000 8005 5005

export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000
export AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:8005
export AWS_ENDPOINT_URL_SQS=http://127.0.0.1:5005
export TABLE_NAME=closeloop-dev
export PUBLIC_BASE_URL=http://localhost:8080
export SENDER_ADDRESS=feedback@demo-coffee.example
export STAGE=dev
export REPLY_DOMAIN=reply.demo-coffee.example

go build -o .local/bin/devserver ./infra/devserver
go build -o .local/bin/storectl ./infra/storectl

# seed_demo waits for the devserver (it creates the table and the demo store,
# writes .local/demo.json, then serves) and seeds the demo store's answers
# through storectl, as the product's own writes, so that the summaries and
# products have something to show. The stream relay then sends their
# thank-you and acknowledgement emails to the seeded addresses.
seed_demo() {
	local deadline=$((SECONDS + 120))
	while ((SECONDS < deadline)); do
		if curl -s -o /dev/null --max-time 1 http://127.0.0.1:8080/ && [[ -s .local/demo.json ]]; then
			# exec: the seeder's pid is storectl's, for the EXIT trap to stop.
			exec .local/bin/storectl seed -table "$TABLE_NAME" -store demo -days 7 -answers 24
		fi
		sleep 0.2
	done
	echo "dev.sh: the devserver did not answer on 127.0.0.1:8080; the demo store is not seeded" >&2
}
seed_demo &
seeder=$!
# The seeder runs in the background, where Ctrl-C does not reach it: stop it
# before the stack.
trap 'kill "$seeder" 2>/dev/null || true; infra/stack.sh stop dev' EXIT

# In the foreground, for Ctrl-C; not exec: the EXIT trap must still stop the
# seeder and the stack when the server ends.
.local/bin/devserver -addr 127.0.0.1:8080 -inbox http://localhost:8005 "$@"
