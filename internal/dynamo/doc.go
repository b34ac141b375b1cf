// Package dynamo stores the domain in one DynamoDB table (single-table
// design, defined in template.yaml).
//
// Key layout (pk / sk):
//
//	STORE#{store}                      #SETTINGS              the store and its settings
//	STORE#{store}                      APIKEY#{key}           an API key, for listing (no secret)
//	APIKEY#{sha256(secret)}            #APIKEY                an API key, for authenticating
//	STORE#{store}#ORDER#{order}        #ORDER                 one per order: the survey it got
//	STORE#{store}#ORDER#{order}        #EARLY                 the order's events that came before it (events.go; TTL 30 days)
//	SURVEY#{survey}                    #SURVEY                a survey, its response and link-token hashes
//	STORE#{store}#CUSTOMER#{email}     #PROFILE               balance, contact budget, suppression
//	STORE#{store}#CUSTOMER#{email}     LEDGER#{at}#{survey}   points ledger: an answer's award
//	STORE#{store}#CUSTOMER#{email}     LEDGER#{at}#adjust#{k} points ledger: an adjustment
//	STORE#{store}#CUSTOMER#{email}     ADJUST#{k}             an adjustment's idempotency record
//	STORE#{store}#CUSTOMER#{email}     SURVEY#{created}#{id}  a pointer to each of the customer's surveys
//	STORE#{store}#RESPONSES            {at}#{survey}          responses, by time (type "response")
//	CASE#{case}                        #CASE                  a follow-up case with its notes (type "case")
//	DELIVERY#{kind}#{about}#{to hash}  #DELIVERY              an email sent at most once (TTL 30 days)
//	WEBHOOK#{event}                    #DELIVERED             a webhook event delivered (TTL 30 days)
//	STORE#{store}#ALERTS               HOUR#{hour}            the cases queued for a store's hourly alert (alerts.go; TTL)
//	ALERTCASE#{case}                   #ALERTCASE             the hour a case was queued in, once per case (TTL 30 days)
//	STORE#{store}#STATS                D#{day}#{shard}        a store-local day's counters (stats.go)
//	STORE#{store}#STATS                NOW#{shard}            the store's open and overdue cases
//	STORE#{store}#PRODUCTS#{yyyy-mm}   D#{day}#{sku} · M#{sku} a product's day and month counters
//	MARK#{fact}                        #{n}                   products' counters applied (TTL 30 days)
//	SLA                                #CHECKED               the last SLA check, which overdue counts are as of
//	DISPATCH#LOCK                      #LOCK                  the dispatch run lock (holder, lease; TTL)
//	STORE#{store}#SUPPRESSED#{hash}    #SUPPRESSED            an erased person's suppression: address hashed and masked
//	STORE#{store}                      #MAILEVENTS            the store's transient bounce count
//	MAILEVENT#transient#{msg}#{hash}   #MAILEVENT             a transient bounce counted (TTL 30 days)
//	SHOPHOOK#{platform}#{store}#{id}   #DONE                  a shop webhook delivery handled (shophooks.go; TTL 30 days)
//	STORE#{store}                      #SHOPHOOKS             the store's shop orders not surveyed, by reason (skipped_{reason})
//	STAFF#{email}                      STORE#{store}          the address is owner or support of the store (signin.go)
//	SIGNIN#{sha256(token)}             #SIGNIN                a dashboard sign-in link (TTL 15 minutes)
//	SESSION#{sha256(cookie)}           #SESSION               a dashboard session (TTL its expiry)
//	RATE#{limit}#{subject hash}        {window start}         a sign-in rate limit's count (TTL the window's end)
//
// The sparse index "due" (due_pk, due_sk) holds what needs a scheduled
// function at a time: due_pk is one of a few shards, due_sk is the time,
// then the ID. Surveys are under DUE#{n}: a scheduled survey is due at its
// send time, a claimed one at the end of its lease, so a crashed sender's
// survey comes back. A pending one (waiting for its order's fulfilment or
// delivery) is due at its max-wait time, and one due outside its store's
// send window is moved to the window's next opening. An order event is
// recorded on its survey (fulfilled_at, delivered_at: events.go). Unresolved cases are under SLA#{n}, due at their due
// time and then one SLA period after each re-alert. A store's unsent
// hourly alert of new cases is under ALERT#{n}, due at the end of its hour.
// Resolved cases awaiting their recovery check are under RECHECK#{n}, due
// recheck_after_hours after the resolution, then at the end of the sender's
// lease (recheck.go).
//
// The overloaded index "lists" (list_pk, list_sk) holds the lists the API
// pages through: a store's cases under STORE#{store}#CASES#active (open and
// claimed) or #resolved, by opening time; a store's suppressed addresses
// under STORE#{store}#SUPPRESSED, by the time of suppression (suppressed
// profiles, and what erasing a suppressed person leaves).
//
// A case item also lists in reply_ids the note IDs of the customer's
// emailed replies it holds (replies.go): the write that adds a reply is
// conditioned on its ID not being there, so a reply SES or SQS delivers
// twice is one note.
//
// Every stored time is one fixed-width format (2006-01-02T15:04:05.000Z),
// so that conditions and sort keys compare strings as times.
//
// Retention (privacy.go): a survey, its order marker and pointer, and its
// answer's response, ledger entry and case carry expires_at (epoch
// seconds, the table's TTL) = the survey's creation + the store's
// retention_months copied onto it; an adjustment's ledger entry and record
// its own time + the retention. Reads treat an item past expires_at as
// gone, as TTL deletes late. Profiles never expire: the balance keeps the
// points of expired ledger entries. Export and erase find a customer's
// items by key alone: the customer's partition, then the surveys its
// pointers name (SURVEY#{id}, CASE#{CaseIDFor(id)}, and the response at
// STORE#{store}#RESPONSES / {answered_at}#{id}). Erasing keeps the hashed
// STORE#{store}#SUPPRESSED#{hash} entry, which ingest reads,
// and a suppressed profile for the placeholder address the kept records
// name (closeloop.ErasedEmail).
//
// The relay on the table's stream acts on items by their "type" attribute
// ("response", "case"); the event source mapping filters on it.
//
// The store item keeps its shop platforms' webhook secrets in
// shop_secrets ({shopify, woocommerce}), outside its settings.
//
// Domain types are stored with their JSON field names (attributevalue with
// TagKey "json"), so the table reads like the API.
package dynamo
