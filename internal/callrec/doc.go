// Package callrec records the AWS API calls a function makes, as IAM
// authorizes them, for the permissions test (infra/permissions_test.go).
//
// None of the local emulators enforce IAM, so a call template.yaml does not
// grant passes every local test and is denied in AWS. The recorder is SDK
// middleware (an aws.Config APIOptions entry, so one covers the DynamoDB,
// SES v2 and SQS clients alike) that appends one JSON line per distinct
// call to a file under the directory named by CLOSELOOP_RECORD_CALLS: the
// function, the operation, and each action and resource ARN IAM checks for
// it. A TransactWriteItems becomes one request per item (PutItem,
// UpdateItem, DeleteItem, ConditionCheckItem), as IAM authorizes it; a
// SendEmail becomes its identities and configuration set.
//
// Only `make test` sets the variable; deployed functions never record.
package callrec
