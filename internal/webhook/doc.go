// Package webhook delivers webhook events to the URL a store configured,
// signed with the store's secrets, at least once.
//
// The stream relay puts one SQS message per event on the webhook queue; the
// Worker posts each to the store and, when the store does not answer 2xx,
// hides the message for a growing backoff so that SQS brings it back later.
// A delivered event is marked (Deliveries), so a message SQS hands out
// again after a success sends nothing. Receivers still dedupe by the
// event's id: two workers can hold copies of one message at once.
//
// Deliveries go through a client that only speaks https and only connects
// to public addresses, checked on every connection after DNS, so a store's
// URL can never reach the VPC, the instance metadata service or localhost.
// Receivers check the Closeloop-Signature header with Verify, or with the
// few lines of standard library in the package example.
package webhook
