// Package localaws runs the event sources Lambda would run, against the local
// emulators; never used by a deployed function.
//
// In AWS, event source mappings read the table's DynamoDB stream and the SQS
// queues and invoke the functions with batches. make dev and the integration
// tests have no Lambda service, so this package does the same against
// DynamoDB Local's streams and moto_server's SQS:
//
//   - LoadQueues and CreateQueues create the AWS::SQS::Queue resources of
//     template.yaml, dead-letter queues and redrive policies included, as
//     internal/tabledef does for the table: the template stays the only
//     definition.
//   - QueuePoller delivers SQS messages as events.SQSEvent and deletes what
//     the handler did not report as failed (ReportBatchItemFailures).
//   - StreamPoller delivers stream records as events.DynamoDBEvent with the
//     retry, partial-batch and on-failure behaviour of a stream event source
//     mapping.
//
// The events have the shapes Lambda delivers, so a handler that works here
// gets the same JSON in AWS.
package localaws
