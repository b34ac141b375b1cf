package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dashboard"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/secret"
	"github.com/closeloop/closeloop/internal/stores"
	"github.com/closeloop/closeloop/internal/survey"
)

// storeID is the store the sample events under events/ name.
const storeID = "shop-e2e"

// sampleEmail is the customer of the sample events.
const sampleEmail = "ada@example.com"

// fixture is a function's first event with the table it is answered
// from: a table of the function's own, put back to seed before each
// cold start and each replay of its requests.
type fixture struct {
	event []byte
	table string
	seed  []map[string]types.AttributeValue
	env   map[string]string // beside environment's
	// check says whether the function answered the event as it should.
	check func(resp []byte) error
}

// prepare creates name's table, seeds what its event needs and returns
// its fixture.
func prepare(ctx context.Context, s *stack, name string, queues map[string]string) (*fixture, error) {
	table := "coldstart-" + name + "-" + strings.ToLower(rand.Text()[:8])
	if err := s.newTable(ctx, table); err != nil {
		return nil, err
	}
	db := dynamo.New(s.db, table)
	settings := closeloop.DefaultSettings()
	settings.SurveyDelayHours = 0
	settings.SendWindow = closeloop.AnyHour()
	settings.Branding.Name = "Bench Shop"
	settings.OwnerEmails = []string{"owner@shop.test"}
	settings.SupportEmails = []string{"support@shop.test"}
	now := time.Now()
	_, key, err := stores.Create(ctx, db, storeID, settings, now)
	if err != nil {
		return nil, err
	}
	f := &fixture{table: table, env: map[string]string{}, check: batchDone}
	switch name {
	case "admin":
		f.event, err = sampleEvent("admin-get-points.json", "REPLACE_WITH_API_KEY", key)
		f.check = httpStatus(200)
	case "public":
		var token string
		if _, token, err = sentSurvey(ctx, db, now); err == nil {
			f.event, err = sampleEvent("public-get-survey.json", "REPLACE_WITH_TOKEN", token)
		}
		f.check = httpStatus(200)
	case "dashboard":
		// Not the sign-in form's POST: it answers no sooner than
		// signin.DefaultMinAnswer (700 ms), whatever the requests take.
		f.event, err = overview(ctx, db, now)
		f.env["PUBLIC_BASE_URL"] = ""
		f.check = httpStatus(200)
	case "floor-ddb-get":
		f.event, f.check = []byte("{}"), func([]byte) error { return nil }
	case "dispatch", "sla", "digest":
		f.event, err = sampleEvent(name + "-schedule.json")
		f.check = func([]byte) error { return nil }
	case "relay":
		f.event, err = sampleEvent("relay-stream.json")
	case "followup":
		var sv closeloop.Survey
		if sv, err = answered(ctx, db, now, closeloop.Answer{Score: "1", Comment: "The teapot arrived with a cracked lid."}); err == nil {
			if sv.Response == nil || sv.Response.CaseID == "" {
				return nil, fmt.Errorf("followup: the unhappy answer opened no case")
			}
			f.event, err = sampleEvent("followup-queue.json", "c_7fw2nc5rjq4xkmt3", sv.Response.CaseID)
		}
	case "webhook":
		// The production binary refuses loopback addresses, and a bench
		// has no other receiver: the store has no webhook URL, and the
		// worker reads it and is done.
		f.event, err = sampleEvent("webhook-queue.json")
	case "sesevents":
		f.event, err = sampleEvent("sesevents-complaint.json")
	case "replies":
		f.event, err = reply(ctx, db, now)
	case "shophooks":
		f.event, err = sampleEvent("shophooks-queue.json")
	default:
		return nil, fmt.Errorf("no first event for %s", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for k, v := range queues {
		f.env[k] = v
	}
	f.seed, err = s.items(ctx, table)
	return f, err
}

// sampleEvent reads events/file with each old string of oldnew replaced by the
// new one after it.
func sampleEvent(file string, oldnew ...string) ([]byte, error) {
	b, err := os.ReadFile("events/" + file)
	if err != nil {
		return nil, err
	}
	return []byte(strings.NewReplacer(oldnew...).Replace(string(b))), nil
}

// sentSurvey takes an order for the sample customer through ingest and
// dispatch's claim and mark (the email itself left out), as the e2e
// tests do, and returns the sent survey and its link token.
func sentSurvey(ctx context.Context, db *dynamo.DB, at time.Time) (closeloop.Survey, string, error) {
	clock := func() time.Time { return at }
	store, err := db.Store(ctx, storeID)
	if err != nil {
		return closeloop.Survey{}, "", err
	}
	order := closeloop.Order{
		OrderID:     "ord-bench-1",
		Customer:    closeloop.Customer{Email: sampleEmail, Name: "Ada", Locale: "en-GB"},
		Items:       []closeloop.Item{{SKU: "TEA-3", Name: "Teapot"}, {SKU: "MUG-1", Name: "Mug"}},
		PurchasedAt: at.Add(-time.Hour),
	}
	results, err := survey.NewService(db, db, clock).Ingest(ctx, store, []closeloop.Order{order}, false)
	if err != nil {
		return closeloop.Survey{}, "", err
	}
	sv := results[0].Survey
	due, err := db.DueSurveys(ctx, at, 10)
	if err != nil {
		return closeloop.Survey{}, "", err
	}
	for _, d := range due {
		if d.Survey.SurveyID != sv.SurveyID {
			continue
		}
		token, tokenHash := secret.NewToken(sv.SurveyID)
		_, unsubscribeHash := secret.NewToken(sv.SurveyID)
		lease, result, err := db.Claim(ctx, d, at.Add(time.Minute), tokenHash, unsubscribeHash)
		if err != nil || result != closeloop.Claimed {
			return closeloop.Survey{}, "", fmt.Errorf("claim survey %s: %v, %v", sv.SurveyID, result, err)
		}
		if held, err := db.MarkSent(ctx, lease, at, sv.ClosesAt, store.Settings.Branding, store.Settings.DefaultLocale); !held || err != nil {
			return closeloop.Survey{}, "", fmt.Errorf("mark survey %s sent: held %v, %v", sv.SurveyID, held, err)
		}
		return sv, token, nil
	}
	return closeloop.Survey{}, "", fmt.Errorf("survey %s is not due", sv.SurveyID)
}

// answered is a sent survey the customer answered with a.
func answered(ctx context.Context, db *dynamo.DB, at time.Time, a closeloop.Answer) (closeloop.Survey, error) {
	_, token, err := sentSurvey(ctx, db, at)
	if err != nil {
		return closeloop.Survey{}, err
	}
	sv, state, problems, err := survey.NewService(db, db, func() time.Time { return at }).Submit(ctx, token, a)
	if err != nil || len(problems) > 0 || state != survey.Answered {
		return closeloop.Survey{}, fmt.Errorf("answer survey: state %v, problems %v, %v", state, problems, err)
	}
	return sv, nil
}

// sampleReplyAddress is the reply address of events/replies-received.json.
const sampleReplyAddress = "reply+aeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaib@reply.example.com"

// reply is events/replies-received.json sent to the genuine reply address
// of a case an unhappy answer opened: in the notification's fields and in
// the raw email it carries.
func reply(ctx context.Context, db *dynamo.DB, now time.Time) ([]byte, error) {
	sv, err := answered(ctx, db, now, closeloop.Answer{Score: "1", Comment: "The mug arrived with a crack in the handle."})
	if err != nil {
		return nil, err
	}
	if sv.Response == nil || sv.Response.CaseID == "" {
		return nil, fmt.Errorf("the unhappy answer opened no case")
	}
	store, err := db.Store(ctx, storeID)
	if err != nil {
		return nil, err
	}
	addr, ok := closeloop.ReplyAddress(store, sv.Response.CaseID, "reply.example.com", now)
	if !ok {
		return nil, fmt.Errorf("no reply address for case %s", sv.Response.CaseID)
	}
	b, err := sampleEvent("replies-received.json")
	if err != nil {
		return nil, err
	}
	var ev events.SQSEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, err
	}
	var sns map[string]any
	if err := json.Unmarshal([]byte(ev.Records[0].Body), &sns); err != nil {
		return nil, err
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(msg["content"].(string))
	if err != nil {
		return nil, err
	}
	msg["content"] = base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(string(raw), sampleReplyAddress, addr)))
	m, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	sns["Message"] = strings.ReplaceAll(string(m), sampleReplyAddress, addr)
	body, err := json.Marshal(sns)
	if err != nil {
		return nil, err
	}
	ev.Records[0].Body = string(body)
	return json.Marshal(ev)
}

// overview is GET /app/overview from the owner, signed in to the store:
// events/dashboard-get-login.json with the path and the session cookie
// of a session seeded in the table. The session was last seen an hour
// from now, so it is not stale (and written) while the bench runs.
func overview(ctx context.Context, db *dynamo.DB, now time.Time) ([]byte, error) {
	cookie, hash := secret.NewCredential()
	csrf, _ := secret.NewCredential()
	err := db.PutSession(ctx, hash, closeloop.Session{Email: "owner@shop.test", StoreID: storeID, Stores: 1, CSRF: csrf,
		CreatedAt: now, SeenAt: now.Add(time.Hour)})
	if err != nil {
		return nil, err
	}
	b, err := sampleEvent("dashboard-get-login.json")
	if err != nil {
		return nil, err
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, err
	}
	ev.RawPath, ev.RequestContext.HTTP.Path, ev.PathParameters["proxy"] = "/app/overview", "/app/overview", "overview"
	ev.Cookies = []string{dashboard.SessionCookie + "=" + cookie}
	return json.Marshal(ev)
}

// httpStatus checks an HTTP API response's status.
func httpStatus(want int) func([]byte) error {
	return func(resp []byte) error {
		var r struct {
			StatusCode int `json:"statusCode"`
		}
		if err := json.Unmarshal(resp, &r); err != nil || r.StatusCode != want {
			return fmt.Errorf("status %d (%v), want %d: %.300s", r.StatusCode, err, want, resp)
		}
		return nil
	}
}

// batchDone checks that a batch's response reports no failed item.
func batchDone(resp []byte) error {
	var r struct {
		Failures []json.RawMessage `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || len(r.Failures) > 0 {
		return fmt.Errorf("batch response %.300s (%v), want no failures", resp, err)
	}
	return nil
}

// firstEvents describe each function's first event (the sample under events/
// it is made from).
var firstEvents = map[string]string{
	"admin":     "GET /v1/customers/{email}/points with the store's key (admin-get-points.json)",
	"dashboard": "GET /app/overview signed in as the owner (dashboard-get-login.json with a seeded session)",
	"digest":    "the hourly schedule, no store due a digest (digest-schedule.json)",
	"dispatch":  "the minute's schedule, no survey due (dispatch-schedule.json)",
	"followup":  "the task of a case an unhappy answer opened: support alert and acknowledgement (followup-queue.json)",
	"public":    "GET /s/{token} of a sent survey (public-get-survey.json)",
	"relay":     "the sample stream batch: answers, a case opened and one resolved (relay-stream.json)",
	"replies":   "a customer's reply to the reply address of a case an unhappy answer opened (replies-received.json)",
	"sesevents": "a complaint (sesevents-complaint.json)",
	"shophooks": "a Shopify orders/create delivery (shophooks-queue.json)",
	"sla":       "the schedule, no case overdue (sla-schedule.json)",
	"webhook":   "a webhook task of a store without a webhook URL: the binary refuses loopback receivers, so no POST (webhook-queue.json)",
}
