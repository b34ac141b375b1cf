// Package testenv connects integration tests to the local AWS stack that
// `make test` (infra/test.sh) starts once for the whole run: DynamoDB Local,
// aws-ses-v2-local and moto's SQS on 127.0.0.1, plus the Lambda Runtime
// Interface Emulator binary. It reads where they are from
// CLOSELOOP_TEST_DYNAMODB_URL, CLOSELOOP_TEST_SES_URL, CLOSELOOP_TEST_SQS_URL
// and CLOSELOOP_TEST_RIE, and fails the test (never skips it) when one is
// unset, so that a run without the stack cannot pass by testing nothing.
//
// Tests share the stack and stay apart by creating their own tables
// (NewTable), queues and e-mail recipients.
package testenv
