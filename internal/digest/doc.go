// Package digest is the weekly email to store owners: every hour it looks
// at every store, and a store whose local time is on its digest weekday at
// or after 08:00 gets the digest of its last seven days against the seven
// before (sent, answered, response rate, CSAT and NPS with their changes),
// its worst products, its newest unhappy comments and the follow-ups
// overdue now. Each owner address gets it once per store and ISO week,
// however often the hourly run comes that day, through the one sending
// path (mailing.Sender). Each digest carries a link that turns the digest
// alone off for its address; the token in it is signed with a key derived
// from the store's own.
package digest
