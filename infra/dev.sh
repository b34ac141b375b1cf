#!/usr/bin/env bash
# make dev: installs and starts the local AWS stack "dev" (DynamoDB Local on
# 8000, the SES inbox on 8005, SQS on 5005), then runs every function's
# handler in one process on http://localhost:8080 with a demo store. Ctrl-C
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

go build -o .local/bin/devserver ./infra/devserver
# Not exec: the EXIT trap must still stop the stack when the server ends.
.local/bin/devserver -addr 127.0.0.1:8080 -inbox http://localhost:8005 "$@"
