// Package dynamo stores the domain in one DynamoDB table (single-table
// design, defined in template.yaml).
//
// Key layout (pk / sk):
//
//	STORE#{store}                      #SETTINGS              the store and its settings
//	STORE#{store}                      APIKEY#{key}           an API key, for listing (no secret)
//	APIKEY#{sha256(secret)}            #APIKEY                an API key, for authenticating
//	STORE#{store}#ORDER#{order}        #ORDER                 one per order: the survey it got
//	SURVEY#{survey}                    #SURVEY                a survey, its response and link-token hashes
//	STORE#{store}#CUSTOMER#{email}     #PROFILE               balance, contact budget, suppression
//	STORE#{store}#CUSTOMER#{email}     LEDGER#{at}#{survey}   points ledger: an answer's award
//	STORE#{store}#CUSTOMER#{email}     LEDGER#{at}#adjust#{k} points ledger: an adjustment
//	STORE#{store}#CUSTOMER#{email}     ADJUST#{k}             an adjustment's idempotency record
//	STORE#{store}#RESPONSES            {at}#{survey}          responses, by time
//
// The sparse index "due" (due_pk, due_sk) holds the surveys that need the
// dispatcher at a time: due_pk is one of a few shards, due_sk is the time,
// then the survey ID. A scheduled survey is due at its send time; a claimed
// one at the end of its lease, so a crashed sender's survey comes back.
//
// Domain types are stored with their JSON field names (attributevalue with
// TagKey "json"), so the table reads like the API.
package dynamo
