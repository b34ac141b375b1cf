// Package reliability holds no code: its tests are the reliability suite
// of the whole product on the local stack (many clients at once on one
// survey, order or case; redelivered stream records and queue messages;
// SES throttled; DynamoDB Local killed and restarted under load). `make
// test` runs them at a size of hundreds of operations; `make soak`
// (CLOSELOOP_SOAK=1) at thousands.
package reliability
