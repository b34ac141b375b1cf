// Package cursor makes the opaque cursors of list pages. A cursor carries
// where the next page starts (a DynamoDB key) as base64url JSON, signed
// with the store's key so that a client can neither forge one nor bend one
// into a key of its own choosing: the lists only have to check that the
// decoded key lies in the partition they read.
package cursor
