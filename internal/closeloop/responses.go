package closeloop

import "time"

// ResponseFilter chooses the responses of a store to list, newest first.
type ResponseFilter struct {
	// From and To bound the answer times: at or after From and before To.
	// The caller turns the store's local days into these instants.
	From, To time.Time
	// Scores keeps the answers with one of these scores; empty keeps all.
	Scores []int
	// SKU keeps the answers about orders with this product; "" keeps all.
	SKU string
	// HasComment keeps only answers with (true) or without (false) a
	// comment; nil keeps all.
	HasComment *bool
	// Limit is the most responses a page holds.
	Limit int
	// Cursor is the previous page's next cursor, "" for the first page.
	Cursor string
	// CursorKey is the store's Store.CursorKey, which signs its cursors.
	CursorKey string
}
