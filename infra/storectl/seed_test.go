package main

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/dynamo"
	"github.com/closeloop/closeloop/internal/testenv"
)

// storeTotal sums a store's every day's tally, and lists the days counted.
func storeTotal(t *testing.T, db *dynamo.DB, storeID string) (closeloop.Tally, []string) {
	t.Helper()
	tallies, err := db.StoreTallies(context.Background(), storeID, "2000-01-01", "2099-12-31")
	if err != nil {
		t.Fatal(err)
	}
	var total closeloop.Tally
	var days []string
	for day, tally := range tallies {
		total.Add(tally)
		days = append(days, day)
	}
	return total, days
}

// newStore makes a table with store acme in Berlin, for storectl to work on.
func newStore(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	client := testenv.DynamoDB(t)
	table := testenv.NewTable(t, client)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", os.Getenv(testenv.EnvDynamoDBURL))
	t.Setenv("TABLE_NAME", "")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"create", "-table", table, "-store", "acme", "-time-zone", "Europe/Berlin"}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	return client, table
}

func TestSeedCommand(t *testing.T) {
	ctx := context.Background()
	client, table := newStore(t)
	db := dynamo.New(client, table)
	args := []string{"seed", "-table", table, "-store", "acme", "-days", "7", "-answers", "24"}
	var out bytes.Buffer
	if err := run(ctx, args, os.Getenv, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "sent, 24 answered") || !strings.Contains(out.String(), "0 orders seeded before") {
		t.Fatalf("output %q", out.String())
	}

	// The store's counters hold every send and answer, counted by the
	// writes that made them, on the seven days before today in Berlin.
	total, days := storeTotal(t, db, "acme")
	t.Logf("tallies: %+v", total)
	csat, nps := 0, 0
	for _, n := range total.CSAT {
		csat += n
	}
	for _, n := range total.NPS {
		nps += n
	}
	if total.Answered != 24 || csat != 24 || total.Sent <= 24 || nps == 0 || nps == 24 {
		t.Fatalf("tallies %+v: want 24 answers with a score, some with an NPS, and more surveys sent", total)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	today := time.Now().In(loc).Format(closeloop.DayLayout)
	weekAgo := time.Now().In(loc).AddDate(0, 0, -7).Format(closeloop.DayLayout)
	for _, day := range days {
		if day >= today || day < weekAgo {
			t.Errorf("day %s counted: want the 7 days before %s", day, today)
		}
	}
	// Mostly happy, a few not: those opened follow-up cases.
	if happy, unhappy := total.CSAT[3]+total.CSAT[4], total.CSAT[0]+total.CSAT[1]; happy < 12 || unhappy == 0 {
		t.Fatalf("scores %v: want mostly 4–5 and a few 1–2", total.CSAT)
	}
	if load, err := db.CaseLoad(ctx, "acme"); err != nil || load.Open == 0 || load.Open != total.Opened {
		t.Fatalf("case load %+v, %v; %d opened", load, err, total.Opened)
	}
	if !strings.Contains(out.String(), "("+strconv.Itoa(total.Opened)+" opened a follow-up), "+strconv.Itoa(total.Sent-24)+" left unanswered") {
		t.Fatalf("output %q, want %d opened and %d unanswered", out.String(), total.Opened, total.Sent-24)
	}
	// The responses, as listed under the store.
	listed, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "STORE#acme#RESPONSES"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var responses []closeloop.ResponseItem
	if err := attributevalue.UnmarshalListOfMapsWithOptions(listed.Items, &responses, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" }); err != nil || len(responses) != 24 {
		t.Fatalf("%d responses, %v", len(responses), err)
	}
	langs := map[string]bool{}
	for _, r := range responses {
		langs[closeloop.Language(r.Customer.Locale)] = true
		if !strings.HasPrefix(r.OrderID, "seed-") || r.Customer.Email != r.OrderID+"@example.com" || len(r.Items) == 0 || len(r.Items) > 3 {
			t.Errorf("response %+v", r)
		}
	}
	if !langs["en"] || !langs["ru"] {
		t.Errorf("languages %v, want en and ru", langs)
	}

	// A second run finds every order and adds nothing.
	out.Reset()
	if err := run(ctx, args, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	if want := "0 surveys created and 0 sent, 0 answered (0 opened a follow-up), 0 left unanswered; " + strconv.Itoa(total.Sent) + " orders seeded before, skipped"; !strings.Contains(out.String(), want) {
		t.Fatalf("second run %q, want %q", out.String(), want)
	}
	if again, _ := storeTotal(t, db, "acme"); !reflect.DeepEqual(again, total) {
		t.Fatalf("second run changed the tallies: %+v, was %+v", again, total)
	}

	// The same seed makes the same answers in another table.
	other, otherTable := newStore(t)
	if err := run(ctx, []string{"seed", "-table", otherTable, "-store", "acme", "-days", "7", "-answers", "24"}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	if same, _ := storeTotal(t, dynamo.New(other, otherTable), "acme"); !reflect.DeepEqual(same, total) {
		t.Fatalf("the same seed made %+v, then %+v", total, same)
	}

	for _, bad := range [][]string{
		{"seed", "-table", table, "-store", "nope"},
		{"seed", "-table", table, "-store", "acme", "-answers", "-1"},
		{"seed", "-table", table},
	} {
		if err := run(ctx, bad, os.Getenv, &out); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestBackfillCountersCommand(t *testing.T) {
	ctx := context.Background()
	client, table := newStore(t)
	db := dynamo.New(client, table)
	// A survey sent by the previous release: not in any counter.
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	old := map[string]types.AttributeValue{
		"pk": s("SURVEY#s_old"), "sk": s("#SURVEY"), "survey_id": s("s_old"), "store_id": s("acme"), "order_id": s("o-1"),
		"customer": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"email": s("ada@example.com")}},
		"items":    &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("KETTLE")}}}},
		"status":   s("sent"), "send_at": s("2026-11-20T10:00:00.000Z"), "sent_at": s("2026-11-20T10:00:01.000Z"),
		"closes_at": s("2026-12-04T10:00:00.000Z"), "created_at": s("2026-11-17T09:00:00.000Z"), "purchased_at": s("2026-11-17T09:00:00.000Z"),
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: old}); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"backfill-counters", "-table", table, "-dry-run"}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	if want := "dry run, nothing written: 4 items scanned: 1 surveys and 0 responses to count, 0 already counted"; !strings.Contains(out.String(), want) {
		t.Fatalf("dry run %q, want %q", out.String(), want)
	}
	if total, _ := storeTotal(t, db, "acme"); total.Sent != 0 {
		t.Fatalf("the dry run counted: %+v", total)
	}

	out.Reset()
	if err := run(ctx, []string{"backfill-counters", "-table", table}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"page 1: 4 items read, 4 so far", "4 items scanned: 1 surveys counted, 0 responses counted, 0 skipped (changed meanwhile), 0 already counted"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output %q lacks %q", out.String(), want)
		}
	}
	total, days := storeTotal(t, db, "acme")
	if !reflect.DeepEqual(total, closeloop.Tally{Sent: 1}) || len(days) != 1 || days[0] != "2026-11-20" {
		t.Fatalf("tallies %+v on %v", total, days)
	}
	if month, err := db.ProductMonth(ctx, "acme", "2026-11"); err != nil || month["KETTLE"].Sent != 1 {
		t.Fatalf("product month %+v, %v", month, err)
	}

	// Run again: nothing left to count.
	out.Reset()
	if err := run(ctx, []string{"backfill-counters", "-table", table}, os.Getenv, &out); err != nil {
		t.Fatal(err)
	}
	if want := "0 surveys counted, 0 responses counted, 0 skipped (changed meanwhile), 1 already counted"; !strings.Contains(out.String(), want) {
		t.Fatalf("second run %q, want %q", out.String(), want)
	}
	if again, _ := storeTotal(t, db, "acme"); !reflect.DeepEqual(again, total) {
		t.Fatalf("the second run counted: %+v", again)
	}
	if err := run(ctx, []string{"backfill-counters"}, os.Getenv, &out); err == nil || !strings.Contains(err.Error(), "-table") {
		t.Fatalf("backfill-counters without a table: %v", err)
	}
}
