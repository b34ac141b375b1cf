package dashboard

// SetPageSizes makes the queue's and the responses' pages hold queue and
// responses items, for tests that page through a few; restore puts the
// sizes back.
func SetPageSizes(queue, responses int) (restore func()) {
	oldQueue, oldResponses := queuePageSize, responsesPageSize
	queuePageSize, responsesPageSize = queue, responses
	return func() { queuePageSize, responsesPageSize = oldQueue, oldResponses }
}
