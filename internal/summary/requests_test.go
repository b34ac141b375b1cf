package summary_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/apptest"
	"github.com/closeloop/closeloop/internal/closeloop"
	"github.com/closeloop/closeloop/internal/summary"
)

// seedAnswers adds n answers, spread over the days before today, to the
// store's counters through the counters' own writing code, each answer on
// the shard of its own survey ID.
func seedAnswers(t *testing.T, f *apptest.Fixture, n, days int) {
	t.Helper()
	ctx := context.Background()
	// One transaction per survey ID would take minutes for 10,000: the
	// answers of one shard and day are summed first, which is what the
	// counters hold either way.
	byID := map[string]closeloop.Tallies{}
	for i := range n {
		day := f.Clock.Now().AddDate(0, 0, -(i % days)).Format(closeloop.DayLayout)
		id := "s_seed" + strconv.Itoa(i%16) // 16 IDs cover the 4 shards
		if byID[id] == nil {
			byID[id] = closeloop.Tallies{}
		}
		t0 := byID[id][day]
		t0.Add(closeloop.Tally{Sent: 1, Answered: 1, CSAT: [5]int{0, 0, 0, 1, 0}, Points: 50})
		byID[id][day] = t0
	}
	for id, ts := range byID {
		if err := f.Product.DB.AddStoreTallies(ctx, f.StoreID, id, ts); err != nil {
			t.Fatal(err)
		}
	}
}

func requests(t *testing.T, f *apptest.Fixture, path string) (int, summaryBody) {
	t.Helper()
	f.Counter.Reset()
	r := f.API(t, "GET", path, "")
	n := f.Counter.Total()
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	return n, decode[summaryBody](t, r)
}

func TestAYearsSummaryCostsTheSameWith10And10000Answers(t *testing.T) {
	f := apptest.New(t)
	from := f.Clock.Now().AddDate(0, 0, -364).Format(closeloop.DayLayout)
	path := "/v1/summary?from=" + from
	seedAnswers(t, f, 10, 10)
	few, sum := requests(t, f, path)
	if sum.Answered != 10 {
		t.Fatalf("answered %d, want 10", sum.Answered)
	}
	seedAnswers(t, f, 9990, 365)
	start := time.Now()
	many, sum := requests(t, f, path)
	took := time.Since(start)
	if sum.Answered != 10000 || len(sum.Daily) != 365 {
		t.Fatalf("answered %d over %d days, want 10000 over 365", sum.Answered, len(sum.Daily))
	}
	if few != many || many > 8 {
		t.Fatalf("DynamoDB requests: %d with 10 answers, %d with 10,000; want the same, at most 8", few, many)
	}
	t.Logf("365-day summary: %d DynamoDB requests (the API key, the store, the day counters, the current load), %v with 10,000 answers", many, took)
	// Thirty days cost the same.
	if n, _ := requests(t, f, "/v1/summary"); n != many {
		t.Fatalf("30-day summary: %d requests, want %d", n, many)
	}
}

func TestAMonthsProductListReadsFewItemsFor500Products(t *testing.T) {
	f := apptest.New(t)
	ctx := context.Background()
	// Every product is answered about on 3 of the 30 days, spread so that
	// each day has 50 products: 1,500 day items and each month's roll-ups.
	var pts []closeloop.ProductTally
	for d := range 30 {
		day := f.Clock.Now().AddDate(0, 0, -d).Format(closeloop.DayLayout)
		for i := d % 10; i < 500; i += 10 {
			score := i%5 + 1
			var tally closeloop.Tally
			tally.Sent, tally.Answered, tally.CSAT[score-1] = 2, 1, 1
			pts = append(pts, closeloop.ProductTally{SKU: fmt.Sprintf("SKU-%03d", i), Name: fmt.Sprintf("Product %d", i), Day: day, Tally: tally})
		}
	}
	if err := f.Product.DB.AddProductTallies(ctx, f.StoreID, "seed#products", pts); err != nil {
		t.Fatal(err)
	}
	from := f.Clock.Now().AddDate(0, 0, -29).Format(closeloop.DayLayout)
	f.Counter.Reset()
	r := f.API(t, "GET", "/v1/summary/products?from="+from, "")
	n := f.Counter.Total()
	if r.Status != http.StatusOK {
		t.Fatalf("products: %d %s", r.Status, r.Body)
	}
	got := decode[struct {
		Items []struct {
			SKU      string `json:"sku"`
			Answered int    `json:"answered"`
			Sent     int    `json:"sent"`
		} `json:"items"`
	}](t, r)
	if len(got.Items) != 500 || got.Items[0].Answered != 3 || got.Items[0].Sent != 6 {
		t.Fatalf("%d products, first %+v; want 500 with 3 answers of 6 sent", len(got.Items), got.Items[0])
	}
	if n > 8 {
		t.Fatalf("a 30-day product list for 500 products made %d DynamoDB requests, want at most 8", n)
	}
	t.Logf("30-day product list, 500 products: %d DynamoDB requests", n)
	// The same marker again changes nothing.
	if err := f.Product.DB.AddProductTallies(ctx, f.StoreID, "seed#products", pts); err != nil {
		t.Fatal(err)
	}
	r = f.API(t, "GET", "/v1/summary/products?from="+from, "")
	if again := decode[struct {
		Items []struct {
			Answered int `json:"answered"`
		} `json:"items"`
	}](t, r); again.Items[0].Answered != 3 {
		t.Fatalf("after a replay: %d answers, want still 3", again.Items[0].Answered)
	}
}

// TestCompareIsTwoSummariesInHalfTheRequests: the overview's two ranges
// summarised together equal each summarised alone, from one read of the
// day counters and one of the case load.
func TestCompareIsTwoSummariesInHalfTheRequests(t *testing.T) {
	f := apptest.New(t)
	seedAnswers(t, f, 300, 60)
	ctx := context.Background()
	store, err := f.Product.DB.Store(ctx, f.StoreID)
	if err != nil {
		t.Fatal(err)
	}
	svc := summary.New(f.Product.DB, f.Clock.Now)
	today := f.Clock.Now().UTC().Truncate(24 * time.Hour)
	cur := closeloop.DayRange{From: today.AddDate(0, 0, -29), To: today}
	prev := closeloop.DayRange{From: today.AddDate(0, 0, -59), To: today.AddDate(0, 0, -30)}
	f.Counter.Reset()
	a, b, err := svc.Compare(ctx, store, cur, prev, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Counter.Total(); n != 2 {
		t.Errorf("Compare made %d DynamoDB requests %v, want 2", n, f.Counter.Counts())
	}
	wantA, err := svc.Summary(ctx, store, cur, "")
	if err != nil {
		t.Fatal(err)
	}
	wantB, err := svc.Summary(ctx, store, prev, "")
	if err != nil {
		t.Fatal(err)
	}
	asJSON := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if got, want := asJSON([]any{a, b}), asJSON([]any{wantA, wantB}); got != want {
		t.Errorf("Compare:\n%s\nwant Summary's:\n%s", got, want)
	}
	if a.Answered != 150 || b.Answered != 150 {
		t.Errorf("answered %d and %d, want 150 in each range", a.Answered, b.Answered)
	}
}
