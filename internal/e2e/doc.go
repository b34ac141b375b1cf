// Package e2e holds end-to-end tests of the real bootstrap binaries under
// the Lambda Runtime Interface Emulator: each function is built as it is
// for Lambda (CGO_ENABLED=0, -tags lambda.norpc) but for the host, run by
// aws-lambda-rie with only the environment template.yaml would give it,
// and invoked with the events in events/ against the local AWS stack that
// `make test` starts (DynamoDB Local, the SES emulator and moto's SQS,
// where each test creates template.yaml's queues under names of its own).
//
// The tests log each function's Init Duration from the emulator's REPORT
// line: the cold-start numbers of the binaries as built.
package e2e
