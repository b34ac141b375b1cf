package dynamo_test

import (
	"context"
	"maps"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// oldStore is a store item as the previous release wrote it, in time zone tz.
func oldStore(tz string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": attrS("STORE#shop"), "sk": attrS("#SETTINGS"), "store_id": attrS("shop"), "created_at": attrS("2026-01-05T09:30:00.000Z"),
		"settings": attrM(map[string]types.AttributeValue{"time_zone": attrS(tz), "csat_threshold": attrN("2"), "sla_hours": attrN("24")}),
	}
}

// oldResponse is a response as the previous release wrote it: no counted,
// sent_at, time_zone or skus.
func oldResponse(surveyID, email, answeredAt string, score, nps, points int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": attrS("STORE#shop#RESPONSES"), "sk": attrS(answeredAt + "#" + surveyID), "type": attrS("response"), "email": attrS(email),
		"store_id": attrS("shop"), "survey_id": attrS(surveyID), "order_id": attrS("o-" + surveyID),
		"customer":    attrM(map[string]types.AttributeValue{"email": attrS(email)}),
		"items":       &types.AttributeValueMemberL{Value: []types.AttributeValue{attrM(map[string]types.AttributeValue{"sku": attrS("bean-1")})}},
		"answered_at": attrS(answeredAt), "score": attrN(strconv.Itoa(score)), "nps": attrN(strconv.Itoa(nps)), "points": attrN(strconv.Itoa(points)),
	}
}

// allTallies is a store's every day's tally.
func allTallies(t *testing.T, db *dynamo.DB, storeID string) map[string]closeloop.Tally {
	t.Helper()
	got, err := db.StoreTallies(context.Background(), storeID, "2000-01-01", "2099-12-31")
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// productDays is a store's product tallies of November 2026, by SKU and day.
func productDays(t *testing.T, db *dynamo.DB) map[string]closeloop.Tally {
	t.Helper()
	days, err := db.ProductDays(context.Background(), "shop", "2026-11-01", "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]closeloop.Tally{}
	for _, d := range days {
		got[d.SKU+" "+d.Day] = d.Tally
	}
	return got
}

// sendAndAnswer sends and answers a survey through this release's own
// path, which counts both as they happen.
func sendAndAnswer(t *testing.T, db *dynamo.DB, s closeloop.Survey, sentAt, answeredAt time.Time, r closeloop.Response) {
	t.Helper()
	ctx := context.Background()
	if _, created, err := db.CreateSurvey(ctx, s, 0); err != nil || !created {
		t.Fatalf("create survey: %v %v", created, err)
	}
	due, err := db.DueSurveys(ctx, sentAt, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if d.Survey.SurveyID != s.SurveyID {
			continue
		}
		lease, _, err := db.Claim(ctx, d, sentAt.Add(time.Minute), "h-"+s.SurveyID, "u-"+s.SurveyID)
		if err != nil {
			t.Fatal(err)
		}
		if held, err := db.MarkSent(ctx, lease, sentAt, s.ClosesAt, closeloop.Branding{}, "en"); err != nil || !held {
			t.Fatalf("mark sent: %v %v", held, err)
		}
	}
	sent, err := db.Survey(ctx, s.SurveyID)
	if err != nil || sent.Status != closeloop.StatusSent {
		t.Fatalf("survey after the send: %+v, %v", sent, err)
	}
	if _, ok, err := db.Answer(ctx, sent, r, nil, answeredAt); err != nil || !ok {
		t.Fatalf("answer: %v %v", ok, err)
	}
}

func TestBackfillCounters(t *testing.T) {
	ctx := context.Background()
	var counter testenv.RequestCounter
	client := testenv.DynamoDB(t, counter.Register)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)

	ada, bob := "ada@example.com", "bob@example.com"
	grinder := attrM(map[string]types.AttributeValue{"sku": attrS("GRINDER"), "name": attrS("Hand grinder")})
	bean := attrM(map[string]types.AttributeValue{"sku": attrS("bean-1")})
	putRaw(t, client, table,
		oldStore("Europe/Berlin"),
		// Sent at 00:30 in Berlin: the store's day, not UTC's, for a survey
		// from before policies.
		oldSurvey("s_sent", ada, "sent", map[string]types.AttributeValue{
			"sent_at": attrS("2026-11-20T23:30:00Z"),
			"items":   &types.AttributeValueMemberL{Value: []types.AttributeValue{bean, grinder, bean}},
		}),
		oldSurvey("s_answered", bob, "answered", map[string]types.AttributeValue{
			"sent_at": attrS("2026-11-20T10:00:00.000Z"), "answered_at": attrS("2026-11-22T08:00:00.000Z"),
			"response": attrM(map[string]types.AttributeValue{"score": attrN("2"), "nps": attrN("4"), "points": attrN("50")}),
		}),
		oldResponse("s_answered", bob, "2026-11-22T08:00:00.000Z", 2, 4, 50),
		// Never sent: nothing to count.
		oldSurvey("s_scheduled", "carol@example.com", "scheduled", nil),
	)
	// A survey sent and answered by this release: counted as it happened.
	now := time.Now().UTC().Truncate(time.Millisecond)
	current := closeloop.Survey{
		SurveyID: "s_current", StoreID: "shop", OrderID: "o-current", Customer: closeloop.Customer{Email: "dan@example.com"},
		Items: []closeloop.Item{{SKU: "KETTLE"}}, Status: closeloop.StatusScheduled,
		PurchasedAt: now.Add(-2 * time.Hour), SendAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour), CreatedAt: now.Add(-2 * time.Hour),
		Offer: closeloop.PointsOffer{PerAnswer: 50}, Policy: closeloop.FollowupPolicy{CSATThreshold: 2, SLAHours: 24, TimeZone: "Europe/Berlin"},
	}
	sendAndAnswer(t, db, current, now.Add(-time.Hour), now, closeloop.Response{Score: 5, Points: 50})
	before := allTallies(t, db, "shop")

	// The dry run counts what is to do and writes nothing.
	counter.Reset()
	plan, err := db.PlanBackfillCounters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (dynamo.BackfillReport{Scanned: plan.Scanned, SurveysCounted: 2, ResponsesCounted: 1, AlreadyCounted: 2}); plan != want {
		t.Fatalf("dry run: got %+v, want %+v", plan, want)
	}
	if c := counter.Counts(); c["TransactWriteItems"]+c["UpdateItem"]+c["PutItem"] != 0 {
		t.Fatalf("the dry run wrote: %v", c)
	}

	var pages []dynamo.BackfillProgress
	got, err := db.BackfillCounters(ctx, func(p dynamo.BackfillProgress) { pages = append(pages, p) })
	if err != nil {
		t.Fatal(err)
	}
	if want := (dynamo.BackfillReport{Scanned: plan.Scanned, SurveysCounted: 2, ResponsesCounted: 1, AlreadyCounted: 2}); got != want {
		t.Fatalf("first run: got %+v, want %+v", got, want)
	}
	if len(pages) != 1 || pages[0].Page != 1 || pages[0].Items != got.Scanned || pages[0].Totals.Scanned != got.Scanned {
		t.Fatalf("progress %+v, want one page of %d items", pages, got.Scanned)
	}

	// The store's counters: what was there, and exactly the old facts.
	var low closeloop.Tally
	low.CSAT[1], low.NPS[4], low.Points = 1, 1, 50
	want := maps.Clone(before)
	for day, add := range map[string]closeloop.Tally{
		"2026-11-20": {Sent: 1, Answered: 1}, // s_answered's send, and its answer on its send day
		"2026-11-21": {Sent: 1},              // s_sent
		"2026-11-22": low,                    // the answer's score, NPS and points on its day
	} {
		sum := want[day]
		sum.Add(add)
		want[day] = sum
	}
	if after := allTallies(t, db, "shop"); !reflect.DeepEqual(after, want) {
		t.Fatalf("store tallies\n got %+v\nwant %+v", after, want)
	}

	// The products' counters: the old facts only. s_current's are the
	// stream relay's to count, never the backfill's.
	wantDays := map[string]closeloop.Tally{
		"bean-1 2026-11-20":  {Sent: 1, Answered: 1},
		"bean-1 2026-11-21":  {Sent: 1},
		"GRINDER 2026-11-21": {Sent: 1},
		"bean-1 2026-11-22":  low,
	}
	if got := productDays(t, db); !reflect.DeepEqual(got, wantDays) {
		t.Fatalf("product days\n got %+v\nwant %+v", got, wantDays)
	}
	month, err := db.ProductMonth(ctx, "shop", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	bean1 := closeloop.Tally{Sent: 2, Answered: 1}
	bean1.Add(low)
	if len(month) != 2 || !reflect.DeepEqual(month["bean-1"].Tally, bean1) || !reflect.DeepEqual(month["GRINDER"].Tally, closeloop.Tally{Sent: 1}) || month["GRINDER"].Name != "Hand grinder" {
		t.Fatalf("product month %+v", month)
	}

	// The response now reads as one this release writes.
	resp := getRaw(t, client, table, "STORE#shop#RESPONSES", "2026-11-22T08:00:00.000Z#s_answered")
	skus, _ := resp["skus"].(*types.AttributeValueMemberSS)
	if c, _ := resp["counted"].(*types.AttributeValueMemberBOOL); c == nil || !c.Value ||
		attrString(resp, "sent_at") != "2026-11-20T10:00:00.000Z" || attrString(resp, "time_zone") != "Europe/Berlin" ||
		skus == nil || len(skus.Value) != 1 || skus.Value[0] != "bean-1" {
		t.Fatalf("response after the backfill: %v", resp)
	}
	if c, _ := getRaw(t, client, table, "SURVEY#s_sent", "#SURVEY")["counted_sent"].(*types.AttributeValueMemberBOOL); c == nil || !c.Value {
		t.Fatal("s_sent has no counted_sent")
	}

	// A second run counts nothing.
	counter.Reset()
	again, err := db.BackfillCounters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The three surveys sent and the two responses; it reads the counters
	// and marks too.
	if wantReport := (dynamo.BackfillReport{Scanned: again.Scanned, AlreadyCounted: 5}); again != wantReport || again.Scanned <= got.Scanned {
		t.Fatalf("second run: got %+v, want %+v", again, wantReport)
	}
	if c := counter.Counts(); c["TransactWriteItems"]+c["UpdateItem"]+c["PutItem"] != 0 {
		t.Fatalf("the second run wrote: %v", c)
	}
	if after := allTallies(t, db, "shop"); !reflect.DeepEqual(after, want) {
		t.Fatalf("store tallies after the second run\n got %+v\nwant %+v", after, want)
	}
	if got := productDays(t, db); !reflect.DeepEqual(got, wantDays) {
		t.Fatalf("product days after the second run\n got %+v\nwant %+v", got, wantDays)
	}
}

// TestBackfillCountersSkipsItemsChangedMeanwhile runs a second backfill
// between the first one's read and its writes: the first finds every fact
// counted meanwhile, skips it, and nothing is counted twice.
func TestBackfillCountersSkipsItemsChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	db := dynamo.New(client, table)
	putRaw(t, client, table,
		oldStore("UTC"),
		oldSurvey("s_1", "ada@example.com", "sent", map[string]types.AttributeValue{"sent_at": attrS("2026-11-20T10:00:00.000Z")}),
		oldSurvey("s_2", "bob@example.com", "answered", map[string]types.AttributeValue{"sent_at": attrS("2026-11-20T11:00:00.000Z"), "answered_at": attrS("2026-11-21T08:00:00.000Z")}),
		oldResponse("s_2", "bob@example.com", "2026-11-21T08:00:00.000Z", 5, 10, 75),
	)

	var other dynamo.BackfillReport
	first, err := db.BackfillCounters(ctx, func(dynamo.BackfillProgress) {
		var err error
		if other, err = db.BackfillCounters(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if other.SurveysCounted != 2 || other.ResponsesCounted != 1 || other.Skipped != 0 {
		t.Fatalf("the run between: %+v", other)
	}
	if want := (dynamo.BackfillReport{Scanned: first.Scanned, Skipped: 3}); first != want {
		t.Fatalf("first run: got %+v, want %+v", first, want)
	}
	var five closeloop.Tally
	five.CSAT[4], five.NPS[10], five.Points = 1, 1, 75
	want := map[string]closeloop.Tally{"2026-11-20": {Sent: 2, Answered: 1}, "2026-11-21": five}
	if got := allTallies(t, db, "shop"); !reflect.DeepEqual(got, want) {
		t.Fatalf("store tallies\n got %+v\nwant %+v", got, want)
	}
	wantDays := map[string]closeloop.Tally{"bean-1 2026-11-20": {Sent: 2, Answered: 1}, "bean-1 2026-11-21": five}
	if got := productDays(t, db); !reflect.DeepEqual(got, wantDays) {
		t.Fatalf("product days\n got %+v\nwant %+v", got, wantDays)
	}
	if third, err := db.BackfillCounters(ctx, nil); err != nil || third.SurveysCounted+third.ResponsesCounted+third.Skipped != 0 || third.AlreadyCounted != 3 {
		t.Fatalf("third run: %+v, %v", third, err)
	}
}
